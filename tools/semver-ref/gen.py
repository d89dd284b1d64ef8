#!/usr/bin/env python3
"""Random version ranges and version lists for the semver differential test.

usage: gen.py SEED N CASES.jsonl CASES.hex

Writes N cases twice: as JSON lines {"name", "category", "range", "versions"} (the input of
`semver-ref -batch` and, with expected values added, of the corpus scorer) and as hex lines
(range and versions hex-encoded, separated by single spaces) for the Rust side
(`semver::tests::differential_dump`).

Ranges are built from the grammar's pieces and their near misses: every operator and some
that do not exist, partial versions, wildcards in every position, pre-releases and build
metadata (valid and not), `v`/`V` prefixes, leading zeros, numbers around 2^64, hyphen
ranges with and without spaces, commas, spaces, tabs, newlines, vertical tabs and
non-breaking spaces as separators, `||` and `|`, empty terms and groups, ranges around the
512-byte and 32-group limits, and random mutations (a character inserted, deleted or
replaced). Version lists mix a fixed pool (releases, pre-releases, partial versions, tags
such as `latest`) with versions near the range's own bounds and random near-versions.
"""
import json
import random
import re
import sys

OPS = ["", "=", "!=", ">", "<", ">=", "<=", "=>", "=<", "~", "~>", "^"]
BAD_OPS = ["==", "~=", "!", "<>", ">>", "=~", "^^", "=!", "+", "-", "v"]
WS = [" ", "  ", "\t", "\n", "\r", "\f", "\v", "\u00a0", ""]
PRE = ["0", "1", "alpha", "alpha.1", "beta.2", "rc.1", "rc1", "RC1", "x", "a-b", "0a", "-", "--",
       "1.2", "99999999999999999999", "SNAPSHOT", "alpha.beta", "2.3.4"]
BAD_PRE = ["01", "alpha..1", "alpha.", "a_b", "é", ""]
META = ["b", "build.1", "001", "sha.5114f85", "x-y", "20130313144700", "0"]
BAD_META = ["a..b", "", "+", "a_b"]
GOOD_WS = [" ", "  ", "\t", "\n", "\r", "\f"]
# Set per case: a noisy case draws near misses (invalid pieces) too, a clean one only pieces
# the grammar accepts, so that most clean ranges parse and their matching is compared.
NOISY = [False]


def pick(r, good, bad, p=0.15):
    return r.choice(bad) if NOISY[0] and r.random() < p else r.choice(good)
NUMS = ["0", "1", "2", "3", "9", "10", "01", "00", "007", "18446744073709551615",
        "18446744073709551616", "99999999999999999999", "123"]
WILD = ["x", "X", "*"]
POOL = ["0.0.0", "0.0.1", "0.1.0", "0.2.3", "0.2.9", "1.0.0", "1.2.2", "1.2.3", "1.2.4", "1.3.0",
        "2.0.0", "2.3.4", "10.0.0", "1.2.3-0", "1.2.3-alpha", "1.2.3-alpha.1", "1.2.3-beta.2",
        "1.2.3-rc.1", "1.2.3-rc.10", "1.2.4-0", "2.0.0-rc.1", "2.0.0-0", "0.0.0-0", "1.2.3+build.1",
        "1.2.3+b", "v1.2.3", "v1.2.3+x", "v1", "v1.2", "1", "1.2", "01.2.3", "1.02.3", "V1.2.3",
        "vv1.2.3", "1.2.3.4", "latest", "release-1.1", "api/v1.0.0", "", " 1.2.3", "1.2.3 ",
        "1.2.3-01", "1.2.3-a..b", "1.2.3+", "18446744073709551615.0.0", "18446744073709551616.0.0",
        "1.2.3-99999999999999999999", "1.2.3-99999999999999999998", "x", "1.x", "*"]


def num(r):
    if r.random() < 0.3:
        return r.choice(NUMS) if NOISY[0] else r.choice(NUMS[:10])
    return str(r.randint(0, 12))


def part(r, wild_p):
    return r.choice(WILD) if r.random() < wild_p else num(r)


def cversion(r):
    """A version as it appears in a range: partial, wildcards, v prefix, pre, meta."""
    n = r.choice([1, 2, 3, 3, 3, 4, 0] if NOISY[0] else [1, 2, 3, 3, 3, 3])
    wild_p = r.choice([0.0, 0.0, 0.15, 0.4])
    s = ".".join(part(r, wild_p) for _ in range(n))
    if r.random() < 0.15:
        s = pick(r, ["v"], ["V", "vv"], 0.5) + s
    if r.random() < 0.25:
        s += "-" + pick(r, PRE, BAD_PRE)
    if r.random() < 0.12:
        s += "+" + pick(r, META, BAD_META)
    if NOISY[0] and r.random() < 0.05:
        s = s.replace(".", r.choice(["|", "..", ",", "-"]), 1)
    return s


