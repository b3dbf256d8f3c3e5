#!/usr/bin/env bash
# Heads benchmark: trainer wall time for one head on 200 slides' grids, predictor latency for a 400 x 400
# grid (10 crops). Synthetic grids, 128 channels.
#
#   bench/heads.sh [slides] [cells-per-side] [epochs] [crop]     (default 200 100 10 400)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
mvn -q -B install -DskipTests -pl nic-core,nic-training -am
mvn -q -B -pl nic-training test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx8g -Dai.djl.offline=true -cp %classpath org.nic.training.head.HeadBenchmark ${1:-200} ${2:-100} ${3:-10} ${4:-400}"
