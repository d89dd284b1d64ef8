#!/usr/bin/env python3
"""Differential test of gitward's Go `fmt` printing, Sprig's xstrings-based case functions and
`fromToml` against the reference `helm template` (helm v4.1.4: Go's fmt, sprig v3.3.0 with
huandu/xstrings v1.5.0, BurntSushi/toml v1.6.0).

  difftest.py gen DIR [--seed N] [--printf N] [--words N]   write a chart to DIR/chart
  difftest.py run DIR --helm HELM --gitward BIN [-n SHOW]    render it with both, compare

The chart holds one line per snippet, `sNNNNN: {{ <snippet> | b64enc }}`, in template files of
at most 250 lines (a failing template aborts a whole render, so snippets never fail in Go).
Inputs that are awkward as template literals (format strings, words, TOML documents) live in
values.yaml.  `run` decodes both outputs and compares every snippet byte for byte; it prints
the counts per category and the first disagreements.
"""
import argparse, base64, json, os, random, re, shutil, subprocess, sys, tempfile
from collections import Counter, defaultdict

# ---- values -------------------------------------------------------------------------------

VALUES = {
    "i": 5, "ineg": -42, "zero": 0, "big": 12345678901234567890, "i53": 9007199254740993,
    "f": 1.5, "fneg": -2.25, "fexp": 1e21, "fsmall": 1e-7, "fpi": 3.141592653589793,
    "fint": 100.0, "fhalf": 0.5, "fneg0": -0.0, "fbig": 1.7976931348623157e308,
    "s": "hello", "su": "h\u00e9llo w\u00f6rld \u2713 \u65e5\u672c \U0001F600", "sq": "a\"b\\c`d\n\te",
    "sempty": "", "sctl": "x\u0007y\u007fz", "spad": "  pad ",
    "b": True, "bf": False, "n": None,
    "m": {"a": 1, "b": -2, "c": "x", "d": [1, -2.5, "y", None, True], "e": {"z": -1, "y": 0.25}},
    "l": [1, -2, "s", None, {"k": -3}, [4, -5], False, 1.5],
    "em": {}, "el": [],
    "ms": {"b": "two", "a": "one", "A": "up", "_": "u", "10": "ten", "9": "nine"},
    "ln": [-1, 2, -3.5, 1e21, 1e-7, 0],
}

