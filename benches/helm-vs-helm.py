#!/usr/bin/env python3
"""Times `gitward template` against `helm template` (helm v4.1.4), whole process, in one run.

  benches/helm-vs-helm.py [--repeat N] [--objects 4000] [--filter REGEX] [--gitward PATH]

1. Every successful case of the real-chart corpus (../shared/conformance/helm): wall time of
   each tool (best of --repeat runs), the per-case ratio, and the median ratio; the same for
   CPU time (user + system of the process, best of the runs), which a loaded machine
   disturbs less than wall time.
2. A synthetic chart written here that renders --objects objects through range, include,
   tpl and toYaml: wall time of each tool and whether the outputs are byte-identical.

Needs the reference helm (../shared/tools/reference-tools.sh installs it) and a release
build of gitward (built here, CARGO_TARGET_DIR honoured).
"""
import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tests", "conformance"))
import run as conformance  # noqa: E402  (the conformance runner: case reading, hermetic env)


def wall(argv, cwd, env, repeat):
    """-> (best wall seconds, stdout or None on failure, best CPU seconds)."""
    best = None
    best_cpu = None
    out = b""
    for _ in range(repeat):
        with tempfile.TemporaryFile() as fout:
            t0 = time.perf_counter()
            p = subprocess.Popen(argv, cwd=cwd, env=env, stdout=fout, stderr=subprocess.DEVNULL)
            _, status, usage = os.wait4(p.pid, 0)
            dt = time.perf_counter() - t0
            p.returncode = os.waitstatus_to_exitcode(status)
            fout.seek(0)
            stdout = fout.read()
        cpu = usage.ru_utime + usage.ru_stime
        best = dt if best is None else min(best, dt)
        best_cpu = cpu if best_cpu is None else min(best_cpu, cpu)
        out = stdout if p.returncode == 0 else None
    return best, out, best_cpu


def synthetic_chart(root, n):
    os.makedirs(os.path.join(root, "templates"))
    with open(os.path.join(root, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: synth\nversion: 1.0.0\nappVersion: \"2.0\"\n")
    with open(os.path.join(root, "values.yaml"), "w") as f:
        f.write(f"count: {n}\nimage: registry.example.com/app\nextra:\n  team: platform\n"
                "  tier: backend\nmessage: \"app {{ .Release.Name }}\"\n")
    with open(os.path.join(root, "templates", "_helpers.tpl"), "w") as f:
        f.write('{{- define "synth.labels" -}}\n'
                'app.kubernetes.io/name: {{ .name }}\n'
                'app.kubernetes.io/instance: {{ .root.Release.Name }}\n'
                '{{ toYaml .root.Values.extra }}\n'
                '{{- end }}\n')
    with open(os.path.join(root, "templates", "objects.yaml"), "w") as f:
        f.write('{{- range $i := until (int .Values.count) }}\n'
                '{{- $name := printf "app-%05d" $i }}\n'
                '---\n'
                'apiVersion: v1\n'
                'kind: ConfigMap\n'
                'metadata:\n'
                '  name: {{ $name }}\n'
                '  labels:\n'
                '    {{- include "synth.labels" (dict "name" $name "root" $) | nindent 4 }}\n'
                'data:\n'
                '  message: {{ tpl $.Values.message $ | quote }}\n'
                '  index: {{ $i | quote }}\n'
                '  image: "{{ $.Values.image }}:{{ $.Chart.AppVersion }}"\n'
                '{{- end }}\n')


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--objects", type=int, default=4000)
    ap.add_argument("--filter")
    ap.add_argument("--gitward", help="gitward binary (default: build the release CLI)")
    o = ap.parse_args()
    shared = os.environ.get("GITWARD_SHARED", os.path.join(os.path.dirname(REPO), "shared"))
    corpus = os.environ.get("GITWARD_CONFORMANCE", os.path.join(shared, "conformance"))
    tools = subprocess.run(["bash", os.path.join(shared, "tools", "reference-tools.sh")],
                           capture_output=True, text=True, check=True).stdout
    helm = re.search(r"^HELM=(.*)$", tools, re.M).group(1)
    target = os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.expanduser("~"), ".cache", "gitward", "target"))
    gitward = o.gitward
    if not gitward:
        subprocess.run(["cargo", "build", "--quiet", "--release", "-p", "gitward-cli"], cwd=REPO, check=True,
                       env=dict(os.environ, CARGO_TARGET_DIR=target))
        gitward = os.path.join(target, "release", "gitward")
    tmp = tempfile.mkdtemp(prefix="helm-bench-")
    try:
        home = os.path.join(tmp, "home")
        os.makedirs(home)
        env = conformance.hermetic_env(home)
        root = os.path.join(corpus, "helm")
        ratios = []
        cpu_ratios = []
        print(f"{'case':<62} {'helm_ms':>8} {'gitward_ms':>10} {'ratio':>7} "
              f"{'helm_cpu_ms':>11} {'gitward_cpu_ms':>14} {'cpu_ratio':>9}")
        for case in conformance.helm_cases(root):
            if case.kind != "output" or (o.filter and not re.search(o.filter, case.name)):
                continue
            h, _, hc = wall([helm, "template"] + case.args, case.cwd, env, o.repeat)
            g, _, gc = wall([gitward, "template"] + case.args, case.cwd, env, o.repeat)
            gc = max(gc, 0.0005)
            ratios.append(h / g)
            cpu_ratios.append(hc / gc)
            print(f"{case.name:<62} {h * 1000:8.1f} {g * 1000:10.1f} {h / g:6.1f}x "
                  f"{hc * 1000:11.1f} {gc * 1000:14.1f} {hc / gc:8.1f}x")
        if ratios:
            print(f"\ncorpus: {len(ratios)} cases, median ratio {statistics.median(ratios):.1f}x "
                  f"(min {min(ratios):.1f}x, max {max(ratios):.1f}x); CPU time: median ratio "
                  f"{statistics.median(cpu_ratios):.1f}x (min {min(cpu_ratios):.1f}x, max {max(cpu_ratios):.1f}x)")
        chart = os.path.join(tmp, "synth")
        synthetic_chart(chart, o.objects)
        argv = ["bench", chart, "--namespace", "bench"]
        h, hout, hc = wall([helm, "template"] + argv, tmp, env, o.repeat)
        g, gout, gc = wall([gitward, "template"] + argv, tmp, env, o.repeat)
        print(f"synthetic chart, {o.objects} objects: helm {h * 1000:.0f} ms, gitward {g * 1000:.0f} ms, "
              f"ratio {h / g:.1f}x; CPU helm {hc * 1000:.0f} ms, gitward {gc * 1000:.0f} ms, ratio {hc / gc:.1f}x; "
              f"identical: {'yes' if hout is not None and hout == gout else 'no'}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
