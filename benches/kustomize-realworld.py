#!/usr/bin/env python3
"""Real-world differential harness: `gitward kustomize` against `kubectl kustomize` (v5.7.1).

  benches/kustomize-realworld.py [ROOT] [--jobs N] [--filter REGEX] [--per-repo N]
                                 [--list-diffs] [--json OUT] [--keep-diffs DIR]
                                 [--timeout S] [--helm auto|never] [--extract MIRRORS]

ROOT (default ~/.cache/gitward/realworld) holds one folder per public repository, named
`owner+name`, checked out outside this repository (the repositories are not ours; nothing
of them is committed). `benches/kustomize-realworld-repos.txt` lists the repositories and
commits of the recorded run; `--extract MIRRORS` writes each listed repository at its
commit into ROOT from bare git directories `MIRRORS/owner+name/repo` (files the snapshot
lacks, such as large binaries, are skipped), for folders not yet present.

Discovery: every directory holding `kustomization.yaml`, `kustomization.yml` or
`Kustomization` (outside `.git`, `node_modules` and `vendor`). With `--per-repo N` (default
40, 0 = no cap) a repository contributes at most N directories, taken evenly spaced from
its sorted list so that no single repository dominates the count.

Each directory is built by both tools, in a hermetic environment (empty HOME, no
kubeconfig, TZ=UTC), with a timeout:

    kubectl kustomize DIR                                  gitward kustomize DIR
    (if the kustomization has helmCharts and --helm auto:)
    kubectl kustomize --enable-helm --helm-command HELM3 DIR   gitward kustomize --enable-helm DIR

Remote bases and charts cannot be fetched (no network); when the reference fails for that
reason its error is tagged `network` (a remote base failing in both tools is a both-error).

Categories (per directory):
  identical              both exit 0 and print the same bytes
  differ                 both exit 0, different bytes
  both-error             both exit non-zero (gitward not with 3)
  gitward-error-only     kubectl exits 0, gitward exits non-zero (not 3)
  reference-error-only   kubectl exits non-zero, gitward exits 0
  unsupported            gitward exits 3 (a feature it does not implement)
A timeout counts as a non-zero exit of the tool that timed out (and is counted apart).

It prints the counts, the byte-identical percentage over the builds the reference
succeeds on (identical / (identical + differ + gitward-error-only + unsupported with the
reference succeeding)), and each tool's summed CPU time (user + system of the child and
its reaped descendants, from os.wait4) with the kubectl/gitward ratio, over all builds and
over the identical ones.

Each non-identical directory is also matched against the signatures of the root causes
the recorded run found (docs/differential.md), so that a run after a fix recounts them; the
summary lists how many directories show each ("unclassified": none matched).

Options: --reference-cache DIR keeps kubectl's result per directory (exit status, stdout,
stderr, CPU time; keyed by the directory, the helm flag and the kubectl binary's size and
mtime) and reuses it on the next run, so that a gitward-only rerun takes minutes, not the
~5 CPU minutes of the kubectl side (the repositories must not change in between; the CPU
time reported for kubectl is then the recorded one). --list-diffs prints every
non-identical directory with its causes and both tools' first error line; --json OUT writes one record per directory; --keep-diffs DIR writes a unified diff
(or both error texts) per non-identical directory.

Needs the reference kubectl and helm v3 (../shared/tools/reference-tools.sh installs them,
or set KUBECTL and HELM3) and a release build of gitward (built here, CARGO_TARGET_DIR
honoured; --gitward PATH skips the build).
"""
import argparse
import concurrent.futures
import difflib
import hashlib
import pickle
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
KUSTOMIZATION_NAMES = ("kustomization.yaml", "kustomization.yml", "Kustomization")
SKIP_DIRS = {".git", "node_modules", "vendor"}
REPOS_FILE = os.path.join(REPO, "benches", "kustomize-realworld-repos.txt")
CATEGORIES = ["identical", "differ", "both-error", "gitward-error-only", "reference-error-only", "unsupported"]
# The reference's error when it could not reach a remote base or chart repository.
NETWORK_ERROR = re.compile(
    r"no such host|dial tcp|Could not resolve host|could not read Username|unable to access|"
    r"git cmd = |failed to run '/usr/bin/git|fatal: unable|network is unreachable|connection refused|"
    r"i/o timeout|TLS handshake|helm pull|looks like \".*\" is not a valid chart repository|"
    r"Error: failed to download|unable to fetch|repo .* not found|http(s)?://|oci://",
    re.I)


