//! `toYamlPretty`: go-yaml v3's encoder with two-space indentation (sequences indented
//! under their key), for the JSON-like values templates produce.

use crate::yaml::Value;

/// Emits a value the way `toYamlPretty` does (before its trailing-newline trim).
pub(crate) fn emit(v: &Value) -> String {
    match v {
        Value::Map(m) if m.is_empty() => "{}\n".into(),
        Value::Seq(s) if s.is_empty() => "[]\n".into(),
        Value::Map(_) | Value::Seq(_) => {
            let mut out = String::new();
            block(&mut out, v, 0);
            out
        }
        scalar => format!("{}\n", scalar_text(scalar)),
    }
}

fn scalar_text(v: &Value) -> String {
    // Scalars print as the Helm emitter prints them.
    let s = crate::yaml::emit_helm(v);
    s.strip_suffix('\n').unwrap_or(&s).to_string()
}

fn sorted_keys(m: &crate::yaml::Map) -> Vec<&String> {
    let mut k: Vec<&String> = m.keys().collect();
    k.sort();
    k
}

fn key_text(k: &str) -> String {
    scalar_text(&Value::String(k.to_string()))
}

fn block(out: &mut String, v: &Value, indent: usize) {
    let pad = " ".repeat(indent);
    match v {
        Value::Map(m) => {
            for k in sorted_keys(m) {
                let child = &m[k.as_str()];
                match child {
                    Value::Map(c) if !c.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", key_text(k)));
                        block(out, child, indent + 2);
                    }
                    Value::Seq(c) if !c.is_empty() => {
                        out.push_str(&format!("{pad}{}:\n", key_text(k)));
                        block(out, child, indent + 2);
                    }
                    other => out.push_str(&format!("{pad}{}: {}\n", key_text(k), inline(other))),
                }
            }
        }
        Value::Seq(s) => {
            for item in s {
                match item {
                    Value::Map(c) if !c.is_empty() => {
                        let mut sub = String::new();
                        block(&mut sub, item, indent + 2);
                        let trimmed = sub.trim_start_matches(' ');
                        out.push_str(&format!("{pad}- {trimmed}"));
                    }
                    Value::Seq(c) if !c.is_empty() => {
                        let mut sub = String::new();
                        block(&mut sub, item, indent + 2);
                        let trimmed = sub.trim_start_matches(' ');
                        out.push_str(&format!("{pad}- {trimmed}"));
                    }
                    other => out.push_str(&format!("{pad}- {}\n", inline(other))),
                }
            }
        }
        other => out.push_str(&format!("{pad}{}\n", inline(other))),
    }
}

fn inline(v: &Value) -> String {
    match v {
        Value::Map(m) if m.is_empty() => "{}".into(),
        Value::Seq(s) if s.is_empty() => "[]".into(),
        other => scalar_text(other),
    }
}
