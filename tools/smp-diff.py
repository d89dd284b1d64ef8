#!/usr/bin/env python3
"""Differential test of gitward's strategic merge patch against `kubectl kustomize`.

Generates random target objects and random strategic merge patches, typed by the
schema table gitward embeds (core/src/smp/k8s_schema.tsv, kyaml's v1.21.2 types):
Deployments, StatefulSets, Pods, ConfigMaps, Services, and a custom resource with no
schema. Patches carry nulls (spelled `null`, `~`, `Null`, `NULL` or left empty), empty
maps and lists, `$patch: delete/replace/merge` directives (on maps, as list elements,
at the top), apimachinery directives kyaml does not know, and now and then a node of
the wrong kind, at random depths.

Cases are batched: one kustomization holds many resources with distinct names, each
with its own patch (`patches: - path: pN.yaml`, some with a `target:` selector). When a
batch's outputs differ, or either tool fails, the batch is split in halves until each
failing case runs alone; differing cases are kept under WORKDIR/fail/ (target, patch,
both outputs), failing cases whose error texts differ under WORKDIR/errtext/.

Inputs whose differences are known and lie outside the merge are off by default:
--annotations, --empty-null-targets, --quote-all-strings (see docs/differential.md).

Everything generated stays under WORKDIR (default /tmp/smp-diff), outside the
repository. Usage:

    tools/smp-diff.py --cases 5000 --seed 1
    tools/smp-diff.py --replay /tmp/smp-diff/fail/000123   # rerun one saved case

The reference tool comes from /work/shared/tools/reference-tools.sh (or --kubectl);
gitward from $CARGO_TARGET_DIR/debug/gitward (or --gitward).
"""

import argparse
import json
import os
import random
import re
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SCHEMA_TSV = REPO / "core" / "src" / "smp" / "k8s_schema.tsv"


# ---- schema table -------------------------------------------------------------------


class Prop:
    def __init__(self, shape, strategy="-", merge_key="-", list_map_keys="-"):
        self.shape = shape
        self.strategy = strategy
        self.merge_key = merge_key
        self.list_map_keys = list_map_keys

    def keys(self):
        """The merge keys kyaml uses: listMapKeys if set, else the patch merge key."""
        if self.list_map_keys != "-":
            return self.list_map_keys.split(",")
        if self.merge_key != "-":
            return [self.merge_key]
        return []


def load_schema():
    defs = {}
    gvks = {}
    cur = None
    for line in SCHEMA_TSV.read_text().splitlines():
        if not line or line.startswith("#"):
            continue
        cols = line.split("\t")
        if cols[0] == "D":
            cur = {"shape": cols[2], "props": {}}
            defs[cols[1]] = cur
            if cols[3] != "-":
                for g in cols[3].split(","):
                    gvks[g] = cols[1]
        elif cols[0] == "P" and cur is not None:
            cur["props"][cols[1]] = Prop(cols[2], *cols[3:6])
    return defs, gvks


# ---- YAML values and their text -----------------------------------------------------


class Null:
    """A null scalar with a chosen spelling ('' is an empty value)."""

    def __init__(self, spelling):
        self.spelling = spelling


NULL_SPELLINGS = ["null", "~", "Null", "NULL", ""]
SIMPLE_KEY = re.compile(r"^[A-Za-z$][A-Za-z0-9_./$-]*$")
YAML11_WORDS = {
    "y", "n", "yes", "no", "on", "off", "true", "false", "null", "~",
}


def key_text(k):
    if SIMPLE_KEY.match(k) and k.lower() not in YAML11_WORDS:
        return k
    return json.dumps(k)


PLAIN_STRING = re.compile(r"^[A-Za-z][A-Za-z0-9./-]*( [A-Za-z0-9./-]+)*$")
# Whether strings that a plain scalar can hold are written quoted (see --quote-all-strings).
QUOTE = {"all": False}


def scalar_text(v):
    if isinstance(v, Null):
        return v.spelling
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return str(v)
    if (not QUOTE["all"] and PLAIN_STRING.match(v)
            and v.lower() not in YAML11_WORDS and not v.endswith("-")):
        return v
    return json.dumps(v)


