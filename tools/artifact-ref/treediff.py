#!/usr/bin/env python3
"""Differential tests of gitward's artifact packers on random trees (see README.md).

  treediff.py flux N SEED    `gitward build artifact` vs `flux build artifact` (v2.9.5)
  treediff.py sc N SEED      gitward's source-controller artifact (the artifact_ref example) vs goref sc

Each case: a random tree in /tmp (dirs, files, symlinks, FIFOs, odd and long and non-UTF-8 names, all
kinds of modes, files around the 32 KiB copy buffer and the 64 KiB deflate window), random
--ignore-paths values (flux: CSV quoting, empty values, newlines, bad quotes, --path a sub-directory, a
file or nothing) or random .sourceignore files and spec.ignore (sc); both tools run with umask 022.  Exit
codes must agree and, on success, the .tgz bytes must be identical.  Disagreeing cases are copied to
$KEEP_DIR (default /tmp/artifact-diff-fails).  The last line is a JSON summary."""
import json, os, random, re, shutil, stat, subprocess, sys

HERE = os.path.dirname(os.path.abspath(__file__))
GITWARD = os.environ.get("GITWARD_BIN") or os.path.join(
    os.environ.get("CARGO_TARGET_DIR", os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "target")),
    "debug", "gitward")
FLUX = os.environ.get("FLUX", os.path.expanduser("~/.cache/gitward-reference/flux/flux"))
TARGET = os.environ.get("CARGO_TARGET_DIR", os.path.join(HERE, "..", "..", "target"))
GOREF = os.environ.get("GOREF", "/tmp/artifact-goref")
RSREF = os.environ.get("ARTIFACT_REF", os.path.join(TARGET, "debug", "examples", "artifact_ref"))

NAMES = ["app", "base", "env", "prod", "values.yaml", "kustomization.yaml", "README.md", "a.yaml", "b.json",
         "deploy.yaml", "tmp", "build", "data", "x.yaml", "notes.md", "run.sh", "charts", "templates",
         ".git", ".gitignore", ".gitmodules", ".gitattributes", ".sourceignore", ".github", ".env", ".helmignore",
         ".circleci", ".travis.yml", ".sops.yaml", ".flux.yaml", ".goreleaser.yml", "cloudbuild.yaml",
         "logo.png", "pic.JPG", "a.tar.gz", "x.zip", "movie.flv", "img.gif",
         "a b", "[x]", "star*name", "q?", "#hash", "!bang", "back\\slash", "comma,name", "ümlaut", "日本語",
         "nfc-é", "nfd-é", "tab\tname", "-dash", "a**b", "ab", "axb", "..dots", "trailing ", " lead"]
RULE_PARTS = ["*", "**", "*.yaml", "*.md", "?", "[a-c]*", "[!a]*", "[^a]*", "\\[x\\]", "a*", "*b", "[a-", "\\"]


def rname(rnd):
    r = rnd.random()
    if r < 0.75:
        return rnd.choice(NAMES)
    if r < 0.85:
        return "".join(rnd.choice("abcdefghij_-.") for _ in range(rnd.randint(1, 12))) + rnd.choice(["", ".yaml", ".txt"])
    if r < 0.95:
        return "L" + "".join(rnd.choice("abcdefghijklmnop") for _ in range(rnd.randint(60, 250)))
    return rnd.choice([b"\xff\xfe.yaml", b"bad\x80", "new\nline", "\u00e9\u0301", "emoji\U0001F600"])


