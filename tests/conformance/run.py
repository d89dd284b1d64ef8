#!/usr/bin/env python3
"""gitward conformance runner: score `gitward kustomize` / `gitward template` / `gitward semver` /
`gitward health` / `gitward build artifact` / `gitward apply` / `gitward envsubst` /
`gitward build kustomization` (or the reference kubectl, helm, Masterminds/semver,
kstatus and flux) against the shared conformance corpora.

Suites (corpora under $GITWARD_CONFORMANCE, default <repo>/../shared/conformance):
  kustomize    cases/<name>/{case.json,input/,expected.yaml|expected-error.txt}; groups = tags
  helm         real charts, cases/<name>/case.json, run with cwd = corpus root; groups = charts
  helm-funcs   cases.jsonl snippets rendered in a chart built from base-chart/; groups = categories
  semver       cases.jsonl version ranges and version lists (`semver -- RANGE VERSION...`); groups =
               categories
  health       cases/<name>/{case.json,input.yaml,expected.json}: kstatus verdicts per object
               (`health -f FILE -o json`); groups = categories
  artifact     cases/<name>/{case.json,tree.json,expected.tgz|expected-error.txt}: a tree packed by
               `build artifact`; groups = categories
  apply        cases/<name>/{case.json,apply-N.yaml,kubectl-N.yaml,expected/step-SS.json}: scenarios of
               `apply` steps on a fresh test cluster each, run by the corpus's own runner
               (../shared/tools/apply_conformance.py); groups = categories
  envsubst     cases/<name>/{case.json,input.txt,expected.txt}: `envsubst [--strict] --var=N=V...` on
               input.txt as standard input (exact bytes); groups = categories
  flux-build   cases/<name>/{case.json,input/,expected.yaml|expected-error.txt}: input/ copied to a
               temp dir T, then `build kustomization NAME --path T/PATH --kustomization-file T/FILE
               --dry-run ARGS` with cwd T (exact bytes of stdout); groups = categories

Scoring: an output case passes *exactly* when the tool exits 0 and stdout is byte-identical to the
expected output (helm: after masking the case's volatile lines on both sides), *semantically* when
both parse to the same YAML document stream (helm-funcs: the same text up to leading/trailing
whitespace; semver: the same lines in another order; health: every object's id and status equal, the
messages may differ; artifact: *exactly* when the written .tgz is byte-identical to expected.tgz,
*semantically* when it has the same members (path, type, permission bits) and file contents; apply:
*exactly* when every apply step of the scenario has the right exit, change set, inventory and live
objects (managedFields included), *semantically* when only live objects differ).  An
error case passes (both ways) only when the tool exits with code 1, as kubectl, helm and flux do; a
panic (101), a usage error (2), a signal or a timeout is a failure.

See tests/conformance/README.md for usage, the status file and the ratchet.
Needs Python >= 3.9 and PyYAML.
"""
from __future__ import annotations

import argparse
import base64
import concurrent.futures
import dataclasses
import difflib
import gzip
import hashlib
import io
import json
import os
import re
import shutil
import signal
import subprocess
import stat
import sys
import tarfile
import tempfile
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATUS_FILE = os.path.join(REPO, "tests", "conformance", "status.json")
SUITES = ("kustomize", "helm", "helm-funcs", "semver", "health", "artifact", "apply", "envsubst",
          "flux-build")
UNTAGGED = "(untagged)"
# helm-funcs: the snippet is rendered through this wrapper so that any output survives helm's
# "rendered manifest must be YAML" check (exactly what the corpus generator did).
FUNCS_WRAPPER = 'out: {{ include "funcs/templates/_snippet.tpl" . | b64enc }}\n'
FUNCS_CHART_DIR = "chart"  # relative to the per-snippet work dir, which is the cwd


# ============================================================================ pure comparison helpers

class _Loader(yaml.SafeLoader):
    """SafeLoader without the YAML 1.1 timestamp resolver: dates stay strings on both sides, as in
    the Go tools (sigs.k8s.io/yaml goes through JSON)."""


_Loader.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag != "tag:yaml.org,2002:timestamp"]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def yaml_docs(text: str) -> list:
    """The documents of a YAML stream, empty documents dropped."""
    return [d for d in yaml.load_all(text, Loader=_Loader) if d is not None]


def canon(value):
    """A hashable, type-strict form of a parsed YAML value: maps compare regardless of key order,
    but `true` != `1` and `1` != `1.0` (plain Python equality would say they are equal)."""
    if isinstance(value, dict):
        return ("map", frozenset((canon(k), canon(v)) for k, v in value.items()))
    if isinstance(value, (list, tuple)):
        return ("seq", tuple(canon(v) for v in value))
    if isinstance(value, float):
        return ("float", repr(value))  # repr: nan == nan
    if isinstance(value, (set, frozenset)):
        return ("set", frozenset(canon(v) for v in value))
    return (type(value).__name__, value)


def same_yaml_stream(actual: str, expected: str) -> bool:
    """Semantic equality of two YAML streams (raises yaml.YAMLError if one is not YAML)."""
    return canon(yaml_docs(actual)) == canon(yaml_docs(expected))


def mask_volatile(text: str, volatile: list | None) -> str:
    """helm corpus: replace each volatile line (1-based) by `prefix + "VOLATILE"` when it starts with
    the recorded prefix; a line without the prefix is left alone, so it still shows as a difference."""
    if not volatile:
        return text
    lines = text.split("\n")
    for v in volatile:
        i = v["line"] - 1
        if 0 <= i < len(lines) and lines[i].startswith(v["prefix"]):
            lines[i] = v["prefix"] + "VOLATILE"
    return "\n".join(lines)


def _clip(s: str, n: int = 100) -> str:
    return s if len(s) <= n else s[:n] + "..."


def _window(a, e, width: int = 60) -> tuple:
    """Slices of two different sequences (str or bytes) around their first difference, and its offset."""
    i = next((k for k, (x, y) in enumerate(zip(a, e)) if x != y), min(len(a), len(e)))
    start = max(0, i - 20)
    return i, a[start:i + width], e[start:i + width]


def first_difference(actual: str, expected: str) -> str:
    """A one-line description of where two different texts first differ."""
    a, e = actual.split("\n"), expected.split("\n")
    for n, (x, y) in enumerate(zip(a, e)):
        if x != y:
            col, xs, ys = _window(x, y)
            return f"line {n + 1} col {col + 1}: expected {ys!r}, got {xs!r}"
    return f"{len(a)} lines, expected {len(e)}"


def unified_diff(actual: str, expected: str, limit: int = 40) -> str:
    d = difflib.unified_diff(expected.splitlines(True), actual.splitlines(True), "expected", "actual", n=1)
    return "".join(list(d)[:limit])


def compare_yaml_output(actual: str, expected: str, volatile: list | None = None):
    """kustomize and helm output cases. Returns (exact, semantic, reason); reason is None on an
    exact match."""
    a, e = mask_volatile(actual, volatile), mask_volatile(expected, volatile)
    if a == e:
        return True, True, None
    try:
        semantic = same_yaml_stream(a, e)
    except yaml.YAMLError as err:
        return False, False, "output is not YAML: " + str(err).splitlines()[0]
    where = first_difference(a, e)
    return False, semantic, ("text differs (semantic match): " if semantic else "objects differ: ") + where


