//! Fuzzes the template engine: parse a template and execute it against values.
//!
//! Input: template text, a NUL byte, then a YAML values document (both lossily decoded
//! as UTF-8). The execution runs with small step, output and depth limits and a
//! deterministic environment, so every input must finish quickly without panicking.

#![no_main]

use gitward::template::value::Val;
use gitward::template::{Env, Limits, Templates};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let (tpl, values) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let tpl = String::from_utf8_lossy(tpl);
    let values = String::from_utf8_lossy(values);
    let data = match gitward::yaml::parse_helm_values(&values) {
        Ok(v) => Val::from_value(&v),
        Err(_) => Val::Nil,
    };
    let mut ts = Templates::new();
    if ts.add("t", &tpl).is_err() {
        return;
    }
    // A helper template so `include`/`template` calls have something to find.
    let _ = ts.add("h", r#"{{ define "h" }}[{{ . }}]{{ end }}"#);
    let env = Env {
        limits: Limits {
            max_steps: 20_000,
            max_output: 1 << 20,
            max_depth: 40,
        },
        ..Env::default()
    };
    let _ = ts.execute("t", data, &env);
});
