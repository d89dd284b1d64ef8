use super::*;

/// A stand-in for the semver module: `*` is the highest non-pre-release (versions compared
/// as dotted numbers), `=X` / `X` exact, `<X` numeric; enough to test the plumbing.
fn numeric(v: &str) -> Option<(Vec<u64>, bool)> {
    let (core, pre) = match v.split_once('-') {
        Some((c, _)) => (c, true),
        None => (v.split('+').next().unwrap_or(v), false),
    };
    let nums: Option<Vec<u64>> = core.split('.').map(|p| p.parse().ok()).collect();
    nums.map(|n| (n, pre))
}

type Pred = Box<dyn Fn(&[u64], bool) -> bool>;

fn fake(range: &str, versions: &[&str]) -> Result<Option<usize>, String> {
    let pred: Pred = if range == "*" {
        Box::new(|_, pre| !pre)
    } else if let Some(max) = range.strip_prefix('<') {
        let (m, _) = numeric(max).ok_or("bad range")?;
        Box::new(move |v, pre| !pre && v < m.as_slice())
    } else if range.starts_with('!') {
        return Err(format!("improper constraint: {range}"));
    } else {
        let (m, _) = numeric(range.trim_start_matches('=')).ok_or("bad range")?;
        Box::new(move |v, _| v == m.as_slice())
    };
    let mut best: Option<(usize, Vec<u64>)> = None;
    for (i, v) in versions.iter().enumerate() {
        let Some((n, pre)) = numeric(v) else { continue };
        if pred(&n, pre) && best.as_ref().is_none_or(|(_, b)| n > *b) {
            best = Some((i, n));
        }
    }
    Ok(best.map(|(i, _)| i))
}

const INDEX: &str = r#"apiVersion: v1
entries:
  alpine:
  - apiVersion: v2
    appVersion: 1.10
    created: "2024-05-13T15:03:37.539497858Z"
    description: Deploy a basic Alpine Linux pod
    digest: 515c58e5f79d8b2913a10cb400ebb6fa9c77fe813287afbacf1a0b897cd78727
    home: https://helm.sh/helm
    name: alpine
    sources:
    - https://github.com/helm/helm
    urls:
    - https://charts.example.com/alpine-0.2.0.tgz
    version: 0.2.0
  - apiVersion: v2
    created: "2016-10-06T16:23:20.499814565-06:00"
    description: Deploy a basic Alpine Linux pod
    digest: 515c58e5f79d8b2913a10cb400ebb6fa9c77fe813287afbacf1a0b897cd78727
    name: alpine
    urls:
    - alpine-0.1.0.tgz
    version: 0.1.0
  - apiVersion: v2
    name: alpine
    urls:
    - alpine-0.3.0-rc.1.tgz
    version: 0.3.0-rc.1
  nginx:
  - apiVersion: v2
    name: nginx
    urls:
    - nginx-1.1.0.tgz
    version: 1.1.0
    maintainers:
    - name: someone
      email: a@b.c
    dependencies:
    - name: common
      version: 1.x.x
      repository: https://charts.example.com
      import-values: [a]
generated: "2016-10-06T16:23:20.499029981-06:00"
"#;

fn parse(text: &str, chart: &str) -> Result<ChartIndex, IndexError> {
    parse_chart_index(text.as_bytes(), chart, &IndexOptions::default())
}

#[test]
fn reads_one_chart_and_picks_the_latest_stable_version() {
    let idx = parse(INDEX, "alpine").expect("index");
    assert_eq!(idx.api_version, "v1");
    assert!(!idx.json);
    let versions = idx.versions.as_ref().expect("alpine is there");
    assert_eq!(versions.len(), 3);
    let v = select_version(&idx, None, &fake).expect("latest");
    assert_eq!(v.metadata.version, "0.2.0");
    // sigs.k8s.io/yaml: a float bound for a string is printed with FormatFloat(f, 'g', -1, 32).
    assert_eq!(v.metadata.app_version, "1.1");
    assert_eq!(v.metadata.sources, ["https://github.com/helm/helm"]);
    assert_eq!(v.created, "2024-05-13T15:03:37.539497858Z");
    assert_eq!(
        v.digest,
        "515c58e5f79d8b2913a10cb400ebb6fa9c77fe813287afbacf1a0b897cd78727"
    );
}

