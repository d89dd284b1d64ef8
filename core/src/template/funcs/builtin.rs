//! Go's template builtins (`len`, `index`, `print`, `printf`, comparisons, escapers) and
//! an implementation of `fmt`'s printf verbs.

use super::{Cx, FnError, FnResult};
use crate::template::gofmt;
use crate::template::value::{Val, sprint_v};

pub(crate) fn not(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::Bool(!a[0].truth()))
}

pub(crate) fn len(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match &a[0] {
        Val::Missing | Val::Nil => Err(FnError::msg("len of nil pointer")),
        v => match v.len() {
            Some(n) => Ok(Val::Int(n as i64)),
            None => Err(FnError::msg(format!("len of type {}", v.type_name()))),
        },
    }
}

/// `indexArg` then `reflect.Value.Index`: `indexArg` lets `x == len` through, and
/// `Index` panics for it (`reflect: slice index out of range`, `what` naming the kind).
fn index_of(v: &Val, len: usize, what: &str) -> Result<usize, FnError> {
    let x = match v {
        Val::Int(i) | Val::Int64(i) => *i,
        Val::Uint8(u) => *u as i64,
        Val::Uint64(u) => *u as i64,
        Val::Missing | Val::Nil => return Err(FnError::msg("cannot index slice/array with nil")),
        other => {
            return Err(FnError::msg(format!(
                "cannot index slice/array with type {}",
                other.type_name()
            )));
        }
    };
    if x < 0 || x as usize > len {
        return Err(FnError::msg(format!("index out of range: {x}")));
    }
    if x as usize == len {
        return Err(FnError::msg(format!("reflect: {what} index out of range")));
    }
    Ok(x as usize)
}

pub(crate) fn index(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let mut item = a[0].clone();
    if item.is_nil() {
        return Err(FnError::msg("index of untyped nil"));
    }
    for idx in &a[1..] {
        item = match &item {
            Val::List(l) => {
                let i = index_of(idx, l.items.len(), "slice")?;
                l.items[i].clone()
            }
            Val::Bytes(b) => Val::Uint8(b[index_of(idx, b.len(), "slice")?]),
            Val::Str(s) => Val::Uint8(s.as_bytes()[index_of(idx, s.len(), "string")?]),
            Val::Map(m) => {
                let key = match idx {
                    Val::Str(s) => s.to_string(),
                    Val::Missing | Val::Nil => {
                        return Err(FnError::msg("value is nil; should be of type string"));
                    }
                    other => {
                        return Err(FnError::msg(format!(
                            "value has type {}; should be string",
                            other.type_name()
                        )));
                    }
                };
                match m.entries.borrow().get(&key) {
                    Some(v) => v.clone(),
                    None => match m.kind {
                        crate::template::value::MapKind::Str => Val::str(""),
                        _ => Val::Nil,
                    },
                }
            }
            Val::Missing | Val::Nil => return Err(FnError::msg("index of nil pointer")),
            other => {
                return Err(FnError::msg(format!(
                    "can't index item of type {}",
                    other.type_name()
                )));
            }
        };
    }
    Ok(item)
}

/// Go's `fmt.Sprint`: spaces between operands when neither is a string.
pub(crate) fn sprint(args: &[Val]) -> String {
    gofmt::sprint(args)
}

pub(crate) fn print(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(sprint(&a)))
}

pub(crate) fn println(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(gofmt::sprintln(&a)))
}

pub(crate) fn printf(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let f = super::s(&a[0]).to_string();
    Ok(Val::str(sprintf(&f, &a[1..])))
}

fn eval_args(a: &[Val]) -> String {
    if a.len() == 1
        && let Val::Str(s) = &a[0]
    {
        return s.to_string();
    }
    sprint(a)
}

pub(crate) fn html(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let s = eval_args(&a);
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\0' => out.push('\u{FFFD}'),
            '"' => out.push_str("&#34;"),
            '\'' => out.push_str("&#39;"),
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    Ok(Val::str(out))
}

pub(crate) fn js(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let s = eval_args(&a);
    let mut out = String::new();
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '"' => out.push_str("\\\""),
            '<' => out.push_str("\\u003C"),
            '>' => out.push_str("\\u003E"),
            '&' => out.push_str("\\u0026"),
            '=' => out.push_str("\\u003D"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u00{:02X}", c as u32)),
            c if !c.is_ascii() && !crate::go::strconv::is_print(c) => {
                out.push_str(&format!("\\u{:04X}", c as u32))
            }
            c => out.push(c),
        }
    }
    Ok(Val::str(out))
}

/// Go's `url.QueryEscape`.
pub(crate) fn query_escape(s: &str) -> String {
    let mut out = String::new();
    for &b in super::gostr_to_bytes(s).iter() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                out.push(b as char)
            }
            b' ' => out.push('+'),
            b => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

pub(crate) fn urlquery(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(query_escape(&eval_args(&a))))
}

#[derive(PartialEq, Eq, Clone, Copy, Debug)]
enum Kind {
    Invalid,
    Bool,
    Int,
    Uint,
    Float,
    Complex,
    Str,
}

fn basic_kind(v: &Val) -> Kind {
    match v {
        Val::Bool(_) => Kind::Bool,
        Val::Int(_) | Val::Int64(_) | Val::Enum(..) => Kind::Int,
        Val::Uint8(_) | Val::Uint64(_) => Kind::Uint,
        Val::Float(_) => Kind::Float,
        Val::Complex(..) => Kind::Complex,
        Val::Str(_) => Kind::Str,
        _ => Kind::Invalid,
    }
}

