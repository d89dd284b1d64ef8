#!/usr/bin/env bash
# Real git servers on loopback, all serving the bare repositories in
# $GITWARD_TEST_RUN/git/repos:
#   * git daemon                      git://127.0.0.1:PORT/<repo>.git   (push enabled)
#   * git http-backend behind nginx   https://127.0.0.1:PORT/git/<repo>.git  (fcgiwrap,
#     TLS from the test CA, basic auth); https://127.0.0.1:PORT/bearer/<repo>.git (a
#     bearer token instead); https://127.0.0.1:MTLS_PORT/git/<repo>.git (a client
#     certificate from the test CA instead)
#   * sshd                            ssh://USER@127.0.0.1:PORT/<abs path>/<repo>.git
#     (generated host key; generated client key in authorized_keys)
#
#   scripts/test-git-servers.sh up|down|env|status
#
# `up` creates test.git (one commit on main: README.md) and prints the env
# (URLs, credentials, key paths); `env` prints it again.
set -euo pipefail
export GITWARD_SERVICE=git-servers
# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/nginx.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/nginx.sh"

SVC_DIR="$GITWARD_RUN/git"
LOCK="$GITWARD_RUN/.git.lock"
HTTP_USER=gitward

make_repos() {
  local repos="$SVC_DIR/repos" work="$SVC_DIR/work"
  mkdir -p "$repos"
  git init -q --bare -b main "$repos/test.git"
  git -C "$repos/test.git" config http.receivepack true
  git init -q -b main "$work"
  printf '# gitward test repository\n' >"$work/README.md"
  mkdir -p "$work/manifests"
  cat >"$work/manifests/configmap.yaml" <<YAML
apiVersion: v1
kind: ConfigMap
metadata:
  name: gitward-smoke
data:
  hello: world
YAML
  git -C "$work" add -A
  git -C "$work" -c user.name=gitward-test -c user.email=test@gitward.invalid \
    commit -q -m "initial commit"
  git -C "$work" push -q "$repos/test.git" main || die "cannot create test.git"
  git -C "$repos/test.git" rev-parse main >"$SVC_DIR/head"
  rm -rf "$work"
}

start_daemon() {
  local port
  port="$(free_port)"
  start_bg git-daemon "$SVC_DIR/git-daemon.log" git daemon \
    --listen=127.0.0.1 --port="$port" --reuseaddr \
    --base-path="$SVC_DIR/repos" --export-all --enable=receive-pack --informative-errors || return 1
  wait_port "$port" 10 "git daemon" || return 1
  echo "GITWARD_GIT_DAEMON_URL=git://127.0.0.1:$port/test.git" >>"$SVC_DIR/env.new"
}

