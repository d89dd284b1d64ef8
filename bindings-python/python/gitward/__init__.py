"""gitward: Kubernetes YAML manifests read and printed exactly as kustomize does.

>>> import gitward
>>> gitward.parse_manifests("b: 1\\na: yes\\n")
[{'b': 1, 'a': 'yes'}]
>>> print(gitward.dump_manifests([{"b": 1, "a": "yes"}]), end="")
a: "yes"
b: 1

Builds: :func:`kustomize_build` (``kubectl kustomize``) and :func:`helm_template`
(``helm template``), each with an awaitable ``*_async`` twin. Health: :func:`health`
(kstatus' verdict on one object, as Flux waits for it) and :func:`health_async`.

Sources, as Flux's source-controller fetches them: :func:`fetch_helm_chart` (a chart
from a Helm repository, ``http(s)://`` or ``oci://``) and :func:`fetch_oci` (an OCI
artifact), awaitable, with blocking ``*_sync`` forms; each returns a
:class:`FetchResult` (``revision``, ``digest``, ``path``).

Sources: :func:`fetch_git` (awaitable) and :func:`fetch_git_sync` fetch a Git
repository as Flux's GitRepository does and return a :class:`GitFetchResult`
(``revision``, ``path``, ``commit``, ``digest``, ``unchanged``, ``verified``).

Errors form one hierarchy: every error raised is a :class:`GitwardError`;
:class:`YamlError` (``kind``, ``line``, ``column``, ``message``) for YAML the core
rejects; :class:`ConversionError` (``path``; also a ``TypeError`` and a
``ValueError``) for Python data with no YAML/JSON counterpart; :class:`BuildError`
(``kind``, ``path``, ``message``) for a failed kustomize build; :class:`HelmError`
(``kind``, ``chart``, ``file``, ``message``) for a chart that cannot be rendered;
:class:`HealthError` (``kind``, ``message``) where kstatus cannot compute a status.
:class:`SourceError` (``kind``, ``url``, ``message``; subclasses :class:`AuthError`,
:class:`NotFoundError`, :class:`NetworkError`, :class:`DigestError`) for a source that
cannot be fetched, never holding a credential.
:class:`VerificationError` (a Git commit or tag signature missing or untrusted).
:class:`ClusterError` (``kind``, ``subject``, ``code``, ``fields``, ``message``,
``entries``; subclasses :class:`ConflictError`, :class:`InvalidObjectError`,
:class:`ForbiddenError`, :class:`ObjectNotFoundError`, :class:`WaitTimeoutError`) for a
cluster request or an apply that failed, never holding a Secret value.

Substitution: :func:`envsubst` (and :func:`envsubst_async`) substitutes ``${VAR}``
expressions as Flux's post-build substitution does; :class:`SubstitutionError` for a
malformed expression or, in strict mode, an unset variable.

Cluster: :func:`apply` (awaitable) and :func:`apply_sync` apply objects as Flux's
kustomize-controller does (staged server-side apply, inventory, prune) and return the
change set and the new inventory (``wait=True``: and wait for them to become ready);
:func:`plan` and :func:`plan_sync` say what apply would do, with dry-runs only, or in
memory with no cluster when given the ``live`` objects; :func:`diff` and :func:`diff_sync`
compare objects with what runs as ``flux diff`` does (Secret values masked), against the
cluster or in memory.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any, Dict, Mapping, Optional, Sequence, Union

from gitward._native import (
    diff_sync,
    SubstitutionError,
    envsubst,
    ClusterError,
    ConflictError,
    ForbiddenError,
    InvalidObjectError,
    ObjectNotFoundError,
    WaitTimeoutError,
    apply_sync,
    plan_sync,
    AuthError,
    BuildError,
    ConversionError,
    DigestError,
    FetchResult,
    GitFetchResult,
    GitwardError,
    HealthError,
    HelmError,
    KustomizeResult,
    NetworkError,
    NotFoundError,
    SourceError,
    VerificationError,
    YamlError,
    dump_manifests,
    health,
    fetch_helm_chart_sync,
    fetch_oci_sync,
    fetch_git_sync,
    helm_template,
    kustomize_build,
    parse_manifests,
)

__all__ = [
    "diff",
    "diff_sync",
    "SubstitutionError",
    "envsubst",
    "envsubst_async",
    "ClusterError",
    "ConflictError",
    "ForbiddenError",
    "InvalidObjectError",
    "ObjectNotFoundError",
    "WaitTimeoutError",
    "apply_sync",
    "plan_sync",
    "apply",
    "plan",
    "AuthError",
    "BuildError",
    "ConversionError",
    "DigestError",
    "FetchResult",
    "GitFetchResult",
    "GitwardError",
    "HealthError",
    "HelmError",
    "KustomizeResult",
    "NetworkError",
    "NotFoundError",
    "SourceError",
    "VerificationError",
    "YamlError",
    "dump_manifests",
    "health",
    "health_async",
    "fetch_helm_chart",
    "fetch_helm_chart_sync",
    "fetch_oci",
    "fetch_oci_sync",
    "fetch_git",
    "fetch_git_sync",
    "helm_template",
    "helm_template_async",
    "kustomize_build",
    "kustomize_build_async",
    "parse_manifests",
]

StrPath = Union[str, "os.PathLike[str]"]

# The async twins run the native call in a worker thread (`asyncio.to_thread`): the
# native functions release the GIL for the whole build, so the event loop and other
# threads keep running. (pyo3-async-runtimes would only add a Rust runtime around the
# same blocking work.) Cancelling the awaiting task does not stop a build already
# running; its result is discarded.


async def kustomize_build_async(
    path: StrPath,
    *,
    load_restrictor: str = "LoadRestrictionsRootOnly",
    reorder: Optional[str] = None,
    enable_managedby_label: bool = False,
    enable_helm: bool = False,
) -> KustomizeResult:
    """:func:`kustomize_build` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        kustomize_build,
        path,
        load_restrictor=load_restrictor,
        reorder=reorder,
        enable_managedby_label=enable_managedby_label,
        enable_helm=enable_helm,
    )


