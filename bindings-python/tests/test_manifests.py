"""Tests of the gitward Python bindings: conversion both ways, errors, kustomize output."""

from __future__ import annotations

import collections
import concurrent.futures
import enum
import pickle
from typing import Any

import pytest

import gitward
from gitward import ConversionError, GitwardError, YamlError, dump_manifests, parse_manifests

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels:
    app.kubernetes.io/name: web
spec:
  replicas: 3
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        args: ["--port", "8080"]
        env:
        - name: ENABLED
          value: "yes"
        - name: MODE
          value: "0777"
"""


# --- parse ---------------------------------------------------------------------------


def test_parse_keeps_document_order_and_kustomize_scalars() -> None:
    docs = parse_manifests("b: 1\na: yes\n")
    assert docs == [{"b": 1, "a": "yes"}]
    assert list(docs[0]) == ["b", "a"]


def test_parse_octal_is_an_int() -> None:
    assert parse_manifests("mode: 0777\n") == [{"mode": 511}]


def test_parse_types() -> None:
    (doc,) = parse_manifests(
        "i: 42\nneg: -7\nf: 1.5\ns: hello\nq: '123'\nt: true\nn: null\ntilde: ~\n"
        "l: [1, two]\nm: {k: v}\nempty_map: {}\nempty_list: []\n"
    )
    assert doc == {
        "i": 42,
        "neg": -7,
        "f": 1.5,
        "s": "hello",
        "q": "123",
        "t": True,
        "n": None,
        "tilde": None,
        "l": [1, "two"],
        "m": {"k": "v"},
        "empty_map": {},
        "empty_list": [],
    }
    assert type(doc["i"]) is int
    assert type(doc["f"]) is float
    assert type(doc["t"]) is bool
    assert type(doc["l"]) is list
    assert type(doc["m"]) is dict


def test_parse_64_bit_integers() -> None:
    (doc,) = parse_manifests(
        "min: -9223372036854775808\nmax: 9223372036854775807\numax: 18446744073709551615\n"
    )
    assert doc == {"min": -(2**63), "max": 2**63 - 1, "umax": 2**64 - 1}
    assert all(type(v) is int for v in doc.values())


def test_parse_multi_document_skips_empty_documents() -> None:
    text = "---\n# only a comment\n---\na: 1\n---\n---\nb: 2\n"
    assert parse_manifests(text) == [{"a": 1}, {"b": 2}]


def test_parse_empty_stream() -> None:
    assert parse_manifests("") == []
    assert parse_manifests("# nothing\n") == []


def test_parse_unicode() -> None:
    assert parse_manifests("greeting: héllo wörld ✓\n") == [{"greeting": "héllo wörld ✓"}]


def test_parse_rejects_non_str_argument() -> None:
    with pytest.raises(TypeError):
        parse_manifests(b"a: 1\n")  # type: ignore[arg-type]


def test_parse_and_dump_from_threads() -> None:
    # The GIL is released while the core works: concurrent calls must stay correct.
    with concurrent.futures.ThreadPoolExecutor(max_workers=4) as pool:
        parsed = list(pool.map(parse_manifests, [DEPLOYMENT] * 16))
        dumped = list(pool.map(dump_manifests, parsed))
    assert all(p == parsed[0] for p in parsed)
    assert parsed[0][0]["spec"]["replicas"] == 3
    assert all(d == dumped[0] for d in dumped)


# --- dump ----------------------------------------------------------------------------


def test_dump_sorts_keys_and_quotes_like_kustomize() -> None:
    assert dump_manifests([{"b": 1, "a": "yes"}]) == 'a: "yes"\nb: 1\n'


@pytest.mark.parametrize(
    ("value", "printed"),
    [
        ("yes", '"yes"'),
        ("on", '"on"'),
        ("off", '"off"'),
        ("true", '"true"'),
        ("null", '"null"'),
        ("123", '"123"'),
        ("0777", '"0777"'),
        ("1.5", '"1.5"'),
        ("", '""'),
        ("hello world", "hello world"),
        (True, "true"),
        (False, "false"),
        (None, "null"),
        (0, "0"),
        (-7, "-7"),
        (1.5, "1.5"),
        (2**63, "9223372036854775808"),
        (2**64 - 1, "18446744073709551615"),
        (-(2**63), "-9223372036854775808"),
        ({}, "{}"),
        ([], "[]"),
    ],
)
def test_dump_scalars(value: object, printed: str) -> None:
    assert dump_manifests([{"a": value}]) == f"a: {printed}\n"


def test_dump_nested_in_kustomize_layout() -> None:
    doc = {
        "spec": {"containers": [{"name": "c", "image": "i"}]},
        "metadata": {"name": "x", "labels": {"app": "web"}},
    }
    assert dump_manifests([doc]) == (
        "metadata:\n"
        "  labels:\n"
        "    app: web\n"
        "  name: x\n"
        "spec:\n"
        "  containers:\n"
        "  - image: i\n"
        "    name: c\n"
    )


def test_dump_multi_document() -> None:
    assert dump_manifests([{"a": 1}, {"b": 2}]) == "a: 1\n---\nb: 2\n"
    assert dump_manifests([]) == ""


def test_dump_accepts_tuples_and_subclasses() -> None:
    class Color(enum.IntEnum):
        RED = 1

    class Name(str):
        pass

    as_list = dump_manifests([{"a": [1, 2], "b": 1, "c": "n"}])
    assert dump_manifests(({"a": (1, 2), "b": Color.RED, "c": Name("n")},)) == as_list
    assert dump_manifests([collections.OrderedDict([("c", "n"), ("b", 1), ("a", [1, 2])])]) == as_list


def test_bool_is_not_an_int() -> None:
    assert dump_manifests([{"a": True}]) == "a: true\n"
    assert dump_manifests([{"a": 1}]) == "a: 1\n"


# --- round trip ----------------------------------------------------------------------


def test_round_trip_deployment() -> None:
    docs = parse_manifests(DEPLOYMENT)
    assert docs[0]["spec"]["template"]["spec"]["containers"][0]["env"] == [
        {"name": "ENABLED", "value": "yes"},
        {"name": "MODE", "value": "0777"},
    ]
    text = dump_manifests(docs)
    assert parse_manifests(text) == docs
    # kustomize's output is a fixed point.
    assert dump_manifests(parse_manifests(text)) == text


def test_round_trip_awkward_strings() -> None:
    doc = {
        "multi": "line one\nline two\n",
        "lead": " leading space",
        "colon": "a: b",
        "hash": "a #b",
        "quote": "it's \"quoted\"",
        "star": "*alias",
        "dash": "- item",
        "unicode": "ünïcödé ✓",
        "tab": "a\tb",
        "yes": "yes",
        "num": "1e3",
    }
    assert parse_manifests(dump_manifests([doc])) == [doc]


def test_round_trip_numbers() -> None:
    doc = {"big": 2**64 - 1, "small": -(2**63), "f": 0.1, "neg": -2.5, "zero": 0}
    assert parse_manifests(dump_manifests([doc])) == [doc]


# --- YAML errors ---------------------------------------------------------------------


def _yaml_error(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        parse_manifests(text)
    err = info.value
    assert isinstance(err, GitwardError)
    assert isinstance(err.kind, str)
    assert isinstance(err.line, int) and isinstance(err.column, int)
    assert err.message
    assert str(err) == f"line {err.line}, column {err.column}: {err.message}"
    return err


def test_duplicate_key_error_has_position() -> None:
    err = _yaml_error("a: 1\nb: 2\na: 3\n")
    assert err.kind == "duplicate_key"
    assert (err.line, err.column) == (3, 1)


def test_syntax_error_has_position() -> None:
    err = _yaml_error("a: 1\nb: c: d\n")
    assert err.kind == "syntax"
    assert err.line == 2
    assert err.column >= 1


def test_syntax_error_in_later_document() -> None:
    err = _yaml_error("a: 1\n---\nb: [1, 2\n")
    assert err.kind == "syntax"
    assert err.line >= 3


def test_unknown_anchor() -> None:
    err = _yaml_error("a: 1\nb: *nope\n")
    assert err.kind == "unknown_anchor"
    assert err.line == 2


def test_alias_bomb_is_bounded() -> None:
    lines = ['l0: &l0 ["x", "x", "x", "x", "x", "x", "x", "x", "x", "x"]']
    for i in range(1, 9):
        refs = ", ".join([f"*l{i - 1}"] * 10)
        lines.append(f"l{i}: &l{i} [{refs}]")
    err = _yaml_error("\n".join(lines) + "\n")
    assert err.kind == "alias_limit"


def test_depth_is_bounded() -> None:
    err = _yaml_error("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert err.kind == "depth_limit"
    assert err.line == 1


def test_unsupported_value() -> None:
    err = _yaml_error("a: .inf\n")
    assert err.kind == "unsupported"
    assert err.line == 1


def test_yaml_error_pickles_with_attributes() -> None:
    err = _yaml_error("a: 1\na: 2\n")
    copy = pickle.loads(pickle.dumps(err))
    assert type(copy) is YamlError
    assert (copy.kind, copy.line, copy.column, copy.message) == (
        err.kind,
        err.line,
        err.column,
        err.message,
    )


# --- conversion errors ---------------------------------------------------------------


def test_error_hierarchy() -> None:
    assert issubclass(GitwardError, Exception)
    assert issubclass(YamlError, GitwardError)
    assert issubclass(ConversionError, GitwardError)
    assert issubclass(ConversionError, TypeError)
    assert issubclass(ConversionError, ValueError)
    assert not issubclass(YamlError, (TypeError, ValueError))
    for cls in (GitwardError, YamlError, ConversionError):
        assert cls.__module__ == "gitward"
        assert getattr(gitward, cls.__name__) is cls


@pytest.mark.parametrize(
    ("docs", "path", "fragment"),
    [
        ([{1: "x"}], "[0]", "dict keys must be str, got int"),
        ([{"a": {"b": {None: 1}}}], "[0].a.b", "got NoneType"),
        ([{"a": {1, 2}}], "[0].a", "unsupported type set"),
        ([{"a": b"bytes"}], "[0].a", "unsupported type bytes"),
        ([{"a": object()}], "[0].a", "unsupported type object"),
        ([{"a": 1j}], "[0].a", "unsupported type complex"),
        ([{"a": float("nan")}], "[0].a", "float NaN"),
        ([{"a": float("inf")}], "[0].a", "float inf"),
        ([{"a": [1, float("-inf")]}], "[0].a[1]", "float -inf"),
        ([{"a": 2**64}], "[0].a", "int out of range"),
        ([{"a": -(2**63) - 1}], "[0].a", "int out of range"),
        ([{"a": "\ud800"}], "[0].a", "lone surrogates"),
        ([{"ok": 1}, {"x.y/z": {"list": [0, {"k": set()}]}}], '[1]["x.y/z"].list[1].k', "set"),
        ("a: 1\n", "", "expected a list of documents, got str"),
        ({"a": 1}, "", "expected a list of documents, got dict"),
    ],
)
def test_conversion_errors(docs: Any, path: str, fragment: str) -> None:
    with pytest.raises(ConversionError) as info:
        dump_manifests(docs)
    err = info.value
    assert err.path == path
    assert fragment in str(err)
    assert str(err).startswith(f"{path}: " if path else fragment)
    # One `except` of each kind catches it.
    assert isinstance(err, (GitwardError, TypeError, ValueError))


def test_self_referencing_container_is_an_error_not_a_crash() -> None:
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ConversionError, match="nesting deeper than"):
        dump_manifests([{"a": loop}])
    cyclic: dict[str, Any] = {}
    cyclic["self"] = cyclic
    with pytest.raises(ConversionError, match="nesting deeper than"):
        dump_manifests([cyclic])


def test_deep_but_bounded_nesting_converts() -> None:
    deep: Any = "leaf"
    for _ in range(100):
        deep = {"d": deep}
    assert parse_manifests(dump_manifests([deep])) == [deep]