def emit(v, indent=0):
    """Block-style YAML for v, as lines."""
    pad = " " * indent
    out = []
    if isinstance(v, dict):
        if not v:
            return [pad + "{}"]
        for k, x in v.items():
            kt = key_text(k)
            if isinstance(x, dict) and x:
                out.append(f"{pad}{kt}:")
                out.extend(emit(x, indent + 2))
            elif isinstance(x, list) and x:
                out.append(f"{pad}{kt}:")
                out.extend(emit(x, indent))
            elif isinstance(x, dict):
                out.append(f"{pad}{kt}: {{}}")
            elif isinstance(x, list):
                out.append(f"{pad}{kt}: []")
            else:
                t = scalar_text(x)
                out.append(f"{pad}{kt}:" + (f" {t}" if t else ""))
        return out
    if isinstance(v, list):
        if not v:
            return [pad + "[]"]
        for x in v:
            if isinstance(x, (dict, list)) and x:
                inner = emit(x, indent + 2)
                out.append(pad + "- " + inner[0][indent + 2 :])
                out.extend(inner[1:])
            elif isinstance(x, dict):
                out.append(pad + "- {}")
            elif isinstance(x, list):
                out.append(pad + "- []")
            else:
                t = scalar_text(x)
                out.append(pad + "-" + (f" {t}" if t else ""))
        return out
    return [pad + scalar_text(v)]


def doc_text(v):
    return "\n".join(emit(v)) + "\n"


# ---- generation -----------------------------------------------------------------------

# The fields worth visiting most, per definition (others are picked now and then).
INTERESTING = {
    "io.k8s.api.apps.v1.Deployment": ["spec", "metadata"],
    "io.k8s.api.apps.v1.StatefulSet": ["spec", "metadata"],
    "io.k8s.api.core.v1.Pod": ["spec", "metadata"],
    "io.k8s.api.core.v1.ConfigMap": ["data", "binaryData", "metadata", "immutable"],
    "io.k8s.api.core.v1.Service": ["spec", "metadata"],
    "io.k8s.api.apps.v1.DeploymentSpec": ["template", "selector", "replicas", "strategy"],
    "io.k8s.api.apps.v1.StatefulSetSpec": ["template", "volumeClaimTemplates", "selector"],
    "io.k8s.api.core.v1.PodTemplateSpec": ["spec", "metadata"],
    "io.k8s.api.core.v1.PodSpec": [
        "containers", "initContainers", "volumes", "affinity", "tolerations",
        "nodeSelector", "imagePullSecrets", "hostAliases", "securityContext",
        "dnsConfig", "topologySpreadConstraints",
    ],
    "io.k8s.api.core.v1.Container": [
        "name", "image", "env", "ports", "volumeMounts", "args", "resources", "envFrom",
    ],
    "io.k8s.api.core.v1.EnvVar": ["name", "value", "valueFrom"],
    "io.k8s.api.core.v1.ContainerPort": ["containerPort", "protocol", "name"],
    "io.k8s.api.core.v1.Volume": ["name", "configMap", "emptyDir", "secret"],
    "io.k8s.api.core.v1.Affinity": ["nodeAffinity", "podAffinity", "podAntiAffinity"],
    "io.k8s.api.core.v1.ServiceSpec": ["ports", "selector", "type", "clusterIP"],
    "io.k8s.api.core.v1.ServicePort": ["port", "protocol", "targetPort", "name"],
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta": [
        "labels", "annotations", "finalizers",
    ],
}

# Fields never generated (see --annotations).
SKIP_FIELDS = set()
# Null spellings used in target objects (see --empty-null-targets).
TARGET_NULL_SPELLINGS = ["null", "~", "Null", "NULL"]

STRINGS = ["x", "y", "z", "a b", "null", "~", "1.50", "true", ""]
MAP_KEYS = ["a", "b", "c", "d/e"]
KEY_STRINGS = ["k0", "k1", "k2"]
KEY_INTS = [80, 81, 82]


