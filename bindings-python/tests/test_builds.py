"""Tests of kustomize_build and helm_template (and their async twins).

Every fixture is written to a temporary directory by the test; the expected text is what
the reference tools (kubectl v1.35.2 with kustomize v5.7.1, Helm v4.1.4) print for the
same files.
"""

from __future__ import annotations

import asyncio
import pathlib
import tarfile
import threading
from typing import Any

import pytest

import gitward
from gitward import BuildError, GitwardError, HelmError, KustomizeResult

# --- fixtures ------------------------------------------------------------------------

KUSTOMIZE_FILES = {
    "base/kustomization.yaml": """\
resources:
- deployment.yaml
- service.yaml
labels:
- pairs:
    app.kubernetes.io/name: web
  includeSelectors: true
configMapGenerator:
- name: web-config
  literals:
  - LOG_LEVEL=info
  - MODE=0777
""",
    "base/deployment.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: nginx:1.27
        envFrom:
        - configMapRef:
            name: web-config
""",
    "base/service.yaml": """\
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  ports:
  - port: 80
    targetPort: 8080
""",
    "overlay/kustomization.yaml": """\
resources:
- ../base
namePrefix: prod-
namespace: prod
labels:
- pairs:
    env: prod
configMapGenerator:
- name: web-config
  behavior: merge
  literals:
  - LOG_LEVEL=warn
""",
    "warn/kustomization.yaml": """\
commonLabels:
  team: platform
resources:
- cm.yaml
""",
    "warn/cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
data:
  enabled: "yes"
""",
    "missing/kustomization.yaml": "resources:\n- missing.yaml\n",
    "cyc-a/kustomization.yaml": "resources:\n- ../cyc-b\n",
    "cyc-b/kustomization.yaml": "resources:\n- ../cyc-a\n",
    "shared/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: shared\ndata:\n  k: v\n",
    "restricted/kustomization.yaml": "resources:\n- ../shared/cm.yaml\n",
    "bad-yaml/kustomization.yaml": "resources:\n- cm.yaml\n",
    "bad-yaml/cm.yaml": "a: [1, 2\n",
    "not-a-kustomization/README": "nothing here\n",
}

# `kubectl kustomize overlay`
OVERLAY = """\
apiVersion: v1
data:
  LOG_LEVEL: warn
  MODE: "0777"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web-config-4799465mmh
  namespace: prod
---
apiVersion: v1
kind: Service
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web
  namespace: prod
spec:
  ports:
  - port: 80
    targetPort: 8080
  selector:
    app.kubernetes.io/name: web
---
apiVersion: apps/v1
kind: Deployment
metadata:
  labels:
    app.kubernetes.io/name: web
    env: prod
  name: prod-web
  namespace: prod
spec:
  replicas: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: web
  template:
    metadata:
      labels:
        app.kubernetes.io/name: web
    spec:
      containers:
      - envFrom:
        - configMapRef:
            name: prod-web-config-4799465mmh
        image: nginx:1.27
        name: web
"""

# `kubectl kustomize base` (the ConfigMap part; the hash differs from the overlay's)
BASE_CONFIGMAP = """\
apiVersion: v1
data:
  LOG_LEVEL: info
  MODE: "0777"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/name: web
  name: web-config-m547m4bth4
---
"""

# `kubectl kustomize --enable-managedby-label --reorder none warn`
WARN_MANAGED = """\
apiVersion: v1
data:
  enabled: "yes"
kind: ConfigMap
metadata:
  labels:
    app.kubernetes.io/managed-by: kustomize-v5.7.1
    team: platform
  name: settings
"""

# What kubectl prints on stderr for `warn`.
COMMON_LABELS_WARNING = (
    "# Warning: 'commonLabels' is deprecated. Please use 'labels' instead. "
    "Run 'kustomize edit fix' to update your Kustomization automatically."
)

# `kubectl kustomize --load-restrictor LoadRestrictionsNone restricted`
RESTRICTED = """\
apiVersion: v1
data:
  k: v
kind: ConfigMap
metadata:
  name: shared
"""