async def helm_template_async(
    chart: StrPath,
    *,
    release: str = "release-name",
    namespace: str = "default",
    values: Sequence[StrPath] = (),
    set: Sequence[str] = (),
    set_string: Sequence[str] = (),
    set_json: Sequence[str] = (),
    set_file: Sequence[str] = (),
    set_literal: Sequence[str] = (),
    kube_version: Optional[str] = None,
    api_versions: Sequence[str] = (),
    include_crds: bool = False,
    is_upgrade: bool = False,
    skip_tests: bool = False,
    no_hooks: bool = False,
    skip_schema_validation: bool = False,
    show_only: Sequence[str] = (),
) -> str:
    """:func:`helm_template` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        helm_template,
        chart,
        release=release,
        namespace=namespace,
        values=values,
        set=set,
        set_string=set_string,
        set_json=set_json,
        set_file=set_file,
        set_literal=set_literal,
        kube_version=kube_version,
        api_versions=api_versions,
        include_crds=include_crds,
        is_upgrade=is_upgrade,
        skip_tests=skip_tests,
        no_hooks=no_hooks,
        skip_schema_validation=skip_schema_validation,
        show_only=show_only,
    )


async def health_async(obj: Mapping[str, Any]) -> Dict[str, str]:
    """:func:`health` in a worker thread, awaitable."""
    return await asyncio.to_thread(health, obj)


async def fetch_helm_chart(
    repo_url: str,
    chart: str,
    *,
    version: Optional[str] = None,
    output: Optional[StrPath] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    ca_file: Optional[StrPath] = None,
    cert_file: Optional[StrPath] = None,
    key_file: Optional[StrPath] = None,
    registry_config: Optional[StrPath] = None,
    insecure: bool = False,
    pass_credentials: bool = False,
    cache_dir: Optional[StrPath] = None,
) -> FetchResult:
    """:func:`fetch_helm_chart_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        fetch_helm_chart_sync,
        repo_url,
        chart,
        version=version,
        output=output,
        username=username,
        password=password,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        registry_config=registry_config,
        insecure=insecure,
        pass_credentials=pass_credentials,
        cache_dir=cache_dir,
    )


async def fetch_oci(
    url: str,
    *,
    tag: Optional[str] = None,
    semver: Optional[str] = None,
    digest: Optional[str] = None,
    layer_media_type: Optional[str] = None,
    layer_operation: str = "extract",
    output: Optional[StrPath] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    ca_file: Optional[StrPath] = None,
    cert_file: Optional[StrPath] = None,
    key_file: Optional[StrPath] = None,
    registry_config: Optional[StrPath] = None,
    insecure: bool = False,
    ignore: Optional[str] = None,
) -> FetchResult:
    """:func:`fetch_oci_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        fetch_oci_sync,
        url,
        tag=tag,
        semver=semver,
        digest=digest,
        layer_media_type=layer_media_type,
        layer_operation=layer_operation,
        output=output,
        username=username,
        password=password,
        ca_file=ca_file,
        cert_file=cert_file,
        key_file=key_file,
        registry_config=registry_config,
        insecure=insecure,
        ignore=ignore,
    )


