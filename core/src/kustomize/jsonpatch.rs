//! JSON patch (RFC 6902) over [`Value`]s, with the semantics of the Go library kustomize
//! uses (`evanphx/json-patch` v4): `add`, `remove`, `replace`, `move`, `copy`, `test`;
//! `-` appends to a list; a missing path in `remove`/`replace` is an error.

use crate::yaml::Value;

/// One operation.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Op {
    pub op: String,
    pub path: String,
    pub from: String,
    pub value: Option<Value>,
}

/// Reads a patch document: a list of operations (from YAML or JSON text).
pub(crate) fn decode(v: &Value) -> Result<Vec<Op>, String> {
    let Value::Seq(items) = v else {
        return Err("json patch is not a list of operations".into());
    };
    items
        .iter()
        .map(|i| {
            let m = i.as_map().ok_or("json patch operation is not a map")?;
            let s = |k: &str| m.get(k).and_then(Value::as_str).unwrap_or("").to_owned();
            let op = s("op");
            if op.is_empty() {
                return Err("json patch operation without 'op'".to_owned());
            }
            Ok(Op {
                op,
                path: s("path"),
                from: s("from"),
                value: m.get("value").cloned(),
            })
        })
        .collect()
}

fn unescape(tok: &str) -> String {
    tok.replace("~1", "/").replace("~0", "~")
}

fn split(path: &str) -> Result<Vec<String>, String> {
    if path.is_empty() {
        return Ok(Vec::new());
    }
    let Some(rest) = path.strip_prefix('/') else {
        return Err(format!("invalid JSON pointer \"{path}\""));
    };
    Ok(rest.split('/').map(unescape).collect())
}

fn index(tok: &str, len: usize, allow_end: bool) -> Result<usize, String> {
    if tok == "-" && allow_end {
        return Ok(len);
    }
    let i: usize = tok
        .parse()
        .map_err(|_| format!("invalid array index \"{tok}\""))?;
    let limit = if allow_end {
        len
    } else {
        len.saturating_sub(1)
    };
    if i > limit || (!allow_end && len == 0) {
        return Err(format!("array index out of bounds: {i}"));
    }
    Ok(i)
}

fn parent<'a>(doc: &'a mut Value, toks: &[String], path: &str) -> Result<&'a mut Value, String> {
    let mut cur = doc;
    for t in toks {
        cur = match cur {
            Value::Map(m) => m
                .get_mut(t)
                .ok_or_else(|| format!("doc is missing path: \"{path}\""))?,
            Value::Seq(s) => {
                let i = index(t, s.len(), false)?;
                &mut s[i]
            }
            _ => return Err(format!("doc is missing path: \"{path}\"")),
        };
    }
    Ok(cur)
}

fn get(doc: &Value, path: &str) -> Result<Value, String> {
    let mut cur = doc;
    for t in split(path)? {
        cur = match cur {
            Value::Map(m) => m
                .get(&t)
                .ok_or_else(|| format!("doc is missing path: \"{path}\""))?,
            Value::Seq(s) => s
                .get(index(&t, s.len(), false)?)
                .ok_or("index out of bounds")?,
            _ => return Err(format!("doc is missing path: \"{path}\"")),
        };
    }
    Ok(cur.clone())
}

fn add(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let toks = split(path)?;
    let Some((last, init)) = toks.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent(doc, init, path)? {
        Value::Map(m) => {
            m.insert(last.clone(), value);
            Ok(())
        }
        Value::Seq(s) => {
            let i = index(last, s.len(), true)?;
            s.insert(i, value);
            Ok(())
        }
        _ => Err(format!(
            "add operation does not apply: doc is missing path: \"{path}\""
        )),
    }
}

fn remove(doc: &mut Value, path: &str) -> Result<Value, String> {
    let toks = split(path)?;
    let Some((last, init)) = toks.split_last() else {
        return Err("cannot remove the whole document".into());
    };
    match parent(doc, init, path)? {
        Value::Map(m) => m
            .shift_remove(last)
            .ok_or_else(|| format!("remove operation does not apply: doc is missing key: {path}")),
        Value::Seq(s) => {
            let i = index(last, s.len(), false)?;
            Ok(s.remove(i))
        }
        _ => Err(format!(
            "remove operation does not apply: doc is missing path: \"{path}\""
        )),
    }
}

fn replace(doc: &mut Value, path: &str, value: Value) -> Result<(), String> {
    let toks = split(path)?;
    let Some((last, init)) = toks.split_last() else {
        *doc = value;
        return Ok(());
    };
    match parent(doc, init, path)? {
        Value::Map(m) => match m.get_mut(last) {
            Some(slot) => {
                *slot = value;
                Ok(())
            }
            None => Err(format!(
                "replace operation does not apply: doc is missing key: {path}"
            )),
        },
        Value::Seq(s) => {
            let i = index(last, s.len(), false)?;
            s[i] = value;
            Ok(())
        }
        _ => Err(format!(
            "replace operation does not apply: doc is missing path: {path}"
        )),
    }
}

/// Applies the operations in order.
pub(crate) fn apply(doc: &mut Value, ops: &[Op]) -> Result<(), String> {
    for op in ops {
        let value = || {
            op.value
                .clone()
                .ok_or_else(|| format!("Unexpected kind: {} missing value", op.op))
        };
        match op.op.as_str() {
            "add" => add(doc, &op.path, value()?)?,
            "remove" => {
                remove(doc, &op.path)?;
            }
            "replace" => replace(doc, &op.path, value()?)?,
            "move" => {
                let v = remove(doc, &op.from)?;
                add(doc, &op.path, v)?;
            }
            "copy" => {
                let v = get(doc, &op.from)?;
                add(doc, &op.path, v)?;
            }
            "test" => {
                let v = get(doc, &op.path)?;
                if Some(&v) != op.value.as_ref() {
                    return Err(format!("testing value {} failed", op.path));
                }
            }
            other => return Err(format!("Unexpected kind: {other}")),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Map;

    fn op(o: &str, path: &str, v: Option<Value>) -> Op {
        Op {
            op: o.into(),
            path: path.into(),
            from: String::new(),
            value: v,
        }
    }

    #[test]
    fn adds_appends_replaces_removes() {
        let mut m = Map::new();
        m.insert("a".into(), Value::Seq(vec![Value::from(1i64)]));
        let mut doc = Value::Map(m);
        apply(
            &mut doc,
            &[
                op("add", "/a/-", Some(Value::from(2i64))),
                op("add", "/a/0", Some(Value::from(0i64))),
                op("add", "/b~1c", Some("x".into())),
                op("replace", "/a/2", Some(Value::from(3i64))),
                op("remove", "/a/0", None),
            ],
        )
        .expect("applies");
        assert_eq!(
            doc.get("a"),
            Some(&Value::Seq(vec![Value::from(1i64), Value::from(3i64)]))
        );
        assert_eq!(doc.get("b/c"), Some(&Value::from("x")));
        assert!(apply(&mut doc, &[op("replace", "/nope", Some(Value::Null))]).is_err());
        assert!(apply(&mut doc, &[op("remove", "/a/5", None)]).is_err());
    }
}
