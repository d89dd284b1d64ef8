"""Typed use of the gitward API, checked by `mypy --strict` (not run by pytest)."""

from __future__ import annotations

import os
from typing import Any, Optional

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


def build(path: str) -> tuple[str, list[dict[str, Any]], list[str]]:
    try:
        result: gitward.KustomizeResult = gitward.kustomize_build(
            path, load_restrictor="LoadRestrictionsNone", reorder="legacy"
        )
    except gitward.BuildError as err:
        kind: str = err.kind
        where: str = err.path
        return f"{kind} in {where}: {err.message}", [], []
    return result.yaml, result.objects, result.warnings


async def build_async(path: os.PathLike[str]) -> str:
    result = await gitward.kustomize_build_async(path, enable_managedby_label=True)
    return result.yaml


def render(chart: str) -> str:
    try:
        return gitward.helm_template(
            chart, release="r1", values=["values.yaml"], set=["a=1"], kube_version="1.30.0"
        )
    except gitward.HelmError as err:
        where: Optional[str] = err.file or err.chart
        return f"{err.kind} at {where}: {err.message}"


async def render_async(chart: str) -> str:
    return await gitward.helm_template_async(chart, include_crds=True, show_only=("a.yaml",))


def is_current(obj: dict[str, Any]) -> bool:
    try:
        verdict: dict[str, str] = gitward.health(obj)
    except gitward.HealthError as err:
        kind: str = err.kind
        return kind == ""
    return verdict["status"] == "Current"


async def is_current_async(obj: dict[str, Any]) -> bool:
    return (await gitward.health_async(obj))["status"] == "Current"
