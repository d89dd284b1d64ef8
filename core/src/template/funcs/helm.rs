//! Helm's own template functions (`required`, `fail`, `lookup`, YAML/JSON/TOML
//! conversion) and Sprig's JSON helpers, plus Go's `net/url` subset.

use std::collections::BTreeMap;

use super::PT::*;
use super::json::{Opts, marshal, unmarshal};
use super::{Add, Builtin, Cx, FnError, FnResult, s};
use crate::go::strconv;
use crate::template::value::{MapKind, Val};

pub(crate) fn required(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let v = &a[1];
    if v.is_nil() || matches!(v, Val::Str(st) if st.is_empty()) {
        return Err(FnError::user(s(&a[0])));
    }
    Ok(v.clone())
}

pub(crate) fn fail(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Err(FnError::user(s(&a[0])))
}

pub(crate) fn lookup(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let (api, kind, ns, name) = (s(&a[0]), s(&a[1]), s(&a[2]), s(&a[3]));
    let mut matches = vec![];
    for obj in &cx.env.lookup {
        let g = |k: &str| obj.get(k).and_then(|v| v.as_str()).unwrap_or("");
        let meta = |k: &str| {
            obj.get_path(&["metadata", k])
                .and_then(|v| v.as_str())
                .unwrap_or("")
        };
        if g("apiVersion") == api
            && g("kind") == kind
            && (ns.is_empty() || meta("namespace") == ns)
            && (name.is_empty() || meta("name") == name)
        {
            matches.push(Val::from_value(obj));
        }
    }
    if name.is_empty() {
        if matches.is_empty() {
            return Ok(Val::dict(BTreeMap::new()));
        }
        let mut m = BTreeMap::new();
        m.insert("apiVersion".into(), Val::str("v1"));
        m.insert("kind".into(), Val::str(format!("{kind}List")));
        m.insert("items".into(), Val::list(matches));
        return Ok(Val::dict(m));
    }
    Ok(matches
        .into_iter()
        .next()
        .unwrap_or_else(|| Val::dict(BTreeMap::new())))
}

fn yaml_of(v: &Val) -> Option<String> {
    let value = v.to_value()?;
    Some(crate::yaml::emit_helm(&value))
}

pub(crate) fn to_yaml(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(
        yaml_of(&a[0])
            .map(|st| st.strip_suffix('\n').unwrap_or(&st).to_string())
            .unwrap_or_default(),
    ))
}

pub(crate) fn must_to_yaml(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match yaml_of(&a[0]) {
        Some(st) => Ok(Val::str(st.strip_suffix('\n').unwrap_or(&st))),
        None => Err(FnError::msg("json: unsupported value")),
    }
}

pub(crate) fn to_yaml_pretty(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let Some(v) = a[0].to_value() else {
        return Ok(Val::str(""));
    };
    let st = super::super::yamlpretty::emit(&v);
    Ok(Val::str(st.strip_suffix('\n').unwrap_or(&st)))
}

/// `sigs.k8s.io/yaml.Unmarshal`: the first document only; an empty one is an empty map.
fn parse_yaml(text: &str) -> Result<crate::yaml::Value, String> {
    match crate::yaml::parse_yaml_to_json(text) {
        Ok(crate::yaml::Value::Null) => Ok(crate::yaml::Value::Map(Default::default())),
        Ok(v) => Ok(v),
        Err(e) => Err(format!("error converting YAML to JSON: {}", e.go_text())),
    }
}

pub(crate) fn from_yaml(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let mut m = BTreeMap::new();
    match parse_yaml(s(&a[0])) {
        Ok(crate::yaml::Value::Map(map)) => {
            for (k, v) in map.iter() {
                m.insert(k.clone(), Val::from_value(v));
            }
        }
        Ok(crate::yaml::Value::Null) => {}
        Ok(other) => {
            let what = json_kind(&other);
            m.insert(
                "Error".into(),
                Val::str(format!(
                    "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {what} into Go value of type map[string]interface {{}}"
                )),
            );
        }
        Err(e) => {
            m.insert("Error".into(), Val::str(e));
        }
    }
    Ok(Val::dict(m))
}

fn json_kind(v: &crate::yaml::Value) -> &'static str {
    match v {
        crate::yaml::Value::Seq(_) => "array",
        crate::yaml::Value::Map(_) => "object",
        crate::yaml::Value::String(_) => "string",
        crate::yaml::Value::Number(_) => "number",
        crate::yaml::Value::Bool(_) => "bool",
        crate::yaml::Value::Null => "null",
    }
}