# name -> (template expression, tags); tags: "ptr" = prints an address when nested or with %p,
# (maps and slices, in REFS, print an address with %p only)
# "time" = time.Time (only v s q x X T are deterministic), "top" = only as a top-level argument
ARGS = {
    "vi": (".Values.v.i", ""), "vineg": (".Values.v.ineg", ""), "vzero": (".Values.v.zero", ""),
    "vbig": (".Values.v.big", ""), "vi53": (".Values.v.i53", ""), "vf": (".Values.v.f", ""),
    "vfneg": (".Values.v.fneg", ""), "vfexp": (".Values.v.fexp", ""), "vfsmall": (".Values.v.fsmall", ""),
    "vfpi": (".Values.v.fpi", ""), "vfint": (".Values.v.fint", ""), "vfhalf": (".Values.v.fhalf", ""),
    "vfneg0": (".Values.v.fneg0", ""), "vfbig": (".Values.v.fbig", ""),
    "vs": (".Values.v.s", ""), "vsu": (".Values.v.su", ""), "vsq": (".Values.v.sq", ""),
    "vsempty": (".Values.v.sempty", ""), "vsctl": (".Values.v.sctl", ""), "vspad": (".Values.v.spad", ""),
    "vb": (".Values.v.b", ""), "vbf": (".Values.v.bf", ""), "vn": (".Values.v.n", ""),
    "vmissing": (".Values.v.missing", ""),
    "vm": (".Values.v.m", ""), "vl": (".Values.v.l", ""), "vem": (".Values.v.em", ""),
    "vel": (".Values.v.el", ""), "vms": (".Values.v.ms", ""), "vln": (".Values.v.ln", ""),
    "seti": (".Values.si", ""), "setneg": (".Values.sneg", ""), "setmax": (".Values.smax", ""),
    "setmin": (".Values.smin", ""),
    "int7": ("(int 7)", ""), "intneg": ("(int -3)", ""), "int0": ("(int 0)", ""),
    "int255": ("(int 255)", ""), "i64": ("(int64 -9)", ""), "i64big": ("(int64 \"9223372036854775807\")", ""),
    "i64min": ("(int64 \"-9223372036854775808\")", ""), "intbig": ("(int 1234567)", ""),
    "f64": ("(float64 2.5)", ""), "f64z": ("(float64 0)", ""), "f64n0": ("(float64 \"-0\")", ""),
    "finf": ("(float64 \"+Inf\")", ""), "fninf": ("(float64 \"-Inf\")", ""), "fnan": ("(float64 \"NaN\")", ""),
    "f64tiny": ("(float64 \"5e-324\")", ""), "f64r": ("(float64 \"123456.789\")", ""),
    "lit": ("\"lit\"", ""), "litsp": ("\"a b\"", ""), "litemp": ("\"\"", ""), "litq": ("\"q\\\"uo`te\"", ""),
    "lituni": ("\"\u00fcber\u00df\u0130\"", ""), "litinv": ("(b64dec \"/w==\")", ""),
    "true": ("true", ""), "false": ("false", ""), "nil": ("nil", ""),
    "one": ("1", ""), "mone": ("-1", ""), "flit": ("1.5", ""), "elit": ("1e3", ""), "hex": ("0x1F", ""),
    "char": ("'a'", ""), "cuni": ("'\u00e9'", ""), "cbig": ("(int 1114112)", ""), "cneg": ("(int -5)", ""),
    "list": ("(list 1 \"a\" nil 2.5 true)", ""), "lempty": ("(list)", ""),
    "lnested": ("(list (list 1 -2) (dict \"k\" -1.5) \"s\")", ""),
    "lstr": ("(list \"a\" \"b c\" \"\")", ""), "lneg": ("(list -1 -2.5 (int -3) (int64 4))", ""),
    "dict": ("(dict \"k\" 1 \"j\" (list -1) \"a\" nil)", ""), "dempty": ("(dict)", ""),
    "dnested": ("(dict \"b\" (dict \"c\" -2 \"d\" \"x\") \"a\" (list 3 -4))", ""),
    "splitl": ("(splitList \",\" \"a,b,,c\")", ""), "uniq": ("(list 1 2 | uniq)", ""),
    "bytes": ("(.Files.GetBytes \"files/data.bin\")", ""), "bytesa": ("(.Files.GetBytes \"files/a.txt\")", ""),
    "bytese": ("(.Files.GetBytes \"files/empty.txt\")", ""),
    "sv": ("(semver \"1.2.3-beta.1+b5\")", "ptr top"),
    "date": ("(toDate \"2006-01-02 15:04:05.000\" \"2020-03-04 05:06:07.890\")", "time"),
    "dateu": ("(toDate \"2006-01-02T15:04:05Z07:00\" \"2021-12-31T23:59:59+02:00\")", "time"),
}

REFS = {"vm", "vl", "vem", "vel", "vms", "vln", "list", "lempty", "lnested", "lstr", "lneg", "dict", "dempty",
        "dnested", "splitl", "uniq", "bytes", "bytesa", "bytese"}  # maps, slices: %p prints an address
SCALARS = [k for k, (_, t) in ARGS.items() if not t and k not in REFS]

VERBS = "vvvvvvddddssqqxXobOeEfFgGtTcUpw%zyk!\u00e9"
FLAGCH = "#0+- "


