# Sourced (POSIX sh) by deploy/local/nic-local.sh and the nic/kafka image's entrypoint: the one broker
# configuration of NIC's single-node Kafka (KRaft, broker and controller in one process).
#   kafka_properties LISTEN_HOST PORT CONTROLLER_PORT ADVERTISED_HOST DATA_DIR > server.properties
# An empty LISTEN_HOST listens on every interface.
kafka_properties() {
  cat <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$3
listeners=PLAINTEXT://$1:$2,CONTROLLER://127.0.0.1:$3
advertised.listeners=PLAINTEXT://$4:$2
controller.listener.names=CONTROLLER
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$5
num.partitions=3
auto.create.topics.enable=true
offsets.topic.replication.factor=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
group.initial.rebalance.delay.ms=0
PROPS
}
