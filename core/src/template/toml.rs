//! A small TOML reader for `fromToml` (tables, arrays of tables, inline tables and
//! arrays, strings, integers, floats, booleans), producing BurntSushi/toml's types.

use std::collections::BTreeMap;

use super::value::Val;

/// Parses a TOML document into a `map[string]interface {}`.
pub(crate) fn parse(text: &str) -> Result<Val, String> {
    let root = Val::dict(BTreeMap::new());
    let mut cur = root.clone();
    for (ln, raw) in text.lines().enumerate() {
        let line = strip_comment(raw).trim();
        if line.is_empty() {
            continue;
        }
        let lineno = ln + 1;
        if let Some(h) = line.strip_prefix("[[").and_then(|l| l.strip_suffix("]]")) {
            let path = split_key(h.trim());
            let (parent, last) = descend(&root, &path[..path.len() - 1])
                .map(|p| (p, path[path.len() - 1].clone()))
                .ok_or_else(|| format!("toml: line {lineno}: bad table"))?;
            let table = Val::dict(BTreeMap::new());
            if let Val::Map(m) = &parent {
                let mut e = m.entries.borrow_mut();
                let mut items = match e.get(&last) {
                    Some(Val::List(l)) => l.items.clone(),
                    _ => vec![],
                };
                items.push(table.clone());
                e.insert(last, Val::list(items));
            }
            cur = table;
            continue;
        }
        if let Some(h) = line.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
            let path = split_key(h.trim());
            cur = descend(&root, &path).ok_or_else(|| format!("toml: line {lineno}: bad table"))?;
            continue;
        }
        let Some(eq) = line.find('=') else {
            return Err(format!("toml: line {lineno}: expected key = value"));
        };
        let key = split_key(line[..eq].trim());
        let vtext = line[eq + 1..].trim();
        let last_key = key.last().cloned().unwrap_or_default();
        if vtext.is_empty() {
            return Err(format!(
                "toml: line {lineno} (last key {}): unexpected EOF; expected value",
                super::gofmt::quote(&key.join("."))
            ));
        }
        let mut p = P {
            s: vtext.as_bytes(),
            i: 0,
        };
        let v = p.value().map_err(|e| {
            format!(
                "toml: line {lineno} (last key {}): {e}",
                super::gofmt::quote(&key.join("."))
            )
        })?;
        let parent = descend(&cur, &key[..key.len() - 1])
            .ok_or_else(|| format!("toml: line {lineno}: bad key"))?;
        if let Val::Map(m) = parent {
            m.entries.borrow_mut().insert(last_key, v);
        }
    }
    Ok(root)
}

fn strip_comment(l: &str) -> &str {
    let mut in_str = None;
    for (i, c) in l.char_indices() {
        match (c, in_str) {
            ('"' | '\'', None) => in_str = Some(c),
            (c2, Some(q)) if c2 == q => in_str = None,
            ('#', None) => return &l[..i],
            _ => {}
        }
    }
    l
}

fn split_key(k: &str) -> Vec<String> {
    k.split('.')
        .map(|p| p.trim().trim_matches('"').to_string())
        .collect()
}

fn descend(root: &Val, path: &[String]) -> Option<Val> {
    let mut cur = root.clone();
    for p in path {
        let Val::Map(m) = &cur else { return None };
        let next = {
            let mut e = m.entries.borrow_mut();
            match e.get(p) {
                Some(Val::List(l)) => l.items.last().cloned()?,
                Some(v @ Val::Map(_)) => v.clone(),
                Some(_) => return None,
                None => {
                    let t = Val::dict(BTreeMap::new());
                    e.insert(p.clone(), t.clone());
                    t
                }
            }
        };
        cur = next;
    }
    Some(cur)
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && matches!(self.s[self.i], b' ' | b'\t' | b'\n' | b'\r') {
            self.i += 1;
        }
    }

    fn value(&mut self) -> Result<Val, String> {
        self.ws();
        let Some(&c) = self.s.get(self.i) else {
            return Err("unexpected EOF; expected value".into());
        };
        match c {
            b'"' | b'\'' => {
                self.i += 1;
                let mut out = String::new();
                while let Some(&ch) = self.s.get(self.i) {
                    self.i += 1;
                    if ch == c {
                        return Ok(Val::str(out));
                    }
                    if ch == b'\\' && c == b'"' {
                        let e = self.s.get(self.i).copied().unwrap_or(b'\\');
                        self.i += 1;
                        out.push(match e {
                            b'n' => '\n',
                            b't' => '\t',
                            b'r' => '\r',
                            b'"' => '"',
                            b'\\' => '\\',
                            other => other as char,
                        });
                    } else {
                        out.push(ch as char);
                    }
                }
                Err("unexpected EOF in string".into())
            }
            b'[' => {
                self.i += 1;
                let mut items = vec![];
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b']') {
                        self.i += 1;
                        return Ok(Val::list(items));
                    }
                    items.push(self.value()?);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            b'{' => {
                self.i += 1;
                let mut m = BTreeMap::new();
                loop {
                    self.ws();
                    if self.s.get(self.i) == Some(&b'}') {
                        self.i += 1;
                        return Ok(Val::dict(m));
                    }
                    let start = self.i;
                    while self.i < self.s.len() && self.s[self.i] != b'=' {
                        self.i += 1;
                    }
                    let k = String::from_utf8_lossy(&self.s[start..self.i])
                        .trim()
                        .trim_matches('"')
                        .to_string();
                    self.i += 1;
                    let v = self.value()?;
                    m.insert(k, v);
                    self.ws();
                    if self.s.get(self.i) == Some(&b',') {
                        self.i += 1;
                    }
                }
            }
            _ => {
                let start = self.i;
                while self.i < self.s.len()
                    && !matches!(self.s[self.i], b',' | b']' | b'}' | b' ' | b'\t')
                {
                    self.i += 1;
                }
                let t = String::from_utf8_lossy(&self.s[start..self.i]).to_string();
                match t.as_str() {
                    "true" => return Ok(Val::Bool(true)),
                    "false" => return Ok(Val::Bool(false)),
                    _ => {}
                }
                let clean = t.replace('_', "");
                if let Some(i) = super::gofmt::parse_go_int(&clean)
                    && (!clean.starts_with('0')
                        || clean == "0"
                        || clean.starts_with("0x")
                        || clean.starts_with("0o")
                        || clean.starts_with("0b"))
                {
                    return Ok(Val::Int64(i));
                }
                match clean.parse::<f64>() {
                    Ok(f) => Ok(Val::Float(f)),
                    Err(_) => Err(format!(
                        "expected value but found {} instead",
                        super::gofmt::quote(&t)
                    )),
                }
            }
        }
    }
}
