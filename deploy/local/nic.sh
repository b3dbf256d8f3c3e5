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
. "$here/services.sh"
export KAFKA_BOOTSTRAP_SERVERS=${KAFKA_BOOTSTRAP_SERVERS:-127.0.0.1:${NIC_KAFKA_PORT:-9092}}
export NIC_STORAGE_ENDPOINT=${NIC_STORAGE_ENDPOINT:-http://127.0.0.1:${NIC_S3_PORT:-9000}}
exec java -jar "$jar" "$@"
