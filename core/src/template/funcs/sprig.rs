//! Sprig's string, list, dict, default, math, reflection, path and URL functions.

use crate::go::strconv;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::PT::*;
use super::xstrings;
use super::{
    Add, Builtin, Cx, FnError, FnResult, deep_copy, deep_equal, empty, f2i, i, map_entries,
    nil_deref, s, slice_items, strval, to_float64, to_int64,
};
use crate::template::value::{Elem, MapKind, Val};

macro_rules! reg {
    ($add:expr, $name:expr, [$($p:expr),*], $var:expr, $f:expr) => {
        $add($name, &[$($p),*], $var, Builtin::Fn($f))
    };
}

pub(crate) fn register(add: &mut Add<'_>) {
    // strings
    reg!(add, "hello", [], false, |_, _| Ok(Val::str("Hello!")));
    reg!(add, "upper", [Str], false, |_, a| Ok(Val::str(
        xstrings::to_upper(s(&a[0]))
    )));
    reg!(add, "lower", [Str], false, |_, a| Ok(Val::str(
        xstrings::to_lower(s(&a[0]))
    )));
    reg!(add, "title", [Str], false, |_, a| Ok(Val::str(
        xstrings::title(s(&a[0]))
    )));
    reg!(add, "untitle", [Str], false, |_, a| Ok(Val::str(
        xstrings::uncapitalize(s(&a[0]))
    )));
    reg!(add, "swapcase", [Str], false, |_, a| Ok(Val::str(
        xstrings::swap_case(s(&a[0]))
    )));
    // Sprig v3.3.0 maps camelcase to xstrings.ToPascalCase.
    reg!(add, "camelcase", [Str], false, |_, a| Ok(Val::str(
        xstrings::to_pascal_case(s(&a[0]))
    )));
    reg!(add, "kebabcase", [Str], false, |_, a| Ok(Val::str(
        xstrings::to_kebab_case(s(&a[0]))
    )));
    reg!(add, "snakecase", [Str], false, |_, a| Ok(Val::str(
        xstrings::to_snake_case(s(&a[0]))
    )));
    reg!(add, "substr", [Int, Int, Str], false, substr);
    reg!(add, "trunc", [Int, Str], false, trunc);
    reg!(add, "trim", [Str], false, |_, a| Ok(Val::str(
        s(&a[0]).trim_matches(is_go_space)
    )));
    reg!(add, "trimAll", [Str, Str], false, trim_all);
    reg!(add, "trimall", [Str, Str], false, trim_all);
    reg!(add, "trimPrefix", [Str, Str], false, |_, a| Ok(Val::str(
        s(&a[1]).strip_prefix(s(&a[0])).unwrap_or(s(&a[1]))
    )));
    reg!(add, "trimSuffix", [Str, Str], false, |_, a| Ok(Val::str(
        s(&a[1]).strip_suffix(s(&a[0])).unwrap_or(s(&a[1]))
    )));
    reg!(add, "nospace", [Str], false, |_, a| Ok(Val::str(
        s(&a[0])
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect::<String>()
    )));
    reg!(add, "repeat", [Int, Str], false, |_, a| {
        let n = i(&a[0]);
        if n < 0 {
            return Err(FnError::msg("strings: negative Repeat count"));
        }
        Ok(Val::str(s(&a[1]).repeat(n as usize)))
    });
    reg!(add, "replace", [Str, Str, Str], false, |_, a| Ok(Val::str(
        go_replace(s(&a[2]), s(&a[0]), s(&a[1]))
    )));
    reg!(add, "contains", [Str, Str], false, |_, a| Ok(Val::Bool(
        s(&a[1]).contains(s(&a[0]))
    )));
    reg!(add, "hasPrefix", [Str, Str], false, |_, a| Ok(Val::Bool(
        s(&a[1]).starts_with(s(&a[0]))
    )));
    reg!(add, "hasSuffix", [Str, Str], false, |_, a| Ok(Val::Bool(
        s(&a[1]).ends_with(s(&a[0]))
    )));
    reg!(add, "indent", [Int, Str], false, |_, a| indent(
        i(&a[0]),
        s(&a[1])
    )
    .map(Val::str));
    reg!(add, "nindent", [Int, Str], false, |_, a| indent(
        i(&a[0]),
        s(&a[1])
    )
    .map(|x| Val::str(format!("\n{x}"))));
    reg!(add, "quote", [Any], true, |_, a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| strconv::quote_with(&super::gostr_to_bytes(&strval(v)), '"', false))
            .collect();
        Ok(Val::str(out.join(" ")))
    });
    reg!(add, "squote", [Any], true, |_, a| {
        let out: Vec<String> = a
            .iter()
            .filter(|v| !v.is_nil())
            .map(|v| format!("'{}'", crate::template::value::sprint_v(v)))
            .collect();
        Ok(Val::str(out.join(" ")))
    });
    reg!(add, "cat", [Any], true, |_, a| {
        let v: Vec<Val> = a.into_iter().filter(|v| !v.is_nil()).collect();
        let parts: Vec<String> = v.iter().map(crate::template::value::sprint_v).collect();
        Ok(Val::str(
            parts.join(" ").trim_matches(is_go_space).to_string(),
        ))
    });
    reg!(add, "plural", [Str, Str, Int], false, |_, a| Ok(
        if i(&a[2]) == 1 {
            a[0].clone()
        } else {
            a[1].clone()
        }
    ));
    reg!(add, "abbrev", [Int, Str], false, |_, a| {
        let w = i(&a[0]);
        let st = s(&a[1]);
        if w < 4 {
            return Ok(a[1].clone());
        }
        Ok(Val::str(abbreviate_full(st, 0, w).unwrap_or_default()))
    });
    reg!(add, "abbrevboth", [Int, Int, Str], false, |_, a| {
        let (l, r) = (i(&a[0]), i(&a[1]));
        if r < 4 || l > 0 && r < 7 {
            return Ok(a[2].clone());
        }
        Ok(Val::str(
            abbreviate_full(s(&a[2]), l, r).unwrap_or_default(),
        ))
    });
    reg!(add, "initials", [Str], false, |_, a| Ok(Val::str(
        xstrings::initials(s(&a[0]))
    )));
    reg!(add, "wrap", [Int, Str], false, |_, a| Ok(Val::str(
        wrap_custom(s(&a[1]), i(&a[0]), "\n", false)
    )));
    reg!(add, "wrapWith", [Int, Str, Str], false, |_, a| Ok(
        Val::str(wrap_custom(s(&a[2]), i(&a[0]), s(&a[1]), true))
    ));
    reg!(add, "splitList", [Str, Str], false, |_, a| Ok(
        Val::str_list(go_split(s(&a[1]), s(&a[0]), -1))
    ));
    reg!(add, "split", [Str, Str], false, |_, a| Ok(split_map(
        go_split(s(&a[1]), s(&a[0]), -1)
    )));
    reg!(add, "splitn", [Str, Int, Str], false, |_, a| Ok(split_map(
        go_split(s(&a[2]), s(&a[0]), i(&a[1]))
    )));
    reg!(add, "join", [Str, Any], false, |_, a| Ok(Val::str(
        strslice(&a[1]).join(s(&a[0]))
    )));
    reg!(add, "sortAlpha", [Any], false, |_, a| {
        let mut v = match &a[0] {
            Val::List(_) | Val::Bytes(_) => strslice(&a[0]),
            other => vec![strval(other)],
        };
        v.sort();
        Ok(Val::str_list(v))
    });
    reg!(add, "toString", [Any], false, |_, a| Ok(Val::str(strval(
        &a[0]
    ))));
    reg!(add, "toStrings", [Any], false, |_, a| Ok(Val::str_list(
        strslice(&a[0])
    )));
    reg!(add, "atoi", [Str], false, |_, a| {
        let t = s(&a[0]);
        let v = if t.starts_with(['+', '-']) || t.bytes().all(|c| c.is_ascii_digit()) {
            t.parse::<i64>().unwrap_or(0)
        } else {
            0
        };
        Ok(Val::Int(v))
    });
    reg!(add, "shuffle", [Str], false, |cx, a| {
        let mut chars: Vec<char> = s(&a[0]).chars().collect();
        for k in (1..chars.len()).rev() {
            let j = cx.rand_below(k as u64 + 1) as usize;
            chars.swap(k, j);
        }
        Ok(Val::str(chars.into_iter().collect::<String>()))
    });
    reg!(add, "randAlphaNum", [Int], false, |cx, a| rand_from(
        cx,
        i(&a[0]),
        ALNUM
    ));
    reg!(add, "randAlpha", [Int], false, |cx, a| rand_from(
        cx,
        i(&a[0]),
        ALPHA
    ));
    reg!(add, "randNumeric", [Int], false, |cx, a| rand_from(
        cx,
        i(&a[0]),
        "0123456789"
    ));
    reg!(add, "randAscii", [Int], false, |cx, a| {
        let set: String = (32u8..=126).map(|b| b as char).collect();
        rand_from(cx, i(&a[0]), &set)
    });
    reg!(add, "randBytes", [Int], false, |cx, a| {
        let n = i(&a[0]);
        if n < 0 {
            return Err(FnError::msg("runtime error: makeslice: len out of range"));
        }
        let b = cx.random(n.min(1 << 24) as usize);
        Ok(Val::str(super::encoding::b64enc(&b)))
    });
    reg!(add, "uuidv4", [], false, |cx, _| {
        let mut b = cx.random(16);
        b[6] = (b[6] & 0x0f) | 0x40;
        b[8] = (b[8] & 0x3f) | 0x80;
        let h: String = b.iter().map(|x| format!("{x:02x}")).collect();
        Ok(Val::str(format!(
            "{}-{}-{}-{}-{}",
            &h[0..8],
            &h[8..12],
            &h[12..16],
            &h[16..20],
            &h[20..32]
        )))
    });

    // lists
    reg!(add, "list", [Any], true, |_, a| Ok(Val::list(a)));
    reg!(add, "tuple", [Any], true, |_, a| Ok(Val::list(a)));
    reg!(add, "append", [Any, Any], false, |_, a| push(
        a, "push", false
    ));
    reg!(add, "push", [Any, Any], false, |_, a| push(
        a, "push", false
    ));
    reg!(add, "mustAppend", [Any, Any], false, |_, a| push(
        a, "push", false
    ));
    reg!(add, "mustPush", [Any, Any], false, |_, a| push(
        a, "push", false
    ));
    reg!(add, "prepend", [Any, Any], false, |_, a| push(
        a, "prepend", true
    ));
    reg!(add, "mustPrepend", [Any, Any], false, |_, a| push(
        a, "prepend", true
    ));
    reg!(add, "first", [Any], false, |_, a| first_last(
        &a[0], "first"
    ));
    reg!(add, "mustFirst", [Any], false, |_, a| first_last(
        &a[0], "first"
    ));
    reg!(add, "last", [Any], false, |_, a| first_last(&a[0], "last"));
    reg!(add, "mustLast", [Any], false, |_, a| first_last(
        &a[0], "last"
    ));
    reg!(add, "rest", [Any], false, |_, a| rest_initial(
        &a[0], "rest"
    ));
    reg!(add, "mustRest", [Any], false, |_, a| rest_initial(
        &a[0], "rest"
    ));
    reg!(add, "initial", [Any], false, |_, a| rest_initial(
        &a[0], "initial"
    ));
    reg!(add, "mustInitial", [Any], false, |_, a| rest_initial(
        &a[0], "initial"
    ));
    reg!(add, "reverse", [Any], false, |_, a| {
        let mut v = list_of(&a[0], "Cannot find reverse on type")?;
        v.reverse();
        Ok(Val::list(v))
    });
    reg!(add, "mustReverse", [Any], false, |_, a| {
        let mut v = list_of(&a[0], "Cannot find reverse on type")?;
        v.reverse();
        Ok(Val::list(v))
    });
    reg!(add, "uniq", [Any], false, uniq);
    reg!(add, "mustUniq", [Any], false, uniq);
    reg!(add, "compact", [Any], false, compact);
    reg!(add, "mustCompact", [Any], false, compact);
    reg!(add, "without", [Any, Any], true, without);
    reg!(add, "mustWithout", [Any, Any], true, without);
    reg!(add, "has", [Any, Any], false, has);
    reg!(add, "mustHas", [Any, Any], false, has);
    reg!(add, "slice", [Any, Any], true, slice);
    reg!(add, "mustSlice", [Any, Any], true, slice);
    reg!(add, "concat", [Any], true, |_, a| {
        let mut res = vec![];
        for l in &a {
            if l.is_nil() {
                return Err(nil_deref());
            }
            match slice_items(l) {
                Some(v) => res.extend(v),
                None => {
                    return Err(FnError::msg(format!(
                        "Cannot concat type {} as list",
                        l.kind_name()
                    )));
                }
            }
        }
        Ok(Val::list(res))
    });
    reg!(add, "chunk", [Int, Any], false, chunk);
    reg!(add, "mustChunk", [Int, Any], false, chunk);
    reg!(add, "until", [Int], false, |_, a| {
        let c = i(&a[0]);
        Ok(int_list(until_step(0, c, if c < 0 { -1 } else { 1 })))
    });
    reg!(add, "untilStep", [Int, Int, Int], false, |_, a| Ok(
        int_list(until_step(i(&a[0]), i(&a[1]), i(&a[2])))
    ));
    reg!(add, "seq", [Int], true, |_, a| Ok(Val::str(seq(&a
        .iter()
        .map(i)
        .collect::<Vec<_>>()))));

    // dicts
    reg!(add, "dict", [Any], true, |_, a| {
        let mut m = BTreeMap::new();
        let mut k = 0;
        while k < a.len() {
            let key = strval(&a[k]);
            let v = a.get(k + 1).cloned().unwrap_or_else(|| Val::str(""));
            m.insert(key, v);
            k += 2;
        }
        Ok(Val::dict(m))
    });
    reg!(add, "get", [Map, Str], false, |_, a| Ok(map_entries(&a[0])
        .get(s(&a[1]))
        .cloned()
        .unwrap_or_else(|| Val::str(""))));
    reg!(add, "set", [Map, Str, Any], false, |_, a| {
        match &a[0] {
            Val::Map(m) => {
                m.entries
                    .borrow_mut()
                    .insert(s(&a[1]).to_string(), a[2].clone());
                Ok(a[0].clone())
            }
            _ => Err(FnError::msg("assignment to entry in nil map")),
        }
    });
    reg!(add, "unset", [Map, Str], false, |_, a| {
        if let Val::Map(m) = &a[0] {
            m.entries.borrow_mut().remove(s(&a[1]));
        }
        Ok(a[0].clone())
    });
    reg!(add, "hasKey", [Map, Str], false, |_, a| Ok(Val::Bool(
        map_entries(&a[0]).contains_key(s(&a[1]))
    )));
    reg!(add, "pluck", [Str, Map], true, |_, a| {
        let key = s(&a[0]);
        Ok(Val::list(
            a[1..]
                .iter()
                .filter_map(|d| map_entries(d).get(key).cloned())
                .collect(),
        ))
    });
    reg!(add, "keys", [Map], true, |_, a| {
        let mut k = vec![];
        for d in &a {
            k.extend(map_entries(d).into_keys());
        }
        Ok(Val::str_list(k))
    });
    reg!(add, "values", [Map], false, |_, a| Ok(Val::list(
        map_entries(&a[0]).into_values().collect()
    )));
    reg!(add, "pick", [Map, Str], true, |_, a| {
        let m = map_entries(&a[0]);
        let mut out = BTreeMap::new();
        for k in &a[1..] {
            if let Some(v) = m.get(s(k)) {
                out.insert(s(k).to_string(), v.clone());
            }
        }
        Ok(Val::dict(out))
    });
    reg!(add, "omit", [Map, Str], true, |_, a| {
        let mut m = map_entries(&a[0]);
        for k in &a[1..] {
            m.remove(s(k));
        }
        Ok(Val::dict(m))
    });
    reg!(add, "merge", [Map, Map], true, |_, a| merge(a, false));
    reg!(add, "mustMerge", [Map, Map], true, |_, a| merge(a, false));
    reg!(add, "mergeOverwrite", [Map, Map], true, |_, a| merge(
        a, true
    ));
    reg!(add, "mustMergeOverwrite", [Map, Map], true, |_, a| merge(
        a, true
    ));
    reg!(add, "deepCopy", [Any], false, |_, a| Ok(deep_copy(&a[0])));
    reg!(add, "mustDeepCopy", [Any], false, |_, a| Ok(deep_copy(
        &a[0]
    )));
    reg!(add, "dig", [Any], true, dig);

    // defaults and flow
    reg!(add, "default", [Any, Any], true, |_, a| {
        if a.len() < 2 || empty(&a[1]) {
            return Ok(a[0].clone());
        }
        Ok(a[1].clone())
    });
    reg!(add, "empty", [Any], false, |_, a| Ok(Val::Bool(empty(
        &a[0]
    ))));
    reg!(add, "coalesce", [Any], true, |_, a| Ok(a
        .into_iter()
        .find(|v| !empty(v))
        .unwrap_or(Val::Nil)));
    reg!(add, "all", [Any], true, |_, a| Ok(Val::Bool(
        a.iter().all(|v| !empty(v))
    )));
    reg!(add, "any", [Any], true, |_, a| Ok(Val::Bool(
        a.iter().any(|v| !empty(v))
    )));
    reg!(add, "ternary", [Any, Any, Bool], false, |_, a| Ok(
        if matches!(a[2], Val::Bool(true)) {
            a[0].clone()
        } else {
            a[1].clone()
        }
    ));

    // math
    reg!(add, "add", [Any], true, |_, a| Ok(Val::Int64(
        a.iter().fold(0i64, |acc, v| acc.wrapping_add(to_int64(v)))
    )));
    reg!(add, "add1", [Any], false, |_, a| Ok(Val::Int64(
        to_int64(&a[0]).wrapping_add(1)
    )));
    reg!(add, "sub", [Any, Any], false, |_, a| Ok(Val::Int64(
        to_int64(&a[0]).wrapping_sub(to_int64(&a[1]))
    )));
    reg!(add, "div", [Any, Any], false, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(FnError::msg("runtime error: integer divide by zero"));
        }
        Ok(Val::Int64(to_int64(&a[0]).wrapping_div(d)))
    });
    reg!(add, "mod", [Any, Any], false, |_, a| {
        let d = to_int64(&a[1]);
        if d == 0 {
            return Err(FnError::msg("runtime error: integer divide by zero"));
        }
        Ok(Val::Int64(to_int64(&a[0]).wrapping_rem(d)))
    });
    reg!(add, "mul", [Any, Any], true, |_, a| Ok(Val::Int64(
        a[1..]
            .iter()
            .fold(to_int64(&a[0]), |acc, v| acc.wrapping_mul(to_int64(v)))
    )));
    reg!(add, "max", [Any, Any], true, |_, a| Ok(Val::Int64(
        a.iter().map(to_int64).max().unwrap_or(0)
    )));
    reg!(add, "biggest", [Any, Any], true, |_, a| Ok(Val::Int64(
        a.iter().map(to_int64).max().unwrap_or(0)
    )));
    reg!(add, "min", [Any, Any], true, |_, a| Ok(Val::Int64(
        a.iter().map(to_int64).min().unwrap_or(0)
    )));
    reg!(add, "maxf", [Any, Any], true, |_, a| Ok(Val::Float(
        a[1..]
            .iter()
            .fold(to_float64(&a[0]), |acc, v| go_max(acc, to_float64(v)))
    )));
    reg!(add, "minf", [Any, Any], true, |_, a| Ok(Val::Float(
        a[1..]
            .iter()
            .fold(to_float64(&a[0]), |acc, v| go_min(acc, to_float64(v)))
    )));
    reg!(add, "addf", [Any], true, |_, a| dec_op(
        &Val::Float(0.0),
        &a,
        '+'
    ));
    reg!(add, "add1f", [Any], false, |_, a| dec_op(
        &a[0],
        &[Val::Int(1)],
        '+'
    ));
    reg!(add, "subf", [Any, Any], true, |_, a| dec_op(
        &a[0],
        &a[1..],
        '-'
    ));
    reg!(add, "mulf", [Any, Any], true, |_, a| dec_op(
        &a[0],
        &a[1..],
        '*'
    ));
    reg!(add, "divf", [Any, Any], true, |_, a| dec_op(
        &a[0],
        &a[1..],
        '/'
    ));
    reg!(add, "floor", [Any], false, |_, a| Ok(Val::Float(
        to_float64(&a[0]).floor()
    )));
    reg!(add, "ceil", [Any], false, |_, a| Ok(Val::Float(
        to_float64(&a[0]).ceil()
    )));
    reg!(add, "round", [Any, Int, Float], true, |_, a| {
        let round_on = match a.get(2) {
            Some(Val::Float(f)) => *f,
            _ => 0.5,
        };
        let val = to_float64(&a[0]);
        let pow = 10f64.powf(i(&a[1]) as f64);
        let digit = pow * val;
        let div = digit - digit.trunc();
        let r = if div >= round_on {
            digit.ceil()
        } else {
            digit.floor()
        };
        Ok(Val::Float(r / pow))
    });
    reg!(add, "toDecimal", [Any], false, |_, a| {
        let t = crate::template::value::sprint_v(&a[0]);
        Ok(Val::Int64(strconv::parse_int_base(&t, 8).unwrap_or(0)))
    });
    reg!(add, "int", [Any], false, |_, a| Ok(Val::Int(to_int64(
        &a[0]
    ))));
    reg!(add, "int64", [Any], false, |_, a| Ok(Val::Int64(to_int64(
        &a[0]
    ))));
    reg!(add, "float64", [Any], false, |_, a| Ok(Val::Float(
        to_float64(&a[0])
    )));
    reg!(add, "randInt", [Int, Int], false, |cx, a| {
        let (lo, hi) = (i(&a[0]), i(&a[1]));
        let n = hi.wrapping_sub(lo);
        if n <= 0 {
            return Err(FnError::msg("invalid argument to Intn"));
        }
        Ok(Val::Int(cx.rand_below(n as u64) as i64 + lo))
    });

    // reflection
    reg!(add, "typeOf", [Any], false, |_, a| Ok(Val::str(
        a[0].type_name()
    )));
    reg!(add, "typeIs", [Str, Any], false, |_, a| Ok(Val::Bool(
        s(&a[0]) == a[1].type_name()
    )));
    reg!(add, "typeIsLike", [Str, Any], false, |_, a| {
        let t = a[1].type_name();
        Ok(Val::Bool(s(&a[0]) == t || format!("*{}", s(&a[0])) == t))
    });
    reg!(add, "kindOf", [Any], false, |_, a| Ok(Val::str(
        a[0].kind_name()
    )));
    reg!(add, "kindIs", [Str, Any], false, |_, a| Ok(Val::Bool(
        s(&a[0]) == a[1].kind_name()
    )));
    reg!(add, "deepEqual", [Any, Any], false, |_, a| Ok(Val::Bool(
        deep_equal(&a[0], &a[1])
    )));

    // paths
    reg!(add, "base", [Str], false, |_, a| Ok(Val::str(path_base(
        s(&a[0])
    ))));
    reg!(add, "dir", [Str], false, |_, a| Ok(Val::str(path_dir(s(
        &a[0]
    )))));
    reg!(add, "clean", [Str], false, |_, a| Ok(Val::str(path_clean(
        s(&a[0])
    ))));
    reg!(add, "ext", [Str], false, |_, a| Ok(Val::str(path_ext(s(
        &a[0]
    )))));
    reg!(add, "isAbs", [Str], false, |_, a| Ok(Val::Bool(
        s(&a[0]).starts_with('/')
    )));
    reg!(add, "osBase", [Str], false, |_, a| Ok(Val::str(path_base(
        s(&a[0])
    ))));
    reg!(add, "osDir", [Str], false, |_, a| Ok(Val::str(path_dir(
        s(&a[0])
    ))));
    reg!(add, "osClean", [Str], false, |_, a| Ok(Val::str(
        path_clean(s(&a[0]))
    )));
    reg!(add, "osExt", [Str], false, |_, a| Ok(Val::str(path_ext(
        s(&a[0])
    ))));
    reg!(add, "osIsAbs", [Str], false, |_, a| Ok(Val::Bool(
        s(&a[0]).starts_with('/')
    )));

    // url
    reg!(add, "urlParse", [Str], false, url_parse);
    reg!(add, "urlJoin", [Map], false, url_join);
}

