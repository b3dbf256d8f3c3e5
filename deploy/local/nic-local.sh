#!/usr/bin/env bash
# Local infrastructure for NIC, from Maven Central artefacts only: a Kafka broker in KRaft mode
# (kafka_2.13, main class kafka.Kafka), an S3-compatible store (S3Proxy, filesystem backend) and the OpenID Connect
# provider people log in to the dashboard with (Keycloak's distribution, on Java 21+: deploy/local/keycloak.sh).
#
#   deploy/local/nic-local.sh start|stop|status|fetch
#
# Idempotent: start leaves running servers alone, stop ignores stopped ones. Settings (environment):
#   NIC_LOCAL_DIR       data, logs and jars            (default: <repo>/.local)
#   NIC_KAFKA_PORT      broker port                    (default: 9092)
#   NIC_CONTROLLER_PORT KRaft controller port          (default: 9093)
#   NIC_S3_PORT         S3 port                        (default: 9000)
#   NIC_S3_ACCESS_KEY / NIC_S3_SECRET_KEY               (default: nic / nic-secret)
#   NIC_KEYCLOAK_PORT   Keycloak port (management: +1000) (default: 8180)
#   NIC_DASHBOARD_URL   the dashboard's address, where Keycloak sends people back (default: http://127.0.0.1:8085)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${NIC_LOCAL_DIR:-$repo/.local}
kafka_port=${NIC_KAFKA_PORT:-9092}
controller_port=${NIC_CONTROLLER_PORT:-9093}
s3_port=${NIC_S3_PORT:-9000}
access_key=${NIC_S3_ACCESS_KEY:-nic}
secret_key=${NIC_S3_SECRET_KEY:-nic-secret}
lib=$dir/lib
keycloak_port=${NIC_KEYCLOAK_PORT:-8180}

log() { printf '[nic-local] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_for() { # what, seconds, command...
  local what=$1 seconds=$2; shift 2
  for _ in $(seq 1 $((seconds * 5))); do
    if "$@"; then return 0; fi
    sleep 0.2
  done
  log "$what did not become healthy within ${seconds}s"; return 1
}

fetch() {
  if [ -f "$lib/s3proxy.jar" ] && ls "$lib"/kafka/kafka_2.13-*.jar >/dev/null 2>&1 && ls "$lib"/keycloak-*/bin/kc.sh >/dev/null 2>&1; then
    return 0
  fi
  log "fetching the Kafka broker, S3Proxy and Keycloak from Maven Central into $lib"
  mkdir -p "$lib"
  mvn -q -B -f "$here/pom.xml" package -Dnic.local.lib="$lib"
}

kafka_healthy() {
  port_open "$kafka_port" && grep -q "Kafka Server started" "$dir/kafka/kafka.log" 2>/dev/null
}

