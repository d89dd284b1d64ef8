//! Values as Helm v4 combines them (`pkg/chart/common/util/coalesce.go`,
//! `loader.MergeMaps`, `Values.Table`/`PathValue`).
//!
//! Coalescing gives the user's values priority over chart defaults, merges maps, replaces
//! scalars and lists, and deletes keys the user set to `null`; merging (used while
//! importing values) keeps the nulls.

use super::chart::Chart;
use super::{Error, ErrorKind};
use crate::yaml::{Map, Value};

/// `loader.MergeMaps(a, b)`: `b` wins; nested maps merge.
pub fn merge_maps(a: Value, b: Value) -> Value {
    let mut out = match a {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    let Value::Map(b) = b else {
        return Value::Map(out);
    };
    for (k, v) in b {
        if let Value::Map(_) = v
            && let Some(existing @ Value::Map(_)) = out.get_mut(&k)
        {
            let cur = std::mem::take(existing);
            *existing = merge_maps(cur, v);
            continue;
        }
        out.insert(k, v);
    }
    Value::Map(out)
}

fn is_table(v: &Value) -> bool {
    matches!(v, Value::Map(_))
}

/// Go's `%t` verb applied to a non-bool value (the text of a coalesce type mismatch).
fn go_bad_t(v: &Value) -> String {
    match v {
        Value::Null => "%!t(<nil>)".into(),
        Value::Bool(b) => b.to_string(),
        Value::String(s) => format!("%!t(string={s})"),
        Value::Number(crate::yaml::Number::Int(i)) => format!("%!t(int64={i})"),
        Value::Number(crate::yaml::Number::UInt(i)) => format!("%!t(uint64={i})"),
        Value::Number(crate::yaml::Number::Float(f)) => {
            format!("%!t(float64={})", crate::go::strconv::float_v(*f))
        }
        Value::Seq(_) => "[...]".into(),
        Value::Map(_) => "map[...]".into(),
    }
}

/// `CoalesceValues(chart, vals)`. Helm v3 and v4 differ in one case: a key that the user
/// and the chart's defaults both set to null is deleted by Helm v3 and kept (null) by v4.
pub(crate) fn coalesce_values(
    chart: &Chart,
    vals: &Value,
    compat: super::HelmCompat,
) -> Result<Value, Error> {
    let dest = match vals {
        Value::Map(m) => m.clone(),
        _ => Map::default(),
    };
    let mode = Mode {
        merge: false,
        helm3: compat == super::HelmCompat::Helm3,
    };
    Ok(Value::Map(coalesce(chart, dest, mode)?))
}

/// How tables are combined: merging keeps nulls; `helm3` is Helm v3's coalescing.
#[derive(Clone, Copy)]
struct Mode {
    merge: bool,
    helm3: bool,
}

/// `MergeValues(chart, vals)` (nulls kept).
pub(crate) fn merge_values(chart: &Chart, vals: &Value) -> Result<Value, Error> {
    let dest = match vals {
        Value::Map(m) => m.clone(),
        _ => Map::default(),
    };
    let mode = Mode {
        merge: true,
        helm3: false,
    };
    Ok(Value::Map(coalesce(chart, dest, mode)?))
}

fn coalesce(chart: &Chart, mut dest: Map, mode: Mode) -> Result<Map, Error> {
    coalesce_chart_values(chart, &mut dest, mode);
    coalesce_deps(chart, dest, mode)
}

fn coalesce_deps(chart: &Chart, mut dest: Map, mode: Mode) -> Result<Map, Error> {
    for sub in &chart.dependencies {
        let name = sub.name().to_string();
        match dest.get(&name) {
            None => {
                dest.insert(name.clone(), Value::Map(Map::default()));
            }
            Some(v) if !is_table(v) => {
                return Err(Error::new(
                    ErrorKind::Values,
                    format!("type mismatch on {name}: {}", go_bad_t(v)),
                )
                .in_chart(chart.name()));
            }
            Some(_) => {}
        }
        let mut dv = match dest.shift_remove(&name) {
            Some(Value::Map(m)) => m,
            _ => Map::default(),
        };
        coalesce_globals(&mut dv, &dest);
        let out = coalesce(sub, dv, mode)?;
        dest.insert(name, Value::Map(out));
    }
    Ok(dest)
}

/// `coalesceGlobals(dest, src)`: the parent's `global` flows into the subchart's.
fn coalesce_globals(dest: &mut Map, src: &Map) {
    let mut dg = match dest.get("global") {
        None => Map::default(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return,
    };
    let sg = match src.get("global") {
        None => Map::default(),
        Some(Value::Map(m)) => m.clone(),
        Some(_) => return,
    };
    for (key, val) in sg {
        if let Value::Map(vm) = &val {
            let mut vv = vm.clone();
            match dg.get_mut(&key) {
                None => {
                    dg.insert(key, Value::Map(vv));
                }
                Some(Value::Map(destv)) => {
                    coalesce_tables_full(
                        &mut vv,
                        destv,
                        Mode {
                            merge: true,
                            helm3: false,
                        },
                    );
                    dg.insert(key, Value::Map(vv));
                }
                Some(_) => {}
            }
        } else if dg.get(&key).is_some_and(is_table) {
            // A table in the destination is not replaced by a scalar.
        } else {
            dg.insert(key, val);
        }
    }
    dest.insert("global".into(), Value::Map(dg));
}

/// `coalesceValues`: the chart's own defaults under `v`.
fn coalesce_chart_values(chart: &Chart, v: &mut Map, mode: Mode) {
    let Value::Map(vc) = &chart.values else {
        return;
    };
    for (key, val) in vc {
        match v.get_mut(key) {
            Some(value) => {
                if value.is_null() && !mode.merge {
                    v.shift_remove(key);
                } else if let Value::Map(dest) = value
                    && let Value::Map(src) = val
                {
                    let merge = mode.merge || chart.dependencies.iter().any(|d| d.name() == key);
                    let mut src = src.clone();
                    coalesce_tables_full(dest, &mut src, Mode { merge, ..mode });
                }
            }
            None => {
                v.insert(key.clone(), val.clone());
            }
        }
    }
}

/// `MergeTables(dst, src)`: `dst` wins; nulls kept.
pub(crate) fn merge_tables(dst: &mut Map, src: &Map) {
    let mut src = src.clone();
    coalesce_tables_full(
        dst,
        &mut src,
        Mode {
            merge: true,
            helm3: false,
        },
    );
}

/// `coalesceTablesFullKey` (mutates `src` as Go's does).
fn coalesce_tables_full(dst: &mut Map, src: &mut Map, mode: Mode) {
    let merge = mode.merge;
    if mode.helm3 {
        // Helm v3: a null from the user deletes the key, whatever the default.
        for (key, val) in src.iter_mut() {
            match dst.get_mut(key) {
                Some(dv) if !merge && dv.is_null() => {
                    dst.shift_remove(key);
                }
                None => {
                    dst.insert(key.clone(), val.clone());
                }
                Some(dv) => {
                    if let Value::Map(sv) = val
                        && let Value::Map(dm) = dv
                    {
                        coalesce_tables_full(dm, sv, mode);
                    }
                }
            }
        }
        return;
    }
    let src_non_nil: std::collections::HashSet<String> = src
        .iter()
        .filter(|(_, v)| !v.is_null())
        .map(|(k, _)| k.clone())
        .collect();
    for (k, v) in dst.iter() {
        if v.is_null() {
            src.insert(k.clone(), Value::Null);
        }
    }
    for (key, val) in src.iter_mut() {
        match dst.get_mut(key) {
            Some(dv) if !merge && dv.is_null() && src_non_nil.contains(key) => {
                dst.shift_remove(key);
            }
            None => {
                dst.insert(key.clone(), val.clone());
            }
            Some(dv) => {
                if let Value::Map(sv) = val
                    && let Value::Map(dm) = dv
                {
                    coalesce_tables_full(dm, sv, mode);
                }
            }
        }
    }
}

/// `Values.Table(path)`: the map at a dotted path.
pub(crate) fn table<'a>(v: &'a Value, path: &str) -> Option<&'a Map> {
    let mut cur = v.as_map()?;
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return None,
        }
    }
    Some(cur)
}

