//! Tests of the go-yaml port.
//!
//! `dump` prints what `tools/goyaml-events` prints for the same input (the v3 node tree,
//! or one `DOC` line per document for v2, then `ERR <go-yaml's message>` on failure), so
//! outputs can be compared byte for byte. The expected outputs below were recorded with
//! that tool (go.yaml.in/yaml/v3 v3.0.4, go.yaml.in/yaml/v2 v2.4.3).

use std::collections::HashMap;
use std::fmt::Write as _;

use saphyr_parser::{Event, ScalarStyle};

use super::{Dialect, GoEventKind, GoEventParser, GoParser, GoTag, Mark};

/// go-yaml v3's `shortTag`.
fn short_tag(tag: &str) -> String {
    match tag.strip_prefix("tag:yaml.org,2002:") {
        Some(rest) => format!("!!{rest}"),
        None => tag.to_owned(),
    }
}

/// The Go tool's quoting: `\`, `"` and ASCII control characters escaped.
fn q(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '\\' | '"' => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// v3 node fields for a tag: (`TaggedStyle` bit, printed tag).
fn tag_fields(tag: &Option<Box<GoTag>>) -> (u32, String) {
    match tag.as_ref().map(|t| t.full()) {
        Some(t) if !t.is_empty() && t != "!" => (1, short_tag(&t)),
        _ => (0, String::new()),
    }
}

fn pos(m: Mark) -> String {
    format!("{}:{}", m.line + 1, m.column + 1)
}

/// What `goyaml-events v3|v2` prints for `text` (without the `=== file` line).
pub(crate) fn dump(text: &str, dialect: Dialect) -> String {
    let mut out = String::new();
    let mut doc = String::new();
    let mut depth = 0usize;
    let mut anchors: HashMap<String, String> = HashMap::new();
    for ev in GoEventParser::new(text, dialect) {
        let ev = match ev {
            Ok(ev) => ev,
            Err(e) => {
                let _ = writeln!(out, "ERR {}", e.go_message());
                return out;
            }
        };
        let ind = " ".repeat(depth);
        let p = pos(ev.start_mark);
        let is_seq = matches!(ev.kind, GoEventKind::SequenceStart { .. });
        match ev.kind {
            GoEventKind::StreamStart | GoEventKind::StreamEnd => {}
            GoEventKind::DocumentStart { .. } => {
                doc.clear();
                if dialect == Dialect::V2 {
                    anchors.clear();
                    doc.push_str("DOC\n");
                } else {
                    let _ = writeln!(doc, "DOC {p}");
                }
                depth = 1;
            }
            GoEventKind::DocumentEnd { .. } => {
                out.push_str(&doc);
                doc.clear();
                depth = 0;
            }
            GoEventKind::Alias { anchor } => {
                let Some(target) = anchors.get(anchor.as_ref()) else {
                    let _ = writeln!(out, "ERR yaml: unknown anchor '{anchor}' referenced");
                    return out;
                };
                if dialect == Dialect::V3 {
                    let _ = writeln!(doc, "{ind}ALIAS {} {p} -> {target}", q(&anchor));
                }
            }
            GoEventKind::Scalar {
                anchor,
                tag,
                value,
                style,
                ..
            } => {
                let (tagged, t) = tag_fields(&tag);
                let style_bits = match style {
                    ScalarStyle::Plain => 0,
                    ScalarStyle::DoubleQuoted => 2,
                    ScalarStyle::SingleQuoted => 4,
                    ScalarStyle::Literal => 8,
                    ScalarStyle::Folded => 16,
                };
                let a = anchor.as_deref().unwrap_or("");
                if !a.is_empty() {
                    anchors.insert(a.to_owned(), p.clone());
                }
                if dialect == Dialect::V3 {
                    let _ = writeln!(
                        doc,
                        "{ind}SCALAR s={} t={} a={} {} {p}",
                        tagged | style_bits,
                        q(&t),
                        q(a),
                        q(&value)
                    );
                }
            }
            GoEventKind::SequenceStart {
                anchor, tag, flow, ..
            }
            | GoEventKind::MappingStart {
                anchor, tag, flow, ..
            } => {
                let kind = if is_seq { "SEQ" } else { "MAP" };
                let (tagged, t) = tag_fields(&tag);
                let a = anchor.as_deref().unwrap_or("");
                if !a.is_empty() {
                    anchors.insert(a.to_owned(), p.clone());
                }
                if dialect == Dialect::V3 {
                    let style = tagged | if flow { 32 } else { 0 };
                    let _ = writeln!(doc, "{ind}{kind} s={style} t={} a={} {p}", q(&t), q(a));
                }
                depth += 1;
            }
            GoEventKind::SequenceEnd | GoEventKind::MappingEnd => {
                depth = depth.saturating_sub(1);
            }
        }
    }
    out
}

fn v3(text: &str) -> String {
    dump(text, Dialect::V3)
}

fn v2(text: &str) -> String {
    dump(text, Dialect::V2)
}

/// The error message of each dialect, or "ok".
fn errors(text: &str) -> (String, String) {
    let msg = |d| {
        GoParser::new(text, d)
            .find_map(Result::err)
            .map_or_else(|| "ok".to_owned(), |e| e.go_message())
    };
    (msg(Dialect::V3), msg(Dialect::V2))
}

#[test]
fn tab_after_colon_is_accepted() {
    assert_eq!(
        v3("a:\tb\n"),
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"b\" 1:4\n"
    );
    assert_eq!(v2("a:\tb\n"), "DOC\n");
}

#[test]
fn comment_right_after_a_quoted_scalar_is_accepted() {
    assert_eq!(
        v3("x: 'y'#c\n"),
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"x\" 1:1\n  SCALAR s=4 t=\"\" a=\"\" \"y\" 1:4\n"
    );
    assert_eq!(v2("x: 'y'#c\n"), "DOC\n");
}

#[test]
fn quoted_continuation_at_column_zero_is_accepted() {
    let text = "data:\n  key: \"line1\nline2\"\n";
    assert_eq!(
        v3(text),
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"data\" 1:1\n  MAP s=0 t=\"\" a=\"\" 2:3\n   SCALAR s=0 t=\"\" a=\"\" \"key\" 2:3\n   SCALAR s=2 t=\"\" a=\"\" \"line1 line2\" 2:8\n"
    );
    assert_eq!(v2(text), "DOC\n");
}

#[test]
fn saphyr_events_have_saphyr_conventions() {
    let text = "--- &a !!str x\n...\n%TAG !e! tag:example.com,2000:\n--- [&b !e!t y, *b, !<v> z, !loc w, ! q]\n";
    let events: Vec<_> = GoParser::new(text, Dialect::V3)
        .map(|r| r.expect("valid").0)
        .collect();
    let tag = |h: &str, s: &str| {
        Some(std::borrow::Cow::Owned(saphyr_parser::Tag {
            handle: h.to_owned(),
            suffix: s.to_owned(),
        }))
    };
    let scalar = |v: &'static str, a, t| Event::Scalar(v.into(), ScalarStyle::Plain, a, t);
    assert_eq!(
        events,
        vec![
            Event::StreamStart,
            Event::DocumentStart(true),
            scalar("x", 1, tag("tag:yaml.org,2002:", "str")),
            Event::DocumentEnd,
            Event::DocumentStart(true),
            Event::SequenceStart(0, None),
            scalar("y", 2, tag("tag:example.com,2000:", "t")),
            Event::Alias(2),
            scalar("z", 0, tag("", "v")),
            scalar("w", 0, tag("!", "loc")),
            scalar("q", 0, tag("", "!")),
            Event::SequenceEnd,
            Event::DocumentEnd,
            Event::StreamEnd,
        ]
    );
}

#[test]
fn spans_use_character_indexes() {
    let spans: Vec<_> = GoParser::new("é: [ü]\n", Dialect::V3)
        .map(|r| r.expect("valid").1)
        .collect();
    // StreamStart, DocumentStart, MappingStart, "é", SequenceStart, "ü", ...
    let s = spans[5].start;
    assert_eq!((s.index(), s.line(), s.col()), (4, 1, 4));
}

#[test]
fn unknown_anchor_is_reported_like_the_decoder() {
    assert_eq!(
        errors("a: *x\n"),
        (
            "yaml: unknown anchor 'x' referenced".to_owned(),
            "yaml: unknown anchor 'x' referenced".to_owned()
        )
    );
}

#[test]
fn anchor_scope_follows_the_decoders() {
    let text = "a: &x 1\n---\nb: *x\n";
    let ok = |p: GoParser<'_>| p.collect::<Result<Vec<_>, _>>().is_ok();
    // One v3 Decoder keeps anchors across documents; v2 (and a fresh decoder) does not.
    assert_eq!(
        v3(text),
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:1\n  SCALAR s=0 t=\"\" a=\"x\" \"1\" 1:4\nDOC 2:1\n MAP s=0 t=\"\" a=\"\" 3:1\n  SCALAR s=0 t=\"\" a=\"\" \"b\" 3:1\n  ALIAS \"x\" 3:4 -> 1:4\n"
    );
    assert!(ok(GoParser::new(text, Dialect::V3)));
    assert!(!ok(
        GoParser::new(text, Dialect::V3).anchors_per_document(true)
    ));
    assert_eq!(errors(text).1, "yaml: unknown anchor 'x' referenced");
}

#[test]
fn flow_nesting_is_bounded() {
    let deep = "[".repeat(20000);
    let (e3, e2) = errors(&deep);
    assert_eq!(e3, "yaml: exceeded max depth of 10000");
    assert_eq!(e2, "yaml: exceeded max depth of 10000");
}

/// Differential runs against `tools/goyaml-events`: prints, for every file listed (one
/// path a line) in `$GOPARSE_FILES`, `=== path` and [`dump`] in the dialect
/// `$GOPARSE_DIALECT` (`v2` or `v3`) to `$GOPARSE_OUT`.
#[test]
#[ignore = "run by hand with GOPARSE_FILES, GOPARSE_DIALECT and GOPARSE_OUT"]
fn differential_dump() {
    let files = std::env::var("GOPARSE_FILES").expect("GOPARSE_FILES");
    let dialect = match std::env::var("GOPARSE_DIALECT").as_deref() {
        Ok("v2") => Dialect::V2,
        _ => Dialect::V3,
    };
    let out_path = std::env::var("GOPARSE_OUT").expect("GOPARSE_OUT");
    let list = std::fs::read_to_string(files).expect("file list");
    let mut out = String::new();
    for path in list.lines().filter(|l| !l.is_empty()) {
        let bytes = std::fs::read(path).expect("input");
        let Ok(text) = String::from_utf8(bytes) else {
            continue;
        };
        let _ = writeln!(out, "=== {path}");
        out.push_str(&dump(&text, dialect));
    }
    std::fs::write(out_path, out).expect("output");
}

/// Times this parser and `saphyr_parser` over the file `$GOPARSE_BENCH` (pulling every
/// event). Run with `--release --ignored --nocapture`.
#[test]
#[ignore = "run by hand with GOPARSE_BENCH"]
fn bench_against_saphyr() {
    use std::time::Instant;
    let path = std::env::var("GOPARSE_BENCH").expect("GOPARSE_BENCH");
    let raw = std::fs::read_to_string(path).expect("input");
    // Keep the documents (separated by `---` lines) that both parsers accept.
    let mut text = String::new();
    for doc in raw.split("\n---\n") {
        let ok_saphyr = saphyr_parser::Parser::new_from_str(doc).all(|e| e.is_ok());
        let ok_go = GoParser::new(doc, Dialect::V3).all(|e| e.is_ok());
        if ok_saphyr && ok_go {
            text.push_str("---\n");
            text.push_str(doc);
            text.push('\n');
        }
    }
    for round in 0..3 {
        let t = Instant::now();
        let mut n = 0usize;
        for ev in saphyr_parser::Parser::new_from_str(&text) {
            ev.expect("saphyr accepts the input");
            n += 1;
        }
        let saphyr = t.elapsed();
        for dialect in [Dialect::V3, Dialect::V2] {
            let t = Instant::now();
            let mut m = 0usize;
            for ev in GoParser::new(&text, dialect) {
                ev.expect("go-yaml accepts the input");
                m += 1;
            }
            println!(
                "round {round}: {} bytes, saphyr {n} events in {saphyr:?}, goparse {dialect:?} {m} events in {:?}",
                text.len(),
                t.elapsed()
            );
        }
    }
}

/// Inputs written for these tests, with the messages go-yaml v3 (kustomize) and v2
/// (Helm) give for them (`ok`: accepted), as `tools/goyaml-events v3|v2p` printed them.
const ERROR_CASES: &[(&str, &str, &str)] = &[
    (
        "a: b: c\n",
        "yaml: mapping values are not allowed in this context",
        "yaml: mapping values are not allowed in this context",
    ),
    (
        "a:\n  b: 1\n c: 2\n",
        "yaml: line 2: did not find expected key",
        "yaml: line 2: did not find expected key",
    ),
    (
        "a: b\n\u{1}",
        "yaml: control characters are not allowed",
        "yaml: control characters are not allowed",
    ),
    (
        "a: [1\n",
        "yaml: line 1: did not find expected ',' or ']'",
        "yaml: line 1: did not find expected ',' or ']'",
    ),
    (
        "a: {b: 1\n",
        "yaml: line 1: did not find expected ',' or '}'",
        "yaml: line 1: did not find expected ',' or '}'",
    ),
    (
        "- a\nb: c\n",
        "yaml: line 1: did not find expected '-' indicator",
        "yaml: line 1: did not find expected '-' indicator",
    ),
    (
        "a: 'unterminated\n",
        "yaml: line 2: found unexpected end of stream",
        "yaml: line 2: found unexpected end of stream",
    ),
    (
        "a: \"x\\q\"\n",
        "yaml: found unknown escape character",
        "yaml: found unknown escape character",
    ),
    (
        "a: \"\\xZZ\"\n",
        "yaml: did not find expected hexdecimal number",
        "yaml: did not find expected hexdecimal number",
    ),
    (
        "a: \"\\uD800\"\n",
        "yaml: found invalid Unicode character escape code",
        "yaml: found invalid Unicode character escape code",
    ),
    (
        "key: |0\n  x\n",
        "yaml: found an indentation indicator equal to 0",
        "yaml: found an indentation indicator equal to 0",
    ),
    (
        "key: | x\n",
        "yaml: did not find expected comment or line break",
        "yaml: did not find expected comment or line break",
    ),
    (
        "a: &\n",
        "yaml: did not find expected alphabetic or numeric character",
        "yaml: did not find expected alphabetic or numeric character",
    ),
    (
        "a: *\n",
        "yaml: did not find expected alphabetic or numeric character",
        "yaml: did not find expected alphabetic or numeric character",
    ),
    (
        "a: !<x\n",
        "yaml: did not find the expected '>'",
        "yaml: did not find the expected '>'",
    ),
    (
        "%FOO\n---\n",
        "yaml: found unknown directive name",
        "yaml: found unknown directive name",
    ),
    (
        "%YAML 1.2\n---\na\n",
        "yaml: found incompatible YAML document",
        "yaml: found incompatible YAML document",
    ),
    (
        "%YAML 1.1\n%YAML 1.1\n---\n",
        "yaml: line 1: found duplicate %YAML directive",
        "yaml: line 1: found duplicate %YAML directive",
    ),
    (
        "%TAG !a! x\n%TAG !a! y\n---\n",
        "yaml: line 1: found duplicate %TAG directive",
        "yaml: line 1: found duplicate %TAG directive",
    ),
    (
        "a: !x!y z\n",
        "yaml: found undefined tag handle",
        "yaml: found undefined tag handle",
    ),
    (
        "%YAML 1\n",
        "yaml: did not find expected digit or '.' character",
        "yaml: did not find expected digit or '.' character",
    ),
    (
        "%YAML 123.1\n",
        "yaml: found extremely long version number",
        "yaml: found extremely long version number",
    ),
    (
        "%TAG ! \n",
        "yaml: did not find expected tag URI",
        "yaml: did not find expected tag URI",
    ),
    (
        "a: !x%zz y\n",
        "yaml: did not find URI escaped octet",
        "yaml: did not find URI escaped octet",
    ),
    (
        "a: b\n\tc: d\n",
        "yaml: line 2: found a tab character that violates indentation",
        "yaml: line 2: found a tab character that violates indentation",
    ),
    (
        "a: - b\n",
        "yaml: block sequence entries are not allowed in this context",
        "yaml: block sequence entries are not allowed in this context",
    ),
    (
        "a: ? b\n",
        "yaml: mapping keys are not allowed in this context",
        "yaml: mapping keys are not allowed in this context",
    ),
    (
        "key: \"a\n---\nb\"\n",
        "yaml: line 2: found unexpected document indicator",
        "yaml: line 2: found unexpected document indicator",
    ),
    (
        "a:\n  b\n  c: d\n",
        "yaml: line 3: mapping values are not allowed in this context",
        "yaml: line 3: mapping values are not allowed in this context",
    ),
    (
        "x: |\n\t a\n",
        "yaml: line 2: found a tab character where an indentation space is expected",
        "yaml: line 2: found a tab character where an indentation space is expected",
    ),
    (
        "a: b\n\tc\n",
        "yaml: line 2: found a tab character that violates indentation",
        "yaml: line 2: found a tab character that violates indentation",
    ),
    (
        "[a] b\n",
        "yaml: did not find expected <document start>",
        "yaml: did not find expected <document start>",
    ),
    (
        "a: [b, c]]\n",
        "yaml: did not find expected key",
        "yaml: did not find expected key",
    ),
    ("- a\n - b\n", "ok", "ok"),
    (
        "a: *x\n",
        "yaml: unknown anchor 'x' referenced",
        "yaml: unknown anchor 'x' referenced",
    ),
    (
        "--- |\n a\n... x\n",
        "yaml: line 2: did not find expected <document start>",
        "yaml: line 2: did not find expected <document start>",
    ),
    ("a: b\n\u{feff}c: d\n", "ok", "ok"),
    (
        "? [\n",
        "yaml: line 1: did not find expected node content",
        "yaml: line 1: did not find expected node content",
    ),
    (
        "\"\\U00110000\"\n",
        "yaml: found invalid Unicode character escape code",
        "yaml: found invalid Unicode character escape code",
    ),
    (
        "a:\n  - b\n  c: d\n",
        "yaml: line 1: did not find expected '-' indicator",
        "yaml: line 2: did not find expected '-' indicator",
    ),
    (
        "  a: 1\nb: 2\n",
        "yaml: line 1: did not find expected <document start>",
        "yaml: line 1: did not find expected <document start>",
    ),
    (
        "&a &b c\n",
        "yaml: did not find expected <document start>",
        "yaml: did not find expected <document start>",
    ),
    (
        "!a !b c\n",
        "yaml: did not find expected <document start>",
        "yaml: did not find expected <document start>",
    ),
    (
        "a: 'b'c\n",
        "yaml: did not find expected key",
        "yaml: did not find expected key",
    ),
    (
        "a: \"b\"c\n",
        "yaml: did not find expected key",
        "yaml: did not find expected key",
    ),
    (
        "{a: 1}}\n",
        "yaml: did not find expected <document start>",
        "yaml: did not find expected <document start>",
    ),
    (
        "a: 1\n--- x: y\n",
        "yaml: line 2: mapping values are not allowed in this context",
        "yaml: line 2: mapping values are not allowed in this context",
    ),
    (
        "%TAG !e! x\n--- !e!a b\n--- !e!c d\n",
        "yaml: line 2: found undefined tag handle",
        "yaml: line 2: found undefined tag handle",
    ),
    (
        "x:\n- a\n-b\n",
        "yaml: line 3: could not find expected ':'",
        "yaml: line 4: could not find expected ':'",
    ),
    (
        "a:\n  b: |\n  c\n",
        "yaml: line 3: could not find expected ':'",
        "yaml: line 4: could not find expected ':'",
    ),
    (
        "- [a, b\n- c\n",
        "yaml: line 2: did not find expected ',' or ']'",
        "yaml: line 2: did not find expected ',' or ']'",
    ),
    (
        "a: {b: c, d\n",
        "yaml: line 1: did not find expected ',' or '}'",
        "yaml: line 1: did not find expected ',' or '}'",
    ),
    (
        "a: @x\n",
        "yaml: found character that cannot start any token",
        "yaml: found character that cannot start any token",
    ),
    (
        "a: `x\n",
        "yaml: found character that cannot start any token",
        "yaml: found character that cannot start any token",
    ),
    (
        "a: b\n\u{7f}\n",
        "yaml: control characters are not allowed",
        "yaml: control characters are not allowed",
    ),
    (
        "\u{1b}",
        "yaml: control characters are not allowed",
        "yaml: control characters are not allowed",
    ),
    (
        "a: \u{fffe}\n",
        "yaml: control characters are not allowed",
        "yaml: control characters are not allowed",
    ),
    (
        "a:\n  b:\n    c: 1\n   d: 2\n",
        "yaml: line 1: did not find expected key",
        "yaml: line 3: did not find expected key",
    ),
    (
        "- a\n-\tb\n",
        "yaml: line 2: found character that cannot start any token",
        "yaml: line 2: found character that cannot start any token",
    ),
    (
        "a: >\n x\n\ty\n",
        "yaml: line 3: found a tab character where an indentation space is expected",
        "yaml: line 3: found a tab character where an indentation space is expected",
    ),
    ("a: \"\\\n\tb\"\n", "ok", "ok"),
    (
        "...\na\n",
        "yaml: did not find expected node content",
        "yaml: did not find expected node content",
    ),
    (
        "--- a\n--- b\n... c\n",
        "yaml: line 2: did not find expected <document start>",
        "yaml: line 2: did not find expected <document start>",
    ),
    ("%TAG !! tag:x,1:\n--- !!a b\n", "ok", "ok"),
    (
        "a: !<> b\n",
        "yaml: did not find expected tag URI",
        "yaml: did not find expected tag URI",
    ),
    ("a: ![x] b\n", "ok", "ok"),
    ("a: !!str%C3%A9 x\n", "ok", "ok"),
    (
        "a: !e%FF x\n",
        "yaml: found an incorrect leading UTF-8 octet",
        "yaml: found an incorrect leading UTF-8 octet",
    ),
    (
        "a: !e%C3%41 x\n",
        "yaml: found an incorrect trailing UTF-8 octet",
        "yaml: found an incorrect trailing UTF-8 octet",
    ),
    (
        "'a\n...\nb'\n",
        "yaml: line 2: found unexpected document indicator",
        "yaml: line 2: found unexpected document indicator",
    ),
    (
        "a: 1\nb\n",
        "yaml: line 2: could not find expected ':'",
        "yaml: line 3: could not find expected ':'",
    ),
    (
        "a: 1\n b: 2\n",
        "yaml: line 2: mapping values are not allowed in this context",
        "yaml: line 2: mapping values are not allowed in this context",
    ),
    // v3 scans two tokens further ahead than v2 before the parser moves on, so a
    // scanner error just ahead wins over a parser error in v3 only.
    (
        "   : @\n",
        "yaml: found character that cannot start any token",
        "yaml: did not find expected key",
    ),
    (
        "... -\n\n   \n",
        "yaml: block sequence entries are not allowed in this context",
        "yaml: did not find expected node content",
    ),
    (
        "\"a\\\n b\"\t<<:\n",
        "yaml: line 2: mapping values are not allowed in this context",
        "yaml: line 1: did not find expected <document start>",
    ),
    (
        "   \u{feff}: *an: \u{a0}\n",
        "yaml: mapping values are not allowed in this context",
        "yaml: unknown anchor 'an' referenced",
    ),
    // go-yaml's byte-order-mark check looks at the start of the reader's buffer, which
    // moves in 512-byte steps: a U+FEFF that lands there makes the scanner skip the first
    // character of a later line (`{Xn}` stands for n times `x`).
    (
        "k: {X506}\u{feff}\nab: c\nde: f\n",
        "yaml: line 1: did not find expected key",
        "yaml: line 1: did not find expected key",
    ),
    (
        "# {X506}\n\u{feff}ab: c\nde: f\n",
        "yaml: line 1: did not find expected key",
        "yaml: line 2: did not find expected key",
    ),
    ("k: {X503}\u{feff}\nab: c\nde: f\n", "ok", "ok"),
];

#[test]
fn error_messages_match_go_yaml() {
    let mut failures = Vec::new();
    for &(text, want3, want2) in ERROR_CASES {
        let text = &expand(text);
        let (got3, got2) = errors(text);
        if got3 != want3 || got2 != want2 {
            failures.push(format!(
                "{text:?}: v3 {got3:?} (want {want3:?}), v2 {got2:?} (want {want2:?})"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn error_cases_cover_both_dialects() {
    let errors3 = ERROR_CASES.iter().filter(|c| c.1 != "ok").count();
    let errors2 = ERROR_CASES.iter().filter(|c| c.2 != "ok").count();
    assert!(errors3 >= 20 && errors2 >= 20);
    // Where the dialects differ: v3 numbers the line of the context mark, v2 that of
    // the problem.
    assert!(ERROR_CASES.iter().any(|c| c.1 != c.2));
}

/// Compares with `saphyr_parser` over the files listed in `$GOPARSE_FILES`, writing one
/// line per file to `$GOPARSE_OUT`: `same`, `events` (both accept, events differ),
/// `spans` (same events, different start positions), `go-only` (saphyr rejects),
/// `saphyr-only` (go-yaml v3 rejects) or `both-reject`, then the path and details.
#[test]
#[ignore = "run by hand with GOPARSE_FILES and GOPARSE_OUT"]
fn compare_with_saphyr() {
    let files = std::env::var("GOPARSE_FILES").expect("GOPARSE_FILES");
    let out_path = std::env::var("GOPARSE_OUT").expect("GOPARSE_OUT");
    let list = std::fs::read_to_string(files).expect("file list");
    let mut out = String::new();
    for path in list.lines().filter(|l| !l.is_empty()) {
        let Ok(text) = std::fs::read_to_string(path) else {
            continue;
        };
        let go: Result<Vec<_>, _> = GoParser::new(&text, Dialect::V3).collect();
        let sa: Result<Vec<_>, _> = saphyr_parser::Parser::new_from_str(&text).collect();
        let line = match (go, sa) {
            (Ok(g), Ok(s)) => {
                let ge: Vec<_> = g.iter().map(|e| &e.0).collect();
                let se: Vec<_> = s.iter().map(|e| &e.0).collect();
                if ge != se {
                    let i = ge.iter().zip(&se).position(|(a, b)| a != b).unwrap_or(0);
                    format!(
                        "events {path} {:?} vs {:?}",
                        ge.get(i).map(|e| format!("{e:?}")),
                        se.get(i).map(|e| format!("{e:?}"))
                    )
                } else {
                    let gs: Vec<_> = g.iter().map(|e| e.1.start).collect();
                    let ss: Vec<_> = s.iter().map(|e| e.1.start).collect();
                    match gs.iter().zip(&ss).position(|(a, b)| a != b) {
                        None => format!("same {path}"),
                        Some(i) => format!("spans {path} {:?} {:?} vs {:?}", ge[i], gs[i], ss[i]),
                    }
                }
            }
            (Ok(_), Err(e)) => format!("go-only {path} saphyr: {e}"),
            (Err(e), Ok(_)) => format!("saphyr-only {path} go: {}", e.go_message()),
            (Err(e), Err(s)) => format!("both-reject {path} go: {} | saphyr: {s}", e.go_message()),
        };
        out.push_str(&line);
        out.push('\n');
    }
    std::fs::write(out_path, out).expect("output");
}

/// Whole outputs for inputs that exercise the reader (chunked decoding, the
/// byte-order-mark check at the buffer start), v3's comment scanning and marks, YAML 1.1
/// line breaks and the simple-key bookkeeping, as `tools/goyaml-events v3|v2p` printed
/// them. The long runs of `x` put the control character beyond the reader's first
/// 512-byte chunk, or not.
const DUMP_CASES: &[(&str, &str, &str)] = &[
    (
        "a: |\n  x",
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:1\n  SCALAR s=8 t=\"\" a=\"\" \"x\" 1:4\n",
        "DOC\n",
    ),
    (
        "\u{feff}\u{feff}apiVersion: v1\nkind: Pod\n",
        "DOC 1:2\n MAP s=0 t=\"\" a=\"\" 1:2\n  SCALAR s=0 t=\"\" a=\"\" \"apiVersion\" 1:2\n  SCALAR s=0 t=\"\" a=\"\" \"v1\" 1:14\n  SCALAR s=0 t=\"\" a=\"\" \"ind\" 2:2\n  SCALAR s=0 t=\"\" a=\"\" \"Pod\" 2:7\n",
        "DOC\n",
    ),
    (
        "a: \u{1}\nk: {X700}\nb: c: d\n",
        "ERR yaml: control characters are not allowed\n",
        "ERR yaml: control characters are not allowed\n",
    ),
    (
        "? a\n# c\nb: 1\n",
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:3\n  SCALAR s=0 t=\"\" a=\"\" \"\" 3:1\n  SCALAR s=0 t=\"\" a=\"\" \"b\" 3:1\n  SCALAR s=0 t=\"\" a=\"\" \"1\" 3:4\n",
        "DOC\n",
    ),
    (
        "{d:, e: f}\n",
        "DOC 1:1\n MAP s=32 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"d:\" 1:2\n  SCALAR s=0 t=\"\" a=\"\" \"\" 1:4\n  SCALAR s=0 t=\"\" a=\"\" \"e\" 1:6\n  SCALAR s=0 t=\"\" a=\"\" \"f\" 1:9\n",
        "DOC\n",
    ),
    (
        "[]a: c\n",
        "DOC 1:1\n SEQ s=32 t=\"\" a=\"\" 1:1\nERR yaml: did not find expected <document start>\n",
        "DOC\nERR yaml: did not find expected <document start>\n",
    ),
    (
        "a: b: c\nk: {X700}\u{1}\n",
        "ERR yaml: mapping values are not allowed in this context\n",
        "ERR yaml: mapping values are not allowed in this context\n",
    ),
    (
        "a: b\u{2028}c\n",
        "ERR yaml: line 2: could not find expected ':'\n",
        "ERR yaml: line 3: could not find expected ':'\n",
    ),
    (
        "a: b: c\n{X100}\u{1}\n",
        "ERR yaml: control characters are not allowed\n",
        "ERR yaml: control characters are not allowed\n",
    ),
    (
        "a: b\u{85}c: d\n",
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"b\" 1:4\n  SCALAR s=0 t=\"\" a=\"\" \"c\" 2:1\n  SCALAR s=0 t=\"\" a=\"\" \"d\" 2:4\n",
        "DOC\n",
    ),
    (
        "a: 1\n# c\n\t# d\nb: 2\n",
        "DOC 1:1\n MAP s=0 t=\"\" a=\"\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"a\" 1:1\n  SCALAR s=0 t=\"\" a=\"\" \"1\" 1:4\n  SCALAR s=0 t=\"\" a=\"\" \"b\" 4:1\n  SCALAR s=0 t=\"\" a=\"\" \"2\" 4:4\n",
        "ERR yaml: line 3: found character that cannot start any token\n",
    ),
    (
        "%YAML 1.1\n--- a\n",
        "DOC 1:1\n SCALAR s=0 t=\"\" a=\"\" \"a\" 2:5\n",
        "DOC\n",
    ),
];

/// Expands `{Xn}` in a case's input to `n` times `x`.
fn expand(text: &str) -> String {
    let mut out = String::new();
    let mut rest = text;
    while let Some(i) = rest.find("{X") {
        out.push_str(&rest[..i]);
        let after = &rest[i + 2..];
        let end = after.find('}').expect("closed");
        let n: usize = after[..end].parse().expect("a count");
        out.push_str(&"x".repeat(n));
        rest = &after[end + 1..];
    }
    out.push_str(rest);
    out
}

#[test]
fn dumps_match_go_yaml() {
    let mut failures = Vec::new();
    for &(text, want3, want2) in DUMP_CASES {
        let text = expand(text);
        let (got3, got2) = (v3(&text), v2(&text));
        if got3 != want3 || got2 != want2 {
            failures.push(format!(
                "{text:?}:\n v3 {got3:?}\n want {want3:?}\n v2 {got2:?}\n want {want2:?}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// Times inputs that could make a scanner quadratic. Run with `--release --ignored
/// --nocapture`.
#[test]
#[ignore = "timing, run by hand"]
fn pathological_inputs() {
    use std::time::Instant;
    let inputs = [
        ("flow nesting", "[".repeat(9_999) + &"]".repeat(9_999)),
        (
            "blanks before comments",
            format!("a: b{}#c\n", " ".repeat(500)).repeat(20_000),
        ),
        (
            "long plain scalar",
            format!("a: {}\n", "x y ".repeat(2_500_000)),
        ),
        (
            "long quoted scalar",
            format!("a: \"{}\"\n", "x\\ty ".repeat(2_000_000)),
        ),
        (
            "deep block nesting",
            (0..5_000)
                .map(|i| format!("{}k{i}:\n", " ".repeat(i)))
                .collect::<String>(),
        ),
        (
            "many keys in flow",
            format!("{{{}}}", "a: b, ".repeat(1_000_000)),
        ),
        ("comment lines", "# comment\n".repeat(2_000_000)),
    ];
    for (name, text) in &inputs {
        for dialect in [Dialect::V3, Dialect::V2] {
            let t = Instant::now();
            let n = GoParser::new(text, dialect).count();
            println!(
                "{name} ({} bytes) {dialect:?}: {n} events in {:?}",
                text.len(),
                t.elapsed()
            );
        }
    }
}
