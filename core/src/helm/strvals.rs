//! Helm's `strvals` parsers (`--set`, `--set-string`, `--set-file`, `--set-json`,
//! `--set-literal`) and the merge of all user-supplied values in Helm's order.

use super::{Error, ErrorKind};
use crate::yaml::{Map, Number, Value};

/// Helm's `MaxIndex`.
const MAX_INDEX: i64 = 65536;
/// Helm's `MaxNestedNameLevel`.
const MAX_NESTED: usize = 30;

/// Reads a file named by `--set-file` (or `-f`); returns its bytes or an error text.
pub type ReadFile<'a> = dyn FnMut(&str) -> Result<Vec<u8>, String> + 'a;

enum PErr {
    Eof,
    NotList,
    Msg(String),
}

impl From<String> for PErr {
    fn from(s: String) -> Self {
        PErr::Msg(s)
    }
}

type PResult<T> = Result<T, PErr>;

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Typed,
    Str,
    File,
    Json,
    Literal,
}

struct Parser<'r, 'a> {
    sc: Vec<char>,
    pos: usize,
    mode: Mode,
    read: Option<&'r mut ReadFile<'a>>,
}

fn go_quote(s: &str) -> String {
    super::chart::go_quote(s)
}

fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "nil",
        Value::Bool(_) => "bool",
        Value::Number(Number::Int(_)) => "int64",
        Value::Number(Number::UInt(_)) => "uint64",
        Value::Number(Number::Float(_)) => "float64",
        Value::String(_) => "string",
        Value::Seq(_) => "[]interface {}",
        Value::Map(_) => "map[string]interface {}",
    }
}

fn conversion_panic(v: &Value, want: &str) -> PErr {
    PErr::Msg(format!(
        "unable to parse key: interface conversion: interface {{}} is {}, not {want}",
        type_name(v)
    ))
}

/// `typedVal`.
fn typed_val(v: &str, string: bool) -> Value {
    if string {
        return Value::String(v.to_string());
    }
    if v.eq_ignore_ascii_case("true") {
        return Value::Bool(true);
    }
    if v.eq_ignore_ascii_case("false") {
        return Value::Bool(false);
    }
    if v.eq_ignore_ascii_case("null") {
        return Value::Null;
    }
    if v == "0" {
        return Value::Number(Number::Int(0));
    }
    if !v.is_empty()
        && !v.starts_with('0')
        && let Some(i) = crate::go::strconv::parse_int_base(v, 10)
        && !v.contains('_')
    {
        return Value::Number(Number::Int(i));
    }
    Value::String(v.to_string())
}

fn set(data: &mut Map, key: &str, val: Value) {
    if !key.is_empty() {
        data.insert(key.to_string(), val);
    }
}

fn set_index(mut list: Vec<Value>, index: i64, val: Value) -> (Vec<Value>, Option<String>) {
    if index < 0 {
        return (list, Some(format!("negative {index} index not allowed")));
    }
    if index > MAX_INDEX {
        return (
            list,
            Some(format!(
                "index of {index} is greater than maximum supported index of {MAX_INDEX}"
            )),
        );
    }
    let i = index as usize;
    if list.len() <= i {
        list.resize(i + 1, Value::Null);
    }
    list[i] = val;
    (list, None)
}

impl Parser<'_, '_> {
    fn read_rune(&mut self) -> Option<char> {
        let c = self.sc.get(self.pos).copied();
        if c.is_some() {
            self.pos += 1;
        }
        c
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(1);
    }

    /// `runesUntil` (`runesUntilLiteral` in literal mode: no escapes). `Err` at EOF
    /// with what was read.
    fn runes_until(&mut self, stop: &[char]) -> Result<(String, char), String> {
        let mut v = String::new();
        loop {
            let Some(r) = self.read_rune() else {
                return Err(v);
            };
            if stop.contains(&r) {
                return Ok((v, r));
            }
            if r == '\\' && self.mode != Mode::Literal {
                match self.read_rune() {
                    Some(n) => v.push(n),
                    None => return Err(v),
                }
            } else {
                v.push(r);
            }
        }
    }