def decode_wrapped(stdout: bytes) -> bytes:
    """helm-funcs: the snippet's bytes from the wrapper chart's output (exactly one document, a map
    with the single key `out` holding base64), with helm's per-file `<no value>` -> "" applied.
    Raises ValueError when the output does not have that shape."""
    try:
        docs = yaml_docs(stdout.decode("utf-8"))
    except (UnicodeDecodeError, yaml.YAMLError) as err:
        raise ValueError(f"output is not YAML: {str(err).splitlines()[0]}") from None
    if len(docs) != 1 or not isinstance(docs[0], dict) or set(docs[0]) != {"out"}:
        raise ValueError(f"expected one document `out: <base64>`, got {_clip(repr(docs), 120)}")
    out = docs[0]["out"]
    if out is None:  # `out: ` -- the snippet rendered to nothing
        return b""
    if not isinstance(out, str):
        raise ValueError(f"`out` is not a base64 string: {_clip(repr(out))}")
    try:
        raw = base64.b64decode(out, validate=True)
    except ValueError:
        raise ValueError(f"`out` is not valid base64: {_clip(out)}") from None
    return raw.replace(b"<no value>", b"")


def compare_lines(actual: bytes, expected: bytes):
    """semver: exact = byte-identical, semantic = the same lines in some order (the right versions
    matched, ordered differently)."""
    if actual == expected:
        return True, True, None
    semantic = sorted(actual.split(b"\n")) == sorted(expected.split(b"\n"))
    return False, semantic, ("same lines, other order" if semantic else "lines differ") + \
        f": expected {_clip(expected.decode('utf-8', 'replace'))!r}, got {_clip(actual.decode('utf-8', 'replace'))!r}"


def compare_health(actual: bytes, expected: list):
    """health: stdout must be a JSON array with one element per expected object. exact = every
    element's id, status and message equal (the error text is not compared, as in the corpus's own
    scorer); semantic = every id and status equal. Returns (exact, semantic, reason, objects exact,
    objects expected)."""
    try:
        got = json.loads(actual.decode("utf-8"))
    except (UnicodeDecodeError, ValueError):
        return False, False, f"stdout is not JSON: {_clip(actual.decode('utf-8', 'replace'))!r}", 0, len(expected)
    if not isinstance(got, list):
        return False, False, f"stdout is not a JSON array: {_clip(json.dumps(got))}", 0, len(expected)
    exact_n = status_n = 0
    first = None
    for i, e in enumerate(expected):
        g = got[i] if i < len(got) and isinstance(got[i], dict) else {}
        st = g.get("id") == e["id"] and g.get("status") == e["status"]
        ex = st and g.get("message") == e["message"]
        status_n += st
        exact_n += ex
        if not ex and first is None:
            first = (f"[{i}] {e['id']}: expected {e['status']} {e['message']!r}, got {g.get('status')} "
                     f"{g.get('message')!r}" + ("" if g.get("id") == e["id"] else f" with id {g.get('id')!r}"))
    same_len = len(got) == len(expected)
    exact = same_len and exact_n == len(expected)
    semantic = same_len and status_n == len(expected)
    if exact:
        return True, True, None, exact_n, len(expected)
    counts = f"{exact_n}/{len(expected)} objects exact, {status_n} status-only"
    if not same_len:
        return False, False, f"expected {len(expected)} objects, got {len(got)} ({counts})", exact_n, len(expected)
    return False, semantic, f"{counts}; first: {first}", exact_n, len(expected)


def compare_text(actual: bytes, expected: bytes):
    """helm-funcs: exact = byte-identical, semantic = equal up to leading/trailing whitespace."""
    if actual == expected:
        return True, True, None
    semantic = actual.strip() == expected.strip()
    at, got, want = _window(actual, expected)
    return False, semantic, (("text differs (whitespace only)" if semantic else "text differs")
                             + f" at byte {at}: expected {want!r}, got {got!r}")


def tar_members(tgz: bytes) -> tuple:
    """artifact: ([(path, type, mode)] in archive order, {path: bytes} of regular files) of a gzip
    tarball, as Python's tarfile reads it (a trailing `/` of a directory name dropped)."""
    members, data = [], {}
    with tarfile.open(fileobj=io.BytesIO(tgz), mode="r:gz") as tf:
        for m in tf.getmembers():
            kind = "file" if m.isreg() else "dir" if m.isdir() else "symlink" if m.issym() else "other"
            members.append((m.name, kind, "%04o" % (m.mode & 0o7777)))
            if m.isreg():
                f = tf.extractfile(m)
                data[m.name] = f.read() if f else b""
    return members, data


def compare_tarballs(actual: bytes, expected: bytes):
    """artifact: exact = the same .tgz bytes; semantic = the same sorted members (path, type,
    permission bits) and the same file contents."""
    if actual == expected:
        return True, True, None
    try:
        got, got_data = tar_members(actual)
    except (tarfile.TarError, OSError, EOFError) as err:
        return False, False, f"output is not a gzip tarball: {err}"
    want, want_data = tar_members(expected)
    problems = [f"missing {m[1]} {m[2]} {m[0]!r}" for m in sorted(set(want) - set(got))]
    problems += [f"unexpected {m[1]} {m[2]} {m[0]!r}" for m in sorted(set(got) - set(want))]
    if not problems and sorted(got) != sorted(want):
        problems.append("duplicate members")
    problems += [f"content differs: {p!r}" for p, b in sorted(want_data.items())
                 if p in got_data and got_data[p] != b]
    if problems:
        return False, False, "; ".join(problems[:5]) + (f" (+{len(problems) - 5} more)" if len(problems) > 5 else "")
    if got != want:
        return False, True, "same members, different order"
    try:
        same_tar = gzip.decompress(actual) == gzip.decompress(expected)
    except (OSError, EOFError):
        same_tar = False
    return False, True, ("same tar stream, different gzip bytes" if same_tar else "same members, different tar headers")


def materialise_tree(tree: dict, root: str) -> None:
    """artifact: create tree.json's entries under root, then apply every mode (files, then
    directories deepest first, the root last) so the umask does not matter."""
    os.makedirs(root, exist_ok=True)
    entries = tree["entries"]

    def j(p):
        return os.path.join(root, *p.split("/"))

    for e in entries:
        if e["type"] == "dir":
            os.makedirs(j(e["path"]), exist_ok=True)
    for e in entries:
        if e["type"] == "file":
            os.makedirs(os.path.dirname(j(e["path"])), exist_ok=True)
            data = base64.b64decode(e["base64"]) if "base64" in e else e["text"].encode("utf-8")
            with open(j(e["path"]), "wb") as f:
                f.write(data)
        elif e["type"] == "symlink":
            os.makedirs(os.path.dirname(j(e["path"])), exist_ok=True)
            os.symlink(e["target"], j(e["path"]))
    for e in entries:
        if e["type"] == "file":
            os.chmod(j(e["path"]), int(e["mode"], 8))
    for e in sorted((e for e in entries if e["type"] == "dir"), key=lambda e: -e["path"].count("/")):
        os.chmod(j(e["path"]), int(e["mode"], 8))
    os.chmod(root, int(tree.get("root_mode", "0755"), 8))


