"""Self-test of the conformance runner's pure parts, on hand-written fixtures (never corpus data).

    python3 -m pytest tests/conformance/test_runner.py
"""
import base64
import importlib.util
import json
import os
import stat
import sys
import textwrap

import pytest

_spec = importlib.util.spec_from_file_location("conformance_run", os.path.join(os.path.dirname(__file__), "run.py"))
run = sys.modules["conformance_run"] = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(run)


# ------------------------------------------------------------------------------- volatile masking

def test_mask_replaces_listed_lines_that_keep_their_prefix():
    text = "a: 1\n  password: s3cr3t\n  other: x\n"
    vol = [{"line": 2, "prefix": "  password: "}]
    assert run.mask_volatile(text, vol) == "a: 1\n  password: VOLATILE\n  other: x\n"


def test_mask_leaves_a_line_without_the_prefix_so_it_still_differs():
    vol = [{"line": 2, "prefix": "  password: "}]
    got = run.mask_volatile("a: 1\n  token: abc\n", vol)
    assert got == "a: 1\n  token: abc\n"
    assert run.compare_yaml_output(got, "a: 1\n  password: zzz\n", vol)[0] is False


def test_mask_ignores_lines_past_the_end_and_empty_lists():
    assert run.mask_volatile("x\n", [{"line": 9, "prefix": ""}]) == "x\n"
    assert run.mask_volatile("x\n", None) == "x\n"
    assert run.mask_volatile("x\n", []) == "x\n"


def test_volatile_lines_compare_equal_on_both_sides():
    vol = [{"line": 3, "prefix": "  name: "}]
    expected = "---\nmetadata:\n  name: test-abc12\n"
    actual = "---\nmetadata:\n  name: test-zz999\n"
    assert run.compare_yaml_output(actual, expected, vol) == (True, True, None)


# ------------------------------------------------------------------------------- semantic comparison

def test_semantic_ignores_key_order_comments_quoting_and_style():
    expected = "---\n# Source: c/t.yaml\nb: 2\na: 'x'\nl: [1, 2]\n"
    actual = "a: x\nb: 2\nl:\n- 1\n- 2\n"
    exact, semantic, reason = run.compare_yaml_output(actual, expected)
    assert (exact, semantic) == (False, True)
    assert reason.startswith("text differs (semantic match)")


def test_semantic_keeps_list_and_document_order():
    assert not run.same_yaml_stream("l: [1, 2]\n", "l: [2, 1]\n")
    assert not run.same_yaml_stream("a: 1\n---\nb: 2\n", "b: 2\n---\na: 1\n")


def test_semantic_is_type_strict():
    # Python says True == 1 and 1 == 1.0; YAML documents with those values differ.
    assert not run.same_yaml_stream("v: true\n", "v: 1\n")
    assert not run.same_yaml_stream("v: 1\n", "v: 1.0\n")
    assert not run.same_yaml_stream("v: '1'\n", "v: 1\n")
    assert not run.same_yaml_stream("{true: a}\n", "{1: a}\n")
    assert run.same_yaml_stream("v: .nan\n", "v: .NaN\n")


def test_semantic_keeps_dates_as_strings_and_drops_empty_documents():
    assert run.same_yaml_stream("d: 2020-01-02\n", "d: '2020-01-02'\n")
    assert run.same_yaml_stream("---\n---\na: 1\n---\n", "a: 1\n")
    assert run.same_yaml_stream("", "\n")


def test_not_yaml_is_a_failure_with_a_reason():
    exact, semantic, reason = run.compare_yaml_output("a: [\n", "a: 1\n")
    assert (exact, semantic) == (False, False)
    assert reason.startswith("output is not YAML")


def test_exact_is_byte_identical():
    assert run.compare_yaml_output("a: 1\n", "a: 1\n") == (True, True, None)
    exact, semantic, reason = run.compare_yaml_output("a: 1", "a: 1\n")
    assert (exact, semantic) == (False, True)
    exact, semantic, reason = run.compare_yaml_output("a: 2\n", "a: 1\n")
    assert (exact, semantic) == (False, False)
    assert "line 1 col 4: expected 'a: 1', got 'a: 2'" in reason