def content(rnd):
    r = rnd.random()
    if r < 0.3:
        return b""
    if r < 0.8:
        return ("key: " + "v" * rnd.randint(0, 50) + "\n").encode() * rnd.randint(1, 30)
    if r < 0.93:
        return rnd.randbytes(rnd.randint(1, 3000))
    size = rnd.choice([32767, 32768, 32769, 65536, 70000, rnd.randint(100000, 300000)])
    return (rnd.randbytes(rnd.randint(1, 2000)) * (size // 100 + 1))[:size] if rnd.random() < 0.5 else rnd.randbytes(size)


FILE_MODES = [0o644] * 6 + [0o600, 0o755, 0o700, 0o4755, 0o2755, 0o1644, 0o000, 0o444, 0o777, 0o7777, 0o640, 0o711]
DIR_MODES = [0o755] * 6 + [0o700, 0o750, 0o1777, 0o2775, 0o555, 0o500, 0o777, 0o711]


def fsname(n):
    return n if isinstance(n, bytes) else n.encode()


def build_tree(rnd, root, sc_mode):
    """Create a random tree under root; returns lists of (relative bytes path, kind)."""
    os.makedirs(root)
    dirs, files, allp = [b""], [], []
    modes = []
    for _ in range(rnd.randint(0, 40)):
        parent = rnd.choice(dirs)
        name = fsname(rname(rnd))
        rel = parent + b"/" + name if parent else name
        full = os.path.join(os.fsencode(root), rel)
        if os.path.lexists(full):
            continue
        k = rnd.random()
        if k < 0.3 and rel.count(b"/") < 5:
            os.mkdir(full)
            dirs.append(rel)
            modes.append((full, rnd.choice(DIR_MODES)))
        elif k < 0.85:
            data = content(rnd)
            if name == b".sourceignore" or (rnd.random() < 0.1):
                data = rules_text(rnd).encode()
            with open(full, "wb") as f:
                f.write(data)
            files.append(rel)
            modes.append((full, rnd.choice(FILE_MODES)))
        elif k < 0.97:
            target = rnd.choice([
                b"a.yaml", b"../x", b"/etc/hostname", b"missing", b"..", b".", b"loop",
                (rnd.choice(files) if files else b"x"), (rnd.choice(dirs) or b"."), b"../../../../etc"])
            if sc_mode and name == b".sourceignore" and (target.startswith(b"/") or target.startswith(b"..")):
                target = b"missing"  # a link out of the tree: gitward refuses it on purpose
            os.symlink(target, full)
        elif name != b".sourceignore":
            os.mkfifo(full)
    for full, m in sorted(modes, key=lambda x: -x[0].count(b"/")):
        os.chmod(full, m)
    os.chmod(root, rnd.choice(DIR_MODES))
    return dirs, files


def rules_text(rnd):
    lines = []
    for _ in range(rnd.randint(0, 6)):
        lines.append(rule(rnd))
    return rnd.choice(["\n", "\r\n"]).join(lines) + rnd.choice(["", "\n"])


def rule(rnd):
    r = rnd.random()
    if r < 0.4:
        n = rname(rnd)
        n = n.decode("utf-8", "replace") if isinstance(n, bytes) else n
    elif r < 0.7:
        n = "/".join(rnd.choice(RULE_PARTS + NAMES[:20]) for _ in range(rnd.randint(1, 3)))
    else:
        n = rnd.choice(RULE_PARTS)
    if rnd.random() < 0.2:
        n = "/" + n
    if rnd.random() < 0.2:
        n = n + "/"
    if rnd.random() < 0.2:
        n = "!" + n
    if rnd.random() < 0.05:
        n = "#" + n
    if rnd.random() < 0.05:
        n = n + "  "
    if rnd.random() < 0.03:
        n = "  " + n
    return n.replace("\n", "")


def flag_values(rnd):
    if rnd.random() < 0.25:
        return None
    vals = []
    for _ in range(rnd.randint(1, 3)):
        r = rnd.random()
        if r < 0.1:
            vals.append("")
        elif r < 0.6:
            vals.append(",".join(rule(rnd) for _ in range(rnd.randint(1, 4))))
        elif r < 0.8:
            vals.append('"' + rule(rnd).replace('"', '""') + "," + rule(rnd) + '"' + rnd.choice(["", "," + rule(rnd)]))
        elif r < 0.9:
            vals.append('"' + "\n".join(rule(rnd) for _ in range(3)) + '"')
        else:
            vals.append(rnd.choice(['a"b', '"open', '"x"y', "\n", "a\nb", " , ", "*.md\r\n*.json", "\n\n*.md"]))
    return vals


def pick_path(rnd, root, dirs, files):
    # Flux writes the archive to a temp file named <base of --path><random uint32> next to --path;
    # with a base of 246+ bytes that name is too long or not depending on the number's digits, at
    # random.  Such paths are not picked (long names still occur inside the trees).
    dirs = [d for d in dirs if len(os.path.basename(d)) < 245]
    files = [f for f in files if len(os.path.basename(f)) < 245]
    r = rnd.random()
    if r < 0.7 or not (dirs[1:] or files):
        return root
    if r < 0.85 and dirs[1:]:
        return os.path.join(os.fsencode(root), rnd.choice(dirs[1:]))
    if r < 0.95 and files:
        return os.path.join(os.fsencode(root), rnd.choice(files))
    return os.path.join(os.fsencode(root), b"does-not-exist")


def run(argv, cwd, stdin=None):
    p = subprocess.run(argv, cwd=cwd, capture_output=True, timeout=120, preexec_fn=lambda: os.umask(0o022))
    return p.returncode, p.stderr.decode("utf-8", "replace")


def make_removable(top):
    for dirpath, dirnames, _ in os.walk(top):
        for d in [dirpath] + [os.path.join(dirpath, n) for n in dirnames]:
            if not os.path.islink(d):
                try:
                    os.chmod(d, 0o700)
                except OSError:
                    pass


def main():
    mode, n, seed = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    rnd = random.Random(seed)
    tmp = f"/tmp/treediff-{mode}-{seed}"
    stats = {"identical": 0, "both_failed": 0, "same_error_text": 0, "different": 0, "exit_mismatch": 0}
    for i in range(n):
        shutil.rmtree(tmp, ignore_errors=True)
        os.makedirs(tmp)
        root = os.path.join(tmp, "input")
        dirs, files = build_tree(rnd, root, mode == "sc")
        os.makedirs(os.path.join(tmp, "out"))
        go_out, rs_out = os.path.join(tmp, "out", "go.tgz"), os.path.join(tmp, "out", "rs.tgz")
        if mode == "flux":
            path = pick_path(rnd, root, dirs, files)
            vals = flag_values(rnd)
            flags = []
            for v in vals or []:
                flags += ["--ignore-paths", v]
            rc_go, err_go = run([FLUX, "build", "artifact", "--path", path, "--output", go_out] + flags, tmp)
            rc_rs, err_rs = run([GITWARD, "build", "artifact", "--path", path, "--output", rs_out] + flags, tmp)
            desc = {"path": os.fsdecode(path), "ignore_paths": vals}
        else:
            ign = None
            argv_extra = []
            if rnd.random() < 0.5:
                ign = os.path.join(tmp, "spec-ignore")
                with open(ign, "w") as f:
                    f.write(rules_text(rnd))
                argv_extra = [ign]
            rc_go, err_go = run([GOREF, "sc", root, go_out] + argv_extra, tmp)
            rc_rs, err_rs = run([RSREF, "sc", root, rs_out] + argv_extra, tmp)
            desc = {"spec_ignore": open(ign).read() if ign else None}
        ok_go, ok_rs = rc_go == 0, rc_rs == 0
        verdict = None
        if ok_go != ok_rs:
            verdict = "exit_mismatch"
        elif not ok_go:
            verdict = "both_failed"
        else:
            a, b = open(go_out, "rb").read(), open(rs_out, "rb").read()
            verdict = "identical" if a == b else "different"
        stats[verdict] += 1
        if verdict == "both_failed":
            # temp names hold random numbers: compare the texts with digit runs masked
            last = lambda e: re.sub(r"[0-9]{6,}", "N", (e.strip().splitlines() or [""])[-1].replace(tmp, "<tmp>"))
            if last(err_go) == last(err_rs):
                stats["same_error_text"] += 1
            elif os.environ.get("SHOW_ERRORS"):
                print(f"error text: go {last(err_go)!r}\n            gw {last(err_rs)!r}")
        if verdict in ("exit_mismatch", "different"):
            keep = os.path.join(os.environ.get("KEEP_DIR", "/tmp/artifact-diff-fails"), f"{mode}-{seed}-{i}")
            shutil.rmtree(keep, ignore_errors=True)
            make_removable(tmp)
            shutil.copytree(tmp, keep, symlinks=True)
            with open(os.path.join(keep, "case.json"), "w") as f:
                json.dump(dict(desc, rc_go=rc_go, rc_rs=rc_rs, err_go=err_go[-500:], err_rs=err_rs[-500:]), f, indent=1)
            print(f"{verdict}: {mode}-{seed}-{i} {desc} go={rc_go} rs={rc_rs} {err_go.strip()[-200:]!r} {err_rs.strip()[-200:]!r}")
        make_removable(tmp)
    shutil.rmtree(tmp, ignore_errors=True)
    print(json.dumps({"mode": mode, "seed": seed, "cases": n, **stats}))


if __name__ == "__main__":
    main()
