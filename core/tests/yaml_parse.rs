//! The parser: node shapes, positions, tags, documents, and the bounds that keep hostile
//! input (alias bombs, deep nesting, huge files) cheap to reject.

use gitward::yaml::{
    Node, NodeKind, ParseOptions, Scalar, ScalarStyle, Value, YamlError, YamlErrorKind,
    parse_helm_values, parse_kustomize_docs, parse_stream,
};

fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
    parse_stream(text, &ParseOptions::kustomize())
}

fn scalar(node: &Node) -> &Scalar {
    match &node.kind {
        NodeKind::Scalar(s) => s,
        other => panic!("expected a scalar, got {other:?}"),
    }
}

fn pairs(node: &Node) -> &[(Node, Node)] {
    match &node.kind {
        NodeKind::Map(p) => p,
        other => panic!("expected a mapping, got {other:?}"),
    }
}

fn items(node: &Node) -> &[Node] {
    match &node.kind {
        NodeKind::Seq(i) => i,
        other => panic!("expected a sequence, got {other:?}"),
    }
}

/// The keys of a mapping node, as text.
fn keys(node: &Node) -> Vec<&str> {
    pairs(node)
        .iter()
        .map(|(k, _)| scalar(k).text.as_str())
        .collect()
}

/// Runs `f` on a thread with a small stack, proving it does not recurse deeply.
fn on_small_stack<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    std::thread::Builder::new()
        .stack_size(2 * 1024 * 1024)
        .spawn(f)
        .expect("spawn")
        .join()
        .expect("no stack overflow")
}

#[test]
fn scalars_keep_text_style_and_position() {
    let docs = parse(
        "plain: a b\nsq: 'it''s'\ndq: \"tab\\there\"\nlit: |\n  x\n  y\nfold: >-\n  x\n  y\n",
    )
    .expect("valid");
    let map = &docs[0];
    assert_eq!(keys(map), ["plain", "sq", "dq", "lit", "fold"]);
    let values: Vec<(&str, ScalarStyle)> = pairs(map)
        .iter()
        .map(|(_, v)| (scalar(v).text.as_str(), scalar(v).style))
        .collect();
    assert_eq!(
        values,
        [
            ("a b", ScalarStyle::Plain),
            ("it's", ScalarStyle::SingleQuoted),
            ("tab\there", ScalarStyle::DoubleQuoted),
            ("x\ny\n", ScalarStyle::Literal),
            ("x y", ScalarStyle::Folded),
        ]
    );
    let (k, v) = &pairs(map)[1];
    assert_eq!((k.pos.line, k.pos.column, k.pos.index), (2, 1, 11));
    assert_eq!((v.pos.line, v.pos.column), (2, 5));
}

#[test]
fn tags_are_expanded_to_their_full_form() {
    let docs = parse(
        "%TAG !e! tag:example.com,2000:\n---\n\
         a: !!str 1\nb: !foo x\nc: ! y\nd: !<tag:yaml.org,2002:int> \"7\"\ne: !e!thing z\n\
         f: !!set {x: null}\n",
    )
    .expect("valid");
    let p = pairs(&docs[0]);
    let tag = |i: usize| scalar(&p[i].1).tag.as_deref();
    assert_eq!(tag(0), Some("tag:yaml.org,2002:str"));
    assert_eq!(tag(1), Some("!foo"));
    assert_eq!(tag(2), Some("!"));
    assert_eq!(tag(3), Some("tag:yaml.org,2002:int"));
    assert_eq!(tag(4), Some("tag:example.com,2000:thing"));
    assert_eq!(p[5].1.tag.as_deref(), Some("tag:yaml.org,2002:set"));
    assert_eq!(scalar(&p[0].0).tag, None);
}

#[test]
fn empty_and_null_documents_are_skipped() {
    let text =
        "---\n---\n# only a comment\n---\na: 1\n---\n~\n...\n---\nnull\n---\n!!null\n---\n- x\n";
    let docs = parse(text).expect("valid");
    assert_eq!(docs.len(), 2);
    assert_eq!(keys(&docs[0]), ["a"]);
    assert_eq!(docs[0].pos.line, 5);
    assert_eq!(items(&docs[1]).len(), 1);
    assert!(parse("").expect("valid").is_empty());
    assert!(parse("# nothing\n").expect("valid").is_empty());

    let mut keep = ParseOptions::kustomize();
    keep.skip_empty_documents = false;
    assert_eq!(parse_stream(text, &keep).expect("valid").len(), 7);
    // A quoted "null" is a string document, never skipped.
    assert_eq!(parse("--- \"null\"\n").expect("valid").len(), 1);
}

