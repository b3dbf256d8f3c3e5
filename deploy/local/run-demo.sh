#!/usr/bin/env bash
# Starts NIC on its embedded defaults (local Kafka, local S3, the services) and runs one slide through it,
# printing its slide-encoded event (or slide-failed).
#
#   deploy/local/run-demo.sh [slide-file]      (default: ../shared/data/slides/CMU-1-Small-Region.svs)
#
# Leaves everything running; stop it all with: deploy/local/nic-local.sh stop
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
slide=${1:-$repo/../shared/data/slides/CMU-1-Small-Region.svs}
dir=${NIC_LOCAL_DIR:-$repo/.local}
log() { printf '[nic-demo] %s\n' "$*" >&2; }

[ -f "$slide" ] || { echo "no slide file at $slide" >&2; exit 2; }
slide=$(cd "$(dirname "$slide")" && pwd)/$(basename "$slide")

"$here/install-prerequisites.sh"
log "building (tests skipped; run them with the README's test command)"
(cd "$repo" && mvn -q -B install -DskipTests)
"$here/nic-local.sh" start

start_service() { # name jar port
  local name=$1 jar=$2 port=$3 pidfile=$dir/services/$1.pid
  mkdir -p "$dir/services"
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    log "restarting $name with the fresh build"
    kill "$(cat "$pidfile")"; while kill -0 "$(cat "$pidfile")" 2>/dev/null; do sleep 0.2; done
  fi
  NIC_SOURCES_ALLOWED_ROOTS="$(dirname "$slide")" nohup java -Xmx2g -jar "$jar" >"$dir/services/$name.log" 2>&1 &
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

start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
start_service encoder "$repo/encoder-service/target/quarkus-app/quarkus-run.jar" 8082

log "submitting $slide as a scanner would"
java -jar "$repo/nic-cli/target/nic-cli.jar" submit "$slide" --wait-for encoded