def fmt_directive(rng, has_args):
    """One random `%...` directive."""
    d = "%"
    if rng.random() < 0.55:
        d += "".join(rng.choice(FLAGCH) for _ in range(rng.choice([1, 1, 1, 2, 2, 3, 4])))
    if rng.random() < 0.08:
        d += rng.choice(["[1]", "[2]", "[3]", "[0]", "[9]", "[x]", "[1", "[]", "[-1]"])
    r = rng.random()
    if r < 0.3:
        d += str(rng.choice([1, 2, 3, 4, 5, 6, 8, 10, 12, 20, 0, 100000001]))
    elif r < 0.36:
        d += "*"
    r = rng.random()
    if r < 0.3:
        d += "." + rng.choice(["", "0", "1", "2", "3", "5", "10", "*", "[2]*", "17"])
    if rng.random() < 0.05:
        d += rng.choice(["[1]", "[2]", "[3]", "[4]"])
    d += rng.choice(VERBS)
    return d


LIT_PARTS = ["", "", "", "a", " ", "x=", "[", "]", "\u00e9", "\u65e5", "-", "%%", "\\n", "{}", "'"]


def gen_printf(rng, n):
    out = []
    for _ in range(n):
        parts = []
        for _ in range(rng.choice([1, 1, 1, 2, 2, 3])):
            parts.append(rng.choice(LIT_PARTS))
            parts.append(fmt_directive(rng, True))
        if rng.random() < 0.2:
            parts.append(rng.choice(LIT_PARTS[3:]))
        if rng.random() < 0.03:
            parts.append("%")  # %!(NOVERB)
        fmt = "".join(parts).replace("\\n", "\n")
        verbs = set(re.findall(r"%[-+# 0]*(?:\[[^\]]*\]?)?[\d*]*(?:\.[\[\]\d*]*)?(?:\[\d+\])?(.)", fmt))
        nargs = fmt.count("%") - 2 * fmt.count("%%") + fmt.count("*")
        nargs = max(0, nargs + rng.choice([0, 0, 0, 0, -1, 1, 2]))
        pool = list(SCALARS)
        if "p" not in verbs:
            pool += sorted(REFS)
        only_text = verbs <= set("vsqxXT")
        # %#v of a time.Time names its location: gitward cannot tell time.Local from time.UTC
        if only_text and "#" not in fmt:
            pool += ["date", "dateu"]
        if "p" not in verbs and "w" not in verbs:
            pool += ["sv"]
        args = []
        for k in range(nargs):
            if "*" in fmt and rng.random() < 0.4:
                args.append(rng.choice(["int7", "intneg", "int0", "one", "seti", "vi", "i64", "mone"]))
            else:
                args.append(rng.choice(pool))
        out.append((fmt, args))
    return out


SYS_FLAGS = ["", "+", "#", "-8", "08", " ", "+#", "12.3", ".0", ".2", "-+ #012.4", "5"]
SYS_VERBS = "vdsqxXobOeEfFgGtcUT"


def gen_systematic():
    """Every value with every verb and a set of flag combinations (one argument)."""
    out = []
    for name, (_, tags) in ARGS.items():
        for verb in SYS_VERBS + "p":
            for fl in SYS_FLAGS:
                if verb == "p" and name not in SCALARS:
                    continue
                if "time" in tags and (verb not in "vsqxXT" or "#" in fl):
                    continue
                if name == "sv" and verb == "p":
                    continue
                out.append(("%" + fl + verb, [name]))
    return out


# ---- words (xstrings) -------------------------------------------------------------------

WORD_ATOMS = [
    "foo", "Bar", "BAZ", "http", "HTTP", "Server", "ID", "id", "x", "X", "2", "10", "v2", "3rd",
    "Http2xx", "HTTP20xOK", "Duration2m3s", "Bld4Floor3rd", "GOLANG", "IsGreat", "aB", "Ab",
    "\u00e9t\u00e9", "\u00c9T\u00c9", "stra\u00dfe", "STRASSE", "\u0130stanbul", "\u0131", "\u01c5ungla",
    "\u03a3\u03bf\u03c6\u03af\u03b1", "\u03c3\u03c2", "\u041c\u043e\u0441\u043a\u0432\u0430",
    "\u65e5\u672c\u8a9e", "\u4e2d\u6587", "\u3042\u3044", "\u30ab\u30bf", "\ud55c\uad6d\uc5b4",
    "\u0661\u0662", "\u2167", "\u00bd", "\u2460", "\U0001F600", "\u00aa", "\u02b0", "caf\u0065\u0301",
    "\u1e9e", "\u1f88", "\u2c65", "\uff21\uff22", "\U00010400\U00010428", "\u0149", "\u01f0",
]
SEPS = ["_", "-", " ", "__", "--", " _ ", ".", ",", "!", "/", "\t", "\u00a0", "\u3000", "\u2028", "'", "",
        "", "", "", "(", ")", "&", "+", "=", "$", "^", "`", "~", "\u00b7", "\u2014", "\u00bf", "@", "#", "%"]


