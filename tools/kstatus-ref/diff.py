#!/usr/bin/env python3
"""Differential test of `gitward health` against kstatus (tools/kstatus-ref).

usage: diff.py [--seed S] [--n N] [--per-file K] [--ref PATH] [--bin PATH] [--keep DIR] [--show M]

Generates N random objects (default 10,000) in files of K objects (default 50): every kind
kstatus has a rule for (Deployment and ReplicaSet and DaemonSet in `apps` and `extensions`,
StatefulSet, Pod, PersistentVolumeClaim, Service, ConfigMap, Secret, Job, CronJob,
PodDisruptionBudget, CustomResourceDefinition), kinds without one (Namespace, custom
resources, RBAC kinds with `:` in names, Deployment in the core group), with:

* metadata: generation / status.observedGeneration equal, different, absent, or of another
  type (string, float, null); deletionTimestamp (rare; string, empty, number, null);
  creationTimestamp in 2020, in 2999, garbage or absent; names with `:`; namespaces absent;
* the fields each rule reads (replicas and counters, partition, progressDeadlineSeconds,
  phases, startTime, clusterIP, container states) with values near each other, and wrong
  types now and then (`"3"`, `2.5`, `true`, YAML 1.1 spellings such as `3.0`, `0x10`, `010`,
  `+2`, `1_0`, `y`, `on`, `~`);
* conditions drawn from each kind's types and the generic ones (Ready, Reconciling,
  Stalled) with statuses `True`/`False`/`Unknown` and near misses (`true`, empty, the YAML
  boolean `True`, numbers, null), and rarely a `status` or `conditions` of the wrong shape;
* one file in eight written as a JSON stream (where `2.0` stays a float).

Both tools run on every file (`kstatus-ref health -recover -f FILE -o json`, `gitward health
-f FILE -o json`); objects are compared on id, status and message, and on whether an error
was reported (error texts are compared and counted separately). Prints the counts and the
first M differences. Exit 1 if any object differs (id, status, message or error presence).
"""
import argparse
import concurrent.futures as cf
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


class Raw:
    """A YAML scalar written verbatim (its YAML 1.1 meaning is part of the test); `json` is
    the value used when the object is written as JSON."""

    def __init__(self, text, json_value):
        self.text, self.json = text, json_value


# ============================================================================ random values

def R(rng):
    return rng


def int_like(rng, n, weird=0.08):
    """n, or now and then a near spelling or a wrong type."""
    if rng.random() >= weird:
        return n
    return rng.choice([
        str(n),  # a string
        n + 0.5,  # a float
        True,
        None,
        Raw(f"{n}.0", float(n)),  # YAML: an int after the JSON round trip; JSON: a float
        Raw(f"{n}e0", float(n)),
        Raw(hex(n), n) if n >= 0 else n,
        Raw(f"0{oct(n)[2:]}" if n > 0 else "0", n if n <= 0 else int(oct(n)[2:])),
        Raw(f"+{n}", n) if n >= 0 else n,
        Raw("1_0", 10),
        Raw("99999999999999999999", 99999999999999999999),
        [n],
        {"n": n},
    ])


def str_like(rng, s, weird=0.05):
    if rng.random() >= weird:
        return s
    return rng.choice([1, 2.5, True, None, [s], {"s": s}, Raw("y", True), Raw("on", True), ""])


COND_STATUS = ["True", "False", "Unknown"]


def cond_status(rng):
    if rng.random() < 0.85:
        return rng.choice(COND_STATUS)
    return rng.choice(["true", "TRUE", "", Raw("True", True), Raw("yes", True), Raw("false", False), 1, None,
                       Raw("~", None)])


REASONS = ["NewReplicaSetAvailable", "ProgressDeadlineExceeded", "ReplicaSetUpdated", "Installing",
           "Unschedulable", "NoReason", "Progressing", "MinimumReplicasAvailable", "Succeeded", ""]
MESSAGES = ["", "all good", "waiting for rollout", "it's broken", "quota exceeded: pods \"x\"", "ünïcode ✓",
            "multi\nline"]