class Gen:
    def __init__(self, rng, defs, patch):
        self.rng = rng
        self.defs = defs
        self.patch = patch

    def chance(self, p):
        return self.rng.random() < p

    def null(self):
        if self.patch:
            return Null(self.rng.choice(NULL_SPELLINGS))
        return Null(self.rng.choice(TARGET_NULL_SPELLINGS))

    def spice(self, shape, depth=9):
        """A null, an empty node or a wrong-kind node in place of a value, or None
        (less often near the top, so that patches reach deep)."""
        r = self.rng.random()
        p = (0.12 if self.patch else 0.05) * (0.3 if depth < 4 else 1.0)
        if r < p:
            return self.null()
        if r < p * 1.6:
            if shape.startswith("array"):
                return []
            if shape.startswith("#") or shape.startswith("object"):
                return {}
        if r < p * 1.6 + 0.0015:
            # A node of the wrong kind: both tools should fail.
            return self.rng.choice([{"q": "x"}, ["x"], "x"])
        return None

    def scalar(self, shape):
        if shape == "integer" or shape == "number":
            return self.rng.choice([0, 1, 3, 80])
        if shape == "boolean":
            return self.rng.choice([True, False])
        return self.rng.choice(STRINGS)

    def value(self, shape, depth, prop=None):
        s = self.spice(shape, depth)
        if s is not None:
            return s
        if shape.startswith("#"):
            return self.definition(shape[1:], depth)
        if shape.startswith("array["):
            # The property carries the list's patch strategy and merge keys.
            return self.array(prop or Prop(shape), depth)
        if shape.startswith("object{"):
            inner = shape[len("object{") : -1]
            out = {}
            for k in self.rng.sample(MAP_KEYS, self.rng.randint(0, 3)):
                out[k] = self.value(inner, depth + 1)
            if self.patch and self.chance(0.08):
                out["$patch"] = self.directive()
            return out
        if shape in ("-", "object"):
            return self.untyped(depth)
        return self.scalar(shape)

    def directive(self):
        return self.rng.choice(["delete", "replace", "merge", "merge", "replace", "bogus"]
                               if self.chance(0.02) else ["delete", "replace", "merge"])

    def definition(self, name, depth, required=(), exclude=()):
        d = self.defs.get(name)
        if d is None or d["shape"] != "object" or not d["props"]:
            if d is not None and d["shape"] == "string":
                return self.scalar("string")
            return self.untyped(depth)
        props = d["props"]
        out = {}
        if depth > 12:
            return dict(required)
        names = list(INTERESTING.get(name, []))
        names = [p for p in names if p not in SKIP_FIELDS and p not in exclude]
        extra = [p for p in props if p not in names and p not in exclude
                 and p not in ("apiVersion", "kind", "status") and p not in SKIP_FIELDS]
        chosen = []
        n = self.rng.randint(0, 3) if depth > 0 else self.rng.randint(1, 3)
        for _ in range(n):
            if names and self.chance(0.85):
                chosen.append(self.rng.choice(names))
            elif extra:
                chosen.append(self.rng.choice(extra))
        all_null = self.patch and self.chance(0.06)
        req_names = {k for k, _ in required}
        for p in sorted(dict.fromkeys(chosen), key=lambda p: self.rng.random()):
            if p in req_names:
                continue
            out[p] = self.null() if all_null else self.value(props[p].shape, depth + 1, props[p])
        for k, v in required:
            out[k] = v
        if self.patch and self.chance(0.05):
            out["$patch"] = self.directive()
        if self.patch and self.chance(0.01):
            out["$retainKeys"] = list(out)[:2]
        return out

    def element(self, item_shape, keys, depth):
        if not item_shape.startswith("#"):
            s = self.spice(item_shape)
            if isinstance(s, Null):
                # kyaml compares primitive elements by their text, which gitward only
                # knows for nulls written `null`.
                return Null("null")
            if s is not None:
                return s
            return self.rng.choice(KEY_STRINGS) if item_shape == "string" else self.scalar(item_shape)
        name = item_shape[1:]
        props = self.defs.get(name, {}).get("props", {})
        req = []
        for k in keys:
            t = props.get(k).shape if k in props else "string"
            if not self.chance(0.95):
                # A key that is missing, null (written `null`: kyaml compares merge
                # keys by their text) or empty.
                r = self.rng.random()
                if r < 0.25:
                    req.append((k, Null("null")))
                elif r < 0.5 and t == "string":
                    req.append((k, ""))
                continue
            if k == "protocol":
                v = self.rng.choice(["TCP", "UDP"])
                if not self.chance(0.7):
                    continue
            elif t == "integer":
                v = self.rng.choice(KEY_INTS)
            else:
                v = self.rng.choice(KEY_STRINGS)
            req.append((k, v))
        e = self.definition(name, depth, required=req, exclude=keys)
        if self.patch and keys and self.chance(0.08):
            e["$patch"] = self.rng.choice(["delete", "delete", "replace", "merge"])
        return e

    def array(self, prop, depth):
        inner = prop.shape[len("array[") : -1]
        keys = prop.keys()
        out = []
        for _ in range(self.rng.randint(0, 3)):
            out.append(self.element(inner, keys, depth + 1))
        if self.patch and prop.strategy != "-" and self.chance(0.1):
            d = {"$patch": self.directive()}
            out.insert(self.rng.randint(0, len(out)), d)
        return out

    def untyped(self, depth, key=None):
        """Data with no schema (a custom resource's spec). Most keys hold one kind of
        node, so that object and patch mostly agree."""
        r = self.rng.random()
        if key in UNTYPED_KINDS and self.chance(0.9):
            r = UNTYPED_KINDS[key]
        if depth > 7 or r < 0.35:
            if self.patch and self.chance(0.15):
                return self.null()
            return self.rng.choice(STRINGS + [1, True])
        if r < 0.7:
            out = {}
            for k in self.rng.sample(MAP_KEYS + ["name", "items"], self.rng.randint(0, 3)):
                out[k] = self.untyped(depth + 1, k)
            if self.patch and self.chance(0.06):
                out["$patch"] = self.directive()
            return out
        out = []
        for _ in range(self.rng.randint(0, 3)):
            if self.chance(0.6):
                e = {"name": self.rng.choice(KEY_STRINGS)}
                v = self.untyped(depth + 2)
                if isinstance(v, dict):
                    e.update(v)
                else:
                    e["v"] = v
                out.append(e)
            else:
                out.append(self.untyped(depth + 1))
        if self.patch and self.chance(0.06):
            out.append({"$patch": self.directive()})
        return out