def gen_words(rng, n):
    out = []
    for _ in range(n):
        r = rng.random()
        if r < 0.6:
            parts = []
            for _ in range(rng.choice([1, 2, 2, 3, 3, 4, 5])):
                if rng.random() < 0.7 or not parts:
                    parts.append(rng.choice(WORD_ATOMS))
                parts.append(rng.choice(SEPS))
            if rng.random() < 0.6:
                parts.pop()
            s = "".join(parts)
        elif r < 0.85:
            alpha = "aAbBzZ09_- .xXyY\u00e9\u00c9\u03a3\u03c3\u65e5!?\t1"
            s = "".join(rng.choice(alpha) for _ in range(rng.randint(0, 12)))
        else:
            s = "".join(chr(rng.choice([rng.randint(0x20, 0x7e), rng.randint(0xa0, 0x2fff),
                                        rng.randint(0x3000, 0xd7ff), rng.randint(0xe000, 0xfffd),
                                        rng.randint(0x10000, 0x1ffff)]))
                        for _ in range(rng.randint(1, 10)))
        s = "".join(c for c in s if c != "\ufeff" and not (0x80 <= ord(c) < 0xa0) and not (0xd800 <= ord(c) < 0xe000))
        out.append(s)
    return out


WORD_FUNCS = ["camelcase", "snakecase", "kebabcase", "swapcase", "title", "untitle", "upper", "lower",
              "initials"]

# ---- TOML --------------------------------------------------------------------------------

TOML_DATETIMES = [
    "1979-05-27T07:32:00Z", "1979-05-27T00:32:00-07:00", "1979-05-27T00:32:00.999999-07:00",
    "1979-05-27T07:32:00.5+05:30", "1979-05-27 07:32:00Z", "1979-05-27t07:32:00z", "1979-05-27T07:32:00+00:00",
    "1979-05-27T07:32:00-00:00", "2000-02-29T23:59:59.123456789Z", "1979-05-27T07:32:00.1234567891Z",
    "1979-05-27T07:32:00", "1979-05-27T00:32:00.999999", "1979-05-27 07:32:00", "1979-05-27T07:32:00.25",
    "1979-05-27", "0001-01-01", "9999-12-31", "07:32:00", "00:32:00.999999", "23:59:59.5", "00:00:00",
    "1979-05-27T07:32Z", "1979-05-27T07:32", "07:32", "1979-05-27T07:32:00.000Z", "1979-05-27T07:32:60Z",
    "1979-13-27", "1979-5-27", "7:32:00", "1979-05-27T07:32:00+24:00", "1979-05-27T07:32:00+0700",
    "1979-02-30", "1979-05-27T", "1979-05-27T25:00:00", "0000-01-01T00:00:00Z", "1979-05-27T07:32:00.Z",
    "1979-05-27T07:32:00+05:30:00", "2024-02-29T12:00:00-12:00", "1900-01-01T00:00:00+14:00",
]

