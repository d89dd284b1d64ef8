#!/usr/bin/env python3
"""End-to-end comparison of `kubectl kustomize` (kustomize v5.7.1) and `gitward kustomize`
on small trees whose JSON 6902 patches (`patches:` and `patchesJson6902:`) exercise the
library's behaviour, kustomize's wrapping around it (build, origin and transformations
annotations, the number round trip, annotation rewriting) and its error texts.

    e2e.py WORKDIR [KUBECTL [GITWARD]]

writes one directory per case under WORKDIR, runs both tools on each and prints the
differences (kubectl's `error: ` prefix is compared as gitward's `Error: `; warnings are
dropped). Where kustomize crashes (a Go panic with a stack trace), gitward reports
`Error: panic: <message>`; those cases are listed as expected differences.
"""

import os
import subprocess
import sys
import textwrap

RES = """apiVersion: example.com/v1
kind: Foo
metadata:
  name: foo
spec:
  a: x
  n: 1000000
  big: 12345678901234567890
  f: 1.5
  list: [1, 2, 3]
  nested: {k: v, z: null}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: cm
  annotations:
    keep: "yes"
data:
  a: b
"""
DEP = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: d
spec:
  template:
    spec:
      volumes:
      - name: v
        configMap:
          name: cm
"""
FILES = {
    "res.yaml": RES,
    "res2.yaml": "apiVersion: example.com/v1\nkind: Foo\nmetadata:\n  name: foo\nspec:\n  s: a<b\n",
    "dep.yaml": DEP,
    "base/res.yaml": RES,
    "base/kustomization.yaml": "resources: [res.yaml]\nnamePrefix: b-\n",
    "empty.json": "",
    "sp.json": '\n[{"op": "add", "path": "/spec/x", "value": 1.0}]\n',
    "sp2.json": ' [{"op": "test", "path": "/spec/f", "value": 1.50}, {"op": "add", "path": "/spec/ok", "value": true}]\n',
    "sp3.json": '[{"op": "test", "path": "/spec/f", "value": 1.50}]\n',
    "p.yaml": "- {op: add, path: /spec/x, value: 1}\n---\n- {op: add, path: /spec/y, value: 2}\n",
    "comment.yaml": "# nothing here\n",
}
# kustomize crashes on these (Go panics); the rest must match.
GO_PANICS = {"panic_nil_map", "test_array_null", "test_whole_doc_no_value"}
# Known differences outside JSON patching: gitward's loader words a missing file
# differently; gitward prints an error ending in a newline as standalone kustomize
# does ("Error: ...\n\n"), kubectl without the blank line.
KNOWN = {"json6902_missing_file", "patches_missing_file", "metadata_scalar_6902"}

cases = {}


def patches(p, target="kind: Foo", extra=""):
    """A kustomization with one `patches:` entry."""
    return (f"resources: [res.yaml]\n{extra}patches:\n- target: {{{target}}}\n  patch: |-\n"
            + textwrap.indent(p, "    ") + "\n")


def j6902(p, name="foo", kind="Foo", group="example.com", version="v1", extra=""):
    """A kustomization with one `patchesJson6902:` entry."""
    return (f"resources: [res.yaml]\n{extra}patchesJson6902:\n"
            f"- target: {{group: {group}, version: {version}, kind: {kind}, name: {name}}}\n"
            "  patch: |-\n" + textwrap.indent(p, "    ") + "\n")


def Y(s):
    """An indented literal, dedented."""
    return textwrap.dedent(s).strip("\n")



cases["replace_missing_key"] = patches(Y("""
- op: replace
  path: /spec/newkey
  value: added
"""))
cases["replace_missing_key_6902"] = j6902(Y("""
- op: replace
  path: /spec/newkey
  value: added
"""))
cases["add_annotation_no_annotations_patches"] = patches(Y("""
- op: add
  path: /metadata/annotations/x
  value: 1000000
"""))
cases["add_annotation_no_annotations_6902"] = j6902(Y("""
- op: add
  path: /metadata/annotations/x
  value: y
"""))
cases["add_annotation_6902_with_prefix"] = j6902(Y("""
- op: add
  path: /metadata/annotations/x
  value: true
