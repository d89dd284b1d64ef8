"""Typed use of the gitward API, checked by `mypy --strict` (not run by pytest)."""

from __future__ import annotations

from typing import Any

import gitward


def relabel(text: str, team: str) -> str:
    docs: list[dict[str, Any]] = gitward.parse_manifests(text)
    for doc in docs:
        doc.setdefault("metadata", {}).setdefault("labels", {})["team"] = team
    return gitward.dump_manifests(docs)


def describe(err: gitward.GitwardError) -> str:
    if isinstance(err, gitward.YamlError):
        where: tuple[int, int] = (err.line, err.column)
        kind: str = err.kind
        return f"{kind} at {where}: {err.message}"
    if isinstance(err, gitward.ConversionError):
        path: str = err.path
        return f"bad value at {path or '<top>'}"
    return str(err)


def catch_all(text: str) -> str:
    try:
        return relabel(text, "platform")
    except gitward.GitwardError as err:
        return describe(err)
    except TypeError as err:  # a ConversionError is also a TypeError
        return str(err)


def tuples_are_fine() -> str:
    return gitward.dump_manifests(({"a": 1}, {"b": [1, 2]}))
