//! Kubernetes label selectors (`app=web,tier in (a,b),!legacy`), as kustomize parses them
//! for `labelSelector` and `annotationSelector`.

/// A selector operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    Exists,
    DoesNotExist,
    Equals,
    NotEquals,
    In,
    NotIn,
    GreaterThan,
    LessThan,
}

/// One requirement of a selector.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Requirement {
    key: String,
    op: Op,
    values: Vec<String>,
}

/// A parsed selector: all requirements must hold. Empty selects everything.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub(crate) struct LabelSelector {
    reqs: Vec<Requirement>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Tok {
    Ident(String),
    Not,
    Eq,
    DoubleEq,
    NotEq,
    Gt,
    Lt,
    In,
    NotIn,
    Open,
    Close,
    Comma,
    End,
}

impl Tok {
    fn literal(&self) -> String {
        match self {
            Tok::Ident(s) => s.clone(),
            Tok::Not => "!".into(),
            Tok::Eq => "=".into(),
            Tok::DoubleEq => "==".into(),
            Tok::NotEq => "!=".into(),
            Tok::Gt => ">".into(),
            Tok::Lt => "<".into(),
            Tok::In => "in".into(),
            Tok::NotIn => "notin".into(),
            Tok::Open => "(".into(),
            Tok::Close => ")".into(),
            Tok::Comma => ",".into(),
            Tok::End => String::new(),
        }
    }

    /// In value position `in` and `notin` are plain identifiers.
    fn into_value(self) -> Tok {
        match self {
            Tok::In => Tok::Ident("in".into()),
            Tok::NotIn => Tok::Ident("notin".into()),
            t => t,
        }
    }
}

fn is_special(b: u8) -> bool {
    matches!(b, b'=' | b'!' | b'(' | b')' | b',' | b'>' | b'<')
}

fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

fn symbol(s: &[u8]) -> Option<Tok> {
    Some(match s {
        b")" => Tok::Close,
        b"," => Tok::Comma,
        b"!" => Tok::Not,
        b"==" => Tok::DoubleEq,
        b"=" => Tok::Eq,
        b">" => Tok::Gt,
        b"<" => Tok::Lt,
        b"!=" => Tok::NotEq,
        b"(" => Tok::Open,
        _ => return None,
    })
}

fn lex(s: &str) -> Result<Vec<Tok>, String> {
    let b = s.as_bytes();
    let mut i = 0;
    let mut out = Vec::new();
    loop {
        while i < b.len() && is_space(b[i]) {
            i += 1;
        }
        if i >= b.len() {
            out.push(Tok::End);
            return Ok(out);
        }
        if is_special(b[i]) {
            // Longest run of special characters that still forms a token.
            let start = i;
            let mut last: Option<(Tok, usize)> = None;
            while i < b.len() && is_special(b[i]) {
                match symbol(&b[start..=i]) {
                    Some(t) => last = Some((t, i + 1)),
                    None if last.is_some() => break,
                    None => {}
                }
                i += 1;
            }
            match last {
                Some((t, end)) => {
                    out.push(t);
                    i = end;
                }
                None => {
                    return Err(format!("error expected: keyword found '{}'", &s[start..i]));
                }
            }
        } else {
            let start = i;
            while i < b.len() && !is_special(b[i]) && !is_space(b[i]) {
                i += 1;
            }
            let word = &s[start..i];
            out.push(match word {
                "in" => Tok::In,
                "notin" => Tok::NotIn,
                w => Tok::Ident(w.to_owned()),
            });
        }
    }
}

struct Parser {
    toks: Vec<Tok>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Tok {
        self.toks
            .get(self.pos)
            .cloned()
            .unwrap_or(Tok::End)
            .into_value()
    }
    fn next_raw(&mut self) -> Tok {
        let t = self.toks.get(self.pos).cloned().unwrap_or(Tok::End);
        self.pos += 1;
        t
    }
    fn next(&mut self) -> Tok {
        self.next_raw().into_value()
    }