def condition(rng, types):
    c = {}
    if rng.random() < 0.97:
        t = rng.choice(types)
        c["type"] = t if rng.random() < 0.97 else rng.choice([t.lower(), None, 3, Raw("~", None)])
    if rng.random() < 0.97:
        c["status"] = cond_status(rng)
    if rng.random() < 0.7:
        c["reason"] = rng.choice(REASONS) if rng.random() < 0.97 else rng.choice([1, True, None])
    if rng.random() < 0.6:
        c["message"] = rng.choice(MESSAGES) if rng.random() < 0.97 else rng.choice([2, 2.5, None])
    if rng.random() < 0.2:
        c["lastTransitionTime"] = "2020-01-01T00:00:00Z"
    return c


GENERIC = ["Ready", "Reconciling", "Stalled"]


def conditions(rng, kind_types):
    pool = kind_types + GENERIC if kind_types else GENERIC + ["Healthy", "Synced"]
    r = rng.random()
    if r < 0.01:
        return rng.choice(["x", 1, {"type": "Ready"}, True])
    n = rng.choice([0, 1, 1, 2, 2, 3, 4])
    out = []
    for _ in range(n):
        if rng.random() < 0.01:
            out.append(rng.choice([None, "Ready", 1, ["a"]]))
        else:
            # kind conditions more often than generic ones
            types = kind_types if kind_types and rng.random() < 0.7 else pool
            out.append(condition(rng, types))
    return out


# ============================================================================ objects per kind

def counters(rng, base, names):
    """Counters near `base`: equal most of the time, off by one or two now and then."""
    st = {}
    for name in names:
        if rng.random() < 0.08:
            continue
        v = base if rng.random() < 0.6 else max(0, base + rng.choice([-2, -1, 1, 2]))
        st[name] = int_like(rng, v)
    return st


def deployment(rng):
    spec, st = {}, {}
    replicas = rng.choice([0, 1, 1, 2, 3, 5])
    if rng.random() < 0.85:
        spec["replicas"] = int_like(rng, replicas)
    else:
        replicas = 1
    if rng.random() < 0.5:
        spec["progressDeadlineSeconds"] = int_like(rng, rng.choice([600, 2147483647, 30]))
    if rng.random() < 0.1:
        spec["paused"] = True
    st.update(counters(rng, replicas, ["replicas", "updatedReplicas", "readyReplicas", "availableReplicas"]))
    st["conditions"] = conditions(rng, ["Available", "Progressing", "ReplicaFailure"])
    return spec, st


def replicaset(rng):
    spec, st = {}, {}
    replicas = rng.choice([0, 1, 2, 3])
    if rng.random() < 0.85:
        spec["replicas"] = int_like(rng, replicas)
    else:
        replicas = 1
    st.update(counters(rng, replicas, ["replicas", "readyReplicas", "availableReplicas", "fullyLabeledReplicas"]))
    st["conditions"] = conditions(rng, ["ReplicaFailure"])
    return spec, st


def statefulset(rng):
    spec, st = {}, {}
    replicas = rng.choice([0, 1, 2, 3])
    if rng.random() < 0.85:
        spec["replicas"] = int_like(rng, replicas)
    else:
        replicas = 1
    us = {}
    r = rng.random()
    if r < 0.15:
        us["type"] = str_like(rng, rng.choice(["OnDelete", "RollingUpdate", "ondelete"]))
    elif r < 0.4:
        us["type"] = "RollingUpdate"
        us["rollingUpdate"] = {"partition": int_like(rng, rng.choice([0, 1, 2, -1, 5]))}
    if us:
        spec["updateStrategy"] = us
    st.update(counters(rng, replicas, ["replicas", "readyReplicas", "currentReplicas", "updatedReplicas"]))
    rev = rng.choice(["web-1", "web-2"])
    if rng.random() < 0.85:
        st["currentRevision"] = str_like(rng, rev)
    if rng.random() < 0.85:
        st["updateRevision"] = str_like(rng, rev if rng.random() < 0.7 else "web-3")
    if rng.random() < 0.3:
        st["conditions"] = conditions(rng, [])
    return spec, st


def daemonset(rng):
    spec, st = {}, {}
    desired = rng.choice([0, 1, 2, 3])
    if rng.random() < 0.9:
        st["desiredNumberScheduled"] = int_like(rng, desired)
    st.update(counters(rng, desired, ["currentNumberScheduled", "updatedNumberScheduled", "numberAvailable",
                                      "numberReady"]))
    if rng.random() < 0.3:
        st["conditions"] = conditions(rng, [])
    return spec, st