pub(crate) fn from_yaml_array(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match parse_yaml(s(&a[0])) {
        Ok(crate::yaml::Value::Seq(items)) => {
            Ok(Val::list(items.iter().map(Val::from_value).collect()))
        }
        Ok(crate::yaml::Value::Null) => Ok(Val::list(vec![])),
        Ok(crate::yaml::Value::Map(m)) if m.is_empty() && s(&a[0]).trim().is_empty() => {
            Ok(Val::list(vec![]))
        }
        Ok(other) => Ok(Val::list(vec![Val::str(format!(
            "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal {} into Go value of type []interface {{}}",
            json_kind(&other)
        ))])),
        Err(e) => Ok(Val::list(vec![Val::str(e)])),
    }
}

const PLAIN: Opts = Opts {
    escape_html: true,
    indent: false,
};

pub(crate) fn to_json(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(marshal(&a[0], PLAIN).unwrap_or_default()))
}

pub(crate) fn must_to_json(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    marshal(&a[0], PLAIN).map(Val::str).map_err(FnError::msg)
}

fn json_type_err(v: &Val, target: &str) -> String {
    let what = match v {
        Val::List(_) => "array",
        Val::Map(_) => "object",
        Val::Str(_) => "string",
        Val::Float(_) => "number",
        Val::Bool(_) => "bool",
        _ => "null",
    };
    format!("json: cannot unmarshal {what} into Go value of type {target}")
}

pub(crate) fn from_json(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match unmarshal(s(&a[0])) {
        Ok(v @ Val::Map(_)) => Ok(v),
        Ok(Val::Nil) => Ok(Val::dict(BTreeMap::new())),
        Ok(other) => {
            let mut m = BTreeMap::new();
            m.insert(
                "Error".into(),
                Val::str(json_type_err(&other, "map[string]interface {}")),
            );
            Ok(Val::dict(m))
        }
        Err(e) => {
            let mut m = BTreeMap::new();
            m.insert("Error".into(), Val::str(e));
            Ok(Val::dict(m))
        }
    }
}

pub(crate) fn from_json_array(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match unmarshal(s(&a[0])) {
        Ok(v @ Val::List(_)) => Ok(v),
        Ok(Val::Nil) => Ok(Val::list(vec![])),
        Ok(other) => Ok(Val::list(vec![Val::str(json_type_err(
            &other,
            "[]interface {}",
        ))])),
        Err(e) => Ok(Val::list(vec![Val::str(e)])),
    }
}

pub(crate) fn get_host_by_name(_: &mut Cx<'_>, _: Vec<Val>) -> FnResult {
    Ok(Val::str(""))
}

pub(crate) fn register_json(add: &mut Add<'_>) {
    add(
        "toPrettyJson",
        &[Any],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(
                marshal(
                    &a[0],
                    Opts {
                        escape_html: true,
                        indent: true,
                    },
                )
                .unwrap_or_default(),
            ))
        }),
    );
    add(
        "mustToPrettyJson",
        &[Any],
        false,
        Builtin::Fn(|_, a| {
            marshal(
                &a[0],
                Opts {
                    escape_html: true,
                    indent: true,
                },
            )
            .map(Val::str)
            .map_err(FnError::msg)
        }),
    );
    add(
        "toRawJson",
        &[Any],
        false,
        Builtin::Fn(|_, a| {
            marshal(
                &a[0],
                Opts {
                    escape_html: false,
                    indent: false,
                },
            )
            .map(Val::str)
            .map_err(FnError::msg)
        }),
    );
    add(
        "mustToRawJson",
        &[Any],
        false,
        Builtin::Fn(|_, a| {
            marshal(
                &a[0],
                Opts {
                    escape_html: false,
                    indent: false,
                },
            )
            .map(Val::str)
            .map_err(FnError::msg)
        }),
    );
    add(
        "mustFromJson",
        &[Str],
        false,
        Builtin::Fn(|_, a| unmarshal(s(&a[0])).map_err(FnError::msg)),
    );
}

// ---- TOML ------------------------------------------------------------------------------

