# Sourced by deploy/local/nic-local.sh, services.sh and deploy/images/run-containers.sh: NIC's Kafka principals
# outside Kubernetes (docs/security.md). One folder holds the broker's secrets: TLS material (`nic kafka-tls`: ca.crt
# for clients, broker.p12) and principals.env, a password for the broker's super user `admin` and for every principal
# of deploy/k8s/base/users.yaml, generated once (owner-only), never committed.
#   kafka_secrets DIR                 makes them when missing
#   kafka_client_env DIR PRINCIPAL [CA_PATH]   prints KAFKA_*=... lines: the principal's client settings (CA_PATH: where
#                                     the client sees ca.crt, e.g. inside a container)
# Needs: $repo.

kafka_secrets() {
  local secrets=$1
  mkdir -p "$secrets"
  if [ ! -f "$secrets/principals.env" ]; then
    ( umask 077
      { echo "admin=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        grep -E '^  name: nic-' "$repo/deploy/k8s/base/users.yaml" | awk '{print $2}' | while read -r user; do
          echo "$user=$(head -c 16 /dev/urandom | od -An -tx1 | tr -d ' \n')"
        done; } >"$secrets/principals.env" )
  fi
  [ -f "$secrets/ca.crt" ] || java -jar "$repo/nic-cli/target/nic-cli.jar" kafka-tls --dir "$secrets" >/dev/null
}

kafka_client_env() {
  local secrets=$1 principal=$2 ca=${3:-$1/ca.crt} password
  password=$(sed -n "s/^$principal=//p" "$secrets/principals.env")
  [ -n "$password" ] || { echo "no Kafka principal $principal in $secrets/principals.env" >&2; return 1; }
  printf '%s\n' KAFKA_SECURITY_PROTOCOL=SASL_SSL KAFKA_SASL_MECHANISM=SCRAM-SHA-512 KAFKA_SSL_TRUSTSTORE_TYPE=PEM \
    "KAFKA_SSL_TRUSTSTORE_LOCATION=$ca" \
    "KAFKA_SASL_JAAS_CONFIG=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"$principal\" password=\"$password\";"
}

# Runs a command with a principal's client settings in its environment.
with_kafka_principal() { # DIR PRINCIPAL command...
  local secrets=$1 principal=$2 line
  shift 2
  local env=()
  while IFS= read -r line; do env+=("$line"); done < <(kafka_client_env "$secrets" "$principal")
  env "${env[@]}" "$@"
}
