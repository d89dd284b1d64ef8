//! Masterminds semver v3.4 (as Helm v4.1.4 links it): `semver`, `semverCompare`.

use std::rc::Rc;
use std::sync::OnceLock;

use regex_lite::Regex;

use super::PT::*;
use super::{Add, Builtin, FnError, FnResult, s};
use crate::template::value::{Val, Version};

const LOOSE: &str = r"v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const CV: &str = r"v?([0-9|x|X|\*]+)(\.[0-9|x|X|\*]+)?(\.[0-9|x|X|\*]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?";
const OPS: &str = r"=||!=|>|<|>=|=>|<=|=<|~|~>|\^";

struct Res {
    version: Regex,
    constraint: Regex,
    range: Regex,
    find: Regex,
    valid: Regex,
}

fn res() -> &'static Res {
    static R: OnceLock<Res> = OnceLock::new();
    R.get_or_init(|| {
        let mk =
            |p: String| Regex::new(&p).unwrap_or_else(|_| Regex::new("$^").expect("trivial regex"));
        Res {
            version: mk(format!("^{LOOSE}$")),
            constraint: mk(format!(r"^\s*({OPS})\s*({CV})\s*$")),
            range: mk(format!(r"\s*({CV})\s+-\s+({CV})\s*")),
            find: mk(format!(r"({OPS})\s*({CV})")),
            valid: mk(format!(
                r"^(\s*({OPS})\s*({CV})\s*)((?:\s+|,\s*)({OPS})\s*({CV})\s*)*$"
            )),
        }
    })
}

/// Masterminds `NewVersion` (coercing).
pub(crate) fn parse_version(v: &str) -> Result<Version, String> {
    let bad = || "invalid semantic version".to_string();
    let m = res().version.captures(v).ok_or_else(bad)?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let num = |t: &str| {
        t.trim_start_matches('.')
            .parse::<u64>()
            .map_err(|e| format!("error parsing version segment: {e}"))
    };
    let major = num(g(1))?;
    let minor = if g(2).is_empty() { 0 } else { num(g(2))? };
    let patch = if g(3).is_empty() { 0 } else { num(g(3))? };
    let pre = g(5).to_string();
    if !pre.is_empty() {
        for p in pre.split('.') {
            if p.bytes().all(|c| c.is_ascii_digit()) && p.len() > 1 && p.starts_with('0') {
                return Err("version segment starts with 0".into());
            }
        }
    }
    Ok(Version {
        major,
        minor,
        patch,
        pre,
        metadata: g(8).to_string(),
        original: v.to_string(),
    })
}

fn cmp_u(a: u64, b: u64) -> i32 {
    match a.cmp(&b) {
        std::cmp::Ordering::Less => -1,
        std::cmp::Ordering::Equal => 0,
        std::cmp::Ordering::Greater => 1,
    }
}

fn compare_pre_part(a: &str, b: &str) -> i32 {
    if a == b {
        return 0;
    }
    if a.is_empty() {
        return if !b.is_empty() { -1 } else { 1 };
    }
    if b.is_empty() {
        return 1;
    }
    let (bi, ai) = (b.parse::<u64>(), a.parse::<u64>());
    match (ai, bi) {
        (Err(_), Err(_)) => {
            if a > b {
                1
            } else {
                -1
            }
        }
        (_, Err(_)) => -1,
        (Err(_), _) => 1,
        (Ok(x), Ok(y)) => {
            if x > y {
                1
            } else {
                -1
            }
        }
    }
}

fn compare_pre(a: &str, b: &str) -> i32 {
    let sp: Vec<&str> = a.split('.').collect();
    let op: Vec<&str> = b.split('.').collect();
    for i in 0..sp.len().max(op.len()) {
        let d = compare_pre_part(
            sp.get(i).copied().unwrap_or(""),
            op.get(i).copied().unwrap_or(""),
        );
        if d != 0 {
            return d;
        }
    }
    0
}

