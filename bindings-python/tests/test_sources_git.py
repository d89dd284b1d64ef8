"""Tests of fetch_git / fetch_git_sync.

A repository is made with the real ``git`` in a temporary directory and fetched from its
path; when ``GITWARD_TEST_ENV`` describes the project's git servers (``scripts/test.sh``
sets it), credentials are exercised against the HTTPS server too.
"""

from __future__ import annotations

import asyncio
import os
import pathlib
import subprocess

import pytest

import gitward
from gitward import (
    AuthError,
    GitFetchResult,
    GitwardError,
    NetworkError,
    NotFoundError,
    SourceError,
    VerificationError,
)


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


@pytest.fixture()
def repo(tmp_path: pathlib.Path) -> tuple[str, str]:
    """A bare repository (its path) with main at one commit tagged v1.0.0; and that commit."""
    work = tmp_path / "work"
    work.mkdir()
    git(work, "init", "-q", "-b", "main")
    (work / "app").mkdir()
    (work / "app" / "config.yaml").write_text("a: 1\n")
    git(work, "add", "-A")
    git(work, "commit", "-q", "-m", "first")
    git(work, "tag", "v1.0.0")
    bare = tmp_path / "repo.git"
    git(tmp_path, "init", "-q", "--bare", "-b", "main", str(bare))
    git(work, "push", "-q", str(bare), "main", "--tags")
    return str(bare), git(work, "rev-parse", "HEAD")


def test_fetch_git_sync_checks_out_the_default_branch(
    repo: tuple[str, str], tmp_path: pathlib.Path
) -> None:
    url, head = repo
    out = gitward.fetch_git_sync(url, tmp_path / "out")
    assert isinstance(out, GitFetchResult)
    assert out.revision == f"main@sha1:{head}"
    assert out.commit == head
    assert out.unchanged is False
    assert out.digest is not None and out.digest.startswith("sha256:")
    assert len(out.digest) == len("sha256:") + 64
    assert out.path is not None
    assert (pathlib.Path(out.path) / "app" / "config.yaml").read_text() == "a: 1\n"
    assert not (pathlib.Path(out.path) / ".git").exists()
    assert "main@sha1:" in repr(out)


def test_the_digest_is_the_artifacts_and_follows_ignore(
    repo: tuple[str, str], tmp_path: pathlib.Path
) -> None:
    url, _ = repo
    a = gitward.fetch_git_sync(url, tmp_path / "a")
    b = gitward.fetch_git_sync(url, tmp_path / "b")
    assert a.digest == b.digest, "reproducible"
    c = gitward.fetch_git_sync(url, tmp_path / "c", ignore="app/\n")
    assert c.digest is not None and c.digest != a.digest


def test_refresh_of_an_unchanged_remote_fetches_nothing(
    repo: tuple[str, str], tmp_path: pathlib.Path
) -> None:
    url, head = repo
    out = gitward.fetch_git_sync(
        url, tmp_path / "out", tag="v1.0.0", last_revision=f"v1.0.0@sha1:{head}"
    )
    assert out.unchanged is True
    assert out.revision == f"v1.0.0@sha1:{head}"
    assert out.path is None
    assert out.digest is None
    assert not (tmp_path / "out").exists()


def test_fetch_git_is_awaitable(repo: tuple[str, str], tmp_path: pathlib.Path) -> None:
    url, head = repo
    out = asyncio.run(gitward.fetch_git(url, tmp_path / "out", commit=head))
    assert out.revision == f"sha1:{head}"


def test_errors_are_typed(repo: tuple[str, str], tmp_path: pathlib.Path) -> None:
    url, _ = repo
    with pytest.raises(NotFoundError) as e:
        gitward.fetch_git_sync(url, tmp_path / "a", branch="nope")
    assert e.value.kind == "not_found"
    assert e.value.url is not None and e.value.url.endswith("repo.git")
    assert "branch 'nope' not found" in str(e.value)
    assert e.value.message == str(e.value)
    with pytest.raises(SourceError) as s:
        gitward.fetch_git_sync("ftp://u:pw-secret-1@host/x", tmp_path / "b")
    assert s.value.kind == "invalid_input"
    assert "pw-secret-1" not in str(s.value)
    with pytest.raises(ValueError):
        gitward.fetch_git_sync(url, tmp_path / "c", verify_mode="sometimes")
    for cls in (AuthError, NotFoundError, VerificationError, NetworkError):
        assert issubclass(cls, SourceError)
    assert issubclass(SourceError, GitwardError)


def test_verification_refuses_an_unsigned_commit(
    repo: tuple[str, str], tmp_path: pathlib.Path
) -> None:
    url, head = repo
    with pytest.raises(VerificationError) as e:
        gitward.fetch_git_sync(
            url, tmp_path / "out", verify_mode="HEAD", verify_ssh_keys=["ssh-ed25519 AAAA x"]
        )
    assert head in str(e.value)


def servers() -> dict[str, str]:
    path = os.environ.get("GITWARD_TEST_ENV")
    if not path:
        pytest.skip("GITWARD_TEST_ENV is not set (scripts/test.sh sets it)")
    env: dict[str, str] = {}
    for line in pathlib.Path(path).read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            k, v = line.split("=", 1)
            env[k.strip()] = v.strip()
    return env


def test_https_credentials_are_used_and_never_echoed(tmp_path: pathlib.Path) -> None:
    env = servers()
    ca = pathlib.Path(env["GITWARD_TEST_CA"]).read_text()
    out = gitward.fetch_git_sync(
        env["GITWARD_GIT_HTTPS_URL"],
        tmp_path / "ok",
        username=env["GITWARD_GIT_HTTPS_USER"],
        password=env["GITWARD_GIT_HTTPS_PASSWORD"],
        ca_pem=ca,
    )
    assert out.revision == f"main@sha1:{env['GITWARD_GIT_HEAD']}"
    with pytest.raises(AuthError) as e:
        gitward.fetch_git_sync(
            env["GITWARD_GIT_HTTPS_URL"],
            tmp_path / "bad",
            username="gitward",
            password="wrong-python-secret",
            ca_pem=ca,
        )
    assert "wrong-python-secret" not in str(e.value)
    assert "wrong-python-secret" not in repr(e.value)
    assert e.value.kind == "auth"