fn as_i(v: &Val) -> i64 {
    match v {
        Val::Int(i) | Val::Int64(i) | Val::Enum(_, i, _) => *i,
        _ => 0,
    }
}

fn as_u(v: &Val) -> u64 {
    match v {
        Val::Uint8(u) => *u as u64,
        Val::Uint64(u) => *u,
        _ => 0,
    }
}

fn incompatible(a: &Val, b: &Val) -> FnError {
    FnError::msg(format!(
        "incompatible types for comparison: {} and {}",
        a.type_name(),
        b.type_name()
    ))
}

pub(crate) fn eq(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let a1 = &a[0];
    if a.len() < 2 {
        return Err(FnError::msg("missing argument for comparison"));
    }
    let k1 = basic_kind(a1);
    for arg in &a[1..] {
        let k2 = basic_kind(arg);
        let truth = if k1 != k2 {
            match (k1, k2) {
                (Kind::Int, Kind::Uint) => as_i(a1) >= 0 && as_i(a1) as u64 == as_u(arg),
                (Kind::Uint, Kind::Int) => as_i(arg) >= 0 && as_u(a1) == as_i(arg) as u64,
                _ => {
                    if !a1.is_nil() && !arg.is_nil() {
                        return Err(incompatible(a1, arg));
                    }
                    false
                }
            }
        } else {
            match k1 {
                Kind::Bool => matches!((a1, arg), (Val::Bool(x), Val::Bool(y)) if x == y),
                Kind::Int => as_i(a1) == as_i(arg),
                Kind::Uint => as_u(a1) == as_u(arg),
                Kind::Float => matches!((a1, arg), (Val::Float(x), Val::Float(y)) if x == y),
                Kind::Complex => {
                    matches!((a1, arg), (Val::Complex(x1, y1), Val::Complex(x2, y2)) if x1 == x2 && y1 == y2)
                }
                Kind::Str => a1.as_str() == arg.as_str(),
                Kind::Invalid => {
                    // isNil: a nil interface, or a nil map.
                    let nil = |v: &Val| v.is_nil() || matches!(v, Val::Map(m) if m.nil);
                    if nil(a1) || nil(arg) {
                        nil(a1) == nil(arg)
                    } else {
                        let same_kind = a1.kind_name() == arg.kind_name();
                        if !same_kind {
                            return Err(FnError::msg(format!(
                                "non-comparable types {}: {}, {}: {}",
                                sprint_v(a1),
                                a1.type_name(),
                                arg.type_name(),
                                sprint_v(arg)
                            )));
                        }
                        match (a1, arg) {
                            (Val::List(_), _) | (Val::Map(_), _) | (Val::Bytes(_), _) => {
                                return Err(FnError::msg(format!(
                                    "non-comparable type {}: {}",
                                    sprint_v(arg),
                                    arg.type_name()
                                )));
                            }
                            _ => super::deep_equal(a1, arg),
                        }
                    }
                }
            }
        };
        if truth {
            return Ok(Val::Bool(true));
        }
    }
    Ok(Val::Bool(false))
}

pub(crate) fn ne(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match eq(cx, a)? {
        Val::Bool(b) => Ok(Val::Bool(!b)),
        v => Ok(v),
    }
}

fn lt_impl(a1: &Val, a2: &Val) -> Result<bool, FnError> {
    let k1 = basic_kind(a1);
    if k1 == Kind::Invalid {
        return Err(FnError::msg("invalid type for comparison"));
    }
    let k2 = basic_kind(a2);
    if k2 == Kind::Invalid {
        return Err(FnError::msg("invalid type for comparison"));
    }
    if k1 != k2 {
        return match (k1, k2) {
            (Kind::Int, Kind::Uint) => Ok(as_i(a1) < 0 || (as_i(a1) as u64) < as_u(a2)),
            (Kind::Uint, Kind::Int) => Ok(as_i(a2) >= 0 && as_u(a1) < as_i(a2) as u64),
            _ => Err(incompatible(a1, a2)),
        };
    }
    Ok(match (a1, a2) {
        (Val::Float(x), Val::Float(y)) => x < y,
        (Val::Str(x), Val::Str(y)) => x.as_bytes() < y.as_bytes(),
        _ => match k1 {
            Kind::Int => as_i(a1) < as_i(a2),
            Kind::Uint => as_u(a1) < as_u(a2),
            _ => return Err(FnError::msg("invalid type for comparison")),
        },
    })
}

pub(crate) fn lt(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::Bool(lt_impl(&a[0], &a[1])?))
}

pub(crate) fn le(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let l = lt_impl(&a[0], &a[1])?;
    if l {
        return Ok(Val::Bool(true));
    }
    eq(cx, a)
}

pub(crate) fn gt(cx: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    match le(cx, a)? {
        Val::Bool(b) => Ok(Val::Bool(!b)),
        v => Ok(v),
    }
}

pub(crate) fn ge(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::Bool(!lt_impl(&a[0], &a[1])?))
}

// ---- printf ----------------------------------------------------------------------------

/// Go's `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Val]) -> String {
    gofmt::sprintf(format, args)
}
