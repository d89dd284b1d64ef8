//! Limits: runaway templates fail with a clear error instead of hanging.

#![allow(clippy::unwrap_used)]

use gitward::template::{Env, Limits, TemplateError, Templates, value::Val};

fn run(text: &str, limits: Limits) -> Result<String, TemplateError> {
    let mut t = Templates::new();
    t.add("t", text).unwrap();
    let env = Env {
        limits,
        ..Env::default()
    };
    t.execute("t", Val::Nil, &env)
}

#[test]
fn endless_range_hits_step_limit() {
    let limits = Limits {
        max_steps: 100_000,
        ..Limits::default()
    };
    let e = run("{{ range $i := 1000000000000 }}x{{ end }}", limits).unwrap_err();
    assert!(matches!(e, TemplateError::Limit(_)), "{e}");
}

#[test]
fn output_size_limit() {
    let limits = Limits {
        max_output: 1000,
        ..Limits::default()
    };
    let e = run("{{ range until 100000 }}0123456789{{ end }}", limits).unwrap_err();
    assert!(matches!(e, TemplateError::Limit(_)), "{e}");
}

#[test]
fn template_recursion_depth_limit() {
    let limits = Limits {
        max_depth: 50,
        ..Limits::default()
    };
    let e = run(
        r#"{{ define "r" }}{{ template "r" . }}{{ end }}{{ template "r" . }}"#,
        limits,
    )
    .unwrap_err();
    assert!(
        e.to_string().contains("exceeded maximum template depth"),
        "{e}"
    );
}

#[test]
fn parse_error_wording() {
    let mut t = Templates::new();
    let e = t.add("x.yaml", "a\n{{ end }}").unwrap_err();
    assert_eq!(e.to_string(), "template: x.yaml:2: unexpected {{end}}");
    assert_eq!(
        e.helm_message(),
        "parse error at (x.yaml:2): unexpected {{end}}"
    );
}

#[test]
fn exec_error_wording() {
    let e = run("{{ upper 1 }}", Limits::default()).unwrap_err();
    assert_eq!(
        e.to_string(),
        r#"template: t:1:9: executing "t" at <1>: expected string; found 1"#
    );
}

#[test]
fn concurrent_execution() {
    let mut t = Templates::new();
    t.add("t", "{{ . }}").unwrap();
    let t = std::sync::Arc::new(t);
    let hs: Vec<_> = (0..4)
        .map(|i| {
            let t = t.clone();
            std::thread::spawn(move || t.execute("t", Val::Int(i), &Env::default()).unwrap())
        })
        .collect();
    let outs: Vec<String> = hs.into_iter().map(|h| h.join().unwrap()).collect();
    assert_eq!(outs, vec!["0", "1", "2", "3"]);
}