# The kind of node most untyped keys hold (a value of `untyped`'s draw: < 0.35 a
# scalar, < 0.7 a map, else a list).
UNTYPED_KINDS = {"spec": 0.5, "data": 0.5, "a": 0.5, "items": 0.9, "b": 0.9,
                 "c": 0.1, "d/e": 0.1, "name": 0.1}


KINDS = [
    ("apps/v1", "Deployment", "io.k8s.api.apps.v1.Deployment"),
    ("apps/v1", "StatefulSet", "io.k8s.api.apps.v1.StatefulSet"),
    ("v1", "Pod", "io.k8s.api.core.v1.Pod"),
    ("v1", "ConfigMap", "io.k8s.api.core.v1.ConfigMap"),
    ("v1", "Service", "io.k8s.api.core.v1.Service"),
    ("example.com/v1", "Foo", None),
]


def gen_object(rng, defs, api_version, kind, defn, name, patch):
    g = Gen(rng, defs, patch)
    if defn:
        body = g.definition(defn, 0)
    else:
        body = {}
        for k in rng.sample(["spec", "data", "items"], rng.randint(1, 2)):
            body[k] = g.untyped(1, k)
    meta = body.get("metadata")
    if not isinstance(meta, dict):
        if isinstance(meta, Null) and patch and rng.random() < 0.1:
            meta = None  # a patch whose metadata is null (needs a target selector)
        else:
            meta = {}
    out = {"apiVersion": api_version, "kind": kind}
    if meta is not None:
        meta = {k: v for k, v in meta.items() if k not in ("name", "namespace")}
        meta["name"] = name
        out["metadata"] = meta
    else:
        out["metadata"] = body["metadata"]
    for k, v in body.items():
        if k not in ("apiVersion", "kind", "metadata"):
            out[k] = v
    if patch and rng.random() < 0.02:
        out["$patch"] = rng.choice(["delete", "replace"])
    return out


