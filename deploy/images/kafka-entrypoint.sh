#!/bin/sh
# Entrypoint of the nic/kafka image: one KRaft node (broker and controller), the Kafka jars NIC's local
# stack and tests use (from Maven Central), data in $KAFKA_DATA_DIR (formatted on first start).
# Settings: KAFKA_PORT (9092), KAFKA_CONTROLLER_PORT (9093), KAFKA_ADVERTISED_HOST (127.0.0.1),
#   KAFKA_DATA_DIR (/var/lib/kafka), KAFKA_HEAP_OPTS (-Xms256m -Xmx1g).
set -eu
port=${KAFKA_PORT:-9092}
controller=${KAFKA_CONTROLLER_PORT:-9093}
host=${KAFKA_ADVERTISED_HOST:-127.0.0.1}
data=${KAFKA_DATA_DIR:-/var/lib/kafka}
conf=${TMPDIR:-/tmp}/server.properties
cat >"$conf" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$controller
listeners=PLAINTEXT://:$port,CONTROLLER://127.0.0.1:$controller
advertised.listeners=PLAINTEXT://$host:$port
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$data
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
PROPS
cp='/opt/kafka/libs/*'
if [ ! -f "$data/meta.properties" ]; then
  java -cp "$cp" kafka.tools.StorageTool format --config "$conf" \
    --cluster-id "$(java -cp "$cp" kafka.tools.StorageTool random-uuid)" --standalone
fi
exec java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -Dlog4j2.configurationFile=/opt/kafka/config/log4j2.properties \
  -cp "$cp" kafka.Kafka "$conf"