def version(r):
    """A version argument: mostly plausible, sometimes broken."""
    if r.random() < 0.5:
        return r.choice(POOL)
    s = ".".join(num(r) for _ in range(r.choice([1, 2, 3, 3, 3, 3, 4])))
    if r.random() < 0.15:
        s = r.choice(["v", "v", "V"]) + s
    if r.random() < 0.3:
        s += "-" + r.choice(PRE + BAD_PRE)
    if r.random() < 0.15:
        s += "+" + r.choice(META + BAD_META)
    return s


def near(r, rng):
    """A version near one the range names: a part nudged by one, a pre-release or metadata added."""
    found = re.findall(r"(\d+)(?:\.(\d+))?(?:\.(\d+))?", rng)
    if not found:
        return version(r)
    parts = [int(x) if x and len(x) < 19 else 0 for x in r.choice(found)]
    i = r.randrange(3)
    parts[i] = max(0, parts[i] + r.choice([-1, 0, 0, 1]))
    s = ".".join(str(p) for p in parts)
    if r.random() < 0.3:
        s += "-" + r.choice(["0", "alpha", "rc.1", "beta.2"])
    if r.random() < 0.1:
        s += "+" + r.choice(META)
    if r.random() < 0.1:
        s = "v" + s
    return s


def term(r):
    op = pick(r, OPS, BAD_OPS, 0.1)
    sp = r.choice(["", "", "", " ", "  ", "\t"])
    return op + sp + cversion(r)


def hyphen(r):
    dash = pick(r, [" - ", " - ", " - ", "  -  ", "\t-\t", " -\n"], [" -", "- ", "-", " \u2013 "], 0.4)
    return cversion(r) + dash + cversion(r)


def group(r):
    n = r.choice([1, 1, 1, 2, 2, 3, 4])
    items = [hyphen(r) if r.random() < 0.15 else term(r) for _ in range(n)]
    out = items[0]
    for it in items[1:]:
        out += pick(r, [",", ", ", " ", " ", "  ", " , ", "\t", "\n", ",\t", r.choice(GOOD_WS)],
                    [",,", r.choice(WS), "\v", "\u00a0"], 0.3) + it
    return out


def range_text(r):
    k = r.random()
    if k < 0.05:  # near the group limit
        n = r.choice([31, 32, 33, 34])
        return " || ".join(cversion(r) for _ in range(n))
    if k < 0.10:  # near the length limit
        base = group(r)
        pad = r.randint(max(0, 505 - len(base)), 520 - len(base)) if len(base) < 505 else 0
        return base + " " * pad if r.random() < 0.5 else " " * pad + base
    if k < 0.12:  # a long version inside a range (256-byte version limit)
        return ">=1.2.3-" + "a" * r.randint(240, 270)
    n = r.choice([1, 1, 1, 1, 2, 2, 3])
    text = group(r)
    for _ in range(n - 1):
        text += pick(r, ["||", " || ", " ||", "|| ", "\t||\t"], [" | ", " ||| ", "||||"], 0.3) + group(r)
    if r.random() < 0.1:
        text = pick(r, GOOD_WS, WS) + text + pick(r, GOOD_WS, WS)
    if NOISY[0] and r.random() < 0.1:
        text = r.choice(["|| ", "", ",", " ||"]) + text + r.choice([" ||", ",", "", "||"])
    if NOISY[0] and r.random() < 0.25:
        text = mutate(r, text)
    return text


def mutate(r, s):
    chars = "0123456789.xX*-+v|, \t=<>!~^"
    i = r.randint(0, len(s))
    k = r.random()
    if k < 0.4:
        return s[:i] + r.choice(chars) + s[i:]
    if k < 0.7 and s:
        return s[:i] + s[i + 1:]
    return s[:i] + r.choice(chars) + s[i + 1:]


def category(rng):
    if "||" in rng:
        return "or"
    if " - " in rng:
        return "hyphen"
    return "misc"


def main():
    seed, n, jsonl, hexf = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3], sys.argv[4]
    r = random.Random(seed)
    with open(jsonl, "w", encoding="utf-8") as fj, open(hexf, "w", encoding="ascii") as fh:
        for i in range(n):
            NOISY[0] = r.random() < 0.35
            rng = range_text(r)
            versions = [near(r, rng) if r.random() < 0.5 else version(r) for _ in range(r.randint(0, 12))]
            if r.random() < 0.05:
                versions.append("1.2.3-" + "a" * r.randint(245, 260))
            rec = {"name": f"{category(rng)}-{seed}-{i:05d}", "category": category(rng), "range": rng,
                   "versions": versions}
            fj.write(json.dumps(rec, ensure_ascii=False) + "\n")
            fh.write(" ".join(x.encode("utf-8").hex() for x in [rng] + versions) + "\n")


if __name__ == "__main__":
    main()