start_kafka() {
  if port_open "$kafka_port"; then log "Kafka already listening on $kafka_port"; return 0; fi
  [ -f "$repo/nic-cli/target/nic-cli.jar" ] || { echo "build first (mvn -B -DskipTests install): the broker's TLS material and ACLs come from nic-cli" >&2; return 1; }
  # TLS and SCRAM logins, one principal per service with its ACLs (docs/security.md): secrets made once, never committed.
  export KAFKA_SECRETS_DIR=$dir/kafka/secrets
  kafka_secrets "$KAFKA_SECRETS_DIR"
  if [ -f "$dir/kafka/data/meta.properties" ] && [ ! -f "$dir/kafka/secured" ]; then
    log "the local broker's data predates its logins: starting it afresh"
    rm -rf "$dir/kafka/data"
  fi
  mkdir -p "$dir/kafka/data"
  local conf=$dir/kafka/server.properties
  . "$here/kafka-properties.sh"
  ( umask 077; kafka_properties 127.0.0.1 "$kafka_port" "$controller_port" 127.0.0.1 "$dir/kafka/data" >"$conf" )
  local cp="$lib/kafka/*"
  if [ ! -f "$dir/kafka/data/meta.properties" ]; then
    local scram=()
    mapfile -t scram < <(kafka_scram_args)
    java -cp "$cp" kafka.tools.StorageTool format --config "$conf" \
      --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" --standalone "${scram[@]}" >"$dir/kafka/format.log" 2>&1 \
      || { cat "$dir/kafka/format.log" >&2; return 1; }
    touch "$dir/kafka/secured"
  fi
  : >"$dir/kafka/kafka.log"
  nohup java -Xms256m -Xmx1g -Dlog4j2.configurationFile="$here/log4j2.properties" -cp "$cp" kafka.Kafka "$conf" \
    >>"$dir/kafka/kafka.log" 2>&1 &
  echo $! >"$dir/kafka/pid"
  wait_for "Kafka" 90 kafka_healthy || { tail -30 "$dir/kafka/kafka.log" >&2; return 1; }
  KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port with_kafka_principal "$KAFKA_SECRETS_DIR" admin \
    java -jar "$repo/nic-cli/target/nic-cli.jar" kafka-setup --users "$repo/deploy/k8s/base/users.yaml" \
    --topics "$repo/deploy/k8s/base/topics.yaml" >&2
  log "Kafka (KRaft) ready on 127.0.0.1:$kafka_port: TLS and SCRAM logins, ACLs per principal ($KAFKA_SECRETS_DIR)"
}

s3_healthy() { curl -s -o /dev/null -m 2 "http://127.0.0.1:$s3_port/"; }

start_s3() {
  if port_open "$s3_port"; then log "S3 already listening on $s3_port"; return 0; fi
  mkdir -p "$dir/s3/data"
  cat >"$dir/s3/s3proxy.conf" <<PROPS
s3proxy.endpoint=http://127.0.0.1:$s3_port
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$access_key
s3proxy.credential=$secret_key
jclouds.provider=filesystem
jclouds.filesystem.basedir=$dir/s3/data
PROPS
  nohup java -Xmx512m -jar "$lib/s3proxy.jar" --properties "$dir/s3/s3proxy.conf" >"$dir/s3/s3proxy.log" 2>&1 &
  echo $! >"$dir/s3/pid"
  wait_for "S3Proxy" 60 s3_healthy || { tail -30 "$dir/s3/s3proxy.log" >&2; return 1; }
  log "S3 (S3Proxy) ready on http://127.0.0.1:$s3_port, data in $dir/s3/data"
}

stop_one() { # name pidfile
  local pidfile=$2
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    log "$1 stopped"
  fi
  rm -f "$pidfile"
}

status() {
  port_open "$kafka_port" && log "Kafka: up on $kafka_port" || log "Kafka: down"
  s3_healthy && log "S3: up on $s3_port" || log "S3: down"
  curl -sf -o /dev/null -m 2 "http://127.0.0.1:$keycloak_port/realms/nic/.well-known/openid-configuration" \
    && log "Keycloak: up on $keycloak_port" || log "Keycloak: down"
  for svc in "$dir"/services/*.pid; do
    [ -f "$svc" ] || continue
    kill -0 "$(cat "$svc")" 2>/dev/null && log "$(basename "$svc" .pid): running (pid $(cat "$svc"))" \
      || log "$(basename "$svc" .pid): not running"
  done
}

. "$here/keycloak.sh"
. "$here/kafka-access.sh"

case "${1:-}" in
  fetch) fetch ;;
  start) fetch; start_kafka; start_s3
    keycloak_start "$dir/keycloak" "$keycloak_port" $((keycloak_port + 1000)) "${NIC_DASHBOARD_URL:-http://127.0.0.1:8085}" ;;
  stop)
    for svc in "$dir"/services/*.pid; do [ -f "$svc" ] && stop_one "$(basename "$svc" .pid)" "$svc"; done
    keycloak_stop "$dir/keycloak"; stop_one S3Proxy "$dir/s3/pid"; stop_one Kafka "$dir/kafka/pid" ;;
  status) status ;;
  *) echo "usage: $0 start|stop|status|fetch" >&2; exit 2 ;;
esac
