//! Methods of the Go types templates see: Helm's `Values` and `files`, `VersionSet`,
//! `KubeVersion`, `*semver.Version` and `time.Time`.

use crate::go::strconv;
use std::collections::BTreeMap;
use std::rc::Rc;

use super::PT::{self, *};
use super::{FnError, FnResult, gostr_to_bytes, i, s};
use crate::template::Env;
use crate::template::value::{Elem, MapKind, Val};

/// A method's parameters.
#[derive(Clone, Copy)]
pub(crate) struct MethodSig {
    pub params: &'static [PT],
    pub variadic: bool,
}

const fn sig(params: &'static [PT]) -> MethodSig {
    MethodSig {
        params,
        variadic: false,
    }
}

/// Finds a method of a value's type.
pub(crate) fn lookup(v: &Val, name: &str) -> Option<(&'static str, MethodSig)> {
    let table: &[(&'static str, MethodSig)] = match v {
        Val::Map(m) => match m.kind {
            MapKind::Values => &[
                ("AsMap", sig(&[])),
                ("Table", sig(&[Str])),
                ("YAML", sig(&[])),
                ("PathValue", sig(&[Str])),
            ],
            MapKind::Files => &[
                ("Get", sig(&[Str])),
                ("GetBytes", sig(&[Str])),
                ("Glob", sig(&[Str])),
                ("AsConfig", sig(&[])),
                ("AsSecrets", sig(&[])),
                ("Lines", sig(&[Str])),
            ],
            _ => &[],
        },
        Val::List(l) if matches!(l.named, Some("common.VersionSet" | "chartutil.VersionSet")) => {
            &[("Has", sig(&[Str]))]
        }
        Val::Struct(st)
            if matches!(st.type_name, "common.KubeVersion" | "chartutil.KubeVersion") =>
        {
            &[("String", sig(&[])), ("GitVersion", sig(&[]))]
        }
        Val::Semver(_) => &[
            ("String", sig(&[])),
            ("Original", sig(&[])),
            ("Major", sig(&[])),
            ("Minor", sig(&[])),
            ("Patch", sig(&[])),
            ("Prerelease", sig(&[])),
            ("Metadata", sig(&[])),
            ("IncMajor", sig(&[])),
            ("IncMinor", sig(&[])),
            ("IncPatch", sig(&[])),
            ("Compare", sig(&[Any])),
            ("LessThan", sig(&[Any])),
            ("LessThanEqual", sig(&[Any])),
            ("GreaterThan", sig(&[Any])),
            ("GreaterThanEqual", sig(&[Any])),
            ("Equal", sig(&[Any])),
            ("SetPrerelease", sig(&[Str])),
            ("SetMetadata", sig(&[Str])),
        ],
        Val::Time(_) => &[
            ("Year", sig(&[])),
            ("Month", sig(&[])),
            ("Day", sig(&[])),
            ("Hour", sig(&[])),
            ("Minute", sig(&[])),
            ("Second", sig(&[])),
            ("Nanosecond", sig(&[])),
            ("YearDay", sig(&[])),
            ("Weekday", sig(&[])),
            ("Unix", sig(&[])),
            ("UnixNano", sig(&[])),
            ("UnixMilli", sig(&[])),
            ("Format", sig(&[Str])),
            ("String", sig(&[])),
            ("UTC", sig(&[])),
            ("Local", sig(&[])),
            ("IsZero", sig(&[])),
            ("AddDate", sig(&[Int, Int, Int])),
        ],
        Val::Enum(..) => &[("String", sig(&[]))],
        _ => &[],
    };
    table.iter().find(|(n, _)| *n == name).copied()
}

const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];
const DAYS: [&str; 7] = [
    "Sunday",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
];

fn semver_arg(v: &Val, name: &str) -> Result<Rc<crate::template::value::Version>, FnError> {
    match v {
        Val::Semver(s) => Ok(s.clone()),
        other => Err(FnError::msg(format!(
            "wrong type for value; expected *semver.Version; got {} ({name})",
            other.type_name()
        ))),
    }
}