#[test]
fn kustomize_checks_document_separators_as_kyaml_does() {
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n";
    for (sep, ok) in [
        ("---\n", true),
        ("--- # a comment\n", true),
        ("---   \n", true),
        ("--- x: 1\n", false),
        ("---x\n", false),
        ("-----BEGIN CERTIFICATE-----\n", false),
        // A separator right after another is not matched by kyaml's regular expression.
        ("---\n--- \n", true),
    ] {
        let text = format!("{doc}{sep}{doc}");
        match parse(&text) {
            Ok(_) => assert!(ok, "{sep:?} should fail"),
            Err(err) => {
                assert!(!ok, "{sep:?}: {err}");
                assert_eq!(
                    (err.kind, err.line, err.column),
                    (YamlErrorKind::Syntax, 5, 1)
                );
                assert!(
                    err.message.starts_with("invalid document separator: "),
                    "{err}"
                );
            }
        }
    }
    // Helm values are plain YAML: content after `---` is a document.
    let docs = parse_stream("a: 1\n--- {b: 2}\n", &ParseOptions::helm_values()).expect("valid");
    assert_eq!(docs.len(), 2);
}

#[test]
fn syntax_errors_carry_the_position_and_go_yamls_text() {
    // go-yaml v3's texts (checked with tools/goyaml-events): parser errors name the line
    // where the construct started, scanner errors the line of the problem.
    let err = parse("a: 1\nb: [1, 2\nc: 3\n").expect_err("unclosed flow sequence");
    assert_eq!(err.kind, YamlErrorKind::Syntax);
    assert_eq!((err.line, err.column), (3, 2));
    assert_eq!(
        err.message,
        "while parsing a flow sequence, did not find expected ',' or ']'"
    );
    assert_eq!(
        err.go_text(),
        "yaml: line 1: did not find expected ',' or ']'"
    );

    let err = parse("spec:\n  selector:\n    app: x\n    - name: http\n").expect_err("bad block");
    assert_eq!(err.kind, YamlErrorKind::Syntax);
    assert_eq!((err.line, err.column), (4, 5));
    assert_eq!(
        err.to_string(),
        "line 4, column 5: while parsing a block mapping, did not find expected key"
    );
    assert_eq!(err.go_text(), "yaml: line 2: did not find expected key");

    // An error in a later document still names its own line.
    let err = parse("a: 1\n---\nb: \"open\n").expect_err("unterminated string");
    assert_eq!(
        err.go_text(),
        "yaml: line 3: found unexpected end of stream"
    );
    assert_eq!(err.kind, YamlErrorKind::Syntax);

    // What go-yaml accepts and saphyr did not: a tab after the colon, a comment right
    // after a quoted scalar, a quoted scalar continued at column 0.
    for ok in ["a:\tb\n", "x: 'y'#c\n", "data:\n  key: \"line1\nline2\"\n"] {
        parse(ok).unwrap_or_else(|e| panic!("{ok:?}: {e}"));
    }
}

#[test]
fn aliases_are_expanded() {
    let docs = parse("a: &x {k: [1, 2]}\nb: *x\nc: &s text\nd: *s\n").expect("valid");
    let p = pairs(&docs[0]);
    assert_eq!(p[1].1.kind, p[0].1.kind);
    assert_eq!(scalar(&p[3].1).text, "text");
    // An anchor may be redefined; aliases see the latest definition.
    let docs = parse("- &a x\n- *a\n- &a y\n- *a\n").expect("valid");
    let texts: Vec<&str> = items(&docs[0])
        .iter()
        .map(|n| scalar(n).text.as_str())
        .collect();
    assert_eq!(texts, ["x", "x", "y", "y"]);
}

#[test]
fn unknown_and_self_referencing_aliases_fail() {
    let err = parse("a: *nope\n").expect_err("unknown");
    assert_eq!(
        (err.kind, err.line, err.column),
        (YamlErrorKind::UnknownAnchor, 1, 4)
    );
    assert!(err.message.contains("'nope'"), "{}", err.message);
    // Anchors do not reach across documents.
    let err = parse("a: &x 1\n---\nb: *x\n").expect_err("other document");
    assert_eq!((err.kind, err.line), (YamlErrorKind::UnknownAnchor, 3));
    let err = parse("a: &r [1, *r]\n").expect_err("contains itself");
    assert_eq!(err.kind, YamlErrorKind::UnknownAnchor);
    assert!(err.message.contains("contains itself"), "{}", err.message);
}

/// Nine levels, each a list of nine aliases to the level below: ~387 million nodes.
fn alias_bomb() -> String {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for w in names.windows(2) {
        let refs = vec![format!("*{}", w[0]); 9].join(",");
        text.push_str(&format!("{}: &{} [{refs}]\n", w[1], w[1]));
    }
    text
}

