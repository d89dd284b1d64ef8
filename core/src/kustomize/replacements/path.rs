//! kyaml's dotted field paths, as `replacements` and `vars` use them.
//!
//! * [`split`]: `SmarterPathSplitter` (`.`-separated, `\.` escapes a dot, `[a.b]` keeps a
//!   bracketed part whole and drops the brackets unless it holds `=`).
//! * [`lookup`]: `PathGetter` without creation (sources): fields, indices, `-` for the last
//!   element, `[field=value]` exact element matches.
//! * [`visit_matches`]: `PathMatcher` (targets): also `*` and regular-expression element
//!   matches, optionally creating what is missing.

use crate::yaml::{Map, Node, NodeKind, Pos, Scalar, ScalarStyle, Value};

/// Deepest path the walkers follow.
const MAX_DEPTH: usize = 512;

/// kustomize's `PathSplitter` on `.` with `\.` escapes.
fn path_splitter(path: &str) -> Vec<String> {
    let mut parts: Vec<&str> = path.split('.').collect();
    if parts.len() > 1 && parts.first().is_some_and(|p| p.is_empty()) {
        parts.remove(0);
    }
    let mut res: Vec<String> = Vec::new();
    for p in parts {
        match res.last_mut() {
            Some(last) if last.ends_with('\\') => {
                last.pop();
                last.push('.');
                last.push_str(p);
            }
            _ => res.push(p.to_owned()),
        }
    }
    res
}

/// kustomize's `SmarterPathSplitter` on `.`.
pub(crate) fn split(path: &str) -> Vec<String> {
    let parts = path_splitter(path);
    let mut out = Vec::new();
    let mut i = 0;
    while i < parts.len() {
        let elem = &parts[i];
        if elem.starts_with('[') && !elem.ends_with(']') {
            let mut bracketed = vec![elem.clone()];
            while i + 1 < parts.len() {
                i += 1;
                bracketed.push(parts[i].clone());
                if parts[i].ends_with(']') {
                    break;
                }
            }
            let joined = bracketed.join(".");
            if joined.contains('=') {
                out.push(joined);
            } else {
                out.push(joined.trim_matches(|c| c == '[' || c == ']').to_owned());
            }
        } else {
            out.push(elem.clone());
        }
        i += 1;
    }
    out
}

/// kyaml's `convertSliceIndex`: `ports[0]` becomes `ports`, `0`.
pub(crate) fn convert_slice_index(fields: Vec<String>) -> Vec<String> {
    let mut out = Vec::with_capacity(fields.len());
    for s in fields {
        if let Some(body) = s.strip_suffix(']')
            && let Some(open) = body.rfind('[')
        {
            let (head, digits) = (&body[..open], &body[open + 1..]);
            if !digits.is_empty() && digits.bytes().all(|b| b.is_ascii_digit()) {
                if !head.is_empty() {
                    out.push(head.to_owned());
                }
                out.push(digits.to_owned());
                continue;
            }
        }
        out.push(s);
    }
    out
}

/// Go's `strconv.Atoi` (optional sign, decimal digits, no overflow).
fn atoi(s: &str) -> Option<i64> {
    let digits = s.strip_prefix(['+', '-']).unwrap_or(s);
    if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse::<i64>().ok()
}

fn is_list_index(p: &str) -> bool {
    p.starts_with('[') && p.ends_with(']')
}

fn is_idx_number(p: &str) -> bool {
    atoi(p).is_some_and(|i| i >= 0)
}

/// kyaml's `SplitIndexNameValue`: `[name=value]` into its two halves.
fn split_index_name_value(p: &str) -> Result<(String, String), String> {
    let elem = p.strip_suffix(']').unwrap_or(p);
    let elem = elem.strip_prefix('[').unwrap_or(elem);
    match elem.split_once('=') {
        Some((k, v)) => Ok((k.to_owned(), v.to_owned())),
        None => {
            Err("list path element must contain fieldName=fieldValue for element to match".into())
        }
    }
}

/// The YAML text kyaml shows for a node in messages and regex matches.
pub(crate) fn node_text(v: &Value) -> String {
    crate::yaml::emit_kustomize(v)
}

