#!/usr/bin/env bash
# Tiling benchmark: plans a synthetic 40k x 40k px pyramidal TIFF with real H&E texture (written once by
# libvips into nic-core/target/bench) and prints seconds, peak RSS and pixels read per level.
#
#   bench/tiling.sh [size-in-thousands-of-px] [mask-source-factors]     (default 40; 1,8: the level nearest the
#   mask, then the default 8x finer one, planned in turn in one JVM)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
size=${1:-40}
cd "$repo"
mvn -q -B install -DskipTests -pl nic-core -am
mvn -q -B -pl nic-core test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx1g -cp %classpath org.nic.tiling.TilingBenchmark target/bench/he-${size}k.tif $size ${2:-1,8}"
