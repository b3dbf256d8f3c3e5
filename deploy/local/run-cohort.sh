#!/usr/bin/env bash
# Judges NIC's slide-level heads on a synthetic cohort with known answers (docs/results.md):
#  1. generates the cohort (pyramidal TIFFs of real Kather 2016 tissue, labels.csv), unless it is there,
#  2. starts the local stack on an empty broker (no other run's labels) with the cohort's three tasks declared,
#  3. runs it through the live system: arrivals, grids, labels of the training slides, the trainer's
#     heads (published only through the publish gate), predictions of the held-out test slides,
#  4. evaluates heads and baselines on the grids, for each encoder in NIC_COHORT_ENCODERS.
# Prints progress; results land in the cohort folder (run-<encoder>.md, evaluation.md/json).
#
#   deploy/local/run-cohort.sh [cohort-folder]          (default: .local/cohort-2026)
# Settings (environment): NIC_COHORT_SEED (2026), NIC_COHORT_TRAIN (120), NIC_COHORT_TEST (60),
#   NIC_COHORT_PATTERNS (the growth-pattern task: COMPACT_SCATTERED, BORDER = desmoplastic or replacement, BORDER_MIXED),
#   NIC_COHORT_SEEDS (1: every comparison head trained with this many seeds, and the spread of each metric reported),
#   NIC_COHORT_TRAINER_SEEDS (17: the live trainer's seeds, one live run each, the spread printed),
#   NIC_COHORT_TRAINER_OPTIONS (more -D settings of the live trainer, e.g. "-Dnic.trainer.judged-alone-from=20
#   -Dnic.trainer.refit=true": a candidate tried through the live system, on a validation cohort first),
#   NIC_COHORT_EVALUATE (1; 0 skips the comparison rows),
#   NIC_COHORT_ACROSS (encoder ids, e.g. mtl-nic-v2-int8: the live heads, trained on the live encoder's grids, judged
#   on each of these encoders' grids of the test slides too, made by the live encoder service; heads-<a>-on-<b>.md),
#   NIC_COHORT_SIZE (8192 px), NIC_COHORT_ENCODER (the live system's encoder: the shipped default),
#   NIC_COHORT_ENCODERS (the encoders of the evaluation table, default the live one; more ids run the
#   comparison table, each needing its grids: ~10 min per encoder on 2 cores),
#   NIC_COHORT_REGISTER (encoder folders to upload to the registry first, e.g. target/encoders/nic-paper-bigan),
#   NIC_COHORT_TIMEOUT (PT45M: the longest wait of each phase of a live run, e.g. for the three heads; a run on a
#   machine busy with other work once missed 20 min).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
dir=${NIC_LOCAL_DIR:-$repo/.local}
patterns=${NIC_COHORT_PATTERNS:-COMPACT_SCATTERED}
# Another task, another folder: a cohort already generated is reused as it is.
suffix=$([ "$patterns" = COMPACT_SCATTERED ] || echo "-$(echo "$patterns" | tr 'A-Z_' 'a-z-')")
cohort=${1:-$dir/cohort-${NIC_COHORT_SEED:-2026}$suffix}
train=${NIC_COHORT_TRAIN:-120}
test=${NIC_COHORT_TEST:-60}
start=$(date +%s)
log() { printf '[nic-cohort] %s (%s s)\n' "$*" "$(( $(date +%s) - start ))" >&2; }

"$here/install-prerequisites.sh"
log "building (tests skipped)"
(cd "$repo" && mvn -q -B install -DskipTests)
# The encoder the live system uses (the encoder service's default and the trainer's), the shipped one.
encoder=${NIC_COHORT_ENCODER:-mtl-nic-v2}
encoders=${NIC_COHORT_ENCODERS:-$encoder}
# nic-cohort plays the lab (arrivals, labels) and the operator (encode requests, reading every topic): the broker's
# admin login on the local stack.
cohort_cli() {
  if [ -f "$dir/kafka/secrets/principals.env" ]; then
    with_kafka_principal "$dir/kafka/secrets" admin java -Xmx8g -jar "$repo/nic-cohort/target/nic-cohort.jar" "$@"
  else
    java -Xmx8g -jar "$repo/nic-cohort/target/nic-cohort.jar" "$@"
  fi
}
. "$here/kafka-access.sh"

if [ ! -f "$cohort/labels.csv" ]; then
  log "generating $train + $test slides into $cohort"
  cohort_cli generate --seed "${NIC_COHORT_SEED:-2026}" --train "$train" --test "$test" \
    --size "${NIC_COHORT_SIZE:-8192}" --kather "$repo/../shared/data/patches/kather-texture-2016" --out "$cohort" \
    --patterns "$patterns"
