#!/usr/bin/env bash
# The soak (docs/operations.md#faults): small slides (100 by default), valid and invalid mixed, through the
# whole pipeline with every part a process of its own (a KRaft broker, S3Proxy, the tiler, encoder, trainer and
# predictor from their jars), while each service is killed with SIGKILL once and the object store is down
# for 30 s. Prints progress, then the tallies: slides in, encoded, predicted, failed by reason, lost,
# duplicated outputs. Exits 1 if a slide was lost, ended otherwise than expected, or an output was
# duplicated. Needs nothing running: it starts (and stops) its own broker, store and services on free ports.
# At scale: --brokers 3 runs a KRaft cluster (TLS, SCRAM logins and ACLs as in production; RF 3, min ISR 2) whose busiest broker is also stopped
# for 60 s; --replicas 2 runs two replicas each of the tiler, encoder and predictor (one of each is killed).
#
#   deploy/local/run-soak.sh [work-folder] [--slides N] [--brokers B] [--replicas R]   (default: .local/soak)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=$repo/.local/soak
if [ $# -gt 0 ] && [ "${1#--}" = "$1" ]; then
  work=$1
  shift
fi

"$here/install-prerequisites.sh"
echo "[nic-soak] building (tests skipped)" >&2
(cd "$repo" && mvn -q -B install -DskipTests)
cd "$repo"
mvn -q -B -pl nic-faults test-compile exec:exec -Dnic.soak.dir="$work" -Dnic.soak.options="$*"