/// Go's `unicode.IsSpace` for `strings.TrimSpace`.
pub(crate) fn is_go_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\n' | '\x0b' | '\x0c' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    ) || (c as u32 > 0xff && c.is_whitespace())
}

fn trim_all(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let cut: Vec<char> = s(&a[0]).chars().collect();
    Ok(Val::str(s(&a[1]).trim_matches(|c| cut.contains(&c))))
}

fn go_replace(src: &str, old: &str, new: &str) -> String {
    if old.is_empty() {
        let mut out = String::from(new);
        for c in src.chars() {
            out.push(c);
            out.push_str(new);
        }
        return out;
    }
    src.replace(old, new)
}

/// Go's `strings.Split`/`SplitN`.
pub(crate) fn go_split(sv: &str, sep: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    if sep.is_empty() {
        let chars: Vec<String> = sv.chars().map(|c| c.to_string()).collect();
        if n > 0 && chars.len() > n as usize {
            let mut v: Vec<String> = chars[..n as usize - 1].to_vec();
            v.push(chars[n as usize - 1..].concat());
            return v;
        }
        return chars;
    }
    if n < 0 {
        return sv.split(sep).map(str::to_string).collect();
    }
    sv.splitn(n as usize, sep).map(str::to_string).collect()
}

fn split_map(parts: Vec<String>) -> Val {
    Val::map(
        MapKind::Str,
        parts
            .into_iter()
            .enumerate()
            .map(|(k, v)| (format!("_{k}"), Val::str(v)))
            .collect(),
    )
}

