#!/bin/sh
# Entrypoint of the nic/s3proxy image: S3Proxy (the S3-compatible store of NIC's local stack and tests,
# from Maven Central) on its filesystem backend. For development and demos; production uses MinIO or S3.
# Settings: S3_PORT (9000), S3_ACCESS_KEY and S3_SECRET_KEY (required: no defaults), S3_DATA_DIR (/var/lib/s3).
set -eu
: "${S3_ACCESS_KEY:?S3_ACCESS_KEY is required}" "${S3_SECRET_KEY:?S3_SECRET_KEY is required}"
conf=${TMPDIR:-/tmp}/s3proxy.conf
mkdir -p "${S3_DATA_DIR:-/var/lib/s3}"
cat >"$conf" <<PROPS
s3proxy.endpoint=http://0.0.0.0:${S3_PORT:-9000}
s3proxy.authorization=aws-v2-or-v4
s3proxy.identity=$S3_ACCESS_KEY
s3proxy.credential=$S3_SECRET_KEY
jclouds.provider=filesystem
jclouds.filesystem.basedir=${S3_DATA_DIR:-/var/lib/s3}
PROPS
exec java ${S3_HEAP_OPTS:--Xmx512m} -jar /opt/s3proxy/s3proxy.jar --properties "$conf"
