"""Type stubs for gitward._native, the compiled core of the gitward package."""

import os
from collections.abc import Sequence
from typing import Any, Optional, Union, final

__all__ = [
    "AuthError",
    "BuildError",
    "ConversionError",
    "GitFetchResult",
    "GitwardError",
    "HelmError",
    "KustomizeResult",
    "NetworkError",
    "NotFoundError",
    "SourceError",
    "VerificationError",
    "YamlError",
    "dump_manifests",
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

class SourceError(GitwardError):
    """A source (a Git repository) could not be fetched. No message carries a credential."""

    kind: str
    """'auth', 'not_found', 'verification', 'network', 'invalid_input' or 'other'."""
    url: Optional[str]
    """The remote's URL without credentials, None when the error concerns no remote."""
    message: str
    """The same as ``str(err)``."""

class AuthError(SourceError):
    """Credentials were refused, or the server (TLS certificate, ssh host key) is not trusted."""

class NotFoundError(SourceError):
    """The repository, branch, tag, ref or commit does not exist, or no tag matches the range."""

class VerificationError(SourceError):
    """A commit or tag signature is missing or made by a key that is not trusted."""

class NetworkError(SourceError):
    """The server could not be reached, timed out, or answered outside the protocol."""

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
        """The artifact digest ``sha256:...`` (None until artifacts are packed)."""
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
    sparse_checkout: Sequence[str] = (),
    verify_mode: Optional[str] = None,
    verify_pgp_keys: Sequence[str] = (),
    verify_ssh_keys: Sequence[str] = (),
    last_revision: Optional[str] = None,
    shallow: bool = True,
    timeout: float = 60.0,
) -> GitFetchResult:
    """Fetches a Git repository into ``dest`` as Flux's GitRepository does (blocking).

    Raises SourceError (AuthError, NotFoundError, VerificationError, NetworkError).
    """