/// Calls a method found by [`lookup`].
pub(crate) fn call(_env: &Env, recv: &Val, name: &str, a: Vec<Val>) -> FnResult {
    match recv {
        Val::Map(m) if m.kind == MapKind::Values => {
            let entries = m.entries.borrow().clone();
            match name {
                "AsMap" => Ok(Val::map(MapKind::Iface, entries)),
                "Table" | "PathValue" => {
                    let path = s(&a[0]);
                    let mut cur = recv.clone();
                    for part in path.split('.') {
                        let next = match &cur {
                            Val::Map(mm) => mm.entries.borrow().get(part).cloned(),
                            _ => None,
                        };
                        match next {
                            Some(v) => cur = v,
                            None => {
                                return Err(FnError::msg(format!(
                                    "no table named {}",
                                    strconv::quote(path)
                                )));
                            }
                        }
                    }
                    if name == "Table" {
                        match cur {
                            Val::Map(mm) => {
                                Ok(Val::map(MapKind::Values, mm.entries.borrow().clone()))
                            }
                            _ => Err(FnError::msg(format!(
                                "no table named {}",
                                strconv::quote(path)
                            ))),
                        }
                    } else {
                        Ok(cur)
                    }
                }
                "YAML" => {
                    let v = recv.to_value().unwrap_or_default();
                    Ok(Val::str(crate::yaml::emit_helm(&v)))
                }
                _ => Err(FnError::msg("no such method")),
            }
        }
        Val::Map(m) if m.kind == MapKind::Files => {
            let entries = m.entries.borrow();
            match name {
                "Get" => Ok(match entries.get(s(&a[0])) {
                    Some(Val::Str(st)) => Val::Str(st.clone()),
                    _ => Val::str(""),
                }),
                "GetBytes" => Ok(match entries.get(s(&a[0])) {
                    Some(Val::Str(st)) => Val::Bytes(gostr_to_bytes(st).into()),
                    _ => Val::Bytes(Vec::new().into()),
                }),
                "Glob" => {
                    let pat = s(&a[0]);
                    let out: BTreeMap<String, Val> = entries
                        .iter()
                        .filter(|(k, _)| glob_match(pat, k))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    Ok(super::helm::files_map(out))
                }
                "AsConfig" | "AsSecrets" => {
                    let mut yaml = crate::yaml::Map::default();
                    let mut sorted: BTreeMap<String, String> = BTreeMap::new();
                    for (k, v) in entries.iter() {
                        let base = k.rsplit('/').next().unwrap_or(k).to_string();
                        let data = match v {
                            Val::Str(st) => st.to_string(),
                            _ => String::new(),
                        };
                        let data = if name == "AsSecrets" {
                            super::encoding::b64enc(&gostr_to_bytes(&data))
                        } else {
                            data
                        };
                        sorted.insert(base, data);
                    }
                    for (k, v) in sorted {
                        yaml.insert(k, crate::yaml::Value::String(v));
                    }
                    let out = crate::yaml::emit_helm(&crate::yaml::Value::Map(yaml));
                    Ok(Val::str(out.strip_suffix('\n').unwrap_or(&out)))
                }
                "Lines" => {
                    let Some(Val::Str(st)) = entries.get(s(&a[0])) else {
                        return Ok(Val::str_list(vec![]));
                    };
                    if st.is_empty() {
                        return Err(FnError::msg("runtime error: index out of range [-1]"));
                    }
                    let body = st.strip_suffix('\n').unwrap_or(st);
                    Ok(Val::str_list(
                        body.split('\n').map(str::to_string).collect(),
                    ))
                }
                _ => Err(FnError::msg("no such method")),
            }
        }
        Val::List(l) => {
            let want = s(&a[0]);
            Ok(Val::Bool(l.items.iter().any(|x| x.as_str() == Some(want))))
        }
        Val::Struct(st) => {
            let field = |f: &str| {
                st.fields
                    .iter()
                    .find(|(k, _)| *k == f)
                    .map(|(_, v)| crate::template::value::sprint_v(v))
                    .unwrap_or_default()
            };
            // String() is the normalized version when there is one; GitVersion() the
            // version as given.
            let normalized = field("normalizedVersion");
            if name == "String" && !normalized.is_empty() {
                return Ok(Val::str(normalized));
            }
            Ok(Val::str(field("Version")))
        }
        Val::Enum(_, _, st) => Ok(Val::str(*st)),
        Val::Semver(v) => {
            // Masterminds v3.4.0 (Helm v4.1.4): increments wrap at the largest number,
            // the setters validate and keep a `v` prefix.
            let semver = |r: Result<crate::semver::Version, crate::semver::VersionError>| {
                r.map(|n| Val::Semver(Rc::new(n)))
                    .map_err(|e| FnError::msg(e.to_string()))
            };
            match name {
                "String" => Ok(Val::str(v.to_string())),
                "Original" => Ok(Val::str(v.original())),
                "Major" => Ok(Val::Uint64(v.major())),
                "Minor" => Ok(Val::Uint64(v.minor())),
                "Patch" => Ok(Val::Uint64(v.patch())),
                "Prerelease" => Ok(Val::str(v.prerelease())),
                "Metadata" => Ok(Val::str(v.metadata())),
                "IncMajor" => Ok(Val::Semver(Rc::new(v.inc_major()))),
                "IncMinor" => Ok(Val::Semver(Rc::new(v.inc_minor()))),
                "IncPatch" => Ok(Val::Semver(Rc::new(v.inc_patch()))),
                "SetPrerelease" => semver(v.set_prerelease(s(&a[0]))),
                "SetMetadata" => semver(v.set_metadata(s(&a[0]))),
                _ => {
                    let o = semver_arg(&a[0], name)?;
                    let c = v.compare(&o) as i32;
                    Ok(match name {
                        "Compare" => Val::Int(c as i64),
                        "LessThan" => Val::Bool(c < 0),
                        "LessThanEqual" => Val::Bool(c <= 0),
                        "GreaterThan" => Val::Bool(c > 0),
                        "GreaterThanEqual" => Val::Bool(c >= 0),
                        _ => Val::Bool(c == 0),
                    })
                }
            }
        }
        Val::Time(t) => {
            let c = t.civil();
            Ok(match name {
                "Year" => Val::Int(c.year),
                "Month" => Val::Enum("time.Month", c.month as i64, MONTHS[(c.month - 1) as usize]),
                "Day" => Val::Int(c.day as i64),
                "Hour" => Val::Int(c.hour as i64),
                "Minute" => Val::Int(c.min as i64),
                "Second" => Val::Int(c.sec as i64),
                "Nanosecond" => Val::Int(t.nsec as i64),
                "YearDay" => Val::Int(c.yday as i64),
                "Weekday" => Val::Enum("time.Weekday", c.weekday as i64, DAYS[c.weekday as usize]),
                "Unix" => Val::Int64(t.unix),
                "UnixNano" => Val::Int64(
                    t.unix
                        .wrapping_mul(1_000_000_000)
                        .wrapping_add(t.nsec as i64),
                ),
                "UnixMilli" => Val::Int64(
                    t.unix
                        .wrapping_mul(1000)
                        .wrapping_add(t.nsec as i64 / 1_000_000),
                ),
                "Format" => Val::str(t.format(s(&a[0]))),
                "String" => Val::str(t.go_string()),
                "UTC" | "Local" => Val::Time(crate::template::time::GoTime::utc(t.unix, t.nsec)),
                "IsZero" => Val::Bool(t.unix == -62135596800 && t.nsec == 0),
                "AddDate" => {
                    let (y, mo, d) = (i(&a[0]), i(&a[1]), i(&a[2]));
                    let total_m = c.month as i64 - 1 + mo;
                    let ny = c.year + y + total_m.div_euclid(12);
                    let nm = total_m.rem_euclid(12) as u32 + 1;
                    let days =
                        crate::template::time::days_from_civil(ny, nm, 1) + c.day as i64 - 1 + d;
                    let local =
                        days * 86400 + c.hour as i64 * 3600 + c.min as i64 * 60 + c.sec as i64;
                    Val::Time(crate::template::time::GoTime {
                        unix: local - t.offset as i64,
                        nsec: t.nsec,
                        offset: t.offset,
                        zone: t.zone.clone(),
                    })
                }
                _ => return Err(FnError::msg("no such method")),
            })
        }
        _ => {
            let _ = Elem::Iface;
            Err(FnError::msg("no such method"))
        }
    }
}