    fn reader(&mut self, rs: &str) -> PResult<Value> {
        match self.mode {
            Mode::Typed => Ok(typed_val(rs, false)),
            Mode::Str | Mode::Literal | Mode::Json => Ok(typed_val(rs, true)),
            Mode::File => match self.read.as_mut() {
                Some(read) => match read(rs) {
                    Ok(b) => Ok(Value::String(crate::template::bytes_to_gostr(&b))),
                    Err(e) => Err(PErr::Msg(e)),
                },
                None => Err(PErr::Msg(format!("open {rs}: no such file or directory"))),
            },
        }
    }

    fn parse(&mut self, data: &mut Map) -> Result<(), String> {
        loop {
            match self.key(data, 0) {
                Ok(()) => {}
                Err(PErr::Eof) => return Ok(()),
                Err(PErr::NotList) => return Err("not a list".into()),
                Err(PErr::Msg(m)) => return Err(m),
            }
        }
    }

    fn key_index(&mut self) -> PResult<i64> {
        let (v, _) = self.runes_until(&[']']).map_err(|_| PErr::Eof)?;
        v.parse::<i64>()
            .ok()
            .filter(|_| !v.starts_with('+') || v.len() > 1)
            .ok_or_else(|| {
                PErr::Msg(format!(
                    "error parsing index: strconv.Atoi: parsing {}: invalid syntax",
                    go_quote(&v)
                ))
            })
    }

    fn empty_val(&mut self) -> bool {
        loop {
            match self.read_rune() {
                None | Some(',') => return true,
                Some(c) if c.is_whitespace() => {}
                Some(_) => {
                    self.unread();
                    return false;
                }
            }
        }
    }

    fn json_value(&mut self) -> PResult<Value> {
        let rest: String = self.sc[self.pos..].iter().collect();
        let (v, used) = decode_json_prefix(&rest).map_err(PErr::Msg)?;
        self.pos += rest[..used].chars().count();
        Ok(v)
    }

