#!/usr/bin/env bash
# DICOM read benchmark: patches/s read (2 threads) and through the encoder pipeline for the DICOM pyramid of
# CMU-1-Small-Region, its level-0 instance, and a JPEG 2000 DICOM, against OpenSlide on the SVS of the same
# slide, in one run (../shared/data).
#
#   bench/dicom.sh [rounds] [passes]     (default 5 rounds, 8 fresh opens per measurement)
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"
mvn -q -B install -DskipTests -pl nic-core -am
mvn -q -B -pl nic-core test-compile exec:exec -Dexec.classpathScope=test -Dexec.executable=java \
  -Dexec.args="-Xmx1g -cp %classpath org.nic.slide.dicom.DicomReadBenchmark ../models/encoders/mtl-nic-v2/model.onnx ${1:-5} ${2:-8}"
