//! Sprig's date functions (the clock comes from the caller's [`Env`](crate::template::Env)).

use super::PT::*;
use super::{Add, Builtin, Cx, FnError, FnResult, s};
use crate::template::time::{self, GoTime, Zone};
use crate::template::value::Val;

fn to_time(cx: &Cx<'_>, v: &Val) -> GoTime {
    match v {
        Val::Time(t) => t.clone(),
        Val::Int(i) | Val::Int64(i) => GoTime::utc(*i, 0),
        _ => cx.now(),
    }
}

fn date_in_zone(cx: &Cx<'_>, fmt: &str, date: &Val, zone: &str) -> String {
    let t = to_time(cx, date);
    let z = Zone::load(zone).unwrap_or(Zone::Fixed(0, "UTC"));
    t.in_zone(&z).format(fmt)
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "now",
        &[],
        false,
        Builtin::Fn(|cx, _| Ok(Val::Time(cx.now()))),
    );
    add(
        "date",
        &[Str, Any],
        false,
        Builtin::Fn(|cx, a| Ok(Val::str(date_in_zone(cx, s(&a[0]), &a[1], "Local")))),
    );
    add(
        "dateInZone",
        &[Str, Any, Str],
        false,
        Builtin::Fn(|cx, a| Ok(Val::str(date_in_zone(cx, s(&a[0]), &a[1], s(&a[2]))))),
    );
    add(
        "date_in_zone",
        &[Str, Any, Str],
        false,
        Builtin::Fn(|cx, a| Ok(Val::str(date_in_zone(cx, s(&a[0]), &a[1], s(&a[2]))))),
    );
    add(
        "htmlDate",
        &[Any],
        false,
        Builtin::Fn(|cx, a| Ok(Val::str(date_in_zone(cx, "2006-01-02", &a[0], "Local")))),
    );
    add(
        "htmlDateInZone",
        &[Any, Str],
        false,
        Builtin::Fn(|cx, a| Ok(Val::str(date_in_zone(cx, "2006-01-02", &a[0], s(&a[1]))))),
    );
    add("dateModify", &[Str, Time], false, Builtin::Fn(date_modify));
    add("date_modify", &[Str, Time], false, Builtin::Fn(date_modify));
    add(
        "mustDateModify",
        &[Str, Time],
        false,
        Builtin::Fn(must_date_modify),
    );
    add(
        "must_date_modify",
        &[Str, Time],
        false,
        Builtin::Fn(must_date_modify),
    );
    add(
        "ago",
        &[Any],
        false,
        Builtin::Fn(|cx, a| {
            let t = match &a[0] {
                Val::Time(t) => t.clone(),
                Val::Int(i) | Val::Int64(i) => GoTime::utc(*i, 0),
                _ => cx.now(),
            };
            let now = cx.now();
            let d = (now.unix as i128 - t.unix as i128) * 1_000_000_000 + now.nsec as i128
                - t.nsec as i128;
            let secs = (d as f64 / 1e9).round() as i64;
            Ok(Val::str(time::duration_string(
                secs.saturating_mul(1_000_000_000),
            )))
        }),
    );
    add(
        "duration",
        &[Any],
        false,
        Builtin::Fn(|_, a| {
            let n: i64 = match &a[0] {
                Val::Str(st) => st.parse().unwrap_or(0),
                Val::Int64(i) => *i,
                _ => 0,
            };
            Ok(Val::str(time::duration_string(
                n.wrapping_mul(1_000_000_000),
            )))
        }),
    );
    add(
        "durationRound",
        &[Any],
        false,
        Builtin::Fn(|cx, a| {
            let d: i64 = match &a[0] {
                Val::Str(st) => time::parse_duration(st).unwrap_or(0),
                Val::Int64(i) => *i,
                Val::Time(t) => {
                    let now = cx.now();
                    (now.unix - t.unix).saturating_mul(1_000_000_000)
                }
                _ => 0,
            };
            let u = d.unsigned_abs();
            let hour: u64 = 3_600_000_000_000;
            let (year, month, day, minute, second) = (
                hour * 24 * 365,
                hour * 24 * 30,
                hour * 24,
                60_000_000_000u64,
                1_000_000_000u64,
            );
            let r = if u > year {
                format!("{}y", u / year)
            } else if u > month {
                format!("{}mo", u / month)
            } else if u > day {
                format!("{}d", u / day)
            } else if u > hour {
                format!("{}h", u / hour)
            } else if u > minute {
                format!("{}m", u / minute)
            } else if u > second {
                format!("{}s", u / second)
            } else {
                "0s".into()
            };
            Ok(Val::str(r))
        }),
    );
    add(
        "toDate",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::Time(
                time::parse(s(&a[0]), s(&a[1])).unwrap_or_else(|_| GoTime::zero()),
            ))
        }),
    );
    add(
        "mustToDate",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            time::parse(s(&a[0]), s(&a[1]))
                .map(Val::Time)
                .map_err(FnError::msg)
        }),
    );
    add(
        "unixEpoch",
        &[Time],
        false,
        Builtin::Fn(|_, a| match &a[0] {
            Val::Time(t) => Ok(Val::str(t.unix.to_string())),
            _ => Ok(Val::str("0")),
        }),
    );
}

fn date_modify(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let Val::Time(t) = &a[1] else {
        return Ok(a[1].clone());
    };
    match time::parse_duration(s(&a[0])) {
        Ok(d) => Ok(Val::Time(t.add_nanos(d as i128))),
        Err(_) => Ok(a[1].clone()),
    }
}

fn must_date_modify(_: &mut Cx<'_>, a: Vec<Val>) -> FnResult {
    let Val::Time(t) = &a[1] else {
        return Ok(a[1].clone());
    };
    let d = time::parse_duration(s(&a[0])).map_err(FnError::msg)?;
    Ok(Val::Time(t.add_nanos(d as i128)))
}