fn indent(n: i64, v: &str) -> Result<String, FnError> {
    if n < 0 {
        return Err(FnError::msg("strings: negative Repeat count"));
    }
    let pad = " ".repeat(n as usize);
    Ok(format!("{pad}{}", v.replace('\n', &format!("\n{pad}"))))
}

fn substr(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let (start, end) = (i(&a[0]), i(&a[1]));
    let b = super::gostr_to_bytes(s(&a[2]));
    let n = b.len() as i64;
    let oob = |lo: i64, hi: i64| {
        FnError::msg(format!(
            "runtime error: slice bounds out of range [{lo}:{hi}]"
        ))
    };
    let r: &[u8] = if start < 0 {
        if end < 0 || end > n {
            return Err(FnError::msg(format!(
                "runtime error: slice bounds out of range [:{end}] with length {n}"
            )));
        }
        &b[..end as usize]
    } else if end < 0 || end > n {
        if start > n {
            return Err(FnError::msg(format!(
                "runtime error: slice bounds out of range [{start}:{n}]"
            )));
        }
        &b[start as usize..]
    } else {
        if start > end {
            return Err(oob(start, end));
        }
        &b[start as usize..end as usize]
    };
    Ok(Val::str(super::bytes_to_gostr(r)))
}

fn trunc(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let c = i(&a[0]);
    let b = super::gostr_to_bytes(s(&a[1]));
    let n = b.len() as i64;
    let r: &[u8] = if c < 0 && n + c > 0 {
        &b[(n + c) as usize..]
    } else if c >= 0 && n > c {
        &b[..c as usize]
    } else {
        &b
    };
    Ok(Val::str(super::bytes_to_gostr(r)))
}