    fn key(&mut self, data: &mut Map, mut nested: usize) -> PResult<()> {
        let stop: &[char] = if self.mode == Mode::Literal {
            &['=', '[', '.']
        } else {
            &['=', '[', ',', '.']
        };
        let (k, last) = match self.runes_until(stop) {
            Ok(x) => x,
            Err(k) if k.is_empty() => return Err(PErr::Eof),
            Err(k) => return Err(PErr::Msg(format!("key {} has no value", go_quote(&k)))),
        };
        match last {
            '[' => {
                let i = self.key_index()?;
                let list = match data.get(&k) {
                    None => Vec::new(),
                    Some(Value::Seq(l)) => l.clone(),
                    Some(other) => return Err(conversion_panic(other, "[]interface {}")),
                };
                let (list, err) = self.list_item(list, i, nested);
                set(data, &k, Value::Seq(list.unwrap_or_default()));
                match err {
                    Some(e) => Err(e),
                    None => Ok(()),
                }
            }
            '=' => {
                if self.mode == Mode::Literal {
                    let v: String = self.sc[self.pos..].iter().collect();
                    self.pos = self.sc.len();
                    set(data, &k, Value::String(v));
                    return Ok(());
                }
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        set(data, &k, Value::Null);
                        return Ok(());
                    }
                    let v = self.json_value()?;
                    set(data, &k, v);
                    self.empty_val();
                    return Ok(());
                }
                match self.val_list() {
                    Ok(vl) => {
                        set(data, &k, Value::Seq(vl));
                        Ok(())
                    }
                    Err(PErr::Eof) => {
                        set(data, &k, Value::String(String::new()));
                        Err(PErr::Eof)
                    }
                    Err(PErr::NotList) => {
                        let rs = self.val();
                        let v = self.reader(&rs);
                        match v {
                            Ok(v) => {
                                set(data, &k, v);
                                Ok(())
                            }
                            Err(e) => {
                                set(data, &k, Value::Null);
                                Err(e)
                            }
                        }
                    }
                    Err(e) => Err(e),
                }
            }
            ',' => {
                set(data, &k, Value::String(String::new()));
                Err(PErr::Msg(format!(
                    "key {} has no value (cannot end with ,)",
                    go_quote(&k)
                )))
            }
            _ => {
                // '.'
                nested += 1;
                if nested > MAX_NESTED {
                    return Err(PErr::Msg(format!(
                        "value name nested level is greater than maximum supported nested level of {MAX_NESTED}"
                    )));
                }
                let existed = data.contains_key(&k);
                let mut inner = match data.get(&k) {
                    None => Map::default(),
                    Some(Value::Map(m)) => m.clone(),
                    Some(other) => {
                        return Err(conversion_panic(other, "map[string]interface {}"));
                    }
                };
                let e = self.key(&mut inner, nested);
                if e.is_ok() && inner.is_empty() {
                    return Err(PErr::Msg(format!("key map {} has no value", go_quote(&k))));
                }
                if !inner.is_empty() || existed {
                    set(data, &k, Value::Map(inner));
                }
                e
            }
        }
    }

    /// Returns the new list (None for Go's nil) and an error.
    fn list_item(
        &mut self,
        list: Vec<Value>,
        i: i64,
        nested: usize,
    ) -> (Option<Vec<Value>>, Option<PErr>) {
        if i < 0 {
            return (
                Some(list),
                Some(PErr::Msg(format!("negative {i} index not allowed"))),
            );
        }
        let (k, last) = match self.runes_until(&['[', '.', '=']) {
            Ok(x) => x,
            Err(k) if !k.is_empty() => {
                return (
                    Some(list),
                    Some(PErr::Msg(format!(
                        "unexpected data at end of array index: {}",
                        go_quote(&k)
                    ))),
                );
            }
            Err(_) => return (Some(list), Some(PErr::Eof)),
        };
        if !k.is_empty() {
            return (
                Some(list),
                Some(PErr::Msg(format!(
                    "unexpected data at end of array index: {}",
                    go_quote(&k)
                ))),
            );
        }
        let done = |(l, e): (Vec<Value>, Option<String>)| (Some(l), e.map(PErr::Msg));
        match last {
            '=' => {
                if self.mode == Mode::Literal {
                    let v: String = self.sc[self.pos..].iter().collect();
                    self.pos = self.sc.len();
                    return done(set_index(list, i, Value::String(v)));
                }
                if self.mode == Mode::Json {
                    if self.empty_val() {
                        return done(set_index(list, i, Value::Null));
                    }
                    let v = match self.json_value() {
                        Ok(v) => v,
                        Err(e) => return (Some(list), Some(e)),
                    };
                    let (l, e) = set_index(list, i, v);
                    if e.is_some() {
                        return (Some(l), e.map(PErr::Msg));
                    }
                    self.empty_val();
                    return (Some(l), None);
                }
                match self.val_list() {
                    Ok(vl) => done(set_index(list, i, Value::Seq(vl))),
                    Err(PErr::Eof) => done(set_index(list, i, Value::String(String::new()))),
                    Err(PErr::NotList) => {
                        let rs = self.val();
                        match self.reader(&rs) {
                            Ok(v) => done(set_index(list, i, v)),
                            Err(e) => (Some(list), Some(e)),
                        }
                    }
                    Err(e) => (Some(list), Some(e)),
                }
            }
            '[' => {
                let next_i = match self.key_index() {
                    Ok(n) => n,
                    Err(e) => return (Some(list), Some(e)),
                };
                let crt = match list.get(i as usize) {
                    None | Some(Value::Null) => Vec::new(),
                    Some(Value::Seq(l)) => l.clone(),
                    Some(other) => {
                        let e = conversion_panic(other, "[]interface {}");
                        return (Some(list), Some(e));
                    }
                };
                let (l2, e) = self.list_item(crt, next_i, nested);
                if e.is_some() {
                    return (Some(list), e);
                }
                let l2 = match l2 {
                    Some(l) => Value::Seq(l),
                    None => Value::Null,
                };
                done(set_index(list, i, l2))
            }
            '.' => {
                let mut inner = match list.get(i as usize) {
                    Some(Value::Map(m)) => m.clone(),
                    _ => Map::default(),
                };
                if let Err(e) = self.key(&mut inner, nested) {
                    return (Some(list), Some(e));
                }
                done(set_index(list, i, Value::Map(inner)))
            }
            other => (
                None,
                Some(PErr::Msg(format!(
                    "parse error: unexpected token {}",
                    other as u32
                ))),
            ),
        }
    }

    fn val(&mut self) -> String {
        match self.runes_until(&[',']) {
            Ok((v, _)) | Err(v) => v,
        }
    }

    fn val_list(&mut self) -> PResult<Vec<Value>> {
        let Some(r) = self.read_rune() else {
            return Err(PErr::Eof);
        };
        if r != '{' {
            self.unread();
            return Err(PErr::NotList);
        }
        let mut list = Vec::new();
        loop {
            match self.runes_until(&[',', '}']) {
                Err(_) => return Err(PErr::Msg("list must terminate with '}'".into())),
                Ok((rs, '}')) => {
                    if let Some(r) = self.read_rune()
                        && r != ','
                    {
                        self.unread();
                    }
                    let v = self.reader(&rs)?;
                    list.push(v);
                    return Ok(list);
                }
                Ok((rs, _)) => {
                    let v = self.reader(&rs)?;
                    list.push(v);
                }
            }
        }
    }
}

