#!/usr/bin/env bash
# Encoding benchmark on synthetic pyramidal TIFFs with real H&E texture (written once by libvips into
# nic-core/target/bench): (a) read, (b) encode, (c) full pipeline and their ratios on a 32k x 32k slide,
# then peak RSS of the full pipeline on a 10k x 10k and a 40k x 40k slide with the same JVM settings.
#
#   bench/encoding.sh [model.onnx]     (default: the shipped encoder)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
model=$(realpath "${1:-models/encoders/mtl-nic-v2/model.onnx}")
mvn -q -B install -DskipTests -pl nic-core -am
run() { mvn -q -B -pl nic-core exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx1g -cp %classpath org.nic.encoding.EncodingBenchmark $*"; }
mvn -q -B -pl nic-core test-compile
echo "== throughput (32k x 32k) =="; run 32 "$model" all
echo "== memory: 10k x 10k =="; run 10 "$model" full
echo "== memory: 40k x 40k =="; run 40 "$model" full