async def fetch_git(
    url: str,
    dest: StrPath,
    *,
    branch: Optional[str] = None,
    tag: Optional[str] = None,
    semver: Optional[str] = None,
    ref_name: Optional[str] = None,
    commit: Optional[str] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    bearer_token: Optional[str] = None,
    ca_pem: Optional[str] = None,
    cert_pem: Optional[str] = None,
    key_pem: Optional[str] = None,
    ssh_key: Optional[str] = None,
    ssh_passphrase: Optional[str] = None,
    known_hosts: Optional[str] = None,
    insecure_skip_host_key_check: bool = False,
    recurse_submodules: bool = False,
    sparse_checkout: Sequence[str] = (),
    verify_mode: Optional[str] = None,
    verify_pgp_keys: Sequence[str] = (),
    verify_ssh_keys: Sequence[str] = (),
    last_revision: Optional[str] = None,
    shallow: bool = True,
    timeout: float = 60.0,
    ignore: Optional[str] = None,
) -> GitFetchResult:
    """:func:`fetch_git_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        fetch_git_sync,
        url,
        dest,
        branch=branch,
        tag=tag,
        semver=semver,
        ref_name=ref_name,
        commit=commit,
        username=username,
        password=password,
        bearer_token=bearer_token,
        ca_pem=ca_pem,
        cert_pem=cert_pem,
        key_pem=key_pem,
        ssh_key=ssh_key,
        ssh_passphrase=ssh_passphrase,
        known_hosts=known_hosts,
        insecure_skip_host_key_check=insecure_skip_host_key_check,
        recurse_submodules=recurse_submodules,
        sparse_checkout=sparse_checkout,
        verify_mode=verify_mode,
        verify_pgp_keys=verify_pgp_keys,
        verify_ssh_keys=verify_ssh_keys,
        last_revision=last_revision,
        shallow=shallow,
        timeout=timeout,
        ignore=ignore,
    )


async def apply(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    wait: bool = False,
    timeout: float = 300.0,
) -> Dict[str, Any]:
    """:func:`apply_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        apply_sync,
        objects,
        kubeconfig=kubeconfig,
        context=context,
        field_manager=field_manager,
        inventory=inventory,
        owner_name=owner_name,
        owner_namespace=owner_namespace,
        prune=prune,
        force=force,
        wait=wait,
        timeout=timeout,
    )


async def plan(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    live: Optional[Sequence[Mapping[str, Any]]] = None,
) -> Dict[str, Any]:
    """:func:`plan_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        plan_sync,
        objects,
        kubeconfig=kubeconfig,
        context=context,
        field_manager=field_manager,
        inventory=inventory,
        owner_name=owner_name,
        owner_namespace=owner_namespace,
        prune=prune,
        force=force,
        live=live,
    )


async def envsubst_async(text: str, variables: Mapping[str, str], *, strict: bool = False) -> str:
    """:func:`envsubst` in a worker thread, awaitable."""
    return await asyncio.to_thread(envsubst, text, variables, strict=strict)


async def diff(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    ignore: Optional[Sequence[Mapping[str, Any]]] = None,
    live: Optional[Sequence[Mapping[str, Any]]] = None,
) -> Dict[str, Any]:
    """:func:`diff_sync` in a worker thread, awaitable."""
    return await asyncio.to_thread(
        diff_sync,
        objects,
        kubeconfig=kubeconfig,
        context=context,
        field_manager=field_manager,
        inventory=inventory,
        owner_name=owner_name,
        owner_namespace=owner_namespace,
        prune=prune,
        force=force,
        ignore=ignore,
        live=live,
    )