def remove_tree(top: str) -> None:
    """rmtree that first makes every directory writable (trees hold 0500 and 0000 directories)."""
    if os.path.isdir(top) and not os.path.islink(top):
        for dirpath, dirnames, _ in os.walk(top):
            for d in [dirpath] + [os.path.join(dirpath, n) for n in dirnames]:
                if not os.path.islink(d):
                    try:
                        os.chmod(d, stat.S_IRWXU | (os.stat(d).st_mode & 0o7777))
                    except OSError:
                        pass
    shutil.rmtree(top, ignore_errors=True)


def artifact_flags(ignore_paths: list | None) -> list:
    """case.json's ignore_paths: null = no flag; else one `--ignore-paths VALUE` pair per value."""
    flags = []
    for v in ignore_paths or []:
        flags += ["--ignore-paths", v]
    return flags


def describe_exit(rc: int | None) -> str:
    if rc is None:
        return "did not run"
    if rc < 0:
        try:
            return f"killed by {signal.Signals(-rc).name}"
        except ValueError:
            return f"killed by signal {-rc}"
    return {0: "exit 0", 2: "exit 2 (usage error)", 101: "exit 101 (panic)"}.get(rc, f"exit {rc}")


def error_verdict(rc: int | None) -> tuple[bool, str | None]:
    """An error case passes only on exit code 1 (what kubectl and helm return for a failed build)."""
    if rc == 1:
        return True, None
    if rc == 0:
        return False, "succeeded, expected a failure (exit 1)"
    return False, describe_exit(rc) + ", expected exit 1"


# ============================================================================ results and status

@dataclasses.dataclass
class Result:
    suite: str
    case: str
    groups: list
    kind: str  # "output" | "error"
    exact: bool
    semantic: bool
    exit_code: int | None
    stderr_nonempty: bool
    ms: float
    reason: str | None = None  # None iff exact
    detail: str | None = None  # longer explanation (diff, stderr) for -v and --json
    objects: list | None = None  # health: [objects exact, objects expected]


def summarize(results: list) -> dict:
    """{exact, semantic, total, groups: {group: {exact, semantic, total}}}; a case counts in each
    of its groups (kustomize tags overlap)."""
    groups: dict = {}
    for r in results:
        for g in r.groups:
            c = groups.setdefault(g, {"exact": 0, "semantic": 0, "total": 0})
            c["exact"] += r.exact
            c["semantic"] += r.semantic
            c["total"] += 1
    return {"exact": sum(r.exact for r in results), "semantic": sum(r.semantic for r in results),
            "total": len(results), "groups": {g: groups[g] for g in sorted(groups)}}


def status_document(summaries: dict, previous: dict | None = None) -> dict:
    """The status file content: `previous` with the suites in `summaries` replaced."""
    suites = dict((previous or {}).get("suites", {}))
    suites.update(summaries)
    return {"_about": "gitward conformance pass counts (tool: gitward). Generated by "
                      "`scripts/conformance.sh update`; never edit by hand. CI fails when a count drops.",
            "suites": {s: suites[s] for s in sorted(suites)}}


def _pretty(value, indent: int = 0) -> str:
    """JSON with sorted keys; a map holding only scalars goes on one line (one line per group, so a
    status diff shows exactly which groups moved)."""
    if isinstance(value, dict) and any(isinstance(v, (dict, list)) for v in value.values()):
        pad = " " * (indent + 2)
        items = [f"{pad}{json.dumps(k, ensure_ascii=False)}: {_pretty(value[k], indent + 2)}" for k in sorted(value)]
        return "{\n" + ",\n".join(items) + "\n" + " " * indent + "}"
    return json.dumps(value, sort_keys=True, ensure_ascii=False)


def dump_status(doc: dict) -> str:
    return _pretty(doc) + "\n"


def compare_status(committed: dict, current: dict) -> tuple[list, list]:
    """Ratchet: compare the summaries of the suites that ran (`current`) with the committed status.
    Regressions: a suite's exact or semantic count, or a group's exact count, below the committed
    number.  Improvements: any of those above it (or a suite/group not in the committed file)."""
    regressions, improvements = [], []
    old_suites = committed.get("suites", {})
    for suite in sorted(current):
        new = current[suite]
        old = old_suites.get(suite)
        if old is None:
            improvements.append(f"{suite}: not in the status file yet")
            continue
        for key in ("exact", "semantic"):
            if new[key] < old[key]:
                regressions.append(f"{suite}: {key} {old[key]} -> {new[key]}")
            elif new[key] > old[key]:
                improvements.append(f"{suite}: {key} {old[key]} -> {new[key]}")
        if new["total"] != old["total"]:
            improvements.append(f"{suite}: corpus changed, total {old['total']} -> {new['total']}")
        old_groups, new_groups = old.get("groups", {}), new.get("groups", {})
        for g in sorted(set(old_groups) | set(new_groups)):
            o = old_groups.get(g, {}).get("exact", 0)
            n = new_groups.get(g, {}).get("exact", 0)
            if g not in new_groups and o > 0:
                regressions.append(f"{suite} [{g}]: exact {o} -> group no longer in the corpus")
            elif n < o:
                regressions.append(f"{suite} [{g}]: exact {o} -> {n}")
            elif n > o:
                improvements.append(f"{suite} [{g}]: exact {o} -> {n}")
    return regressions, improvements


# ============================================================================ running processes

