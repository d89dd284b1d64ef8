#!/usr/bin/env python3
"""Times `gitward source helm` against `helm pull` (helm v4.1.4) on a large repository index.

  benches/helm-index.py [--mb 50] [--repeat 3]

Writes an index.yaml of about --mb MB (thousands of charts, 60 versions each, entries
shaped like a real public repository's: annotations with image lists, dependencies,
maintainers, keywords, sources) next to one real chart archive, serves them with the test
Helm repository's nginx (scripts/test-helm-repo.sh, started here unless GITWARD_TEST_ENV
names a running one), then fetches the latest stable version of a chart in the middle of
the index with each tool: wall time (best of --repeat) and peak resident memory (from
`/usr/bin/time -v`). Both download the same index and the same archive over HTTP from the same
server; helm's per-run cache and config are fresh temporary directories.

Needs the reference helm (../shared/tools/reference-tools.sh installs it) and builds a
release gitward (CARGO_TARGET_DIR honoured) unless GITWARD_BIN names one.
"""
import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def reference_helm():
    out = subprocess.run(
        ["bash", os.path.join(REPO, "..", "shared", "tools", "reference-tools.sh")],
        capture_output=True, text=True, check=True,
    ).stdout
    for line in out.splitlines():
        if line.startswith("HELM="):
            return line.split("=", 1)[1]
    sys.exit("reference-tools.sh printed no HELM=")


def run_measured(argv, env):
    """Wall time and peak RSS (MB) of one run, the RSS as `/usr/bin/time -v` reports it
    ("Maximum resident set size"); fails loudly if the tool fails."""
    report = tempfile.NamedTemporaryFile(prefix="gitward-time-", suffix=".txt", delete=False)
    report.close()
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-v", "-o", report.name, *argv], env=env,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    text = open(report.name).read()
    os.unlink(report.name)
    if p.returncode != 0:
        sys.exit(f"{argv[0]} failed ({p.returncode}):\n{p.stderr.decode(errors='replace')}")
    kb = next(int(l.split(":")[1]) for l in text.splitlines()
              if "Maximum resident set size" in l)
    return dt, kb / 1024.0, p.stdout.decode()


ENTRY = """  - annotations:
      category: Infrastructure
      images: |
        - name: {name}
          image: docker.io/example/{name}:{ver}-debian-12-r{v}
        - name: os-shell
          image: docker.io/example/os-shell:12-debian-12-r{v}
      licenses: Apache-2.0
    apiVersion: v2
    appVersion: {ver}
    created: "2024-05-13T15:03:37.539497858Z"
    dependencies:
    - condition: redis.enabled
      name: redis
      repository: oci://registry-1.docker.io/examplecharts
      version: 19.x.x
    - name: common
      repository: oci://registry-1.docker.io/examplecharts
      tags:
      - example-common
      version: 2.x.x
    description: {name} is a tool to express and execute workflows as directed acyclic graphs.
    digest: {digest}
    home: https://example.com
    icon: https://example.com/assets/stacks/{name}/img/{name}-stack-220x234.png
    keywords:
    - apache
    - {name}
    - workflow
    maintainers:
    - name: Example, Inc. All Rights Reserved.
      url: https://github.com/example/charts
    name: {name}
    sources:
    - https://github.com/example/charts/tree/main/example/{name}
    urls:
    - {url}
    version: {ver}
"""


