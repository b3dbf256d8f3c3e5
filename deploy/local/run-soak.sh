#!/usr/bin/env bash
# The soak (docs/operations.md#faults): 100 small slides, valid and invalid mixed, through the whole
# pipeline with every part a process of its own (a KRaft broker, S3Proxy, the tiler, encoder, trainer and
# predictor from their jars), while each service is killed with SIGKILL once and the object store is down
# for 30 s. Prints progress, then the tallies: slides in, encoded, predicted, failed by reason, lost,
# duplicated outputs. Exits 1 if a slide was lost, ended otherwise than expected, or an output was
# duplicated. Needs nothing running: it starts (and stops) its own broker, store and services on free ports.
#
#   deploy/local/run-soak.sh [work-folder]       (default: .local/soak)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
work=${1:-$repo/.local/soak}

"$here/install-prerequisites.sh"
echo "[nic-soak] building (tests skipped)" >&2
(cd "$repo" && mvn -q -B install -DskipTests)
cd "$repo"
mvn -q -B -pl nic-faults test-compile exec:exec -Dnic.soak.dir="$work"