fn run(
    s: &str,
    into: &mut Value,
    mode: Mode,
    read: Option<&mut ReadFile<'_>>,
) -> Result<(), String> {
    if !matches!(into, Value::Map(_)) {
        *into = Value::Map(Map::default());
    }
    let Value::Map(m) = into else {
        return Ok(());
    };
    let mut p = Parser {
        sc: s.chars().collect(),
        pos: 0,
        mode,
        read,
    };
    p.parse(m)
}

/// `strvals.ParseInto` (`--set`).
pub fn parse_set(s: &str, into: &mut Value) -> Result<(), String> {
    run(s, into, Mode::Typed, None)
}

/// `strvals.ParseIntoString` (`--set-string`).
pub fn parse_set_string(s: &str, into: &mut Value) -> Result<(), String> {
    run(s, into, Mode::Str, None)
}

/// `strvals.ParseJSON` (`--set-json` in `key=json` form).
pub fn parse_set_json(s: &str, into: &mut Value) -> Result<(), String> {
    run(s, into, Mode::Json, None)
}

/// `strvals.ParseLiteralInto` (`--set-literal`).
pub fn parse_set_literal(s: &str, into: &mut Value) -> Result<(), String> {
    run(s, into, Mode::Literal, None)
}

/// `strvals.ParseIntoFile` (`--set-file`): values are the contents of the named files.
pub fn parse_set_file(s: &str, into: &mut Value, read: &mut ReadFile<'_>) -> Result<(), String> {
    run(s, into, Mode::File, Some(read))
}

// ---------------------------------------------------------------------------
// A JSON decoder for one value at the start of a text (Go's `json.Decoder.Decode`).

fn decode_json_prefix(text: &str) -> Result<(Value, usize), String> {
    let b = text.as_bytes();
    let mut i = 0;
    let v = json_value(b, &mut i, 0)?;
    Ok((v, i))
}

fn skip_ws(b: &[u8], i: &mut usize) {
    while *i < b.len() && matches!(b[*i], b' ' | b'\t' | b'\n' | b'\r') {
        *i += 1;
    }
}

fn json_err(b: &[u8], i: usize) -> String {
    match b.get(i) {
        None => "unexpected EOF".into(),
        Some(c) => format!(
            "invalid character {} looking for beginning of value",
            go_quote(&(*c as char).to_string()).replace('"', "'")
        ),
    }
}