def hermetic_env(home: str) -> dict:
    """The reference outputs were made with an empty HOME, empty HELM_*_HOME, a missing kubeconfig
    and TZ=UTC; the same environment is used for every tool."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE", "XDG_"))}
    env.update({"HOME": home, "HELM_CACHE_HOME": os.path.join(home, "cache"),
                "HELM_CONFIG_HOME": os.path.join(home, "config"), "HELM_DATA_HOME": os.path.join(home, "data"),
                "KUBECONFIG": os.path.join(home, "no-kubeconfig"), "TZ": "UTC", "NO_COLOR": "1",
                "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
    return env


@dataclasses.dataclass
class Proc:
    rc: int | None  # None: could not start or timed out
    stdout: bytes
    stderr: bytes
    ms: float
    failure: str | None = None  # why rc is None
    output: bytes | None = None  # artifact: the tarball written at --output (None: none written)


def _umask_022():
    os.umask(0o022)


def run_process(argv: list, cwd: str, tmp_root: str, timeout: float, umask: bool = False,
                stdin: bytes | None = None) -> Proc:
    """Run argv in its own session with a fresh empty HOME (and umask 022 if asked, and `stdin` as
    its standard input if given); on timeout kill its process group."""
    home = tempfile.mkdtemp(prefix="home-", dir=tmp_root)
    t0 = time.perf_counter()
    try:
        try:
            p = subprocess.Popen(argv, cwd=cwd, env=hermetic_env(home),
                                 stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True,
                                 preexec_fn=_umask_022 if umask else None)
        except OSError as err:
            return Proc(None, b"", b"", 0.0, f"cannot run {argv[0]}: {err}")
        try:
            out, err = p.communicate(input=stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            try:
                os.killpg(p.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            out, err = p.communicate()
            return Proc(None, out, err, (time.perf_counter() - t0) * 1000, f"timed out after {timeout:g}s")
        return Proc(p.returncode, out, err, (time.perf_counter() - t0) * 1000)
    finally:
        shutil.rmtree(home, ignore_errors=True)


# ============================================================================ tools

@dataclasses.dataclass
class Tool:
    """How to invoke one implementation."""
    name: str
    description: str
    kustomize_cmd: list  # e.g. [binary, "kustomize"]
    template_cmd: list  # e.g. [binary, "template"]
    target_first: bool  # gitward: `kustomize <dir> <args>`; kubectl: `kustomize <args> <dir>`
    helm_command: str | None = None  # passed as --helm-command to --enable-helm cases (kubectl only)
    semver_cmd: list | None = None  # e.g. [binary, "semver"]; None: not available
    health_cmd: list | None = None  # e.g. [binary, "health"]; None: not available
    artifact_cmd: list | None = None  # e.g. [binary, "build", "artifact"]; None: found when needed
    apply_cmd: list | None = None  # e.g. [binary, "apply"]; None: not available
    envsubst_cmd: list | None = None  # e.g. [binary, "envsubst"]; None: not available
    flux_build_cmd: list | None = None  # e.g. [binary, "build", "kustomization"]; None: not available

    def kustomize(self, target: str, args: list) -> list:
        if self.target_first:
            return self.kustomize_cmd + [target] + args
        extra = ["--helm-command", self.helm_command] if self.helm_command and "--enable-helm" in args else []
        return self.kustomize_cmd + args + extra + [target]

    def template(self, args: list) -> list:
        return self.template_cmd + args

    def semver(self, args: list) -> list:
        return (self.semver_cmd or []) + args

    def health(self, args: list) -> list:
        return (self.health_cmd or []) + args

        if suite == "semver":
            return self.semver_cmd or []
        if suite == "health":
            return self.health_cmd or []
    def artifact(self, path: str, output: str, ignore_paths: list | None) -> list:
        return (self.artifact_cmd or []) + ["--path", path, "--output", output] + artifact_flags(ignore_paths)

    def subcommand(self, suite: str) -> list:
        if suite == "semver":
            return self.semver_cmd or []
        if suite == "health":
            return self.health_cmd or []
        if suite == "artifact":
            return self.artifact_cmd or []
        if suite == "apply":
            return self.apply_cmd or []
        if suite == "envsubst":
            return self.envsubst_cmd or []
        if suite == "flux-build":
            return self.flux_build_cmd or []
        return self.kustomize_cmd if suite == "kustomize" else self.template_cmd


def gitward_tool(binary: str) -> Tool:
    # gitward renders charts natively: --enable-helm is passed as is, without --helm-command.
    return Tool("gitward", binary, [binary, "kustomize"], [binary, "template"], target_first=True,
                semver_cmd=[binary, "semver"], health_cmd=[binary, "health"],
                artifact_cmd=[binary, "build", "artifact"], apply_cmd=[binary, "apply"],
                envsubst_cmd=[binary, "envsubst"],
                flux_build_cmd=[binary, "build", "kustomization"])


def reference_tool(kubectl: str, helm: str, helm3: str, semver_ref: str | None = None,
                   kstatus_ref: str | None = None, flux: str | None = None,
                   applyref: str | None = None) -> Tool:
    # as the reference outputs were made: kubectl kustomize <args> [--helm-command <helm v3>] input/<build>
    # semver: tools/semver-ref, the corpus's Go program (it accepts and skips a leading `semver`)
    # health: tools/kstatus-ref, the corpus's Go program (it accepts and skips a leading `health`)
    # artifact: the flux CLI (v2.9.5)
    return Tool("reference", f"kubectl={kubectl} helm={helm} helm3={helm3} semver-ref={semver_ref} "
                             f"kstatus-ref={kstatus_ref}" + (f" flux={flux}" if flux else ""),
                [kubectl, "kustomize"], [helm, "template"], target_first=False, helm_command=helm3,
                semver_cmd=[semver_ref, "semver"] if semver_ref else None,
                health_cmd=[kstatus_ref, "health"] if kstatus_ref else None,
                artifact_cmd=[flux, "build", "artifact"] if flux else None,
                apply_cmd=[applyref, "apply"] if applyref else None,
                flux_build_cmd=[flux, "build", "kustomization"] if flux else None)


def probe(argv: list, tmp_root: str, timeout: float) -> str | None:
    """None if `<tool> <subcommand> --help` works, else why not (the suite then fails as a whole,
    fast, instead of running every case against a missing subcommand)."""
    p = run_process(argv, tmp_root, tmp_root, timeout)
    if p.failure:
        return p.failure
    if p.rc != 0 or not (p.stdout.strip() or p.stderr.strip()):
        first = (p.stderr or p.stdout).decode("utf-8", "replace").strip().splitlines()
        return describe_exit(p.rc) + (": " + _clip(first[0], 160) if first else ", no output")
    return None


# ============================================================================ suites

@dataclasses.dataclass
class Case:
    """One case of a corpus: how to run it and what to compare with."""
    suite: str
    name: str
    groups: list
    kind: str  # "output" | "error"
    cwd: str  # kustomize: the case dir; helm: the corpus root; helm-funcs: "" (a fresh temp dir)
    args: list  # kustomize: the case's flags; helm, helm-funcs: the `template` arguments
    target: str = ""  # kustomize: the directory to build, relative to cwd
    expected_file: str = ""  # kustomize, helm: expected.yaml
    volatile: list | None = None  # helm: lines to mask
    chart_files: dict | None = None  # helm-funcs: the chart to write ({path: bytes})
    expected_bytes: bytes = b""  # helm-funcs: the rendered snippet; artifact: expected.tgz
    expected_json: list | None = None  # health: the expected array
    tree: dict | None = None  # artifact: tree.json
    ignore_paths: list | None = None  # artifact: the --ignore-paths values (None: no flag)
    stdin: bytes | None = None  # envsubst: input.txt
    kustomization_file: str = ""  # flux-build: the Flux Kustomization file, relative to input/


def _read_json(path: str):
    with open(path, encoding="utf-8") as f:
        return json.load(f)


def kustomize_cases(root: str) -> list:
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        meta = _read_json(os.path.join(d, "case.json"))
        build = meta.get("build", ".")
        is_error = os.path.exists(os.path.join(d, "expected-error.txt"))
        # cwd = case dir and a relative target: how the reference outputs were made
        cases.append(Case("kustomize", name, sorted(set(meta.get("tags") or [])) or [UNTAGGED],
                          "error" if is_error else "output", d, list(meta.get("args") or []),
                          target="input" if build in (".", "") else os.path.join("input", build),
                          expected_file=os.path.join(d, "expected.yaml")))
    return cases


def helm_case_args(case_rel: str, meta: dict) -> list:
    """`helm template` arguments of a real-chart case; paths relative to the corpus root (the cwd).
    `case_rel` is the case directory relative to the corpus root."""
    chart = os.path.join("charts", meta["chart"])
    if meta.get("chart_path"):
        chart = os.path.join(chart, meta["chart_path"])
    args = [] if meta.get("release") is None else [meta["release"]]
    args += [chart, "--namespace", meta["namespace"]]
    for v in meta.get("values") or []:
        args += ["--values", os.path.normpath(os.path.join(case_rel, v))]
    for key, flag in (("set", "--set"), ("set_string", "--set-string"), ("set_json", "--set-json")):
        for s in meta.get(key) or []:
            args += [flag, s]
    for s in meta.get("set_file") or []:
        k, _, path = s.partition("=")
        args += ["--set-file", f"{k}={os.path.normpath(os.path.join(case_rel, path))}"]
    return args + list(meta.get("args") or [])


def helm_cases(root: str) -> list:
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        rel = os.path.join("cases", name)
        meta = _read_json(os.path.join(root, rel, "case.json"))
        is_error = os.path.exists(os.path.join(root, rel, "expected-error.txt"))
        cases.append(Case("helm", name, [meta["chart"]], "error" if is_error else "output", root,
                          helm_case_args(rel, meta), expected_file=os.path.join(root, rel, "expected.yaml"),
                          volatile=meta.get("volatile")))
    return cases


def read_tree(root: str) -> dict:
    """{relative path: bytes} of every file under root."""
    files = {}
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for fn in sorted(filenames):
            full = os.path.join(dirpath, fn)
            with open(full, "rb") as f:
                files[os.path.relpath(full, root)] = f.read()
    return files


def write_tree(root: str, files: dict) -> None:
    for rel, data in files.items():
        path = os.path.join(root, rel)
        os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(data)


def funcs_chart_files(base: dict, rec: dict) -> dict:
    """The chart a snippet is rendered in: base-chart/ + values.yaml + extra files + the snippet as
    templates/_snippet.tpl + the b64enc wrapper as templates/snippet.yaml."""
    files = dict(base)
    files["values.yaml"] = rec.get("values_yaml", "").encode("utf-8")
    for rel, text in (rec.get("files") or {}).items():
        files[os.path.normpath(rel)] = text.encode("utf-8")
    files[os.path.join("templates", "_snippet.tpl")] = rec["template"].encode("utf-8")
    files[os.path.join("templates", "snippet.yaml")] = FUNCS_WRAPPER.encode("utf-8")
    return files


def funcs_args(rec: dict) -> list:
    args = [rec.get("release", "r1"), FUNCS_CHART_DIR, "--namespace", rec.get("namespace", "ns1")]
    for key, flag in (("set", "--set"), ("set_string", "--set-string"), ("set_json", "--set-json")):
        for s in rec.get(key) or []:
            args += [flag, s]
    return args + list(rec.get("args") or [])


def funcs_cases(root: str) -> list:
    base = read_tree(os.path.join(root, "base-chart"))
    with open(os.path.join(root, "cases.jsonl"), encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    cases = []
    for rec in sorted(recs, key=lambda r: r["name"]):
        if "error" in rec:
            expected = b""
        elif "expected" in rec:
            expected = rec["expected"].encode("utf-8")
        else:
            expected = base64.b64decode(rec["expected_b64"])
        cases.append(Case("helm-funcs", rec["name"], [rec["category"]], "error" if "error" in rec else "output",
                          "", funcs_args(rec), chart_files=funcs_chart_files(base, rec), expected_bytes=expected))
    return cases


def semver_args(rec: dict) -> list:
    """`semver -- RANGE VERSION...`: the range is one argument, whatever it holds."""
    return ["--", rec["range"]] + list(rec.get("versions") or [])


def semver_cases(root: str) -> list:
    with open(os.path.join(root, "cases.jsonl"), encoding="utf-8") as f:
        recs = [json.loads(line) for line in f if line.strip()]
    return [Case("semver", rec["name"], [rec["category"]], "error" if "error" in rec else "output", "",
                 semver_args(rec), expected_bytes=rec.get("expected", "").encode("utf-8"))
            for rec in sorted(recs, key=lambda r: r["name"])]


def health_cases(root: str) -> list:
    """health: one case per folder; the command gets the absolute path of input.yaml."""
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        meta = _read_json(os.path.join(d, "case.json"))
        cases.append(Case("health", name, [meta["category"]], "output", "",
                          ["-f", os.path.join(d, "input.yaml"), "-o", "json"],
                          expected_json=_read_json(os.path.join(d, "expected.json"))))
    return cases



def artifact_cases(root: str) -> list:
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        meta = _read_json(os.path.join(d, "case.json"))
        is_error = os.path.exists(os.path.join(d, "expected-error.txt"))
        expected = b""
        if not is_error:
            with open(os.path.join(d, "expected.tgz"), "rb") as f:
                expected = f.read()
        cases.append(Case("artifact", name, [meta["category"]], "error" if is_error else "output", "", [],
                          target=meta.get("path", "."), expected_bytes=expected,
                          tree=_read_json(os.path.join(d, "tree.json")), ignore_paths=meta.get("ignore_paths")))
    return cases


def apply_cases(root: str) -> list:
    """apply: one case per scenario folder; the corpus's runner does the running."""
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        if not os.path.exists(os.path.join(d, "case.json")):
            continue
        meta = _read_json(os.path.join(d, "case.json"))
        cases.append(Case("apply", name, [meta["category"]], "output", d, []))
    return cases


