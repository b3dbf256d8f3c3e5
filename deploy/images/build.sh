#!/usr/bin/env bash
# Builds NIC's container images with no image registry (docs/operations.md#images):
#  1. a base root filesystem from Debian packages (debootstrap): Debian 12 minbase, OpenJDK 17 JRE,
#     libopenslide0, CA certificates, user nic (185:185), apt caches and docs removed;
#  2. an OCI image layout (umoci) holding the base as one layer and, on top of it, one image per service
#     with the Quarkus fast-jar as two more layers (lib/, which changes with dependencies; then the app),
#     plus nic/kafka and nic/s3proxy from the Kafka and S3Proxy jars the local stack and the tests use.
# Every image runs as 185:185, works from /deployments and keeps nothing it writes outside /tmp (so it runs
# with a read-only root filesystem, as deploy/k8s asks).
#
#   sudo deploy/images/build.sh            (root: debootstrap and the layers' file owners need it)
#
# Result: $NIC_IMAGES_DIR (target/images)/oci, tags <name>-<tag>: base, tiler-service, encoder-service,
# predictor-service, trainer-service, dashboard-service, kafka, s3proxy. deploy/images/run-containers.sh runs
# them; to load them elsewhere:  skopeo copy oci:target/images/oci:tiler-service-0.1.0 docker-daemon:nic/tiler-service:0.1.0
#   (or podman pull oci:target/images/oci:tiler-service-0.1.0; or skopeo copy ... docker://REGISTRY/nic/tiler-service:0.1.0).
# Settings (environment): NIC_IMAGE_TAG (0.1.0, the tag deploy/k8s names), NIC_DEBIAN_MIRROR
#   (http://deb.debian.org/debian), NIC_IMAGES_SKIP_BUILD=1 (use the services' target/quarkus-app as they are).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
out=${NIC_IMAGES_DIR:-$repo/target/images}
tag=${NIC_IMAGE_TAG:-0.1.0}
mirror=${NIC_DEBIAN_MIRROR:-http://deb.debian.org/debian}
suite=bookworm
packages=openjdk-17-jre-headless,libopenslide0,ca-certificates
services=(tiler-service encoder-service predictor-service trainer-service dashboard-service)
start=$(date +%s)
log() { printf '[nic-images] %s (%s s)\n' "$*" "$(( $(date +%s) - start ))" >&2; }

[ "$(id -u)" = 0 ] || { echo "run as root: debootstrap and the images' file owners need it" >&2; exit 2; }
# The tools, all Debian packages: debootstrap and umoci build, runc runs (deploy/images/run-containers.sh).
need=()
for tool in debootstrap umoci runc; do command -v "$tool" >/dev/null || need+=("$tool"); done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]} (Debian packages)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq && apt-get install -y -qq "${need[@]}" >/dev/null
fi

if [ "${NIC_IMAGES_SKIP_BUILD:-0}" != 1 ]; then
  log "building the services (tests skipped)"
  (cd "$repo" && mvn -q -B install -DskipTests)
fi
"$repo/deploy/local/nic-local.sh" fetch
lib=${NIC_LOCAL_DIR:-$repo/.local}/lib