def pod(rng):
    spec, st = {"containers": [{"name": "app", "image": "nginx"}]}, {}
    if rng.random() < 0.92:
        st["phase"] = str_like(rng, rng.choice(["Running", "Running", "Pending", "Pending", "Succeeded", "Failed",
                                                "Unknown", "running", ""]), weird=0.03)
    st["conditions"] = conditions(rng, ["Ready", "PodScheduled", "ContainersReady", "Initialized"])
    if rng.random() < 0.5:
        css = []
        for name in rng.sample(["a", "b", "c", "app"], rng.choice([1, 2, 3])):
            cs = {"name": name}
            r = rng.random()
            if r < 0.5:
                cs["state"] = {"waiting": {"reason": rng.choice(["CrashLoopBackOff", "ImagePullBackOff",
                                                                 "ContainerCreating"])}}
            elif r < 0.7:
                cs["state"] = {"running": {"startedAt": "2020-01-01T00:00:00Z"}}
            elif r < 0.75:
                cs["state"] = {"waiting": {}}
            elif r < 0.78:  # kstatus panics on these (-recover reports them)
                cs["state"] = rng.choice(["x", {"waiting": "x"}, {"waiting": {"reason": 1}}])
            if rng.random() < 0.03:
                cs["name"] = 7
            css.append(cs)
        if rng.random() < 0.03:
            css = rng.choice(["x", None, [None], {"a": 1}])
        st["containerStatuses"] = css
    return spec, st


def pvc(rng):
    st = {}
    if rng.random() < 0.9:
        st["phase"] = str_like(rng, rng.choice(["Bound", "Pending", "Lost", "bound"]), weird=0.1)
    if rng.random() < 0.2:
        st["conditions"] = conditions(rng, ["Resizing"])
    return {"accessModes": ["ReadWriteOnce"]}, st


def service(rng):
    spec = {}
    if rng.random() < 0.8:
        spec["type"] = str_like(rng, rng.choice(["LoadBalancer", "ClusterIP", "NodePort", "loadbalancer"]))
    if rng.random() < 0.5:
        spec["clusterIP"] = str_like(rng, rng.choice(["10.0.0.1", "", "None"]))
    st = {}
    if rng.random() < 0.3:
        st["loadBalancer"] = {"ingress": [{"ip": "1.2.3.4"}]} if rng.random() < 0.5 else {}
    if rng.random() < 0.2:
        st["conditions"] = conditions(rng, [])
    return spec, st


def job(rng):
    spec, st = {}, {}
    if rng.random() < 0.5:
        spec["parallelism"] = int_like(rng, rng.choice([1, 2, 3]))
    if rng.random() < 0.5:
        spec["completions"] = int_like(rng, rng.choice([1, 2, 5]))
    if rng.random() < 0.2:
        spec["suspend"] = True
    for k in ["succeeded", "active", "failed"]:
        if rng.random() < 0.5:
            st[k] = int_like(rng, rng.choice([0, 1, 2]))
    if rng.random() < 0.6:
        st["startTime"] = str_like(rng, "2020-01-01T00:00:00Z")
    st["conditions"] = conditions(rng, ["Complete", "Failed", "Suspended", "FailureTarget"])
    return spec, st


def crd(rng):
    spec = {"group": "example.com", "names": {"kind": "Widget", "plural": "widgets"}, "scope": "Namespaced"}
    return spec, {"conditions": conditions(rng, ["NamesAccepted", "Established", "NonStructuralSchema"])}


def plain(rng):
    st = {}
    if rng.random() < 0.6:
        st["conditions"] = conditions(rng, [])
    if rng.random() < 0.2:
        st["phase"] = rng.choice(["Active", "Terminating", "Ready"])
    return {}, st


