#!/usr/bin/env python3
"""Random JSON 6902 cases for the differential test of gitward's JSON patch against the
Go library (see README.md).

    gen.py SEED N MODE > cases.jsonl

MODE `lib`: documents are arbitrary JSON objects (text with varied spacing, number
spellings and string escapes); MODE `kyaml`: documents are Kubernetes-like resources
(with annotations, labels, nested spec). Patches mix every operation with paths taken
from the document and then mangled (missing keys and parents, indices out of range,
`-`, negative, signed and zero-padded indices, `~0`/`~1` escapes and bad ones, no
leading slash, empty path), values of every JSON type (or none, or null), `test`
values that equal the target in another spelling, JSON or YAML patch text, and a few
malformed patches.
"""

import json
import random
import sys

KEYS = ["a", "b", "c", "", "~", "/", "a/b", "m~n", "~1", "0", "1", "-", "é", "<x>", "x y", "A"]
STRINGS = ["", "x", "<&>", "\u2028", "é", "1", "true", "null", "a\nb", "~1", "😀", "a\"b", "\\"]
# Spellings of numbers, with equivalent spellings for `test` values.
NUMBERS = {
    "0": ["0", "0.0", "-0", "0e5"],
    "1": ["1", "1.0", "1e0", "10e-1"],
    "-1": ["-1", "-1.0", "-1E0"],
    "1.5": ["1.5", "1.50", "15e-1"],
    "1000": ["1000", "1e3", "1E+3", "1000.0"],
    "12345678901234567890": ["12345678901234567890", "1.2345678901234567890e19"],
    "0.1": ["0.1", "1e-1", "0.10"],
    "100000000000000000000000": ["100000000000000000000000", "1e23"],
    "9007199254740993": ["9007199254740993", "9007199254740992"],
    "-0": ["-0", "0", "-0.0"],
}
KYAML_NUMBERS = ["0", "1", "-1", "1.5", "1000", "1e3", "12345678901234567890", "0.1", "-0", "2.50", "1000000"]
INDEX_TOKENS = ["-", "-1", "-2", "+0", "+1", "00", "01", "", "x", " 1", "1 ", "1.0",
                "9223372036854775807", "9223372036854775808", "-9223372036854775808",
                "-9223372036854775809", "99999999999999999999", "1e1", "0x1", "1_0", "٣"]
OPS = ["add", "remove", "replace", "move", "copy", "test"]


class R:
    def __init__(self, seed):
        self.r = random.Random(seed)

    def chance(self, p):
        return self.r.random() < p

    def pick(self, xs):
        return self.r.choice(xs)


# A value model: ("num", canonical) | ("str", s) | ("bool", b) | ("null",) |
# ("arr", [v]) | ("obj", [(k, v)]).

def gen_value(r, depth, kyaml=False):
    kinds = ["num", "str", "bool", "null"]
    if depth > 0:
        kinds += ["arr", "obj", "arr", "obj"]
    k = r.pick(kinds)
    if k == "num":
        return ("num", r.pick(KYAML_NUMBERS if kyaml else list(NUMBERS)))
    if k == "str":
        return ("str", r.pick(STRINGS))
    if k == "bool":
        return ("bool", r.chance(0.5))
    if k == "null":
        return ("null",)
    if k == "arr":
        return ("arr", [gen_value(r, depth - 1, kyaml) for _ in range(r.r.randint(0, 3))])
    members = []
    for _ in range(r.r.randint(0, 3)):
        key = r.pick(KEYS)
        if any(key == m[0] for m in members):
            continue
        members.append((key, gen_value(r, depth - 1, kyaml)))
    return ("obj", members)


def sp(r):
    return r.pick(["", "", "", " ", "\n", "  ", "\t"])


def render_str(r, s, variant):
    text = json.dumps(s, ensure_ascii=r.chance(0.2) if variant else False)
    if variant and r.chance(0.5):
        text = text.replace("<", "\\u003c").replace("&", "\\u0026").replace("é", "\\u00e9")
    if variant and r.chance(0.3):
        text = text.replace("x", "\\u0078")
    return text


