#!/usr/bin/env bash
# Runs the README's test command as a fresh machine would: against a local Maven repository that lacks
# Quarkus' *-deployment artifacts, so that Quarkus' test bootstrap would have to download them (the case
# that deadlocked before every Quarkus module ran generate-code / generate-code-tests, see
# docs/operations.md). Prints the wall time.
#
#   deploy/local/test-cold-cache.sh            copy of ~/.m2/repository without io/quarkus/*-deployment
#   deploy/local/test-cold-cache.sh --empty    an empty local repository (downloads everything, ~1.5 GB)
#   deploy/local/test-cold-cache.sh --hang     shows the bound: every test JVM may run 20 s, so a module
#                                              whose tests take longer fails instead of running on
# Extra arguments go to Maven (e.g. -pl tiler-service -am).
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$repo"
source_repo=${MAVEN_REPOSITORY:-$HOME/.m2/repository}
work=$(mktemp -d "${TMPDIR:-/tmp}/nic-cold-m2.XXXXXX")
trap 'rm -rf "$work"' EXIT
cold="$work/repository"
mode=${1:-}
extra=()
case "$mode" in
  --empty) shift; mkdir -p "$cold" ;;
  --hang) shift; cp -a "$source_repo" "$cold"; extra+=(-Dnictest.fork-timeout=20) ;;
  *)
    # A plain copy (not hard links: Maven rewrites metadata files in place, which would reach the original).
    cp -a "$source_repo" "$cold"
    removed=$(find "$cold/io/quarkus" -mindepth 1 -maxdepth 1 -type d -name '*-deployment' 2>/dev/null | wc -l)
    find "$cold/io/quarkus" -mindepth 1 -maxdepth 1 -type d -name '*-deployment' -exec rm -rf {} +
    echo "[nic] local repository $cold: removed $removed io.quarkus *-deployment artifacts" >&2
    ;;
esac
start=$(date +%s)
status=0
deploy/local/install-prerequisites.sh && mvn -B verify -Dmaven.repo.local="$cold" "${extra[@]}" "$@" || status=$?
echo "[nic] README test command against $( [ "$mode" = --empty ] && echo an empty || echo a cold ) local repository:" \
  "exit $status after $(( $(date +%s) - start )) s" >&2
exit $status