fn abbreviate_full(st: &str, offset: i64, max_width: i64) -> Option<String> {
    if st.is_empty() {
        return Some(String::new());
    }
    if max_width < 4 {
        return None;
    }
    let n = st.len() as i64;
    if n <= max_width {
        return Some(st.to_string());
    }
    let mut offset = offset.min(n);
    if n - offset < max_width - 3 {
        offset = n - (max_width - 3);
    }
    let b = st.as_bytes();
    let cut = |lo: i64, hi: i64| String::from_utf8_lossy(&b[lo as usize..hi as usize]).to_string();
    if offset <= 4 {
        return Some(cut(0, max_width - 3) + "...");
    }
    if max_width < 7 {
        return None;
    }
    if offset + max_width - 3 < n {
        let rest = cut(offset, n);
        return Some(format!("...{}", abbreviate_full(&rest, 0, max_width - 3)?));
    }
    Some(format!("...{}", cut(n - (max_width - 3), n)))
}

fn wrap_custom(st: &str, wrap_len: i64, nl: &str, long_words: bool) -> String {
    if st.is_empty() {
        return String::new();
    }
    let nl = if nl.is_empty() { "\n" } else { nl };
    let wl = wrap_len.max(1) as usize;
    let b = st.as_bytes();
    let n = b.len();
    let mut offset = 0usize;
    let mut out: Vec<u8> = vec![];
    while n - offset > wl {
        if b[offset] == b' ' {
            offset += 1;
            continue;
        }
        let end = (wl + offset + 1).min(n);
        let space = b[offset..end].iter().rposition(|&c| c == b' ');
        if let Some(sp) = space {
            let at = sp + offset;
            out.extend_from_slice(&b[offset..at]);
            out.extend_from_slice(nl.as_bytes());
            offset = at + 1;
        } else if long_words {
            let e = wl + offset;
            out.extend_from_slice(&b[offset..e]);
            out.extend_from_slice(nl.as_bytes());
            offset += wl;
        } else {
            let e = wl + offset;
            match b[e..].iter().position(|&c| c == b' ') {
                None => {
                    out.extend_from_slice(&b[offset..]);
                    offset = n;
                }
                Some(ix) => {
                    let at = ix + e;
                    out.extend_from_slice(&b[offset..at]);
                    out.extend_from_slice(nl.as_bytes());
                    offset = at + 1;
                }
            }
        }
    }
    out.extend_from_slice(&b[offset.min(n)..]);
    String::from_utf8_lossy(&out).to_string()
}

