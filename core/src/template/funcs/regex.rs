//! Sprig's regex functions over Go RE2 syntax (translated for the `regex` crate:
//! `\d \w \s \b` are ASCII as in Go).

use regex::Regex;

use super::PT::*;
use super::{Add, Builtin, FnError, i, s};
use crate::template::value::Val;

/// Rewrites Go's ASCII-only Perl classes for the `regex` crate, and character classes
/// to Go's reading: `-` is a range only right after a single character (so `[\w-.]`
/// holds a literal `-`), and `[`, `&`, `~` are plain members (no nested classes or set
/// operations as in the `regex` crate).
fn translate(p: &str) -> String {
    let mut out = String::with_capacity(p.len() + 8);
    let chars: Vec<char> = p.chars().collect();
    let mut k = 0;
    while k < chars.len() {
        let c = chars[k];
        if c == '\\' && k + 1 < chars.len() {
            let e = chars[k + 1];
            let rep = match e {
                'd' => Some("[0-9]"),
                'D' => Some("[^0-9]"),
                'w' => Some("[0-9A-Za-z_]"),
                'W' => Some("[^0-9A-Za-z_]"),
                's' => Some(r"[\t\n\f\r ]"),
                'S' => Some(r"[^\t\n\f\r ]"),
                'b' => Some(r"(?-u:\b)"),
                'B' => Some(r"(?-u:\B)"),
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
        if c == '[' {
            k = translate_class(&chars, k, &mut out);
            continue;
        }
        out.push(c);
        k += 1;
    }
    out
}

/// Translates the class opening at `chars[start]` (`[`); returns the index after it.
/// An unclosed class is copied as is (the `regex` crate then reports it).
fn translate_class(chars: &[char], start: usize, out: &mut String) -> usize {
    let mut k = start + 1;
    out.push('[');
    if chars.get(k) == Some(&'^') {
        out.push('^');
        k += 1;
    }
    // Whether the last member was a single character that a `-` may extend to a range.
    let mut can_range = false;
    // Whether the next single character closes a range.
    let mut range_hi = false;
    let mut first = true;
    while k < chars.len() {
        let c = chars[k];
        if c == ']' && !first {
            out.push(']');
            return k + 1;
        }
        first = false;
        if c == '[' && chars.get(k + 1) == Some(&':') {
            // POSIX class [:alpha:]
            if let Some(end) = (k + 2..chars.len().saturating_sub(1))
                .find(|&j| chars[j] == ':' && chars[j + 1] == ']')
            {
                out.extend(&chars[k..end + 2]);
                k = end + 2;
                can_range = false;
                range_hi = false;
                continue;
            }
        }
        if c == '\\' && k + 1 < chars.len() {
            let e = chars[k + 1];
            let rep = match e {
                'd' => Some("0-9"),
                'w' => Some("0-9A-Za-z_"),
                's' => Some(r"\t\n\f\r "),
                'D' => Some("[^0-9]"),
                'W' => Some("[^0-9A-Za-z_]"),
                'S' => Some(r"[^\t\n\f\r ]"),
                _ => None,
            };
            if let Some(r) = rep {
                out.push_str(r);
                k += 2;
                can_range = false;
                range_hi = false;
                continue;
            }
            // A single escaped character, or a `\p{..}`/`\x{..}` form copied whole.
            let mut end = k + 2;
            if matches!(e, 'p' | 'P' | 'x') && chars.get(end) == Some(&'{') {
                while end < chars.len() && chars[end] != '}' {
                    end += 1;
                }
                end = (end + 1).min(chars.len());
            } else if matches!(e, 'p' | 'P') {
                end = (end + 1).min(chars.len());
            } else if e == 'x' {
                end = (end + 2).min(chars.len());
            }
            out.extend(&chars[k..end]);
            k = end;
            let unicode_class = matches!(e, 'p' | 'P');
            can_range = !range_hi && !unicode_class;
            range_hi = false;
            continue;
        }
        if c == '-' && can_range && k + 1 < chars.len() && chars[k + 1] != ']' {
            out.push('-');
            k += 1;
            can_range = false;
            range_hi = true;
            continue;
        }
        if matches!(c, '-' | '[' | '&' | '~' | '^' | ']') {
            out.push('\\');
        }
        out.push(c);
        k += 1;
        can_range = !range_hi;
        range_hi = false;
    }
    k
}

/// Compiles a Go regexp; errors are worded like Go's `regexp/syntax`.
pub(crate) fn compile(p: &str) -> Result<Regex, String> {
    // Compiling costs far more than matching, and charts call these functions on the
    // same expressions over and over (in loops, once per object): keep what this thread
    // compiled (a memo, so results are unchanged).
    thread_local! {
        static COMPILED: std::cell::RefCell<std::collections::HashMap<String, Regex>> =
            std::cell::RefCell::default();
    }
    if let Some(re) = COMPILED.with(|c| c.borrow().get(p).cloned()) {
        return Ok(re);
    }
    let re = compile_uncached(p)?;
    COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        if c.len() < 256 {
            c.insert(p.to_string(), re.clone());
        }
    });
    Ok(re)
}

fn compile_uncached(p: &str) -> Result<Regex, String> {
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

/// `regexp.MustCompile`, whose panic the template reports as the call's error:
/// ``regexp: Compile(`expr`): ...`` (the expression backquoted when Go can, else quoted).
fn must_compile(p: &str) -> Result<Regex, FnError> {
    compile(p).map_err(|e| {
        let can_backquote = !p
            .chars()
            .any(|c| c == '`' || c == '\u{FEFF}' || (c.is_control() && c != '\t'));
        let q = if can_backquote {
            format!("`{p}`")
        } else {
            crate::go::strconv::quote(p)
        };
        FnError::msg(format!("regexp: Compile({q}): {e}"))
    })
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
            let re = must_compile(s(&a[0]))?;
            Ok(Val::str_list(find_all(&re, s(&a[1]), i(&a[2]))))
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
            let re = must_compile(s(&a[0]))?;
            Ok(Val::str(
                re.find(s(&a[1]))
                    .map(|m| m.as_str().to_string())
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
            let re = must_compile(s(&a[0]))?;
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
            let re = must_compile(s(&a[0]))?;
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
            let re = must_compile(s(&a[0]))?;
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn class_dash_and_members_as_go() {
        let m = |p: &str, s: &str| compile(p).map(|r| r.is_match(s)).unwrap_or(false);
        assert!(m(r"^[\w-\.]+$", "redis-ha.x_1"));
        assert!(!m(r"^[\w-\.]+$", "a/b"));
        assert!(m(r"^[a-c-e]+$", "a-e"));
        assert!(!m(r"^[a-c-e]+$", "d"));
        assert!(m(r"^[-a]+$", "-a"));
        assert!(m(r"^[a-]+$", "-a"));
        assert!(m(r"^[]a]+$", "]a"));
        assert!(m(r"^[[a]+$", "[a"));
        assert!(m(r"^[a&&b]+$", "&"));
        assert!(m(r"^[\d-z]+$", "1-z"));
        assert!(!m(r"^[\d-z]+$", "y"));
        assert!(m(r"^[[:alpha:]-]+$", "a-"));
        assert!(m(r"^[\x{41}-C]+$", "B"));
        assert!(m(r"^[^\s]+$", "ab"));
        assert!(compile("[a").is_err());
    }
}
