#!/usr/bin/env bash
# Runs NIC from its images as containers and the README demo's slide through them to slide-predicted
# (docs/operations.md#images): Kafka, S3Proxy, tiler, encoder, predictor, trainer and dashboard, each from
# the OCI layout deploy/images/build.sh wrote, unpacked by umoci and started by runc (the OCI reference
# runtime; no container engine or registry needed). Each container runs as the image's user (185), with a
# read-only root filesystem and a tmpfs /tmp, as deploy/k8s runs them; they share the host's network (like
# `--network host`) on ports offset by NIC_CONTAINERS_PORT_OFFSET (10000), so they can run beside the local
# stack. Kafka's and S3's data live in $work/data; the slide's folder is mounted read-only.
#
#   sudo deploy/images/run-containers.sh [slide-file]        (after deploy/images/build.sh)
#   sudo deploy/images/run-containers.sh stop
#
# The containers stay up after the demo (dashboard: http://127.0.0.1:18085); `stop` removes them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
oci=${NIC_IMAGES_DIR:-$repo/target/images}/oci
tag=${NIC_IMAGE_TAG:-0.1.0}
work=${NIC_CONTAINERS_DIR:-$repo/.local/containers}
offset=${NIC_CONTAINERS_PORT_OFFSET:-10000}
runc=(runc --root "$work/runc")
start=$(date +%s)
log() { printf '[nic-containers] %s (%s s)\n' "$*" "$(( $(date +%s) - start ))" >&2; }
names=(kafka s3proxy tiler-service encoder-service predictor-service trainer-service dashboard-service)

stop_all() {
  for n in "${names[@]}"; do
    if "${runc[@]}" state "nic-$n" >/dev/null 2>&1; then
      "${runc[@]}" kill "nic-$n" TERM 2>/dev/null || true
      for _ in $(seq 1 50); do
        [ "$("${runc[@]}" state "nic-$n" 2>/dev/null | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["status"])')" = stopped ] && break
        sleep 0.2
      done
      "${runc[@]}" delete --force "nic-$n" 2>/dev/null || true
      log "nic-$n removed"
    fi
  done
}

. "$repo/deploy/local/keycloak.sh"
. "$repo/deploy/local/kafka-access.sh"

if [ "${1:-}" = stop ]; then stop_all; keycloak_stop "$work/keycloak"; exit 0; fi
[ "$(id -u)" = 0 ] || { echo "run as root (runc, and umoci unpacking the images' file owners)" >&2; exit 2; }
command -v runc >/dev/null && command -v umoci >/dev/null \
  || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq runc umoci >/dev/null; }
[ -d "$oci" ] || { echo "no images at $oci: run deploy/images/build.sh first" >&2; exit 2; }
slide=${1:-$repo/../shared/data/slides/CMU-1-Small-Region.svs}
slide=$(cd "$(dirname "$slide")" && pwd)/$(basename "$slide")
crops=$repo/.local/demo-slides
mkdir -p "$crops"

stop_all
# A broker formatted before it had logins is started afresh (its data is the demo's own).
[ -f "$work/data/kafka/meta.properties" ] && [ ! -f "$work/data/kafka-secured" ] && rm -rf "$work/data/kafka"
rm -rf "$work/bundles" && mkdir -p "$work/bundles" "$work/logs" "$work/data/kafka" "$work/data/s3"
touch "$work/data/kafka-secured"
chown -R 185:185 "$work/data"

