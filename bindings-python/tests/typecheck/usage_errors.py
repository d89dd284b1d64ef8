"""Misuses the stubs must reject. Checked with `mypy --strict`, whose
--warn-unused-ignores turns any of these `type: ignore`s into an error the day the stubs
stop rejecting the line."""

import gitward

gitward.parse_manifests(b"a: 1")  # type: ignore[arg-type]
gitward.dump_manifests("a: 1")  # type: ignore[arg-type]
n: int = gitward.dump_manifests([])  # type: ignore[assignment]
e: gitward.YamlError = gitward.GitwardError()  # type: ignore[assignment]
k: int = gitward.YamlError().kind  # type: ignore[assignment]
p: int = gitward.ConversionError().path  # type: ignore[assignment]
gitward.kustomize_build("dir", "LoadRestrictionsNone")  # type: ignore[call-arg]
y: bytes = gitward.kustomize_build("dir").yaml  # type: ignore[assignment]
gitward.kustomize_build("dir").yaml = ""  # type: ignore[misc]
gitward.helm_template("chart", values="v.yaml", set=[1])  # type: ignore[list-item]
b: gitward.BuildError = gitward.HelmError()  # type: ignore[assignment]