def write_tree(root: pathlib.Path, files: dict[str, str]) -> pathlib.Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


@pytest.fixture
def ktree(tmp_path: pathlib.Path) -> pathlib.Path:
    return write_tree(tmp_path, KUSTOMIZE_FILES)


# --- kustomize_build -------------------------------------------------------------------


def test_overlay_matches_kubectl(ktree: pathlib.Path) -> None:
    result = gitward.kustomize_build(ktree / "overlay")
    assert isinstance(result, KustomizeResult)
    assert result.yaml == OVERLAY
    assert result.warnings == []


def test_objects_are_the_parsed_yaml(ktree: pathlib.Path) -> None:
    result = gitward.kustomize_build(str(ktree / "overlay"))
    assert result.objects == gitward.parse_manifests(result.yaml)
    assert [o["kind"] for o in result.objects] == ["ConfigMap", "Service", "Deployment"]
    configmap = result.objects[0]
    assert configmap["metadata"]["name"] == "prod-web-config-4799465mmh"
    assert configmap["data"] == {"LOG_LEVEL": "warn", "MODE": "0777"}
    assert gitward.dump_manifests(result.objects) == OVERLAY
    assert repr(result) == "<KustomizeResult: 3 objects, 0 warnings>"


def test_base_hash_suffix(ktree: pathlib.Path) -> None:
    result = gitward.kustomize_build(ktree / "base")
    assert result.yaml.startswith(BASE_CONFIGMAP)


def test_relative_path(ktree: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ktree / "base")
    assert gitward.kustomize_build("../overlay").yaml == OVERLAY


def test_warnings_and_flags(ktree: pathlib.Path) -> None:
    result = gitward.kustomize_build(
        ktree / "warn", reorder="none", enable_managedby_label=True
    )
    assert result.yaml == WARN_MANAGED
    assert result.warnings == [COMMON_LABELS_WARNING]


def test_load_restrictor(ktree: pathlib.Path) -> None:
    with pytest.raises(BuildError) as info:
        gitward.kustomize_build(ktree / "restricted")
    assert info.value.kind == "load"
    assert "is not in or below" in str(info.value)
    result = gitward.kustomize_build(
        ktree / "restricted", load_restrictor="LoadRestrictionsNone"
    )
    assert result.yaml == RESTRICTED


def test_symlinks_out_of_the_root_are_refused(tmp_path: pathlib.Path) -> None:
    """A resource, a generator file and a file under a linked directory that resolve
    outside the kustomization root are refused as kubectl refuses them, sync and async;
    the outside bytes never reach the result or the error."""
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "cm.yaml").write_text(
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: leak\ndata:\n  s: TOPSECRET\n"
    )
    (outside / "token").write_text("TOPSECRET")
    k = tmp_path / "k"
    k.mkdir()
    (k / "r.yaml").symlink_to(outside / "cm.yaml")
    (k / "h").symlink_to("../outside/token")
    (k / "etc").symlink_to(outside)
    cases = {
        "resources:\n- r.yaml\n": "r.yaml",
        "configMapGenerator:\n- name: x\n  files:\n  - h\n": "h",
        "configMapGenerator:\n- name: x\n  files:\n  - etc/token\n": "etc/token",
    }
    real_k = k.resolve()
    for kustomization, shown in cases.items():
        (k / "kustomization.yaml").write_text(kustomization)
        expected = f"security; file '{real_k / shown}' is not in or below '{real_k}'"
        with pytest.raises(BuildError) as info:
            gitward.kustomize_build(k)
        if shown == "r.yaml":
            assert info.value.kind == "load"
        assert expected in str(info.value)
        assert "TOPSECRET" not in str(info.value)
        with pytest.raises(BuildError) as info:
            asyncio.run(gitward.kustomize_build_async(k))
        assert expected in str(info.value)
        allowed = gitward.kustomize_build(k, load_restrictor="LoadRestrictionsNone")
        assert "TOPSECRET" in allowed.yaml


