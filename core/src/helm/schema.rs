//! `values.schema.json` validation as Helm v4.1.4 does it (santhosh-tekuri/jsonschema
//! v6 semantics and error text) for the chart and each enabled subchart.
//!
//! Supported keywords: `type`, `enum`, `const`, `required`, `properties`,
//! `patternProperties`, `additionalProperties`, `propertyNames`, `minProperties`,
//! `maxProperties`, `dependencies`, `dependentRequired`, `dependentSchemas`, `items`
//! (schema or, before 2020-12, array), `prefixItems`, `additionalItems`, `minItems`,
//! `maxItems`, `uniqueItems`, `contains`, `minLength`, `maxLength`, `pattern`,
//! `minimum`, `maximum`, `exclusiveMinimum`, `exclusiveMaximum`, `multipleOf`, `allOf`,
//! `anyOf`, `oneOf`, `not`, `if`/`then`/`else`, and `$ref` to `#…` JSON pointers within
//! the document. `format` is not asserted (as the validator's default). A `$ref` to
//! another document is reported as unsupported.

use super::chart::Chart;
use super::{Error, ErrorKind};
use crate::yaml::{Map, Number, Value};

const MAX_DEPTH: usize = 512;

#[derive(Debug)]
enum Kind {
    Schema,
    Group,
    Reference,
    False,
    Type(String, Vec<String>),
    Enum(Vec<Value>),
    Const(Value),
    Required(Vec<String>),
    AdditionalProperties(Vec<String>),
    PropertyNames(String),
    MinProperties(usize, u64),
    MaxProperties(usize, u64),
    Dependency(String, Vec<String>),
    MinItems(usize, u64),
    MaxItems(usize, u64),
    AdditionalItems(usize),
    UniqueItems(usize, usize),
    Contains,
    MinLength(usize, u64),
    MaxLength(usize, u64),
    Pattern(String, String),
    Num(&'static str, f64, f64),
    AllOf,
    AnyOf,
    OneOf(Option<(usize, usize)>),
    Not,
}

#[derive(Debug)]
struct VErr {
    loc: Vec<String>,
    kind: Kind,
    causes: Vec<VErr>,
}

/// Go's `%v` for a JSON primitive (`display` in the validator).
fn display(v: &Value) -> String {
    match v {
        Value::String(s) => quote(s),
        Value::Seq(_) | Value::Map(_) => "value".into(),
        Value::Null => "<nil>".into(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => num_text(as_f64(n)),
    }
}

fn num_text(f: f64) -> String {
    crate::go::strconv::float_v(f)
}

/// The validator's `quote`: Go `%q` with `'` delimiters.
fn quote(s: &str) -> String {
    let q = super::chart::go_quote(s);
    let inner = &q[1..q.len() - 1];
    format!("'{}'", inner.replace("\\\"", "\"").replace('\'', "\\'"))
}

fn join_quoted(v: &[String]) -> String {
    v.iter().map(|s| quote(s)).collect::<Vec<_>>().join(", ")
}

impl Kind {
    fn text(&self) -> String {
        match self {
            Kind::Schema => {
                "jsonschema validation failed with 'file:///values.schema.json#'".into()
            }
            Kind::Group | Kind::Reference => "validation failed".into(),
            Kind::False => "false schema".into(),
            Kind::Type(got, want) => format!("got {got}, want {}", want.join(" or ")),
            Kind::Enum(want) => {
                if want
                    .iter()
                    .any(|w| matches!(w, Value::Seq(_) | Value::Map(_)))
                {
                    "'enum' failed".into()
                } else if want.len() == 1 {
                    format!("value must be {}", display(&want[0]))
                } else {
                    format!(
                        "value must be one of {}",
                        want.iter().map(display).collect::<Vec<_>>().join(", ")
                    )
                }
            }
            Kind::Const(want) => match want {
                Value::Seq(_) | Value::Map(_) => "'const' failed".into(),
                w => format!("value must be {}", display(w)),
            },
            Kind::Required(m) if m.len() == 1 => format!("missing property {}", quote(&m[0])),
            Kind::Required(m) => format!("missing properties {}", join_quoted(m)),
            Kind::AdditionalProperties(p) => {
                format!("additional properties {} not allowed", join_quoted(p))
            }
            Kind::PropertyNames(p) => format!("invalid propertyName {}", quote(p)),
            Kind::MinProperties(g, w) => format!("minProperties: got {g}, want {w}"),
            Kind::MaxProperties(g, w) => format!("maxProperties: got {g}, want {w}"),
            Kind::Dependency(p, m) => format!(
                "properties {} required, if {} exists",
                join_quoted(m),
                quote(p)
            ),
            Kind::MinItems(g, w) => format!("minItems: got {g}, want {w}"),
            Kind::MaxItems(g, w) => format!("maxItems: got {g}, want {w}"),
            Kind::AdditionalItems(n) => format!("last {n} additionalItem(s) not allowed"),
            Kind::UniqueItems(i, j) => format!("items at {i} and {j} are equal"),
            Kind::Contains => "no items match contains schema".into(),
            Kind::MinLength(g, w) => format!("minLength: got {g}, want {w}"),
            Kind::MaxLength(g, w) => format!("maxLength: got {g}, want {w}"),
            Kind::Pattern(g, w) => format!("{} does not match pattern {}", quote(g), quote(w)),
            Kind::Num(k, g, w) => format!("{k}: got {}, want {}", num_text(*g), num_text(*w)),
            Kind::AllOf => "'allOf' failed".into(),
            Kind::AnyOf => "'anyOf' failed".into(),
            Kind::OneOf(None) => "'oneOf' failed, none matched".into(),
            Kind::OneOf(Some((a, b))) => format!("'oneOf' failed, subschemas {a}, {b} matched"),
            Kind::Not => "'not' failed".into(),
        }
    }
}

fn escape_ptr(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}

impl VErr {
    fn skip(&self) -> bool {
        self.causes.len() == 1 && matches!(self.kind, Kind::Reference)
    }

    fn display(&self, out: &mut String, mut indent: usize) {
        if !self.skip() {
            if indent > 0 {
                out.push('\n');
                for _ in 0..indent - 1 {
                    out.push_str("  ");
                }
                out.push_str("- ");
            }
            indent += 1;
            if let Kind::Schema = self.kind {
                out.push_str(&self.kind.text());
            } else {
                let ptr: String = self
                    .loc
                    .iter()
                    .map(|t| format!("/{}", escape_ptr(t)))
                    .collect();
                out.push_str(&format!("at {}: {}", quote(&ptr), self.kind.text()));
            }
        }
        for c in &self.causes {
            c.display(out, indent);
        }
    }
}

fn as_f64(n: &Number) -> f64 {
    match n {
        Number::Int(i) => *i as f64,
        Number::UInt(u) => *u as f64,
        Number::Float(f) => *f,
    }
}

fn type_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Seq(_) => "array",
        Value::Map(_) => "object",
    }
}

