//! Go-compatible YAML: a node model over a port of go-yaml's parser ([`goparse`]), the two scalar resolvers the Go
//! tools use (kustomize's go-yaml v3 + JSON round trip, Helm's YAML 1.1 + JSON), and an
//! emitter that prints what kustomize v5.7.1 and Helm's `toYaml` print.
//!
//! ```
//! let docs = gitward::yaml::parse_kustomize_docs("a: 0777\nb: yes\n").unwrap();
//! assert_eq!(gitward::yaml::dump_kustomize_docs(&docs), "a: 511\nb: \"yes\"\n");
//! ```

mod emit;
mod error;
pub mod goparse;
mod node;
mod parse;
mod resolve;
mod value;

pub use emit::{emit_helm, emit_kustomize, try_emit_kustomize};
pub use error::{YamlError, YamlErrorKind};
pub use node::{Node, NodeKind, Pos, Scalar, ScalarStyle};
pub use parse::{DuplicateKeys, MergeKeys, ParseOptions, parse_stream, parse_stream_each};
pub(crate) use parse::{SubtreeBuilder, go_error};
pub(crate) use resolve::go_v3_plain_tag;
pub(crate) use resolve::json_round_trip;
pub(crate) use resolve::{go_v2_clean, go_v2_key};
pub use resolve::{resolve_go_v2, resolve_helm_values, resolve_kustomize};
pub use value::{Map, MapHasher, Number, Value};

/// Parses a multi-document stream the way kustomize reads resource files: empty and
/// comment-only documents are skipped, duplicate keys are an error, scalars resolve as
/// go-yaml v3 followed by a JSON round trip.
pub fn parse_kustomize_docs(text: &str) -> Result<Vec<Value>, YamlError> {
    let opts = ParseOptions::kustomize();
    let mut out = Vec::new();
    parse_stream_each(text, &opts, &mut |doc| {
        out.push(resolve_kustomize(&doc)?);
        Ok(())
    })?;
    Ok(out)
}

/// Parses one Helm values document (YAML 1.1 scalars, every number `float64`, duplicate
/// keys last-wins). An empty document gives an empty map.
pub fn parse_helm_values(text: &str) -> Result<Value, YamlError> {
    let opts = ParseOptions::helm_values();
    let docs = parse_stream(text, &opts)?;
    match docs.first() {
        None => Ok(Value::Map(Map::default())),
        Some(doc) => match resolve_helm_values(doc)? {
            Value::Null => Ok(Value::Map(Map::default())),
            v => Ok(v),
        },
    }
}

/// Reads the first document of `text` as `sigs.k8s.io/yaml`'s `YAMLToJSON` does (YAML 1.1
/// scalars, duplicate keys last-wins), whatever its shape; an empty text is `null`.
pub fn parse_yaml_to_json(text: &str) -> Result<Value, YamlError> {
    let opts = ParseOptions {
        first_document_only: true,
        ..ParseOptions::helm_values()
    };
    match parse_stream(text, &opts)?.first() {
        None => Ok(Value::Null),
        Some(doc) => resolve_helm_values(doc),
    }
}

/// Reads the first document of `text` as go-yaml v2 decodes it into an `interface{}`
/// (see [`resolve_go_v2`]): what `sigs.k8s.io/yaml` holds before it converts the value
/// for a typed target and prints it as JSON. An empty text is `null`.
pub fn parse_yaml_go_v2(text: &str) -> Result<Value, YamlError> {
    let opts = ParseOptions {
        first_document_only: true,
        ..ParseOptions::helm_values()
    };
    match parse_stream(text, &opts)?.first() {
        None => Ok(Value::Null),
        Some(doc) => resolve_go_v2(doc),
    }
}

/// Prints documents as kustomize does: each emitted with [`emit_kustomize`], separated by
/// `---\n`, no trailing separator.
pub fn dump_kustomize_docs(docs: &[Value]) -> String {
    let mut out = String::new();
    for (i, d) in docs.iter().enumerate() {
        if i > 0 {
            out.push_str("---\n");
        }
        out.push_str(&emit_kustomize(d));
    }
    out
}
