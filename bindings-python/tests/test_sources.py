"""Tests of fetch_helm_chart and fetch_oci (and their _sync forms) against the real test
servers: the Helm repository of scripts/test-helm-repo.sh and the registries of
scripts/test-registry.sh, found through the env file named by GITWARD_TEST_ENV (which
scripts/test.sh sets; without it these tests are skipped).
"""

from __future__ import annotations

import asyncio
import base64
import gzip
import hashlib
import io
import json
import os
import pathlib
import ssl
import tarfile
import urllib.request
import uuid
from typing import Optional

import pytest

import gitward


def _env() -> dict[str, str]:
    path = os.environ.get("GITWARD_TEST_ENV")
    if not path:
        pytest.skip("GITWARD_TEST_ENV is not set (scripts/test.sh starts the servers)")
    out: dict[str, str] = {}
    for line in pathlib.Path(path).read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#") and "=" in line:
            k, v = line.split("=", 1)
            out[k.strip()] = v.strip()
    if "GITWARD_HELM_REPO_URL" not in out or "GITWARD_REGISTRY_PLAIN_URL" not in out:
        pytest.fail(f"{path} does not describe the Helm repository and the registries")
    return out


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return _env()


def _sha256(data: bytes) -> str:
    return "sha256:" + hashlib.sha256(data).hexdigest()


