#!/usr/bin/env bash
# OCI registries on loopback (Debian's docker-registry, i.e. CNCF distribution):
#   * plain:  http://127.0.0.1:PORT            no auth
#   * secure: https://127.0.0.1:PORT           TLS from the test CA + htpasswd basic auth
#   * token:  https://127.0.0.1:PORT           TLS + bearer tokens (the Docker token flow)
#             from scripts/lib/registry-token-server.py, which takes the same
#             user/password as basic auth
#
#   scripts/test-registry.sh up|down|env|status
set -euo pipefail
export GITWARD_SERVICE=registry
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/nginx.sh"

SVC_DIR="$GITWARD_RUN/registry"
LOCK="$GITWARD_RUN/.registry.lock"
REG_USER=gitward

registry_bin() {
  local b
  b="$(command -v docker-registry 2>/dev/null || true)"
  [[ -n "$b" ]] || die "docker-registry not found; run scripts/install-test-deps.sh"
  echo "$b"
}

# start_registry NAME PORT EXTRA_YAML
start_registry() {
  local name="$1" port="$2" extra="$3" dir="$SVC_DIR/$1"
  mkdir -p "$dir/data"
  cat >"$dir/config.yml" <<YAML
version: 0.1
log:
  level: warn
  accesslog:
    disabled: true
storage:
  filesystem:
    rootdirectory: $dir/data
  delete:
    enabled: true
  maintenance:
    uploadpurging:
      enabled: false
http:
  addr: 127.0.0.1:$port
  secret: $(random_secret)
$extra
YAML
  start_bg "registry-$name" "$dir/registry.log" "$(registry_bin)" serve "$dir/config.yml" || return 1
  wait_port "$port" 15 "registry $name"
}

is_up() {
  [[ -s "$SVC_DIR/env" ]] && all_recorded_alive
}

do_down() {
  stop_recorded
  rm -rf "$SVC_DIR"
}

python_bin() {
  if [[ -x /usr/bin/python3 ]]; then echo /usr/bin/python3; else command -v python3 || die "python3 not found"; fi
}

# The token-auth registry's token server (scripts/lib/registry-token-server.py).
start_token_server() {
  local port="$1" password="$2" tok="$SVC_DIR/token"
  mkdir -p "$tok"
  # The key that signs tokens, and a self-signed certificate for it (no EKU, so
  # Go's verifier accepts it for any use) that the registry trusts.
  openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 -subj "/CN=gitward-test-token-signer" \
    -keyout "$tok/signer.key" -out "$tok/signer.crt" 2>/dev/null || return 1
  TOKEN_SERVER_USER="$REG_USER" TOKEN_SERVER_PASSWORD="$password" \
    start_bg token-server "$tok/token-server.log" "$(python_bin)" \
    "$(dirname "${BASH_SOURCE[0]}")/lib/registry-token-server.py" \
    --port "$port" --tls-cert "$SVC_DIR/tls/server.crt" --tls-key "$SVC_DIR/tls/server.key" \
    --signing-cert "$tok/signer.crt" --signing-key "$tok/signer.key" \
    --issuer gitward-test-token-issuer --service gitward-test-registry || return 1
  wait_port "$port" 15 "token server"
}

start_all() {
  local plain_port secure_port token_port token_server_port password
  plain_port="$(free_port)"
  secure_port="$(free_port)"
  token_port="$(free_port)"
  token_server_port="$(free_port)"
  password="$(random_secret)"
  start_registry plain "$plain_port" "" || return 1
  server_cert "$SVC_DIR/tls" server || die "cannot issue the server certificate"
  htpasswd_bcrypt "$SVC_DIR/htpasswd" "$REG_USER" "$password"
  local tls="  tls:
    certificate: $SVC_DIR/tls/server.crt
    key: $SVC_DIR/tls/server.key"
  start_registry secure "$secure_port" "$tls
auth:
  htpasswd:
    realm: gitward-test-registry
    path: $SVC_DIR/htpasswd" || return 1
  start_token_server "$token_server_port" "$password" || return 1
  start_registry token "$token_port" "$tls
auth:
  token:
    realm: https://127.0.0.1:$token_server_port/token
    service: gitward-test-registry
    issuer: gitward-test-token-issuer
    rootcertbundle: $SVC_DIR/token/signer.crt" || return 1
  # Ready = the API root answers (401 for the secure one is the expected answer).
  local code
  for _ in $(seq 1 100); do
    code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 1 "http://127.0.0.1:$plain_port/v2/" || true)"
    [[ $code == 200 ]] && break
    sleep 0.1
  done
  [[ $code == 200 ]] || { log "plain registry not ready ($code)"; return 1; }
  local ca="$GITWARD_RUN/ca/ca.crt"
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$ca" \
    -u "$REG_USER:$password" "https://127.0.0.1:$secure_port/v2/" || true)"
  [[ $code == 200 ]] || { log "secure registry not ready ($code)"; return 1; }
  # The token registry: a token from the token server opens /v2/.
  local token
  token="$(curl -fsS --max-time 5 --cacert "$ca" -u "$REG_USER:$password" \
    "https://127.0.0.1:$token_server_port/token?service=gitward-test-registry" |
    sed -n 's/.*"token": *"\([^"]*\)".*/\1/p')" || true
  code="$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 --cacert "$ca" \
    -H "Authorization: Bearer $token" "https://127.0.0.1:$token_port/v2/" || true)"
  [[ $code == 200 ]] || { log "token registry not ready ($code)"; return 1; }
  cat >"$SVC_DIR/env" <<ENV
GITWARD_REGISTRY_PLAIN=127.0.0.1:$plain_port
GITWARD_REGISTRY_PLAIN_URL=http://127.0.0.1:$plain_port
GITWARD_REGISTRY_SECURE=127.0.0.1:$secure_port
GITWARD_REGISTRY_SECURE_URL=https://127.0.0.1:$secure_port
GITWARD_REGISTRY_TOKEN=127.0.0.1:$token_port
GITWARD_REGISTRY_TOKEN_URL=https://127.0.0.1:$token_port
GITWARD_REGISTRY_TOKEN_REALM=https://127.0.0.1:$token_server_port/token
GITWARD_REGISTRY_USER=$REG_USER
GITWARD_REGISTRY_PASSWORD=$password
ENV
}

cmd_up() {
  need_cmd openssl curl ss setsid flock
  mkdir -p "$GITWARD_RUN"
  exec 7>"$LOCK"
  flock 7
  if is_up; then
    log "already up"
  else
    if [[ -e "$SVC_DIR" ]]; then
      log "removing stale state in $SVC_DIR (its logs: $GITWARD_LOGS)"
      save_logs
    fi
    do_down
    local attempt ok=0
    for attempt in 1 2 3; do
      mkdir -p "$SVC_DIR"
      if start_all; then
        ok=1
        break
      fi
      log "start attempt $attempt failed; retrying on other ports"
      do_down
    done
    [[ $ok == 1 ]] || die "could not start the registries"
  fi
  write_env
  cat "$SVC_DIR/env"
}

cmd_down() {
  mkdir -p "$GITWARD_RUN"
  exec 7>"$LOCK"
  flock 7
  save_logs
  do_down
  write_env
  cleanup_run_dir
  log "down"
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  env)
    [[ -s "$SVC_DIR/env" ]] || die "registries are not up (run: $0 up)"
    cat "$SVC_DIR/env"
    ;;
  status) is_up ;;
  *)
    echo "usage: $0 up|down|env|status" >&2
    exit 2
    ;;
esac