def render(r, v, variant=False, spaces=True, dup=False):
    """JSON text of a value; `variant` picks other spellings of equal scalars and
    shuffles members."""
    s = (lambda: sp(r)) if spaces else (lambda: "")
    k = v[0]
    if k == "num":
        if variant:
            return r.pick(NUMBERS.get(v[1], [v[1]]))
        return v[1]
    if k == "str":
        return render_str(r, v[1], variant)
    if k == "bool":
        return "true" if v[1] else "false"
    if k == "null":
        return "null"
    if k == "arr":
        return "[" + s() + ("," + s()).join(render(r, x, variant, spaces, dup) for x in v[1]) + s() + "]"
    members = list(v[1])
    if variant:
        r.r.shuffle(members)
    parts = [render_str(r, key, variant) + s() + ":" + s() + render(r, x, variant, spaces, dup)
             for key, x in members]
    if dup and members and r.chance(0.1):
        key, _ = r.pick(members)
        parts.append(render_str(r, key, False) + ":" + render(r, gen_value(r, 1), False, spaces))
    return "{" + s() + ("," + s()).join(parts) + s() + "}"


def paths(v, prefix=()):
    """Every (tokens, value) inside a value, the value itself included."""
    out = [(prefix, v)]
    if v[0] == "arr":
        for i, x in enumerate(v[1]):
            out += paths(x, prefix + (i,))
    elif v[0] == "obj":
        for key, x in v[1]:
            out += paths(x, prefix + (key,))
    return out


def escape(tok):
    return tok.replace("~", "~0").replace("/", "~1")


def encode_path(r, toks):
    parts = []
    for t in toks:
        if isinstance(t, int):
            parts.append(str(t))
        elif r.chance(0.05):
            parts.append(t)  # unescaped
        else:
            parts.append(escape(t))
    text = "/" + "/".join(parts) if parts else ""
    return text


def mangle(r, toks, container, for_add):
    """Changes the last token (or a parent) to exercise missing keys and odd indices."""
    toks = list(toks)
    x = r.r.random() * 1.6
    if toks and x < 0.25:
        last = toks[-1]
        if isinstance(last, int):
            n = len(container[1]) if container and container[0] == "arr" else last + 1
            toks[-1] = r.pick(INDEX_TOKENS + [str(n), str(n + 1), str(-n), str(-n - 1), str(last), "0" + str(last)])
        else:
            toks[-1] = r.pick(KEYS + ["missing", "~2", "~", "a~1b", "a~01"])
    elif x < 0.35 and toks:
        i = r.r.randrange(len(toks))
        toks.insert(i, r.pick(["missing", "0", "-", "x"]))
    elif x < 0.45 and for_add:
        toks.append(r.pick(KEYS + ["-", "0", "1", "new"]))
    return toks


def gen_path_text(r, doc):
    all_paths = paths(doc)
    if len(all_paths) > 1 and r.chance(0.95):
        all_paths = all_paths[1:]  # the document itself, now and then
    toks, val = r.pick(all_paths)
    parent = None
    if toks:
        for p, v in all_paths:
            if p == toks[:-1]:
                parent = v
                break
    toks2 = mangle(r, toks, parent, True)
    text = encode_path(r, toks2)
    y = r.r.random()
    if y < 0.03:
        text = text.lstrip("/")
    elif y < 0.05:
        text = ""
    elif y < 0.06:
        text = "/"
    elif y < 0.07:
        text = "x" + text
    return text, (val if toks2 == list(toks) else None)


