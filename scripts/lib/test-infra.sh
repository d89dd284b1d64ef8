#!/usr/bin/env bash
# Brings every test service up or down in one go, for an outer test command:
#
#   scripts/lib/test-infra.sh up     # starts cluster, git servers, registry, helm repo;
#                                    # last line: the env file to export as GITWARD_TEST_ENV
#   scripts/lib/test-infra.sh down   # stops all of them (safe to call when none is up)
#   scripts/lib/test-infra.sh env    # prints the combined env
#
# Typical use:
#   env_file="$(scripts/lib/test-infra.sh up | tail -n1)"
#   trap 'scripts/lib/test-infra.sh down' EXIT
#   GITWARD_TEST_ENV="$env_file" cargo test ...
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
run="${GITWARD_TEST_RUN:-/tmp/gitward-test-run}"
services=(cluster git-servers registry helm-repo)

case "${1:-}" in
  up)
    for s in "${services[@]}"; do
      "$here/test-$s.sh" up >/dev/null
    done
    echo "$run/env"
    ;;
  down)
    rc=0
    for ((i = ${#services[@]} - 1; i >= 0; i--)); do
      "$here/test-${services[i]}.sh" down || rc=1
    done
    exit $rc
    ;;
  env)
    [[ -s "$run/env" ]] || { echo "no test services are up" >&2; exit 1; }
    cat "$run/env"
    ;;
  *)
    echo "usage: $0 up|down|env" >&2
    exit 2
    ;;
esac
