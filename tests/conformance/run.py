#!/usr/bin/env python3
"""gitward conformance runner: score `gitward kustomize` / `gitward template` / `gitward semver` (or
the reference kubectl, helm and Masterminds/semver) against the shared conformance corpora.

Suites (corpora under $GITWARD_CONFORMANCE, default <repo>/../shared/conformance):
  kustomize    cases/<name>/{case.json,input/,expected.yaml|expected-error.txt}; groups = tags
  helm         real charts, cases/<name>/case.json, run with cwd = corpus root; groups = charts
  helm-funcs   cases.jsonl snippets rendered in a chart built from base-chart/; groups = categories
  semver       cases.jsonl version ranges and version lists (`semver -- RANGE VERSION...`); groups =
               categories

Scoring: an output case passes *exactly* when the tool exits 0 and stdout is byte-identical to the
expected output (helm: after masking the case's volatile lines on both sides), *semantically* when
both parse to the same YAML document stream (helm-funcs: the same text up to leading/trailing
whitespace; semver: the same lines in another order).  An error case passes (both ways) only when the tool exits with code 1, as kubectl and
helm do; a panic (101), a usage error (2), a signal or a timeout is a failure.

See tests/conformance/README.md for usage, the status file and the ratchet.
Needs Python >= 3.9 and PyYAML.
"""
from __future__ import annotations

import argparse
import base64
import concurrent.futures
import dataclasses
import difflib
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

import yaml

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
STATUS_FILE = os.path.join(REPO, "tests", "conformance", "status.json")
SUITES = ("kustomize", "helm", "helm-funcs", "semver")
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


def compare_text(actual: bytes, expected: bytes):
    """helm-funcs: exact = byte-identical, semantic = equal up to leading/trailing whitespace."""
    if actual == expected:
        return True, True, None
    semantic = actual.strip() == expected.strip()
    at, got, want = _window(actual, expected)
    return False, semantic, (("text differs (whitespace only)" if semantic else "text differs")
                             + f" at byte {at}: expected {want!r}, got {got!r}")


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


def run_process(argv: list, cwd: str, tmp_root: str, timeout: float) -> Proc:
    """Run argv in its own session with a fresh empty HOME; on timeout kill its process group."""
    home = tempfile.mkdtemp(prefix="home-", dir=tmp_root)
    t0 = time.perf_counter()
    try:
        try:
            p = subprocess.Popen(argv, cwd=cwd, env=hermetic_env(home), stdin=subprocess.DEVNULL,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
        except OSError as err:
            return Proc(None, b"", b"", 0.0, f"cannot run {argv[0]}: {err}")
        try:
            out, err = p.communicate(timeout=timeout)
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

    def kustomize(self, target: str, args: list) -> list:
        if self.target_first:
            return self.kustomize_cmd + [target] + args
        extra = ["--helm-command", self.helm_command] if self.helm_command and "--enable-helm" in args else []
        return self.kustomize_cmd + args + extra + [target]

    def template(self, args: list) -> list:
        return self.template_cmd + args

    def semver(self, args: list) -> list:
        return (self.semver_cmd or []) + args

    def subcommand(self, suite: str) -> list:
        if suite == "semver":
            return self.semver_cmd or []
        return self.kustomize_cmd if suite == "kustomize" else self.template_cmd


def gitward_tool(binary: str) -> Tool:
    # gitward renders charts natively: --enable-helm is passed as is, without --helm-command.
    return Tool("gitward", binary, [binary, "kustomize"], [binary, "template"], target_first=True,
                semver_cmd=[binary, "semver"])


def reference_tool(kubectl: str, helm: str, helm3: str, semver_ref: str | None = None) -> Tool:
    # as the reference outputs were made: kubectl kustomize <args> [--helm-command <helm v3>] input/<build>
    # semver: tools/semver-ref, the corpus's Go program (it accepts and skips a leading `semver`)
    return Tool("reference", f"kubectl={kubectl} helm={helm} helm3={helm3} semver-ref={semver_ref}",
                [kubectl, "kustomize"], [helm, "template"], target_first=False, helm_command=helm3,
                semver_cmd=[semver_ref, "semver"] if semver_ref else None)


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
    expected_bytes: bytes = b""  # helm-funcs: the rendered snippet


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


LOADERS = {"kustomize": kustomize_cases, "helm": helm_cases, "helm-funcs": funcs_cases, "semver": semver_cases}


def _execute(case: Case, tool: Tool, tmp_root: str, timeout: float) -> Proc:
    if case.suite == "kustomize":
        return run_process(tool.kustomize(case.target, case.args), case.cwd, tmp_root, timeout)
    if case.suite == "helm":
        return run_process(tool.template(case.args), case.cwd, tmp_root, timeout)
    if case.suite == "semver":
        return run_process(tool.semver(case.args), tmp_root, tmp_root, timeout)
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
        reason = f"`{tool.name} {cmd[1] if len(cmd) > 1 else suite}` is not available ({unavailable})"
        return [Result(suite, c.name, c.groups, c.kind, False, False, None, False, 0.0, reason) for c in cases], reason
    with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, jobs)) as ex:
        results = list(ex.map(lambda c: score(c, _execute(c, tool, tmp_root, timeout)), cases))
    return sorted(results, key=lambda r: r.case), None


# ============================================================================ reporting

def print_suite_report(suite: str, results: list, summary: dict, seconds: float, unavailable: str | None,
                       verbose: bool) -> None:
    label = {"kustomize": "tag", "helm": "chart", "helm-funcs": "category", "semver": "category"}[suite]
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
            # kubectl and helm only when a suite needs them; the semver reference is built from Go
            paths = reference_paths(root) if set(present) - {"semver"} else ("", "", "")
            tool = reference_tool(*paths, reference_semver(tmp_root) if "semver" in present else None)
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
