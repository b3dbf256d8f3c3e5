#!/usr/bin/env bash
# Viewer benchmark (issue 27 point 3): the deep-zoom tiles of a synthetic 30k x 30k px pyramidal slide with real H&E
# texture (written once by libvips into nic-core/target/bench, as bench/tiling.sh does): the first view, then 4 viewers
# at once zooming to level 0; tile latency p50/p95/max.
#
#   bench/viewer.sh [size-in-thousands-of-px] [viewers] [zoom-paths-per-viewer]          (default 30 4 3)
#     the dashboard's own tile path and cache, in-process: no HTTP, login or browser
#   bench/viewer.sh --http [size-in-thousands-of-px] [viewers] [zoom-paths-per-viewer]
#     the whole path a viewer waits on: the local stack (deploy/local/nic-local.sh start: broker, store, Keycloak), the
#     tiler and a freshly started dashboard; the slide submitted twice in place (two ids, `nic submit --in-place
#     --wait-for tiled`), a viewer's access token from Keycloak (the generated `viewer` user), every request over HTTP
#     with it, through the login check and the roles. The two bench slides stay on the local stack's topics: an encoder
#     started later on it encodes them (about 10 min each on 2 cores) unless its broker is emptied first.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
http=
if [ "${1:-}" = --http ]; then
  http=1
  shift
fi
size=${1:-30}
cd "$repo"
if [ -n "$http" ]; then
  mvn -q -B install -DskipTests
else
  mvn -q -B install -DskipTests -pl dashboard-service -am
fi
slide=$repo/nic-core/target/bench/he-${size}k.tif
if [ ! -f "$slide" ]; then
  # TilingBenchmark writes the slide when it is missing (and plans it once).
  mvn -q -B -pl nic-core test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
    -Dexec.args="-Xmx1g -cp %classpath org.nic.tiling.TilingBenchmark $slide $size 8"
fi
if [ -z "$http" ]; then
  mvn -q -B -pl dashboard-service test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
    -Dexec.args="-Xmx2g -cp %classpath org.nic.dashboard.viewer.TileBenchmark $slide ${2:-4} ${3:-3}"
  exit 0
fi

here=$repo/deploy/local
dir=${NIC_LOCAL_DIR:-$repo/.local}
start=$(date +%s)
log() { printf '[bench-viewer] %s (%s s)\n' "$*" "$(( $(date +%s) - start ))" >&2; }
"$here/nic-local.sh" start
export NIC_SOURCES_ALLOWED_ROOTS=$(dirname "$slide")
. "$here/services.sh"
start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
# A dashboard started for the bench: its first slide is the first it shows.
start_service dashboard "$repo/dashboard-service/target/quarkus-app/quarkus-run.jar" 8085 -Dquarkus.http.host=127.0.0.1
ids=()
for copy in a b; do
  id=bench-viewer-${size}k-$copy
  log "submitting $slide in place as $id"
  "$here/nic.sh" submit "$slide" --id "$id" --in-place --wait-for tiled --timeout PT10M >/dev/null
  ids+=("$id")
done
. "$here/keycloak.sh"
keycloak=http://127.0.0.1:${NIC_KEYCLOAK_PORT:-8180}/realms/nic/protocol/openid-connect/token
token=$(curl -sf "$keycloak" -d grant_type=password -d client_id=nic-dashboard \
  --data-urlencode "client_secret=$(keycloak_secret "$dir/keycloak" NIC_OIDC_CLIENT_SECRET)" -d username=viewer \
  --data-urlencode "password=$(keycloak_secret "$dir/keycloak" NIC_OIDC_VIEWER_PASSWORD)" \
  | python3 -c 'import json, sys; print(json.load(sys.stdin)["access_token"])')
log "logged in to Keycloak as viewer; measuring"
NIC_BENCH_TOKEN=$token mvn -q -B -pl dashboard-service test-compile exec:exec -Dexec.classpathScope=test \
  -Dexec.executable=java -Dexec.args="-Xmx512m -cp %classpath org.nic.dashboard.viewer.TileBenchmark --http \
  http://127.0.0.1:8085 ${ids[0]} ${ids[1]} ${2:-4} ${3:-3}"
log "done (the local stack keeps running: deploy/local/nic-local.sh stop)"
