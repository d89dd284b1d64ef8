//! Sprig's regex functions over Go RE2 syntax (translated for the `regex` crate:
//! `\d \w \s \b` are ASCII as in Go).

use regex::Regex;

use super::PT::*;
use super::{Add, Builtin, FnError, i, s};
use crate::template::value::Val;

/// Rewrites Go's ASCII-only Perl classes for the `regex` crate.
fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let chars: Vec<char> = p.chars().collect();
    let mut k = 0;
    let mut in_class = false;
    while k < chars.len() {
        let c = chars[k];
        if c == '\\' && k + 1 < chars.len() {
            let e = chars[k + 1];
            let rep = match (e, in_class) {
                ('d', false) => Some("[0-9]"),
                ('D', false) => Some("[^0-9]"),
                ('w', false) => Some("[0-9A-Za-z_]"),
                ('W', false) => Some("[^0-9A-Za-z_]"),
                ('s', false) => Some(r"[\t\n\f\r ]"),
                ('S', false) => Some(r"[^\t\n\f\r ]"),
                ('b', false) => Some(r"(?-u:\b)"),
                ('B', false) => Some(r"(?-u:\B)"),
                ('d', true) => Some("0-9"),
                ('w', true) => Some("0-9A-Za-z_"),
                ('s', true) => Some(r"\t\n\f\r "),
                _ => None,
            };
            match rep {
                Some(r) => out.push_str(r),
                None => {
                    out.push(c);
                    out.push(e);
                }
            }
            k += 2;
            continue;
        }
        if c == '[' && !in_class {
            in_class = true;
            out.push(c);
            k += 1;
            if k < chars.len() && chars[k] == '^' {
                out.push('^');
                k += 1;
            }
            if k < chars.len() && chars[k] == ']' {
                out.push_str("\\]");
                k += 1;
            }
            continue;
        }
        if c == '[' && in_class && k + 1 < chars.len() && chars[k + 1] == ':' {
            // POSIX class [:alpha:]
            if let Some(end) = chars[k..].iter().collect::<String>().find(":]") {
                let cls: String = chars[k..k + end + 2].iter().collect();
                out.push_str(&cls);
                k += end + 2;
                continue;
            }
        }
        if c == ']' && in_class {
            in_class = false;
        }
        out.push(c);
        k += 1;
    }
    out
}

/// Compiles a Go regexp; errors are worded like Go's `regexp/syntax`.
pub(crate) fn compile(p: &str) -> Result<Regex, String> {
    Regex::new(&translate(p)).map_err(|e| {
        let msg = e.to_string();
        let code = if msg.contains("unclosed character class") {
            format!("missing closing ]: `{}`", &p[p.rfind('[').unwrap_or(0)..])
        } else if msg.contains("unclosed group") {
            format!("missing closing ): `{p}`")
        } else if msg.contains("unopened group") {
            format!("unexpected ): `{p}`")
        } else if msg.contains("repetition operator missing expression") {
            format!("missing argument to repetition operator: `{p}`")
        } else {
            format!("invalid regular expression: `{p}`")
        };
        format!("error parsing regexp: {code}")
    })
}

fn find_all(re: &Regex, st: &str, n: i64) -> Vec<String> {
    let it = re.find_iter(st).map(|m| m.as_str().to_string());
    if n < 0 {
        it.collect()
    } else {
        it.take(n as usize).collect()
    }
}

/// Go's `Regexp.Split`.
fn split(re: &Regex, st: &str, n: i64) -> Vec<String> {
    if n == 0 {
        return vec![];
    }
    if re.as_str().is_empty() && st.is_empty() {
        return vec![String::new()];
    }
    let matches: Vec<(usize, usize)> = re.find_iter(st).map(|m| (m.start(), m.end())).collect();
    let mut out = vec![];
    let mut beg = 0;
    for (ms, me) in matches {
        if n > 0 && out.len() as i64 == n - 1 {
            break;
        }
        if me == 0 {
            continue;
        }
        out.push(st[beg..ms].to_string());
        beg = me;
    }
    out.push(st[beg..].to_string());
    out
}

fn repl(re: &Regex, st: &str, r: &str, literal: bool) -> String {
    if literal {
        re.replace_all(st, regex::NoExpand(r)).to_string()
    } else {
        re.replace_all(st, r).to_string()
    }
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "regexMatch",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::Bool(
                compile(s(&a[0]))
                    .map(|re| re.is_match(s(&a[1])))
                    .unwrap_or(false),
            ))
        }),
    );
    add(
        "mustRegexMatch",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::Bool(re.is_match(s(&a[1]))))
        }),
    );
    add(
        "regexFindAll",
        &[Str, Str, Int],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str_list(
                compile(s(&a[0]))
                    .map(|re| find_all(&re, s(&a[1]), i(&a[2])))
                    .unwrap_or_default(),
            ))
        }),
    );
    add(
        "mustRegexFindAll",
        &[Str, Str, Int],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::str_list(find_all(&re, s(&a[1]), i(&a[2]))))
        }),
    );
    add(
        "regexFind",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(
                compile(s(&a[0]))
                    .ok()
                    .and_then(|re| re.find(s(&a[1])).map(|m| m.as_str().to_string()))
                    .unwrap_or_default(),
            ))
        }),
    );
    add(
        "mustRegexFind",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::str(
                re.find(s(&a[1]))
                    .map(|m| m.as_str().to_string())
                    .unwrap_or_default(),
            ))
        }),
    );
    add(
        "regexReplaceAll",
        &[Str, Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0]))
                .map_err(|e| FnError::msg(format!("regexp: Compile(`{}`): {e}", s(&a[0]))))?;
            Ok(Val::str(repl(&re, s(&a[1]), s(&a[2]), false)))
        }),
    );
    add(
        "mustRegexReplaceAll",
        &[Str, Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::str(repl(&re, s(&a[1]), s(&a[2]), false)))
        }),
    );
    add(
        "regexReplaceAllLiteral",
        &[Str, Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0]))
                .map_err(|e| FnError::msg(format!("regexp: Compile(`{}`): {e}", s(&a[0]))))?;
            Ok(Val::str(repl(&re, s(&a[1]), s(&a[2]), true)))
        }),
    );
    add(
        "mustRegexReplaceAllLiteral",
        &[Str, Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::str(repl(&re, s(&a[1]), s(&a[2]), true)))
        }),
    );
    add(
        "regexSplit",
        &[Str, Str, Int],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0]))
                .map_err(|e| FnError::msg(format!("regexp: Compile(`{}`): {e}", s(&a[0]))))?;
            Ok(Val::str_list(split(&re, s(&a[1]), i(&a[2]))))
        }),
    );
    add(
        "mustRegexSplit",
        &[Str, Str, Int],
        false,
        Builtin::Fn(|_, a| {
            let re = compile(s(&a[0])).map_err(FnError::msg)?;
            Ok(Val::str_list(split(&re, s(&a[1]), i(&a[2]))))
        }),
    );
    add(
        "regexQuoteMeta",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            let mut out = String::new();
            for c in s(&a[0]).chars() {
                if r"\.+*?()|[]{}^$".contains(c) {
                    out.push('\\');
                }
                out.push(c);
            }
            Ok(Val::str(out))
        }),
    );
}
