"""Type stubs for gitward._native, the compiled core of the gitward package."""

import os
from collections.abc import Mapping, Sequence
from typing import Any, Optional, Union, final

__all__ = [
    "diff_sync",
    "SubstitutionError",
    "envsubst",
    "ClusterError",
    "ConflictError",
    "ForbiddenError",
    "InvalidObjectError",
    "ObjectNotFoundError",
    "WaitTimeoutError",
    "apply_sync",
    "plan_sync",
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
    "fetch_helm_chart_sync",
    "fetch_oci_sync",
    "fetch_git_sync",
    "helm_template",
    "kustomize_build",
    "parse_manifests",
]

_StrPath = Union[str, os.PathLike[str]]

class GitwardError(Exception):
    """Base class of every error raised by gitward."""

class YamlError(GitwardError):
    """The YAML text could not be read the way kustomize reads it."""

    kind: str
    """'syntax', 'duplicate_key', 'unknown_anchor', 'alias_limit', 'depth_limit',
    'size_limit' or 'unsupported'."""
    line: int
    """1-based line of the error, 0 when unknown."""
    column: int
    """1-based column of the error, 0 when unknown."""
    message: str
    """The description without the position (``str(err)`` has both)."""

class ConversionError(GitwardError, TypeError, ValueError):
    """A Python value has no YAML/JSON counterpart."""

    path: str
    """Where the value is in the input, e.g. ``[0].metadata.labels``; '' for the top level."""

def parse_manifests(text: str) -> list[Any]:
    """Parses a multi-document YAML stream the way kustomize reads resource files.

    Each document becomes one item: a dict for a mapping (every Kubernetes object), or the
    list or scalar a non-mapping document holds.

    Raises YamlError on malformed or unsupported input.
    """

def dump_manifests(
    objs: Union[list[dict[str, Any]], tuple[dict[str, Any], ...]],
) -> str:
    """Prints documents as kustomize prints them (keys sorted, documents joined by ``---``).

    Raises ConversionError for a value with no YAML/JSON counterpart.
    """

class BuildError(GitwardError):
    """A kustomization could not be built (kustomize's message)."""

    kind: str
    """'missing_kustomization', 'invalid_kustomization', 'yaml', 'load', 'cycle',
    'conflict', 'patch', 'transform' or 'unsupported'."""
    path: str
    """The directory built, as given."""
    message: str
    """kustomize's message (the same as ``str(err)``)."""

class HelmError(GitwardError):
    """A chart could not be rendered (what ``helm template`` prints after 'Error: ')."""

    kind: str
    """'load', 'invalid', 'values', 'dependencies', 'schema', 'kube_version', 'template',
    'manifest', 'show_only', 'release_name', 'limit' or 'unsupported'."""
    chart: Optional[str]
    """The chart concerned, when known."""
    file: Optional[str]
    """The file concerned (chart-relative or template path), when known."""
    message: str
    """Helm's message (the same as ``str(err)``)."""

@final
class KustomizeResult:
    """What :func:`kustomize_build` returns."""

    @property
    def yaml(self) -> str:
        """The YAML stream, exactly what ``kubectl kustomize`` prints."""
    @property
    def objects(self) -> list[dict[str, Any]]:
        """The resources in output order, as :func:`parse_manifests` returns them."""
    @property
    def warnings(self) -> list[str]:
        """The warnings kustomize prints on stderr (deprecated fields, ...)."""

def kustomize_build(
    path: _StrPath,
    *,
    load_restrictor: str = "LoadRestrictionsRootOnly",
    reorder: Optional[str] = None,
    enable_managedby_label: bool = False,
    enable_helm: bool = False,
) -> KustomizeResult:
    """Builds the kustomization in directory ``path``, as ``kubectl kustomize`` does.

    Raises BuildError (``kind``, ``path``) when the build fails, ValueError for an
    unknown ``load_restrictor`` or ``reorder``.
    """