TOML_DOCS = [
    "title = \"x\"\n[owner]\nname = \"Tom\"\ndob = 1979-05-27T07:32:00-08:00\n",
    "a = [1979-05-27, 07:32:00, 1979-05-27T07:32:00Z]\n",
    "t = { when = 1979-05-27T07:32:00Z, day = 1979-05-27 }\n",
    "[[ev]]\nat = 1979-05-27T07:32:00Z\n[[ev]]\nat = 1980-01-01\n",
    "a = [\n  1979-05-27T07:32:00Z,\n  1979-05-27T07:32:00.5+01:00, # c\n]\n",
    "i = 1\nf = 1.5\nb = true\ns = \"x\"\nd = 1979-05-27\n",
    "big = 9223372036854775807\nneg = -17\nhex = 0xdead_beef\noct = 0o755\nbin = 0b1101\nexp = 5e+22\ninf = inf\nnan = -nan\nflt = -0.0\n",
    "m = \"\"\"\nline1\nline2\\\n   cont\"\"\"\nlit = '''\nraw \\n'''\n",
    "s = \"tab\\tq\\\"u\\u00e9\\U0001F600\"\nl = 'C:\\path'\n",
    "a.b.c = 1\na.d = 1979-05-27T07:32:00Z\n\"q k\" = 2\n'lit k' = 3\n",
    "[x]\n[x.y]\nz = 07:32:00.5\n",
    "a = 1\na = 2\n",
    "a = \n",
    "= 1\n",
    "a = [1, \"x\"]\n",
    "a = { b = 1, }\n",
    "a = 1979-05-27T07:32:00Z # comment\n# whole\n",
    "[a]\nb = 1\n[a]\nc = 2\n",
    "x = 1979-05-27T07:32:00Zjunk\n",
    "x = 01\n",
    "x = 1_000\ny = 1__0\n",
    "x = +inf\ny = nan\nz = 1e1000\n",
]


TOML_KEYS = ["a", "b-c", "_x", "1", "0x", "k", '"q k"', '"\u00e9"', '""', "'lit'", "a.b", '"x".y',
             "a . b", "t", "arr", "k2"]
TOML_VALUES = [
    "0", "-17", "+5", "1_000", "0xdead_beef", "0o755", "0b1101", "9223372036854775807",
    "9223372036854775808", "-9223372036854775808", "01", "1__0", "0x", "+0x1", "1.5", "-0.0", "5e+22",
    "1e1000", "1e-1000", "inf", "-inf", "nan", "+nan", "-nan", "1_000.5", "1.", ".5", "1e", "3.14_15",
    "6.626e-34", "1E5", "0.1", "true", "false", "tru", r'"a\tb"', r'"\u00e9\U0001F600"', r'"\x41"',
    r'"\e[0m"', r'"bad \q"', r"'lit \n'", '"""multi\nline"""', "'''raw\nmulti'''", '"""a\\\n   b"""',
    '"unterminated', '""', "''", r'"\uD800"', '"""x"""""', "[]", "[1, 2, 3]", '[1, "x", 1.5, true]',
    '[[1, 2], ["a"]]', "[\n  1,\n  2, # two\n]", "[1,]", "[,]", "{}", "{ a = 1, b.c = 2 }", "{a=1,}",
    "{ x = { y = 1979-05-27 } }", "[{ a = 1 }, { a = 2 }]", "{ a = 1\n}", "x", "",
]


TOML_VALID_DATETIMES = [d for d in TOML_DATETIMES[:25] if d != "1979-05-27T07:32:00.1234567891Z"]
TOML_VALID_VALUES = [v for v in TOML_VALUES if v in (
    "0", "-17", "+5", "1_000", "0xdead_beef", "0o755", "0b1101", "9223372036854775807", "1.5", "-0.0",
    "5e+22", "inf", "-inf", "nan", "+nan", "-nan", "1_000.5", "6.626e-34", "1E5", "0.1", "true", "false")] + [
    r'"a\tb"', r'"\u00e9\U0001F600"', "'lit'", '"""multi\nline"""', "'''raw\nmulti'''", "[]", "[1, 2, 3]",
    "[\n  1979-05-27,\n  07:32:00, # two\n]", "{ a = 1979-05-27T07:32:00Z, b.c = 2 }", "[{ a = 1 }, { a = 2 }]"]