kafka_port=$((9092 + offset)); s3_port=$((9000 + offset))
# The broker's TLS material and its principals' passwords, made on the first run (never committed): the broker's
# container mounts them read-only; each service's gets only the CA certificate and its own login.
kafka_secrets_dir=$work/kafka-secrets
kafka_secrets "$kafka_secrets_dir"
mkdir -p "$work/kafka-ca" && cp "$kafka_secrets_dir/ca.crt" "$work/kafka-ca/ca.crt"
chown -R 185:185 "$kafka_secrets_dir" "$work/kafka-ca"
export KAFKA_BOOTSTRAP_SERVERS=127.0.0.1:$kafka_port NIC_STORAGE_ENDPOINT=http://127.0.0.1:$s3_port
export NIC_STORAGE_ACCESS_KEY=${NIC_STORAGE_ACCESS_KEY:-nic} NIC_STORAGE_SECRET_KEY=${NIC_STORAGE_SECRET_KEY:-nic-secret}
. "$repo/deploy/local/demo-steps.sh"
# The trainer's head-signing key pair, made on the first run (never committed): the trainer signs with the private file,
# the predictor and the dashboard trust the public one (docs/security.md). Mounted read-only, owned by the services' user.
mkdir -p "$work/keys"
[ -f "$work/keys/trainer.key" ] \
  || java -jar "$repo/nic-cli/target/nic-cli.jar" keys --private "$work/keys/trainer.key" --public "$work/keys/trainer.pub" >&2
chown -R 185:185 "$work/keys"
common_env=("KAFKA_BOOTSTRAP_SERVERS=$KAFKA_BOOTSTRAP_SERVERS" "NIC_STORAGE_ENDPOINT=$NIC_STORAGE_ENDPOINT"
  "NIC_STORAGE_ACCESS_KEY=$NIC_STORAGE_ACCESS_KEY" "NIC_STORAGE_SECRET_KEY=$NIC_STORAGE_SECRET_KEY"
  "NIC_SOURCES_ALLOWED_ROOTS=$(dirname "$slide"),$crops"
  "NIC_TRUST_HEAD_KEYS=/etc/nic/keys/trainer.pub" "NIC_TRAINER_SIGNING_KEY=/etc/nic/keys/trainer.key")