fn kind_name(v: &Value) -> &'static str {
    match v {
        Value::Map(_) => "MappingNode",
        Value::Seq(_) => "SequenceNode",
        _ => "ScalarNode",
    }
}

fn wrong_kind(expected: &str, v: &Value) -> String {
    format!(
        "wrong node kind: expected {expected} but got {}: node contents:\n{}",
        kind_name(v),
        node_text(v)
    )
}

/// The text of a scalar as kyaml holds it (`yaml.Node.Value`).
pub(crate) fn scalar_text(v: &Value) -> String {
    match v {
        Value::Map(_) | Value::Seq(_) => String::new(),
        other => super::super::resource::scalar_string(other),
    }
}

/// kyaml's `Lookup(path...)` without creation: the node at `path`, `None` when a part is
/// missing. A null field is returned as such.
pub(crate) fn lookup<'a>(node: &'a Value, path: &[String]) -> Result<Option<&'a Value>, String> {
    let mut cur = node;
    for part in path.iter().map(|p| p.trim()).filter(|p| !p.is_empty()) {
        let next = if let Some(idx) = atoi(part) {
            if idx < 0 {
                return Err(format!("array index {idx} cannot be negative"));
            }
            match cur {
                Value::Null => None,
                Value::Seq(items) => usize::try_from(idx).ok().and_then(|i| items.get(i)),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else if part == "-" {
            match cur {
                Value::Null => None,
                Value::Seq(items) => items.last(),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else if part == "*" {
            return Err("wildcard is not supported in PathGetter".into());
        } else if is_list_index(part) {
            let (name, value) = split_index_name_value(part)?;
            match cur {
                Value::Null => None,
                Value::Seq(items) if name.is_empty() => items.iter().find(|i| {
                    !matches!(i, Value::Map(_) | Value::Seq(_)) && scalar_text(i) == value
                }),
                Value::Seq(items) => items.iter().find(|i| match i {
                    Value::Map(m) => m.get(&name).is_some_and(|f| {
                        !matches!(f, Value::Map(_) | Value::Seq(_)) && scalar_text(f) == value
                    }),
                    _ => false,
                }),
                other => return Err(wrong_kind("SequenceNode", other)),
            }
        } else {
            match cur {
                Value::Null => None,
                Value::Map(m) => m.get(part),
                other => return Err(wrong_kind("MappingNode", other)),
            }
        };
        match next {
            Some(n) => cur = n,
            None => return Ok(None),
        }
    }
    Ok(Some(cur))
}

/// What a created leaf is made of.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Create {
    /// Create nothing.
    No,
    /// A map leaf.
    Map,
    /// A sequence leaf.
    Seq,
    /// A scalar leaf (untagged: its text decides its type).
    Scalar,
}

fn part_kind(next: Option<&String>, leaf: Create) -> Value {
    match next {
        Some(n) if is_list_index(n) || is_idx_number(n) => Value::Seq(Vec::new()),
        Some(_) => Value::Map(Map::default()),
        None => match leaf {
            Create::Seq => Value::Seq(Vec::new()),
            Create::Map => Value::Map(Map::default()),
            _ => Value::Null,
        },
    }
}

/// A plain scalar's value after kustomize's resolution (`8080` is a number, `abc` a string).
pub(crate) fn resolve_plain(text: &str) -> Value {
    resolve_tagged(text, None).unwrap_or_else(|_| Value::String(text.to_owned()))
}

/// A scalar with an explicit tag as kustomize prints it (`!!int` with text `abc` fails).
pub(crate) fn resolve_tagged(text: &str, tag: Option<&str>) -> Result<Value, String> {
    let node = Node {
        kind: NodeKind::Scalar(Scalar {
            text: text.to_owned(),
            style: ScalarStyle::Plain,
            tag: tag.map(|t| format!("tag:yaml.org,2002:{t}")),
        }),
        pos: Pos::default(),
        tag: None,
    };
    crate::yaml::resolve_kustomize(&node).map_err(|e| e.message)
}

/// Calls `f` on every node `path` selects (kyaml's `PathMatcher`), creating missing parts
/// when `create` says so. `f` is told whether the node was just created. Returns how many
/// nodes were visited.
pub(crate) fn visit_matches(
    node: &mut Value,
    path: &[String],
    create: Create,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
) -> Result<usize, String> {
    matcher(node, path, create, false, 0, f)
}

fn matcher(
    node: &mut Value,
    path: &[String],
    create: Create,
    created: bool,
    depth: usize,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
) -> Result<usize, String> {
    if depth > MAX_DEPTH {
        return Err("field path too deep".into());
    }
    let Some((first, rest)) = path.split_first() else {
        f(node, created)?;
        return Ok(1);
    };
    if is_idx_number(first) {
        let idx = atoi(first)
            .and_then(|i| usize::try_from(i).ok())
            .unwrap_or(usize::MAX);
        if node.is_null() && create == Create::No {
            return Err(format!("index {idx} specified but only 0 elements found"));
        }
        let items = seq_of(node)?;
        if items.len() == idx && create != Create::No {
            items.push(part_kind(rest.first(), create));
            let last = items.len() - 1;
            return match items.get_mut(last) {
                Some(elem) => matcher(elem, rest, create, true, depth + 1, f),
                None => Ok(0),
            };
        }
        let len = items.len();
        return match items.get_mut(idx) {
            Some(elem) => matcher(elem, rest, create, false, depth + 1, f),
            None => Err(format!(
                "index {idx} specified but only {len} elements found"
            )),
        };
    }
    if is_list_index(first) {
        return match_seq(node, first, rest, create, depth, f);
    }
    if first == "*" {
        if node.is_null() {
            return Ok(0);
        }
        let items = seq_of(node)?;
        let mut n = 0;
        for item in items.iter_mut() {
            n += matcher(item, rest, create, false, depth + 1, f)?;
        }
        return Ok(n);
    }
    // A field.
    match node {
        Value::Null if create == Create::No => Ok(0),
        Value::Null => {
            *node = Value::Map(Map::default());
            matcher(node, path, create, created, depth + 1, f)
        }
        Value::Map(m) => {
            if let Some(field) = m.get_mut(first.as_str()) {
                if field.is_null() && create != Create::No && !rest.is_empty() {
                    *field = part_kind(rest.first(), create);
                }
                return matcher(field, rest, create, false, depth + 1, f);
            }
            if create == Create::No {
                return Ok(0);
            }
            let fresh = part_kind(rest.first(), create);
            let slot = m.entry(first.clone()).or_insert(fresh);
            matcher(slot, rest, create, true, depth + 1, f)
        }
        other => Err(wrong_kind("MappingNode", other)),
    }
}

/// The elements of a sequence node (a null node counts as empty).
fn seq_of(node: &mut Value) -> Result<&mut Vec<Value>, String> {
    if node.is_null() {
        *node = Value::Seq(Vec::new());
    }
    match node {
        Value::Seq(items) => Ok(items),
        other => Err(wrong_kind("SequenceNode", other)),
    }
}

fn match_seq(
    node: &mut Value,
    part: &str,
    rest: &[String],
    create: Create,
    depth: usize,
    f: &mut dyn FnMut(&mut Value, bool) -> Result<(), String>,
) -> Result<usize, String> {
    let (field, pattern) = split_index_name_value(part)?;
    let re = regex::Regex::new(&pattern).map_err(|e| format!("error parsing regexp: {e}"))?;
    let was_null = node.is_null();
    if was_null && create == Create::No {
        return Ok(0);
    }
    let items = seq_of(node)?;
    let mut n = 0;
    let mut matched = false;
    for item in items.iter_mut() {
        if field.is_empty() {
            if re.is_match(node_text(item).trim()) {
                matched = true;
                n += matcher(item, &[], create, false, depth + 1, f)?;
            }
        } else {
            let hit = match item {
                Value::Map(m) => m
                    .get(&field)
                    .is_some_and(|v| re.is_match(node_text(v).trim())),
                _ => false,
            };
            if hit {
                matched = true;
                n += matcher(item, rest, create, false, depth + 1, f)?;
            }
        }
    }
    if matched || create == Create::No {
        return Ok(n);
    }
    let value = resolve_plain(&pattern);
    let elem = if field.is_empty() {
        value
    } else {
        let mut m = Map::default();
        m.insert(field, value);
        Value::Map(m)
    };
    items.push(elem);
    // Search again: this time the new element matches.
    match_seq(node, part, rest, create, depth + 1, f)
}
