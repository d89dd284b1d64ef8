"""gitward: Kubernetes YAML manifests read and printed exactly as kustomize does.

>>> import gitward
>>> gitward.parse_manifests("b: 1\\na: yes\\n")
[{'b': 1, 'a': 'yes'}]
>>> print(gitward.dump_manifests([{"b": 1, "a": "yes"}]), end="")
a: "yes"
b: 1

Errors form one hierarchy: every error raised is a :class:`GitwardError`;
:class:`YamlError` (``kind``, ``line``, ``column``, ``message``) for YAML the core
rejects; :class:`ConversionError` (``path``; also a ``TypeError`` and a
``ValueError``) for Python data with no YAML/JSON counterpart.
"""

from gitward._native import (
    ConversionError,
    GitwardError,
    YamlError,
    dump_manifests,
    parse_manifests,
)

__all__ = [
    "ConversionError",
    "GitwardError",
    "YamlError",
    "dump_manifests",
    "parse_manifests",
]
