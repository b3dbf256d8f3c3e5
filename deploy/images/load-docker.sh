#!/usr/bin/env bash
# Loads the images that deploy/images/build.sh wrote (an OCI layout, no registry) into a Docker engine as
# nic/<name>:<tag>, so that Testcontainers (nic-faults' ContainerClusterTest) and `docker run` can start them; starts
# Debian's dockerd first when none answers (installing docker.io and skopeo, Debian packages, when missing).
#
#   sudo deploy/images/load-docker.sh            (after deploy/images/build.sh)
#
# Settings (environment): NIC_IMAGES_DIR (target/images), NIC_IMAGE_TAG (0.1.0), NIC_DOCKER_IMAGES (the names loaded:
# kafka s3proxy tiler-service encoder-service predictor-service trainer-service dashboard-service).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
oci=${NIC_IMAGES_DIR:-$repo/target/images}/oci
tag=${NIC_IMAGE_TAG:-0.1.0}
names=${NIC_DOCKER_IMAGES:-kafka s3proxy tiler-service encoder-service predictor-service trainer-service dashboard-service}
start=$(date +%s)
log() { printf '[nic-docker] %s (%s s)\n' "$*" "$(( $(date +%s) - start ))" >&2; }

[ "$(id -u)" = 0 ] || { echo "run as root: dockerd, and the engine's socket" >&2; exit 2; }
[ -d "$oci" ] || { echo "no images at $oci: run deploy/images/build.sh first" >&2; exit 2; }
need=()
command -v dockerd >/dev/null || need+=(docker.io)
command -v skopeo >/dev/null || need+=(skopeo)
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi
# Debian's client (/usr/bin/docker) speaks to Debian's engine; another client first on PATH may not.
docker=/usr/bin/docker
[ -x "$docker" ] || docker=docker
if ! "$docker" info >/dev/null 2>&1; then
  log "starting dockerd (log: /var/log/nic-dockerd.log)"
  (setsid dockerd >/var/log/nic-dockerd.log 2>&1 &)
  for _ in $(seq 1 60); do "$docker" info >/dev/null 2>&1 && break; sleep 0.5; done
  "$docker" info >/dev/null 2>&1 || { tail -20 /var/log/nic-dockerd.log >&2; echo "dockerd did not start" >&2; exit 1; }
fi
log "Docker engine $("$docker" version --format '{{.Server.Version}} (API {{.Server.APIVersion}})')"
for name in $names; do
  skopeo copy --quiet "oci:$oci:$name-$tag" "docker-daemon:nic/$name:$tag" >/dev/null
  log "nic/$name:$tag loaded"
done