/// gobwas/glob matching with `/` as separator: `*` (no `/`), `**` (anything), `?`,
/// `[...]`, `{a,b}`.
pub(crate) fn glob_match(pat: &str, name: &str) -> bool {
    let p: Vec<char> = pat.chars().collect();
    let n: Vec<char> = name.chars().collect();
    glob_rec(&p, &n, 0)
}

fn glob_rec(p: &[char], n: &[char], depth: usize) -> bool {
    if depth > 64 {
        return false;
    }
    if p.is_empty() {
        return n.is_empty();
    }
    match p[0] {
        '*' => {
            if p.len() > 1 && p[1] == '*' {
                let rest = &p[2..];
                (0..=n.len()).any(|k| glob_rec(rest, &n[k..], depth + 1))
            } else {
                let rest = &p[1..];
                for k in 0..=n.len() {
                    if glob_rec(rest, &n[k..], depth + 1) {
                        return true;
                    }
                    if k < n.len() && n[k] == '/' {
                        break;
                    }
                }
                false
            }
        }
        '?' => !n.is_empty() && n[0] != '/' && glob_rec(&p[1..], &n[1..], depth + 1),
        '[' => {
            let Some(end) = p.iter().position(|&c| c == ']') else {
                return false;
            };
            if n.is_empty() {
                return false;
            }
            let class = &p[1..end];
            let (neg, class) = if class.first() == Some(&'!') || class.first() == Some(&'^') {
                (true, &class[1..])
            } else {
                (false, class)
            };
            let mut hit = false;
            let mut k = 0;
            while k < class.len() {
                if k + 2 < class.len() && class[k + 1] == '-' {
                    if class[k] <= n[0] && n[0] <= class[k + 2] {
                        hit = true;
                    }
                    k += 3;
                } else {
                    if class[k] == n[0] {
                        hit = true;
                    }
                    k += 1;
                }
            }
            hit != neg && glob_rec(&p[end + 1..], &n[1..], depth + 1)
        }
        '{' => {
            let Some(end) = p.iter().position(|&c| c == '}') else {
                return false;
            };
            let inner: String = p[1..end].iter().collect();
            let rest: String = p[end + 1..].iter().collect();
            inner.split(',').any(|alt| {
                let np: Vec<char> = format!("{alt}{rest}").chars().collect();
                glob_rec(&np, n, depth + 1)
            })
        }
        '\\' if p.len() > 1 => {
            !n.is_empty() && n[0] == p[1] && glob_rec(&p[2..], &n[1..], depth + 1)
        }
        c => !n.is_empty() && n[0] == c && glob_rec(&p[1..], &n[1..], depth + 1),
    }
}