# container NAME PORT [KEY=VALUE env...] -- [HOST:CONTAINER[:rw] mounts...]
container() {
  local name=$1 port=$2 bundle=$work/bundles/$1
  shift 2
  local env=() mounts=()
  while [ $# -gt 0 ] && [ "$1" != -- ]; do env+=("$1"); shift; done
  [ $# -gt 0 ] && shift
  mounts=("$@")
  umoci unpack --image "$oci:$name-$tag" "$bundle" >/dev/null
  /usr/bin/python3 - "$bundle/config.json" "$name" "${#env[@]}" "${env[@]}" "${mounts[@]}" <<'PY'
import json, sys
path, name, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
env, mounts = sys.argv[4:4 + n], sys.argv[4 + n:]
c = json.load(open(path))
p = c["process"]
p["terminal"] = False
p["env"] += env
p.pop("rlimits", None)  # inherit the host's (this VM refuses runc setting them)
c["hostname"] = "nic-" + name
c["root"]["readonly"] = True  # as readOnlyRootFilesystem in deploy/k8s
c["linux"]["namespaces"] = [ns for ns in c["linux"]["namespaces"] if ns["type"] != "network"]
c["mounts"].append({"destination": "/tmp", "type": "tmpfs", "source": "tmpfs",
                    "options": ["nosuid", "nodev", "mode=1777", "size=2g"]})
for m in mounts:
    host, inside, *mode = m.split(":")
    c["mounts"].append({"destination": inside, "type": "bind", "source": host,
                        "options": ["rbind", "rw" if mode == ["rw"] else "ro"]})
json.dump(c, open(path, "w"), indent=1)
PY
  (cd "$bundle" && "${runc[@]}" run -d "nic-$name" >"$work/logs/$name.log" 2>&1) \
    || { tail -20 "$work/logs/$name.log" >&2; return 1; }
  log "nic-$name started (user $(/usr/bin/python3 -c 'import json,sys; u=json.load(open(sys.argv[1]))["process"]["user"]; print("%d:%d" % (u["uid"], u["gid"]))' "$bundle/config.json"), read-only root, port $port, log $work/logs/$name.log)"
}

listening() { # name port seconds
  for _ in $(seq 1 $(($3 * 5))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$2") 2>/dev/null && { log "$1 listening on $2"; return 0; }
    sleep 0.2
  done
  log "$1 not listening on $2 within $3 s"; tail -30 "$work/logs/$1.log" >&2; return 1
}

ready() { # name url seconds
  for _ in $(seq 1 $(($3 * 5))); do
    curl -sf -o /dev/null -m 2 "$2" && { log "$1 ready"; return 0; }
    sleep 0.2
  done
  log "$1 not ready within $3 s"; tail -30 "$work/logs/$1.log" >&2; return 1
}

container kafka "$kafka_port" "KAFKA_PORT=$kafka_port" "KAFKA_CONTROLLER_PORT=$((9093 + offset))" \
  KAFKA_DATA_DIR=/var/lib/kafka KAFKA_SECRETS_DIR=/etc/nic/kafka-secrets -- "$work/data/kafka:/var/lib/kafka:rw" \
  "$kafka_secrets_dir:/etc/nic/kafka-secrets"
container s3proxy "$s3_port" "S3_PORT=$s3_port" "S3_ACCESS_KEY=$NIC_STORAGE_ACCESS_KEY" \
  "S3_SECRET_KEY=$NIC_STORAGE_SECRET_KEY" S3_DATA_DIR=/var/lib/s3 -- "$work/data/s3:/var/lib/s3:rw"
listening kafka "$kafka_port" 90
listening s3proxy "$s3_port" 60
with_kafka_principal "$kafka_secrets_dir" admin java -jar "$repo/nic-cli/target/nic-cli.jar" kafka-setup \
  --users "$repo/deploy/k8s/base/users.yaml" --topics "$repo/deploy/k8s/base/topics.yaml" >&2

# People log in to the dashboard through Keycloak, run beside the containers as a process (it needs Java 21+, and
# no image is built for it here; deploy/local/keycloak.sh), its secrets generated on the first run.
"$repo/deploy/local/nic-local.sh" fetch
keycloak_start "$work/keycloak" $((8180 + offset)) $((9180 + offset)) "http://127.0.0.1:$((8085 + offset))"
oidc_env=("QUARKUS_OIDC_AUTH_SERVER_URL=http://127.0.0.1:$((8180 + offset))/realms/nic"
  "QUARKUS_OIDC_CREDENTIALS_SECRET=$(keycloak_secret "$work/keycloak" NIC_OIDC_CLIENT_SECRET)")

for s in tiler-service:8081 encoder-service:8082 predictor-service:8083 trainer-service:8084 dashboard-service:8085; do
  name=${s%%:*}; port=$((${s##*:} + offset)); opts=""; extra=()
  [ "$name" = trainer-service ] && opts=$demo_trainer_options
  [ "$name" = dashboard-service ] && extra=("${oidc_env[@]}")
  mapfile -t -O "${#extra[@]}" extra < <(kafka_client_env "$kafka_secrets_dir" "nic-${name%-service}" /etc/nic/kafka-ca/ca.crt)
  container "$name" "$port" "${common_env[@]}" "${extra[@]}" "QUARKUS_HTTP_PORT=$port" DJL_CACHE_DIR=/tmp/djl \
    "JAVA_OPTS_APPEND=$(echo $opts)" -- "$(dirname "$slide"):$(dirname "$slide")" "$crops:$crops" "$work/keys:/etc/nic/keys" \
    "$work/kafka-ca:/etc/nic/kafka-ca"
done
for s in tiler-service:8081 encoder-service:8082 predictor-service:8083 trainer-service:8084 dashboard-service:8085; do
  ready "${s%%:*}" "http://127.0.0.1:$((${s##*:} + offset))/q/health/ready" 240
done
log "all seven containers up: $("${runc[@]}" list -q | tr '\n' ' ')"

demo_slide "$slide" "$crops"
log "done; dashboard on http://127.0.0.1:$((8085 + offset)) (login: operator / $(keycloak_secret "$work/keycloak" NIC_OIDC_OPERATOR_PASSWORD)); remove the containers with: $0 stop"
