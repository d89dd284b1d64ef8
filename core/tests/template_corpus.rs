//! Renders the helm-funcs conformance corpus with gitward's template engine and compares
//! each result byte for byte with what helm v4.1.4 produced.

#![allow(clippy::print_stdout, clippy::unwrap_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use gitward::template::helm::{RenderContext, render};
use gitward::template::strvals::{Mode, parse_into};
use gitward::template::{Env, Templates, gostr_to_bytes, parse_json};
use gitward::yaml::Value;

/// Raise as the engine improves.
const FLOOR: usize = 665;

fn corpus_dir() -> Option<PathBuf> {
    let base = match std::env::var("GITWARD_CONFORMANCE") {
        Ok(p) => PathBuf::from(p),
        Err(_) => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/conformance"),
    };
    let d = base.join("helm-funcs");
    d.join("cases.jsonl").exists().then_some(d)
}

fn read_tree(root: &Path, dir: &Path, out: &mut BTreeMap<String, Vec<u8>>) {
    let Ok(rd) = std::fs::read_dir(dir) else {
        return;
    };
    for e in rd.flatten() {
        let p = e.path();
        if p.is_dir() {
            read_tree(root, &p, out);
        } else if let Ok(b) = std::fs::read(&p) {
            let rel = p
                .strip_prefix(root)
                .unwrap()
                .to_string_lossy()
                .replace('\\', "/");
            out.insert(rel, b);
        }
    }
}

fn b64decode(s: &str) -> Vec<u8> {
    let alpha = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = vec![];
    let mut buf = 0u32;
    let mut n = 0;
    for c in s.bytes() {
        let Some(v) = alpha.iter().position(|&a| a == c) else {
            continue;
        };
        buf = buf << 6 | v as u32;
        n += 6;
        if n >= 8 {
            n -= 8;
            out.push((buf >> n) as u8);
        }
    }
    out
}

fn strings(v: Option<&Value>) -> Vec<String> {
    v.and_then(Value::as_seq)
        .map(|s| {
            s.iter()
                .filter_map(|x| x.as_str().map(str::to_string))
                .collect()
        })
        .unwrap_or_default()
}

/// Renders one case; Ok(bytes) or Err(message).
fn run_case(
    case: &Value,
    base_files: &BTreeMap<String, Vec<u8>>,
    chart: &Value,
) -> Result<Vec<u8>, String> {
    let g = |k: &str| case.get(k).and_then(Value::as_str).unwrap_or("");
    let mut values =
        gitward::yaml::parse_helm_values(g("values_yaml")).map_err(|e| format!("values: {e}"))?;
    for (key, mode) in [
        ("set", Mode::Typed),
        ("set_string", Mode::String),
        ("set_json", Mode::Json),
    ] {
        for s in strings(case.get(key)) {
            parse_into(&s, &mut values, mode)?;
        }
    }
    let mut files = base_files.clone();
    if let Some(extra) = case.get("files").and_then(Value::as_map) {
        for (k, v) in extra {
            files.insert(k.clone(), v.as_str().unwrap_or("").as_bytes().to_vec());
        }
    }
    let mut ctx = RenderContext {
        release_name: g("release").to_string(),
        namespace: g("namespace").to_string(),
        chart: chart.clone(),
        values,
        files,
        ..RenderContext::default()
    };
    let args = strings(case.get("args"));
    let mut i = 0;
    while i < args.len() {
        match args[i].as_str() {
            "--kube-version" => {
                i += 1;
                let v = args[i].clone();
                ctx.kube_version = if v.starts_with('v') {
                    v
                } else {
                    format!("v{v}")
                };
            }
            "--api-versions" => {
                i += 1;
                ctx.api_versions.push(args[i].clone());
            }
            "--is-upgrade" => ctx.is_upgrade = true,
            _ => {}
        }
        i += 1;
    }
    let name = "funcs/templates/snippet.yaml";
    let mut t = Templates::new();
    t.add(name, g("template")).map_err(|e| e.to_string())?;
    // A fixed clock (the day the corpus was generated) and a real-ish random source.
    let seed = Arc::new(std::sync::atomic::AtomicU64::new(0x1234_5678_9abc_def1));
    let env = Env {
        now: Arc::new(|| (1_795_780_800, 0)),
        random: Arc::new(move |buf: &mut [u8]| {
            for b in buf.iter_mut() {
                let mut z =
                    seed.fetch_add(0x9E37_79B9_7F4A_7C15, std::sync::atomic::Ordering::Relaxed);
                z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                *b = (z ^ (z >> 31)) as u8;
            }
        }),
        ..Env::default()
    };
    let out = render(&t, name, &ctx, &env).map_err(|e| e.to_string())?;
    Ok(gostr_to_bytes(&out))
}

