# Sourced by deploy/local/run-demo.sh and deploy/images/run-containers.sh: the demo's slide steps, against
# whatever NIC the environment points the nic command line at (KAFKA_BOOTSTRAP_SERVERS, NIC_STORAGE_*).
#   demo_slide SLIDE CROPS_DIR
# The slide is submitted and encoded; 16 crops of it (made once with vips into CROPS_DIR) are submitted and
# labelled with their share of tissue cells (the demo task tissue-fraction); once the trainer publishes a
# head, the slide is sent again and its slide-predicted event printed; then the same slide as a DICOM series
# (../shared/data/dicom/cmu-1-small-region), when that is there. Needs: $repo, log().

# The trainer's settings for the demo task (system properties): retrain every 15 s while labels come in,
# small-cohort settings, and a publish gate relaxed to a point estimate (level 0.5): ~5 held-out crops are
# too few for an interval.
demo_trainer_options="-Dnic.tasks.tissue-fraction.kind=REGRESSION -Dnic.trainer.schedule=15s
  -Dnic.trainer.retrain-after-labels=1000 -Dnic.trainer.min-held-out=3 -Dnic.trainer.epochs=40
  -Dnic.trainer.min-steps=0 -Dnic.trainer.crops=4 -Dnic.trainer.gate-level=0.5"

# The demo plays the scanner: its principal on a broker with logins ($kafka_secrets_dir, set by the caller).
nic() {
  if [ -f "${kafka_secrets_dir:-}/principals.env" ]; then
    with_kafka_principal "$kafka_secrets_dir" nic-scanner java -jar "$repo/nic-cli/target/nic-cli.jar" "$@"
  else
    java -jar "$repo/nic-cli/target/nic-cli.jar" "$@"
  fi
}

demo_slide() {
  local slide=$1 crops=$2 i=0 crop out fraction
  log "submitting $slide as a scanner would"
  nic submit "$slide" --wait-for encoded

  log "a small labelled set for the demo task tissue-fraction: 16 crops of the sample slide"
  mkdir -p "$crops"
  for y in 0 640 1280 1920; do
    for x in 0 400 800 1196; do
      i=$((i + 1))
      crop="$crops/crop-$i.tif"
      [ -f "$crop" ] || vips crop "$slide" "$crop[tile,pyramid,compression=jpeg,tile-width=256,tile-height=256]" "$x" "$y" 1024 1024
      if out=$(nic submit "$crop" --id "demo-crop-$i" --mpp 0.499 --wait-for encoded 2>/dev/null); then
        fraction=$(printf '%s' "$out" | tail -1 | /usr/bin/python3 -c 'import json,sys; e=json.load(sys.stdin); print(e["tissueCells"] / (e["rows"] * e["cols"]))')
        nic label --slide "demo-crop-$i" --task tissue-fraction --value "$fraction" --case "demo-crop-$i" 2>/dev/null
        log "demo-crop-$i: tissue fraction $fraction"
      else
        log "demo-crop-$i: no tissue (slide-failed), not labelled"
      fi
    done
  done

  log "waiting for the trainer to publish a tissue-fraction head"
  nic await-head --task tissue-fraction --timeout PT3M

  log "the sample slide again: now every active head predicts it"
  nic submit "$slide" --wait-for predicted

  # The same slide as a hospital archive sends it: a DICOM series (one folder, uploaded under one prefix).
  local series="$repo/../shared/data/dicom/cmu-1-small-region"
  if [ -d "$series" ]; then
    log "the same slide as a DICOM series ($(ls "$series" | wc -l) instances, one per level)"
    nic submit "$series" --wait-for predicted
  fi
}