APPLY_FAIL = re.compile(r"^FAIL (\S+) \[[^\]]*\] steps ([^:]*): (.*)$")


def run_apply_suite(cases: list, tool: Tool, root: str, tmp_root: str, timeout: float,
                    runner_log: list) -> list:
    """Runs the corpus's own runner (`../shared/tools/apply_conformance.py`) once over the selected
    scenarios, each on a fresh test cluster (scripts/test-cluster.sh, in a run dir of its own), and
    turns its `FAIL name [category] steps S: checks` lines into results. exact: every check of every
    apply step passed; semantic: only the live objects differ."""
    script = os.path.join(root, "..", "..", "tools", "apply_conformance.py")
    if not os.path.exists(script):
        reason = f"{script} not found"
        return [Result("apply", c.name, c.groups, c.kind, False, False, None, False, 0.0, reason) for c in cases]
    binary = " ".join(shlex_quote(a) for a in tool.subcommand("apply"))
    cmd_tpl = (f"{binary} -f {{file}} --kubeconfig {{kubeconfig}} --field-manager gitward "
               "--inventory-file {inventory} --owner-name {owner_name} --owner-namespace {owner_namespace} "
               "{prune} {force} -o json")
    argv = [sys.executable, script, root, "--project", REPO, "--verbose", "--cmd", cmd_tpl,
            "--run-dir", os.path.join(tmp_root, "apply-run")]
    if os.environ.get("KUBECTL"):
        argv += ["--kubectl", os.environ["KUBECTL"]]
    all_names = {c.name for c in apply_cases(root)}
    if {c.name for c in cases} != all_names:
        for c in cases:
            argv += ["--only", c.name]
    t0 = time.perf_counter()
    p = subprocess.run(argv, capture_output=True, text=True, check=False, cwd=REPO,
                       timeout=max(600.0, timeout * len(cases)))
    ms = (time.perf_counter() - t0) * 1000 / max(1, len(cases))
    runner_log.append(p.stdout + p.stderr)
    lines = p.stdout.splitlines()
    if not lines or not re.match(r"^\d+ passed, \d+ failed$", lines[-1].strip()):
        reason = "the apply runner did not finish: " + _clip((p.stderr or p.stdout).strip()[-400:], 400)
        return [Result("apply", c.name, c.groups, c.kind, False, False, None, False, ms, reason) for c in cases]
    failures: dict = {}
    current = None
    for line in lines:
        m = APPLY_FAIL.match(line)
        if m:
            current = m.group(1)
            failures[current] = {"steps": m.group(2), "checks": m.group(3).split(","), "detail": []}
        elif current and line.startswith("    "):
            failures[current]["detail"].append(line.strip())
        else:
            current = None
    results = []
    for c in cases:
        f = failures.get(c.name)
        if f is None:
            results.append(Result("apply", c.name, c.groups, c.kind, True, True, 0, False, ms))
            continue
        semantic = set(f["checks"]) <= {"live"}
        results.append(Result("apply", c.name, c.groups, c.kind, False, semantic, None, False, ms,
                              f"steps {f['steps']}: {', '.join(f['checks'])}", "\n".join(f["detail"])))
    return results


