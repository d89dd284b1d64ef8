//! Helpers shared by the `smp_*` tests (included with `#[path]`; as a test target of
//! its own it holds no tests).
//!
//! Fixtures are written as YAML. They are read with `gitward::yaml::parse_kustomize_docs`
//! when the parser can read them, else with the small block-YAML reader below (enough
//! for the fixtures: block maps and lists, flow lists/maps of scalars, quoted and plain
//! scalars resolved as YAML 1.2 core).
#![allow(dead_code, clippy::unwrap_used)]

use gitward::smp::{Options, Schema, SmpError, TypeRef, merge};
use gitward::yaml::{Map, Number, Value};

/// Reads one YAML document.
pub fn yaml(text: &str) -> Value {
    if let Ok(mut docs) = gitward::yaml::parse_kustomize_docs(text)
        && docs.len() == 1
    {
        return docs.remove(0);
    }
    let lines: Vec<(usize, &str)> = text
        .lines()
        .filter(|l| !l.trim().is_empty() && !l.trim_start().starts_with('#') && l.trim() != "---")
        .map(|l| (l.len() - l.trim_start().len(), l.trim_start()))
        .collect();
    let mut pos = 0;
    let v = block(&lines, &mut pos, 0);
    assert_eq!(pos, lines.len(), "fixture not fully read: {text}");
    v
}

fn block(lines: &[(usize, &str)], pos: &mut usize, min_indent: usize) -> Value {
    let Some(&(indent, first)) = lines.get(*pos) else {
        return Value::Null;
    };
    if indent < min_indent {
        return Value::Null;
    }
    if first == "-" || first.starts_with("- ") {
        let mut seq = Vec::new();
        while let Some(&(i, l)) = lines.get(*pos) {
            if i != indent || !(l == "-" || l.starts_with("- ")) {
                break;
            }
            let rest = l[1..].trim_start();
            if rest.is_empty() {
                *pos += 1;
                seq.push(block(lines, pos, indent + 1));
            } else if split_key(rest).is_some() {
                // `- key: value`: a map whose first line is inline.
                let inner = indent + (l.len() - rest.len());
                let mut owned: Vec<(usize, &str)> = lines.to_vec();
                owned[*pos] = (inner, rest);
                seq.push(block(&owned, pos, inner));
            } else {
                *pos += 1;
                seq.push(scalar_or_flow(rest));
            }
        }
        return Value::Seq(seq);
    }
    let mut map = Map::default();
    while let Some(&(i, l)) = lines.get(*pos) {
        if i != indent {
            break;
        }
        let (k, rest) = split_key(l).unwrap_or_else(|| panic!("not a map line: {l}"));
        *pos += 1;
        let v = if rest.is_empty() {
            match lines.get(*pos) {
                Some(&(ni, nl)) if ni > indent || (ni == indent && nl.starts_with('-')) => {
                    block(lines, pos, ni)
                }
                _ => Value::Null,
            }
        } else {
            scalar_or_flow(rest)
        };
        map.insert(k, v);
    }
    Value::Map(map)
}

fn split_key(l: &str) -> Option<(String, &str)> {
    if let Some(stripped) = l.strip_prefix('"') {
        let end = stripped.find('"')?;
        let rest = stripped[end + 1..].strip_prefix(':')?;
        return Some((stripped[..end].to_owned(), rest.trim()));
    }
    if l.starts_with('[') || l.starts_with('{') || l.starts_with('\'') {
        return None;
    }
    let idx = l
        .find(": ")
        .or_else(|| l.ends_with(':').then(|| l.len() - 1))?;
    Some((l[..idx].to_owned(), l[idx + 1..].trim()))
}

fn scalar_or_flow(s: &str) -> Value {
    let s = s.trim();
    let mut chars = s.char_indices().peekable();

    flow(s, &mut chars)
}

fn flow(s: &str, it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) -> Value {
    skip_ws(it);
    match it.peek().map(|&(_, c)| c) {
        Some('[') => {
            it.next();
            let mut out = Vec::new();
            loop {
                skip_ws(it);
                match it.peek().map(|&(_, c)| c) {
                    Some(']') => {
                        it.next();
                        return Value::Seq(out);
                    }
                    Some(',') => {
                        it.next();
                    }
                    None => return Value::Seq(out),
                    _ => out.push(flow(s, it)),
                }
            }
        }
        Some('{') => {
            it.next();
            let mut out = Map::default();
            loop {
                skip_ws(it);
                match it.peek().map(|&(_, c)| c) {
                    Some('}') => {
                        it.next();
                        return Value::Map(out);
                    }
                    Some(',') => {
                        it.next();
                    }
                    None => return Value::Map(out),
                    _ => {
                        let k = match flow_token(s, it, true) {
                            Value::String(k) => k,
                            other => format!("{other:?}"),
                        };
                        skip_ws(it);
                        if it.peek().map(|&(_, c)| c) == Some(':') {
                            it.next();
                        }
                        let v = flow(s, it);
                        out.insert(k, v);
                    }
                }
            }
        }
        _ => flow_token(s, it, false),
    }
}

fn skip_ws(it: &mut std::iter::Peekable<std::str::CharIndices<'_>>) {
    while it.peek().is_some_and(|&(_, c)| c == ' ') {
        it.next();
    }
}

fn flow_token(
    s: &str,
    it: &mut std::iter::Peekable<std::str::CharIndices<'_>>,
    key: bool,
) -> Value {
    skip_ws(it);
    let Some(&(start, c)) = it.peek() else {
        return Value::Null;
    };
    if c == '"' || c == '\'' {
        it.next();
        let mut out = String::new();
        while let Some((_, ch)) = it.next() {
            if ch == c {
                break;
            }
            if ch == '\\' && c == '"' {
                match it.next().map(|(_, e)| e) {
                    Some('n') => out.push('\n'),
                    Some('t') => out.push('\t'),
                    Some(e) => out.push(e),
                    None => {}
                }
                continue;
            }
            out.push(ch);
        }
        return Value::String(out);
    }
    let mut end = s.len();
    while let Some(&(i, ch)) = it.peek() {
        if ch == ',' || ch == ']' || ch == '}' || (key && ch == ':') {
            end = i;
            break;
        }
        it.next();
    }
    let tok = s[start..end].trim();
    if key {
        return Value::String(tok.to_owned());
    }
    resolve_plain(tok)
}

fn resolve_plain(tok: &str) -> Value {
    match tok {
        "" | "~" | "null" => Value::Null,
        "true" => Value::Bool(true),
        "false" => Value::Bool(false),
        _ => {
            if let Ok(i) = tok.parse::<i64>() {
                Value::Number(Number::Int(i))
            } else if tok.contains('.') && tok.parse::<f64>().is_ok() {
                Value::Number(Number::Float(tok.parse().unwrap()))
            } else {
                Value::String(tok.to_owned())
            }
        }
    }
}

/// Merges YAML fixtures with the builtin schema and kyaml's type inference.
pub fn smp(schema: &Schema, base: &str, patch: &str) -> Result<Option<Value>, SmpError> {
    merge(
        &yaml(base),
        &yaml(patch),
        schema,
        &TypeRef::Infer,
        &Options::default(),
    )
}

/// Asserts that merging gives `expected` (YAML; `None` for a deleted object).
#[track_caller]
pub fn check(schema: &Schema, base: &str, patch: &str, expected: Option<&str>) {
    let got = smp(schema, base, patch).unwrap_or_else(|e| panic!("merge failed: {e}"));
    let want = expected.map(yaml);
    assert_eq!(got, want, "\nbase:\n{base}\npatch:\n{patch}");
}