#[test]
fn exact_version_text_wins_then_ranges() {
    let idx = parse(INDEX, "alpine").expect("index");
    let v = select_version(&idx, Some("0.3.0-rc.1"), &fake).expect("exact pre-release");
    assert_eq!(v.urls, ["alpine-0.3.0-rc.1.tgz"]);
    let v = select_version(&idx, Some("<0.2.0"), &fake).expect("a range");
    assert_eq!(v.metadata.version, "0.1.0");
    let e = select_version(&idx, Some("<0.0.1"), &fake).expect_err("nothing matches");
    assert_eq!(
        e.to_string(),
        r#"chart "alpine" version "<0.0.1" not found"#
    );
    let e = select_version(&idx, Some("!x"), &fake).expect_err("bad range");
    assert!(matches!(e, SelectError::InvalidRange { .. }), "{e:?}");
}

#[test]
fn a_chart_the_index_does_not_name_is_not_found() {
    let idx = parse(INDEX, "absent").expect("index");
    assert_eq!(idx.versions, None);
    let e = select_version(&idx, None, &fake).expect_err("absent");
    assert_eq!(
        e,
        SelectError::NoChartName {
            chart: "absent".into()
        }
    );
}

#[test]
fn nested_fields_of_the_wanted_chart_decode() {
    let idx = parse(INDEX, "nginx").expect("index");
    let v = select_version(&idx, Some("1.1.0"), &fake).expect("nginx");
    let m = v.metadata.maintainers[0].as_ref().expect("maintainer");
    assert_eq!(m.email, "a@b.c");
    let d = v.metadata.dependencies[0].as_ref().expect("dependency");
    assert_eq!(d.repository, "https://charts.example.com");
    assert_eq!(d.import_values, [Value::String("a".into())]);
}

