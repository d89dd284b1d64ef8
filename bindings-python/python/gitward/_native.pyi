"""Type stubs for gitward._native, the compiled core of the gitward package."""

from typing import Any, Union

__all__ = [
    "ConversionError",
    "GitwardError",
    "YamlError",
    "dump_manifests",
    "parse_manifests",
]

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

def parse_manifests(text: str) -> list[dict[str, Any]]:
    """Parses a multi-document YAML stream the way kustomize reads resource files.

    Raises YamlError on malformed or unsupported input.
    """

def dump_manifests(
    objs: Union[list[dict[str, Any]], tuple[dict[str, Any], ...]],
) -> str:
    """Prints documents as kustomize prints them (keys sorted, documents joined by ``---``).

    Raises ConversionError for a value with no YAML/JSON counterpart.
    """
