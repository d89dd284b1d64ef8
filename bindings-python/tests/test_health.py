"""Tests of health and health_async: kstatus' verdicts (checked against kstatus v0.37.2)."""

from __future__ import annotations

import asyncio

import pytest

import gitward
from gitward import GitwardError, HealthError

DEPLOYMENT = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "apps", "generation": 2},
    "spec": {"replicas": 2},
    "status": {
        "observedGeneration": 2,
        "replicas": 2,
        "updatedReplicas": 2,
        "readyReplicas": 1,
        "availableReplicas": 1,
    },
}


def test_health_of_a_rolling_deployment() -> None:
    assert gitward.health(DEPLOYMENT) == {"status": "InProgress", "message": "Available: 1/2"}


def test_health_generic_ready_condition() -> None:
    widget = {
        "apiVersion": "example.com/v1",
        "kind": "Widget",
        "metadata": {"name": "w"},
        "status": {"conditions": [{"type": "Ready", "status": "True"}]},
    }
    assert gitward.health(widget) == {"status": "Current", "message": "Resource is Ready"}


def test_health_reads_objects_from_parse_manifests() -> None:
    (cm,) = gitward.parse_manifests("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n")
    assert gitward.health(cm) == {"status": "Current", "message": "Resource is always ready"}


def test_health_error_is_typed() -> None:
    obj = dict(DEPLOYMENT, metadata={"name": "web", "generation": 2.0})
    with pytest.raises(HealthError) as info:
        gitward.health(obj)
    assert isinstance(info.value, GitwardError)
    assert info.value.kind == "lookup"
    assert info.value.message == (
        "looking up metadata.generation from resource: .metadata.generation accessor error: "
        "2 is of the type float64, expected int64"
    )


def test_health_unknown_pod_phase() -> None:
    pod = {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p"}, "status": {"phase": "Evicted"}}
    with pytest.raises(HealthError) as info:
        gitward.health(pod)
    assert info.value.kind == "unknown_phase"


def test_health_rejects_values_without_json_counterpart() -> None:
    with pytest.raises(gitward.ConversionError):
        gitward.health({"kind": "ConfigMap", "data": {1, 2}})


def test_health_async() -> None:
    assert asyncio.run(gitward.health_async(DEPLOYMENT))["status"] == "InProgress"
