//! Helm's `strvals` parser for `--set`, `--set-string` and `--set-json`.
//!
//! `--set a.b=1,c[0]=x` merges into a values tree: integers become `int64`, `true` /
//! `false` booleans, `null` deletes/sets null, `{a,b}` lists; `--set-string` keeps
//! every value a string; `--set-json` parses the value as JSON (numbers float64).

use crate::yaml::{Map, Number, Value};

/// How values are typed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// `--set`.
    Typed,
    /// `--set-string`.
    String,
    /// `--set-json`.
    Json,
}

/// Parses one `--set`-style flag value and merges it into `into` (a map).
pub fn parse_into(s: &str, into: &mut Value, mode: Mode) -> Result<(), String> {
    if !matches!(into, Value::Map(_)) {
        *into = Value::Map(Map::default());
    }
    if mode == Mode::Json {
        // key=json, possibly several separated by commas at top level only when the
        // JSON ends; helm splits on the first '=' of each "key=value" item.
        let Some((k, v)) = s.split_once('=') else {
            return Err(format!("key {s:?} has no value"));
        };
        let j = crate::template::funcs::json::unmarshal(v).map_err(|e| e.to_string())?;
        let val = j.to_value().unwrap_or(Value::Null);
        set_path(into, &parse_key(k)?, val);
        return Ok(());
    }
    for item in split_items(s) {
        if item.is_empty() {
            continue;
        }
        let (k, v) = match split_unescaped(&item, '=') {
            Some((k, v)) => (k, Some(v)),
            None => (item.clone(), None),
        };
        let Some(v) = v else {
            return Err(format!("key \"{k}\" has no value"));
        };
        let path = parse_key(&k)?;
        let val = if v.starts_with('{') && v.ends_with('}') && mode == Mode::Typed {
            let inner = &v[1..v.len() - 1];
            Value::Seq(
                split_items(inner)
                    .into_iter()
                    .map(|x| typed(&unescape(&x), mode))
                    .collect(),
            )
        } else {
            typed(&unescape(&v), mode)
        };
        set_path(into, &path, val);
    }
    Ok(())
}

fn split_items(s: &str) -> Vec<String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut depth = 0;
    let mut chars = s.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                cur.push(c);
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '{' => {
                depth += 1;
                cur.push(c);
            }
            '}' => {
                depth -= 1;
                cur.push(c);
            }
            ',' if depth <= 0 => out.push(std::mem::take(&mut cur)),
            c => cur.push(c),
        }
    }
    out.push(cur);
    out
}

fn split_unescaped(s: &str, sep: char) -> Option<(String, String)> {
    let mut prev_bs = false;
    for (i, c) in s.char_indices() {
        if c == sep && !prev_bs {
            return Some((s[..i].to_string(), s[i + 1..].to_string()));
        }
        prev_bs = c == '\\' && !prev_bs;
    }
    None
}

fn unescape(s: &str) -> String {
    let mut out = String::new();
    let mut it = s.chars();
    while let Some(c) = it.next() {
        if c == '\\' {
            if let Some(n) = it.next() {
                out.push(n);
            }
        } else {
            out.push(c);
        }
    }
    out
}

fn typed(v: &str, mode: Mode) -> Value {
    if mode == Mode::String {
        return Value::String(v.to_string());
    }
    match v {
        "true" => return Value::Bool(true),
        "false" => return Value::Bool(false),
        "null" => return Value::Null,
        "0" => return Value::Number(Number::Int(0)),
        _ => {}
    }
    // strconv.ParseInt(s, 10, 64), no leading zeros
    if (!v.starts_with('0') || v.len() == 1)
        && let Ok(i) = v.parse::<i64>()
        && !v.starts_with('+')
    {
        return Value::Number(Number::Int(i));
    }
    Value::String(v.to_string())
}

#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Index(usize),
}

fn parse_key(k: &str) -> Result<Vec<Seg>, String> {
    let mut out = vec![];
    let mut cur = String::new();
    let mut chars = k.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                if let Some(n) = chars.next() {
                    cur.push(n);
                }
            }
            '.' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
            }
            '[' => {
                if !cur.is_empty() {
                    out.push(Seg::Key(std::mem::take(&mut cur)));
                }
                let mut num = String::new();
                for n in chars.by_ref() {
                    if n == ']' {
                        break;
                    }
                    num.push(n);
                }
                let i: usize = num
                    .parse()
                    .map_err(|_| format!("invalid index in key {k:?}"))?;
                if i > 65536 {
                    return Err(format!(
                        "index of {i} is greater than maximum supported index"
                    ));
                }
                out.push(Seg::Index(i));
            }
            c => cur.push(c),
        }
    }
    if !cur.is_empty() {
        out.push(Seg::Key(cur));
    }
    Ok(out)
}

fn set_path(root: &mut Value, path: &[Seg], val: Value) {
    let Some((first, rest)) = path.split_first() else {
        *root = val;
        return;
    };
    match first {
        Seg::Key(k) => {
            if !matches!(root, Value::Map(_)) {
                *root = Value::Map(Map::default());
            }
            if let Value::Map(m) = root {
                if rest.is_empty() {
                    m.insert(k.clone(), val);
                    return;
                }
                let child = m.entry(k.clone()).or_insert(Value::Null);
                set_path(child, rest, val);
            }
        }
        Seg::Index(i) => {
            if !matches!(root, Value::Seq(_)) {
                *root = Value::Seq(vec![]);
            }
            if let Value::Seq(s) = root {
                while s.len() <= *i {
                    s.push(Value::Null);
                }
                set_path(&mut s[*i], rest, val);
            }
        }
    }
}