"""), extra="namePrefix: p-\n")
cases["copy_metadata_generated"] = "configMapGenerator:\n- name: gen\n  literals: [a=b]\n" + "patchesJson6902:\n- target: {version: v1, kind: ConfigMap, name: gen}\n  patch: |-\n    - {op: copy, from: /metadata, path: /data/m}\n"
cases["copy_metadata_generated_patches"] = "configMapGenerator:\n- name: gen\n  literals: [a=b]\n  behavior: create\n" + "patches:\n- target: {kind: ConfigMap}\n  patch: |-\n    [{\"op\": \"copy\", \"from\": \"/metadata\", \"path\": \"/data/m\"}]\n"
cases["remove_missing"] = patches(Y("""
- op: remove
  path: /spec/zz
"""))
cases["remove_index_oob"] = patches(Y("""
- op: remove
  path: /spec/list/3
"""))
cases["remove_negative"] = patches(Y("""
- op: remove
  path: /spec/list/-1
"""))
cases["add_minus_one_appends"] = patches(Y("""
- op: add
  path: /spec/list/-1
  value: 9
- op: add
  path: /spec/list/01
  value: 8
- op: replace
  path: /spec/list/+0
  value: 7
"""))
cases["add_bad_index"] = patches(Y("""
- op: add
  path: /spec/list/x
  value: 9
"""))
cases["test_failed"] = patches(Y("""
- op: test
  path: /spec/a
  value: y
"""))
cases["test_number_json_1_0"] = patches('[{"op": "test", "path": "/spec/f", "value": 1.50}]')
cases["test_number_yaml_1_0"] = patches(Y("""
- op: test
  path: /spec/f
  value: 1.50
- op: add
  path: /spec/ok
  value: true
"""))
cases["test_lt_json"] = patches('[{"op": "add", "path": "/spec/s", "value": "a<b"}, {"op": "test", "path": "/spec/s", "value": "a<b"}]')
cases["test_lt_json_doc"] = "resources: [res2.yaml]\npatches:\n- target: {kind: Foo}\n  patch: |-\n    [{\"op\": \"test\", \"path\": \"/spec/s\", \"value\": \"a<b\"}]\n"
cases["test_null_missing"] = patches(Y("""
- op: test
  path: /spec/missing
  value: null
- op: test
  path: /spec/nested/z
- op: add
  path: /spec/ok
  value: yes
"""))
cases["json_syntax_error_6902"] = j6902('[{"op": "add", "path": "/spec/x", "value": 1,}]')
cases["json_syntax_error_patches"] = patches('[{"op": "add", "path": "/spec/x", "value": 1,}]')
cases["yaml_error_6902"] = j6902("- op: add\n  path: [\n")
cases["not_a_list_6902"] = j6902("op: add\npath: /spec/x\nvalue: 1")
cases["empty_list_6902"] = j6902("[]")
cases["unknown_op"] = patches(Y("""
- op: merge
  path: /spec/x
"""))
cases["no_slash_path"] = patches(Y("""
- op: add
  path: spec
  value: 1
- op: add
  path: abc/zz
  value: 2
"""))
cases["empty_path_add"] = patches(Y("""
- op: add
  path: ""
  value: {}
"""))
cases["replace_whole_doc"] = patches(Y("""
- op: replace
  path: ""
  value: {apiVersion: example.com/v1, kind: Foo, metadata: {name: foo}, spec: {replaced: true}}
"""))
cases["replace_whole_doc_scalar"] = patches(Y("""
- op: replace
  path: ""
  value: 5
"""))
cases["replace_whole_doc_array"] = patches('[{"op": "replace", "path": "", "value": [1]}]')
cases["missing_parent"] = patches(Y("""
- op: add
  path: /spec/no/such
  value: 1
"""))
cases["through_null"] = patches(Y("""
- op: add
  path: /spec/nested/z/k
  value: 1
"""))
cases["move_copy"] = patches(Y("""
- op: move
  from: /spec/list/0
  path: /spec/list/-
- op: copy
  from: /spec/nested
  path: /spec/copied
- op: move
  from: /spec/a
  path: /spec/nested/a
"""))
cases["move_missing_from"] = patches(Y("""
- op: move
  from: /spec/nope
  path: /spec/x
"""))
cases["escapes"] = patches(Y("""
- op: add
  path: /metadata/annotations/example.com~1x
  value: a
- op: add
  path: /metadata/annotations/t~0y
  value: b
"""))
cases["remove_annotations_user"] = patches(Y("""
- op: remove
  path: /metadata/annotations