def shlex_quote(arg: str) -> str:
    import shlex
    return shlex.quote(arg)


def envsubst_cases(root: str) -> list:
    """envsubst: one case per folder; `[--strict] --var NAME=VALUE...` with input.txt as stdin."""
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        meta = _read_json(os.path.join(d, "case.json"))
        args = (["--strict"] if meta.get("strict") else []) + [
            f"--var={k}={v}" for k, v in sorted(meta.get("vars", {}).items())]
        with open(os.path.join(d, "input.txt"), "rb") as f:
            stdin = f.read()
        expected = b""
        if meta["expect"] == "output":
            with open(os.path.join(d, "expected.txt"), "rb") as f:
                expected = f.read()
        cases.append(Case("envsubst", name, [meta["category"]], "error" if meta["expect"] == "error" else "output",
                          "", args, expected_bytes=expected, stdin=stdin))
    return cases


def flux_build_cases(root: str) -> list:
    """flux-build: one case per folder; the tree is input/, built at case.json's `path` with the
    Kustomization `name` from `kustomization_file`."""
    cases = []
    for name in sorted(os.listdir(os.path.join(root, "cases"))):
        d = os.path.join(root, "cases", name)
        meta = _read_json(os.path.join(d, "case.json"))
        kind = "error" if meta["expect"] == "error" else "output"
        cases.append(Case("flux-build", name, [meta["category"]], kind, d,
                          [meta["name"]] + list(meta.get("args", [])), target=meta["path"],
                          expected_file=os.path.join(d, "expected.yaml") if kind == "output" else "",
                          kustomization_file=meta["kustomization_file"]))
    return cases


LOADERS = {"kustomize": kustomize_cases, "helm": helm_cases, "helm-funcs": funcs_cases, "semver": semver_cases,
           "health": health_cases, "artifact": artifact_cases, "apply": apply_cases,
           "envsubst": envsubst_cases, "flux-build": flux_build_cases}


def _execute_artifact(case: Case, tool: Tool, tmp_root: str, timeout: float) -> Proc:
    """Materialise the tree in a fresh folder, run `build artifact` there with umask 022 (as the
    corpus was made), and keep the tarball written at --output."""
    work = tempfile.mkdtemp(prefix="artifact-", dir=tmp_root)
    try:
        root = os.path.join(work, "input")
        materialise_tree(case.tree, root)
        os.makedirs(os.path.join(work, "out"))
        output = os.path.join(work, "out", "artifact.tgz")
        path = os.path.normpath(os.path.join(root, *case.target.split("/")))
        p = run_process(tool.artifact(path, output, case.ignore_paths), work, tmp_root, timeout, umask=True)
        if os.path.isfile(output):
            with open(output, "rb") as f:
                p.output = f.read()
        return p
    finally:
        remove_tree(work)


def _execute_flux_build(case: Case, tool: Tool, tmp_root: str, timeout: float) -> Proc:
    """input/ copied to a fresh directory T (the command may write there, as flux does), then
    `build kustomization NAME --path T/PATH --kustomization-file T/FILE --dry-run ARGS` in T."""
    work = tempfile.mkdtemp(prefix="flux-build-", dir=tmp_root)
    try:
        t = os.path.join(work, "input")
        shutil.copytree(os.path.join(case.cwd, "input"), t, symlinks=True)
        path = os.path.normpath(os.path.join(t, *case.target.split("/")))
        kfile = os.path.normpath(os.path.join(t, *case.kustomization_file.split("/")))
        argv = (tool.flux_build_cmd or []) + [case.args[0], "--path", path, "--kustomization-file", kfile,
                                              "--dry-run"] + case.args[1:]
        return run_process(argv, t, tmp_root, timeout)
    finally:
        remove_tree(work)


def _execute(case: Case, tool: Tool, tmp_root: str, timeout: float) -> Proc:
    if case.suite == "artifact":
        return _execute_artifact(case, tool, tmp_root, timeout)
    if case.suite == "flux-build":
        return _execute_flux_build(case, tool, tmp_root, timeout)
    if case.suite == "kustomize":
        return run_process(tool.kustomize(case.target, case.args), case.cwd, tmp_root, timeout)
    if case.suite == "helm":
        return run_process(tool.template(case.args), case.cwd, tmp_root, timeout)
    if case.suite == "semver":
        return run_process(tool.semver(case.args), tmp_root, tmp_root, timeout)
    if case.suite == "health":
        return run_process(tool.health(case.args), tmp_root, tmp_root, timeout)
    if case.suite == "envsubst":
        return run_process((tool.envsubst_cmd or []) + case.args, tmp_root, tmp_root, timeout, stdin=case.stdin)
    work = tempfile.mkdtemp(prefix="funcs-", dir=tmp_root)
    try:
        write_tree(os.path.join(work, FUNCS_CHART_DIR), case.chart_files)
        return run_process(tool.template(case.args), work, tmp_root, timeout)
    finally:
        shutil.rmtree(work, ignore_errors=True)


def score(case: Case, p: Proc) -> Result:
    """Score one finished process against its case."""
    def result(exact, semantic, reason=None, detail=None):
        return Result(case.suite, case.name, case.groups, case.kind, exact, semantic, p.rc,
                      bool(p.stderr.strip()), round(p.ms, 1), reason, detail)

    stdout = p.stdout.decode("utf-8", "replace")
    stderr = p.stderr.decode("utf-8", "replace").strip()
    if p.failure:  # could not start, or timed out
        return result(False, False, p.failure)
    if case.kind == "error":
        ok, reason = error_verdict(p.rc)
        return result(ok, ok, reason, None if ok else _clip(stdout, 2000))
    if p.rc != 0:
        last = stderr.splitlines()[-1] if stderr else "no stderr"
        return result(False, False, f"{describe_exit(p.rc)}, expected exit 0: {_clip(last, 160)}", _clip(stderr, 2000))
    if case.suite == "semver":
        exact, semantic, reason = compare_lines(p.stdout, case.expected_bytes)
        return result(exact, semantic, reason, None if exact else
                      f"expected {case.expected_bytes!r}\nactual   {p.stdout!r}")
    if case.suite == "health":
        exact, semantic, reason, n_exact, n_total = compare_health(p.stdout, case.expected_json or [])
        r = result(exact, semantic, reason, None if exact else _clip(stdout, 2000))
        r.objects = [n_exact, n_total]
        return r
    if case.suite == "artifact":
        if p.output is None:
            return result(False, False, "no tarball written at --output")
        exact, semantic, reason = compare_tarballs(p.output, case.expected_bytes)
        return result(exact, semantic, reason, None if exact else
                      f"expected sha256 {hashlib.sha256(case.expected_bytes).hexdigest()}, "
                      f"got {hashlib.sha256(p.output).hexdigest()}")
    if case.suite == "envsubst":
        exact = p.stdout == case.expected_bytes
        return result(exact, exact, None if exact else "output differs",
                      None if exact else f"expected {case.expected_bytes!r}\nactual   {p.stdout!r}")
    if case.suite == "helm-funcs":
        try:
            actual = decode_wrapped(p.stdout)
        except ValueError as err:
            return result(False, False, str(err), _clip(stdout, 2000))
        exact, semantic, reason = compare_text(actual, case.expected_bytes)
        return result(exact, semantic, reason,
                      None if exact else f"expected {case.expected_bytes!r}\nactual   {actual!r}")
    with open(case.expected_file, encoding="utf-8", errors="surrogateescape", newline="") as f:
        expected = f.read()
    actual = p.stdout.decode("utf-8", "surrogateescape")
    exact, semantic, reason = compare_yaml_output(actual, expected, case.volatile)
    return result(exact, semantic, reason, None if exact else
                  unified_diff(mask_volatile(actual, case.volatile), mask_volatile(expected, case.volatile)))


