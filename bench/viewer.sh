#!/usr/bin/env bash
# Viewer benchmark (issue 27 point 3): the deep-zoom tiles of a synthetic 30k x 30k px pyramidal slide with real H&E
# texture (written once by libvips into nic-core/target/bench, as bench/tiling.sh does), made by the dashboard's own
# tile path and cache: the first view cold, then 4 viewers at once zooming to level 0; tile latency p50/p95/max.
#
#   bench/viewer.sh [size-in-thousands-of-px] [viewers] [zoom-paths-per-viewer]     (default 30 4 3)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size=${1:-30}
cd "$repo"
mvn -q -B install -DskipTests -pl dashboard-service -am
slide=$repo/nic-core/target/bench/he-${size}k.tif
if [ ! -f "$slide" ]; then
  # TilingBenchmark writes the slide when it is missing (and plans it once).
  mvn -q -B -pl nic-core test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
    -Dexec.args="-Xmx1g -cp %classpath org.nic.tiling.TilingBenchmark $slide $size 8"
fi
mvn -q -B -pl dashboard-service test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx2g -cp %classpath org.nic.dashboard.viewer.TileBenchmark $slide ${2:-4} ${3:-3}"
