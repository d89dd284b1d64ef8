#!/usr/bin/env python3
"""Compare the Go reference and gitward on generated semver cases.

usage: cmp.py CASES.jsonl GO.jsonl RUST.jsonl [SHOW] [--corpus OUT.jsonl]

GO.jsonl is `semver-ref -batch` output, RUST.jsonl the output of the ignored test
`semver::tests::differential_dump` (same format). A case agrees when every member is
identical: the error text (err), or Constraints.String() (string), the selected versions
(out) and each version's NewVersion error text (verr). Prints the counts per member and up
to SHOW disagreements (default 5); exit status 1 if any case disagrees.

--corpus writes the cases with the Go results as a corpus file (`expected` or `error`), for
scoring the CLI with shared/tools/semver_conformance.py.
"""
import json
import sys


def main():
    args = [a for a in sys.argv[1:]]
    corpus = None
    if "--corpus" in args:
        i = args.index("--corpus")
        corpus = args[i + 1]
        del args[i:i + 2]
    cases_f, go_f, rs_f = args[:3]
    show = int(args[3]) if len(args) > 3 else 5
    cases = [json.loads(l) for l in open(cases_f, encoding="utf-8")]
    go = [json.loads(l) for l in open(go_f, encoding="utf-8")]
    rs = [json.loads(l) for l in open(rs_f, encoding="utf-8")]
    assert len(cases) == len(go) == len(rs), (len(cases), len(go), len(rs))
    stats = {"cases": len(cases), "agree": 0, "invalid ranges": 0, "versions checked": 0,
             "versions selected": 0}
    diffs = {}
    shown = 0
    for c, g, r in zip(cases, go, rs):
        stats["invalid ranges"] += "err" in g
        if "err" not in g:
            stats["versions checked"] += len(c["versions"])
            stats["versions selected"] += g["out"].count("\n")
        bad = [k for k in ("err", "string", "out", "verr") if g.get(k) != r.get(k)]
        if not bad:
            stats["agree"] += 1
            continue
        for k in bad:
            diffs[k] = diffs.get(k, 0) + 1
        if shown < show:
            shown += 1
            print(f"DIFF {c['name']} in {bad}: range {c['range']!r} versions {c['versions']!r}")
            print(f"    go   {json.dumps(g, ensure_ascii=False)[:600]}")
            print(f"    rust {json.dumps(r, ensure_ascii=False)[:600]}")
    if corpus:
        with open(corpus, "w", encoding="utf-8") as f:
            for c, g in zip(cases, go):
                rec = dict(c)
                if "err" in g:
                    rec["error"] = g["err"]
                else:
                    rec["expected"] = g["out"]
                f.write(json.dumps(rec, ensure_ascii=False) + "\n")
    print(" ".join(f"{k}={v}" for k, v in stats.items()),
          "disagreements:", json.dumps(diffs) if diffs else "none")
    sys.exit(1 if diffs else 0)


if __name__ == "__main__":
    main()