def gen_op(r, doc, kyaml):
    members = []
    kind = r.pick(OPS) if r.chance(0.97) else r.pick(["bogus", None, 5, "Add", ""])
    if kind is not None:
        members.append(("op", json.dumps(kind)))
    path, target = gen_path_text(r, doc)
    if r.chance(0.97):
        members.append(("path", json.dumps(path, ensure_ascii=False)))
    else:
        members.append(("path", r.pick(["null", "1", "[]", "{}", "true"])))
    if kind in ("move", "copy") or r.chance(0.05):
        frm, _ = gen_path_text(r, doc)
        if r.chance(0.97):
            members.append(("from", json.dumps(frm, ensure_ascii=False)))
        else:
            members.append(("from", r.pick(["null", "1", "[]"])))
    if kind == "test" and target is not None and r.chance(0.6):
        members.append(("value", render(r, target, variant=True)))
    elif r.chance(0.85) or kind in ("add", "replace"):
        if r.chance(0.08):
            members.append(("value", "null"))
        elif not (kind in ("add", "replace", "test") and r.chance(0.05)):
            members.append(("value", render(r, gen_value(r, 2, kyaml), variant=r.chance(0.3))))
    if r.chance(0.03):
        members.append((r.pick(["op", "path", "value"]), render(r, gen_value(r, 1))))
    r.r.shuffle(members)
    return members


def yaml_block(members):
    """An operation as a block YAML mapping (values as flow JSON, which YAML reads)."""
    lines = []
    for i, (k, v) in enumerate(members):
        lines.append(("- " if i == 0 else "  ") + k + ": " + v)
    if not lines:
        lines.append("- {}")
    return "\n".join(lines)


def gen_patch(r, doc, kyaml):
    ops = [gen_op(r, doc, kyaml) for _ in range(r.pick([1, 1, 1, 1, 2, 2, 2, 3, 3, 4]))]
    x = r.r.random()
    if x < 0.15:
        # YAML: block sequence of mappings.
        return "\n".join(yaml_block(m) for m in ops) + "\n"
    texts = []
    for m in ops:
        texts.append("{" + ",".join(json.dumps(k) + ":" + sp(r) + v for k, v in m) + "}")
    text = "[" + sp(r) + ("," + sp(r)).join(texts) + sp(r) + "]"
    if x < 0.22:
        text = r.pick([" ", "\n", "# c\n"]) + text  # YAML route: flow sequence
    elif x < 0.235:
        cut = r.r.randrange(len(text))
        text = text[:cut]
    elif x < 0.25:
        text = r.pick(["{}", "null", "[1]", "[null]", "[[]]", '{"op":"add"}', "[]", "", "- a", "[{}] x", '"x"'])
    return text


def gen_doc(r, kyaml):
    if not kyaml:
        return ("obj", [(k, gen_value(r, 3)) for k in r.r.sample(KEYS, r.r.randint(0, 5))])
    meta = [("name", ("str", r.pick(["n", "x-y"])))]
    if r.chance(0.6):
        annos = []
        for key in r.r.sample(["a", "b", "internal.config.kubernetes.io/x", "config.kubernetes.io/index", "x/y"],
                              r.r.randint(0, 3)):
            annos.append((key, ("str", r.pick(["v", "1", "", "true"]))))
        meta.append(("annotations", ("obj", annos)))
    if r.chance(0.3):
        meta.append(("labels", ("obj", [("app", ("str", "a"))])))
    if r.chance(0.2):
        meta.append(("namespace", ("str", "ns")))
    members = [("apiVersion", ("str", "v1")), ("kind", ("str", "K")), ("metadata", ("obj", meta))]
    members.append(("spec", ("obj", [(k, gen_value(r, 3, True)) for k in r.r.sample(KEYS[:8], r.r.randint(0, 4))])))
    if r.chance(0.3):
        members.append(("list", ("arr", [gen_value(r, 2, True) for _ in range(r.r.randint(0, 3))])))
    return ("obj", members)


def main():
    seed, n, mode = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    kyaml = mode == "kyaml"
    r = R(seed)
    out = sys.stdout
    for _ in range(n):
        doc = gen_doc(r, kyaml)
        doc_text = render(r, doc, spaces=not kyaml, dup=not kyaml)
        patch = gen_patch(r, doc, kyaml)
        out.write(json.dumps({"doc": doc_text, "patch": patch}, ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