/// `Version.Compare`.
pub(crate) fn compare(v: &Version, o: &Version) -> i32 {
    for d in [
        cmp_u(v.major, o.major),
        cmp_u(v.minor, o.minor),
        cmp_u(v.patch, o.patch),
    ] {
        if d != 0 {
            return d;
        }
    }
    match (v.pre.is_empty(), o.pre.is_empty()) {
        (true, true) => 0,
        (true, false) => 1,
        (false, true) => -1,
        _ => compare_pre(&v.pre, &o.pre),
    }
}

/// `IncMajor` / `IncMinor` / `IncPatch`.
pub(crate) fn bump(v: &Version, which: &str) -> Version {
    let mut n = v.clone();
    n.metadata.clear();
    match which {
        "IncMajor" => {
            n.pre.clear();
            n.major += 1;
            n.minor = 0;
            n.patch = 0;
        }
        "IncMinor" => {
            n.pre.clear();
            n.minor += 1;
            n.patch = 0;
        }
        _ => {
            if v.pre.is_empty() {
                n.patch += 1;
            }
            n.pre.clear();
        }
    }
    let prefix = if v.original.starts_with('v') { "v" } else { "" };
    n.original = format!("{prefix}{}", n.string());
    n
}

struct Con {
    op: String,
    con: Version,
    minor_dirty: bool,
    patch_dirty: bool,
    dirty: bool,
}

fn is_x(x: &str) -> bool {
    matches!(x, "x" | "*" | "X")
}

fn parse_con(c: &str) -> Result<Con, String> {
    let m = res()
        .constraint
        .captures(c)
        .ok_or_else(|| format!("improper constraint: {c}"))?;
    let g = |i: usize| m.get(i).map_or("", |x| x.as_str());
    let (op, ver_text) = (g(1), g(2));
    let (m3, m4, m5, m6) = (g(3), g(4), g(5), g(6));
    let mut ver = ver_text.to_string();
    let (mut minor_dirty, mut patch_dirty, mut dirty) = (false, false, false);
    if is_x(m3) || m3.is_empty() {
        ver = format!("0.0.0{m6}");
        dirty = true;
    } else if is_x(m4.trim_start_matches('.')) || m4.is_empty() {
        minor_dirty = true;
        dirty = true;
        ver = format!("{m3}.0.0{m6}");
    } else if is_x(m5.trim_start_matches('.')) || m5.is_empty() {
        dirty = true;
        patch_dirty = true;
        ver = format!("{m3}{m4}.0{m6}");
    }
    let con = parse_version(&ver).map_err(|_| "constraint parser error".to_string())?;
    Ok(Con {
        op: op.to_string(),
        con,
        minor_dirty,
        patch_dirty,
        dirty,
    })
}

fn tilde(v: &Version, c: &Con) -> bool {
    if compare(v, &c.con) < 0 {
        return false;
    }
    if c.con.major == 0 && c.con.minor == 0 && c.con.patch == 0 && !c.minor_dirty && !c.patch_dirty
    {
        return true;
    }
    if v.major != c.con.major {
        return false;
    }
    if v.minor != c.con.minor && !c.minor_dirty {
        return false;
    }
    true
}