def helm_template(
    chart: _StrPath,
    *,
    release: str = "release-name",
    namespace: str = "default",
    values: Sequence[_StrPath] = (),
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
    """Renders a chart (a directory or a ``.tgz``) and returns what ``helm template``
    prints. Options mirror its flags; ``values`` and ``set_file`` paths are relative to
    the working directory.

    Raises HelmError (``kind``, ``chart``, ``file``) when the chart cannot be rendered.
    """

class HealthError(GitwardError):
    """kstatus could not compute an object's health (Flux reports it 'Unknown')."""

    kind: str
    """'lookup', 'accessor', 'conditions', 'unknown_phase', 'malformed' or 'not_an_object'."""
    message: str
    """kstatus' error text (the same as ``str(err)``)."""

def health(obj: Mapping[str, Any]) -> dict[str, str]:
    """The health of one object as kstatus computes it: ``{"status": ..., "message": ...}``.

    Raises HealthError where kstatus returns an error, ConversionError for a value with no
    JSON counterpart.
    """

class SourceError(GitwardError):
    """A source could not be fetched (a Git repository, a Helm repository, an OCI registry).

    Never holds a credential."""

    kind: str
    """'auth', 'not_found', 'network', 'digest', 'invalid', 'limit' or 'io'; for Git also
    'verification', 'invalid_input' and 'other'."""
    url: Optional[str]
    """The URL concerned, without user information, when known."""
    message: str
    """The message (the same as ``str(err)``)."""

class AuthError(SourceError):
    """Credentials were missing or refused (kind 'auth')."""

class NotFoundError(SourceError):
    """The repository, chart, version, tag or blob does not exist (kind 'not_found')."""

class NetworkError(SourceError):
    """Connection, TLS or HTTP failure (kind 'network')."""

class DigestError(SourceError):
    """Content did not match its digest (kind 'digest')."""

@final
class FetchResult:
    """What :func:`fetch_helm_chart_sync` and :func:`fetch_oci_sync` return."""

    @property
    def revision(self) -> str:
        """Flux's revision: a chart's version; ``TAG@sha256:...`` for an OCI artifact."""
    @property
    def digest(self) -> str:
        """Flux's artifact digest, ``sha256:<hex>``."""
    @property
    def path(self) -> str:
        """The file or directory written."""
    @property
    def url(self) -> str:
        """Where it came from, without user information."""
    @property
    def warnings(self) -> list[str]:
        """What Helm or Flux would have warned about."""

def fetch_helm_chart_sync(
    repo_url: str,
    chart: str,
    *,
    version: Optional[str] = None,
    output: Optional[_StrPath] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    ca_file: Optional[_StrPath] = None,
    cert_file: Optional[_StrPath] = None,
    key_file: Optional[_StrPath] = None,
    registry_config: Optional[_StrPath] = None,
    insecure: bool = False,
    pass_credentials: bool = False,
    cache_dir: Optional[_StrPath] = None,
) -> FetchResult:
    """Fetches a chart from a Helm repository (``http(s)://`` or ``oci://``) as a Flux
    HelmChart does and writes ``CHART-VERSION.tgz`` into ``output`` (a new temporary
    directory when None).

    Raises SourceError (AuthError, NotFoundError, NetworkError, DigestError by kind).
    """

def fetch_oci_sync(
    url: str,
    *,
    tag: Optional[str] = None,
    semver: Optional[str] = None,
    digest: Optional[str] = None,
    layer_media_type: Optional[str] = None,
    layer_operation: str = "extract",
    output: Optional[_StrPath] = None,
    username: Optional[str] = None,
    password: Optional[str] = None,
    ca_file: Optional[_StrPath] = None,
    cert_file: Optional[_StrPath] = None,
    key_file: Optional[_StrPath] = None,
    registry_config: Optional[_StrPath] = None,
    insecure: bool = False,
    ignore: Optional[str] = None,
) -> FetchResult:
    """Pulls an artifact from an OCI registry as a Flux OCIRepository does and writes it
    into ``output`` (extracted files, or the layer for 'copy'; a new temporary directory
    when None).

    Raises SourceError subclasses, ValueError for conflicting references or an unknown
    ``layer_operation``.
    """

class VerificationError(SourceError):
    """A commit or tag signature is missing or made by a key that is not trusted."""

@final
class GitFetchResult:
    """What :func:`fetch_git_sync` returns."""

    @property
    def revision(self) -> str:
        """The revision as Flux prints it, e.g. ``main@sha1:<40 hex>``."""
    @property
    def unchanged(self) -> bool:
        """True when the remote still resolves to ``last_revision`` (nothing fetched)."""
    @property
    def commit(self) -> Optional[str]:
        """The commit checked out (None when unchanged)."""
    @property
    def path(self) -> Optional[str]:
        """The checkout directory, files only (None when unchanged)."""
    @property
    def digest(self) -> Optional[str]:
        """The digest ``sha256:...`` of the artifact source-controller would store (None when unchanged)."""
    @property
    def verified(self) -> list[tuple[str, str]]:
        """(object, key) for each verified signature."""

def fetch_git_sync(
    url: str,
    dest: _StrPath,
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
    sparse_checkout: Sequence[str] = ...,
    verify_mode: Optional[str] = None,
    verify_pgp_keys: Sequence[str] = ...,
    verify_ssh_keys: Sequence[str] = ...,
    last_revision: Optional[str] = None,
    shallow: bool = True,
    timeout: float = 60.0,
    ignore: Optional[str] = None,
) -> GitFetchResult:
    """Fetches a Git repository into ``dest`` as Flux's GitRepository does (blocking).

    Raises SourceError (AuthError, NotFoundError, VerificationError, NetworkError).
    """

class ClusterError(GitwardError):
    """A cluster request of apply or plan failed, or an apply could not complete.

    Never holds a Secret value. Subclasses by kind: ConflictError, InvalidObjectError,
    ForbiddenError, ObjectNotFoundError, WaitTimeoutError."""

    kind: str
    """'kubeconfig', 'connection', 'not_found', 'conflict', 'invalid', 'forbidden',
    'timeout', 'prune' or 'api'."""
    subject: Optional[str]
    """The object, ``Kind/namespace/name``."""
    code: Optional[int]
    """The HTTP status of the API server's answer."""
    fields: list[str]
    """The fields the API server named (``spec.replicas``, ...)."""
    message: str
    """The same as ``str(err)``."""
    entries: list[dict[str, str]]
    """What an apply did before it failed (``{"subject": ..., "action": ...}``)."""

class ConflictError(ClusterError):
    """409 Conflict (kind 'conflict')."""

class InvalidObjectError(ClusterError):
    """An object was rejected (400/422, kind 'invalid'), or the input is inconsistent."""

class ForbiddenError(ClusterError):
    """401/403 (kind 'forbidden')."""

class ObjectNotFoundError(ClusterError):
    """An object, its Namespace or its kind does not exist (kind 'not_found')."""

class WaitTimeoutError(ClusterError):
    """Objects did not become ready in time (kind 'timeout')."""

def apply_sync(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[_StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    wait: bool = False,
    timeout: float = 300.0,
) -> dict[str, Any]:
    """Applies objects as Flux's kustomize-controller does (staged server-side apply, then
    prune); returns ``{"entries": [...], "inventory": {...}}``."""

def plan_sync(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[_StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    live: Optional[Sequence[Mapping[str, Any]]] = None,
) -> dict[str, Any]:
    """What :func:`apply_sync` would do, with server-side dry-runs only:
    ``{"stages": [{"name": ..., "entries": [...]}]}``; in memory, with no cluster, when
    ``live`` holds the cluster's objects."""

class SubstitutionError(GitwardError):
    """A ``${...}`` expression could not be substituted (Flux's envsubst message)."""

    message: str
    """The same as ``str(err)``."""

def envsubst(text: str, variables: Mapping[str, str], *, strict: bool = False) -> str:
    """Substitutes ``${VAR}`` expressions in ``text`` as Flux's post-build substitution does."""

def diff_sync(
    objects: Sequence[Mapping[str, Any]],
    *,
    kubeconfig: Optional[_StrPath] = None,
    context: Optional[str] = None,
    field_manager: str = "gitward",
    inventory: Optional[Mapping[str, Any]] = None,
    owner_name: Optional[str] = None,
    owner_namespace: Optional[str] = None,
    prune: bool = False,
    force: bool = False,
    ignore: Optional[Sequence[Mapping[str, Any]]] = None,
    live: Optional[Sequence[Mapping[str, Any]]] = None,
) -> dict[str, Any]:
    """Compares objects with what runs, as ``flux diff`` does (Secret values masked):
    ``{"objects": [...], "has_changes": bool, "text": str}``; in memory, with no cluster,
    when ``live`` holds the cluster's objects."""