const ALPHA: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
const ALNUM: &str = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";

fn rand_from(cx: &mut Cx<'_>, n: i64, set: &str) -> FnResult {
    if n <= 0 {
        return Ok(Val::str(""));
    }
    let chars: Vec<char> = set.chars().collect();
    let mut out = String::new();
    for _ in 0..n.min(1 << 24) {
        out.push(chars[cx.rand_below(chars.len() as u64) as usize]);
    }
    Ok(Val::str(out))
}

/// Sprig's `strslice`.
pub(crate) fn strslice(v: &Val) -> Vec<String> {
    match v {
        Val::List(l) => l.items.iter().filter(|x| !x.is_nil()).map(strval).collect(),
        Val::Bytes(b) => b.iter().map(|x| x.to_string()).collect(),
        Val::Missing | Val::Nil => vec![],
        other => vec![strval(other)],
    }
}

fn list_of(v: &Val, msg: &str) -> Result<Vec<Val>, FnError> {
    if v.is_nil() {
        return Err(nil_deref());
    }
    slice_items(v).ok_or_else(|| FnError::msg(format!("{msg} {}", v.kind_name())))
}

fn push(a: Vec<Val>, what: &str, front: bool) -> FnResult {
    let mut l = list_of(&a[0], &format!("Cannot {what} on type"))?;
    if front {
        l.insert(0, a[1].clone());
    } else {
        l.push(a[1].clone());
    }
    Ok(Val::list(l))
}

