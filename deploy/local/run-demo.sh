#!/usr/bin/env bash
# Starts NIC on its embedded defaults (local Kafka, local S3, the four services and the dashboard) and runs one slide through
# it, printing its slide-encoded event. Then, so that a head exists, it publishes a small labelled set - a
# demo task, "tissue-fraction", on 16 crops of the sample slide, labelled with their share of tissue cells -
# waits for the trainer to publish a head, sends the sample slide again and prints its slide-predicted event.
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

export NIC_SOURCES_ALLOWED_ROOTS="$(dirname "$slide"),$dir/demo-slides"
. "$here/services.sh"
. "$here/demo-steps.sh"

start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
start_service encoder "$repo/encoder-service/target/quarkus-app/quarkus-run.jar" 8082
start_service predictor "$repo/predictor-service/target/quarkus-app/quarkus-run.jar" 8083
# The demo task's trainer settings (demo-steps.sh); the options are words.
# shellcheck disable=SC2086
start_service trainer "$repo/trainer-service/target/quarkus-app/quarkus-run.jar" 8084 $demo_trainer_options
# The dashboard: read-only, on the result topics and the stored grids; open it while the demo runs and log in
# through the local Keycloak (the demo prints the users). It answers on loopback unless NIC_DASHBOARD_HOST says
# otherwise (e.g. 0.0.0.0; then set NIC_DASHBOARD_URL before the stack starts, for Keycloak's redirect address).
start_service dashboard "$repo/dashboard-service/target/quarkus-app/quarkus-run.jar" 8085 \
  -Dquarkus.http.host="${NIC_DASHBOARD_HOST:-127.0.0.1}"
log "dashboard: http://127.0.0.1:8085 (slides live; a slide's view: /slide/<id>; heads: /models)"

demo_slide "$slide" "$dir/demo-slides"
log "see it on the dashboard: http://127.0.0.1:8085/slide/$(sha256sum "$slide" | cut -c1-32)"
log "dashboard login (generated for this machine, $dir/keycloak/secrets.env): operator / $(sed -n 's/^NIC_OIDC_OPERATOR_PASSWORD=//p' "$dir/keycloak/secrets.env"), viewer / $(sed -n 's/^NIC_OIDC_VIEWER_PASSWORD=//p' "$dir/keycloak/secrets.env")"