# 1. The base root filesystem, kept between builds while its recipe is unchanged.
rootfs=$out/base-rootfs
recipe="$suite $packages $(sha256sum "$0" | cut -c1-16)"
if [ "$(cat "$out/base-rootfs.recipe" 2>/dev/null)" != "$recipe" ]; then
  log "debootstrap $suite ($packages) from $mirror"
  rm -rf "$rootfs" && mkdir -p "$out"
  debootstrap --variant=minbase --include="$packages" "$suite" "$rootfs" "$mirror" >"$out/debootstrap.log" 2>&1 \
    || { tail -20 "$out/debootstrap.log" >&2; exit 1; }
  chroot "$rootfs" groupadd --gid 185 nic
  chroot "$rootfs" useradd --uid 185 --gid 185 --home-dir /deployments --no-create-home --shell /usr/sbin/nologin nic
  rm -rf "$rootfs"/var/cache/apt/* "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* "$rootfs"/usr/share/man/* \
    "$rootfs"/var/log/* "$rootfs"/tmp/*
  install -d -o 185 -g 185 "$rootfs/deployments"
  echo "$recipe" >"$out/base-rootfs.recipe"
fi

# 2. The OCI layout, written anew: the base, then each image as a tag of the base with layers on top.
oci=$out/oci
work=$out/work
rm -rf "$oci" "$work" && mkdir -p "$work"
umoci init --layout "$oci"
umoci new --image "$oci:base-$tag"
umoci unpack --image "$oci:base-$tag" "$work/base" >/dev/null
cp -a "$rootfs/." "$work/base/rootfs/"
umoci repack --image "$oci:base-$tag" "$work/base"
revision=$(git -C "$repo" rev-parse HEAD 2>/dev/null || echo unknown)
umoci config --image "$oci:base-$tag" --config.user 185:185 --config.workingdir /deployments \
  --config.env LANG=C.UTF-8 --config.env JAVA_HOME=/usr/lib/jvm/java-17-openjdk-amd64 \
  --config.label org.opencontainers.image.revision="$revision" \
  --config.label org.opencontainers.image.version="$tag" \
  --config.label org.opencontainers.image.base.name="debian:$suite (debootstrap minbase: $packages)"
log "base: $(du -sh "$rootfs" | cut -f1) root filesystem"

image() { # name title entrypoint port
  umoci tag --image "$oci:base-$tag" "$1-$tag"
  umoci config --image "$oci:$1-$tag" --config.entrypoint "$3" --config.exposedports "$4/tcp" \
    --config.label org.opencontainers.image.title="$2"
}

for s in "${services[@]}"; do
  app=$repo/$s/target/quarkus-app
  [ -f "$app/quarkus-run.jar" ] || { echo "$app/quarkus-run.jar missing: build first" >&2; exit 1; }
  port=$(sed -n 's/^quarkus.http.port=//p' "$repo/$s/src/main/resources/application.properties")
  mkdir -p "$work/$s/deployments" "$work/$s/bin"
  cp -a "$app/app" "$app/quarkus" "$app/quarkus-run.jar" "$work/$s/deployments/"
  cp "$here/run-java.sh" "$work/$s/bin/run-java"
  image "$s" "NIC $s" /opt/nic/bin/run-java "$port"
  umoci insert --image "$oci:$s-$tag" "$app/lib" /deployments/lib
  umoci insert --image "$oci:$s-$tag" "$work/$s/deployments" /deployments
  umoci insert --image "$oci:$s-$tag" "$work/$s/bin" /opt/nic/bin
  log "$s: nic/$s:$tag (port $port)"
done

mkdir -p "$work/kafka/bin" "$work/kafka/config" "$work/s3proxy/bin" "$work/s3proxy/lib"
cp "$here/kafka-entrypoint.sh" "$work/kafka/bin/kafka"
cp "$repo/deploy/local/kafka-properties.sh" "$work/kafka/bin/"
cp "$repo/deploy/local/log4j2.properties" "$work/kafka/config/"
image kafka "NIC's single-node Kafka (KRaft)" /opt/nic/bin/kafka 9092
umoci insert --image "$oci:kafka-$tag" "$lib/kafka" /opt/kafka/libs
umoci insert --image "$oci:kafka-$tag" "$work/kafka/config" /opt/kafka/config
umoci insert --image "$oci:kafka-$tag" "$work/kafka/bin" /opt/nic/bin
log "kafka: nic/kafka:$tag ($(ls "$lib"/kafka/kafka_2.13-*.jar | xargs -n1 basename))"

cp "$here/s3proxy-entrypoint.sh" "$work/s3proxy/bin/s3proxy"
image s3proxy "NIC's development S3 store (S3Proxy, filesystem)" /opt/nic/bin/s3proxy 9000
umoci insert --image "$oci:s3proxy-$tag" "$lib/s3proxy.jar" /opt/s3proxy/s3proxy.jar
umoci insert --image "$oci:s3proxy-$tag" "$work/s3proxy/bin" /opt/nic/bin
log "s3proxy: nic/s3proxy:$tag"

umoci gc --layout "$oci"
rm -rf "$work"
log "done: $oci ($(du -sh "$oci" | cut -f1); tags: $(umoci ls --layout "$oci" | tr '\n' ' '))"