#[test]
fn alias_bomb_fails_fast() {
    let text = alias_bomb();
    // The bound stops the expansion early (how fast is for the benchmarks, not a test).
    let err = parse(&text).expect_err("alias bomb");
    assert_eq!(err.kind, YamlErrorKind::AliasLimit);
    // Both profiles share the bound.
    assert_eq!(
        parse_helm_values(&text).expect_err("bomb").kind,
        YamlErrorKind::AliasLimit
    );
}

#[test]
fn alias_limit_counts_every_node_an_alias_copies() {
    // `*x` copies 4 nodes (the sequence and its 3 items); three aliases copy 12.
    let text = "x: &x [1, 2, 3]\na: *x\nb: *x\nc: *x\n";
    let mut opts = ParseOptions::kustomize();
    opts.max_alias_nodes = 12;
    assert!(parse_stream(text, &opts).is_ok());
    opts.max_alias_nodes = 11;
    let err = parse_stream(text, &opts).expect_err("13th node");
    assert_eq!(
        (err.kind, err.line, err.column),
        (YamlErrorKind::AliasLimit, 4, 4)
    );
    // The count restarts with each document.
    let two = "x: &x [1, 2, 3]\na: *x\nb: *x\n---\nx: &x [1, 2, 3]\na: *x\nb: *x\n";
    opts.max_alias_nodes = 8;
    assert_eq!(parse_stream(two, &opts).expect("valid").len(), 2);
}

#[test]
fn deeply_nested_flow_sequence_is_a_depth_error_not_a_stack_overflow() {
    let err = on_small_stack(|| {
        let text = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
        parse(&text).expect_err("too deep")
    });
    assert_eq!(err.kind, YamlErrorKind::DepthLimit);
    assert_eq!(err.line, 1);
}

#[test]
fn deep_block_nesting_stops_at_max_depth() {
    let (err, ok) = on_small_stack(|| {
        let nested = |levels: usize| -> String {
            (0..levels)
                .map(|i| format!("{}k:\n", "  ".repeat(i)))
                .collect::<String>()
                + &"  ".repeat(levels)
                + "v\n"
        };
        let err = parse(&nested(1500)).expect_err("deeper than 1000");
        // 1000 levels parse, resolve and drop within a 2 MiB stack.
        let ok = parse_kustomize_docs(&nested(999)).map(|docs| docs.len());
        (err, ok)
    });
    assert_eq!(
        (err.kind, err.line, err.column),
        (YamlErrorKind::DepthLimit, 1001, 2001)
    );
    assert_eq!(ok, Ok(1));
}

#[test]
fn max_depth_is_configurable_and_counts_expanded_aliases() {
    let mut opts = ParseOptions::kustomize();
    opts.max_depth = 3;
    assert!(parse_stream("[[[1]]]", &opts).is_ok());
    let err = parse_stream("[[[[1]]]]", &opts).expect_err("4 levels");
    assert_eq!((err.kind, err.column), (YamlErrorKind::DepthLimit, 4));
    // An alias of a 2-level node used at level 2 makes 4 levels.
    let err = parse_stream("a: &x [[1]]\nb: [*x]\n", &opts).expect_err("alias depth");
    assert_eq!(
        (err.kind, err.line, err.column),
        (YamlErrorKind::DepthLimit, 2, 5)
    );
}

#[test]
fn chained_aliases_cannot_build_deep_trees() {
    // Each level wraps the previous one: 2000 levels without any deep syntax.
    let mut text = String::from("l0: &l0 [x]\n");
    for i in 1..2000 {
        text.push_str(&format!("l{i}: &l{i} [*l{}]\n", i - 1));
    }
    let err = on_small_stack(move || parse(&text).expect_err("too deep"));
    assert_eq!(err.kind, YamlErrorKind::DepthLimit);
    assert_eq!(err.line, 1000);
}

#[test]
fn input_size_is_bounded() {
    let mut opts = ParseOptions::kustomize();
    opts.max_input_bytes = 10;
    let err = parse_stream("a: 0123456789\n", &opts).expect_err("too big");
    assert_eq!(err.kind, YamlErrorKind::SizeLimit);
    assert!(parse_stream("a: 1\n", &opts).is_ok());
}

#[test]
fn duplicate_keys_report_the_first_repeated_key_like_go_yaml() {
    // go-yaml v3 checks pairs (i, j) in order: `a` repeats before `b` is looked at.
    let err = parse("a: 1\nb: 2\nb: 3\na: 4\n").expect_err("duplicates");
    assert_eq!((err.kind, err.line), (YamlErrorKind::DuplicateKey, 4));
    assert_eq!(err.message, "mapping key \"a\" already defined at line 1");
    // The same holds past the small-map fast path.
    let mut text: String = (0..40).map(|i| format!("k{i}: {i}\n")).collect();
    text.push_str("k30: x\nk3: y\n");
    let err = parse(&text).expect_err("duplicates");
    assert_eq!(
        (err.line, err.message.as_str()),
        (42, "mapping key \"k3\" already defined at line 4")
    );
    // Keys are quoted as Go quotes them.
    let err = parse("\"a\\tb\": 1\n\"a\\tb\": 2\n").expect_err("duplicates");
    assert_eq!(
        err.message,
        "mapping key \"a\\tb\" already defined at line 1"
    );
}