def test_result_is_read_only(ktree: pathlib.Path) -> None:
    result = gitward.kustomize_build(ktree / "warn")
    with pytest.raises(AttributeError):
        result.yaml = ""  # type: ignore[misc]


# --- errors ----------------------------------------------------------------------------


def build_error(path: pathlib.Path, **kwargs: Any) -> BuildError:
    with pytest.raises(BuildError) as info:
        gitward.kustomize_build(path, **kwargs)
    return info.value


def test_missing_file_is_a_load_error(ktree: pathlib.Path) -> None:
    err = build_error(ktree / "missing")
    assert err.kind == "load"
    assert err.path == str(ktree / "missing")
    assert "missing.yaml" in err.message
    assert str(err) == err.message
    assert isinstance(err, GitwardError)


def test_cycle(ktree: pathlib.Path) -> None:
    err = build_error(ktree / "cyc-a", load_restrictor="LoadRestrictionsNone")
    assert err.kind == "cycle"
    assert "cycle detected" in err.message


def test_cycle_under_root_only(ktree: pathlib.Path) -> None:
    assert build_error(ktree / "cyc-a").kind == "cycle"


def test_malformed_yaml(ktree: pathlib.Path) -> None:
    err = build_error(ktree / "bad-yaml")
    assert err.kind == "yaml"
    assert "cm.yaml" in err.message


def test_missing_kustomization(ktree: pathlib.Path) -> None:
    err = build_error(ktree / "not-a-kustomization")
    assert err.kind == "missing_kustomization"
    assert "unable to find one of 'kustomization.yaml'" in err.message


def test_missing_directory(ktree: pathlib.Path) -> None:
    err = build_error(ktree / "nowhere")
    assert err.kind == "load"
    assert err.path == str(ktree / "nowhere")
    assert str(ktree / "nowhere") in err.message


def test_bad_options(ktree: pathlib.Path) -> None:
    with pytest.raises(ValueError, match="LoadRestrictionsRootOnly"):
        gitward.kustomize_build(ktree / "base", load_restrictor="RootOnly")
    with pytest.raises(ValueError, match="legacy"):
        gitward.kustomize_build(ktree / "base", reorder="fifo")
    with pytest.raises(TypeError):
        gitward.kustomize_build(42)  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        gitward.kustomize_build(ktree / "base", "LoadRestrictionsNone")  # type: ignore[call-arg]


# --- async -----------------------------------------------------------------------------


def test_async_build(ktree: pathlib.Path) -> None:
    async def main() -> tuple[KustomizeResult, KustomizeResult]:
        return await asyncio.gather(
            gitward.kustomize_build_async(ktree / "overlay"),
            gitward.kustomize_build_async(ktree / "warn", reorder="none", enable_managedby_label=True),
        )

    overlay, warn = asyncio.run(main())
    assert overlay.yaml == OVERLAY
    assert warn.yaml == WARN_MANAGED
    assert warn.warnings == [COMMON_LABELS_WARNING]


def test_async_build_error(ktree: pathlib.Path) -> None:
    with pytest.raises(BuildError) as info:
        asyncio.run(gitward.kustomize_build_async(ktree / "missing"))
    assert info.value.kind == "load"


def test_builds_run_in_parallel_threads(ktree: pathlib.Path) -> None:
    # The GIL is released during the build: threads must all finish with the same output.
    results: list[str] = []
    lock = threading.Lock()

    def work() -> None:
        text = gitward.kustomize_build(ktree / "overlay").yaml
        with lock:
            results.append(text)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [OVERLAY] * 4


# --- helm_template ---------------------------------------------------------------------

