#!/usr/bin/env bash
# Submit-to-encoded wall of the float and the INT8 encoder through the live services (docs/benchmarks.md#int8):
# starts the local Kafka and store, the tiler and the encoder, and submits the bench slide (the 30k x 30k px
# synthetic TIFF of bench/int8.sh) under a fresh id, alternately with the encoder on mtl-nic-v2 and on
# mtl-nic-v2-int8 (-Dnic.encoder.default-id). Prints each slide-encoded event's stage timings beside the wall.
#
#   bench/int8-wall.sh [rounds, default 2]          (run bench/int8.sh first: it writes the slide)
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/.." && pwd)
rounds=${1:-2}
slide=$repo/nic-core/target/bench/he-30k.tif
dir=${NIC_LOCAL_DIR:-$repo/.local}
log() { printf '[int8-wall] %s\n' "$*" >&2; }
[ -f "$slide" ] || { echo "no bench slide at $slide: run bench/int8.sh first" >&2; exit 2; }
(cd "$repo" && mvn -q -B install -DskipTests -pl tiler-service,encoder-service,nic-cli -am)
"$repo/deploy/local/nic-local.sh" start
export NIC_SOURCES_ALLOWED_ROOTS="$(dirname "$slide")"
. "$repo/deploy/local/services.sh"
start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
for round in $(seq 1 "$rounds"); do
  for encoder in mtl-nic-v2 mtl-nic-v2-int8; do
    start_service encoder "$repo/encoder-service/target/quarkus-app/quarkus-run.jar" 8082 -Dnic.encoder.default-id="$encoder"
    id="int8-wall-$encoder-$round-$(date +%s)"
    start=$(date +%s.%N)
    event=$("$repo/deploy/local/nic.sh" submit "$slide" --id "$id" --wait-for encoded --timeout PT20M)
    end=$(date +%s.%N)
    echo "$event" | python3 -c "
import json, sys
e = json.loads(chr(10).join(l for l in sys.stdin.read().splitlines() if not l.startswith(chr(35)))); d = e.get('data', e)
print(f\"$encoder round $round: submit-to-encoded {float('$end') - float('$start'):.1f} s; encoder wall {d['wallSeconds']:.1f} s \"
      f\"(read {d['readSeconds']:.1f}, encode {d['encodeSeconds']:.1f}, write {d['writeSeconds']:.1f}), {d['patchesPerSecond']:.0f} patches/s, \"
      f\"{d['tissueCells']} cells, encoder {d['encoderId']} on {d['device']}\")"
  done
done