fn first_last(v: &Val, what: &str) -> FnResult {
    let l = list_of(v, &format!("Cannot find {what} on type"))?;
    Ok(if what == "first" {
        l.first().cloned()
    } else {
        l.last().cloned()
    }
    .unwrap_or(Val::Nil))
}

fn rest_initial(v: &Val, what: &str) -> FnResult {
    let l = list_of(v, &format!("Cannot find {what} on type"))?;
    if l.is_empty() {
        return Ok(Val::list(vec![]));
    }
    Ok(Val::list(if what == "rest" {
        l[1..].to_vec()
    } else {
        l[..l.len() - 1].to_vec()
    }))
}

fn uniq(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let l = list_of(&a[0], "Cannot find uniq on type")?;
    let mut out: Vec<Val> = vec![];
    for x in l {
        if !out.iter().any(|y| deep_equal(&x, y)) {
            out.push(x);
        }
    }
    Ok(Val::list(out))
}

fn compact(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let l = list_of(&a[0], "Cannot compact on type")?;
    Ok(Val::list(l.into_iter().filter(|x| !empty(x)).collect()))
}

fn without(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let l = list_of(&a[0], "Cannot find without on type")?;
    let omit = &a[1..];
    Ok(Val::list(
        l.into_iter()
            .filter(|x| !omit.iter().any(|o| deep_equal(x, o)))
            .collect(),
    ))
}

fn has(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    if a[1].is_nil() {
        return Ok(Val::Bool(false));
    }
    let l = list_of(&a[1], "Cannot find has on type")?;
    Ok(Val::Bool(l.iter().any(|x| deep_equal(&a[0], x))))
}

fn slice(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let v = &a[0];
    if v.is_nil() {
        return Err(nil_deref());
    }
    let Some(items) = slice_items(v) else {
        return Err(FnError::msg(format!(
            "list should be type of slice or array but {}",
            v.kind_name()
        )));
    };
    let n = items.len() as i64;
    if n == 0 {
        return Ok(Val::Nil);
    }
    let start = a.get(1).map(to_int64).unwrap_or(0);
    let end = if a.len() < 3 { n } else { to_int64(&a[2]) };
    let cap = n;
    if start < 0 || end < start || end > cap {
        return Err(FnError::msg(
            "reflect.Value.Slice: slice index out of bounds",
        ));
    }
    let part = items[start as usize..end as usize].to_vec();
    Ok(match v {
        Val::List(l) => Val::List(Rc::new(crate::template::value::List {
            elem: l.elem,
            named: l.named,
            items: part,
        })),
        _ => Val::Bytes(
            part.iter()
                .map(|x| if let Val::Uint8(b) = x { *b } else { 0 })
                .collect::<Vec<u8>>()
                .into(),
        ),
    })
}

