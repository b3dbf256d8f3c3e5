#!/usr/bin/env bash
# The nic command line against the local stack that deploy/local/run-demo.sh (or nic-local.sh) started:
#   deploy/local/nic.sh submit slide.svs --wait-for predicted
#   deploy/local/nic.sh label --slide <id> --task overall-survival --time 31.5 --event=true
# It sets what nic reads from the environment (KAFKA_BOOTSTRAP_SERVERS, NIC_STORAGE_ENDPOINT and the local
# store's credentials, NIC_STORAGE_ACCESS_KEY / NIC_STORAGE_SECRET_KEY) unless they are set already.
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
jar=$repo/nic-cli/target/nic-cli.jar
[ -f "$jar" ] || { echo "no $jar: build first (mvn -B -DskipTests install)" >&2; exit 1; }
dir=${NIC_LOCAL_DIR:-$repo/.local}
log() { printf '[nic] %s\n' "$*" >&2; }
. "$here/services.sh"
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${NIC_KAFKA_PORT:-9092}}
export NIC_STORAGE_ENDPOINT=${NIC_STORAGE_ENDPOINT:-http://127.0.0.1:${NIC_S3_PORT:-9000}}
# The principal the command acts as on the local broker: an operator pins heads and re-drives; the broker's admin sets it up; a
# scanner submits, labels and waits (override: NIC_KAFKA_PRINCIPAL).
case "${1:-}" in
  pin-head|redrive) principal=nic-operator ;;
  kafka-setup) principal=admin ;;
  *) principal=nic-scanner ;;
esac
principal=${NIC_KAFKA_PRINCIPAL:-$principal}
if [ -z "${KAFKA_SASL_JAAS_CONFIG:-}" ] && [ -f "$kafka_secrets_dir/principals.env" ]; then
  with_kafka_principal "$kafka_secrets_dir" "$principal" java -jar "$jar" "$@"
else
  exec java -jar "$jar" "$@"
fi