"""), target="kind: ConfigMap")
cases["remove_annotations_6902_user"] = j6902(Y("""
- op: remove
  path: /metadata/annotations
"""), name="cm", kind="ConfigMap", group="")
cases["annotations_empty_map"] = patches(Y("""
- op: replace
  path: /metadata/annotations
  value: {}
"""), target="kind: ConfigMap")
cases["metadata_scalar_patches"] = patches(Y("""
- op: replace
  path: /metadata
  value: hello
"""), target="kind: ConfigMap")
cases["metadata_scalar_6902"] = j6902(Y("""
- op: replace
  path: /metadata
  value: hello
"""), name="cm", kind="ConfigMap", group="")
cases["panic_nil_map"] = patches('[{"op":"add","path":"/spec/x","value":null},{"op":"copy","from":"/spec/x","path":"/spec/y"},{"op":"add","path":"/spec/y/k","value":1}]')
cases["path_not_string"] = patches('[{"op":"replace","path":5,"value":1}]')
cases["value_missing_add"] = patches('[{"op":"add","path":"/spec/novalue"}]')
cases["big_number_value"] = patches('[{"op":"add","path":"/spec/huge","value":1e400}]')
cases["number_float_roundtrip"] = patches('[{"op":"add","path":"/spec/v","value":[1.0, 1e3, -0, 0.1, 12345678901234567890, 100000000000000000000000]}]')
cases["empty_patch_file_6902"] = "resources: [res.yaml]\npatchesJson6902:\n- target: {group: example.com, version: v1, kind: Foo, name: foo}\n  path: empty.json\n"
cases["patch_file_6902_leading_space"] = "resources: [res.yaml]\npatchesJson6902:\n- target: {group: example.com, version: v1, kind: Foo, name: foo}\n  path: sp.json\n"
cases["multi_target"] = "resources: [res.yaml]\npatches:\n- target: {name: \".*\"}\n  patch: |-\n    - {op: add, path: /metadata/labels, value: {l: v}}\n"
cases["test_whole_doc_no_value"] = patches('[{"op":"test","path":""}]')
cases["test_array_null"] = patches('[{"op":"add","path":"/spec/an","value":[null]},{"op":"test","path":"/spec/an","value":[null]}]')
cases["add_index_past_end"] = patches('[{"op":"add","path":"/spec/list/4","value":0}]')
cases["atoi_range"] = patches('[{"op":"remove","path":"/spec/list/99999999999999999999"}]')

cases["order_config_error_first"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  patch: |-
    - {op: remove, path: /spec/nope}
patchesJson6902:
- target: {version: v1, kind: Foo, name: foo, group: example.com}
  patch: '[{"op": "add"'
"""
cases["order_transform_errors"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  patch: |-
    - {op: remove, path: /spec/nope}
patchesJson6902:
- target: {version: v1, kind: Foo, name: foo, group: example.com}
  patch: '[{"op": "remove", "path": "/spec/nope2"}]'
"""
cases["yaml_multi_doc_patch"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  path: p.yaml
"""
cases["file_leading_space_json_test"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  path: sp2.json
"""
cases["file_json_test_fails"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  path: sp3.json
"""
cases["origin_annotations"] = """resources: [res.yaml]
buildMetadata: [originAnnotations]
patchesJson6902:
- target: {version: v1, kind: Foo, name: foo, group: example.com}
  patch: '[{"op": "add", "path": "/metadata/annotations/x", "value": "y"}]'
"""
cases["rename_then_reference"] = """resources: [res.yaml, dep.yaml]
patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: replace, path: /metadata/name, value: renamed}
"""
cases["prefix_then_6902_by_new_name"] = """resources: [res.yaml]
namePrefix: p-
patchesJson6902:
- target: {version: v1, kind: ConfigMap, name: p-cm}
  patch: |-
    - {op: copy, from: /metadata/name, path: /data/n}
"""
cases["overlay_base_patch"] = """resources: [base]
patches:
- target: {kind: Foo}
  patch: |-
    - {op: copy, from: /metadata/annotations, path: /spec/ann}
"""
cases["unicode_path"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  patch: |-
    [{"op": "add", "path": "/spec/\\u00e9~1\\u2028", "value": "<&>"}, {"op": "test", "path": "/spec/é~1\\u2028", "value": "\\u003c&>"}]
"""
cases["generated_cm_hash_after_patch"] = """configMapGenerator:
- name: gen
  literals: [a=b]
patches:
- target: {kind: ConfigMap}
  patch: |-
    - {op: add, path: /data/c, value: d}
"""
cases["empty_doc_patch_with_target"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  path: comment.yaml
"""
cases["empty_doc_patch_no_target"] = """resources: [res.yaml]
patches:
- path: comment.yaml
"""
cases["json_patch_no_target"] = """resources: [res.yaml]
patches:
- patch: '[{"op": "add", "path": "/spec/x", "value": 1}]'
"""
cases["json6902_no_name"] = """resources: [res.yaml]
patchesJson6902:
- target: {kind: Foo}
  patch: '[{"op": "add", "path": "/spec/x", "value": 1}]'
"""
cases["json6902_missing_file"] = """resources: [res.yaml]
patchesJson6902:
- target: {kind: Foo, name: foo}
  path: nope.json
"""
cases["patches_missing_file"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  path: nope.json
"""
cases["both_sm_and_json"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  patch: |-
    - op: add
      path: /spec/x
      value: 1
"""
cases["labels_after_patch_numbers"] = """resources: [res.yaml]
patches:
- target: {kind: Foo}
  patch: |-
    - {op: add, path: /metadata/labels, value: {a: "1"}}
commonLabels: {b: "2"}
"""
cases["replace_annotations_with_numbers_6902"] = """resources: [res.yaml]
patchesJson6902:
- target: {version: v1, kind: ConfigMap, name: cm}
  patch: |-
    - {op: add, path: /metadata/annotations/n, value: 1.0}
    - {op: add, path: /metadata/annotations/m, value: {x: 1}}
"""

cases.update({
"origin_copy_transformations": """resources: [res.yaml]
buildMetadata: [originAnnotations, transformerAnnotations]
namePrefix: p-
patchesJson6902:
- target: {version: v1, kind: Foo, name: p-foo, group: example.com}
  patch: '[{"op": "copy", "from": "/metadata/annotations", "path": "/spec/ann"}]'
""",
"origin_remove_then_transform": """resources: [res.yaml]
buildMetadata: [originAnnotations, transformerAnnotations]
patches:
- target: {kind: Foo}
  patch: '[{"op": "remove", "path": "/metadata/annotations/config.kubernetes.io~1origin"}]'
commonLabels: {a: b}
""",
"managed_by_only_copy": """resources: [res.yaml]
buildMetadata: [managedByLabel]
patches:
- target: {kind: Foo}
  patch: '[{"op": "copy", "from": "/metadata/annotations", "path": "/spec/ann"}]'
""",
"transformations_test": """resources: [res.yaml]
buildMetadata: [transformerAnnotations]
commonLabels: {a: b}
patchesJson6902:
- target: {version: v1, kind: Foo, name: foo, group: example.com}
  patch: '[{"op": "copy", "from": "/metadata/annotations", "path": "/spec/ann"}]'
""",
})


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, text=True)
    lines = [l for l in (p.stdout + p.stderr).splitlines() if not l.startswith("# Warning")]
    if lines and lines[0].startswith("error: "):
        lines[0] = "Error: " + lines[0][len("error: "):]
    return lines, p.returncode != 0


def main():
    work = sys.argv[1]
    kubectl = sys.argv[2] if len(sys.argv) > 2 else "kubectl"
    gitward = sys.argv[3] if len(sys.argv) > 3 else "gitward"
    same, expected, diff = 0, 0, 0
    for name, kustomization in cases.items():
        d = os.path.join(work, name)
        os.makedirs(os.path.join(d, "base"), exist_ok=True)
        with open(os.path.join(d, "kustomization.yaml"), "w") as f:
            f.write(kustomization)
        for path, text in FILES.items():
            with open(os.path.join(d, path), "w") as f:
                f.write(text)
        want = run([kubectl, "kustomize", d])
        got = run([gitward, "kustomize", d])
        if want == got:
            same += 1
        elif name in GO_PANICS and got[0][:1] == ["Error: " + want[0][0]]:
            expected += 1
        elif name in KNOWN:
            expected += 1
        else:
            diff += 1
            print(f"=== {name}")
            print("kubectl:", "\n".join(want[0][:20]))
            print("gitward:", "\n".join(got[0][:20]))
    print(f"{len(cases)} cases: {same} same, {expected} expected differences, {diff} different")
    return 1 if diff else 0


if __name__ == "__main__":
    sys.exit(main())