def run_suite(cases: list, tool: Tool, suite: str, tmp_root: str, jobs: int, timeout: float):
    """Results sorted by case name, and why the suite could not run (None if it could)."""
    cmd = tool.subcommand(suite)
    unavailable = probe(cmd + ["--help"], tmp_root, timeout) if cmd else "no command configured"
    if unavailable:
        reason = f"`{tool.name} {' '.join(tool.subcommand(suite)[1:])}` is not available ({unavailable})"
        return [Result(suite, c.name, c.groups, c.kind, False, False, None, False, 0.0, reason) for c in cases], reason
    if suite == "apply":
        root = os.path.dirname(cases[0].cwd.rstrip("/")) if cases else ""
        results = run_apply_suite(cases, tool, os.path.dirname(root), tmp_root, timeout, [])
        return sorted(results, key=lambda r: r.case), None
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        results = list(ex.map(lambda c: score(c, _execute(c, tool, tmp_root, timeout)), cases))
    return sorted(results, key=lambda r: r.case), None


# ============================================================================ reporting

def print_suite_report(suite: str, results: list, summary: dict, seconds: float, unavailable: str | None,
                       verbose: bool) -> None:
    label = {"kustomize": "tag", "helm": "chart", "helm-funcs": "category", "semver": "category",
             "health": "category", "artifact": "category", "apply": "category",
             "envsubst": "category", "flux-build": "category"}[suite]
    print(f"\n=== {suite}")
    if unavailable:
        print(f"{suite}: {unavailable}; all {len(results)} cases count as failed")
    for r in results:
        if not verbose and (r.exact or unavailable):
            continue
        status = "PASS" if r.exact else ("FAIL(semantic ok)" if r.semantic else "FAIL")
        print(f"{status} {suite}/{r.case}" + (f": {r.reason}" if r.reason else ""))
        if verbose and r.detail:
            print("    " + r.detail.rstrip("\n").replace("\n", "\n    "))
    width = max([len(label)] + [len(g) for g in summary["groups"]])
    print(f"\n{label:<{width}}  {'exact':>5}  {'semantic':>8}  {'total':>5}")
    for g, c in summary["groups"].items():
        print(f"{g:<{width}}  {c['exact']:>5}  {c['semantic']:>8}  {c['total']:>5}")
    if suite == "health":
        done = sum(r.objects[0] for r in results if r.objects)
        total = sum(r.objects[1] for r in results if r.objects)
        print(f"\nhealth objects: {done}/{total} exact (id, status and message)")
    n_err = sum(r.kind == "error" for r in results)
    n_stderr = sum(r.stderr_nonempty for r in results)
    print(f"\n{suite}: exact {summary['exact']}/{summary['total']}, semantic {summary['semantic']}/{summary['total']}"
          f" ({summary['total'] - n_err} output cases, {n_err} error cases; stderr non-empty in {n_stderr})"
          f" in {seconds:.1f}s")


def results_json(tool: Tool, runs: dict, passed: int, failed: int) -> dict:
    return {"tool": tool.name, "command": tool.description, "passed": passed, "failed": failed,
            "suites": {s: {"summary": runs[s]["summary"], "seconds": round(runs[s]["seconds"], 2),
                           "unavailable": runs[s]["unavailable"],
                           "results": [dataclasses.asdict(r) for r in runs[s]["results"]]}
                       for s in runs}}


# ============================================================================ main

def corpus_root() -> str:
    return os.path.abspath(os.environ.get("GITWARD_CONFORMANCE") or os.path.join(REPO, "..", "shared", "conformance"))


def default_binary() -> str:
    # like cargo, a relative CARGO_TARGET_DIR is relative to the current directory
    target = os.path.abspath(os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"))
    return os.path.join(target, "debug", "gitward")


def reference_semver(tmp_root: str) -> str | None:
    """The Go reference of the semver corpus: $SEMVER_REF, else tools/semver-ref built with `go build`
    into tmp_root (None when Go is missing or the build fails)."""
    if os.environ.get("SEMVER_REF"):
        return os.path.abspath(os.environ["SEMVER_REF"])
    if not shutil.which("go"):
        return None
    out = os.path.join(tmp_root, "semver-ref")
    p = subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(REPO, "tools", "semver-ref"),
                       check=False, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"semver-ref: go build failed:\n{p.stderr}")
        return None
    return out


def reference_kstatus(tmp_root: str) -> str | None:
    """The Go reference of the health corpus: $KSTATUS_REF if set, else tools/kstatus-ref built with
    `go build` into tmp_root (None when Go is missing or the build fails)."""
    if os.environ.get("KSTATUS_REF"):
        return os.path.abspath(os.environ["KSTATUS_REF"])
    if not shutil.which("go"):
        return None
    out = os.path.join(tmp_root, "kstatus-ref")
    p = subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(REPO, "tools", "kstatus-ref"),
                       check=False, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"kstatus-ref: go build failed:\n{p.stderr}")
        return None
    return out


def reference_applyref(root: str, tmp_root: str) -> str | None:
    """The Go reference of the apply corpus: $APPLYREF if set, else the corpus's reference/main.go
    built with `go build` into tmp_root (about 5 minutes on 2 cores; None without Go)."""
    if os.environ.get("APPLYREF"):
        return os.path.abspath(os.environ["APPLYREF"])
    if not shutil.which("go"):
        return None
    out = os.path.join(tmp_root, "applyref")
    p = subprocess.run(["go", "build", "-o", out, "."], cwd=os.path.join(root, "apply", "reference"),
                       check=False, capture_output=True, text=True)
    if p.returncode != 0:
        print(f"applyref: go build failed:\n{p.stderr}")
        return None
    return out


def flux_path(root: str) -> str:
    """FLUX from the environment, else built (once, cached) by the shared build-flux-reference.sh."""
    if os.environ.get("FLUX"):
        return os.environ["FLUX"]
    script = os.path.join(root, "..", "tools", "build-flux-reference.sh")
    if not os.path.exists(script):
        raise SystemExit(f"error: {script} not found; set FLUX")
    p = subprocess.run(["bash", script], check=False, capture_output=True, text=True)
    found = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    if p.returncode != 0 or "FLUX" not in found:
        raise SystemExit(f"error: {script} failed:\n{p.stderr}")
    return found["FLUX"]