fn is_integer(v: &Value) -> bool {
    match v {
        Value::Number(Number::Float(f)) => f.fract() == 0.0 && f.is_finite(),
        Value::Number(_) => true,
        _ => false,
    }
}

fn json_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => as_f64(x) == as_f64(y),
        (Value::Seq(x), Value::Seq(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| json_equal(p, q))
        }
        (Value::Map(x), Value::Map(y)) => {
            x.len() == y.len()
                && x.iter()
                    .all(|(k, v)| y.get(k).is_some_and(|w| json_equal(v, w)))
        }
        _ => a == b,
    }
}

const TYPE_ORDER: &[&str] = &[
    "null", "boolean", "number", "integer", "string", "array", "object",
];

struct Validator<'a> {
    root: &'a Value,
    draft: u32,
    unsupported: Option<String>,
}

fn uint(v: Option<&Value>) -> Option<u64> {
    match v {
        Some(Value::Number(n)) => {
            let f = as_f64(n);
            (f >= 0.0).then_some(f as u64)
        }
        _ => None,
    }
}

fn num(v: Option<&Value>) -> Option<f64> {
    match v {
        Some(Value::Number(n)) => Some(as_f64(n)),
        _ => None,
    }
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

impl<'a> Validator<'a> {
    fn resolve(&mut self, r: &str) -> Option<&'a Value> {
        let Some(frag) = r.strip_prefix('#') else {
            if r.starts_with("urn:") {
                return None;
            }
            self.unsupported = Some(format!(
                "values.schema.json: $ref {r:?} to another document is not supported"
            ));
            return None;
        };
        let mut cur = self.root;
        for tok in frag.split('/').skip(1) {
            let tok = percent_decode(tok).replace("~1", "/").replace("~0", "~");
            cur = match cur {
                Value::Map(m) => m.get(&tok)?,
                Value::Seq(s) => s.get(tok.parse::<usize>().ok()?)?,
                _ => return None,
            };
        }
        Some(cur)
    }

    fn err(loc: &[String], kind: Kind) -> VErr {
        VErr {
            loc: loc.to_vec(),
            kind,
            causes: Vec::new(),
        }
    }

    fn valid(&mut self, s: &Value, v: &Value, loc: &mut Vec<String>, depth: usize) -> bool {
        self.validate(s, v, loc, depth).is_none()
    }

    fn validate_ref(
        &mut self,
        target: &Value,
        v: &Value,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Option<VErr> {
        let e = self.validate(target, v, loc, depth + 1)?;
        let mut r = Self::err(loc, Kind::Reference);
        match e.kind {
            Kind::Group => r.causes = e.causes,
            _ => r.causes.push(e),
        }
        Some(r)
    }

    fn validate(
        &mut self,
        s: &Value,
        v: &Value,
        loc: &mut Vec<String>,
        depth: usize,
    ) -> Option<VErr> {
        if depth > MAX_DEPTH {
            self.unsupported = Some("values.schema.json: schema nesting too deep".into());
            return None;
        }
        let s = match s {
            Value::Bool(true) => return None,
            Value::Bool(false) => return Some(Self::err(loc, Kind::False)),
            Value::Map(m) => m,
            _ => return None,
        };
        let t = type_of(v);
        // type
        if let Some(ty) = s.get("type") {
            let want: Vec<String> = match ty {
                Value::String(x) => vec![x.clone()],
                Value::Seq(xs) => xs
                    .iter()
                    .filter_map(|x| x.as_str().map(str::to_string))
                    .collect(),
                _ => vec![],
            };
            if !want.is_empty() {
                let ok = want.iter().any(|w| w == t)
                    || (want.iter().any(|w| w == "integer") && t == "number" && is_integer(v));
                if !ok {
                    let mut w = want.clone();
                    w.sort_by_key(|x| TYPE_ORDER.iter().position(|o| o == x).unwrap_or(99));
                    w.dedup();
                    return Some(Self::err(loc, Kind::Type(t.to_string(), w)));
                }
            }
        }
        if let Some(c) = s.get("const")
            && !json_equal(v, c)
        {
            return Some(Self::err(loc, Kind::Const(c.clone())));
        }
        if let Some(Value::Seq(items)) = s.get("enum")
            && !items.iter().any(|i| json_equal(v, i))
        {
            return Some(Self::err(loc, Kind::Enum(items.clone())));
        }
        let mut errors: Vec<VErr> = Vec::new();
        if let Some(Value::String(r)) = s.get("$ref") {
            let target = self.resolve(r);
            let e = target.and_then(|t| self.validate_ref(t, v, loc, depth));
            if self.draft < 2019 {
                return e;
            }
            errors.extend(e);
        }
        match v {
            Value::Map(obj) => self.obj(s, obj, loc, depth, &mut errors),
            Value::Seq(arr) => self.arr(s, arr, loc, depth, &mut errors),
            Value::String(st) => {
                let len = st.chars().count();
                if let Some(w) = uint(s.get("minLength"))
                    && (len as u64) < w
                {
                    errors.push(Self::err(loc, Kind::MinLength(len, w)));
                }
                if let Some(w) = uint(s.get("maxLength"))
                    && (len as u64) > w
                {
                    errors.push(Self::err(loc, Kind::MaxLength(len, w)));
                }
                if let Some(Value::String(p)) = s.get("pattern") {
                    match regex::Regex::new(p) {
                        Ok(re) if !re.is_match(st) => {
                            errors.push(Self::err(loc, Kind::Pattern(st.clone(), p.clone())));
                        }
                        Ok(_) => {}
                        Err(_) => {
                            self.unsupported =
                                Some(format!("values.schema.json: unsupported pattern {p:?}"));
                        }
                    }
                }
            }
            Value::Number(n) => {
                let x = as_f64(n);
                type Check = (&'static str, fn(f64, f64) -> bool);
                let checks: [Check; 4] = [
                    ("minimum", |x, w| x < w),
                    ("maximum", |x, w| x > w),
                    ("exclusiveMinimum", |x, w| x <= w),
                    ("exclusiveMaximum", |x, w| x >= w),
                ];
                for (k, bad) in checks {
                    if let Some(w) = num(s.get(k))
                        && bad(x, w)
                    {
                        let k: &'static str = k;
                        errors.push(Self::err(loc, Kind::Num(k, x, w)));
                    }
                }
                if let Some(w) = num(s.get("multipleOf"))
                    && w != 0.0
                    && (x / w).fract() != 0.0
                {
                    errors.push(Self::err(loc, Kind::Num("multipleOf", x, w)));
                }
            }
            _ => {}
        }
        // not, allOf, anyOf, oneOf, if/then/else
        if let Some(n) = s.get("not")
            && self.valid(n, v, loc, depth + 1)
        {
            errors.push(Self::err(loc, Kind::Not));
        }
        if let Some(Value::Seq(all)) = s.get("allOf") {
            let causes: Vec<VErr> = all
                .iter()
                .filter_map(|x| self.validate(x, v, loc, depth + 1))
                .collect();
            if !causes.is_empty() {
                let mut e = Self::err(loc, Kind::AllOf);
                e.causes = causes;
                errors.push(e);
            }
        }
        if let Some(Value::Seq(any)) = s.get("anyOf") {
            let mut causes = Vec::new();
            let mut matched = false;
            for x in any {
                match self.validate(x, v, loc, depth + 1) {
                    Some(e) => causes.push(e),
                    None => {
                        matched = true;
                        break;
                    }
                }
            }
            if !matched {
                let mut e = Self::err(loc, Kind::AnyOf);
                e.causes = causes;
                errors.push(e);
            }
        }
        if let Some(Value::Seq(one)) = s.get("oneOf") {
            let mut matched: Option<usize> = None;
            let mut causes = Vec::new();
            for (i, x) in one.iter().enumerate() {
                match self.validate(x, v, loc, depth + 1) {
                    Some(e) => {
                        if matched.is_none() {
                            causes.push(e);
                        }
                    }
                    None => match matched {
                        None => matched = Some(i),
                        Some(m) => {
                            errors.push(Self::err(loc, Kind::OneOf(Some((m, i)))));
                            break;
                        }
                    },
                }
            }
            if matched.is_none() {
                let mut e = Self::err(loc, Kind::OneOf(None));
                e.causes = causes;
                errors.push(e);
            }
        }
        if let Some(cond) = s.get("if") {
            let branch = if self.valid(cond, v, loc, depth + 1) {
                s.get("then")
            } else {
                s.get("else")
            };
            if let Some(b) = branch {
                errors.extend(self.validate(b, v, loc, depth + 1));
            }
        }
        match errors.len() {
            0 => None,
            1 => errors.pop(),
            _ => {
                let mut e = Self::err(loc, Kind::Group);
                e.causes = errors;
                Some(e)
            }
        }
    }

    fn obj(
        &mut self,
        s: &Map,
        obj: &Map,
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<VErr>,
    ) {
        if let Some(w) = uint(s.get("minProperties"))
            && (obj.len() as u64) < w
        {
            errors.push(Self::err(loc, Kind::MinProperties(obj.len(), w)));
        }
        if let Some(w) = uint(s.get("maxProperties"))
            && (obj.len() as u64) > w
        {
            errors.push(Self::err(loc, Kind::MaxProperties(obj.len(), w)));
        }
        let missing: Vec<String> = strings(s.get("required"))
            .into_iter()
            .filter(|r| !obj.contains_key(r))
            .collect();
        if !missing.is_empty() {
            errors.push(Self::err(loc, Kind::Required(missing)));
        }
        if let Some(Value::Map(deps)) = s.get("dependencies") {
            for (p, dep) in deps {
                if !obj.contains_key(p) {
                    continue;
                }
                match dep {
                    Value::Seq(_) => {
                        let missing: Vec<String> = strings(Some(dep))
                            .into_iter()
                            .filter(|r| !obj.contains_key(r))
                            .collect();
                        if !missing.is_empty() {
                            errors.push(Self::err(loc, Kind::Dependency(p.clone(), missing)));
                        }
                    }
                    other => errors.extend(self.validate(
                        other,
                        &Value::Map(obj.clone()),
                        loc,
                        depth + 1,
                    )),
                }
            }
        }
        let props = s.get("properties").and_then(Value::as_map);
        let pattern_props: Vec<(regex::Regex, &Value)> = s
            .get("patternProperties")
            .and_then(Value::as_map)
            .map(|m| {
                m.iter()
                    .filter_map(|(k, v)| regex::Regex::new(k).ok().map(|r| (r, v)))
                    .collect()
            })
            .unwrap_or_default();
        let additional = s.get("additionalProperties");
        let mut names: Vec<&String> = obj.keys().collect();
        names.sort();
        let mut extra = Vec::new();
        for pname in names {
            let pvalue = &obj[pname.as_str()];
            let mut evaluated = false;
            loc.push(pname.clone());
            if let Some(ps) = props.and_then(|p| p.get(pname.as_str())) {
                evaluated = true;
                errors.extend(self.validate(ps, pvalue, loc, depth + 1));
            }
            for (re, ps) in &pattern_props {
                if re.is_match(pname) {
                    evaluated = true;
                    errors.extend(self.validate(ps, pvalue, loc, depth + 1));
                }
            }
            if !evaluated {
                match additional {
                    Some(Value::Bool(false)) => extra.push(pname.clone()),
                    Some(a @ Value::Map(_)) => {
                        errors.extend(self.validate(a, pvalue, loc, depth + 1))
                    }
                    _ => {}
                }
            }
            loc.pop();
        }
        if !extra.is_empty() {
            errors.push(Self::err(loc, Kind::AdditionalProperties(extra)));
        }
        if let Some(pn) = s.get("propertyNames") {
            let mut keys: Vec<&String> = obj.keys().collect();
            keys.sort();
            for k in keys {
                if let Some(mut e) =
                    self.validate(pn, &Value::String(k.clone()), &mut Vec::new(), depth + 1)
                {
                    e.kind = Kind::PropertyNames(k.clone());
                    e.loc = loc.clone();
                    errors.push(e);
                }
            }
        }
        if let Some(Value::Map(dr)) = s.get("dependentRequired") {
            for (p, reqd) in dr {
                if obj.contains_key(p) {
                    let missing: Vec<String> = strings(Some(reqd))
                        .into_iter()
                        .filter(|r| !obj.contains_key(r))
                        .collect();
                    if !missing.is_empty() {
                        errors.push(Self::err(loc, Kind::Dependency(p.clone(), missing)));
                    }
                }
            }
        }
        if let Some(Value::Map(ds)) = s.get("dependentSchemas") {
            for (p, sch) in ds {
                if obj.contains_key(p) {
                    errors.extend(self.validate(sch, &Value::Map(obj.clone()), loc, depth + 1));
                }
            }
        }
    }

    fn arr(
        &mut self,
        s: &Map,
        arr: &[Value],
        loc: &mut Vec<String>,
        depth: usize,
        errors: &mut Vec<VErr>,
    ) {
        if let Some(w) = uint(s.get("minItems"))
            && (arr.len() as u64) < w
        {
            errors.push(Self::err(loc, Kind::MinItems(arr.len(), w)));
        }
        if let Some(w) = uint(s.get("maxItems"))
            && (arr.len() as u64) > w
        {
            errors.push(Self::err(loc, Kind::MaxItems(arr.len(), w)));
        }
        if matches!(s.get("uniqueItems"), Some(Value::Bool(true))) && arr.len() > 1 {
            'outer: for i in 0..arr.len() {
                for j in i + 1..arr.len() {
                    if json_equal(&arr[i], &arr[j]) {
                        errors.push(Self::err(loc, Kind::UniqueItems(i, j)));
                        break 'outer;
                    }
                }
            }
        }
        let mut item = |me: &mut Self, sch: &Value, i: usize, v: &Value, errors: &mut Vec<VErr>| {
            loc.push(i.to_string());
            errors.extend(me.validate(sch, v, loc, depth + 1));
            loc.pop();
        };
        if self.draft < 2020 {
            let mut evaluated = 0;
            match s.get("items") {
                Some(Value::Seq(list)) => {
                    let n = arr.len().min(list.len());
                    for i in 0..n {
                        item(self, &list[i], i, &arr[i], errors);
                    }
                    evaluated = n;
                }
                Some(sch) => {
                    for (i, v) in arr.iter().enumerate() {
                        item(self, sch, i, v, errors);
                    }
                    evaluated = arr.len();
                }
                None => {}
            }
            match s.get("additionalItems") {
                Some(Value::Bool(false))
                    if evaluated != arr.len()
                        && s.get("items").is_some_and(|i| matches!(i, Value::Seq(_))) =>
                {
                    errors.push(Self::err(loc, Kind::AdditionalItems(arr.len() - evaluated)));
                }
                Some(sch @ Value::Map(_)) => {
                    for (i, v) in arr.iter().enumerate().skip(evaluated) {
                        item(self, sch, i - evaluated, v, errors);
                    }
                }
                _ => {}
            }
        } else {
            let prefix = s.get("prefixItems").and_then(Value::as_seq).unwrap_or(&[]);
            let n = arr.len().min(prefix.len());
            for i in 0..n {
                item(self, &prefix[i], i, &arr[i], errors);
            }
            if let Some(sch) = s.get("items") {
                for (i, v) in arr.iter().enumerate().skip(n) {
                    item(self, sch, i - n, v, errors);
                }
            }
        }
        if let Some(c) = s.get("contains") {
            let mut causes = Vec::new();
            let mut matched = false;
            for (i, v) in arr.iter().enumerate() {
                loc.push(i.to_string());
                match self.validate(c, v, loc, depth + 1) {
                    Some(e) => causes.push(e),
                    None => matched = true,
                }
                loc.pop();
            }
            if !matched {
                let mut e = Self::err(loc, Kind::Contains);
                e.causes = causes;
                errors.push(e);
            }
        }
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && i + 2 < b.len()
            && let Ok(h) =
                u8::from_str_radix(std::str::from_utf8(&b[i + 1..i + 3]).unwrap_or("zz"), 16)
        {
            out.push(h);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn draft_of(schema: &Value) -> u32 {
    match schema.get("$schema").and_then(Value::as_str) {
        Some(s) if s.contains("draft-04") => 4,
        Some(s) if s.contains("draft-06") => 6,
        Some(s) if s.contains("draft-07") => 7,
        Some(s) if s.contains("2019-09") => 2019,
        _ => 2020,
    }
}

/// Validates `values` against one schema; `Ok(None)` when valid, `Ok(Some(text))` with
/// the validator's error text (as Helm prints it) when not.
fn validate_single(values: &Value, schema_json: &[u8]) -> Result<Option<String>, Error> {
    let text = String::from_utf8_lossy(schema_json);
    let schema = crate::template::parse_json(&text)
        .map_err(|e| Error::new(ErrorKind::Schema, e).in_file("values.schema.json"))?;
    let mut v = Validator {
        root: &schema,
        draft: draft_of(&schema),
        unsupported: None,
    };
    let result = v.validate(&schema, values, &mut Vec::new(), 0);
    if let Some(u) = v.unsupported {
        return Err(Error::new(ErrorKind::Unsupported, u).in_file("values.schema.json"));
    }
    let Some(e) = result else {
        return Ok(None);
    };
    let causes = match e.kind {
        Kind::Group => e.causes,
        _ => vec![e],
    };
    let root = VErr {
        loc: Vec::new(),
        kind: Kind::Schema,
        causes,
    };
    let mut out = String::new();
    root.display(&mut out, 0);
    let out = out
        .strip_prefix("jsonschema validation failed with 'file:///values.schema.json#'\n")
        .unwrap_or(&out)
        .to_string();
    Ok(Some(out + "\n"))
}

fn validate_rec(chart: &Chart, values: &Value, out: &mut String) -> Result<(), Error> {
    if let Some(schema) = &chart.schema
        && let Some(e) = validate_single(values, schema).map_err(|e| e.in_chart(chart.name()))?
    {
        out.push_str(&format!("{}:\n{e}", chart.name()));
    }
    for sub in &chart.dependencies {
        match values.get(sub.name()) {
            None | Some(Value::Null) => {}
            Some(v @ Value::Map(_)) => validate_rec(sub, v, out)?,
            Some(other) => out.push_str(&format!(
                "{}:\ninvalid type for values: expected object (map), got {}\n",
                sub.name(),
                match other {
                    Value::Bool(_) => "bool",
                    Value::Number(Number::Int(_)) => "int64",
                    Value::Number(_) => "float64",
                    Value::String(_) => "string",
                    _ => "[]interface {}",
                }
            )),
        }
    }
    Ok(())
}

/// Validates coalesced values against the chart's schema and its subcharts' schemas.
pub(crate) fn validate_chart(chart: &Chart, values: &Value) -> Result<(), Error> {
    let mut out = String::new();
    validate_rec(chart, values, &mut out)?;
    if out.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Schema,
        format!(
            "values don't meet the specifications of the schema(s) in the following chart(s):\n{out}"
        ),
    )
    .in_chart(chart.name()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(schema: &str, values: &str) -> Option<String> {
        let v = crate::yaml::parse_helm_values(values).expect("yaml");
        validate_single(&v, schema.as_bytes()).expect("schema")
    }

    #[test]
    fn messages() {
        let s = r#"{"type":"object","required":["a"],"properties":{"age":{"type":"integer","minimum":0},"p":{"type":"string"},"e":{"enum":["x","y"]}}}"#;
        assert_eq!(check(s, "a: 1\nage: 3\n"), None);
        assert_eq!(
            check(s, "age: -5\n").as_deref(),
            Some("- at '': missing property 'a'\n- at '/age': minimum: got -5, want 0\n")
        );
        assert_eq!(
            check(s, "a: 1\np: null\ne: z\n").as_deref(),
            Some("- at '/e': value must be one of 'x', 'y'\n- at '/p': got null, want string\n")
        );
        let r = r##"{"$schema":"http://json-schema.org/draft-07/schema#","definitions":{"n":{"type":"number"}},"properties":{"x":{"$ref":"#/definitions/n"}},"additionalProperties":false}"##;
        assert_eq!(
            check(r, "x: s\nz: 1\n").as_deref(),
            Some(
                "- at '/x': got string, want number\n- at '': additional properties 'z' not allowed\n"
            )
        );
    }
}