CHART_FILES = {
    "web/Chart.yaml": 'apiVersion: v2\nname: web\nversion: 0.1.0\nappVersion: "1.27"\n',
    "web/values.yaml": "replicas: 1\nimage: nginx\ngreeting: hello\n",
    "web/templates/cm.yaml": """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-config
  namespace: {{ .Release.Namespace }}
data:
  greeting: {{ .Values.greeting | quote }}
  replicas: {{ .Values.replicas | quote }}
  upgrade: {{ .Release.IsUpgrade | quote }}
  kube: {{ .Capabilities.KubeVersion.Version }}
{{- with .Values.extra }}
  extra: {{ . | toJson | quote }}
{{- end }}
{{- with .Values.note }}
  note: {{ . | quote }}
{{- end }}
{{- range .Capabilities.APIVersions }}{{ if eq . "example.com/v1" }}
  hasExample: "yes"{{ end }}{{ end }}
{{- with .Values.lit }}
  lit: {{ . | quote }}
{{- end }}
""",
    "web/templates/deploy.yaml": """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  replicas: {{ .Values.replicas }}
  template:
    spec:
      containers:
      - name: web
        image: "{{ .Values.image }}:{{ .Chart.AppVersion }}"
""",
    "web/templates/bad.yaml": '{{- if .Values.fail }}{{ fail "asked to fail" }}{{ end }}\n',
    "web/templates/test.yaml": """\
apiVersion: v1
kind: Pod
metadata:
  name: {{ .Release.Name }}-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
  - name: t
    image: busybox
""",
    "web/crds/widget.yaml": """\
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
""",
    "over.yaml": "greeting: from-file\nreplicas: 3\n",
    "note.txt": "line1\nline2\n",
}

# `helm template web --no-hooks`
HELM_NO_HOOKS = """\
---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: release-name-config
  namespace: default
data:
  greeting: "hello"
  replicas: "1"
  upgrade: "false"
  kube: v1.35.0
---
# Source: web/templates/deploy.yaml
apiVersion: apps/v1
kind: Deployment
metadata:
  name: release-name
spec:
  replicas: 1
  template:
    spec:
      containers:
      - name: web
        image: "nginx:1.27"
"""

# `helm template web`
HELM_DEFAULT = (
    HELM_NO_HOOKS
    + """\
---
# Source: web/templates/test.yaml
apiVersion: v1
kind: Pod
metadata:
  name: release-name-test
  annotations:
    helm.sh/hook: test
spec:
  containers:
  - name: t
    image: busybox
"""
)

# `helm template web --skip-tests --include-crds --set-literal 'lit=a,b=c'`
HELM_CRDS = """\
---
# Source: web/crds/widget.yaml
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com

""" + HELM_NO_HOOKS.replace('  kube: v1.35.0\n', '  kube: v1.35.0\n  lit: "a,b=c"\n')

# `helm template r1 web --namespace ns1 -f over.yaml --set image=httpd
#   --set-string replicas=5 --set-json 'extra={"a":[1,2]}' --set-file note=note.txt
#   --kube-version 1.30.0 --is-upgrade --show-only templates/cm.yaml
#   --api-versions example.com/v1`
HELM_FLAGS = """\
---
# Source: web/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: r1-config
  namespace: ns1
data:
  greeting: "from-file"
  replicas: "5"
  upgrade: "true"
  kube: v1.30.0
  extra: "{\\"a\\":[1,2]}"
  note: "line1\\nline2\\n"
  hasExample: "yes"
"""


@pytest.fixture
def chart_dir(tmp_path: pathlib.Path, monkeypatch: pytest.MonkeyPatch) -> pathlib.Path:
    write_tree(tmp_path, CHART_FILES)
    monkeypatch.chdir(tmp_path)  # -f and --set-file paths are relative to the cwd
    return tmp_path


def test_helm_defaults(chart_dir: pathlib.Path) -> None:
    assert gitward.helm_template(chart_dir / "web") == HELM_DEFAULT


def test_helm_flags(chart_dir: pathlib.Path) -> None:
    out = gitward.helm_template(
        "web",
        release="r1",
        namespace="ns1",
        values=["over.yaml"],
        set=["image=httpd"],
        set_string=["replicas=5"],
        set_json=['extra={"a":[1,2]}'],
        set_file=["note=note.txt"],
        kube_version="1.30.0",
        is_upgrade=True,
        show_only=["templates/cm.yaml"],
        api_versions=["example.com/v1"],
    )
    assert out == HELM_FLAGS