    fn requirement(&mut self) -> Result<Requirement, String> {
        let mut tok = self.next();
        let mut op = None;
        if tok == Tok::Not {
            op = Some(Op::DoesNotExist);
            tok = self.next();
        }
        let Tok::Ident(key) = tok else {
            return Err(format!("found '{}', expected: identifier", tok.literal()));
        };
        validate_key(&key)?;
        if op.is_some() || matches!(self.peek(), Tok::End | Tok::Comma) {
            // `!key` takes no operator; what follows it is the parser's to reject.
            return Ok(Requirement {
                key,
                op: op.unwrap_or(Op::Exists),
                values: Vec::new(),
            });
        }
        let t = self.next_raw();
        let op = match t {
            Tok::In => Op::In,
            Tok::Eq | Tok::DoubleEq => Op::Equals,
            Tok::Gt => Op::GreaterThan,
            Tok::Lt => Op::LessThan,
            Tok::NotIn => Op::NotIn,
            Tok::NotEq => Op::NotEquals,
            other => {
                return Err(format!(
                    "found '{}', expected: '=', '!=', '==', 'in', notin'",
                    other.literal()
                ));
            }
        };
        let values = match op {
            Op::In | Op::NotIn => self.values()?,
            _ => self.exact_value()?,
        };
        if matches!(op, Op::GreaterThan | Op::LessThan) {
            for v in &values {
                if v.parse::<i64>().is_err() {
                    return Err("for 'Gt', 'Lt' operators, the value must be an integer".into());
                }
            }
        }
        Ok(Requirement { key, op, values })
    }

    fn values(&mut self) -> Result<Vec<String>, String> {
        let t = self.next();
        if t != Tok::Open {
            return Err(format!("found '{}' expected: '('", t.literal()));
        }
        let look = self.peek();
        match look {
            Tok::Ident(_) | Tok::Comma => {
                let mut set: Vec<String> = Vec::new();
                let add = |s: String, set: &mut Vec<String>| {
                    if !set.contains(&s) {
                        set.push(s);
                    }
                };
                loop {
                    match self.next() {
                        Tok::Ident(v) => {
                            add(v, &mut set);
                            match self.peek() {
                                Tok::Comma => continue,
                                Tok::Close => break,
                                other => {
                                    return Err(format!(
                                        "found '{}', expected: ',' or ')'",
                                        other.literal()
                                    ));
                                }
                            }
                        }
                        Tok::Comma => {
                            if set.is_empty() {
                                add(String::new(), &mut set);
                            }
                            match self.peek() {
                                Tok::Close => {
                                    add(String::new(), &mut set);
                                    break;
                                }
                                Tok::Comma => {
                                    self.next();
                                    add(String::new(), &mut set);
                                }
                                _ => {}
                            }
                        }
                        other => {
                            return Err(format!(
                                "found '{}', expected: ',', or identifier",
                                other.literal()
                            ));
                        }
                    }
                }
                if self.next() != Tok::Close {
                    return Err(format!("found '{}', expected: ')'", look.literal()));
                }
                for v in &set {
                    validate_value(v)?;
                }
                Ok(set)
            }
            Tok::Close => {
                self.next();
                Ok(vec![String::new()])
            }
            other => Err(format!(
                "found '{}', expected: ',', ')' or identifier",
                other.literal()
            )),
        }
    }

    fn exact_value(&mut self) -> Result<Vec<String>, String> {
        match self.peek() {
            Tok::End | Tok::Comma => Ok(vec![String::new()]),
            _ => match self.next() {
                Tok::Ident(v) => {
                    validate_value(&v)?;
                    Ok(vec![v])
                }
                other => Err(format!("found '{}', expected: identifier", other.literal())),
            },
        }
    }
}

fn name_ok(s: &str, max: usize) -> bool {
    let b = s.as_bytes();
    !s.is_empty()
        && s.len() <= max
        && b.first().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.last().is_some_and(|c| c.is_ascii_alphanumeric())
        && b.iter()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, b'-' | b'_' | b'.'))
}