# ------------------------------------------------------------------------------- helm-funcs decoding

def _wrapped(raw: bytes) -> bytes:
    return b"---\n# Source: funcs/templates/snippet.yaml\nout: " + base64.b64encode(raw) + b"\n"


def test_decode_wrapped_applies_no_value_replacement():
    assert run.decode_wrapped(_wrapped(b"a=<no value>|b")) == b"a=|b"


def test_decode_wrapped_empty_snippet():
    assert run.decode_wrapped(b"---\n# Source: funcs/templates/snippet.yaml\nout: \n") == b""


@pytest.mark.parametrize("stdout", [b"", b"\n", b"other: x\n", b"out: x\n---\nout: y\n", b"out: '!!notb64'\n",
                                    b"out: 12\n", b"out: aGk=\nextra: 1\n"])
def test_decode_wrapped_rejects_other_shapes(stdout):
    # in particular an empty stdout is not an empty snippet
    with pytest.raises(ValueError):
        run.decode_wrapped(stdout)


def test_compare_text():
    assert run.compare_text(b"x\n", b"x\n") == (True, True, None)
    exact, semantic, _ = run.compare_text(b"x", b"x\n")
    assert (exact, semantic) == (False, True)
    exact, semantic, _ = run.compare_text(b"y", b"x")
    assert (exact, semantic) == (False, False)


def test_compare_lines_semantic_is_the_same_lines_in_another_order():
    assert run.compare_lines(b"2.0.0\n1.0.0\n", b"2.0.0\n1.0.0\n") == (True, True, None)
    exact, semantic, reason = run.compare_lines(b"1.0.0\n2.0.0\n", b"2.0.0\n1.0.0\n")
    assert (exact, semantic) == (False, True) and reason.startswith("same lines, other order")
    exact, semantic, _ = run.compare_lines(b"2.0.0\n", b"2.0.0\n1.0.0\n")
    assert (exact, semantic) == (False, False)
    exact, semantic, _ = run.compare_lines(b"", b"1.0.0\n")
    assert (exact, semantic) == (False, False)


# ------------------------------------------------------------------------------- exit codes

@pytest.mark.parametrize("rc,ok", [(1, True), (0, False), (2, False), (101, False), (-9, False), (None, False)])
def test_error_cases_need_exit_code_1(rc, ok):
    assert run.error_verdict(rc)[0] is ok


def test_exit_descriptions():
    assert "panic" in run.error_verdict(101)[1]
    assert "usage error" in run.error_verdict(2)[1]
    assert "SIGKILL" in run.error_verdict(-9)[1]


# ------------------------------------------------------------------------------- case arguments

def test_helm_case_args_paths_are_relative_to_the_corpus_root():
    meta = {"chart": "c", "chart_path": "c-1.0.0.tgz", "release": None, "namespace": "ns1",
            "values": ["../../charts/c/ci/v.yaml", "extra.yaml"], "set": ["a=1"], "set_string": ["b=2"],
            "set_json": ['c={"x":1}'], "set_file": ["d=f.txt"], "args": ["--kube-version", "1.35.0"]}
    assert run.helm_case_args(os.path.join("cases", "c--x"), meta) == [
        "charts/c/c-1.0.0.tgz", "--namespace", "ns1",
        "--values", "charts/c/ci/v.yaml", "--values", "cases/c--x/extra.yaml",
        "--set", "a=1", "--set-string", "b=2", "--set-json", 'c={"x":1}',
        "--set-file", "d=cases/c--x/f.txt", "--kube-version", "1.35.0"]