def test_helm_hooks_crds_and_literals(chart_dir: pathlib.Path) -> None:
    assert gitward.helm_template("web", no_hooks=True) == HELM_NO_HOOKS
    out = gitward.helm_template(
        "web", skip_tests=True, include_crds=True, set_literal=["lit=a,b=c"]
    )
    assert out == HELM_CRDS


def test_helm_packaged_chart(chart_dir: pathlib.Path) -> None:
    # The same files packaged as `helm package` would (a gzipped tar with web/ inside).
    with tarfile.open(chart_dir / "web-0.1.0.tgz", "w:gz") as tar:
        tar.add(chart_dir / "web", arcname="web")
    assert gitward.helm_template(chart_dir / "web-0.1.0.tgz") == HELM_DEFAULT


def test_helm_async(chart_dir: pathlib.Path) -> None:
    async def main() -> tuple[str, str]:
        return await asyncio.gather(
            gitward.helm_template_async("web"),
            gitward.helm_template_async(
                "web",
                release="r1",
                namespace="ns1",
                values=[chart_dir / "over.yaml"],
                set=["image=httpd"],
                set_string=["replicas=5"],
                set_json=['extra={"a":[1,2]}'],
                set_file=["note=note.txt"],
                kube_version="1.30.0",
                is_upgrade=True,
                show_only=("templates/cm.yaml",),
                api_versions=["example.com/v1"],
            ),
        )

    assert list(asyncio.run(main())) == [HELM_DEFAULT, HELM_FLAGS]


def helm_error(**kwargs: Any) -> HelmError:
    with pytest.raises(HelmError) as info:
        gitward.helm_template("web", **kwargs)
    assert isinstance(info.value, GitwardError)
    assert str(info.value) == info.value.message
    return info.value


def test_helm_template_error(chart_dir: pathlib.Path) -> None:
    err = helm_error(set=["fail=true"])
    assert err.kind == "template"
    assert err.file == "web/templates/bad.yaml"
    # What helm prints after "Error: ".
    assert err.message == (
        "execution error at (web/templates/bad.yaml:1:25): asked to fail\n\n"
        "Use --debug flag to render out invalid YAML"
    )


def test_helm_release_name_error(chart_dir: pathlib.Path) -> None:
    err = helm_error(release="Bad_Name")
    assert err.kind == "release_name"
    assert err.message.startswith('release name check failed: release name "Bad_Name"')
    assert err.chart is None


def test_helm_values_errors(chart_dir: pathlib.Path) -> None:
    err = helm_error(values=["nope.yaml"])
    assert err.kind == "values"
    assert err.message == "open nope.yaml: no such file or directory"
    assert helm_error(set=["a.=1"]).kind == "values"
    assert helm_error(set_file=["note=absent.txt"]).kind == "values"


def test_helm_show_only_error(chart_dir: pathlib.Path) -> None:
    err = helm_error(show_only=["templates/x.yaml"])
    assert err.kind == "show_only"
    assert err.message == "could not find template templates/x.yaml in chart"


def test_helm_missing_chart(chart_dir: pathlib.Path) -> None:
    with pytest.raises(HelmError) as info:
        gitward.helm_template("nochart")
    assert info.value.kind == "load"
    assert info.value.message == 'path "nochart" not found'
    with pytest.raises(TypeError):
        gitward.helm_template("web", set="a=1")  # a str is not a list of flags


def test_helm_sees_the_real_clock(tmp_path: pathlib.Path) -> None:
    # As `helm template` (and `gitward template`): not the core's fixed test clock.
    write_tree(
        tmp_path,
        {
            "clock/Chart.yaml": "apiVersion: v2\nname: clock\nversion: 0.1.0\n",
            "clock/templates/cm.yaml": 'year: {{ now | date "2006" }}\n'
            "token: {{ randAlphaNum 16 }}\n",
        },
    )
    docs = gitward.parse_manifests(gitward.helm_template(tmp_path / "clock"))
    assert docs[0]["year"] >= 2025
    other = gitward.parse_manifests(gitward.helm_template(tmp_path / "clock"))
    assert docs[0]["token"] != other[0]["token"]