#[test]
fn last_wins_keeps_each_key_at_its_last_assignment() {
    let docs = parse_stream("a: 1\nb: 2\na: 3\n", &ParseOptions::helm_values()).expect("valid");
    assert_eq!(keys(&docs[0]), ["b", "a"]);
    assert_eq!(scalar(&pairs(&docs[0])[1].1).text, "3");
    // Quoted and plain keys stay apart: they may resolve differently (`"y"` vs `y`).
    let docs = parse_stream("\"y\": 1\ny: 2\n", &ParseOptions::helm_values()).expect("valid");
    assert_eq!(keys(&docs[0]), ["y", "y"]);
    let many: String = (0..40).map(|i| format!("k{}: {i}\n", i % 20)).collect();
    let docs = parse_stream(&many, &ParseOptions::helm_values()).expect("valid");
    assert_eq!(pairs(&docs[0]).len(), 20);
    assert_eq!(scalar(&pairs(&docs[0])[0].1).text, "20");
}

#[test]
fn merge_keys_are_applied_in_the_node_tree() {
    let text = "b: &b {x: 1, y: 2}\nm:\n  y: 0\n  <<: *b\n";
    let k = parse(text).expect("valid");
    let m = &pairs(&k[0])[1].1;
    assert_eq!(keys(m), ["y", "x"]);
    assert_eq!(scalar(&pairs(m)[0].1).text, "0");
    let h = parse_stream(text, &ParseOptions::helm_values()).expect("valid");
    let m = &pairs(&h[0])[1].1;
    // go-yaml v2: the merge comes after `y: 0` and overrides it. Keys stand where they
    // were last assigned.
    let got: Vec<(&str, &str)> = pairs(m)
        .iter()
        .map(|(k, v)| (scalar(k).text.as_str(), scalar(v).text.as_str()))
        .collect();
    assert_eq!(got, [("x", "1"), ("y", "2")]);
}

#[test]
fn empty_flow_scalars_are_recorded_as_kyaml_writes_them() {
    let text = "a: {k: }\nb:\n  k:\n";
    let style = |docs: &[Node], key: usize| {
        let inner = &pairs(&docs[0])[key].1;
        scalar(&pairs(inner)[0].1).style
    };
    let k = parse(text).expect("valid");
    assert_eq!(style(&k, 0), ScalarStyle::SingleQuoted);
    assert_eq!(style(&k, 1), ScalarStyle::Plain);
    let h = parse_stream(text, &ParseOptions::helm_values()).expect("valid");
    assert_eq!(style(&h, 0), ScalarStyle::Plain);
    // Non-ASCII text before a flow collection does not confuse where it starts.
    let k = parse("é: ü\na: {k: }\n").expect("valid");
    assert_eq!(style(&k, 1), ScalarStyle::SingleQuoted);
}

#[test]
fn large_documents_parse() {
    // 20,000 small resources (~2 MB); the time it takes is for benches/, not a test.
    let doc = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: n\n  labels: {a: b}\ndata:\n  k: v\n  list: [1, 2, 3]\n";
    let text: String = (0..20_000).map(|_| format!("---\n{doc}")).collect();
    let docs = parse_kustomize_docs(&text).expect("valid");
    assert_eq!(docs.len(), 20_000);
    assert_eq!(
        docs[19_999]
            .get_path(&["data", "list"])
            .and_then(Value::as_seq)
            .map(<[Value]>::len),
        Some(3)
    );
}

#[test]
fn types_are_send_and_sync() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<ParseOptions>();
    assert_send_sync::<Node>();
    assert_send_sync::<Value>();
    assert_send_sync::<YamlError>();
}

#[test]
fn parsing_is_deterministic_across_threads() {
    let text = std::sync::Arc::new(
        alias_bomb()
            .replace("i: &i", "# i: &i")
            .lines()
            .take(4)
            .collect::<Vec<_>>()
            .join("\n"),
    );
    let results: Vec<_> = (0..8)
        .map(|_| {
            let text = std::sync::Arc::clone(&text);
            std::thread::spawn(move || parse_kustomize_docs(&text))
        })
        .map(|h| h.join().expect("thread"))
        .collect();
    assert!(results[0].is_ok());
    assert!(results.iter().all(|r| r == &results[0]));
}
