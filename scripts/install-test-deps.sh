#!/usr/bin/env bash
# Installs the Debian packages the test infrastructure needs (scripts/test-*.sh).
# Idempotent and non-interactive; a no-op (well under a second) when everything
# is already installed. Go (for building kube-apiserver and etcd) must already
# be on PATH: it comes with the machine.
set -euo pipefail

# command -> Debian package providing it
declare -A NEED=(
  [nginx]=nginx
  [fcgiwrap]=fcgiwrap
  [spawn-fcgi]=spawn-fcgi # satisfies fcgiwrap's "systemd | spawn-fcgi" without pulling in systemd
  [sshd]=openssh-server
  [ssh-keygen]=openssh-client
  [docker-registry]=docker-registry
  [htpasswd]=apache2-utils
  [openssl]=openssl
  [git]=git
  [ss]=iproute2
  [pgrep]=procps
  [setsid]=util-linux
  [flock]=util-linux
  [tar]=tar
  [curl]=curl
  [sha256sum]=coreutils
  [gzip]=gzip
  [gpg]=gnupg # signed commits and tags in the Git source tests
  [python3]=python3 # the registry's token server (scripts/lib/registry-token-server.py)
)

have() {
  command -v "$1" >/dev/null 2>&1 || [[ -x "/usr/sbin/$1" || -x "/usr/bin/$1" || -x "/sbin/$1" ]]
}

missing=()
for cmd in "${!NEED[@]}"; do
  have "$cmd" || missing+=("${NEED[$cmd]}")
done
# git http-backend is part of git, but check the helper program itself.
[[ -x /usr/lib/git-core/git-http-backend ]] || missing+=(git)

if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-test-deps: all test dependencies present" >&2
else
  mapfile -t missing < <(printf '%s\n' "${missing[@]}" | sort -u)
  echo "install-test-deps: installing ${missing[*]}" >&2
  SUDO=()
  [[ $(id -u) -eq 0 ]] || SUDO=(sudo)
  export DEBIAN_FRONTEND=noninteractive
  # Never let package scripts start system-wide daemons (nginx on :80, sshd on
  # :22, docker-registry on :5000): the tests start their own on loopback.
  added_policy=0
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' | "${SUDO[@]}" tee /usr/sbin/policy-rc.d >/dev/null
    "${SUDO[@]}" chmod 755 /usr/sbin/policy-rc.d
    added_policy=1
  fi
  trap '[[ $added_policy == 1 ]] && "${SUDO[@]}" rm -f /usr/sbin/policy-rc.d' EXIT
  "${SUDO[@]}" apt-get update -qq
  "${SUDO[@]}" apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}" >/dev/null
fi

command -v go >/dev/null 2>&1 || {
  echo "install-test-deps: 'go' is not on PATH (needed to build kube-apiserver and etcd)" >&2
  exit 1
}
