#!/usr/bin/env bash
# Makes the INT8 encoder from the shipped float one and judges it like any encoder (docs/encoder.md#int8):
#  1. quantises models/encoders/mtl-nic-v2 (static INT8, ONNX QDQ), calibrated on the two Kather CRC tiles of
#     ../shared/data/patches/kather-crc, which are no probe target: target/encoders/mtl-nic-v2-int8,
#  2. does the same to the authors' multitask-4 (imported from its .h5), which never saw the probe data,
#  3. probes all four as ready-made encoders on lung, kather and tissue (nic-train transfer --probe-only):
#     target/quantise/transfer.md.
# Copy target/encoders/mtl-nic-v2-int8 to models/encoders/ to ship a new one.
#
#   bench/quantise-encoder.sh
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
data=../shared/data
out=target/encoders
start=$(date +%s)
mvn -q -B install -DskipTests -pl nic-train -am
train="java -Xmx6g -jar nic-train/target/nic-train.jar"
method=${NIC_CALIBRATION_METHOD:-MINMAX}
calibration="${NIC_QUANTISE_FLAGS:-} --calibration-method $method --calibration $data/patches/kather-crc/tiatoolbox__tests_data__kather1.tif --calibration $data/patches/kather-crc/tiatoolbox__tests_data__kather2.tif"
$train quantise-encoder --encoder models/encoders/mtl-nic-v2 $calibration --id mtl-nic-v2-int8 --out $out/mtl-nic-v2-int8
$train import-paper --models $data/models/nic-paper --registry $out
$train quantise-encoder --encoder $out/nic-paper-multitask-4 $calibration --id nic-paper-multitask-4-int8 --out $out/nic-paper-multitask-4-int8
[ -d target/mined/tissue-background ] || $train mine-tissue --data $data --out target/mined/tissue-background
$train transfer --probe-only --seed 17 \
  --dataset "lung=$data/patches/lc25000-lung,scale=0.714,group=dup" \
  --dataset "kather=$data/patches/kather-texture-2016,scale=0.99,group=pattern:CRC-Prim-HE-\d+" \
  --dataset "tissue=target/mined/tissue-background,group=source" \
  --encoder models/encoders/mtl-nic-v2 --encoder $out/mtl-nic-v2-int8 \
  --encoder $out/nic-paper-multitask-4 --encoder $out/nic-paper-multitask-4-int8 --out target/quantise
echo "[bench] quantised and probed in $(( $(date +%s) - start )) s; table in target/quantise/transfer.md" >&2
