"""Tests of envsubst / envsubst_async (Flux's post-build substitution)."""

from __future__ import annotations

import asyncio

import pytest

import gitward
from gitward import GitwardError, SubstitutionError


def test_substitutes_the_whole_text() -> None:
    text = "name: ${APP}\nreplicas: ${N:-1}\nimage: ${IMG/:latest/:v1}\nlen: ${#APP}\ncost: $$5\n"
    out = gitward.envsubst(text, {"APP": "web", "IMG": "r/web:latest"})
    assert out == "name: web\nreplicas: 1\nimage: r/web:v1\nlen: 3\ncost: $5\n"
    # An expression may span lines when the whole text is substituted at once.
    assert gitward.envsubst("${A:-first\nsecond}", {}) == "first\nsecond"
    assert asyncio.run(gitward.envsubst_async("${A^^}", {"A": "straße"})) == "STRAßE"


def test_unknown_variables_are_empty_unless_strict() -> None:
    assert gitward.envsubst("[${MISSING}]", {}) == "[]"
    assert gitward.envsubst("[${MISSING:=d}]", {}, strict=True) == "[d]"
    with pytest.raises(SubstitutionError) as e:
        gitward.envsubst("x: ${MISSING}", {"OTHER": "1"}, strict=True)
    assert str(e.value) == 'variable not set (strict mode): "MISSING"'
    assert e.value.message == str(e.value)
    assert isinstance(e.value, GitwardError)


def test_malformed_expressions_raise() -> None:
    with pytest.raises(SubstitutionError, match="missing closing brace"):
        gitward.envsubst("${A-x}", {})
    with pytest.raises(SubstitutionError, match="unable to parse variable name"):
        gitward.envsubst("${}", {})
