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

start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
start_service encoder "$repo/encoder-service/target/quarkus-app/quarkus-run.jar" 8082
start_service predictor "$repo/predictor-service/target/quarkus-app/quarkus-run.jar" 8083
# The demo task: retrain every 15 s while new labels come in; small cohort settings. Its 16 slides leave ~5
# held out, too few for an interval: the demo relaxes the publish gate to a point estimate (level 0.5).
start_service trainer "$repo/trainer-service/target/quarkus-app/quarkus-run.jar" 8084 \
  -Dnic.tasks.tissue-fraction.kind=REGRESSION -Dnic.trainer.schedule=15s -Dnic.trainer.retrain-after-labels=1000 \
  -Dnic.trainer.min-held-out=3 -Dnic.trainer.epochs=40 -Dnic.trainer.min-steps=0 -Dnic.trainer.crops=4 -Dnic.trainer.gate-level=0.5
# The dashboard: read-only, on the result topics and the stored grids; open it while the demo runs.
start_service dashboard "$repo/dashboard-service/target/quarkus-app/quarkus-run.jar" 8085
log "dashboard: http://127.0.0.1:8085 (slides live; a slide's view: /slide/<id>; heads: /models)"

nic() { java -jar "$repo/nic-cli/target/nic-cli.jar" "$@"; }

log "submitting $slide as a scanner would"
nic submit "$slide" --wait-for encoded

log "a small labelled set for the demo task tissue-fraction: 16 crops of the sample slide"
mkdir -p "$dir/demo-slides"
i=0
for y in 0 640 1280 1920; do
  for x in 0 400 800 1196; do
    i=$((i + 1))
    crop="$dir/demo-slides/crop-$i.tif"
    [ -f "$crop" ] || vips crop "$slide" "$crop[tile,pyramid,compression=jpeg,tile-width=256,tile-height=256]" "$x" "$y" 1024 1024
    if out=$(nic submit "$crop" --id "demo-crop-$i" --mpp 0.499 --wait-for encoded 2>/dev/null); then
      fraction=$(printf '%s' "$out" | tail -1 | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["tissueCells"] / (e["rows"] * e["cols"]))')
      nic label --slide "demo-crop-$i" --task tissue-fraction --value "$fraction" --case "demo-crop-$i" 2>/dev/null
      log "demo-crop-$i: tissue fraction $fraction"
    else
      log "demo-crop-$i: no tissue (slide-failed), not labelled"
    fi
  done
done

log "waiting for the trainer to publish a tissue-fraction head"
nic await-head --task tissue-fraction --timeout PT3M

log "the sample slide again: now every active head predicts it"
nic submit "$slide" --wait-for predicted
log "see it on the dashboard: http://127.0.0.1:8085/slide/$(sha256sum "$slide" | cut -c1-32)"