def gen_case(rng, defs, idx):
    api_version, kind, defn = rng.choice(KINDS)
    name = f"r{idx}"
    target = gen_object(rng, defs, api_version, kind, defn, name, False)
    patch = gen_object(rng, defs, api_version, kind, defn, name, True)
    meta = patch.get("metadata")
    use_selector = not isinstance(meta, dict) or rng.random() < 0.15
    if use_selector and isinstance(meta, dict):
        # kustomize rewrites the patch's labels as strings from their source text, and
        # gitward keeps no null's spelling: write null label values as `null`.
        for field in ("labels", "annotations"):
            if isinstance(meta.get(field), dict):
                for k, v in meta[field].items():
                    if isinstance(v, Null):
                        meta[field][k] = Null("null")
    patch_text = doc_text(patch)
    if rng.random() < 0.01:
        # A patch that is entirely null (kustomize reads it as an empty JSON patch).
        patch_text = rng.choice(["null\n", "~\n", "Null\n"])
        use_selector = rng.random() < 0.9
    return {
        "name": name,
        "kind": kind,
        "target": doc_text(target),
        "patch": patch_text,
        "selector": use_selector,
    }


# ---- running ----------------------------------------------------------------------------


def write_case_dir(d, cases):
    if d.exists():
        shutil.rmtree(d)
    d.mkdir(parents=True)
    (d / "r.yaml").write_text("---\n".join(c["target"] for c in cases))
    lines = ["resources:", "- r.yaml", "patches:"]
    for i, c in enumerate(cases):
        (d / f"p{i}.yaml").write_text(c["patch"])
        lines.append(f"- path: p{i}.yaml")
        if c["selector"]:
            lines.append(f"  target: {{kind: {c['kind']}, name: {c['name']}}}")
    (d / "kustomization.yaml").write_text("\n".join(lines) + "\n")


def run(cmd, d):
    p = subprocess.run(cmd + [str(d)], capture_output=True, timeout=120)
    return p.returncode, p.stdout, p.stderr


def compare(d, kubectl, gitward):
    k = run([kubectl, "kustomize"], d)
    g = run([gitward, "kustomize"], d)
    k_ok, g_ok = k[0] == 0, g[0] == 0
    if k_ok != g_ok:
        return "status", k, g
    if k_ok and k[1] != g[1]:
        return "output", k, g
    return None, k, g


def check_group(cases, work, kubectl, gitward, stats, fail_dir, quiet, level):
    """Runs cases together; when the outputs differ or a tool fails, splits them in
    halves until each failing case runs alone. Returns the number of differing cases."""
    d = work / f"group{level}"
    write_case_dir(d, cases)
    verdict, k, g = compare(d, kubectl, gitward)
    if verdict is None and k[0] == 0:
        stats["cases"] += len(cases)
        stats["same"] += len(cases)
        return 0
    if len(cases) > 1:
        mid = len(cases) // 2
        return (check_group(cases[:mid], work, kubectl, gitward, stats, fail_dir, quiet, level + 1)
                + check_group(cases[mid:], work, kubectl, gitward, stats, fail_dir, quiet, level + 1))
    stats["cases"] += 1
    if verdict is None:
        stats["both_error"] += 1
        if err_text(k) != err_text(g):
            stats["error_text_differs"] += 1
            n = stats["error_text_differs"]
            if n <= 50:
                ed = work / "errtext" / f"{n:06d}"
                shutil.copytree(d, ed)
                (ed / "kubectl.err").write_text(err_text(k) + "\n")
                (ed / "gitward.err").write_text(err_text(g) + "\n")
        return 0
    stats["differ"] += 1
    fd = fail_dir / f"{stats['differ']:06d}"
    shutil.copytree(d, fd)
    (fd / "kubectl.out").write_bytes(k[1] + b"\n# stderr:\n" + k[2])
    (fd / "gitward.out").write_bytes(g[1] + b"\n# stderr:\n" + g[2])
    if not quiet:
        print(f"DIFF ({verdict}) {fd}", flush=True)
    return 1


