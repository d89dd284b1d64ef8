"""Tests of apply / apply_sync and plan / plan_sync.

Argument checks run everywhere; the cluster tests need the project's kube-apiserver,
found through the env file named by GITWARD_TEST_ENV (scripts/test.sh sets it; without it
they are skipped).
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import uuid
from typing import Any

import pytest

import gitward
from gitward import (
    ClusterError,
    ConversionError,
    GitwardError,
    InvalidObjectError,
    ObjectNotFoundError,
)

SECRET = "py-hunter2-" + uuid.uuid4().hex


@pytest.fixture(scope="module")
def kubeconfig() -> str:
    path = os.environ.get("GITWARD_TEST_ENV")
    if not path:
        pytest.skip("GITWARD_TEST_ENV is not set (scripts/test.sh starts the servers)")
    for line in pathlib.Path(path).read_text().splitlines():
        k, _, v = line.strip().partition("=")
        if k == "KUBECONFIG" and v:
            return v
    pytest.fail(f"{path} does not describe the test cluster (no KUBECONFIG)")


def objects(ns: str, level: str, with_extra: bool = True) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": ns}},
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "cfg", "namespace": ns},
            "data": {"LEVEL": level},
        },
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": ns},
            "stringData": {"password": SECRET},
        },
    ]
    if with_extra:
        out.append(
            {
                "apiVersion": "v1",
                "kind": "ConfigMap",
                "metadata": {"name": "extra", "namespace": ns},
                "data": {"a": "b"},
            }
        )
    return out


def actions(result: dict[str, Any]) -> list[str]:
    return [f"{e['subject']} {e['action']}" for e in result["entries"]]


def test_arguments_are_checked_before_connecting() -> None:
    with pytest.raises(ConversionError):
        gitward.apply_sync(5)  # type: ignore[arg-type]
    with pytest.raises(ConversionError) as e:
        gitward.plan_sync([{"a": {1, 2}}])
    assert e.value.path == "[0].a"
    with pytest.raises(ValueError, match="entries"):
        gitward.apply_sync([], inventory={"entries": 5})
    with pytest.raises(ValueError, match="owner_namespace"):
        gitward.apply_sync([], owner_name="apps")
    with pytest.raises(ValueError, match="timeout"):
        gitward.apply_sync([], timeout=0)


def test_plan_in_memory_against_live_objects() -> None:
    desired = objects("mem", "debug")
    live = [dict(o) for o in objects("mem", "info")]
    live[1] = {**live[1], "metadata": {**live[1]["metadata"], "uid": "u1"}}
    planned = gitward.plan_sync(desired, live=live[:2])
    entries = {e["subject"]: e for st in planned["stages"] for e in st["entries"]}
    assert entries["Namespace/mem"]["action"] == "unchanged"
    assert entries["ConfigMap/mem/cfg"]["action"] == "configured"
    assert entries["ConfigMap/mem/cfg"]["fields"] == ["data.LEVEL"]
    assert entries["Secret/mem/creds"]["action"] == "created"
    assert SECRET not in repr(planned)
    with pytest.raises(InvalidObjectError, match="duplicate"):
        gitward.plan_sync(desired + desired[:1], live=[])


def test_diff_in_memory_masks_secrets() -> None:
    desired = objects("mem", "debug")
    # As the API server returns them (a Namespace has its finalizer).
    live = objects("mem", "info")[:2] + [
        {
            "apiVersion": "v1",
            "kind": "Secret",
            "metadata": {"name": "creds", "namespace": "mem"},
            "data": {"password": "b2xkLXZhbHVl"},
        }
    ]
    live[0] = {**live[0], "spec": {"finalizers": ["kubernetes"]}}
    report = gitward.diff_sync(desired, live=live)
    assert report["has_changes"] is True
    by = {o["subject"]: o for o in report["objects"]}
    assert by["ConfigMap/mem/cfg"]["action"] == "configured"
    assert [c["path"] for c in by["ConfigMap/mem/cfg"]["changes"]] == ["/data/LEVEL"]
    assert "► ConfigMap/mem/cfg drifted" in report["text"]
    assert SECRET not in repr(report) and "b2xkLXZhbHVl" not in repr(report)
    ignored = gitward.diff_sync(
        desired[:2],
        live=live[:2],
        ignore=[{"paths": ["/data/LEVEL"], "target": {"kind": "ConfigMap"}}],
    )
    assert ignored["has_changes"] is False
    with pytest.raises(ValueError):
        gitward.diff_sync(desired, live=live, ignore=[{"paths": 5}])


def test_an_unreadable_kubeconfig_is_a_cluster_error(tmp_path: pathlib.Path) -> None:
    bad = tmp_path / "kubeconfig"
    bad.write_text("this: [is not a kubeconfig\n")
    with pytest.raises(ClusterError) as e:
        gitward.apply_sync(objects("x", "info"), kubeconfig=bad)
    assert e.value.kind == "kubeconfig"
    assert isinstance(e.value, GitwardError)


def test_apply_plan_prune_round_trip(kubeconfig: str) -> None:
    ns = "py-" + uuid.uuid4().hex[:10]
    first = gitward.apply_sync(objects(ns, "info"), kubeconfig=kubeconfig, owner_name="apps", owner_namespace="flux-system")
    assert actions(first) == [
        f"Namespace/{ns} created",
        f"ConfigMap/{ns}/cfg created",
        f"ConfigMap/{ns}/extra created",
        f"Secret/{ns}/creds created",
    ]
    inv = first["inventory"]
    assert [e["id"] for e in inv["entries"]][0] == f"_{ns}__Namespace"

    again = gitward.plan_sync(objects(ns, "info"), kubeconfig=kubeconfig, owner_name="apps", owner_namespace="flux-system")
    planned = [e["action"] for st in again["stages"] for e in st["entries"]]
    assert planned == ["unchanged"] * 4

    changed = asyncio.run(
        gitward.plan(objects(ns, "debug"), kubeconfig=kubeconfig, inventory=inv, owner_name="apps", owner_namespace="flux-system")
    )
    entries = {e["subject"]: e for st in changed["stages"] for e in st["entries"]}
    assert entries[f"ConfigMap/{ns}/cfg"]["action"] == "configured"
    assert entries[f"ConfigMap/{ns}/cfg"]["reason"] == "drifted from the manifest"
    assert entries[f"Secret/{ns}/creds"]["action"] == "unchanged"

    pruned = asyncio.run(
        gitward.apply(
            objects(ns, "debug", with_extra=False),
            kubeconfig=kubeconfig,
            inventory=inv,
            prune=True,
            owner_name="apps", owner_namespace="flux-system",
        )
    )
    assert actions(pruned) == [
        f"Namespace/{ns} unchanged",
        f"ConfigMap/{ns}/cfg configured",
        f"Secret/{ns}/creds unchanged",
        f"ConfigMap/{ns}/extra deleted",
    ]
    assert len(pruned["inventory"]["entries"]) == 3
    after = asyncio.run(
        gitward.diff(objects(ns, "debug", with_extra=False), kubeconfig=kubeconfig,
                     owner_name="apps", owner_namespace="flux-system")
    )
    assert after["has_changes"] is False, after["text"]
    drift = gitward.diff_sync(objects(ns, "trace", with_extra=False), kubeconfig=kubeconfig,
                              owner_name="apps", owner_namespace="flux-system")
    assert [o["subject"] for o in drift["objects"] if o["action"] == "configured"] == [
        f"ConfigMap/{ns}/cfg"
    ]
    assert SECRET not in repr([after, drift])
    assert SECRET not in repr([first, again, changed, pruned])


def test_errors_are_typed_and_never_hold_a_secret(kubeconfig: str) -> None:
    ns = "py-" + uuid.uuid4().hex[:10]
    bad = objects(ns, "info")
    bad[2]["metadata"]["labels"] = {"bad label!": SECRET}
    with pytest.raises(InvalidObjectError) as e:
        gitward.apply_sync(bad, kubeconfig=kubeconfig)
    err = e.value
    assert err.kind == "invalid"
    assert err.subject == f"Secret/{ns}/creds"
    assert err.code == 422
    assert any("labels" in f for f in err.fields), err.fields
    # The Namespace stage was applied before the failing stage; nothing of that stage was.
    assert err.entries == [{"subject": f"Namespace/{ns}", "action": "created"}]
    assert SECRET not in str(err) and SECRET not in repr(err.args)

    missing = [
        {
            "apiVersion": "v1",
            "kind": "ConfigMap",
            "metadata": {"name": "c", "namespace": "no-such-ns-" + uuid.uuid4().hex[:6]},
        }
    ]
    with pytest.raises(ObjectNotFoundError) as nf:
        gitward.apply_sync(missing, kubeconfig=kubeconfig)
    assert nf.value.kind == "not_found"
