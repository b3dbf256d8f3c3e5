#!/usr/bin/env bash
# Installs the system packages NIC needs (Debian/Ubuntu): OpenSlide, libvips (synthetic slides for
# tests and benchmarks), NumPy + zarr for Debian's /usr/bin/python3 (reading grids as data scientists do), and
# Chromium with its chromedriver (the dashboard's tests drive the page in a real, headless browser), and
# kubectl (the manifests' test renders them).
# Java 17+ and Maven must already be there. Installs only what is missing.
set -euo pipefail

need=()
ldconfig -p 2>/dev/null | grep -qE 'libopenslide\.so\.(0|1)' || need+=(libopenslide0)
command -v vips >/dev/null 2>&1 || need+=(libvips-tools)
/usr/bin/python3 -c 'import numpy' >/dev/null 2>&1 || need+=(python3-numpy)
/usr/bin/python3 -c 'import zarr' >/dev/null 2>&1 || need+=(python3-zarr)
command -v curl >/dev/null 2>&1 || need+=(curl)
[ -x /usr/bin/chromium ] || need+=(chromium)
[ -x /usr/bin/chromedriver ] || need+=(chromium-driver)
# kubectl renders the Kubernetes manifests in the tests (kubectl kustomize); Debian's is kubernetes-client.
command -v kubectl >/dev/null 2>&1 || need+=(kubernetes-client)
# PixelMed reads DICOM whole-slide images (it is not on Maven Central: Debian's jar goes into the local repository).
PIXELMED_VERSION=20220618
[ -f /usr/share/java/pixelmed-$PIXELMED_VERSION.jar ] || need+=(libpixelmed-java)

if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing packages: ${need[*]}; run: sudo apt-get install -y ${need[*]}" >&2
    exit 1
  fi
  echo "[nic] installing ${need[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq "${need[@]}" >/dev/null
fi

java -version 2>&1 | grep -qE 'version "(1[7-9]|[2-9][0-9])' || { echo "Java 17 or newer is required" >&2; exit 1; }
# Keycloak (the dashboard's OpenID Connect provider, in the local stack and the dashboard's tests) needs Java 21+,
# installed beside the default: any JDK under /usr/lib/jvm, or NIC_KEYCLOAK_JAVA_HOME.
if [ -z "${NIC_KEYCLOAK_JAVA_HOME:-}" ] && ! grep -qsE '^JAVA_VERSION="(2[1-9]|[3-9][0-9])' /usr/lib/jvm/*/release; then
  echo "Keycloak needs a Java 21 or newer beside the default one (under /usr/lib/jvm, or set NIC_KEYCLOAK_JAVA_HOME)" >&2
  exit 1
fi
command -v mvn >/dev/null 2>&1 || { echo "Maven is required" >&2; exit 1; }

# (A settings.xml with another localRepository: set NIC_MAVEN_REPO to it.)
repo="${NIC_MAVEN_REPO:-$HOME/.m2/repository}"
if [ ! -f "$repo/com/pixelmed/pixelmed/$PIXELMED_VERSION/pixelmed-$PIXELMED_VERSION.jar" ]; then
  [ -f /usr/share/java/pixelmed-$PIXELMED_VERSION.jar ] || {
    echo "PixelMed $PIXELMED_VERSION is required (Debian: libpixelmed-java $PIXELMED_VERSION; found: $(ls /usr/share/java/pixelmed-*.jar 2>/dev/null))" >&2
    exit 1
  }
  echo "[nic] installing PixelMed $PIXELMED_VERSION into $repo" >&2
  # Debian's jar names Debian's other jars (SLF4J bindings among them) in its manifest's Class-Path: the copy for
  # Maven leaves the manifest out, so the build's own dependencies are all it sees.
  jar_dir="$(mktemp -d)"
  /usr/bin/python3 - "/usr/share/java/pixelmed-$PIXELMED_VERSION.jar" "$jar_dir/pixelmed.jar" <<'PY'
import sys, zipfile
with zipfile.ZipFile(sys.argv[1]) as src, zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as dst:
    for item in src.infolist():
        if item.filename.upper() != "META-INF/MANIFEST.MF":
            dst.writestr(item, src.read(item.filename))
PY
  (cd / && mvn -q -B install:install-file -Dfile="$jar_dir/pixelmed.jar" -DgroupId=com.pixelmed \
    -DartifactId=pixelmed -Dversion=$PIXELMED_VERSION -Dpackaging=jar -DgeneratePom=true)
  rm -rf "$jar_dir"
fi