fn check(v: &Version, c: &Con, include_pre: bool) -> bool {
    if !v.pre.is_empty() && !include_pre {
        return false;
    }
    let cmp = compare(v, &c.con);
    match c.op.as_str() {
        "" | "=" => {
            if c.dirty {
                tilde(v, c)
            } else {
                cmp == 0
            }
        }
        "!=" => {
            if c.dirty {
                if c.con.major != v.major {
                    return true;
                }
                if c.con.minor != v.minor && !c.minor_dirty {
                    return true;
                }
                if c.minor_dirty {
                    return false;
                }
                if c.con.patch != v.patch && !c.patch_dirty {
                    return true;
                }
                if c.patch_dirty {
                    if !v.pre.is_empty() || !c.con.pre.is_empty() {
                        return compare_pre(&v.pre, &c.con.pre) != 0;
                    }
                    return false;
                }
            }
            cmp != 0
        }
        ">" => {
            if !c.dirty {
                return cmp == 1;
            }
            if v.major > c.con.major {
                return true;
            }
            if v.major < c.con.major || c.minor_dirty {
                return false;
            }
            if c.patch_dirty {
                return v.minor > c.con.minor;
            }
            cmp == 1
        }
        "<" => cmp < 0,
        ">=" | "=>" => cmp >= 0,
        "<=" | "=<" => {
            if !c.dirty {
                return cmp <= 0;
            }
            if v.major > c.con.major {
                return false;
            }
            if v.major == c.con.major && v.minor > c.con.minor && !c.minor_dirty {
                return false;
            }
            true
        }
        "~" | "~>" => tilde(v, c),
        "^" => {
            if cmp < 0 {
                return false;
            }
            if c.con.major > 0 || c.minor_dirty {
                return v.major == c.con.major;
            }
            if c.con.major == 0 && v.major > 0 {
                return false;
            }
            if c.con.minor > 0 || c.patch_dirty {
                return v.minor == c.con.minor;
            }
            if c.con.minor == 0 && v.minor > 0 {
                return false;
            }
            c.con.patch == v.patch
        }
        _ => false,
    }
}

/// Masterminds `NewConstraint(c).Check(v)`.
pub(crate) fn constraint_check(constraint: &str, v: &Version) -> Result<bool, String> {
    let r = res();
    let mut c = constraint.to_string();
    let caps: Vec<(String, String, String)> = r
        .range
        .captures_iter(constraint)
        .map(|m| {
            (
                m.get(0).map_or("", |x| x.as_str()).to_string(),
                m.get(1).map_or("", |x| x.as_str()).to_string(),
                m.get(11).map_or("", |x| x.as_str()).to_string(),
            )
        })
        .collect();
    for (all, a, b) in caps {
        c = c.replacen(&all, &format!(">= {a}, <= {b} "), 1);
    }
    let mut any = false;
    for or in c.split("||") {
        if !r.valid.is_match(or) {
            return Err(format!("improper constraint: {or}"));
        }
        let mut cs: Vec<&str> = r.find.find_iter(or).map(|m| m.as_str()).collect();
        if cs.is_empty() {
            cs.push(or);
        }
        let parsed: Vec<Con> = cs.iter().map(|x| parse_con(x)).collect::<Result<_, _>>()?;
        let has_pre = parsed.iter().any(|p| !p.con.pre.is_empty());
        if !any && parsed.iter().all(|p| check(v, p, has_pre)) {
            any = true;
        }
    }
    Ok(any)
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "semver",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            parse_version(s(&a[0]))
                .map(|v| Val::Semver(Rc::new(v)))
                .map_err(FnError::msg)
        }),
    );
    add(
        "semverCompare",
        &[Str, Str],
        false,
        Builtin::Fn(semver_compare),
    );
}

fn semver_compare(_: &mut super::Cx<'_>, a: Vec<Val>) -> FnResult {
    // Charts compare the same constraint with the same version over and over: keep the
    // answers this thread worked out (a memo of a pure function).
    type Memo = std::collections::HashMap<(String, String), Result<bool, String>>;
    thread_local! {
        static MEMO: std::cell::RefCell<Memo> = std::cell::RefCell::default();
    }
    let key = (s(&a[0]).to_string(), s(&a[1]).to_string());
    if let Some(r) = MEMO.with(|m| m.borrow().get(&key).cloned()) {
        return r.map(Val::Bool).map_err(FnError::msg);
    }
    let r = parse_version(&key.1).and_then(|v| {
        // NewConstraint is evaluated first in sprig.
        constraint_check(&key.0, &v)
    });
    MEMO.with(|m| {
        let mut m = m.borrow_mut();
        if m.len() < 1024 {
            m.insert(key, r.clone());
        }
    });
    r.map(Val::Bool).map_err(FnError::msg)
}