/// `Values.PathValue(path)`: a non-table value at a dotted path.
pub(crate) fn path_value<'a>(v: &'a Value, path: &str) -> Option<&'a Value> {
    if path.is_empty() {
        return None;
    }
    let parts: Vec<&str> = path.split('.').collect();
    let (key, prefix) = parts.split_last()?;
    let t = if prefix.is_empty() {
        v.as_map()?
    } else {
        table(v, &prefix.join("."))?
    };
    match t.get(*key) {
        Some(x) if !is_table(x) => Some(x),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn y(s: &str) -> Value {
        crate::yaml::parse_helm_values(s).expect("yaml")
    }

    #[test]
    fn coalesce_tables_semantics() {
        let mut dst = y("a: null\nb: {x: 1}\nc: 2\n")
            .as_map()
            .cloned()
            .expect("map");
        let src = y("a: 1\nb: {y: 2}\nd: 4\n").as_map().cloned().expect("map");
        let mut src2 = src.clone();
        let coalescing = |helm3| Mode {
            merge: false,
            helm3,
        };
        coalesce_tables_full(&mut dst, &mut src2, coalescing(false));
        assert_eq!(Value::Map(dst), y("b: {x: 1, y: 2}\nc: 2\nd: 4\n"));
        let mut dst = y("a: null\n").as_map().cloned().expect("map");
        merge_tables(&mut dst, &src);
        assert_eq!(dst.get("a"), Some(&Value::Null));
        // A null the user and the defaults share: kept by Helm v4, deleted by Helm v3.
        for (helm3, expected) in [(false, "a: null\nb: 1\n"), (true, "b: 1\n")] {
            let mut dst = y("a: null\nb: 1\n").as_map().cloned().expect("map");
            let mut src = y("a: null\n").as_map().cloned().expect("map");
            coalesce_tables_full(&mut dst, &mut src, coalescing(helm3));
            assert_eq!(Value::Map(dst), y(expected), "helm3: {helm3}");
        }
    }

    #[test]
    fn merge_maps_nested() {
        let m = merge_maps(y("a: {b: 1, c: 2}\nl: [1]\n"), y("a: {b: 3}\nl: [2]\n"));
        assert_eq!(m, y("a: {b: 3, c: 2}\nl: [2]\n"));
        assert_eq!(path_value(&m, "a.b"), Some(&Value::from(3.0)));
        assert!(path_value(&m, "a").is_none());
    }
}
