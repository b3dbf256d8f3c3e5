# Sourced by the local scripts: starts one NIC service from its fast-jar and waits until it is ready.
#   start_service NAME JAR PORT [java options...]
# Needs: $repo, $dir (local state folder), $NIC_SOURCES_ALLOWED_ROOTS (folders file: URIs may point into), log().

. "$(dirname "${BASH_SOURCE[0]}")/kafka-access.sh"
# Each service logs in to the local broker as its own principal (nic-<name>), when the broker has logins.
kafka_secrets_dir=$dir/kafka/secrets

# The local store's credentials (deploy/local/nic-local.sh starts S3Proxy with the same): services and the
# nic command line have no credentials of their own.
export NIC_STORAGE_ACCESS_KEY=${NIC_STORAGE_ACCESS_KEY:-${NIC_S3_ACCESS_KEY:-nic}}
export NIC_STORAGE_SECRET_KEY=${NIC_STORAGE_SECRET_KEY:-${NIC_S3_SECRET_KEY:-nic-secret}}

# Heads are signed (docs/security.md): the trainer's Ed25519 key pair, made once per local stack and never committed;
# the trainer signs with the private file, the predictor, the dashboard and `nic pin-head` trust the public one.
if [ -z "${NIC_TRAINER_SIGNING_KEY:-}" ] && [ ! -f "$dir/keys/trainer.key" ]; then
  java -jar "$repo/nic-cli/target/nic-cli.jar" keys --private "$dir/keys/trainer.key" --public "$dir/keys/trainer.pub" >&2
fi
export NIC_TRAINER_SIGNING_KEY=${NIC_TRAINER_SIGNING_KEY:-$dir/keys/trainer.key}
export NIC_TRUST_HEAD_KEYS=${NIC_TRUST_HEAD_KEYS:-$dir/keys/trainer.pub}

# The dashboard's OpenID Connect provider: the local Keycloak (nic-local.sh start) and its generated client secret.
export QUARKUS_OIDC_AUTH_SERVER_URL=${QUARKUS_OIDC_AUTH_SERVER_URL:-http://127.0.0.1:${NIC_KEYCLOAK_PORT:-8180}/realms/nic}
if [ -z "${QUARKUS_OIDC_CREDENTIALS_SECRET:-}" ] && [ -f "$dir/keycloak/secrets.env" ]; then
  QUARKUS_OIDC_CREDENTIALS_SECRET=$(sed -n 's/^NIC_OIDC_CLIENT_SECRET=//p' "$dir/keycloak/secrets.env")
  export QUARKUS_OIDC_CREDENTIALS_SECRET
fi

start_service() {
  local name=$1 jar=$2 port=$3 pidfile=$dir/services/$1.pid
  shift 3
  mkdir -p "$dir/services"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    log "restarting $name with the fresh build and settings"
    kill "$(cat "$pidfile")"; while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.2; done
  fi
  local kafka_env=()
  if [ -f "$kafka_secrets_dir/principals.env" ]; then
    mapfile -t kafka_env < <(kafka_client_env "$kafka_secrets_dir" "nic-$name")
  fi
  NIC_SOURCES_ALLOWED_ROOTS="$NIC_SOURCES_ALLOWED_ROOTS" nohup env "${kafka_env[@]}" java -Xmx2g "$@" -jar "$jar" \
    >"$dir/services/$name.log" 2>&1 &
  echo $! >"$pidfile"
  for _ in $(seq 1 300); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/q/health/ready"; then
      log "$name ready on http://127.0.0.1:$port (health: /q/health, metrics: /q/metrics, log: $dir/services/$name.log)"
      return 0
    fi
    kill -0 "$(cat "$pidfile")" 2>/dev/null || { tail -40 "$dir/services/$name.log" >&2; return 1; }
    sleep 0.2
  done
  log "$name did not become ready"; tail -40 "$dir/services/$name.log" >&2; return 1
}