start_https() {
  need_cmd fcgiwrap
  [[ -x /usr/lib/git-core/git-http-backend ]] || die "git http-backend not found"
  local port mport password token
  port="$(free_port)"
  mport="$(free_port)"
  [[ $mport != "$port" ]] || mport="$(free_port)"
  password="$(random_secret)"
  token="$(random_secret)"
  server_cert "$SVC_DIR/tls" server || die "cannot issue the server certificate"
  client_cert "$SVC_DIR/tls" client || die "cannot issue the client certificate"
  htpasswd_bcrypt "$SVC_DIR/htpasswd" "$HTTP_USER" "$password"
  start_bg fcgiwrap "$SVC_DIR/fcgiwrap.log" "$(command -v fcgiwrap)" -c 4 -s "unix:$SVC_DIR/fcgiwrap.sock" || return 1

  for _ in $(seq 1 50); do [[ -S "$SVC_DIR/fcgiwrap.sock" ]] && break; sleep 0.1; done
  [[ -S "$SVC_DIR/fcgiwrap.sock" ]] || die "fcgiwrap did not create its socket"
  {
    nginx_conf_head
    cat <<CONF
  server {
    listen 127.0.0.1:$port ssl;
    ssl_certificate $SVC_DIR/tls/server.crt;
    ssl_certificate_key $SVC_DIR/tls/server.key;
    client_max_body_size 0;
    location ~ ^/git(/.*)\$ {
      auth_basic "gitward test git";
      auth_basic_user_file $SVC_DIR/htpasswd;
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $SVC_DIR/repos;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$1;
      fastcgi_param REMOTE_USER \$remote_user;
      fastcgi_pass unix:$SVC_DIR/fcgiwrap.sock;
    }
    location ~ ^/bearer(/.*)\$ {
      if (\$http_authorization != "Bearer $token") { return 401; }
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $SVC_DIR/repos;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$1;
      fastcgi_param REMOTE_USER $HTTP_USER;
      fastcgi_pass unix:$SVC_DIR/fcgiwrap.sock;
    }
  }
  server {
    listen 127.0.0.1:$mport ssl;
    ssl_certificate $SVC_DIR/tls/server.crt;
    ssl_certificate_key $SVC_DIR/tls/server.key;
    ssl_client_certificate $GITWARD_RUN/ca/ca.crt;
    ssl_verify_client on;
    client_max_body_size 0;
    location ~ ^/git(/.*)\$ {
      include /etc/nginx/fastcgi_params;
      fastcgi_param SCRIPT_FILENAME /usr/lib/git-core/git-http-backend;
      fastcgi_param GIT_PROJECT_ROOT $SVC_DIR/repos;
      fastcgi_param GIT_HTTP_EXPORT_ALL "";
      fastcgi_param PATH_INFO \$1;
      fastcgi_param REMOTE_USER $HTTP_USER;
      fastcgi_pass unix:$SVC_DIR/fcgiwrap.sock;
    }
  }
}
CONF
  } >"$SVC_DIR/nginx.conf"
  start_nginx "$SVC_DIR/nginx.conf" || return 1
  wait_port "$port" 10 nginx || return 1
  wait_port "$mport" 10 nginx || return 1
  cat >>"$SVC_DIR/env.new" <<ENV
GITWARD_GIT_HTTPS_URL=https://127.0.0.1:$port/git/test.git
GITWARD_GIT_HTTPS_USER=$HTTP_USER
GITWARD_GIT_HTTPS_PASSWORD=$password
GITWARD_GIT_HTTPS_BEARER_URL=https://127.0.0.1:$port/bearer/test.git
GITWARD_GIT_HTTPS_TOKEN=$token
GITWARD_GIT_MTLS_URL=https://127.0.0.1:$mport/git/test.git
GITWARD_GIT_CLIENT_CERT=$SVC_DIR/tls/client.crt
GITWARD_GIT_CLIENT_KEY=$SVC_DIR/tls/client.key
ENV
}