def test_tool_command_lines():
    gw = run.gitward_tool("/b/gitward")
    assert gw.kustomize("input/app", ["--enable-helm", "--reorder=none"]) == [
        "/b/gitward", "kustomize", "input/app", "--enable-helm", "--reorder=none"]
    assert gw.template(["r1", "chart"]) == ["/b/gitward", "template", "r1", "chart"]
    ref = run.reference_tool("/k", "/h4", "/h3")
    assert ref.kustomize("input", ["--enable-helm"]) == ["/k", "kustomize", "--enable-helm", "--helm-command", "/h3",
                                                         "input"]
    assert ref.kustomize("input", ["--reorder=none"]) == ["/k", "kustomize", "--reorder=none", "input"]
    assert ref.subcommand("helm-funcs") == ["/h4", "template"]
    assert gw.semver(run.semver_args({"range": "- 1.2.3 || >=2", "versions": ["v1", "-x"]})) == [
        "/b/gitward", "semver", "--", "- 1.2.3 || >=2", "v1", "-x"]
    assert run.reference_tool("/k", "/h4", "/h3", "/s").semver(["--", ""]) == ["/s", "semver", "--", ""]
    assert ref.subcommand("semver") == []  # no Go reference: the suite is unavailable


def test_funcs_chart_files_wrap_the_snippet():
    rec = {"name": "n", "template": "{{ .Values.a }}", "values_yaml": "a: 1\n", "files": {"extra/x.txt": "hi"}}
    files = run.funcs_chart_files({"Chart.yaml": b"name: funcs\n"}, rec)
    assert files["templates/_snippet.tpl"] == b"{{ .Values.a }}"
    assert files["templates/snippet.yaml"] == run.FUNCS_WRAPPER.encode()
    assert files["values.yaml"] == b"a: 1\n" and files["extra/x.txt"] == b"hi"
    assert run.funcs_args({"release": "r1", "namespace": "ns1", "set": ["k=v"], "args": ["--is-upgrade"]}) == [
        "r1", "chart", "--namespace", "ns1", "--set", "k=v", "--is-upgrade"]


# ------------------------------------------------------------------------------- status and ratchet

def _result(case, groups, exact, semantic=None):
    return run.Result("s", case, groups, "output", exact, exact if semantic is None else semantic, 0, False, 1.0)


def _summary(*results):
    return run.summarize(list(results))


def test_summarize_counts_a_case_in_each_group():
    s = _summary(_result("a", ["t1", "t2"], True), _result("b", ["t2"], False, True), _result("c", ["t1"], False))
    assert s == {"exact": 1, "semantic": 2, "total": 3,
                 "groups": {"t1": {"exact": 1, "semantic": 1, "total": 2},
                            "t2": {"exact": 1, "semantic": 2, "total": 2}}}


BASE = {"suites": {"kustomize": {"exact": 2, "semantic": 3, "total": 4, "groups": {
    "g1": {"exact": 1, "semantic": 1, "total": 2}, "g2": {"exact": 1, "semantic": 2, "total": 2}}}}}


def test_ratchet_unchanged():
    assert run.compare_status(BASE, {"kustomize": BASE["suites"]["kustomize"]}) == ([], [])


def test_ratchet_detects_a_suite_regression():
    cur = json.loads(json.dumps(BASE["suites"]["kustomize"]))
    cur["semantic"] = 2
    regressions, _ = run.compare_status(BASE, {"kustomize": cur})
    assert regressions == ["kustomize: semantic 3 -> 2"]


def test_ratchet_detects_a_group_regression_hidden_by_a_gain_elsewhere():
    cur = {"exact": 2, "semantic": 3, "total": 4, "groups": {
        "g1": {"exact": 0, "semantic": 0, "total": 2}, "g2": {"exact": 2, "semantic": 2, "total": 2}}}
    regressions, improvements = run.compare_status(BASE, {"kustomize": cur})
    assert regressions == ["kustomize [g1]: exact 1 -> 0"]
    assert improvements == ["kustomize [g2]: exact 1 -> 2"]