fn json_value(b: &[u8], i: &mut usize, depth: usize) -> Result<Value, String> {
    if depth > 10_000 {
        return Err("exceeded max depth".into());
    }
    skip_ws(b, i);
    match b.get(*i) {
        None => Err("unexpected EOF".into()),
        Some(b'{') => {
            *i += 1;
            let mut m = Map::default();
            skip_ws(b, i);
            if b.get(*i) == Some(&b'}') {
                *i += 1;
                return Ok(Value::Map(m));
            }
            loop {
                skip_ws(b, i);
                if b.get(*i) != Some(&b'"') {
                    return Err(json_err(b, *i));
                }
                let k = json_string(b, i)?;
                skip_ws(b, i);
                if b.get(*i) != Some(&b':') {
                    return Err(json_err(b, *i));
                }
                *i += 1;
                let v = json_value(b, i, depth + 1)?;
                m.insert(k, v);
                skip_ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b'}') => {
                        *i += 1;
                        return Ok(Value::Map(m));
                    }
                    _ => return Err(json_err(b, *i)),
                }
            }
        }
        Some(b'[') => {
            *i += 1;
            let mut items = Vec::new();
            skip_ws(b, i);
            if b.get(*i) == Some(&b']') {
                *i += 1;
                return Ok(Value::Seq(items));
            }
            loop {
                items.push(json_value(b, i, depth + 1)?);
                skip_ws(b, i);
                match b.get(*i) {
                    Some(b',') => *i += 1,
                    Some(b']') => {
                        *i += 1;
                        return Ok(Value::Seq(items));
                    }
                    _ => return Err(json_err(b, *i)),
                }
            }
        }
        Some(b'"') => Ok(Value::String(json_string(b, i)?)),
        Some(b't') if b[*i..].starts_with(b"true") => {
            *i += 4;
            Ok(Value::Bool(true))
        }
        Some(b'f') if b[*i..].starts_with(b"false") => {
            *i += 5;
            Ok(Value::Bool(false))
        }
        Some(b'n') if b[*i..].starts_with(b"null") => {
            *i += 4;
            Ok(Value::Null)
        }
        Some(c) if *c == b'-' || c.is_ascii_digit() => {
            let start = *i;
            json_number(b, i)?;
            let s = std::str::from_utf8(&b[start..*i]).unwrap_or("");
            // encoding/json's `convertNumber`: strconv.ParseFloat, which refuses what
            // overflows a float64.
            match s.parse::<f64>() {
                Ok(f) if f.is_finite() => Ok(Value::Number(Number::Float(f))),
                _ => Err(format!(
                    "json: cannot unmarshal number {s} into Go value of type float64"
                )),
            }
        }
        Some(_) => Err(json_err(b, *i)),
    }
}

/// Scans a JSON number as Go's scanner does: `-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?`,
/// stopping where the grammar ends (so `01` is the number `0` followed by `1`).
fn json_number(b: &[u8], i: &mut usize) -> Result<(), String> {
    let digits = |i: &mut usize| {
        let from = *i;
        while b.get(*i).is_some_and(u8::is_ascii_digit) {
            *i += 1;
        }
        *i > from
    };
    let bad = |i: usize, what: &str| match b.get(i) {
        None => "unexpected EOF".to_owned(),
        Some(c) => format!(
            "invalid character {} {what}",
            go_quote(&(*c as char).to_string()).replace('"', "'")
        ),
    };
    if b.get(*i) == Some(&b'-') {
        *i += 1;
    }
    match b.get(*i) {
        Some(b'0') => *i += 1,
        Some(b'1'..=b'9') => {
            digits(i);
        }
        _ => return Err(bad(*i, "in numeric literal")),
    }
    if b.get(*i) == Some(&b'.') {
        *i += 1;
        if !digits(i) {
            return Err(bad(*i, "after decimal point in numeric literal"));
        }
    }
    if matches!(b.get(*i), Some(b'e' | b'E')) {
        *i += 1;
        if matches!(b.get(*i), Some(b'+' | b'-')) {
            *i += 1;
        }
        if !digits(i) {
            return Err(bad(*i, "in exponent of numeric literal"));
        }
    }
    Ok(())
}

fn json_string(b: &[u8], i: &mut usize) -> Result<String, String> {
    let start = *i;
    *i += 1;
    let mut escaped = false;
    while *i < b.len() {
        let c = b[*i];
        *i += 1;
        if escaped {
            escaped = false;
        } else if c == b'\\' {
            escaped = true;
        } else if c == b'"' {
            let lit = String::from_utf8_lossy(&b[start..*i]).into_owned();
            return match crate::template::parse_json(&lit) {
                Ok(Value::String(s)) => Ok(s),
                _ => Err("invalid string literal".into()),
            };
        }
    }
    Err("unexpected EOF".into())
}

// ---------------------------------------------------------------------------

/// The values a user supplies, merged in Helm's order: `-f` files (in order), then
/// `--set-json`, `--set`, `--set-string`, `--set-file`, `--set-literal` (each in order).
#[derive(Debug, Clone, Default)]
pub struct UserValues {
    /// `-f/--values`: (name as given, contents).
    pub value_files: Vec<(String, Vec<u8>)>,
    /// `--set-json`.
    pub set_json: Vec<String>,
    /// `--set`.
    pub set: Vec<String>,
    /// `--set-string`.
    pub set_string: Vec<String>,
    /// `--set-file` (`key=path`; the path is read through the `read` callback).
    pub set_file: Vec<String>,
    /// `--set-literal`.
    pub set_literal: Vec<String>,
}

