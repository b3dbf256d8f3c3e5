#!/usr/bin/env bash
# The INT8 encoder against the float one in one run (docs/benchmarks.md#int8): the encoder alone over batch
# sizes and ONNX Runtime threads, then reading and the full pipeline with each one's best batch, on a synthetic
# pyramidal TIFF with real H&E texture (written once by libvips into nic-core/target/bench). When Debian's
# python3-torch and python3-openslide are installed (NIC_BENCH_PEER=install installs them), a CLAM-style peer
# (bench/peer/clam_style.py) encodes the same cells before and after, in the same run.
#
#   bench/int8.sh [side in thousands of px, default 30] [rounds, default 3]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
side=${1:-30}
rounds=${2:-3}
grep -o -m1 'avx512_vnni\|avx_vnni' /proc/cpuinfo | head -1 | sed 's/^/cpu has /' || echo "cpu has no VNNI"
mvn -q -B install -DskipTests -pl nic-core -am
mvn -q -B -pl nic-core test-compile
if [ "${NIC_BENCH_PEER:-}" = install ] && ! /usr/bin/python3 -c 'import torch, openslide' 2>/dev/null; then
  apt-get install -y -q python3-torch python3-openslide >/dev/null
fi
peer() {
  if /usr/bin/python3 -c 'import torch, openslide' 2>/dev/null && [ -f nic-core/target/bench/he-${side}k.cells.csv ]; then
    /usr/bin/python3 bench/peer/clam_style.py nic-core/target/bench/he-${side}k.tif nic-core/target/bench/he-${side}k.cells.csv 2 64
  else
    echo "peer: not run (needs python3-torch, python3-openslide and the cells of a first run)"
  fi
}
peer
mvn -q -B -pl nic-core exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx1g -cp %classpath org.nic.encoding.Int8Benchmark $side $repo/models/encoders/mtl-nic-v2/model.onnx $repo/models/encoders/mtl-nic-v2-int8/model.onnx $rounds"
peer
