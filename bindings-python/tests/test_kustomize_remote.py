"""kustomize_build with a remote base: the binding fetches it through gitward's shell
loader, as the CLI does.

A repository made with the real ``git`` is named by a ``file://`` URL (a URL kustomize
v5.7.1 clones); the expected output is what ``kubectl kustomize`` prints for the same files.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess

import pytest

import gitward
from gitward import BuildError


def git(cwd: pathlib.Path, *args: str) -> str:
    env = dict(
        os.environ,
        GIT_AUTHOR_NAME="t",
        GIT_AUTHOR_EMAIL="t@x",
        GIT_COMMITTER_NAME="t",
        GIT_COMMITTER_EMAIL="t@x",
        GIT_CONFIG_NOSYSTEM="1",
        HOME=str(cwd),
    )
    out = subprocess.run(
        ["git", *args], cwd=cwd, env=env, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


EXPECTED = """apiVersion: v1
data:
  key: v1
kind: ConfigMap
metadata:
  name: remote-settings
"""


@pytest.fixture()
def overlay(tmp_path: pathlib.Path) -> pathlib.Path:
    """An overlay naming base/ of a repository at tag v1.0 (main has moved on)."""
    work = tmp_path / "work"
    (work / "base").mkdir(parents=True)
    git(work, "init", "-q", "-b", "main")
    (work / "base" / "kustomization.yaml").write_text(
        "resources:\n- cm.yaml\nnamePrefix: remote-\n"
    )
    cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  key: {}\n"
    (work / "base" / "cm.yaml").write_text(cm.format("v1"))
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "v1")
    git(work, "tag", "v1.0")
    (work / "base" / "cm.yaml").write_text(cm.format("v2"))
    git(work, "commit", "-q", "-am", "v2")
    bare = tmp_path / "repo.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(work, "push", "-q", str(bare), "main", "--tags")
    ov = tmp_path / "ov"
    ov.mkdir()
    (ov / "kustomization.yaml").write_text(
        f"resources:\n- file://{bare}//base?ref=v1.0\n"
    )
    return ov


def test_remote_base(overlay: pathlib.Path) -> None:
    assert gitward.kustomize_build(overlay).yaml == EXPECTED


def test_remote_base_async(overlay: pathlib.Path) -> None:
    result = asyncio.run(gitward.kustomize_build_async(overlay))
    assert result.yaml == EXPECTED


def test_missing_ref(overlay: pathlib.Path) -> None:
    k = overlay / "kustomization.yaml"
    k.write_text(k.read_text().replace("ref=v1.0", "ref=v9"))
    with pytest.raises(BuildError) as e:
        gitward.kustomize_build(overlay)
    assert "couldn't find remote ref v9" in str(e.value)
