# Sourced by deploy/local/nic-local.sh and deploy/images/run-containers.sh: the OpenID Connect provider people log in to
# the dashboard with. Keycloak's distribution (fetched from Maven Central by nic-local.sh fetch) runs as a process on
# loopback, on the newest Java 21+ under /usr/lib/jvm (Keycloak needs it; Java 17 stays the default), `start-dev` with
# its dev-file database under the state folder, importing deploy/keycloak/nic-realm.json. The client secret and the demo
# users' passwords are generated at the first start into <state>/secrets.env (owner-only), never committed.
#   keycloak_start STATE_DIR HTTP_PORT MANAGEMENT_PORT DASHBOARD_URL
#   keycloak_stop STATE_DIR
#   keycloak_secret STATE_DIR NAME          (e.g. NIC_OIDC_OPERATOR_PASSWORD)
# Needs: $repo, log().

keycloak_java_home() {
  if [ -n "${NIC_KEYCLOAK_JAVA_HOME:-}" ]; then echo "$NIC_KEYCLOAK_JAVA_HOME"; return 0; fi
  local best="" best_version=0 jdk v
  for jdk in /usr/lib/jvm/*/; do
    [ -x "$jdk/bin/java" ] && [ -f "$jdk/release" ] || continue
    v=$(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$jdk/release")
    if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_version" ]; then best=${jdk%/}; best_version=$v; fi
  done
  [ -n "$best" ] || { echo "Keycloak needs Java 21 or newer: none under /usr/lib/jvm (set NIC_KEYCLOAK_JAVA_HOME)" >&2; return 1; }
  echo "$best"
}

keycloak_secret() { sed -n "s/^$2=//p" "$1/secrets.env" 2>/dev/null; }

keycloak_start() {
  local state=$1 port=$2 management=$3 dashboard=$4
  local dist server=$1/server
  dist=$(ls -d "${NIC_LOCAL_DIR:-$repo/.local}"/lib/keycloak-*/ 2>/dev/null | head -1)
  [ -n "$dist" ] || { echo "no Keycloak distribution under ${NIC_LOCAL_DIR:-$repo/.local}/lib: run deploy/local/nic-local.sh fetch" >&2; return 1; }
  if curl -sf -o /dev/null -m 2 "http://127.0.0.1:$port/realms/nic/.well-known/openid-configuration"; then
    log "Keycloak already answering on $port"; return 0
  fi
  mkdir -p "$state"
  if [ ! -f "$state/secrets.env" ]; then
    # New secrets, so a new database: the realm is imported only when it does not exist yet.
    rm -rf "$server"
    ( umask 077
      for name in NIC_OIDC_CLIENT_SECRET NIC_OIDC_OTHER_SECRET NIC_OIDC_VIEWER_PASSWORD NIC_OIDC_OPERATOR_PASSWORD NIC_OIDC_GUEST_PASSWORD; do
        echo "$name=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')"
      done >"$state/secrets.env" )
  fi
  if [ ! -x "$server/bin/kc.sh" ]; then
    cp -r "$dist" "$server"
    mkdir -p "$server/data/import"
    cp "$repo/deploy/keycloak/nic-realm.json" "$server/data/import/nic-realm.json"
  fi
  local java_home; java_home=$(keycloak_java_home) || return 1
  ( set -a; . "$state/secrets.env"; set +a
    NIC_DASHBOARD_URL=$dashboard JAVA_HOME=$java_home nohup bash "$server/bin/kc.sh" start-dev --http-host=127.0.0.1 \
      --http-port="$port" --http-management-port="$management" --import-realm >"$state/keycloak.log" 2>&1 &
    echo $! >"$state/pid" )
  for _ in $(seq 1 900); do
    curl -sf -o /dev/null -m 2 "http://127.0.0.1:$port/realms/nic/.well-known/openid-configuration" \
      && { log "Keycloak ready on http://127.0.0.1:$port (realm nic; log $state/keycloak.log)"; return 0; }
    kill -0 "$(cat "$state/pid")" 2>/dev/null || { tail -30 "$state/keycloak.log" >&2; return 1; }
    sleep 0.2
  done
  log "Keycloak did not answer within 180 s"; tail -30 "$state/keycloak.log" >&2; return 1
}

keycloak_stop() {
  local pidfile=$1/pid
  if [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2>/dev/null; then
    kill "$(cat "$pidfile")"
    for _ in $(seq 1 100); do kill -0 "$(cat "$pidfile")" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$(cat "$pidfile")" 2>/dev/null || true
    log "Keycloak stopped"
  fi
  rm -f "$pidfile"
}