def err_text(r):
    """The error message, without the `error: ` / `Error: ` the two CLIs put first."""
    t = r[2].decode(errors="replace").strip()
    for prefix in ("error: ", "Error: "):
        if t.startswith(prefix):
            return t[len(prefix):]
    return t


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--cases", type=int, default=5000)
    ap.add_argument("--batch", type=int, default=50)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--workdir", default="/tmp/smp-diff")
    ap.add_argument("--kubectl")
    ap.add_argument("--gitward")
    ap.add_argument("--replay", help="rerun a saved case directory and show both outputs")
    ap.add_argument("--stop-after", type=int, default=200,
                    help="stop after this many differing cases")
    ap.add_argument("--quiet", action="store_true")
    ap.add_argument("--annotations", action="store_true",
                    help="generate metadata.annotations too (kustomize rewrites them as a "
                         "string map outside the merge; see docs/differential.md)")
    ap.add_argument("--empty-null-targets", action="store_true",
                    help="let target objects hold nulls written as empty values (`key:`); "
                         "gitward's resources do not keep a null's spelling, see "
                         "docs/differential.md")
    ap.add_argument("--quote-all-strings", action="store_true",
                    help="write every string quoted, also those a plain scalar can hold "
                         "(gitward cannot tell those from plain ones, see docs/differential.md)")
    args = ap.parse_args()
    QUOTE["all"] = args.quote_all_strings
    if not args.annotations:
        SKIP_FIELDS.add("annotations")
    if args.empty_null_targets:
        TARGET_NULL_SPELLINGS.append("")

    kubectl = args.kubectl
    if not kubectl:
        out = subprocess.run(["bash", "/work/shared/tools/reference-tools.sh"],
                             capture_output=True, text=True).stdout
        m = re.search(r"^KUBECTL=(.*)$", out, re.M)
        kubectl = m.group(1) if m else "kubectl"
    gitward = args.gitward
    if not gitward:
        target = os.environ.get("CARGO_TARGET_DIR", str(REPO / "target"))
        gitward = os.path.join(target, "debug", "gitward")

    if args.replay:
        d = Path(args.replay)
        verdict, k, g = compare(d, kubectl, gitward)
        print(f"verdict: {verdict or 'same'}")
        print("--- kubectl", k[0]); sys.stdout.write(k[1].decode() + err_text(k) + "\n")
        print("--- gitward", g[0]); sys.stdout.write(g[1].decode() + err_text(g) + "\n")
        return 0 if verdict is None else 1

    work = Path(args.workdir)
    if str(work.resolve()).startswith(str(REPO)):
        sys.exit("workdir must be outside the repository")
    fail_dir = work / "fail"
    for d in (fail_dir, work / "errtext"):
        if d.exists():
            shutil.rmtree(d)
    fail_dir.mkdir(parents=True)

    defs, _ = load_schema()
    rng = random.Random(args.seed)
    stats = {"cases": 0, "same": 0, "both_error": 0, "error_text_differs": 0,
             "differ": 0, "batches": 0}
    nfail = 0
    idx = 0
    while stats["cases"] < args.cases and nfail < args.stop_after:
        n = min(args.batch, args.cases - stats["cases"])
        cases = [gen_case(rng, defs, idx + i) for i in range(n)]
        idx += n
        stats["batches"] += 1
        nfail += check_group(cases, work, kubectl, gitward, stats, fail_dir, args.quiet, 0)
        if not args.quiet:
            print(f"progress: {stats}", flush=True)
    print(json.dumps(stats))
    return 0 if stats["differ"] == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