def write_index(path, megabytes, target, archive_digest):
    """Charts chart-0000, chart-0001, ... with 60 versions each; `target` (near the middle)
    has its latest stable version pointing at the real archive."""
    limit = megabytes * 1024 * 1024
    size, c = 0, 0
    charts = max(1, limit // (60 * 1450))
    with open(path, "w") as f:
        f.write("apiVersion: v1\nentries:\n")
        while size < limit or c <= charts // 2:
            name = target if c == charts // 2 else f"chart-{c:04d}"
            f.write(f"  {name}:\n")
            for v in range(60):
                ver = f"{v // 20}.{v % 20}.{c % 7}"
                if name == target and v == 59:
                    url, digest = "target.tgz", archive_digest
                else:
                    url = f"https://charts.example.com/example/{name}-{ver}.tgz"
                    digest = hashlib.sha256(f"{name}{ver}".encode()).hexdigest()
                e = ENTRY.format(name=name, ver=ver, v=v, url=url, digest=digest)
                f.write(e)
                size += len(e)
            c += 1
        f.write('generated: "2024-05-13T15:04:38.000000Z"\n')
    return c, 59


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--mb", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()

    helm = reference_helm()
    target_dir = os.environ.get("CARGO_TARGET_DIR", os.path.join(REPO, "target"))
    gitward = os.environ.get("GITWARD_BIN")
    if not gitward:
        subprocess.run(["cargo", "build", "--release", "--quiet", "-p", "gitward-cli"], cwd=REPO,
                       check=True)
        gitward = os.path.join(target_dir, "release", "gitward")

    started_here = False
    env_file = os.environ.get("GITWARD_TEST_ENV")
    if not env_file:
        out = subprocess.run(["bash", os.path.join(REPO, "scripts", "test-helm-repo.sh"), "up"],
                             capture_output=True, text=True, check=True).stdout
        started_here = True
        env_lines = out.splitlines()
    else:
        env_lines = open(env_file).read().splitlines()
    env_vals = dict(l.split("=", 1) for l in env_lines if "=" in l and not l.startswith("#"))
    base_url = env_vals["GITWARD_HELM_REPO_HTTP_URL"]
    repo_dir = env_vals["GITWARD_HELM_REPO_DIR"]
    chart = env_vals["GITWARD_HELM_CHART"]

    work = tempfile.mkdtemp(prefix="gitward-helm-index-")
    served = os.path.join(repo_dir, f"bench-{os.getpid()}")
    try:
        os.makedirs(served)
        # The real archive, served under the name the index gives it. Its Chart.yaml names
        # gitward-test-chart: the index entry keeps the target name, as helm only checks the
        # digest it is given (neither tool compares names on download).
        src = os.path.join(repo_dir, f"{chart}-0.2.0.tgz")
        shutil.copy(src, os.path.join(served, "target.tgz"))
        digest = hashlib.sha256(open(src, "rb").read()).hexdigest()
        target = "target-chart"
        t0 = time.perf_counter()
        n, _ = write_index(os.path.join(served, "index.yaml"), args.mb, target, digest)
        size = os.path.getsize(os.path.join(served, "index.yaml"))
        print(f"index.yaml: {size / 1e6:.1f} MB, {n} charts x 60 versions "
              f"(written in {time.perf_counter() - t0:.1f} s)")
        url = f"{base_url}/{os.path.basename(served)}"

        results = {}
        for tool in ("helm", "gitward"):
            best_t, best_m = None, None
            for i in range(args.repeat):
                out_dir = os.path.join(work, f"{tool}-{i}")
                os.makedirs(out_dir)
                env = dict(os.environ)
                if tool == "helm":
                    for k in ("HELM_CACHE_HOME", "HELM_CONFIG_HOME", "HELM_DATA_HOME"):
                        env[k] = os.path.join(work, f"{tool}-{i}-{k.lower()}")
                    argv = [helm, "pull", "--repo", url, target, "-d", out_dir]
                else:
                    argv = [gitward, "source", "helm", url, target, "--output", out_dir]
                dt, mb, _ = run_measured(argv, env)
                got = os.listdir(out_dir)
                assert len(got) == 1, (tool, got)
                got_digest = hashlib.sha256(open(os.path.join(out_dir, got[0]), "rb").read()).hexdigest()
                assert got_digest == digest, (tool, got_digest)
                best_t = dt if best_t is None else min(best_t, dt)
                best_m = mb if best_m is None else min(best_m, mb)
            results[tool] = (best_t, best_m)
            print(f"{tool:8} {best_t:7.2f} s  {best_m:8.1f} MB peak")
        (ht, hm), (gt, gm) = results["helm"], results["gitward"]
        print(f"speed: gitward {ht / gt:.1f}x faster; memory: {gm:.0f} MB vs {hm:.0f} MB "
              f"({hm / gm:.1f}x less)")
    finally:
        shutil.rmtree(served, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
        if started_here:
            subprocess.run(["bash", os.path.join(REPO, "scripts", "test-helm-repo.sh"), "down"],
                           capture_output=True)


if __name__ == "__main__":
    main()