def _tgz(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        for name, data in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return gzip.compress(buf.getvalue(), mtime=0)


def _push(base: str, repo: str, tag: str, files: dict[str, bytes], ca: str, auth: Optional[str]) -> str:
    """Pushes a Flux artifact (config + one content layer); returns the manifest digest."""
    ctx = ssl.create_default_context(cafile=ca)

    def call(method: str, url: str, data: bytes = b"", ctype: str = "application/octet-stream") -> tuple[int, dict[str, str]]:
        req = urllib.request.Request(url, data=data if method != "POST" else None, method=method)
        req.add_header("Content-Type", ctype)
        if auth:
            req.add_header("Authorization", auth)
        with urllib.request.urlopen(req, context=ctx if url.startswith("https") else None) as resp:
            return resp.status, dict(resp.headers)

    def blob(data: bytes) -> str:
        digest = _sha256(data)
        _, headers = call("POST", f"{base}/v2/{repo}/blobs/uploads/")
        loc = headers["Location"]
        url = loc if loc.startswith("http") else base + loc
        url += ("&" if "?" in url else "?") + "digest=" + digest
        call("PUT", url, data)
        return digest

    config = b'{"created":"2020-01-01T00:00:00Z"}'
    layer = _tgz(files)
    manifest = json.dumps(
        {
            "schemaVersion": 2,
            "mediaType": "application/vnd.oci.image.manifest.v1+json",
            "config": {
                "mediaType": "application/vnd.cncf.flux.config.v1+json",
                "digest": blob(config),
                "size": len(config),
            },
            "layers": [
                {
                    "mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip",
                    "digest": blob(layer),
                    "size": len(layer),
                }
            ],
        }
    ).encode()
    call("PUT", f"{base}/v2/{repo}/manifests/{tag}", manifest, "application/vnd.oci.image.manifest.v1+json")
    return _sha256(manifest)


def _chart_digest(env: dict[str, str], version: str) -> str:
    path = pathlib.Path(env["GITWARD_HELM_REPO_DIR"]) / f"{env['GITWARD_HELM_CHART']}-{version}.tgz"
    return _sha256(path.read_bytes())


def test_fetch_helm_chart_sync_over_https(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    got = gitward.fetch_helm_chart_sync(
        env["GITWARD_HELM_REPO_URL"],
        env["GITWARD_HELM_CHART"],
        ca_file=env["GITWARD_TEST_CA"],
        output=tmp_path,
    )
    assert isinstance(got, gitward.FetchResult)
    assert got.revision == "0.2.0"
    assert got.digest == _chart_digest(env, "0.2.0")
    assert pathlib.Path(got.path) == tmp_path / f"{env['GITWARD_HELM_CHART']}-0.2.0.tgz"
    assert _sha256(pathlib.Path(got.path).read_bytes()) == got.digest


def test_fetch_helm_chart_awaitable_to_a_temporary_directory(env: dict[str, str]) -> None:
    got = asyncio.run(
        gitward.fetch_helm_chart(env["GITWARD_HELM_REPO_HTTP_URL"], env["GITWARD_HELM_CHART"], version="0.1.0")
    )
    assert got.revision == "0.1.0"
    assert pathlib.Path(got.path).is_file()


def test_auth_errors_hold_no_secret(env: dict[str, str]) -> None:
    secret = "wrong-" + uuid.uuid4().hex
    with pytest.raises(gitward.AuthError) as e:
        gitward.fetch_helm_chart_sync(
            env["GITWARD_HELM_REPO_PRIVATE_URL"],
            env["GITWARD_HELM_CHART"],
            ca_file=env["GITWARD_TEST_CA"],
            username=env["GITWARD_HELM_REPO_USER"],
            password=secret,
        )
    err = e.value
    assert isinstance(err, gitward.SourceError) and isinstance(err, gitward.GitwardError)
    assert err.kind == "auth"
    assert err.url == env["GITWARD_HELM_REPO_PRIVATE_URL"]
    assert secret not in str(err) and secret not in repr(err)
    got = gitward.fetch_helm_chart_sync(
        env["GITWARD_HELM_REPO_PRIVATE_URL"],
        env["GITWARD_HELM_CHART"],
        ca_file=env["GITWARD_TEST_CA"],
        username=env["GITWARD_HELM_REPO_USER"],
        password=env["GITWARD_HELM_REPO_PASSWORD"],
    )
    assert got.digest == _chart_digest(env, "0.2.0")
    assert env["GITWARD_HELM_REPO_PASSWORD"] not in repr(got)


def test_not_found_and_untrusted(env: dict[str, str]) -> None:
    with pytest.raises(gitward.NotFoundError) as nf:
        gitward.fetch_helm_chart_sync(env["GITWARD_HELM_REPO_HTTP_URL"], "absent")
    assert nf.value.kind == "not_found"
    assert str(nf.value) == f'chart "absent" not found in {env["GITWARD_HELM_REPO_HTTP_URL"]} repository'
    with pytest.raises(gitward.NetworkError):
        gitward.fetch_helm_chart_sync(env["GITWARD_HELM_REPO_URL"], env["GITWARD_HELM_CHART"])


def test_fetch_oci(env: dict[str, str], tmp_path: pathlib.Path) -> None:
    repo = f"gitward/py-{uuid.uuid4().hex[:12]}"
    files = {"deploy/cm.yaml": b"kind: ConfigMap\n", "kustomization.yaml": b"resources: [deploy/cm.yaml]\n"}
    manifest = _push(env["GITWARD_REGISTRY_PLAIN_URL"], repo, "v1", files, env["GITWARD_TEST_CA"], None)
    url = f"oci://{env['GITWARD_REGISTRY_PLAIN']}/{repo}"
    got = gitward.fetch_oci_sync(url, tag="v1", insecure=True, output=tmp_path / "out")
    assert got.revision == f"v1@{manifest}"
    assert got.digest.startswith("sha256:")
    assert (pathlib.Path(got.path) / "deploy/cm.yaml").read_bytes() == b"kind: ConfigMap\n"
    by_digest = asyncio.run(gitward.fetch_oci(url, digest=manifest, insecure=True, layer_operation="copy"))
    assert by_digest.revision == manifest
    # Flux's digests: a copied layer's is the blob's; an extracted layer's is that of the
    # tarball source-controller archives the files into.
    blob = pathlib.Path(by_digest.path).read_bytes()
    assert by_digest.digest == "sha256:" + hashlib.sha256(blob).hexdigest()
    assert got.digest != by_digest.digest
    ignored = gitward.fetch_oci_sync(url, tag="v1", insecure=True, ignore="deploy/\n")
    assert ignored.digest.startswith("sha256:") and ignored.digest != got.digest
    assert pathlib.Path(by_digest.path).name == f"{manifest}.tgz"
    with pytest.raises(ValueError):
        gitward.fetch_oci_sync(url, tag="v1", digest=manifest)
    with pytest.raises(ValueError):
        gitward.fetch_oci_sync(url, layer_operation="move")


def test_fetch_oci_basic_auth(env: dict[str, str]) -> None:
    repo = f"gitward/py-{uuid.uuid4().hex[:12]}"
    user, password = env["GITWARD_REGISTRY_USER"], env["GITWARD_REGISTRY_PASSWORD"]
    basic = "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()
    _push(env["GITWARD_REGISTRY_SECURE_URL"], repo, "latest", {"a.yaml": b"a: 1\n"}, env["GITWARD_TEST_CA"], basic)
    url = f"oci://{env['GITWARD_REGISTRY_SECURE']}/{repo}"
    secret = "wrong-" + uuid.uuid4().hex
    with pytest.raises(gitward.AuthError) as e:
        gitward.fetch_oci_sync(url, ca_file=env["GITWARD_TEST_CA"], username=user, password=secret)
    assert secret not in str(e.value)
    got = gitward.fetch_oci_sync(url, ca_file=env["GITWARD_TEST_CA"], username=user, password=password)
    assert got.revision.startswith("latest@sha256:")