fn chunk(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let size = i(&a[0]);
    let l = list_of(&a[1], "Cannot chunk type")?;
    let n = l.len() as i64;
    if size <= 0 {
        if size == 0 && n == 0 {
            return Err(FnError::msg("runtime error: makeslice: len out of range"));
        }
        return Err(FnError::msg("runtime error: makeslice: len out of range"));
    }
    let cs = ((n - 1) as f64 / size as f64).floor() as i64 + 1;
    let mut out = vec![];
    for k in 0..cs.max(0) {
        let mut clen = size;
        if k == cs - 1 {
            clen = n % size;
            if clen == 0 {
                clen = size;
            }
        }
        let mut part = vec![];
        for j in 0..clen {
            let ix = (k * size + j) as usize;
            if let Some(x) = l.get(ix) {
                part.push(x.clone());
            }
        }
        out.push(Val::list(part));
    }
    if n == 0 {
        out.clear();
        // cs == 1 with clen 0 → one empty chunk in Go? (l-1)/size floors to -1 → cs 0
    }
    Ok(Val::typed_list(Elem::List, out))
}

fn until_step(start: i64, stop: i64, step: i64) -> Vec<i64> {
    let mut v = vec![];
    if stop < start {
        if step >= 0 {
            return v;
        }
        let mut k = start;
        while k > stop && v.len() < 10_000_000 {
            v.push(k);
            k += step;
        }
        return v;
    }
    if step <= 0 {
        return v;
    }
    let mut k = start;
    while k < stop && v.len() < 10_000_000 {
        v.push(k);
        k += step;
    }
    v
}

fn int_list(v: Vec<i64>) -> Val {
    Val::typed_list(Elem::Int, v.into_iter().map(Val::Int).collect())
}

fn seq(p: &[i64]) -> String {
    let join = |v: Vec<i64>| {
        v.iter()
            .map(|x| x.to_string())
            .collect::<Vec<_>>()
            .join(" ")
    };
    match p.len() {
        1 => {
            let (start, end) = (1, p[0]);
            let inc = if end < start { -1 } else { 1 };
            join(until_step(start, end + inc, inc))
        }
        2 => {
            let (start, end) = (p[0], p[1]);
            let step = if end < start { -1 } else { 1 };
            join(until_step(start, end + step, step))
        }
        3 => {
            let (start, step, end) = (p[0], p[1], p[2]);
            let mut inc = 1;
            if end < start {
                inc = -1;
                if step > 0 {
                    return String::new();
                }
            }
            join(until_step(start, end + inc, step))
        }
        _ => String::new(),
    }
}

fn is_empty_value(v: &Val) -> bool {
    match v {
        Val::Missing | Val::Nil => true,
        Val::Time(_) | Val::Struct(_) => false,
        v => !v.truth(),
    }
}

/// mergo's `Merge` / `MergeWithOverwrite` for `map[string]interface{}`.
fn merge_maps(dst: &Val, src: &Val, overwrite: bool) {
    let (Val::Map(d), Val::Map(sm)) = (dst, src) else {
        return;
    };
    if Rc::ptr_eq(d, sm) {
        return;
    }
    let src_entries = sm.entries.borrow().clone();
    for (k, sv) in src_entries {
        // A nil source value replaces whatever is there when overwriting (mergo sets the
        // map entry to the nil interface), and is skipped otherwise.
        if sv.is_nil() {
            if overwrite {
                d.entries.borrow_mut().insert(k, Val::Nil);
            }
            continue;
        }
        let dv = d.entries.borrow().get(&k).cloned();
        if let (Some(dmap @ Val::Map(_)), Val::Map(_)) = (&dv, &sv) {
            merge_maps(dmap, &sv, overwrite);
        }
        if let Some(dv) = &dv
            && !is_empty_value(dv)
        {
            if matches!(sv, Val::List(_)) && !overwrite {
                continue;
            }
            if matches!(sv, Val::Map(_)) && matches!(dv, Val::Map(_)) {
                continue;
            }
        }
        let dst_missing_or_empty = dv.as_ref().is_none_or(is_empty_value);
        if overwrite || dst_missing_or_empty {
            d.entries.borrow_mut().insert(k, sv);
        }
    }
}

fn merge(a: Vec<Val>, overwrite: bool) -> FnResult {
    let dst = a[0].clone();
    let dst = if dst.is_nil() {
        Val::dict(BTreeMap::new())
    } else {
        dst
    };
    for src in &a[1..] {
        merge_maps(&dst, src, overwrite);
    }
    Ok(dst)
}

fn dig(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    if a.len() < 3 {
        return Err(FnError::msg("dig needs at least three arguments"));
    }
    let conv_err = |v: &Val, want: &str| {
        FnError::msg(format!(
            "interface conversion: interface {{}} is {}, not {want}",
            if v.is_nil() {
                "nil".to_string()
            } else {
                v.type_name()
            }
        ))
    };
    let last = &a[a.len() - 1];
    if (!super::is_iface_map(last) || matches!(last, Val::Map(m) if m.kind == MapKind::Values))
        && !matches!(last, Val::Map(m) if m.kind == MapKind::Iface)
    {
        return Err(conv_err(last, "map[string]interface {}"));
    }
    let def = a[a.len() - 2].clone();
    let mut keys = vec![];
    for k in &a[..a.len() - 2] {
        match k {
            Val::Str(st) => keys.push(st.to_string()),
            other => return Err(conv_err(other, "string")),
        }
    }
    let mut cur = last.clone();
    for (n, k) in keys.iter().enumerate() {
        let step = map_entries(&cur).get(k).cloned();
        let Some(step) = step else {
            return Ok(def);
        };
        if n == keys.len() - 1 {
            return Ok(step);
        }
        if !matches!(&step, Val::Map(m) if m.kind == MapKind::Iface) {
            return Err(conv_err(&step, "map[string]interface {}"));
        }
        cur = step;
    }
    Ok(def)
}

fn go_max(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.max(b)
    }
}

fn go_min(a: f64, b: f64) -> f64 {
    if a.is_nan() || b.is_nan() {
        f64::NAN
    } else {
        a.min(b)
    }
}

/// A decimal number mantissa × 10^exp (shopspring/decimal subset).
#[derive(Clone, Copy)]
struct Dec {
    m: i128,
    e: i32,
}

