# Sourced (POSIX sh) by deploy/local/nic-local.sh and the nic/kafka image's entrypoint: the one broker
# configuration of NIC's single-node Kafka (KRaft, broker and controller in one process).
#   kafka_properties LISTEN_HOST PORT CONTROLLER_PORT ADVERTISED_HOST DATA_DIR > server.properties
# An empty LISTEN_HOST listens on every interface. With KAFKA_SECRETS_DIR set (a folder holding the broker's TLS
# material from `nic kafka-tls`, broker.p12 and broker.password, and principals.env: name=password lines, admin
# first), the client listener is TLS with SCRAM-SHA-512 logins and KRaft's StandardAuthorizer decides what each
# principal may do (the ACLs `nic kafka-setup` gives it); the controller's listener stays on loopback, for this
# node alone. Without it, plaintext, as before (kept for a broker one wants to inspect by hand).
# A node of a cluster (the nic/kafka image under Testcontainers, nic-faults' ContainerClusterTest): KAFKA_NODE_ID (1)
# and KAFKA_VOTERS, the static controller quorum (id@host:port,...; every node broker and controller); the
# controller's listener is then on every interface (the quorum talks over the cluster's own network, in plaintext),
# and the internal topics are replicated min(3, nodes) times with min.insync.replicas one less.
kafka_properties() {
  if [ -n "${KAFKA_VOTERS:-}" ]; then
    voters=$(echo "$KAFKA_VOTERS" | tr ',' '\n' | grep -c .)
    rf=$(( voters < 3 ? voters : 3 ))
    isr=$(( rf > 1 ? rf - 1 : 1 ))
    quorum="controller.quorum.voters=$KAFKA_VOTERS"
    controller_host=""
  else
    rf=1 isr=1
    quorum="controller.quorum.bootstrap.servers=127.0.0.1:$3"
    controller_host=127.0.0.1
  fi
  cat <<PROPS
process.roles=broker,controller
node.id=${KAFKA_NODE_ID:-1}
$quorum
controller.listener.names=CONTROLLER
log.dirs=$5
num.partitions=3
default.replication.factor=$rf
min.insync.replicas=$isr
offsets.topic.replication.factor=$rf
transaction.state.log.replication.factor=$rf
transaction.state.log.min.isr=$isr
share.coordinator.state.topic.replication.factor=$rf
group.initial.rebalance.delay.ms=0
PROPS
  if [ -n "${KAFKA_SECRETS_DIR:-}" ]; then
    admin=$(sed -n 's/^admin=//p' "$KAFKA_SECRETS_DIR/principals.env")
    cat <<PROPS
listeners=SASL_SSL://$1:$2,CONTROLLER://$controller_host:$3
advertised.listeners=SASL_SSL://$4:$2
listener.security.protocol.map=SASL_SSL:SASL_SSL,CONTROLLER:PLAINTEXT
inter.broker.listener.name=SASL_SSL
sasl.enabled.mechanisms=SCRAM-SHA-512
sasl.mechanism.inter.broker.protocol=SCRAM-SHA-512
listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username="admin" password="$admin";
ssl.keystore.type=PKCS12
ssl.keystore.location=$KAFKA_SECRETS_DIR/broker.p12
ssl.keystore.password=$(cat "$KAFKA_SECRETS_DIR/broker.password")
ssl.truststore.type=PEM
ssl.truststore.location=$KAFKA_SECRETS_DIR/ca.crt
authorizer.class.name=org.apache.kafka.metadata.authorizer.StandardAuthorizer
super.users=User:admin;User:ANONYMOUS
allow.everyone.if.no.acl.found=false
auto.create.topics.enable=false
PROPS
  else
    cat <<PROPS
listeners=PLAINTEXT://$1:$2,CONTROLLER://$controller_host:$3
advertised.listeners=PLAINTEXT://$4:$2
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
auto.create.topics.enable=true
PROPS
  fi
}

# The storage format's --add-scram arguments, one pair a principal of KAFKA_SECRETS_DIR/principals.env (none without it).
kafka_scram_args() {
  [ -n "${KAFKA_SECRETS_DIR:-}" ] || return 0
  while IFS='=' read -r name password; do
    [ -n "$name" ] && printf '%s\n%s\n' --add-scram "SCRAM-SHA-512=[name=$name,password=$password]"
  done <"$KAFKA_SECRETS_DIR/principals.env"
}