start_sshd() {
  local sshd=/usr/sbin/sshd port user ssh="$SVC_DIR/ssh"
  [[ -x $sshd ]] || die "sshd not found; run scripts/install-test-deps.sh"
  need_cmd ssh-keygen
  port="$(free_port)"
  user="$(id -un)"
  mkdir -p "$ssh"
  chmod 700 "$ssh"
  ssh-keygen -q -t ed25519 -N '' -C gitward-test-host -f "$ssh/host_ed25519_key"
  # A second, unrelated host key: what a test writes into known_hosts to see an unknown host refused.
  ssh-keygen -q -t ed25519 -N '' -C gitward-test-decoy -f "$ssh/decoy_ed25519_key"
  # Client key in PEM format, which every libssh2 backend reads.
  ssh-keygen -q -t ecdsa -b 256 -m PEM -N '' -C gitward-test-client -f "$ssh/client_key"
  # A second client key: ed25519 in OpenSSH's own format, protected by a passphrase.
  local passphrase
  passphrase="$(random_secret)"
  ssh-keygen -q -t ed25519 -N "$passphrase" -C gitward-test-client-encrypted -f "$ssh/client_key_encrypted"
  printf '%s\n' "$passphrase" >"$ssh/client_key_encrypted.passphrase"
  # The key may run git's transport commands only (git-shell), nothing else.
  local git_shell
  git_shell="$(command -v git-shell || echo /usr/bin/git-shell)"
  printf 'restrict,command="%s -c \\"$SSH_ORIGINAL_COMMAND\\"" %s\n' \
    "$git_shell" "$(cat "$ssh/client_key.pub")" >"$ssh/authorized_keys"
  printf 'restrict,command="%s -c \\"$SSH_ORIGINAL_COMMAND\\"" %s\n' \
    "$git_shell" "$(cat "$ssh/client_key_encrypted.pub")" >>"$ssh/authorized_keys"
  echo "[127.0.0.1]:$port $(cut -d' ' -f1,2 "$ssh/host_ed25519_key.pub")" >"$ssh/known_hosts"
  # The privilege-separation directory sshd insists on.
  [[ $(id -u) -eq 0 ]] && mkdir -p /run/sshd && chmod 755 /run/sshd
  cat >"$ssh/sshd_config" <<CONF
Port $port
ListenAddress 127.0.0.1
HostKey $ssh/host_ed25519_key
PidFile $ssh/sshd.pid
AuthorizedKeysFile $ssh/authorized_keys
AllowUsers $user
PubkeyAuthentication yes
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
StrictModes no
UsePAM no
UseDNS no
PrintMotd no
X11Forwarding no
AllowTcpForwarding no
LogLevel VERBOSE
# sshd runs the forced command through the user's shell; bash, seeing SSH_CLIENT at shell
# level 1, sources the account's ~/.bashrc first (300 ms for a pyenv set-up on the project
# machine). A git server's session has no business with it: at SHLVL 1 bash starts at
# level 2 and skips it.
SetEnv SHLVL=1
CONF
  "$sshd" -t -f "$ssh/sshd_config" || die "invalid sshd config"
  start_bg sshd "$SVC_DIR/sshd.log" "$sshd" -D -e -f "$ssh/sshd_config" || return 1
  wait_port "$port" 10 sshd || return 1
  cat >>"$SVC_DIR/env.new" <<ENV
GITWARD_GIT_SSH_URL=ssh://$user@127.0.0.1:$port$SVC_DIR/repos/test.git
GITWARD_GIT_SSH_USER=$user
GITWARD_GIT_SSH_PORT=$port
GITWARD_GIT_SSH_KEY=$ssh/client_key
GITWARD_GIT_SSH_PUBKEY=$ssh/client_key.pub
GITWARD_GIT_SSH_KEY_ENCRYPTED=$ssh/client_key_encrypted
GITWARD_GIT_SSH_KEY_PASSPHRASE=$passphrase
GITWARD_GIT_SSH_KNOWN_HOSTS=$ssh/known_hosts
GITWARD_GIT_SSH_HOST_PUBKEY=$ssh/host_ed25519_key.pub
GITWARD_GIT_SSH_DECOY_PUBKEY=$ssh/decoy_ed25519_key.pub
ENV
}

is_up() {
  [[ -s "$SVC_DIR/env" ]] && all_recorded_alive
}

do_down() {
  stop_recorded
  rm -rf "$SVC_DIR"
}

cmd_up() {
  need_cmd git openssl ss setsid flock
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
      make_repos
      : >"$SVC_DIR/env.new"
      if start_daemon && start_https && start_sshd; then
        {
          echo "GITWARD_GIT_REPOS=$SVC_DIR/repos"
          echo "GITWARD_GIT_HEAD=$(cat "$SVC_DIR/head")"
          cat "$SVC_DIR/env.new"
        } >"$SVC_DIR/env"
        rm -f "$SVC_DIR/env.new"
        ok=1
        break
      fi
      log "start attempt $attempt failed; retrying on other ports"
      do_down
    done
    [[ $ok == 1 ]] || die "could not start the git servers"
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
    [[ -s "$SVC_DIR/env" ]] || die "git servers are not up (run: $0 up)"
    cat "$SVC_DIR/env"
    ;;
  status) is_up ;;
  *)
    echo "usage: $0 up|down|env|status" >&2
    exit 2
    ;;
esac
