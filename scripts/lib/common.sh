# shellcheck shell=bash
# Shared helpers for the scripts/test-*.sh service scripts.
#
# Conventions:
#   * every service keeps all of its state under "$GITWARD_RUN/<service>";
#   * every process a script starts is recorded in "<service>/pids/NN-<name>"
#     as "PID STARTTIME" (STARTTIME = field 22 of /proc/PID/stat), so `down`
#     kills exactly those processes and never a recycled PID;
#   * every service binds 127.0.0.1 only, on ports picked at `up` time;
#   * every service writes "<service>/env" (KEY=VALUE lines) and the
#     concatenation of all of them is kept in "$GITWARD_RUN/env".

set -euo pipefail

GITWARD_RUN="${GITWARD_TEST_RUN:-/tmp/gitward-test-run}"
# Where `down` keeps the services' logs after removing their state.
GITWARD_LOGS="${GITWARD_TEST_LOGS:-$GITWARD_RUN.logs}"
GITWARD_CACHE="${GITWARD_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/gitward}"
# shellcheck disable=SC2034 # used by build-cluster-bins.sh
GITWARD_BIN_CACHE="$GITWARD_CACHE/bin"

log() { printf '[%s] %s\n' "${GITWARD_SERVICE:-test-infra}" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

need_cmd() {
  local c
  for c in "$@"; do
    command -v "$c" >/dev/null 2>&1 ||
      die "'$c' not found; run scripts/install-test-deps.sh first"
  done
}

# The start time of a process (clock ticks since boot), or nothing if it is
# gone or (with any second argument but "any") a zombie.
proc_starttime() {
  local stat
  stat="$(cat "/proc/$1/stat" 2>/dev/null)" || return 0
  # Strip "pid (comm) " — comm may contain spaces; then field 1 is the state
  # and field 20 the start time (fields 3 and 22 of the whole line).
  stat="${stat##*) }"
  local mode="${2:-live}"
  # shellcheck disable=SC2086
  set -- $stat
  [[ $mode != any && ("$1" == Z || "$1" == X) ]] && return 0
  printf '%s' "${20}"
}

# Is the process recorded in pid file $1 still the one we started?
pidfile_alive() {
  local f="$1" pid st
  [[ -f "$f" ]] || return 1
  read -r pid st <"$f" || return 1
  [[ -n "$pid" && -n "$st" ]] || return 1
  [[ "$(proc_starttime "$pid")" == "$st" ]]
}

# The pid file of the process started as NAME.
pidfile_of() {
  local f
  for f in "$SVC_DIR/pids/"*"-$1"; do
    [[ -e "$f" ]] && { echo "$f"; return 0; }
  done
  echo "$SVC_DIR/pids/none-$1"
}

# start_bg NAME LOGFILE CMD...: start CMD in a new session (so it has a process
# group of its own), record "PID STARTTIME" in $SVC_DIR/pids/NN-NAME. Returns 1
# if CMD exits at once (e.g. its port was taken).
start_bg() {
  local name="$1" logf="$2"
  shift 2
  mkdir -p "$SVC_DIR/pids"
  local n
  n="$(find "$SVC_DIR/pids" -maxdepth 1 -type f | wc -l)"
  # Close the scripts' lock descriptors (7-9): a server must not inherit and hold a lock.
  setsid "$@" </dev/null >>"$logf" 2>&1 7>&- 8>&- 9>&- &
  local pid=$!
  local st=""
  for _ in 1 2 3 4 5 6 7 8 9 10; do
    st="$(proc_starttime "$pid")"
    [[ -n "$st" ]] && break
    sleep 0.05
  done
  if [[ -z "$st" ]]; then
    log "$name exited immediately; see $logf: $(tail -n 20 "$logf" 2>/dev/null)"
    return 1
  fi
  echo "$pid $st" >"$SVC_DIR/pids/$(printf '%02d' $((n + 1)))-$name"
  log "started $name (pid $pid)"
}

# stop_one PIDFILE: TERM the process group we created, wait up to 15 s, then KILL.
stop_one() {
  local f="$1" pid st was_ours=0
  read -r pid st <"$f" || { rm -f "$f"; return 0; }
  if pidfile_alive "$f"; then
    was_ours=1
    log "stopping ${f##*/[0-9][0-9]-} (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 150); do
      pidfile_alive "$f" || break
      sleep 0.1
    done
    if pidfile_alive "$f"; then
      log "killing ${f##*/[0-9][0-9]-} (pid $pid)"
      kill -KILL -- "-$pid" 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
      for _ in $(seq 1 50); do
        pidfile_alive "$f" || break
        sleep 0.1
      done
    fi
  fi
  # What is left of the session we created (nginx workers, git daemon's
  # per-connection children...) goes too: when the leader was ours until now,
  # or is gone (or our zombie) so that no one else can own that session id yet.
  local raw
  raw="$(proc_starttime "$pid" any)"
  if [[ $was_ours == 1 || -z "$raw" || "$raw" == "$st" ]] && pgrep -s "$pid" >/dev/null 2>&1; then
    pkill -KILL -s "$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}

# Stop exactly the processes recorded under $SVC_DIR/pids, the last started first.
stop_recorded() {
  local dir="$SVC_DIR/pids" f
  [[ -d "$dir" ]] || return 0
  while read -r f; do
    [[ -n "$f" ]] && stop_one "$f"
  done < <(find "$dir" -maxdepth 1 -type f | sort -r)
}

# Are all processes recorded for this service still running?
all_recorded_alive() {
  local f n=0
  [[ -d "$SVC_DIR/pids" ]] || return 1
  for f in "$SVC_DIR/pids"/*; do
    [[ -e "$f" ]] || continue
    pidfile_alive "$f" || return 1
    n=$((n + 1))
  done
  [[ $n -gt 0 ]]
}

port_in_use() {
  ss -Hltn "sport = :$1" 2>/dev/null | grep -q . && return 0
  # Also refuse ports someone is connected from/to (TIME_WAIT etc. are fine for SO_REUSEADDR users,
  # but not every server sets it).
  ss -Htan "sport = :$1" 2>/dev/null | grep -q . && return 0
  return 1
}

# free_port: print a free TCP port on 127.0.0.1 from 20000-32000 (below the
# kernel's ephemeral range, so outgoing connections never take it), not already
# handed out during this run.
free_port() {
  local p
  mkdir -p "$GITWARD_RUN"
  touch "$GITWARD_RUN/ports.taken"
  for _ in $(seq 1 200); do
    p=$((20000 + (RANDOM * 32768 + RANDOM) % 12000))
    port_in_use "$p" && continue
    grep -qx "$p" "$GITWARD_RUN/ports.taken" && continue
    echo "$p" >>"$GITWARD_RUN/ports.taken"
    echo "$p"
    return 0
  done
  die "no free port found"
}

# wait_port PORT SECONDS NAME: wait until something listens on 127.0.0.1:PORT
# (returns 1 if nothing does, so that the caller can retry on another port).
wait_port() {
  local port="$1" secs="$2" name="$3"
  for _ in $(seq 1 $((secs * 10))); do
    if ss -Hltn "sport = :$port" 2>/dev/null | grep -q .; then return 0; fi
    sleep 0.1
  done
  log "$name did not listen on 127.0.0.1:$port within ${secs}s"
  return 1
}

# The test CA shared by every TLS service (not the cluster, which has its own).
ensure_ca() {
  local ca="$GITWARD_RUN/ca"
  mkdir -p "$ca"
  (
    flock 9
    if [[ ! -s "$ca/ca.crt" || ! -s "$ca/ca.key" ]]; then
      openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 30 \
        -subj "/CN=gitward-test-ca" \
        -addext "basicConstraints=critical,CA:TRUE" \
        -addext "keyUsage=critical,keyCertSign,cRLSign" \
        -keyout "$ca/ca.key.tmp" -out "$ca/ca.crt.tmp" 2>/dev/null
      mv "$ca/ca.key.tmp" "$ca/ca.key"
      mv "$ca/ca.crt.tmp" "$ca/ca.crt"
    fi
  ) 9>"$ca/.lock"
}

# server_cert DIR NAME: issue DIR/NAME.crt and DIR/NAME.key for 127.0.0.1/localhost from the test CA.
server_cert() {
  local dir="$1" name="$2" ca="$GITWARD_RUN/ca"
  ensure_ca
  mkdir -p "$dir"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=localhost" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=serverAuth" \
    "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
    -CAcreateserial -CAserial "$dir/$name.srl" -days 30 -sha256 \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext" "$dir/$name.srl"
}

# client_cert DIR NAME: issue DIR/NAME.crt and DIR/NAME.key (clientAuth) from the test CA.
client_cert() {
  local dir="$1" name="$2" ca="$GITWARD_RUN/ca"
  ensure_ca
  mkdir -p "$dir"
  openssl req -newkey rsa:2048 -nodes -sha256 -subj "/CN=gitward-test-client" \
    -keyout "$dir/$name.key" -out "$dir/$name.csr" 2>/dev/null
  printf '%s\n' \
    "basicConstraints=critical,CA:FALSE" \
    "keyUsage=critical,digitalSignature,keyEncipherment" \
    "extendedKeyUsage=clientAuth" >"$dir/$name.ext"
  openssl x509 -req -in "$dir/$name.csr" -CA "$ca/ca.crt" -CAkey "$ca/ca.key" \
    -CAcreateserial -CAserial "$dir/$name.srl" -days 30 -sha256 \
    -extfile "$dir/$name.ext" -out "$dir/$name.crt" 2>/dev/null
  rm -f "$dir/$name.csr" "$dir/$name.ext" "$dir/$name.srl"
}

random_secret() {
  openssl rand -hex 16
}

# Copy the service's logs to $GITWARD_LOGS/<service>/ (replacing older ones),
# so that they outlive `down`.
save_logs() {
  [[ -d "$SVC_DIR" ]] || return 0
  local dest
  dest="$GITWARD_LOGS/$(basename "$SVC_DIR")"
  rm -rf "$dest"
  mkdir -p "$dest"
  (cd "$SVC_DIR" && find . -name '*.log' -type f -print0 | xargs -0 -r cp --parents -t "$dest") || true
}

# Regenerate $GITWARD_RUN/env from every service's env fragment.
write_env() {
  mkdir -p "$GITWARD_RUN"
  (
    flock 9
    local tmp="$GITWARD_RUN/env.tmp.$$" f
    {
      echo "GITWARD_TEST_RUN=$GITWARD_RUN"
      [[ -s "$GITWARD_RUN/ca/ca.crt" ]] && echo "GITWARD_TEST_CA=$GITWARD_RUN/ca/ca.crt"
      for f in "$GITWARD_RUN"/*/env; do
        [[ -e "$f" ]] && cat "$f"
      done
    } >"$tmp"
    mv "$tmp" "$GITWARD_RUN/env"
  ) 9>"$GITWARD_RUN/.env.lock"
}

# Remove the whole run dir once no service uses it any more.
cleanup_run_dir() {
  local d
  for d in "$GITWARD_RUN"/*/; do
    [[ -d "$d" ]] || continue
    case "$(basename "$d")" in ca) continue ;; esac
    return 0
  done
  rm -rf "$GITWARD_RUN"
}
