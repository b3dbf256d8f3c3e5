#!/bin/sh
# Entrypoint of the nic/kafka image: one KRaft node (broker and controller), the Kafka jars NIC's local
# stack and tests use (from Maven Central), data in $KAFKA_DATA_DIR (formatted on first start).
# Settings: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_ADVERTISED_HOST (127.0.0.1),
#   KAFKA_DATA_DIR (/var/lib/kafka), KAFKA_HEAP_OPTS (-Xms256m -Xmx1g), KAFKA_SECRETS_DIR (TLS and SCRAM logins:
#   deploy/local/kafka-properties.sh); for a node of a cluster, KAFKA_NODE_ID, KAFKA_VOTERS (id@host:port,...) and
#   KAFKA_CLUSTER_ID (one id for all its nodes).
set -eu
port=${KAFKA_PORT:-9092}
controller=${KAFKA_CONTROLLER_PORT:-9093}
host=${KAFKA_ADVERTISED_HOST:-127.0.0.1}
data=${KAFKA_DATA_DIR:-/var/lib/kafka}
conf=${TMPDIR:-/tmp}/server.properties
. /opt/nic/bin/kafka-properties.sh
(umask 077; kafka_properties "" "$port" "$controller" "$host" "$data" >"$conf")
cp='/opt/kafka/libs/*'
if [ ! -f "$data/meta.properties" ]; then
  # With KAFKA_SECRETS_DIR (TLS material and principals.env, mounted read-only): every principal's SCRAM login is
  # made with the storage.
  set --
  if [ -n "${KAFKA_SECRETS_DIR:-}" ]; then
    while IFS='=' read -r name password; do
      [ -n "$name" ] && set -- "$@" --add-scram "SCRAM-SHA-512=[name=$name,password=$password]"
    done <"$KAFKA_SECRETS_DIR/principals.env"
  fi
  if [ -n "${KAFKA_VOTERS:-}" ]; then
    # A node of a cluster: every node formatted with the one cluster id, the quorum static (KAFKA_VOTERS).
    [ -n "${KAFKA_CLUSTER_ID:-}" ] || { echo "KAFKA_VOTERS needs KAFKA_CLUSTER_ID (the same on every node)" >&2; exit 2; }
    java -cp "$cp" kafka.tools.StorageTool format --config "$conf" --cluster-id "$KAFKA_CLUSTER_ID" "$@"
  else
    java -cp "$cp" kafka.tools.StorageTool format --config "$conf" \
      --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" --standalone "$@"
  fi
fi
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp "$cp" kafka.Kafka "$conf"