def toml_valid_doc(rng):
    """A document BurntSushi accepts: unique keys, valid values, tables and arrays of tables."""
    lines = []
    for n in range(rng.randint(1, 8)):
        r = rng.random()
        if r < 0.1:
            lines.append("[t%d.u]" % n)
        elif r < 0.18:
            lines.append("[[arr%d]]" % (n % 2))
        v = rng.choice(TOML_VALID_DATETIMES) if rng.random() < 0.5 else rng.choice(TOML_VALID_VALUES)
        lines.append(rng.choice(["k%d", "x.y%d", '"q k%d"', "dt%d"]) % n + " = " + v)
    return "\n".join(lines) + "\n"


def toml_random_doc(rng):
    """A few random lines of TOML (keys, tables, values of every kind), sometimes mutated."""
    if rng.random() < 0.4:
        return toml_valid_doc(rng)
    lines = []
    for _ in range(rng.randint(1, 6)):
        r = rng.random()
        if r < 0.15:
            lines.append("[" + rng.choice(TOML_KEYS) + "]")
        elif r < 0.22:
            lines.append("[[" + rng.choice(TOML_KEYS) + "]]")
        elif r < 0.28:
            lines.append("# " + rng.choice(["c", "\u00e9", "x = 1"]))
        elif r < 0.3:
            lines.append("")
        else:
            if rng.random() < 0.7:
                v = rng.choice(TOML_VALUES + TOML_DATETIMES)
            else:
                v = "[" + ", ".join(rng.choice(TOML_DATETIMES) for _ in range(rng.randint(1, 3))) + "]"
            lines.append(rng.choice(TOML_KEYS) + rng.choice([" = ", "=", " =  "]) + v
                         + rng.choice(["", "", " # c", "  "]))
    doc = rng.choice(["\n", "\n", "\r\n"]).join(lines) + rng.choice(["\n", "", "\n\n"])
    if rng.random() < 0.15 and doc:
        i = rng.randrange(len(doc))
        op = rng.random()
        if op < 0.4:
            doc = doc[:i] + doc[i + 1:]
        elif op < 0.8:
            doc = doc[:i] + rng.choice("[]{}=,.\"'#\n \t0Zz:-+_\\") + doc[i:]
        else:
            n = rng.randint(1, 5)
            doc = doc[:i] + doc[i:i + n] * 2 + doc[i + n:]
    return doc


def gen_toml(rng, n):
    docs = []
    for dt in TOML_DATETIMES:
        docs.append("k = " + dt + "\n")
        docs.append("a = [" + dt + ", " + dt + "]\n[t]\nk = " + dt + "\n")
    docs += TOML_DOCS
    docs += [toml_random_doc(rng) for _ in range(n)]
    return docs


TOML_RENDER = [
    "printf \"%v\" (fromToml {d})", "printf \"%+v|%s|%q|%x\" (fromToml {d}) (fromToml {d}) (fromToml {d}) (fromToml {d})",
    "toJson (fromToml {d})", "toYaml (fromToml {d})", "toPrettyJson (fromToml {d})",
    "printf \"%#v\" (fromToml {d})", "print (fromToml {d})",
    "range $k, $v := (fromToml {d}) }}{{ $k }}={{ typeOf $v }}/{{ kindOf $v }};{{ end",
    "toToml (fromToml {d})",
]


# ---- chart ------------------------------------------------------------------------------