def test_ratchet_detects_a_passing_group_that_disappeared():
    cur = {"exact": 2, "semantic": 3, "total": 2, "groups": {"g2": {"exact": 2, "semantic": 3, "total": 2}}}
    regressions, _ = run.compare_status(BASE, {"kustomize": cur})
    assert regressions == ["kustomize [g1]: exact 1 -> group no longer in the corpus"]


def test_ratchet_accepts_improvements():
    cur = {"exact": 3, "semantic": 4, "total": 4, "groups": {
        "g1": {"exact": 2, "semantic": 2, "total": 2}, "g2": {"exact": 1, "semantic": 2, "total": 2}}}
    regressions, improvements = run.compare_status(BASE, {"kustomize": cur})
    assert regressions == []
    assert improvements == ["kustomize: exact 2 -> 3", "kustomize: semantic 3 -> 4", "kustomize [g1]: exact 1 -> 2"]


def test_ratchet_only_checks_the_suites_that_ran():
    assert run.compare_status(BASE, {}) == ([], [])
    assert run.compare_status(BASE, {"helm": {"exact": 0, "semantic": 0, "total": 1, "groups": {}}}) == (
        [], ["helm: not in the status file yet"])


def test_status_document_is_stable_and_keeps_other_suites():
    new = {"helm": {"total": 1, "semantic": 0, "exact": 0, "groups": {"b": {"total": 1, "exact": 0, "semantic": 0}}}}
    doc = run.status_document(new, BASE)
    text = run.dump_status(doc)
    assert text.endswith("}\n") and json.loads(text) == doc
    assert set(doc["suites"]) == {"helm", "kustomize"}
    assert text == run.dump_status(json.loads(text))  # stable: a round trip changes nothing
    assert '"b": {"exact": 0, "semantic": 0, "total": 1}' in text  # one line per group, sorted keys
    assert text.index('"helm"') < text.index('"kustomize"')


# ------------------------------------------------------------------------------- main() on a toy corpus

def _write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.fixture
def toy(tmp_path, monkeypatch):
    """A two-case kustomize corpus and a fake gitward script; returns (binary, status file)."""
    corpus = tmp_path / "conformance"
    for name, expect in (("Out", "output"), ("Err", "error")):
        d = corpus / "kustomize" / "cases" / name
        _write(str(d / "case.json"), json.dumps({"build": ".", "args": ["--reorder=none"], "expect": expect,
                                                 "tags": ["resources"]}))
        _write(str(d / "input" / "kustomization.yaml"), "resources: []\n")
        if expect == "output":
            _write(str(d / "expected.yaml"), "a: 1\n")
        else:
            _write(str(d / "expected-error.txt"), "boom\n")
    binary = tmp_path / "gitward"
    # prints `a: 1` for input whose path contains Out, fails with $FAIL_RC otherwise; HOME must be empty
    _write(str(binary), textwrap.dedent("""\
        #!/bin/sh
        [ -n "$NO_SUBCOMMAND" ] && { echo "error: unrecognized subcommand '$1'" >&2; exit 2; }
        [ "$2" = --help ] && { echo usage; exit 0; }
        [ -z "$(ls -A "$HOME")" ] || { echo "HOME not empty" >&2; exit 3; }
        case "$PWD" in */Out) echo "a: 1"; exit 0;; esac
        echo "Error: boom" >&2; exit ${FAIL_RC:-1}
        """))
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("GITWARD_CONFORMANCE", str(corpus))
    monkeypatch.delenv("CI", raising=False)
    return str(binary), str(tmp_path / "status.json")


def _main(capsys, *args):
    rc = run.main(list(args))
    return rc, capsys.readouterr().out