fn toml_str(st: &str) -> String {
    let mut out = String::from("\"");
    for c in st.chars() {
        match c {
            '\x08' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\x0c' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn toml_key(k: &str) -> String {
    if !k.is_empty()
        && k.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
    {
        k.to_string()
    } else {
        toml_str(k)
    }
}

fn toml_scalar(v: &Val) -> Result<String, String> {
    Ok(match v {
        Val::Bool(b) => b.to_string(),
        Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => i.to_string(),
        Val::Uint8(u) => u.to_string(),
        Val::Uint64(u) => u.to_string(),
        Val::Float(f) => {
            if f.is_nan() {
                if f.is_sign_negative() {
                    "-nan".into()
                } else {
                    "nan".into()
                }
            } else if f.is_infinite() {
                if *f > 0.0 {
                    "inf".into()
                } else {
                    "-inf".into()
                }
            } else {
                let st = strconv::format_float(*f, 'g', -1);
                if !st.contains('.') && !st.contains('e') {
                    format!("{st}.0")
                } else {
                    st
                }
            }
        }
        Val::Str(st) => toml_str(st),
        // BurntSushi writes TOML's local datetimes, dates and times (the zones its
        // decoder gives them) without an offset.
        Val::Time(t) => t.format(match &*t.zone {
            "datetime-local" => "2006-01-02T15:04:05.999999999",
            "date-local" => "2006-01-02",
            "time-local" => "15:04:05.999999999",
            _ => crate::template::time::RFC3339_NANO,
        }),
        Val::Semver(s) => toml_str(&s.to_string()),
        Val::List(l) => {
            let parts: Result<Vec<String>, String> = l.items.iter().map(toml_scalar).collect();
            format!("[{}]", parts?.join(", "))
        }
        Val::Map(m) => {
            let parts: Result<Vec<String>, String> = m
                .entries
                .borrow()
                .iter()
                .map(|(k, v)| Ok(format!("{} = {}", toml_key(k), toml_scalar(v)?)))
                .collect();
            format!("{{{}}}", parts?.join(", "))
        }
        Val::Missing | Val::Nil => return Err("toml: cannot encode a nil value".into()),
        other => toml_str(&crate::template::value::sprint_v(other)),
    })
}

fn is_table(v: &Val) -> bool {
    matches!(v, Val::Map(_) | Val::Struct(_))
}

fn is_table_array(v: &Val) -> bool {
    matches!(v, Val::List(l) if !l.items.is_empty() && l.items.iter().all(is_table))
}

fn toml_table(out: &mut String, m: &BTreeMap<String, Val>, path: &[String]) -> Result<(), String> {
    let indent = "  ".repeat(path.len());
    for (k, v) in m {
        if v.is_nil() || is_table(v) || is_table_array(v) {
            continue;
        }
        out.push_str(&format!("{indent}{} = {}\n", toml_key(k), toml_scalar(v)?));
    }
    for (k, v) in m {
        let mut p = path.to_vec();
        p.push(toml_key(k));
        let hdr_indent = "  ".repeat(path.len());
        if let Val::Map(sub) = v {
            // BurntSushi's eTable: a blank line before top-level tables only.
            if path.is_empty() && !out.is_empty() {
                out.push('\n');
            }
            out.push_str(&format!("{hdr_indent}[{}]\n", p.join(".")));
            toml_table(out, &sub.entries.borrow(), &p)?;
        } else if let Val::List(l) = v
            && is_table_array(v)
        {
            for item in &l.items {
                if let Val::Map(sub) = item {
                    if !out.is_empty() {
                        out.push('\n');
                    }
                    out.push_str(&format!("{hdr_indent}[[{}]]\n", p.join(".")));
                    toml_table(out, &sub.entries.borrow(), &p)?;
                }
            }
        }
    }
    Ok(())
}

pub(crate) fn to_toml(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let r = match &a[0] {
        Val::Map(m) => {
            let mut out = String::new();
            toml_table(&mut out, &m.entries.borrow(), &[]).map(|_| out)
        }
        other => toml_scalar(other),
    };
    Ok(Val::str(r.unwrap_or_else(|e| e)))
}

pub(crate) fn from_toml(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match super::super::toml::parse(s(&a[0])) {
        Ok(v) => Ok(v),
        Err(e) => {
            let mut m = BTreeMap::new();
            m.insert("Error".into(), Val::str(e));
            Ok(Val::dict(m))
        }
    }
}

// ---- net/url ---------------------------------------------------------------------------

/// A parsed URL (Go's `url.URL` subset).
#[derive(Debug, Default, Clone)]
pub(crate) struct GoUrl {
    pub scheme: String,
    pub opaque: String,
    pub userinfo: Option<String>,
    pub host: String,
    pub path: String,
    pub raw_query: String,
    pub fragment: String,
}

fn unescape(st: &str) -> Result<String, String> {
    let b = st.as_bytes();
    let mut out = vec![];
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            if i + 2 >= b.len() && i + 2 > b.len() - 1 + 1 {
                return Err(format!("invalid URL escape {}", strconv::quote(&st[i..])));
            }
            let h = std::str::from_utf8(&b[i + 1..(i + 3).min(b.len())]).unwrap_or("");
            let v = u8::from_str_radix(h, 16).map_err(|_| {
                format!(
                    "invalid URL escape {}",
                    strconv::quote(&st[i..(i + 3).min(st.len())])
                )
            })?;
            out.push(v);
            i += 3;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    Ok(super::bytes_to_gostr(&out))
}

/// Go's `url.Parse` (common cases).
pub(crate) fn parse_url(raw: &str) -> Result<GoUrl, String> {
    let q = strconv::quote;
    let mut u = GoUrl::default();
    let mut rest = raw;
    if let Some(i) = rest.find('#') {
        u.fragment = unescape(&rest[i + 1..]).map_err(|e| format!("parse {}: {e}", q(raw)))?;
        rest = &rest[..i];
    }
    // scheme
    if let Some(i) = rest.find(':') {
        let sch = &rest[..i];
        if !sch.is_empty()
            && sch.as_bytes()[0].is_ascii_alphabetic()
            && sch
                .bytes()
                .all(|c| c.is_ascii_alphanumeric() || c == b'+' || c == b'-' || c == b'.')
        {
            u.scheme = sch.to_ascii_lowercase();
            rest = &rest[i + 1..];
        } else if i == 0 {
            return Err(format!("parse {}: missing protocol scheme", q(raw)));
        }
    }
    if let Some(i) = rest.find('?') {
        u.raw_query = rest[i + 1..].to_string();
        rest = &rest[..i];
    }
    if !rest.starts_with('/') && !u.scheme.is_empty() {
        u.opaque = rest.to_string();
        return Ok(u);
    }
    if let Some(after) = rest.strip_prefix("//") {
        let end = after.find('/').unwrap_or(after.len());
        let authority = &after[..end];
        rest = &after[end..];
        let host = match authority.rfind('@') {
            Some(at) => {
                u.userinfo =
                    Some(unescape(&authority[..at]).map_err(|e| format!("parse {}: {e}", q(raw)))?);
                &authority[at + 1..]
            }
            None => authority,
        };
        if host.starts_with('[') && !host.contains(']') {
            return Err(format!("parse {}: missing ']' in host", q(raw)));
        }
        u.host = host.to_string();
    }
    u.path = unescape(rest).map_err(|e| format!("parse {}: {e}", q(raw)))?;
    Ok(u)
}

/// `URL.Hostname()`.
pub(crate) fn hostname(host: &str) -> String {
    if let Some(r) = host.strip_prefix('[') {
        return r.split(']').next().unwrap_or("").to_string();
    }
    match host.rfind(':') {
        Some(i) if host[i + 1..].bytes().all(|c| c.is_ascii_digit()) => host[..i].to_string(),
        _ => host.to_string(),
    }
}

fn escape(st: &str, keep: &str) -> String {
    let mut out = String::new();
    for &b in super::gostr_to_bytes(st).iter() {
        if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) || keep.as_bytes().contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

impl GoUrl {
    /// Go's `URL.String()`.
    pub fn string(&self) -> String {
        let mut out = String::new();
        if !self.scheme.is_empty() {
            out.push_str(&self.scheme);
            out.push(':');
        }
        if !self.opaque.is_empty() {
            out.push_str(&self.opaque);
        } else {
            if !self.scheme.is_empty() || !self.host.is_empty() || self.userinfo.is_some() {
                if !self.host.is_empty() || !self.path.is_empty() || self.userinfo.is_some() {
                    out.push_str("//");
                }
                if let Some(ui) = &self.userinfo {
                    match ui.split_once(':') {
                        Some((user, pw)) => {
                            out.push_str(&escape(user, "$&+,;="));
                            out.push(':');
                            out.push_str(&escape(pw, "$&+,;="));
                        }
                        None => out.push_str(&escape(ui, "$&+,;=")),
                    }
                    out.push('@');
                }
                out.push_str(&escape(&self.host, "!$&'()*+,;=:[]<>\""));
            }
            let p = escape(&self.path, "$&+,/:;=@");
            if !p.is_empty() && !p.starts_with('/') && !self.host.is_empty() {
                out.push('/');
            }
            if out.is_empty()
                && let Some(i) = p.find(':')
                && !p[..i].contains('/')
            {
                out.push_str("./");
            }
            out.push_str(&p);
        }
        if !self.raw_query.is_empty() {
            out.push('?');
            out.push_str(&self.raw_query);
        }
        if !self.fragment.is_empty() {
            out.push('#');
            out.push_str(&escape(&self.fragment, "$&+,/:;=@!()*?'"));
        }
        out
    }
}

/// Builds `.Files`-style maps (`engine.files`).
pub(crate) fn files_map(entries: BTreeMap<String, Val>) -> Val {
    Val::map(MapKind::Files, entries)
}