def gen(args):
    rng = random.Random(args.seed)
    root = os.path.join(args.dir, "chart")
    if os.path.exists(root):
        shutil.rmtree(root)
    os.makedirs(os.path.join(root, "templates"))
    os.makedirs(os.path.join(root, "files"))
    with open(os.path.join(root, "Chart.yaml"), "w") as f:
        f.write("apiVersion: v2\nname: gofmtref\nversion: 0.1.0\n")
    with open(os.path.join(root, "files", "data.bin"), "wb") as f:
        f.write(bytes([0, 1, 0x7f, 0x80, 0xff, 0x41, 0xe2, 0x82]))
    with open(os.path.join(root, "files", "a.txt"), "w") as f:
        f.write("h\u00e9\n")
    open(os.path.join(root, "files", "empty.txt"), "w").close()

    cases = []  # (category, template expression)
    fmts, words, tomls = {}, {}, {}

    def add_fmt(cat, fmt, names):
        key = "f%05d" % len(fmts)
        fmts[key] = fmt
        expr = "printf .Values.f.%s %s" % (key, " ".join(ARGS[n][0] for n in names))
        cases.append((cat, expr.strip(), {"fmt": fmt, "args": names}))

    for fmt, names in gen_systematic():
        add_fmt("printf-systematic", fmt, names)
    for fmt, names in gen_printf(rng, args.printf):
        add_fmt("printf-random", fmt, names)
    for name, (expr, tags) in ARGS.items():
        cases.append(("print", "print %s" % expr, {"arg": name}))
        cases.append(("print", "println %s 1 %s" % (expr, expr), {"arg": name}))
        cases.append(("print", "print \"a\" %s %s \"b\" 2" % (expr, expr), {"arg": name}))
        if "time" not in tags:
            cases.append(("print", "printf \"%%v|%%+v|%%#v|%%T\" %s %s %s %s" % ((expr,) * 4), {"arg": name}))
        cases.append(("print", "include \"show\" %s" % expr, {"arg": name}))
    for w in gen_words(rng, args.words):
        key = "w%05d" % len(words)
        words[key] = w
        for fn in WORD_FUNCS:
            cases.append(("words-" + fn, "%s .Values.w.%s" % (fn, key), {"in": w}))
    # invalid UTF-8 (raw bytes in a Go string) through b64dec
    for k in range(args.words // 10):
        parts = []
        for _ in range(rng.randint(1, 6)):
            r = rng.random()
            if r < 0.4:
                parts.append(rng.choice(WORD_ATOMS).encode())
            elif r < 0.7:
                parts.append(bytes([rng.choice([0x80, 0xff, 0xc3, 0xe2, 0xa0, 0x85, 0xed, 0xf0, 0xc0])]))
            else:
                parts.append(rng.choice(SEPS).encode())
        key = "b%05d" % k
        words[key] = base64.b64encode(b"".join(parts)).decode()
        for fn in WORD_FUNCS:
            cases.append(("words-bytes", "%s (b64dec .Values.w.%s)" % (fn, key), {"in": words[key]}))
    for n, d in enumerate(gen_toml(rng, args.toml)):
        key = "t%05d" % len(tomls)
        tomls[key] = d
        # every rendering for the fixed documents, three for the random ones
        renders = TOML_RENDER if n < 100 else [TOML_RENDER[0], TOML_RENDER[2], TOML_RENDER[7]]
        for r in renders:
            if "#v" in r:
                continue  # time.Local vs time.UTC: gitward has no Local zone of its own
            cat = "toml-totoml" if r.startswith("toToml") else "toml"
            cases.append((cat, r.replace("{d}", ".Values.t." + key), {"doc": d}))

    values = {"v": VALUES, "f": fmts, "w": words, "t": tomls}
    with open(os.path.join(root, "values.yaml"), "w", encoding="utf-8") as f:
        # YAML forbids DEL and C1 controls raw, and folds U+0085/U+2028/U+2029 as line breaks
        text = json.dumps(values, ensure_ascii=False, indent=1)
        f.write(re.sub("[\x7f-\x9f\u2028\u2029\ufeff]", lambda m: "\\u%04x" % ord(m.group()), text) + "\n")
    with open(os.path.join(root, "templates", "_helpers.tpl"), "w") as f:
        f.write('{{- define "show" -}}{{ . }}|{{ printf "%v" . }}{{- end -}}\n')
    per = 250
    for start in range(0, len(cases), per):
        with open(os.path.join(root, "templates", "t%04d.yaml" % (start // per)), "w", encoding="utf-8") as f:
            for k, (cat, expr, _) in enumerate(cases[start:start + per]):
                if expr.startswith("range "):
                    f.write("s%06d: {{ (include \"r%06d\" .) | b64enc }}\n" % (start + k, start + k))
                    f.write("{{- define \"r%06d\" }}{{ %s }}{{ end }}\n" % (start + k, expr))
                else:
                    f.write("s%06d: {{ (%s) | b64enc }}\n" % (start + k, expr))
    with open(os.path.join(args.dir, "cases.json"), "w", encoding="utf-8") as f:
        json.dump([{"id": "s%06d" % i, "category": c, "expr": e, "info": info}
                   for i, (c, e, info) in enumerate(cases)], f, ensure_ascii=False)
    counts = Counter(c for c, _, _ in cases)
    for c in sorted(counts):
        print("%-22s %6d" % (c, counts[c]))
    print("%-22s %6d" % ("total", len(cases)))


# ---- run --------------------------------------------------------------------------------

LINE = re.compile(r"^(s\d{6}): ?(.*)$")


def render(cmd, chart):
    home = tempfile.mkdtemp(prefix="gofmtref-home-")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HELM_", "KUBE", "XDG_"))}
    env.update({"HOME": home, "HELM_CACHE_HOME": home + "/c", "HELM_CONFIG_HOME": home + "/g",
                "HELM_DATA_HOME": home + "/d", "KUBECONFIG": home + "/none", "TZ": "UTC", "LANG": "C.UTF-8"})
    p = subprocess.run(cmd + ["template", "r1", chart, "--namespace", "ns1",
                              "--set", "si=5,sneg=-7,smax=9223372036854775807,smin=-9223372036854775808"],
                       capture_output=True, env=env)
    shutil.rmtree(home, ignore_errors=True)
    if p.returncode != 0:
        sys.stderr.write("%s failed (%d): %s\n" % (cmd[0], p.returncode, p.stderr.decode(errors="replace")[:2000]))
    out = {}
    for line in p.stdout.decode("utf-8", errors="replace").splitlines():
        m = LINE.match(line)
        if m:
            v = m.group(2).strip()
            out[m.group(1)] = base64.b64decode(v) if v not in ("", "null") else b""
    return out


def run(args):
    chart = os.path.join(args.dir, "chart")
    with open(os.path.join(args.dir, "cases.json"), encoding="utf-8") as f:
        cases = json.load(f)
    ref = render([args.helm], chart)
    got = render([args.gitward], chart)
    total, bad = Counter(), Counter()
    shown = defaultdict(int)
    fails = []
    for c in cases:
        cat = c["category"]
        total[cat] += 1
        r, g = ref.get(c["id"]), got.get(c["id"])
        if r is None or r != g:
            bad[cat] += 1
            fails.append({"case": c, "helm": None if r is None else r.decode("utf-8", "replace"),
                          "gitward": None if g is None else g.decode("utf-8", "replace")})
            if shown[cat] < args.show:
                shown[cat] += 1
                print("DIFF %s [%s] %s %s" % (c["id"], cat, c["expr"], json.dumps(c["info"], ensure_ascii=False)))
                print("   helm:    %r" % (r,))
                print("   gitward: %r" % (g,))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(fails, f, ensure_ascii=False, indent=1)
    print()
    for cat in sorted(total):
        print("%-22s %6d/%6d agree" % (cat, total[cat] - bad[cat], total[cat]))
    print("%-22s %6d/%6d agree" % ("total", sum(total.values()) - sum(bad.values()), sum(total.values())))
    return 1 if sum(bad.values()) else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="cmd", required=True)
    g = sub.add_parser("gen")
    g.add_argument("dir")
    g.add_argument("--seed", type=int, default=1)
    g.add_argument("--printf", type=int, default=6000)
    g.add_argument("--words", type=int, default=1500)
    g.add_argument("--toml", type=int, default=1500, help="random TOML documents")
    r = sub.add_parser("run")
    r.add_argument("dir")
    r.add_argument("--helm", required=True)
    r.add_argument("--gitward", required=True)
    r.add_argument("-n", "--show", type=int, default=5, help="disagreements shown per category")
    r.add_argument("--json", help="write every disagreement to this file")
    a = ap.parse_args()
    if a.cmd == "gen":
        gen(a)
        return 0
    return run(a)


if __name__ == "__main__":
    sys.exit(main())