def reference_tools():
    if os.environ.get("KUBECTL") and os.environ.get("HELM3"):
        return os.environ["KUBECTL"], os.environ["HELM3"]
    shared = os.environ.get("GITWARD_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
    out = subprocess.run(["bash", os.path.join(shared, "tools", "reference-tools.sh")],
                         capture_output=True, text=True, check=True).stdout
    found = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    return found["KUBECTL"], found["HELM3"]


def hermetic_env(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE", "XDG_"))}
    env.update({"HOME": home, "HELM_CACHE_HOME": os.path.join(home, "cache"),
                "HELM_CONFIG_HOME": os.path.join(home, "config"), "HELM_DATA_HOME": os.path.join(home, "data"),
                "KUBECONFIG": os.path.join(home, "no-kubeconfig"), "TZ": "UTC", "NO_COLOR": "1",
                "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8", "GIT_TERMINAL_PROMPT": "0"})
    return env


def read_repos(path):
    """owner/name commit, one a line; # comments."""
    repos = []
    with open(path) as f:
        for line in f:
            line = line.split("#", 1)[0].split()
            if len(line) >= 2:
                repos.append((line[0], line[1]))
    return repos


def extract(gitdir, commit, dest):
    """Writes the tree of `commit` to dest, skipping blobs the snapshot lacks. -> (files, missing)."""
    ls = subprocess.run(["git", "--git-dir", gitdir, "ls-tree", "-r", "-z", "--full-tree", commit],
                        capture_output=True, check=True).stdout.split(b"\0")
    entries = []
    for e in ls:
        if not e:
            continue
        meta, path = e.split(b"\t", 1)
        mode, typ, sha = meta.split()
        if typ == b"blob":
            entries.append((mode, sha, os.fsdecode(path)))
    cat = subprocess.Popen(["git", "--git-dir", gitdir, "cat-file", "--batch"],
                           stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    missing = 0
    for mode, sha, path in entries:
        cat.stdin.write(sha + b"\n")
        cat.stdin.flush()
        header = cat.stdout.readline().split()
        if header[-1] == b"missing":
            missing += 1
            continue
        data = cat.stdout.read(int(header[2]))
        cat.stdout.read(1)
        full = os.path.join(dest, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        if mode == b"120000":
            if not os.path.lexists(full):
                os.symlink(os.fsdecode(data), full)
        else:
            with open(full, "wb") as f:
                f.write(data)
            if mode == b"100755":
                os.chmod(full, 0o755)
    cat.stdin.close()
    cat.wait()
    return len(entries), missing


def discover(root, per_repo, only_repos):
    """-> [(repo_folder, reldir)] sorted; at most per_repo (evenly spaced) per repository."""
    out = []
    for repo in sorted(os.listdir(root)):
        base = os.path.join(root, repo)
        if not os.path.isdir(base) or (only_repos is not None and repo not in only_repos):
            continue
        dirs = []
        for cur, subdirs, files in os.walk(base):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIP_DIRS)
            if any(n in files for n in KUSTOMIZATION_NAMES):
                dirs.append(os.path.relpath(cur, base))
        dirs.sort()
        if per_repo and len(dirs) > per_repo:
            dirs = [dirs[(i * len(dirs)) // per_repo] for i in range(per_repo)]
        out.extend((repo, d) for d in dirs)
    return out


def kustomization_text(path):
    for n in KUSTOMIZATION_NAMES:
        p = os.path.join(path, n)
        if os.path.isfile(p):
            with open(p, "rb") as f:
                return f.read().decode("utf-8", "replace")
    return ""


def run(argv, cwd, timeout):
    """Runs argv in a fresh empty HOME and its own session. -> (rc | None on timeout, stdout, stderr, cpu_s)."""
    home = tempfile.mkdtemp(prefix="kz-home-")
    try:
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            p = subprocess.Popen(argv, cwd=cwd, env=hermetic_env(home), stdin=subprocess.DEVNULL,
                                 stdout=out, stderr=err, start_new_session=True)
            timed_out = threading.Event()

            def kill():
                timed_out.set()
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            timer = threading.Timer(timeout, kill)
            timer.start()
            try:
                _, status, usage = os.wait4(p.pid, 0)
            finally:
                timer.cancel()
            p.returncode = os.waitstatus_to_exitcode(status)  # reaped here; keep Popen from waiting
            if timed_out.is_set():  # descendants (git, helm) may outlive the child
                try:
                    os.killpg(p.pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            out.seek(0)
            err.seek(0)
            rc = None if timed_out.is_set() else p.returncode
            return rc, out.read(), err.read(), usage.ru_utime + usage.ru_stime
    finally:
        shutil.rmtree(home, ignore_errors=True)


def first_error_line(stderr):
    lines = [l for l in stderr.decode("utf-8", "replace").splitlines() if l.strip()]
    errs = [l for l in lines if re.match(r"(?i)^(error|Error:)", l)]
    return (errs or lines or ["(no stderr)"])[-1][:300]


def cached_reference(cache, argv, path, timeout):
    """run(argv, ...) through the reference cache directory (None: no cache)."""
    if cache is None:
        return run(argv, path, timeout)
    st = os.stat(argv[0])
    key = hashlib.sha256(repr((argv, st.st_size, int(st.st_mtime))).encode()).hexdigest()
    f = os.path.join(cache, key[:2], key)
    if os.path.exists(f):
        with open(f, "rb") as fh:
            return pickle.load(fh)
    res = run(argv, path, timeout)
    if res[0] is None:  # a timeout says more about the machine's load than about kubectl
        return res
    os.makedirs(os.path.dirname(f), exist_ok=True)
    with open(f + ".tmp", "wb") as fh:
        pickle.dump(res, fh)
    os.replace(f + ".tmp", f)
    return res


def build_one(root, repo, reldir, kubectl, helm3, gitward, timeout, helm_mode, cache=None):
    path = os.path.join(root, repo, reldir)
    helm = helm_mode == "auto" and re.search(r"(?m)^helmCharts\s*:", kustomization_text(path)) is not None
    ref_args = [kubectl, "kustomize"] + (["--enable-helm", "--helm-command", helm3] if helm else []) + [path]
    gw_args = [gitward, "kustomize"] + (["--enable-helm"] if helm else []) + [path]
    rrc, rout, rerr, rcpu = cached_reference(cache, ref_args, path, timeout)
    grc, gout, gerr, gcpu = run(gw_args, path, timeout)
    if grc == 3:
        cat = "unsupported"
    elif rrc == 0 and grc == 0:
        cat = "identical" if rout == gout else "differ"
    elif rrc == 0:
        cat = "gitward-error-only"
    elif grc == 0:
        cat = "reference-error-only"
    else:
        cat = "both-error"
    rec = {
        "repo": repo, "dir": reldir, "helm": helm, "category": cat,
        "reference_rc": rrc, "gitward_rc": grc,
        "reference_cpu": rcpu, "gitward_cpu": gcpu,
        "reference_bytes": len(rout), "gitward_bytes": len(gout),
        "reference_timeout": rrc is None, "gitward_timeout": grc is None,
        "network": rrc != 0 and NETWORK_ERROR.search(rerr.decode("utf-8", "replace")) is not None,
        "reference_error": rerr.decode("utf-8", "replace")[-4000:] if rrc != 0 else "",
        "gitward_error": gerr.decode("utf-8", "replace")[-4000:] if grc != 0 else "",
        "_out": (rout, gout, rerr, gerr),
    }
    rec["causes"] = causes_of(rec, rout, gout)
    return rec


# Root causes found by the recorded run (docs/differential.md, "Real-world kustomize
# harness"), recognised by signature so that a run after a fix can be recounted. A heuristic:
# a directory can show several; one that matches none is "unclassified".
def diff_lines(rout, gout):
    return [l for l in difflib.unified_diff(rout.decode("utf-8", "replace").splitlines(),
                                            gout.decode("utf-8", "replace").splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def causes_of(rec, rout, gout):
    cat, g, k = rec["category"], rec["gitward_error"], rec["reference_error"]
    if cat == "gitward-error-only":
        if "replace operation does not apply: doc is missing key" in g:
            return ["json6902-replace-missing-key"]
        if "is not a valid generator behavior" in g:
            return ["generator-behavior-unknown"]
        return ["unclassified"]
    if cat == "reference-error-only":
        if "must build at directory" in k or "unable to find one of" in k:
            return ["symlink-escape"]
        return ["unclassified"]
    if cat == "both-error" and rec["network"] and "must be fetched by the source layer" not in g:
        # A remote input gitward took for a local path (hidden while both fail offline).
        if re.search(r"from '[\w.-]+:[\w.-]+/", g):
            return ["remote-scp-like-url"]
        if "file sources: [http" in g:
            return ["remote-http-file-source"]
        if re.search(r"open \S*https?:/", g):
            return ["remote-http-openapi"]
        return []
    if cat != "differ":
        return []
    lines = diff_lines(rout, gout)
    found = set()
    if any("needsHashSuffix" in l for l in lines):
        found.add("needs-hash-suffix-annotation")
        lines = [l for l in lines if not re.match(r"^[-+]\s+(\S+: \S+|labels:|annotations:)$", l)]
    # The same name with another content hash (a needsHashSuffix resource that is not a
    # ConfigMap or Secret, whose go-yaml node gitward cannot always reproduce), and the
    # references to it.
    hashed = re.compile(r"^[-+](\s+(?:- )?name: \S+-)[a-z0-9]{10}$")
    minus = {m.group(1) for l in lines if l[0] == "-" and (m := hashed.match(l))}
    plus = {m.group(1) for l in lines if l[0] == "+" and (m := hashed.match(l))}
    if minus & plus:
        found.add("needs-hash-suffix-annotation")
        lines = [l for l in lines if not ((m := hashed.match(l)) and m.group(1) in minus & plus)]
    for l in lines:
        if re.match(r"^\+  annotations: (null|\{\})$", l):
            found.add("annotations-empty-dropped")
        elif re.match(r"^[-+]\s*(- )?[\w.-]+: \|-?$", l):
            found.add("jsonpatch-file-trailing-newline")
        elif re.search(r': "null"$', l):
            found.add("smp-null-absent-key")
        elif re.search(r"kubeVersion: |\[v1 admissionregistration", l):
            found.add("helm-v3-capabilities")
        elif re.match(r"^\+\s+[\w.-]+: null$", l) or re.match(r"^-\s+[\w.-]+: \{\}$", l):
            found.add("smp-null-in-target")
        elif not re.match(r"^\+\s+[\w.-]+:$", l):  # a bare key opens what the other lines explain
            found.add("unclassified")
    return sorted(found or {"unclassified"})


def keep_diff(dest, rec):
    name = (rec["repo"] + "__" + rec["dir"]).replace("/", "__").replace(".__", "_")
    rout, gout, rerr, gerr = rec["_out"]
    with open(os.path.join(dest, name + ".diff"), "w") as f:
        f.write(f"# {rec['repo']}/{rec['dir']}: {rec['category']} (kubectl rc={rec['reference_rc']}, "
                f"gitward rc={rec['gitward_rc']}, helm={rec['helm']})\n")
        if rec["category"] == "differ":
            f.writelines(difflib.unified_diff(
                rout.decode("utf-8", "replace").splitlines(True), gout.decode("utf-8", "replace").splitlines(True),
                "kubectl", "gitward", n=3))
        else:
            f.write("## kubectl stderr\n" + rerr.decode("utf-8", "replace") +
                    "\n## gitward stderr\n" + gerr.decode("utf-8", "replace"))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("root", nargs="?", default=os.path.join(os.path.expanduser("~"), ".cache", "gitward", "realworld"))
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--filter", help="regex on owner+name/dir")
    ap.add_argument("--per-repo", type=int, default=40, help="cap per repository (0: all)")
    ap.add_argument("--timeout", type=float, default=120.0)
    ap.add_argument("--helm", choices=["auto", "never"], default="auto")
    ap.add_argument("--repos", default=REPOS_FILE if os.path.exists(REPOS_FILE) else None,
                    help="only the repositories listed here (owner/name commit a line); 'all' for every folder")
    ap.add_argument("--extract", metavar="MIRRORS", help="write missing repositories from MIRRORS/owner+name/repo")
    ap.add_argument("--list-diffs", action="store_true")
    ap.add_argument("--json", metavar="OUT")
    ap.add_argument("--keep-diffs", metavar="DIR")
    ap.add_argument("--gitward", help="gitward binary (default: build the release CLI)")
    ap.add_argument("--reference-cache", metavar="DIR", help="reuse kubectl's results kept in DIR")
    o = ap.parse_args()

    repos = read_repos(o.repos) if o.repos and o.repos != "all" else None
    if o.extract:
        if repos is None:
            raise SystemExit("--extract needs --repos FILE")
        os.makedirs(o.root, exist_ok=True)
        for name, commit in repos:
            folder = name.replace("/", "+")
            dest = os.path.join(o.root, folder)
            if not os.path.exists(dest):
                tmp = dest + ".part"
                shutil.rmtree(tmp, ignore_errors=True)
                files, missing = extract(os.path.join(o.extract, folder, "repo"), commit, tmp)
                os.rename(tmp, dest)
                print(f"extracted {name}@{commit[:12]}: {files} files ({missing} absent from the snapshot)")
    kubectl, helm3 = reference_tools()
    gitward = o.gitward
    if not gitward:
        target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.expanduser("~"), ".cache", "gitward", "target"))
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "gitward-cli"], cwd=REPO, check=True,
                       env=dict(os.environ, CARGO_TARGET_DIR=target))
        gitward = os.path.join(target, "release", "gitward")

    only = {n.replace("/", "+") for n, _ in repos} if repos is not None else None
    dirs = discover(o.root, o.per_repo, only)
    if o.filter:
        rx = re.compile(o.filter)
        dirs = [(r, d) for r, d in dirs if rx.search(f"{r}/{d}")]
    if o.keep_diffs:
        os.makedirs(o.keep_diffs, exist_ok=True)
    n_repos = len({r for r, _ in dirs})
    print(f"{len(dirs)} kustomization directories from {n_repos} repositories, {o.jobs} jobs", flush=True)

    t0 = time.time()
    records = []
    with concurrent.futures.ThreadPoolExecutor(o.jobs) as pool:
        futs = [pool.submit(build_one, o.root, r, d, kubectl, helm3, gitward, o.timeout, o.helm,
                            o.reference_cache) for r, d in dirs]
        for i, fut in enumerate(concurrent.futures.as_completed(futs), 1):
            rec = fut.result()
            if o.keep_diffs and rec["category"] != "identical":
                keep_diff(o.keep_diffs, rec)
            del rec["_out"]
            records.append(rec)
            if i % 50 == 0:
                print(f"  {i}/{len(dirs)} ({time.time() - t0:.0f}s)", file=sys.stderr, flush=True)
    records.sort(key=lambda r: (r["repo"], r["dir"]))

    counts = {c: sum(1 for r in records if r["category"] == c) for c in CATEGORIES}
    ref_ok = [r for r in records if r["reference_rc"] == 0]
    ident = counts["identical"]
    print(f"\ndirectories: {len(records)} from {n_repos} repositories "
          f"({sum(r['helm'] for r in records)} with --enable-helm)")
    for c in CATEGORIES:
        extra = ""
        if c == "both-error":
            extra = f"  (reference failed for lack of network: {sum(r['network'] for r in records if r['category'] == c)})"
        if c == "unsupported":
            extra = f"  (reference succeeded: {sum(1 for r in ref_ok if r['category'] == c)})"
        print(f"  {c:<22} {counts[c]:5}{extra}")
    print(f"  (identical with empty output: {sum(1 for r in records if r['category'] == 'identical' and not r['reference_bytes'])})")
    print(f"  timeouts: kubectl {sum(r['reference_timeout'] for r in records)}, "
          f"gitward {sum(r['gitward_timeout'] for r in records)}")
    pct = 100.0 * ident / len(ref_ok) if ref_ok else 0.0
    print(f"byte-identical: {ident}/{len(ref_ok)} of the builds the reference succeeds on = {pct:.2f}%")
    for label, rs in (("all builds", records), ("identical builds", [r for r in records if r["category"] == "identical"])):
        rc = sum(r["reference_cpu"] for r in rs)
        gc = sum(r["gitward_cpu"] for r in rs)
        print(f"CPU ({label}): kubectl {rc:.2f}s, gitward {gc:.2f}s, ratio {rc / gc if gc else float('inf'):.1f}x")
    print(f"wall {time.time() - t0:.0f}s")
    causes = {}
    for r in records:
        for c in r["causes"]:
            causes.setdefault(c, []).append(r)
    if causes:
        print("\nknown root causes (heuristic, by signature; a directory can show several):")
        for c, rs in sorted(causes.items(), key=lambda kv: (-len(kv[1]), kv[0])):
            print(f"  {len(rs):4}  {c}")

    if o.list_diffs:
        print()
        for r in records:
            if r["category"] == "identical":
                continue
            line = f"{r['category']:<21} {r['repo']}/{r['dir']}"
            if r["causes"]:
                line += f"  [{', '.join(r['causes'])}]"
            if r["reference_rc"] != 0:
                line += f"\n    kubectl: {first_error_line(r['reference_error'].encode())}"
            if r["gitward_rc"] != 0:
                line += f"\n    gitward: {first_error_line(r['gitward_error'].encode())}"
            print(line)
    if o.json:
        with open(o.json, "w") as f:
            json.dump({"root": o.root, "counts": counts, "identical_percent": pct, "records": records}, f, indent=1)


if __name__ == "__main__":
    main()
