//! Go's template builtins (`len`, `index`, `print`, `printf`, comparisons, escapers) and
//! an implementation of `fmt`'s printf verbs.

use super::{Cx, FnError, FnResult};
use crate::template::gofmt;
use crate::template::value::{Elem, Val, sprint_v, write_v};

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

/// `fmt.Sprint` semantics: spaces between operands when neither is a string.
pub(crate) fn sprint(args: &[Val]) -> String {
    let mut out = String::new();
    for (i, a) in args.iter().enumerate() {
        let is_str = matches!(a, Val::Str(_));
        if i > 0 && !is_str && !matches!(args[i - 1], Val::Str(_)) {
            out.push(' ');
        }
        write_v(&mut out, a, false, 0);
    }
    out
}

pub(crate) fn print(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    Ok(Val::str(sprint(&a)))
}

pub(crate) fn println(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let mut out = String::new();
    for (i, x) in a.iter().enumerate() {
        if i > 0 {
            out.push(' ');
        }
        write_v(&mut out, x, false, 0);
    }
    out.push('\n');
    Ok(Val::str(out))
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
            c if !c.is_ascii() && !gofmt::is_print(c) => {
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

#[derive(Default, Clone, Copy)]
struct Flags {
    plus: bool,
    minus: bool,
    sharp: bool,
    space: bool,
    zero: bool,
    width: Option<usize>,
    prec: Option<usize>,
}

fn pad(out: &mut String, s: &str, f: &Flags) {
    let n = s.chars().count();
    let w = f.width.unwrap_or(0);
    if n >= w {
        out.push_str(s);
        return;
    }
    let fill = w - n;
    if f.minus {
        out.push_str(s);
        out.extend(std::iter::repeat_n(' ', fill));
    } else if f.zero {
        // zero padding goes after a sign
        let (sign, rest) = if s.starts_with(['+', '-']) {
            s.split_at(1)
        } else {
            ("", s)
        };
        out.push_str(sign);
        out.extend(std::iter::repeat_n('0', fill));
        out.push_str(rest);
    } else {
        out.extend(std::iter::repeat_n(' ', fill));
        out.push_str(s);
    }
}

fn fmt_int(v: i128, verb: char, f: &Flags) -> Option<String> {
    let neg = v < 0;
    let a = v.unsigned_abs();
    let mut digits = match verb {
        'd' | 'v' => a.to_string(),
        'b' => format!("{a:b}"),
        'o' | 'O' => format!("{a:o}"),
        'x' => format!("{a:x}"),
        'X' => format!("{a:X}"),
        'c' => return Some(char::from_u32(v as u32).unwrap_or('\u{FFFD}').to_string()),
        'q' => {
            let c = char::from_u32(v as u32).unwrap_or('\u{FFFD}');
            return Some(gofmt::quote_with(c.to_string().as_bytes(), '\'', f.plus));
        }
        'U' => {
            let mut s = format!("U+{:04X}", v);
            if f.sharp
                && let Some(c) = char::from_u32(v as u32)
                && gofmt::is_print(c)
            {
                s.push_str(&format!(" '{c}'"));
            }
            return Some(s);
        }
        _ => return None,
    };
    if let Some(p) = f.prec {
        if p == 0 && a == 0 {
            digits = String::new();
        }
        while digits.len() < p {
            digits.insert(0, '0');
        }
    }
    let mut prefix = String::new();
    if f.sharp {
        match verb {
            'b' => prefix.push_str("0b"),
            'o' if !digits.starts_with('0') => prefix.push('0'),
            'x' => prefix.push_str("0x"),
            'X' => prefix.push_str("0X"),
            _ => {}
        }
    }
    if verb == 'O' {
        prefix.push_str("0o");
    }
    let sign = if neg {
        "-"
    } else if f.plus {
        "+"
    } else if f.space {
        " "
    } else {
        ""
    };
    Some(format!("{sign}{prefix}{digits}"))
}

fn fmt_float(v: f64, verb: char, f: &Flags) -> Option<String> {
    let (c, p) = match verb {
        'v' => ('g', f.prec.map_or(-1, |p| p as i32)),
        'e' | 'E' | 'f' | 'F' => (verb, f.prec.map_or(6, |p| p as i32)),
        'g' | 'G' => (verb, f.prec.map_or(-1, |p| p as i32)),
        _ => return None,
    };
    let mut s = gofmt::format_float(v, c, p);
    if f.plus && !s.starts_with(['-', '+']) {
        s.insert(0, '+');
    } else if f.space && !s.starts_with(['-', '+']) {
        s.insert(0, ' ');
    }
    if s == "+Inf" && !f.plus {
        s = "+Inf".into();
    }
    Some(s)
}

fn fmt_str(s: &str, verb: char, f: &Flags) -> Option<String> {
    let s: String = match f.prec {
        Some(p) if verb == 's' || verb == 'v' || verb == 'q' => s.chars().take(p).collect(),
        _ => s.to_string(),
    };
    Some(match verb {
        's' | 'v' => s,
        'q' => {
            if f.sharp && !s.contains('`') && s.chars().all(|c| c == '\t' || gofmt::is_print(c)) {
                format!("`{s}`")
            } else if f.plus {
                gofmt::quote_ascii(&s)
            } else {
                gofmt::quote_with(&super::gostr_to_bytes(&s), '"', false)
            }
        }
        'x' | 'X' => {
            let bytes = super::gostr_to_bytes(&s);
            let mut out = String::new();
            for (i, b) in bytes.iter().enumerate() {
                if i > 0 && f.space {
                    out.push(' ');
                }
                if f.sharp && (i == 0 || f.space) {
                    out.push_str(if verb == 'x' { "0x" } else { "0X" });
                }
                if verb == 'x' {
                    out.push_str(&format!("{b:02x}"));
                } else {
                    out.push_str(&format!("{b:02X}"));
                }
            }
            out
        }
        _ => return None,
    })
}

/// Formats one argument with a verb; `None` means a bad verb for the type.
fn fmt_arg(v: &Val, verb: char, f: &Flags, depth: usize) -> Option<String> {
    match v {
        Val::Missing | Val::Nil => {
            if verb == 'v' {
                Some("<nil>".into())
            } else {
                None
            }
        }
        Val::Bool(b) => match verb {
            't' | 'v' => Some(b.to_string()),
            _ => None,
        },
        Val::Int(i) | Val::Int64(i) => fmt_int(*i as i128, verb, f),
        Val::Uint8(u) => fmt_int(*u as i128, verb, f),
        Val::Uint64(u) => fmt_int(*u as i128, verb, f),
        Val::Enum(_, i, s) => match verb {
            'v' | 's' => fmt_str(s, if verb == 'v' { 's' } else { verb }, f),
            _ => fmt_int(*i as i128, verb, f),
        },
        Val::Float(x) => fmt_float(*x, verb, f),
        Val::Complex(..) => {
            if verb == 'v' {
                Some(sprint_v(v))
            } else {
                None
            }
        }
        Val::Str(s) => fmt_str(s, verb, f),
        Val::Bytes(b) => match verb {
            's' | 'q' | 'x' | 'X' => fmt_str(&super::bytes_to_gostr(b), verb, f),
            _ => {
                let mut out = String::from("[");
                for (i, x) in b.iter().enumerate() {
                    if i > 0 {
                        out.push(' ');
                    }
                    out.push_str(&fmt_int(*x as i128, verb, f)?);
                }
                out.push(']');
                Some(out)
            }
        },
        Val::Time(_) | Val::Semver(_) => match verb {
            'v' | 's' | 'q' | 'x' | 'X' => fmt_str(&sprint_v(v), verb, f),
            _ => None,
        },
        Val::List(l) => {
            if verb == 'v' && f.sharp {
                return Some({
                    let mut o = String::new();
                    write_v(&mut o, v, true, depth);
                    o
                });
            }
            let mut out = String::from("[");
            for (i, x) in l.items.iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                match fmt_arg(x, verb, &Flags { width: None, ..*f }, depth + 1) {
                    Some(s) => out.push_str(&s),
                    None => out.push_str(&bad_verb(x, verb)),
                }
            }
            out.push(']');
            let _ = l.elem == Elem::Iface;
            Some(out)
        }
        Val::Map(m) => {
            if verb == 'v' && f.sharp {
                let mut o = String::new();
                write_v(&mut o, v, true, depth);
                return Some(o);
            }
            let mut out = String::from("map[");
            for (i, (k, x)) in m.entries.borrow().iter().enumerate() {
                if i > 0 {
                    out.push(' ');
                }
                let kf = Flags { width: None, ..*f };
                out.push_str(
                    &fmt_str(k, verb, &kf).unwrap_or_else(|| bad_verb(&Val::str(k.as_str()), verb)),
                );
                out.push(':');
                let x = m.kind.entry(x);
                match fmt_arg(&x, verb, &kf, depth + 1) {
                    Some(s) => out.push_str(&s),
                    None => out.push_str(&bad_verb(&x, verb)),
                }
            }
            out.push(']');
            Some(out)
        }
        // A struct value: each field with the verb (and its flags), `%+v` naming them,
        // `%#v` in Go syntax.
        Val::Struct(s) if !s.ptr => {
            let mut out = String::new();
            let go_syntax = verb == 'v' && f.sharp;
            if go_syntax {
                out.push_str(s.type_name);
            }
            out.push('{');
            for (i, (name, x)) in s.fields.iter().enumerate() {
                if i > 0 {
                    out.push_str(if go_syntax { ", " } else { " " });
                }
                if verb == 'v' && (f.plus || f.sharp) {
                    out.push_str(name);
                    out.push(':');
                }
                if go_syntax {
                    write_v(&mut out, x, true, depth + 1);
                    continue;
                }
                match fmt_arg(x, verb, f, depth + 1) {
                    Some(t) => out.push_str(&t),
                    None => out.push_str(&bad_verb(x, verb)),
                }
            }
            out.push('}');
            Some(out)
        }
        Val::Struct(_) => {
            if verb == 'v' {
                Some(sprint_v(v))
            } else {
                None
            }
        }
    }
}

fn bad_verb(v: &Val, verb: char) -> String {
    match v {
        Val::Missing | Val::Nil => format!("%!{verb}(<nil>)"),
        _ => format!("%!{verb}({}={})", v.type_name(), sprint_v(v)),
    }
}

/// Go's `fmt.Sprintf`.
pub(crate) fn sprintf(format: &str, args: &[Val]) -> String {
    let mut out = String::new();
    let chars: Vec<char> = format.chars().collect();
    let mut i = 0;
    let mut argn = 0usize;
    let mut reordered = false;
    let mut good_arg_num = true;
    while i < chars.len() {
        let c = chars[i];
        if c != '%' {
            out.push(c);
            i += 1;
            continue;
        }
        i += 1;
        let mut f = Flags::default();
        // flags
        while i < chars.len() {
            match chars[i] {
                '#' => f.sharp = true,
                '0' => f.zero = !f.minus,
                '+' => f.plus = true,
                '-' => {
                    f.minus = true;
                    f.zero = false
                }
                ' ' => f.space = true,
                _ => break,
            }
            i += 1;
        }
        // argument index
        let mut parse_index = |i: &mut usize, argn: &mut usize| {
            if *i < chars.len() && chars[*i] == '[' {
                reordered = true;
                let start = *i + 1;
                let mut j = start;
                while j < chars.len() && chars[j] != ']' {
                    j += 1;
                }
                if j >= chars.len() {
                    good_arg_num = false;
                    *i = chars.len();
                    return;
                }
                let s: String = chars[start..j].iter().collect();
                match s.parse::<usize>() {
                    Ok(n) if n >= 1 && n <= args.len() => {
                        *argn = n - 1;
                        good_arg_num = true;
                    }
                    _ => good_arg_num = false,
                }
                *i = j + 1;
            }
        };
        parse_index(&mut i, &mut argn);
        // width
        if i < chars.len() && chars[i] == '*' {
            i += 1;
            match args.get(argn) {
                Some(Val::Int(w) | Val::Int64(w)) => {
                    let w = *w;
                    if w < 0 {
                        f.minus = true;
                        f.zero = false;
                    }
                    f.width = Some(w.unsigned_abs() as usize);
                }
                _ => out.push_str("%!(BADWIDTH)"),
            }
            argn += 1;
        } else {
            let start = i;
            while i < chars.len() && chars[i].is_ascii_digit() {
                i += 1;
            }
            if i > start {
                let s: String = chars[start..i].iter().collect();
                f.width = s.parse().ok();
            }
        }
        // precision
        if i < chars.len() && chars[i] == '.' {
            i += 1;
            parse_index(&mut i, &mut argn);
            if i < chars.len() && chars[i] == '*' {
                i += 1;
                match args.get(argn) {
                    Some(Val::Int(p) | Val::Int64(p)) if *p >= 0 => f.prec = Some(*p as usize),
                    _ => out.push_str("%!(BADPREC)"),
                }
                argn += 1;
            } else {
                let start = i;
                while i < chars.len() && chars[i].is_ascii_digit() {
                    i += 1;
                }
                let s: String = chars[start..i].iter().collect();
                f.prec = Some(s.parse().unwrap_or(0));
            }
        }
        parse_index(&mut i, &mut argn);
        if i >= chars.len() {
            out.push_str("%!(NOVERB)");
            break;
        }
        let verb = chars[i];
        i += 1;
        if verb == '%' {
            out.push('%');
            continue;
        }
        if !good_arg_num {
            out.push_str(&format!("%!{verb}(BADINDEX)"));
            continue;
        }
        let Some(arg) = args.get(argn) else {
            out.push_str(&format!("%!{verb}(MISSING)"));
            continue;
        };
        argn += 1;
        if verb == 'T' {
            pad(&mut out, &arg.type_name(), &f);
            continue;
        }
        if verb == 'v' && f.sharp {
            let mut o = String::new();
            write_v(&mut o, arg, true, 0);
            pad(&mut out, &o, &f);
            continue;
        }
        match fmt_arg(arg, verb, &f, 0) {
            Some(s) => pad(&mut out, &s, &f),
            None => out.push_str(&bad_verb(arg, verb)),
        }
    }
    if !reordered && argn < args.len() {
        out.push_str("%!(EXTRA ");
        for (k, a) in args[argn..].iter().enumerate() {
            if k > 0 {
                out.push_str(", ");
            }
            match a {
                Val::Missing | Val::Nil => out.push_str("<nil>"),
                a => {
                    out.push_str(&a.type_name());
                    out.push('=');
                    out.push_str(&sprint_v(a));
                }
            }
        }
        out.push(')');
    }
    out
}
