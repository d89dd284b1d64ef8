# shellcheck shell=bash
# Helpers to run a private nginx instance (Debian's nginx) under $SVC_DIR.

# nginx_conf_head: the part of nginx.conf before the server blocks.
nginx_conf_head() {
  mkdir -p "$SVC_DIR/nginx-tmp"
  local user_line=""
  [[ $(id -u) -eq 0 ]] && user_line="user root;"
  cat <<CONF
$user_line
worker_processes 1;
daemon off;
master_process on;
pid $SVC_DIR/nginx.pid;
error_log $SVC_DIR/nginx-error.log warn;
events { worker_connections 256; }
http {
  include /etc/nginx/mime.types;
  default_type application/octet-stream;
  access_log $SVC_DIR/nginx-access.log;
  client_body_temp_path $SVC_DIR/nginx-tmp/body;
  proxy_temp_path $SVC_DIR/nginx-tmp/proxy;
  fastcgi_temp_path $SVC_DIR/nginx-tmp/fastcgi;
  uwsgi_temp_path $SVC_DIR/nginx-tmp/uwsgi;
  scgi_temp_path $SVC_DIR/nginx-tmp/scgi;
  server_tokens off;
CONF
}

nginx_bin() {
  local b
  b="$(command -v nginx 2>/dev/null || true)"
  [[ -n "$b" ]] || b=/usr/sbin/nginx
  [[ -x "$b" ]] || die "nginx not found; run scripts/install-test-deps.sh"
  echo "$b"
}

# start_nginx CONF: validate and start nginx with CONF, prefix $SVC_DIR.
start_nginx() {
  local conf="$1" bin
  bin="$(nginx_bin)"
  "$bin" -t -q -e "$SVC_DIR/nginx-error.log" -p "$SVC_DIR" -c "$conf" ||
    die "invalid nginx config $conf: $(tail -n 5 "$SVC_DIR/nginx-error.log")"
  start_bg nginx "$SVC_DIR/nginx.log" "$bin" -e "$SVC_DIR/nginx-error.log" -p "$SVC_DIR" -c "$conf" || return 1
}

# htpasswd_bcrypt FILE USER PASSWORD: (bcrypt works for nginx and docker-registry alike)
htpasswd_bcrypt() {
  need_cmd htpasswd
  htpasswd -B -b -c "$1" "$2" "$3" 2>/dev/null
}