impl UserValues {
    /// Merges everything into one values map (`values.Options.MergeValues`).
    pub fn merge(&self, read: &mut ReadFile<'_>) -> Result<Value, Error> {
        let verr = |m: String| Error::new(ErrorKind::Values, m);
        let mut base = Value::Map(Map::default());
        for (name, data) in &self.value_files {
            let cur = super::chart::load_values(data)
                .map_err(|e| verr(format!("failed to parse {name}: {e}")).in_file(name))?;
            base = super::values::merge_maps(base, cur);
        }
        for value in &self.set_json {
            let trimmed = value.trim();
            if trimmed.starts_with('{') {
                match crate::template::parse_json(trimmed) {
                    Ok(v @ Value::Map(_)) => base = super::values::merge_maps(base, v),
                    _ => {
                        return Err(verr(format!(
                            "failed parsing --set-json data JSON: {value}"
                        )));
                    }
                }
            } else if parse_set_json(value, &mut base).is_err() {
                return Err(verr(format!("failed parsing --set-json data {value}")));
            }
        }
        for value in &self.set {
            parse_set(value, &mut base)
                .map_err(|e| verr(format!("failed parsing --set data: {e}")))?;
        }
        for value in &self.set_string {
            parse_set_string(value, &mut base)
                .map_err(|e| verr(format!("failed parsing --set-string data: {e}")))?;
        }
        for value in &self.set_file {
            parse_set_file(value, &mut base, read)
                .map_err(|e| verr(format!("failed parsing --set-file data: {e}")))?;
        }
        for value in &self.set_literal {
            parse_set_literal(value, &mut base)
                .map_err(|e| verr(format!("failed parsing --set-literal data: {e}")))?;
        }
        Ok(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(s: &str) -> Value {
        let mut v = Value::Map(Map::default());
        parse_set(s, &mut v).expect("parse");
        v
    }

    fn y(s: &str) -> Value {
        crate::yaml::parse_yaml_to_json(s).expect("yaml")
    }

    #[test]
    fn set_forms() {
        let v = set("a.b=1,c={x,z},d[1]=true,e=null,f=0123,g=-5");
        assert_eq!(
            v.get_path(&["a", "b"]),
            Some(&Value::Number(Number::Int(1)))
        );
        assert_eq!(v.get("c"), Some(&y("[x, z]")));
        assert_eq!(
            v.get("d"),
            Some(&Value::Seq(vec![Value::Null, Value::Bool(true)]))
        );
        assert_eq!(v.get("e"), Some(&Value::Null));
        assert_eq!(v.get("f"), Some(&Value::String("0123".into())));
        assert_eq!(v.get("g"), Some(&Value::Number(Number::Int(-5))));
        let v = set("a\\.b=x\\,y");
        assert_eq!(v.get("a.b"), Some(&Value::String("x,y".into())));
        let mut v = Value::Map(Map::default());
        assert!(parse_set("a", &mut v).is_err());
        assert!(parse_set("a.=1", &mut v).is_err());
    }

    #[test]
    fn json_and_literal() {
        let mut v = Value::Map(Map::default());
        parse_set_json("a={\"x\":1},b=[1,2]", &mut v).expect("json");
        assert_eq!(
            v.get_path(&["a", "x"]),
            Some(&Value::Number(Number::Float(1.0)))
        );
        let mut v = Value::Map(Map::default());
        parse_set_literal("Name=a,b={c}", &mut v).expect("lit");
        assert_eq!(v.get("Name"), Some(&Value::String("a,b={c}".into())));
    }

    /// Numbers follow Go's JSON grammar, and what overflows a float64 is refused.
    #[test]
    fn json_numbers_are_strict() {
        for bad in [
            "x=01",
            "x=1.",
            "x=1.e5",
            "x=[1,01]",
            "x=00",
            "x=1e400",
            "x=[-1e400]",
            "x=-",
        ] {
            let mut v = Value::Map(Map::default());
            assert!(parse_set_json(bad, &mut v).is_err(), "{bad}");
        }
        let mut v = Value::Map(Map::default());
        parse_set_json("a=-0.5e+2,b=[0,1E2],c=1e-400", &mut v).expect("json");
        assert_eq!(v.get("a"), Some(&Value::Number(Number::Float(-50.0))));
        assert_eq!(v.get("c"), Some(&Value::Number(Number::Float(0.0))));
    }
}