def reference_paths(root: str) -> tuple:
    """KUBECTL/HELM/HELM3 from the environment if all set, else from the shared install script."""
    if all(os.environ.get(k) for k in ("KUBECTL", "HELM", "HELM3")):
        return os.environ["KUBECTL"], os.environ["HELM"], os.environ["HELM3"]
    script = os.path.join(root, "..", "tools", "reference-tools.sh")
    if not os.path.exists(script):
        raise SystemExit(f"error: {script} not found; set KUBECTL, HELM and HELM3")
    p = subprocess.run(["bash", script], check=False, capture_output=True, text=True)
    if p.returncode != 0:
        raise SystemExit(f"error: {script} failed:\n{p.stderr}")
    found = dict(line.split("=", 1) for line in p.stdout.splitlines() if "=" in line)
    try:
        return found["KUBECTL"], found["HELM"], found["HELM3"]
    except KeyError as err:
        raise SystemExit(f"error: {script} did not print {err.args[0]}=...") from None


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tool", choices=["gitward", "reference"], default="gitward")
    ap.add_argument("--bin", help="gitward binary (default: $GITWARD_BIN, else "
                                  "${CARGO_TARGET_DIR:-<repo>/target}/debug/gitward)")
    ap.add_argument("--suite", choices=list(SUITES) + ["all"], default="all")
    ap.add_argument("--filter", help="only cases whose name matches this regex (re.search)")
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--timeout", type=float, default=120, help="seconds per case (default 120)")
    ap.add_argument("--json", metavar="FILE", help="write every result here")
    ap.add_argument("--check-status", action="store_true",
                    help="fail if a count is below tests/conformance/status.json (ratchet)")
    ap.add_argument("--update-status", action="store_true", help="rewrite tests/conformance/status.json")
    ap.add_argument("--status-file", default=STATUS_FILE, help=argparse.SUPPRESS)
    ap.add_argument("-v", "--verbose", action="store_true", help="print passing cases and failure diffs")
    o = ap.parse_args(argv)
    if (o.check_status or o.update_status) and (o.tool != "gitward" or o.filter):
        ap.error("--check-status/--update-status need --tool gitward and no --filter")
    if o.check_status and o.update_status:
        ap.error("--check-status and --update-status are exclusive")
    return o


def main(argv=None) -> int:
    o = parse_args(argv)
    root = corpus_root()
    suites = list(SUITES) if o.suite == "all" else [o.suite]
    present = []
    for s in suites:
        path = os.path.join(root, s)
        if os.path.isdir(path):
            present.append(s)
        elif os.environ.get("CI") == "true":
            print(f"ERROR: corpus not found at {path} (CI=true: a missing corpus is a failure)")
            return 1
        else:
            print(f"SKIP: corpus not found at {path} (set GITWARD_CONFORMANCE)")
    if not present:
        return 0

    if o.tool == "gitward":
        binary = os.path.abspath(o.bin or os.environ.get("GITWARD_BIN") or default_binary())
        if not os.access(binary, os.X_OK):
            print(f"error: gitward binary not found at {binary} (cargo build --bin gitward, or --bin/GITWARD_BIN)")
            return 2
        tool = gitward_tool(binary)
    pattern = re.compile(o.filter) if o.filter else None
    runs = {}
    tmp_root = tempfile.mkdtemp(prefix="gitward-conformance-")
    try:
        if o.tool != "gitward":
            # kubectl and helm only when a suite needs them; the semver and kstatus references are
            # built from Go, flux by the shared build-flux-reference.sh
            paths = (reference_paths(root) if set(present) - {"semver", "health", "artifact", "apply",
                                                              "flux-build"}
                     else ("", "", ""))
            tool = reference_tool(*paths, reference_semver(tmp_root) if "semver" in present else None,
                                  reference_kstatus(tmp_root) if "health" in present else None,
                                  flux=flux_path(root) if {"artifact", "flux-build"} & set(present) else None,
                                  applyref=reference_applyref(root, tmp_root) if "apply" in present else None)
        print(f"tool: {tool.name} ({tool.description}); corpora: {root}; jobs: {o.jobs}")
        for s in present:
            cases = [c for c in LOADERS[s](os.path.join(root, s)) if not pattern or pattern.search(c.name)]
            t0 = time.perf_counter()
            results, unavailable = run_suite(cases, tool, s, tmp_root, o.jobs, o.timeout)
            seconds = time.perf_counter() - t0
            summary = summarize(results)
            runs[s] = {"results": results, "summary": summary, "seconds": seconds, "unavailable": unavailable}
            print_suite_report(s, results, summary, seconds, unavailable, o.verbose)
    finally:
        shutil.rmtree(tmp_root, ignore_errors=True)

    passed = sum(r["summary"]["exact"] for r in runs.values())
    failed = sum(r["summary"]["total"] for r in runs.values()) - passed
    if o.json:
        with open(o.json, "w", encoding="utf-8") as f:
            json.dump(results_json(tool, runs, passed, failed), f, indent=1)
            f.write("\n")

    summaries = {s: r["summary"] for s, r in runs.items()}
    rc = 0 if failed == 0 else 1
    if o.check_status or o.update_status:
        committed = None
        if os.path.exists(o.status_file):
            with open(o.status_file, encoding="utf-8") as f:
                committed = json.load(f)
        print(f"\n=== status ({os.path.relpath(o.status_file, REPO)})")
        if o.update_status:
            regressions, _ = compare_status(committed or {}, summaries)
            for line in regressions:
                print(f"note: lower than before: {line}")
            with open(o.status_file, "w", encoding="utf-8") as f:
                f.write(dump_status(status_document(summaries, committed)))
            print(f"wrote {o.status_file}")
            rc = 0
        elif committed is None:
            print(f"ERROR: {o.status_file} not found; create it with scripts/conformance.sh update")
            rc = 1
        else:
            regressions, improvements = compare_status(committed, summaries)
            for line in regressions:
                print(f"REGRESSION: {line}")
            for line in improvements:
                print(f"improved: {line}")
            if improvements and not regressions:
                print("conformance improved: run `scripts/conformance.sh update` and commit "
                      "tests/conformance/status.json to lock it in")
            if not regressions and not improvements:
                print("matches the committed status")
            rc = 1 if regressions else 0
            # In check mode the verdict is the ratchet's: every committed count is a check.
            checks = count_status_checks(committed, summaries)
            print(f"\nconformance: {passed} of {passed + failed} cases byte-identical")
            print(f"ratchet: {checks - len(regressions)} passed, {len(regressions)} failed")
            return rc
    print(f"\n{passed} passed, {failed} failed")
    return rc


def count_status_checks(committed, summaries):
    """How many counts the ratchet compares: per suite exact and semantic, per group exact."""
    n = 0
    for suite in summaries:
        entry = committed.get("suites", {}).get(suite)
        if entry is None:
            continue
        n += 2 + len(entry.get("groups", {}))
    return n


if __name__ == "__main__":
    sys.exit(main())