#[test]
fn helm_funcs_corpus() {
    let Some(dir) = corpus_dir() else {
        if std::env::var("CI").as_deref() == Ok("true") {
            panic!("conformance corpus not found");
        }
        println!("helm-funcs corpus not found; skipping");
        return;
    };
    // Deep include recursion needs a big stack.
    let h = std::thread::Builder::new()
        .stack_size(512 << 20)
        .spawn(move || run_corpus(&dir))
        .unwrap();
    h.join().unwrap();
}

fn run_corpus(dir: &Path) {
    let root = dir.join("base-chart");
    let mut all = BTreeMap::new();
    read_tree(&root, &root, &mut all);
    let ignore: Vec<String> =
        String::from_utf8_lossy(all.get(".helmignore").map(Vec::as_slice).unwrap_or(b""))
            .lines()
            .map(|l| l.trim().to_string())
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
    let chart_text = String::from_utf8_lossy(&all["Chart.yaml"]).to_string();
    let chart = gitward::yaml::parse_helm_values(&chart_text).unwrap_or(Value::Null);
    let files: BTreeMap<String, Vec<u8>> = all
        .into_iter()
        .filter(|(k, _)| {
            k != "Chart.yaml"
                && k != "values.yaml"
                && !k.starts_with("templates/")
                && !ignore.contains(k)
        })
        .collect();
    let text = std::fs::read_to_string(dir.join("cases.jsonl")).unwrap();
    let only = std::env::var("CASE").ok();
    let mut per_cat: BTreeMap<String, (usize, usize)> = BTreeMap::new();
    let mut failures = vec![];
    let mut passed = 0;
    let mut total = 0;
    for line in text.lines().filter(|l| !l.trim().is_empty()) {
        let case = parse_json(line).unwrap();
        let name = case
            .get("name")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        if only.as_deref().is_some_and(|o| !name.contains(o)) {
            continue;
        }
        let cat = case
            .get("category")
            .and_then(Value::as_str)
            .unwrap_or("")
            .to_string();
        let expected: Option<Vec<u8>> =
            if let Some(e) = case.get("expected").and_then(Value::as_str) {
                Some(e.as_bytes().to_vec())
            } else {
                case.get("expected_b64")
                    .and_then(Value::as_str)
                    .map(b64decode)
            };
        let got = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            run_case(&case, &files, &chart)
        }))
        .unwrap_or_else(|_| Err("PANIC".into()));
        let ok = match (&expected, &got) {
            (Some(e), Ok(g)) => e == g,
            (None, Err(_)) => true,
            _ => false,
        };
        total += 1;
        let entry = per_cat.entry(cat).or_default();
        entry.1 += 1;
        if ok {
            passed += 1;
            entry.0 += 1;
        } else {
            let g = match &got {
                Ok(b) => format!("{:?}", String::from_utf8_lossy(b)),
                Err(e) => format!("ERROR {e}"),
            };
            let e = match &expected {
                Some(b) => format!("{:?}", String::from_utf8_lossy(b)),
                None => format!(
                    "ERROR {}",
                    case.get("error").and_then(Value::as_str).unwrap_or("")
                ),
            };
            failures.push(format!("FAIL {name}\n  expected: {e}\n  got:      {g}"));
        }
    }
    for f in &failures {
        println!("{f}");
    }
    for (cat, (p, t)) in &per_cat {
        println!("{cat:24} {p:4}/{t}");
    }
    println!("helm-funcs: {passed}/{total} exact");
    if only.is_none() {
        assert!(
            passed >= FLOOR,
            "pass count {passed} fell below the floor {FLOOR}"
        );
    }
}