def test_main_scores_and_ratchets(toy, capsys, monkeypatch):
    binary, status = toy
    rc, out = _main(capsys, "--bin", binary, "--suite", "kustomize")
    assert rc == 0 and out.rstrip().endswith("2 passed, 0 failed")
    assert _main(capsys, "--bin", binary, "--suite", "kustomize", "--update-status", "--status-file", status)[0] == 0
    with open(status) as f:
        assert json.load(f)["suites"]["kustomize"]["exact"] == 2
    assert _main(capsys, "--bin", binary, "--suite", "kustomize", "--check-status", "--status-file", status)[0] == 0
    # a usage error (exit 2) on the error case is not a pass: the check reports the regression
    monkeypatch.setenv("FAIL_RC", "2")
    rc, out = _main(capsys, "--bin", binary, "--suite", "kustomize", "--check-status", "--status-file", status)
    assert rc == 1
    assert "REGRESSION: kustomize: exact 2 -> 1" in out
    assert "FAIL kustomize/Err: exit 2 (usage error), expected exit 1" in out
    assert "conformance: 1 of 2 cases byte-identical" in out
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("ratchet: ") and not last.endswith(" 0 failed")


def test_main_missing_subcommand_fails_every_case_without_running_them(toy, capsys, monkeypatch):
    binary, _ = toy
    monkeypatch.setenv("NO_SUBCOMMAND", "1")
    rc, out = _main(capsys, "--bin", binary, "--suite", "kustomize")
    assert rc == 1
    assert "`gitward kustomize` is not available (exit 2 (usage error)" in out
    assert out.rstrip().endswith("0 passed, 2 failed")