fn dec_from_f64(f: f64) -> Option<Dec> {
    if !f.is_finite() {
        return None;
    }
    let st = format!("{:e}", f);
    let (mant, exp) = st.split_once('e')?;
    let exp: i32 = exp.parse().ok()?;
    let neg = mant.starts_with('-');
    let digits: String = mant.chars().filter(char::is_ascii_digit).collect();
    let frac_len = mant.split_once('.').map_or(0, |(_, f)| f.len()) as i32;
    let mut m: i128 = digits.parse().ok()?;
    if neg {
        m = -m;
    }
    Some(Dec {
        m,
        e: exp - frac_len,
    })
}

fn dec_align(a: Dec, b: Dec) -> Option<(i128, i128, i32)> {
    let e = a.e.min(b.e);
    let am = a.m.checked_mul(10i128.checked_pow((a.e - e) as u32)?)?;
    let bm = b.m.checked_mul(10i128.checked_pow((b.e - e) as u32)?)?;
    Some((am, bm, e))
}

fn dec_to_f64(d: Dec) -> f64 {
    format!("{}e{}", d.m, d.e).parse().unwrap_or(0.0)
}

fn dec_op(a: &Val, rest: &[Val], op: char) -> FnResult {
    let fa = to_float64(a);
    let mut acc = dec_from_f64(fa);
    let mut facc = fa;
    for x in rest {
        let fx = to_float64(x);
        if op == '/' && fx == 0.0 {
            return Err(FnError::msg("decimal division by 0"));
        }
        facc = match op {
            '+' => facc + fx,
            '-' => facc - fx,
            '*' => facc * fx,
            _ => facc / fx,
        };
        acc = match (acc, dec_from_f64(fx)) {
            (Some(p), Some(q)) => match op {
                '+' => dec_align(p, q).and_then(|(x, y, e)| {
                    Some(Dec {
                        m: x.checked_add(y)?,
                        e,
                    })
                }),
                '-' => dec_align(p, q).and_then(|(x, y, e)| {
                    Some(Dec {
                        m: x.checked_sub(y)?,
                        e,
                    })
                }),
                '*' => p.m.checked_mul(q.m).map(|m| Dec { m, e: p.e + q.e }),
                _ => dec_div(p, q),
            },
            _ => None,
        };
    }
    Ok(Val::Float(match acc {
        Some(d) => dec_to_f64(d),
        None => facc,
    }))
}

/// shopspring's `Div`: quotient rounded (half away from zero) to 16 decimal places.
fn dec_div(p: Dec, q: Dec) -> Option<Dec> {
    if q.m == 0 {
        return None;
    }
    // result = p/q, scaled to exponent -16 (plus one extra digit for rounding)
    let target = -16 - 1;
    // p.m * 10^(p.e - q.e - target) / q.m
    let shift = p.e - q.e - target;
    let (num, den) = if shift >= 0 {
        (p.m.checked_mul(10i128.checked_pow(shift as u32)?)?, q.m)
    } else {
        (p.m, q.m.checked_mul(10i128.checked_pow((-shift) as u32)?)?)
    };
    let quo = num / den;
    // round half away from zero on the last digit
    let last = quo % 10;
    let mut r = quo / 10;
    if last >= 5 {
        r += 1;
    } else if last <= -5 {
        r -= 1;
    }
    Some(Dec { m: r, e: -16 })
}

fn path_clean(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let rooted = p.starts_with('/');
    let mut parts: Vec<&str> = vec![];
    for seg in p.split('/') {
        match seg {
            "" | "." => {}
            ".." => {
                if parts.last().is_some_and(|l| *l != "..") {
                    parts.pop();
                } else if !rooted {
                    parts.push("..");
                }
            }
            s => parts.push(s),
        }
    }
    let body = parts.join("/");
    if rooted {
        format!("/{body}")
    } else if body.is_empty() {
        ".".into()
    } else {
        body
    }
}

fn path_base(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let t = p.trim_end_matches('/');
    if t.is_empty() {
        return "/".into();
    }
    t.rsplit('/').next().unwrap_or(t).to_string()
}

fn path_dir(p: &str) -> String {
    let dir = match p.rfind('/') {
        Some(i) => &p[..=i],
        None => "",
    };
    path_clean(dir)
}

fn path_ext(p: &str) -> String {
    let b = p.as_bytes();
    for k in (0..b.len()).rev() {
        if b[k] == b'/' {
            break;
        }
        if b[k] == b'.' {
            return p[k..].to_string();
        }
    }
    String::new()
}

fn url_parse(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let raw = s(&a[0]);
    let u = super::helm::parse_url(raw)
        .map_err(|e| FnError::msg(format!("unable to parse url: {e}")))?;
    let mut m = BTreeMap::new();
    m.insert("scheme".into(), Val::str(u.scheme.as_str()));
    m.insert("host".into(), Val::str(u.host.as_str()));
    let hostname = super::helm::hostname(&u.host);
    m.insert("hostname".into(), Val::str(hostname));
    m.insert("path".into(), Val::str(u.path.as_str()));
    m.insert("query".into(), Val::str(u.raw_query.as_str()));
    m.insert("opaque".into(), Val::str(u.opaque.as_str()));
    m.insert("fragment".into(), Val::str(u.fragment.as_str()));
    m.insert(
        "userinfo".into(),
        Val::str(u.userinfo.clone().unwrap_or_default()),
    );
    Ok(Val::dict(m))
}

fn url_join(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let m = map_entries(&a[0]);
    let g = |k: &str| -> String {
        match m.get(k) {
            Some(Val::Str(st)) => st.to_string(),
            _ => String::new(),
        }
    };
    let u = super::helm::GoUrl {
        scheme: g("scheme"),
        opaque: g("opaque"),
        userinfo: {
            let ui = g("userinfo");
            if ui.is_empty() { None } else { Some(ui) }
        },
        host: g("host"),
        path: g("path"),
        raw_query: g("query"),
        fragment: g("fragment"),
    };
    let _ = f2i(0.0);
    Ok(Val::str(u.string()))
}