#[test]
fn invalid_and_null_entries_are_skipped_with_warnings() {
    let text = "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: not-semver\n  -\n  - name: c\n    version: 1.0.0\n    urls: [c.tgz]\n";
    let idx = parse(text, "c").expect("index");
    let versions = idx.versions.as_ref().expect("c");
    assert_eq!(versions.len(), 1);
    assert_eq!(
        versions[0].metadata.api_version, "v1",
        "apiVersion defaults to v1"
    );
    assert_eq!(idx.warnings.len(), 2, "{:?}", idx.warnings);
    assert!(
        idx.warnings[0].contains(r#""not-semver""#),
        "{:?}",
        idx.warnings
    );
    assert!(
        idx.warnings[1].contains("empty entry"),
        "{:?}",
        idx.warnings
    );
}

#[test]
fn unknown_fields_anywhere_refuse_the_index_as_unmarshal_strict_does() {
    for (text, field) in [
        (
            "apiVersion: v1\nentries:\n  other:\n  - name: other\n    version: 1.0.0\n    bogus: 1\n",
            "bogus",
        ),
        (
            "apiVersion: v1\nentries:\n  other:\n  - name: other\n    version: 1.0.0\n    maintainers:\n    - name: x\n      phone: 1\n",
            "phone",
        ),
        (
            "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n    dependencies:\n    - name: x\n      repo: y\n",
            "repo",
        ),
        ("apiVersion: v1\nextra: true\nentries: {}\n", "extra"),
    ] {
        let e = parse(text, "c").expect_err(field);
        assert_eq!(
            e.to_string(),
            format!(
                "error unmarshaling JSON: while decoding JSON: json: unknown field \"{field}\""
            )
        );
    }
    // Field names match case-insensitively, as encoding/json matches them.
    let idx = parse(
        "APIVERSION: v1\nEntries:\n  c:\n  - Name: c\n    VERSION: 1.0.0\n",
        "c",
    )
    .expect("index");
    assert_eq!(idx.versions.expect("c")[0].metadata.version, "1.0.0");
}

#[test]
fn duplicate_keys_anywhere_refuse_the_index() {
    let text = "apiVersion: v1\nentries:\n  other:\n  - name: other\n    name: again\n    version: 1.0.0\n";
    let e = parse(text, "c").expect_err("duplicate");
    assert_eq!(
        e.to_string(),
        "error converting YAML to JSON: yaml: unmarshal errors:\n  line 5: key \"name\" already set in map"
    );
}

#[test]
fn a_syntax_error_after_the_chart_still_refuses_the_index() {
    let text = "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n  d: [unclosed\n";
    let e = parse(text, "c").expect_err("syntax");
    assert!(
        e.to_string()
            .starts_with("error converting YAML to JSON: yaml: line"),
        "{e}"
    );
}

#[test]
fn type_errors_in_the_wanted_chart_are_helms() {
    let e = parse(
        "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n    urls: x.tgz\n",
        "c",
    )
    .expect_err("urls not a list");
    assert_eq!(
        e.to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field ChartVersion.entries.urls of type []string"
    );
    let e = parse(
        "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n    created: yesterday\n",
        "c",
    )
    .expect_err("bad time");
    assert!(e.to_string().contains("parsing time"), "{e}");
}

#[test]
fn index_level_errors() {
    assert_eq!(parse("", "c"), Err(IndexError::Empty));
    assert_eq!(parse("entries: {}\n", "c"), Err(IndexError::NoApiVersion));
    assert_eq!(
        parse("# only a comment\n", "c"),
        Err(IndexError::NoApiVersion)
    );
    let e = parse("just a string\n", "c").expect_err("scalar");
    assert!(
        e.to_string()
            .ends_with("cannot unmarshal string into Go value of type repo.IndexFile"),
        "{e}"
    );
    let e = parse_chart_index(
        INDEX.as_bytes(),
        "c",
        &IndexOptions::default().with_max_bytes(10),
    )
    .expect_err("too large");
    assert!(matches!(e, IndexError::TooLarge { limit: 10, .. }), "{e:?}");
}

#[test]
fn only_the_first_document_counts() {
    let text =
        "apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n---\nnot: [valid\n";
    let idx = parse(text, "c").expect("index");
    assert_eq!(idx.versions.expect("c").len(), 1);
}

#[test]
fn json_indexes_are_read_leniently() {
    let text = r#"{"apiVersion":"v1","unknown":1,"entries":{"other":[{"name":"other","version":"1.0.0","what":1}],"c":[{"name":"c","version":"2.0.0","urls":["c-2.0.0.tgz"],"extra":true}]}}"#;
    let idx = parse(text, "c").expect("json index");
    assert!(idx.json);
    let v = select_version(&idx, None, &fake).expect("c");
    assert_eq!(v.urls, ["c-2.0.0.tgz"]);
    // A number where a string is wanted is a type error in JSON (no coercion).
    let e = parse(
        r#"{"apiVersion":"v1","entries":{"c":[{"name":"c","version":2}]}}"#,
        "c",
    )
    .expect_err("number");
    assert!(e.to_string().contains("cannot unmarshal number"), "{e}");
}

#[test]
fn aliases_into_the_chart_from_elsewhere_are_resolved() {
    let text = "apiVersion: v1\nentries:\n  base:\n  - &b\n    name: c\n    version: 1.0.0\n    urls: [c.tgz]\n  c:\n  - *b\n  - <<: *b\n    version: 1.1.0\n";
    let idx = parse(text, "c").expect("index");
    let versions = idx.versions.expect("c");
    assert_eq!(versions.len(), 2);
    assert_eq!(versions[1].metadata.version, "1.1.0");
    assert_eq!(versions[1].urls, ["c.tgz"]);
    // Anchors inside the chart need no second pass.
    let text = "apiVersion: v1\nentries:\n  c:\n  - &x\n    name: c\n    version: 1.0.0\n  - *x\n";
    assert_eq!(
        parse(text, "c").expect("index").versions.expect("c").len(),
        2
    );
}

#[test]
fn flow_style_and_quoted_keys() {
    let text = "{apiVersion: v1, entries: {\"c\": [{name: c, version: '1.0.0', urls: [a.tgz]}]}, generated: '2020-01-01T00:00:00Z'}\n";
    // Not valid JSON (unquoted keys): read as YAML.
    let idx = parse(text, "c").expect("index");
    assert!(!idx.json);
    assert_eq!(idx.versions.expect("c")[0].urls, ["a.tgz"]);
}

#[test]
fn chart_urls_resolve_as_helm_resolves_them() {
    let r = |b: &str, u: &str| resolve_reference_url(b, u).expect("resolves");
    assert_eq!(
        r("https://h/charts", "c-1.0.0.tgz"),
        "https://h/charts/c-1.0.0.tgz"
    );
    assert_eq!(
        r("https://h/charts/", "c-1.0.0.tgz"),
        "https://h/charts/c-1.0.0.tgz"
    );
    assert_eq!(r("https://h/charts", "/abs/c.tgz"), "https://h/abs/c.tgz");
    assert_eq!(r("https://h/charts", "https://o/c.tgz"), "https://o/c.tgz");
    assert_eq!(
        r("https://h/charts?key=1", "c.tgz"),
        "https://h/charts/c.tgz?key=1"
    );
    assert_eq!(
        r("https://h:8443", "index.yaml"),
        "https://h:8443/index.yaml"
    );
}

#[test]
fn times_parse_as_go_parses_rfc3339() {
    assert_eq!(check_time("2016-10-06T16:23:20.499814565-06:00"), Ok(()));
    assert_eq!(check_time("2020-01-01T00:00:00Z"), Ok(()));
    let layout = "\"2006-01-02T15:04:05Z07:00\"";
    // Texts from helm v4.1.4.
    assert_eq!(
        check_time("yesterday"),
        Err(format!(
            "parsing time \"yesterday\" as {layout}: cannot parse \"yesterday\" as \"2006\""
        ))
    );
    assert_eq!(
        check_time("2020-01-01"),
        Err(format!(
            "parsing time \"2020-01-01\" as {layout}: cannot parse \"\" as \"T\""
        ))
    );
    assert_eq!(
        check_time("2020-01-01T00:00:00"),
        Err(format!(
            "parsing time \"2020-01-01T00:00:00\" as {layout}: cannot parse \"\" as \"Z07:00\""
        ))
    );
    assert_eq!(
        check_time("2020-13-01T00:00:00Z"),
        Err("parsing time \"2020-13-01T00:00:00Z\": month out of range".to_owned())
    );
}

/// The errors helm v4.1.4 prints for these indexes (`helm pull --repo`), after
/// `looks like "URL" is not a valid chart repository or cannot be reached: `.
#[test]
fn type_errors_are_worded_as_helm_words_them() {
    let cases = [
        (
            "c:\n  - name: [c]\n    version: 1.0.0\n",
            "json: cannot unmarshal array into Go struct field ChartVersion.entries.Metadata.name of type string",
        ),
        (
            "c:\n  - name: c\n    version: 1.0.0\n    maintainers:\n    - name: [x]\n",
            "json: cannot unmarshal array into Go struct field Maintainer.entries.Metadata.maintainers.name of type string",
        ),
        (
            "c:\n  - name: c\n    version: 1.0.0\n    dependencies:\n    - name: [x]\n",
            "json: cannot unmarshal array into Go struct field Dependency.entries.Metadata.dependencies.name of type string",
        ),
        (
            "c:\n  - name: c\n    version: 1.0.0\n    removed: maybe\n",
            "json: cannot unmarshal string into Go struct field ChartVersion.entries.removed of type bool",
        ),
        (
            "c:\n  - name: c\n    version: 1.0.0\n    annotations: [a]\n",
            "json: cannot unmarshal array into Go struct field ChartVersion.entries.Metadata.annotations of type map[string]string",
        ),
        (
            "c:\n  - name: c\n    version: 1.0.0\n    annotations: {a: [1]}\n",
            "json: cannot unmarshal array into Go struct field ChartVersion.entries.Metadata.annotations of type string",
        ),
        (
            "c: {}\n",
            "json: cannot unmarshal object into Go struct field IndexFile.entries of type repo.ChartVersions",
        ),
        (
            "c: x\n",
            "json: cannot unmarshal string into Go struct field IndexFile.entries of type repo.ChartVersions",
        ),
        (
            "c:\n  - x\n",
            "json: cannot unmarshal string into Go struct field IndexFile.entries of type repo.ChartVersion",
        ),
    ];
    for (entries, want) in cases {
        let text = format!("apiVersion: v1\nentries:\n  {entries}");
        for chart in ["c", "another"] {
            // The chart asked for is decoded; another chart's entry is only checked, with
            // the same result.
            let e = parse(&text, chart).expect_err(entries);
            assert_eq!(
                e.to_string(),
                format!("error unmarshaling JSON: while decoding JSON: {want}"),
                "{entries} (asking for {chart})"
            );
        }
    }
    let e = parse(
        "apiVersion: v1\nentries:\n  other:\n  - name: o\n    version: 1.0.0\n    urls: 5\n",
        "c",
    )
    .expect_err("urls");
    assert_eq!(
        e.to_string(),
        "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal number into Go struct field ChartVersion.entries.urls of type []string"
    );
    let e = parse(
        "apiVersion: v1\nentries:\n  other:\n  - name: o\n    created: yesterday\n",
        "c",
    )
    .expect_err("created");
    assert!(
        e.to_string()
            .ends_with("cannot parse \"yesterday\" as \"2006\""),
        "{e}"
    );
    // YAML 1.1 booleans are booleans.
    let idx = parse("apiVersion: v1\nentries:\n  c:\n  - name: c\n    version: 1.0.0\n    removed: yes\n    deprecated: on\n", "c").expect("index");
    let v = &idx.versions.expect("c")[0];
    assert!(v.removed && v.metadata.deprecated);
}