fi
# The growth-pattern classes of this cohort, in label order (alphabetical: compact,scattered; desmoplastic,replacement;
# desmoplastic,mixed,replacement).
classes=$(tail -n +2 "$cohort/labels.csv" | cut -d, -f6 | sort -u | paste -sd, -)

# The live trainer's seeds (NIC_COHORT_TRAINER_SEEDS, default its own, 17): one live run each, from an empty broker,
# so that each trains its heads anew; run-<encoder>-seed<s>.md keeps each, and the spread is printed.
trainer_seeds=${NIC_COHORT_TRAINER_SEEDS:-17}
for seed in $trainer_seeds; do
# A cohort run starts from an empty local broker: labels of another cohort run on the same stack (the label topic is
# compacted and kept) would train this one's heads, and its champions would judge them.
log "emptying the local broker's topics (the local stack's state; its users and keys stay)"
"$here/nic-local.sh" stop >/dev/null 2>&1 || true
rm -rf "$dir/kafka/data"
"$here/nic-local.sh" start
export NIC_SOURCES_ALLOWED_ROOTS="$cohort/slides"
. "$here/services.sh"
start_service tiler "$repo/tiler-service/target/quarkus-app/quarkus-run.jar" 8081
start_service encoder "$repo/encoder-service/target/quarkus-app/quarkus-run.jar" 8082 -Dnic.encoder.default-id="$encoder"
start_service predictor "$repo/predictor-service/target/quarkus-app/quarkus-run.jar" 8083
# The cohort's tasks; the trainer trains once every training label is in, and publishes only what holds
# under its publish gate (defaults: 95%, 2,000 paired bootstrap resamples of the held-out 30%).
start_service trainer "$repo/trainer-service/target/quarkus-app/quarkus-run.jar" 8084 \
  -Dnic.trainer.encoder-id="$encoder" \
  -Dnic.tasks.tumour-fraction.kind=REGRESSION \
  -Dnic.tasks.growth-pattern.kind=CLASSIFICATION -Dnic.tasks.growth-pattern.classes="$classes" \
  -Dnic.tasks.overall-survival.kind=SURVIVAL \
  -Dnic.trainer.retrain-after-labels="$train" -Dnic.trainer.min-held-out=10 -Dnic.trainer.seed="$seed" \
  ${NIC_COHORT_TRAINER_OPTIONS:-}

log "running the cohort through the live system (encoder $encoder, trainer seed $seed)"
cohort_cli run --cohort "$cohort" --encoder "$encoder" --timeout "${NIC_COHORT_TIMEOUT:-PT45M}"
cp "$cohort/run-$encoder.md" "$cohort/run-$encoder-seed$seed.md"
done
if [ "$(echo $trainer_seeds | wc -w)" -gt 1 ]; then
  log "the live system over trainer seeds $trainer_seeds (max - min of each task's test metric):"
  grep -h '| live system' $(for s in $trainer_seeds; do echo "$cohort/run-$encoder-seed$s.md"; done) \
    | awk -F'|' '{for (i = 4; i <= 6; i++) {split($i, v, " "); x = v[1] + 0; if (NR == 1 || x < lo[i]) lo[i] = x;
        if (NR == 1 || x > hi[i]) hi[i] = x; all[i] = all[i] " " v[1]}}
      END {n = split("tumour-fraction growth-pattern overall-survival", t, " ");
        for (i = 4; i <= 6; i++) printf "  %s:%s  spread %.3f\n", t[i - 3], all[i], hi[i] - lo[i]}' >&2
fi
for other in ${NIC_COHORT_ACROSS:-}; do
  log "the live heads of $encoder on the grids of $other"
  cohort_cli heads-across --cohort "$cohort" --heads-of "$encoder" --grids-of "$other" --timeout "${NIC_COHORT_TIMEOUT:-PT45M}"
done
[ "${NIC_COHORT_EVALUATE:-1}" = 1 ] || { log "done (comparison rows skipped: NIC_COHORT_EVALUATE=0)"; exit 0; }

register=()
for r in ${NIC_COHORT_REGISTER:-}; do register+=(--register "$r"); done
enc_args=()
for e in $encoders; do enc_args+=(--encoder "$e"); done
log "evaluating heads and baselines for: $encoders"
cohort_cli evaluate --cohort "$cohort" "${enc_args[@]}" "${register[@]}" --seeds "${NIC_COHORT_SEEDS:-1}"
log "done: $cohort/run-$encoder.md, $cohort/evaluation.md"
