#!/usr/bin/env bash
# Times `gitward source git` against `git clone --depth 1` on the loopback git servers
# (scripts/test-git-servers.sh): a first clone, and a refresh of an unchanged remote
# (`--last-revision`: the refs are listed, nothing is fetched), over git://, HTTPS
# (basic auth, test CA) and ssh, for a repository of N commits (default 1,000) touching
# 50 YAML files.
#
#   benches/git-source.sh [N]
#
# Wall-clock times, best of $REPEAT runs (default 7), each a fresh process (so process
# start-up is included on both sides). Uses the git servers described by
# $GITWARD_TEST_ENV when set, otherwise starts them in a private run directory and stops
# them again. Builds gitward's CLI with the dev profile (libgit2 and the crypto crates are
# optimized even there; see the workspace Cargo.toml) unless $GITWARD_BIN names a binary.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
commits="${1:-1000}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/gitward/target}"
if [[ -z "${GITWARD_BIN:-}" ]]; then
  cargo build --quiet -p gitward-cli
  GITWARD_BIN="$CARGO_TARGET_DIR/debug/gitward"
fi
work=$(mktemp -d)
started=0
cleanup() {
  if [[ $started == 1 ]]; then
    GITWARD_TEST_RUN="$work/run" bash scripts/test-git-servers.sh down >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
if [[ -z "${GITWARD_TEST_ENV:-}" ]]; then
  GITWARD_TEST_RUN="$work/run" bash scripts/test-git-servers.sh up >/dev/null
  started=1
  GITWARD_TEST_ENV="$work/run/env"
fi
# shellcheck disable=SC1090
source "$GITWARD_TEST_ENV"

# The repository: N commits over 50 files, pushed to a new bare repository.
name="bench-$$-$commits.git"
bare="$GITWARD_GIT_REPOS/$name"
git init -q --bare -b main "$bare"
src="$work/src"
git init -q -b main "$src"
python3 - "$src" "$commits" <<'PY'
import os, subprocess, sys
src, n = sys.argv[1], int(sys.argv[2])
env = dict(os.environ, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="b@x", GIT_COMMITTER_NAME="bench",
           GIT_COMMITTER_EMAIL="b@x")
# fast-import: one stream for every commit.
lines = []
for i in range(n):
    lines.append("commit refs/heads/main")
    lines.append(f"committer bench <b@x> {1700000000 + i} +0000")
    msg = f"commit {i}\n"
    lines.append(f"data {len(msg)}")
    lines.append(msg.rstrip("\n"))
    if i == 0:
        for f in range(50):
            body = "".join(f"key{k}: value-{f}-{k}\n" for k in range(40))
            lines.append(f"M 644 inline apps/app{f:02d}/config.yaml")
            lines.append(f"data {len(body)}")
            lines.append(body.rstrip("\n"))
    f = i % 50
    body = "".join(f"key{k}: value-{f}-{k}-{i}\n" for k in range(40))
    lines.append(f"M 644 inline apps/app{f:02d}/config.yaml")
    lines.append(f"data {len(body)}")
    lines.append(body.rstrip("\n"))
stream = ("\n".join(lines) + "\n").encode()
subprocess.run(["git", "-C", src, "fast-import", "--quiet"], input=stream, check=True, env=env)
PY
git -C "$src" push -q "$bare" main
head=$(git -C "$bare" rev-parse main)
base_git=${GITWARD_GIT_DAEMON_URL%test.git}
base_https=${GITWARD_GIT_HTTPS_URL%test.git}
base_ssh=${GITWARD_GIT_SSH_URL%test.git}
printf 'repository: %s commits, %s\n' "$commits" "$(du -sh "$bare" | cut -f1)"

python3 - "$GITWARD_BIN" "$work" "$head" "${REPEAT:-7}" <<PY
import base64, os, shutil, subprocess, sys, time
gitward, work, head, repeat = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
ca = "$GITWARD_TEST_CA"
user, password = "$GITWARD_GIT_HTTPS_USER", "$GITWARD_GIT_HTTPS_PASSWORD"
key, known_hosts = "$GITWARD_GIT_SSH_KEY", "$GITWARD_GIT_SSH_KNOWN_HOSTS"
name = "$name"
auth = base64.b64encode(f"{user}:{password}".encode()).decode()
ssh_cmd = f"ssh -i {key} -o IdentitiesOnly=yes -o UserKnownHostsFile={known_hosts} -o StrictHostKeyChecking=yes"
transports = [
    ("git://", "${base_git}" + name, [], {}, []),
    ("https", "${base_https}" + name,
     ["-c", f"http.extraHeader=Authorization: Basic {auth}"], {"GIT_SSL_CAINFO": ca},
     ["--ca-file", ca, "--username", user]),
    ("ssh", "${base_ssh}" + name, [], {"GIT_SSH_COMMAND": ssh_cmd},
     ["--ssh-key", key, "--known-hosts", known_hosts]),
]

def best(cmd, env=None, prepare=None):
    times = []
    for _ in range(repeat):
        if prepare:
            prepare()
        t = time.perf_counter()
        r = subprocess.run(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        times.append(time.perf_counter() - t)
        if r.returncode != 0:
            sys.exit(f"{cmd[:4]} failed: {r.stderr.decode()}")
        out = r.stdout.decode()
    return min(times), out

dest = os.path.join(work, "dest")
def clean():
    shutil.rmtree(dest, ignore_errors=True)

print(f"{'transport':<10} {'git clone --depth 1':>20} {'gitward first fetch':>20} {'ratio':>7} {'git ls-remote':>14} {'gitward refresh':>16}")
for label, url, gitargs, extra_env, gwargs in transports:
    env = dict(os.environ, **extra_env)
    env.pop("GITWARD_PASSWORD", None)
    g, _ = best(["git", *gitargs, "clone", "-q", "--depth", "1", "--no-tags", "-b", "main", url, dest], env, clean)
    gw_env = dict(env, GITWARD_PASSWORD=password)
    w, out = best([gitward, "source", "git", url, *gwargs, "--output", dest], gw_env, clean)
    assert out.startswith(f"revision: main@sha1:{head}\ndigest: sha256:"), out
    r, out = best([gitward, "source", "git", url, *gwargs, "--last-revision", f"main@sha1:{head}"], gw_env)
    assert out.endswith("(unchanged)\n"), out
    l, _ = best(["git", *gitargs, "ls-remote", url], env)
    print(f"{label:<10} {g*1000:>17.1f} ms {w*1000:>17.1f} ms {w/g:>6.2f}x {l*1000:>11.1f} ms {r*1000:>13.1f} ms")
PY
rm -rf "$bare"