fn validate_key(k: &str) -> Result<(), String> {
    let (prefix, name) = match k.split_once('/') {
        Some((p, n)) => (Some(p), n),
        None => (None, k),
    };
    let prefix_ok = prefix.is_none_or(|p| {
        !p.is_empty()
            && p.len() <= 253
            && p.split('.').all(|l| {
                let b = l.as_bytes();
                !l.is_empty()
                    && b.first()
                        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && b.last()
                        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
                    && b.iter()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == b'-')
            })
    });
    if prefix_ok && name_ok(name, 63) {
        Ok(())
    } else {
        Err(format!(
            "invalid label key \"{k}\": name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

fn validate_value(v: &str) -> Result<(), String> {
    if v.is_empty() || name_ok(v, 63) {
        Ok(())
    } else {
        Err(format!(
            "invalid label value: \"{v}\": a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character"
        ))
    }
}

impl LabelSelector {
    /// Parses a selector; errors are worded as Kubernetes words them.
    pub(crate) fn parse(s: &str) -> Result<Self, String> {
        let mut p = Parser {
            toks: lex(s)?,
            pos: 0,
        };
        let mut reqs = Vec::new();
        loop {
            match p.peek() {
                Tok::Ident(_) | Tok::Not => {
                    let r = p
                        .requirement()
                        .map_err(|e| format!("unable to parse requirement: {e}"))?;
                    reqs.push(r);
                    match p.next() {
                        Tok::End => break,
                        Tok::Comma => {
                            let t = p.peek();
                            if !matches!(t, Tok::Ident(_) | Tok::Not) {
                                return Err(format!(
                                    "found '{}', expected: identifier after ','",
                                    t.literal()
                                ));
                            }
                        }
                        other => {
                            return Err(format!(
                                "found '{}', expected: ',' or 'end of string'",
                                other.literal()
                            ));
                        }
                    }
                }
                Tok::End => break,
                other => {
                    return Err(format!(
                        "found '{}', expected: !, identifier, or 'end of string'",
                        other.literal()
                    ));
                }
            }
        }
        Ok(LabelSelector { reqs })
    }

    /// Whether a set of labels (or annotations) satisfies every requirement.
    /// Whether the selector has no requirement (and so selects everything).
    pub(crate) fn is_empty(&self) -> bool {
        self.reqs.is_empty()
    }

    pub(crate) fn matches(&self, labels: &[(String, String)]) -> bool {
        let get = |k: &str| {
            labels
                .iter()
                .find(|(lk, _)| lk == k)
                .map(|(_, v)| v.as_str())
        };
        self.reqs.iter().all(|r| match r.op {
            Op::Exists => get(&r.key).is_some(),
            Op::DoesNotExist => get(&r.key).is_none(),
            Op::Equals | Op::In => get(&r.key).is_some_and(|v| r.values.iter().any(|x| x == v)),
            Op::NotEquals | Op::NotIn => {
                get(&r.key).is_none_or(|v| !r.values.iter().any(|x| x == v))
            }
            Op::GreaterThan | Op::LessThan => {
                let Some(v) = get(&r.key).and_then(|v| v.parse::<i64>().ok()) else {
                    return false;
                };
                r.values
                    .iter()
                    .filter_map(|x| x.parse::<i64>().ok())
                    .all(|x| {
                        if r.op == Op::GreaterThan {
                            v > x
                        } else {
                            v < x
                        }
                    })
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn l(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn parses_and_matches() {
        let s = LabelSelector::parse("app=web, tier in (a,b),!legacy").expect("valid selector");
        assert!(s.matches(&l(&[("app", "web"), ("tier", "b")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "b"), ("legacy", "")])));
        assert!(!s.matches(&l(&[("app", "web"), ("tier", "c")])));
        let s = LabelSelector::parse("a!=x,b notin (y)").expect("valid selector");
        assert!(s.matches(&l(&[])));
        assert!(!s.matches(&l(&[("a", "x")])));
        assert!(
            LabelSelector::parse("")
                .expect("valid selector")
                .matches(&l(&[]))
        );
        assert!(LabelSelector::parse("a in b").is_err());
        assert!(LabelSelector::parse("=x").is_err());
        let s = LabelSelector::parse("n>3").expect("valid selector");
        assert!(s.matches(&l(&[("n", "4")])));
        assert!(!s.matches(&l(&[("n", "3")])));
    }
}