def test_main_semver_suite(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "conformance"
    recs = [{"name": "or-001", "category": "or", "range": "1 || 2", "versions": ["2.0.0", "1.0.0"],
             "expected": "2.0.0\n1.0.0\n"},
            {"name": "or-002", "category": "or", "range": "1 ||", "versions": [], "error": "improper constraint"},
            {"name": "and-001", "category": "and", "range": ">=1 <2", "versions": ["1.0.0", "1.5.0"],
             "expected": "1.5.0\n1.0.0\n"}]
    _write(str(corpus / "semver" / "cases.jsonl"), "".join(json.dumps(r) + "\n" for r in recs))
    binary = tmp_path / "gitward"
    # echoes its versions in argument order (so and-001 is only a semantic match); exit 1 for `1 ||`
    _write(str(binary), textwrap.dedent("""\
        #!/bin/sh
        [ "$1" = semver ] || exit 2
        [ "$2" = --help ] && { echo usage; exit 0; }
        [ "$2" = -- ] || exit 2
        [ "$3" = "1 ||" ] && { echo "invalid range" >&2; exit 1; }
        shift 3
        for v in "$@"; do echo "$v"; done
        """))
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("GITWARD_CONFORMANCE", str(corpus))
    monkeypatch.delenv("CI", raising=False)
    json_out = str(tmp_path / "out.json")
    rc, out = _main(capsys, "--bin", str(binary), "--suite", "semver", "--json", json_out)
    assert rc == 1
    assert "FAIL(semantic ok) semver/and-001: same lines, other order" in out
    assert "semver: exact 2/3, semantic 3/3 (2 output cases, 1 error cases" in out
    assert out.rstrip().endswith("2 passed, 1 failed")
    with open(json_out) as f:
        summary = json.load(f)["suites"]["semver"]["summary"]
    assert summary["groups"] == {"and": {"exact": 0, "semantic": 1, "total": 1},
                                 "or": {"exact": 2, "semantic": 2, "total": 2}}


def test_main_missing_corpus_skips_unless_ci(toy, capsys, monkeypatch):
    binary, _ = toy
    rc, out = _main(capsys, "--bin", binary, "--suite", "helm")
    assert rc == 0 and out.startswith("SKIP: corpus not found at ")
    monkeypatch.setenv("CI", "true")
    rc, out = _main(capsys, "--bin", binary, "--suite", "helm")
    assert rc == 1 and "corpus not found" in out
    rc, out = _main(capsys, "--bin", binary, "--suite", "semver")
    assert rc == 1 and "semver (CI=true: a missing corpus is a failure)" in out


# ------------------------------------------------------------------------------- health suite

def test_compare_health_exact_status_only_and_shape():
    exp = [{"id": "a_x__ConfigMap", "status": "Current", "message": "m"},
           {"id": "a_y__Pod", "status": "Unknown", "message": "", "error": "unknown phase X"}]
    same = json.dumps([{"id": "a_x__ConfigMap", "status": "Current", "message": "m"},
                       {"id": "a_y__Pod", "status": "Unknown", "message": "", "error": "other text"}]).encode()
    assert run.compare_health(same, exp) == (True, True, None, 2, 2)
    msg = json.dumps([{"id": "a_x__ConfigMap", "status": "Current", "message": "other"},
                      {"id": "a_y__Pod", "status": "Unknown", "message": ""}]).encode()
    exact, semantic, reason, n, total = run.compare_health(msg, exp)
    assert (exact, semantic, n, total) == (False, True, 1, 2)
    assert reason.startswith("1/2 objects exact, 2 status-only; first: [0] a_x__ConfigMap")
    assert run.compare_health(b"[]", exp)[:2] == (False, False)
    assert run.compare_health(b"{}", exp)[:2] == (False, False)
    assert run.compare_health(b"nope", exp)[:2] == (False, False)


def test_main_health_suite(tmp_path, capsys, monkeypatch):
    corpus = tmp_path / "conformance"
    cases = {"cm-01": ("misc", [{"id": "a_c__ConfigMap", "status": "Current", "message": "Resource is always ready"}]),
             "pod-01": ("pod", [{"id": "a_p__Pod", "status": "InProgress", "message": "Pod phase not available"}])}
    for name, (cat, exp) in cases.items():
        d = corpus / "health" / "cases" / name
        _write(str(d / "case.json"), json.dumps({"category": cat, "description": "", "objects": len(exp)}))
        _write(str(d / "input.yaml"), "kind: X\n")
        _write(str(d / "expected.json"), json.dumps(exp))
    binary = tmp_path / "gitward"
    # answers the ConfigMap exactly and the Pod with another message (a status-only match)
    _write(str(binary), textwrap.dedent("""\
        #!/bin/sh
        [ "$1" = health ] || exit 2
        [ "$2" = --help ] && { echo usage; exit 0; }
        [ "$2" = -f ] && [ "$4" = -o ] && [ "$5" = json ] || exit 2
        case "$3" in
          */cm-01/input.yaml) echo '[{"id": "a_c__ConfigMap", "status": "Current", "message": "Resource is always ready"}]';;
          *) echo '[{"id": "a_p__Pod", "status": "InProgress", "message": "?"}]';;
        esac
        """))
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("GITWARD_CONFORMANCE", str(corpus))
    monkeypatch.delenv("CI", raising=False)
    rc, out = _main(capsys, "--bin", str(binary), "--suite", "health")
    assert rc == 1
    assert "FAIL(semantic ok) health/pod-01: 0/1 objects exact, 1 status-only" in out
    assert "health objects: 1/2 exact" in out
    assert "health: exact 1/2, semantic 2/2" in out
    assert out.rstrip().endswith("1 passed, 1 failed")
    assert run.gitward_tool("/b/gw").health(["-f", "x", "-o", "json"]) == ["/b/gw", "health", "-f", "x", "-o", "json"]
    assert run.reference_tool("/k", "/h4", "/h3", None, "/ks").subcommand("health") == ["/ks", "health"]


# ------------------------------------------------------------------------------- artifact suite

def _tgz(members):
    """A gzip tarball of [(name, type, mode, bytes)] (type "file" or "dir"), like Go writes it."""
    import io as _io
    import tarfile as _tar
    buf = _io.BytesIO()
    with _tar.open(fileobj=buf, mode="w:gz") as tf:
        for name, kind, mode, data in members:
            ti = _tar.TarInfo(name)
            ti.mode = mode
            ti.type = _tar.DIRTYPE if kind == "dir" else _tar.REGTYPE
            ti.size = len(data)
            tf.addfile(ti, _io.BytesIO(data) if kind == "file" else None)
    return buf.getvalue()


def test_compare_tarballs_exact_semantic_and_failures():
    want = _tgz([(".", "dir", 0o755, b""), ("a.yaml", "file", 0o644, b"a")])
    assert run.compare_tarballs(want, want) == (True, True, None)
    # Same members in another order: semantic only.
    other = _tgz([("a.yaml", "file", 0o644, b"a"), (".", "dir", 0o755, b"")])
    assert run.compare_tarballs(other, want)[:2] == (False, True)
    # A mode, a missing member, a content difference: failures with reasons.
    exact, semantic, reason = run.compare_tarballs(_tgz([(".", "dir", 0o700, b""), ("a.yaml", "file", 0o644, b"a")]), want)
    assert (exact, semantic) == (False, False) and "missing dir 0755 '.'" in reason
    exact, semantic, reason = run.compare_tarballs(_tgz([(".", "dir", 0o755, b"")]), want)
    assert (exact, semantic) == (False, False) and "missing file 0644 'a.yaml'" in reason
    exact, semantic, reason = run.compare_tarballs(_tgz([(".", "dir", 0o755, b""), ("a.yaml", "file", 0o644, b"b")]), want)
    assert (exact, semantic) == (False, False) and "content differs: 'a.yaml'" in reason
    assert run.compare_tarballs(b"not gzip", want)[:2] == (False, False)


def test_materialise_tree_applies_modes_and_links(tmp_path):
    tree = {"root_mode": "0750", "entries": [
        {"path": "d", "type": "dir", "mode": "0500"},
        {"path": "d/f", "type": "file", "mode": "4755", "text": "x"},
        {"path": "b.bin", "type": "file", "mode": "0600", "base64": "AAE="},
        {"path": "l", "type": "symlink", "target": "d/f"}]}
    root = str(tmp_path / "input")
    run.materialise_tree(tree, root)
    assert stat.S_IMODE(os.stat(root).st_mode) == 0o750
    assert stat.S_IMODE(os.stat(os.path.join(root, "d")).st_mode) == 0o500
    assert stat.S_IMODE(os.stat(os.path.join(root, "d", "f")).st_mode) == 0o4755
    assert open(os.path.join(root, "b.bin"), "rb").read() == b"\x00\x01"
    assert os.readlink(os.path.join(root, "l")) == "d/f"
    run.remove_tree(str(tmp_path / "input"))
    assert not os.path.exists(root)


def test_artifact_command_lines():
    gw = run.gitward_tool("/b/gitward")
    assert gw.artifact("/t/input", "/t/out/a.tgz", None) == [
        "/b/gitward", "build", "artifact", "--path", "/t/input", "--output", "/t/out/a.tgz"]
    assert gw.artifact("/t/input", "/o", ["", "*.md,x"]) == [
        "/b/gitward", "build", "artifact", "--path", "/t/input", "--output", "/o",
        "--ignore-paths", "", "--ignore-paths", "*.md,x"]
    assert gw.subcommand("artifact") == ["/b/gitward", "build", "artifact"]
    assert run.reference_tool("/k", "/h4", "/h3", flux="/f").subcommand("artifact") == ["/f", "build", "artifact"]


def test_main_artifact_suite(tmp_path, capsys, monkeypatch):
    """A one-case artifact corpus and a fake tool that copies the expected tarball when the path
    holds the materialised file, and a failing error case."""
    corpus = tmp_path / "conformance" / "artifact" / "cases"
    want = _tgz([(".", "dir", 0o755, b""), ("a.yaml", "file", 0o644, b"a: 1\n")])
    ok = corpus / "ok"
    _write(str(ok / "case.json"), json.dumps({"category": "c", "path": ".", "ignore_paths": ["*.md"]}))
    _write(str(ok / "tree.json"), json.dumps({"root_mode": "0755", "entries": [
        {"path": "a.yaml", "type": "file", "mode": "0644", "text": "a: 1\n"}]}))
    (ok / "expected.tgz").write_bytes(want)
    bad = corpus / "missing"
    _write(str(bad / "case.json"), json.dumps({"category": "path", "path": "nope", "ignore_paths": None}))
    _write(str(bad / "tree.json"), json.dumps({"entries": []}))
    _write(str(bad / "expected-error.txt"), "boom\n")
    (tmp_path / "want.tgz").write_bytes(want)
    binary = tmp_path / "gitward"
    _write(str(binary), textwrap.dedent(f"""\
        #!/bin/sh
        [ "$3" = --help ] && {{ echo usage; exit 0; }}
        [ "$(umask)" = 0022 ] || {{ echo "umask $(umask)" >&2; exit 4; }}
        [ "$7" = --ignore-paths ] && [ "$8" = "*.md" ] || [ -z "$7" ] || exit 5
        [ -f "$4/a.yaml" ] || {{ echo "✗ invalid path" >&2; exit 1; }}
        cp {tmp_path}/want.tgz "$6"
        """))
    binary.chmod(binary.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("GITWARD_CONFORMANCE", str(tmp_path / "conformance"))
    rc, out = _main(capsys, "--bin", str(binary), "--suite", "artifact")
    assert rc == 0, out
    assert "artifact: exact 2/2" in out and out.rstrip().endswith("2 passed, 0 failed")


# ------------------------------------------------------------------------------- apply suite

def _apply_corpus(tmp_path):
    """A fake corpus layout: <tmp>/conformance/apply/cases/<name>/case.json and tools/ beside it."""
    root = tmp_path / "conformance" / "apply"
    for name, cat in (("a-ok", "first-apply"), ("b-live", "drift"), ("c-entries", "prune")):
        d = root / "cases" / name
        d.mkdir(parents=True)
        (d / "case.json").write_text(json.dumps({"category": cat, "steps": []}))
    tools = tmp_path / "tools"
    tools.mkdir()
    (tools / "apply_conformance.py").write_text("# stand-in\n")
    return str(root)


def test_apply_suite_reads_the_runner_fail_lines(tmp_path, monkeypatch):
    root = _apply_corpus(tmp_path)
    out = textwrap.dedent("""\
        FAIL b-live [drift] steps 1,3: live
            step 1 live: /0/object/metadata/managedFields: unexpected {}
        FAIL c-entries [prune] steps 2: entries,live

        category cases passed
        1 passed, 2 failed
        """)
    seen = {}

    class P:
        returncode = 1
        stdout = out
        stderr = ""

    def fake_run(argv, **kw):
        seen["argv"] = argv
        return P()

    monkeypatch.setattr(run.subprocess, "run", fake_run)
    cases = run.apply_cases(root)
    tool = run.gitward_tool("/bin/gitward")
    results = {r.case: r for r in run.run_apply_suite(cases, tool, root, str(tmp_path), 10, [])}
    assert results["a-ok"].exact and results["a-ok"].semantic
    assert not results["b-live"].exact and results["b-live"].semantic
    assert "managedFields" in results["b-live"].detail
    assert not results["c-entries"].exact and not results["c-entries"].semantic
    assert results["c-entries"].reason == "steps 2: entries, live"
    assert "--only" not in seen["argv"]  # every case selected: no filter passed on
    assert any("/bin/gitward apply -f {file}" in a for a in seen["argv"])


def test_apply_suite_fails_every_case_when_the_runner_does_not_finish(tmp_path, monkeypatch):
    root = _apply_corpus(tmp_path)

    class P:
        returncode = 2
        stdout = ""
        stderr = "boom"

    monkeypatch.setattr(run.subprocess, "run", lambda argv, **kw: P())
    cases = run.apply_cases(root)[:1]
    results = run.run_apply_suite(cases, run.gitward_tool("/bin/gitward"), root, str(tmp_path), 10, [])
    assert [r.exact for r in results] == [False]
    assert "did not finish" in results[0].reason
