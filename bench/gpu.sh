#!/usr/bin/env bash
# The encoder's CUDA path (docs/benchmarks.md#gpu): on a machine with an NVIDIA GPU, CUDA 12 and cuDNN 9, runs the
# encoding benchmark of bench/encoding.sh on ONNX Runtime's GPU build (onnxruntime_gpu, the encoder service's -Dgpu
# build) for the float and the INT8 encoder: (a) reads, (b) encodes on the GPU, (c) the full pipeline, c / min(a, b).
# Needs Maven's repository to hold onnxruntime_gpu (405 MB, fetched from Maven Central when online) and libvips for
# the slide. Exits non-zero when ONNX Runtime fell back to the CPU.
#
#   bench/gpu.sh [side in thousands of px, default 20] [device, default cuda:0]
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
side=${1:-20}
device=${2:-cuda:0}
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || echo "nvidia-smi: no GPU visible"
version=$(sed -n 's:.*<onnxruntime.version>\(.*\)</onnxruntime.version>.*:\1:p' pom.xml)
mvn -q -B install -DskipTests -pl nic-core -am
mvn -q -B -pl nic-core test-compile
mvn -q -B dependency:copy -Dartifact="com.microsoft.onnxruntime:onnxruntime_gpu:$version" -DoutputDirectory=target/gpu
mvn -q -B -pl nic-core dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile="$repo/target/gpu/classpath"
# The CPU build of ONNX Runtime out, the GPU build in: both hold the same classes.
cp=$(tr ':' '\n' < target/gpu/classpath | grep -v '/com/microsoft/onnxruntime/onnxruntime/' | paste -sd:)
cp="$cp:$repo/target/gpu/onnxruntime_gpu-$version.jar:$repo/nic-core/target/classes:$repo/nic-core/target/test-classes"
cd nic-core
status=0
for model in mtl-nic-v2 mtl-nic-v2-int8; do
  echo "== $model on $device =="
  java -Xmx2g -Dnic.bench.device="$device" -cp "$cp" org.nic.encoding.EncodingBenchmark "$side" \
    "$repo/models/encoders/$model/model.onnx" all 2 64 2>&1 | grep -v '^SLF4J' | tee "$repo/target/gpu/$model.log"
  # ONNX Runtime falls back to the CPU when CUDA does not load: then these are CPU figures, and the run failed.
  if [[ "$device" == cuda* ]] && ! grep -q "encoder on cuda" "$repo/target/gpu/$model.log"; then
    echo "bench/gpu.sh: $model did not run on $device (see the CUDA provider's error above)" >&2
    status=1
  fi
done
exit $status