KINDS = [
    # (apiVersion, kind, make, weight)
    ("apps/v1", "Deployment", deployment, 10),
    ("extensions/v1beta1", "Deployment", deployment, 1),
    ("v1", "Deployment", deployment, 1),
    ("apps/v1", "ReplicaSet", replicaset, 6),
    ("extensions/v1beta1", "ReplicaSet", replicaset, 1),
    ("apps/v1", "StatefulSet", statefulset, 8),
    ("apps/v1", "DaemonSet", daemonset, 6),
    ("extensions/v1beta1", "DaemonSet", daemonset, 1),
    ("v1", "Pod", pod, 10),
    ("v1", "PersistentVolumeClaim", pvc, 4),
    ("v1", "Service", service, 4),
    ("v1", "ConfigMap", plain, 2),
    ("v1", "Secret", plain, 2),
    ("batch/v1", "Job", job, 8),
    ("batch/v1", "CronJob", plain, 2),
    ("policy/v1", "PodDisruptionBudget", plain, 2),
    ("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd, 5),
    ("v1", "Namespace", plain, 2),
    ("example.com/v1", "Widget", plain, 12),
    ("kustomize.toolkit.fluxcd.io/v1", "Kustomization", plain, 3),
    ("rbac.authorization.k8s.io/v1", "ClusterRole", plain, 1),
    ("rbac.authorization.k8s.io/v1", "RoleBinding", plain, 1),
    ("v1", "ServiceAccount", plain, 1),
]


def make_object(rng, i):
    api_version, kind, make, _ = rng.choices(KINDS, weights=[k[3] for k in KINDS])[0]
    meta = {"name": f"obj-{i}" if rng.random() < 0.9 else rng.choice([f"system:o-{i}", f"a:b:{i}", ""])}
    if rng.random() < 0.85:
        meta["namespace"] = rng.choice(["apps", "default", "flux-system"])
    gen = rng.choice([1, 2, 3])
    gen_present = rng.random() < 0.7
    if gen_present:
        meta["generation"] = int_like(rng, gen, weird=0.03)
    r = rng.random()
    if r < 0.04:
        meta["deletionTimestamp"] = rng.choice(["2020-01-01T00:00:00Z", "x", ""]) if r < 0.035 else \
            rng.choice([5, None, True])
    if rng.random() < 0.5:
        meta["creationTimestamp"] = rng.choice(["2020-01-01T00:00:00Z", "2999-01-01T00:00:00Z",
                                                "2999-01-01T00:00:00.5+01:00", "garbage", "", None])
    spec, st = make(rng)
    if rng.random() < 0.6:
        og = gen if rng.random() < 0.75 else rng.choice([gen - 1, gen + 1])
        st["observedGeneration"] = int_like(rng, og, weird=0.03)
    obj = {"apiVersion": api_version, "kind": kind, "metadata": meta}
    if spec and rng.random() < 0.97:
        obj["spec"] = spec
    r = rng.random()
    if r < 0.08:
        pass  # no status
    elif r < 0.09:
        obj["status"] = rng.choice(["x", 1, [1], None])
    else:
        obj["status"] = st
    return obj


# ============================================================================ writing

def yaml_scalar(v):
    if isinstance(v, Raw):
        return v.text
    if v is None:
        return "null"
    if v is True:
        return "true"
    if v is False:
        return "false"
    if isinstance(v, (int, float)):
        return repr(v)
    return json.dumps(v, ensure_ascii=False)  # double-quoted: valid YAML, no surprises


def yaml_lines(v, indent, out):
    pad = " " * indent
    if isinstance(v, dict):
        if not v:
            out[-1] += " {}"
            return
        for k, x in v.items():
            if isinstance(x, (dict, list)) and x:
                out.append(f"{pad}{k}:")
                yaml_lines(x, indent + 2, out)
            else:
                out.append(f"{pad}{k}: " + (("{}" if isinstance(x, dict) else "[]") if isinstance(x, (dict, list))
                                          else yaml_scalar(x)))
    elif isinstance(v, list):
        for x in v:
            if isinstance(x, dict) and x:
                first = True
                for k, y in x.items():
                    lead = f"{pad}- " if first else f"{pad}  "
                    first = False
                    if isinstance(y, (dict, list)) and y:
                        out.append(f"{lead}{k}:")
                        yaml_lines(y, indent + 4, out)
                    else:
                        out.append(f"{lead}{k}: " + (("{}" if isinstance(y, dict) else "[]")
                                                     if isinstance(y, (dict, list)) else yaml_scalar(y)))
            elif isinstance(x, list) and x:
                out.append(f"{pad}-")
                yaml_lines(x, indent + 2, out)
            else:
                out.append(f"{pad}- " + (("{}" if isinstance(x, dict) else "[]") if isinstance(x, (dict, list))
                                         else yaml_scalar(x)))


def to_yaml(obj):
    out = []
    yaml_lines(obj, 0, out)
    return "\n".join(out) + "\n"


def to_json_value(v):
    if isinstance(v, Raw):
        return v.json
    if isinstance(v, dict):
        return {k: to_json_value(x) for k, x in v.items()}
    if isinstance(v, list):
        return [to_json_value(x) for x in v]
    return v


def write_files(seed, n, per_file, outdir):
    rng = random.Random(seed)
    files = []
    for f in range(0, n, per_file):
        objs = [make_object(rng, i) for i in range(f, min(n, f + per_file))]
        path = os.path.join(outdir, f"objects-{f // per_file:04d}.yaml")
        if rng.random() < 0.125:
            text = "\n".join(json.dumps(to_json_value(o), ensure_ascii=False) for o in objs) + "\n"
        else:
            text = "---\n".join(to_yaml(o) for o in objs)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        files.append(path)
    return files


# ============================================================================ running

def run(argv):
    p = subprocess.run(argv, capture_output=True, timeout=120)
    if p.returncode != 0:
        return None, p.stderr.decode("utf-8", "replace").strip()
    return json.loads(p.stdout), None


def build_ref(tmp):
    out = os.path.join(tmp, "kstatus-ref")
    p = subprocess.run(["go", "build", "-o", out, "."], cwd=HERE, capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(f"go build failed:\n{p.stderr}")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--n", type=int, default=10000)
    ap.add_argument("--per-file", type=int, default=50)
    ap.add_argument("--ref", help="kstatus-ref binary (default: go build here)")
    ap.add_argument("--bin", default=os.environ.get("GITWARD_BIN") or os.path.join(
        os.environ.get("CARGO_TARGET_DIR") or os.path.join(REPO, "target"), "debug", "gitward"))
    ap.add_argument("--keep", help="write the generated files here and keep them")
    ap.add_argument("--show", type=int, default=20)
    ap.add_argument("--jobs", type=int, default=2)
    o = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="kstatus-diff-")
    try:
        ref = o.ref or build_ref(tmp)
        outdir = o.keep or os.path.join(tmp, "cases")
        os.makedirs(outdir, exist_ok=True)
        files = write_files(o.seed, o.n, o.per_file, outdir)

        def both(path):
            return path, run([ref, "health", "-recover", "-f", path, "-o", "json"]), \
                run([o.bin, "health", "-f", path, "-o", "json"])

        with cf.ThreadPoolExecutor(max_workers=o.jobs) as ex:
            results = list(ex.map(both, files))
        total = same = status_same = err_text_same = err_both = 0
        file_failures = []
        diffs = []
        by_kind = {}
        by_status = {}
        for path, (want, werr), (got, gerr) in results:
            if want is None or got is None:
                file_failures.append(f"{os.path.basename(path)}: ref: {werr} / gitward: {gerr}")
                continue
            if len(want) != len(got):
                file_failures.append(f"{os.path.basename(path)}: {len(want)} objects, gitward {len(got)}")
                continue
            for w, g in zip(want, got):
                total += 1
                by_status[w["status"]] = by_status.get(w["status"], 0) + 1
                kind = w["id"].rsplit("_", 1)[-1]
                k = by_kind.setdefault(kind, [0, 0])
                k[1] += 1
                ok = (w["id"], w["status"], w["message"], "error" in w) == \
                     (g.get("id"), g.get("status"), g.get("message"), "error" in g)
                status_same += (w["id"], w["status"]) == (g.get("id"), g.get("status"))
                if "error" in w and "error" in g:
                    err_both += 1
                    err_text_same += w["error"] == g["error"]
                    if w["error"] != g["error"] and len(diffs) < o.show:
                        diffs.append(f"{os.path.basename(path)} {w['id']}: error text\n    kstatus: {w['error']}\n"
                                     f"    gitward: {g['error']}")
                if ok:
                    same += 1
                    k[0] += 1
                elif len(diffs) < o.show:
                    diffs.append(f"{os.path.basename(path)} {w['id']}:\n    kstatus: {w}\n    gitward: {g}")
        for line in file_failures[:o.show]:
            print("FILE", line)
        for d in diffs:
            print("DIFF", d)
        print("\nkind                      same/total")
        for kind, (s, t) in sorted(by_kind.items()):
            print(f"{kind:<25} {s:>5}/{t}")
        print("\nkstatus verdicts: " + ", ".join(f"{k} {v}" for k, v in sorted(by_status.items())))
        print(f"objects: {total} compared in {len(files)} files ({len(file_failures)} files not compared)")
        print(f"identical (id, status, message, error or not): {same}/{total}; status only: {status_same}/{total}")
        print(f"errors reported by both: {err_both}, same error text: {err_text_same}")
        print(f"{same} passed, {total - same + len(file_failures)} failed")
        return 0 if same == total and not file_failures else 1
    finally:
        if not o.keep:
            shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
