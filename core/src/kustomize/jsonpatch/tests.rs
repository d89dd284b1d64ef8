use super::*;

/// Differential run against the Go library (`tools/jsonpatch-ref`): reads the cases in
/// `$JSONPATCH_CASES` (JSON lines `{"doc": ..., "patch": ...}`) and writes one result line
/// each to `$JSONPATCH_OUT` in the Go tool's format; `$JSONPATCH_MODE` is `lib` (default)
/// or `kyaml`. See `tools/jsonpatch-ref/README.md`.
#[test]
#[ignore = "differential run: needs JSONPATCH_CASES and JSONPATCH_OUT"]
fn differential_dump() {
    let (Ok(cases), Ok(out_path)) = (
        std::env::var("JSONPATCH_CASES"),
        std::env::var("JSONPATCH_OUT"),
    ) else {
        return;
    };
    let kyaml = std::env::var("JSONPATCH_MODE").is_ok_and(|m| m == "kyaml");
    let text = std::fs::read_to_string(cases).expect("cases file readable");
    let mut out = String::new();
    for line in text.lines() {
        json::check_valid(line.as_bytes()).expect("a JSON line");
        let mut doc = String::new();
        let mut patch = String::new();
        for (k, v) in json::object_members(line) {
            match k.as_str() {
                "doc" => doc = json::unquote(v),
                "patch" => patch = json::unquote(v),
                _ => {}
            }
        }
        let result = if kyaml {
            run_kyaml(&doc, &patch)
        } else {
            run_lib(&doc, &patch)
        };
        let (key, text) = match result {
            Ok(s) => ("out", s),
            Err(Failure::Error(e)) => ("err", e),
            Err(Failure::Panic(p)) => ("panic", p),
        };
        out.push_str(&format!("{{\"{key}\":"));
        crate::gojson::write_str(&mut out, &text, false);
        out.push_str("}\n");
    }
    std::fs::write(out_path, out).expect("output written");
}

fn run_lib(doc: &str, patch: &str) -> Result<String, Failure> {
    let (p, _) = decode(patch).map_err(|e| Failure::Error(e.to_string()))?;
    apply_json(doc, &p)
}

fn run_kyaml(doc: &str, patch: &str) -> Result<String, Failure> {
    let mut rs = crate::kustomize::parse_resources(doc.as_bytes(), "doc.yaml")
        .map_err(|e| Failure::Error(format!("bad test input: {e}")))?;
    let Some(r) = rs.first_mut() else {
        return Err(Failure::Error("bad test input: no resource".into()));
    };
    let (p, _) = decode(patch).map_err(|e| Failure::Error(e.to_string()))?;
    match apply_to_resource(r, &p, true) {
        Ok(()) => Ok(crate::yaml::emit_kustomize(&r.obj)),
        Err(e) => match e.strip_prefix("panic: ") {
            Some(p) => Err(Failure::Panic(p.to_owned())),
            None => Err(Failure::Error(e)),
        },
    }
}
