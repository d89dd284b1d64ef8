//! Fuzzes the YAML layer: the go-yaml port's scanner and parser in both dialects, the
//! node builder (aliases, merge keys, duplicate keys, bounds), both resolvers and the
//! kustomize emitter. Nothing may panic, whatever the input.

#![no_main]

use gitward::yaml::{ParseOptions, parse_stream, resolve_helm_values, resolve_kustomize};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let small = |mut o: ParseOptions| {
        o.max_alias_nodes = 10_000;
        o.max_depth = 200;
        o
    };
    if let Ok(docs) = parse_stream(&text, &small(ParseOptions::kustomize())) {
        for d in &docs {
            if let Ok(v) = resolve_kustomize(d) {
                let _ = gitward::yaml::emit_kustomize(&v);
            }
        }
    }
    if let Ok(docs) = parse_stream(&text, &small(ParseOptions::helm_values())) {
        for d in &docs {
            let _ = resolve_helm_values(d);
        }
    }
});
