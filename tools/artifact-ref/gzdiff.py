#!/usr/bin/env python3
"""Differential: gitward's GzipWriter (default level, a random sequence of writes) vs Go's
gzip.NewWriter fed the same writes (`goref gz`).  usage: gzdiff.py N SEED"""
import os, random, subprocess, sys, hashlib
HERE = os.path.dirname(os.path.abspath(__file__))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "..", "..", "target"))
GO = os.environ.get("GOREF", "/tmp/artifact-goref")
RS = os.environ.get("ARTIFACT_REF", os.path.join(TARGET, "debug", "examples", "artifact_ref"))
n = int(sys.argv[1]) if len(sys.argv) > 1 else 200
seed = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rnd = random.Random(seed)
work = "/tmp/gzdiff"; os.makedirs(work, exist_ok=True)
words = [b"apiVersion: v1\n", b"kind: ConfigMap\n", b"metadata:\n  name: x\n", b"  ", b"value", b"\n", b"- item\n"]
def data():
    kind = rnd.choice(["random", "text", "repeat", "mixed", "zeros", "tar"])
    size = rnd.choice([0, 1, 3, 100, 511, 512, 4096, 32768, 65535, 65536, 70000, 131072, 200000, rnd.randint(0, 300000)])
    if kind == "random": return rnd.randbytes(size)
    if kind == "zeros": return b"\0" * size
    if kind == "repeat": return (rnd.randbytes(rnd.randint(1, 300)) * (size // 10 + 1))[:size]
    if kind == "text":
        b = bytearray()
        while len(b) < size: b += rnd.choice(words)
        return bytes(b[:size])
    out = bytearray()
    while len(out) < size:
        out += rnd.choice([rnd.randbytes(rnd.randint(1, 5000)), b"\0" * rnd.randint(1, 3000), rnd.choice(words) * rnd.randint(1, 200)])
    return bytes(out[:size])
bad = 0
for i in range(n):
    d = data()
    chunks = []
    left = len(d)
    mode = rnd.choice(["one", "512", "tar", "random"])
    while left > 0 and mode != "one":
        c = {"512": 512, "tar": rnd.choice([512, 32768, rnd.randint(0, 511)]), "random": rnd.randint(0, 70000)}[mode]
        c = min(c, left); chunks.append(c); left -= c
    open(f"{work}/data", "wb").write(d)
    open(f"{work}/chunks", "w").write("".join(f"{c}\n" for c in chunks))
    subprocess.run([GO, "gz", f"{work}/chunks", f"{work}/data", f"{work}/go.gz"], check=True)
    subprocess.run([RS, "gz", f"{work}/chunks", f"{work}/data", f"{work}/rs.gz"], check=True)
    if open(f"{work}/go.gz", "rb").read() != open(f"{work}/rs.gz", "rb").read():
        bad += 1
        print("DIFF", i, len(d), mode, len(chunks))
print(f"gzip: {n - bad} identical, {bad} different")
