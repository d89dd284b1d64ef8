//! Parsing a YAML stream into [`Node`]s.
//!
//! The parser keeps what resolution needs — scalar text, style and tag, and positions —
//! and does the structural work the Go decoders do before any scalar is resolved:
//! aliases are expanded (within [`ParseOptions::max_alias_nodes`] and
//! [`ParseOptions::max_depth`]), `<<` merge keys are applied, duplicate keys are
//! rejected or collapsed, and empty documents are dropped.
//!
//! Events come from [`goparse`](super::goparse), a port of go-yaml's scanner and parser
//! (v3 for kustomize, v2 for Helm), so exactly what the Go tools accept is accepted and
//! syntax errors carry go-yaml's own text. It keeps its state on the heap; nodes are built
//! with an explicit stack, so nothing here recurses with the input's nesting (cloning an
//! anchored node for an alias recurses, within `max_depth`).

mod build;

use super::goparse::{self, Dialect, GoParser, GoYamlError};
use super::{Node, NodeKind, Pos, ScalarStyle, YamlError, YamlErrorKind};
use build::Builder;

/// The full form of `!!merge`.
pub(crate) const MERGE_TAG: &str = "tag:yaml.org,2002:merge";
/// The full form of `!!null`.
pub(crate) const NULL_TAG: &str = "tag:yaml.org,2002:null";

/// What to do with a key that occurs twice in one mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateKeys {
    /// An error naming the key and the line it was first defined on, as go-yaml v3 (and so
    /// kustomize) reports it: `mapping key "x" already defined at line 3`. Keys are the
    /// same when their text is (`a` and `"a"` clash, as in go-yaml v3).
    Error,
    /// The last one wins (go-yaml v2 via sigs.k8s.io/yaml, Helm values). Keys are the
    /// same here when text, quoting and tag agree; keys that only become equal once
    /// resolved (`y` and `true` in YAML 1.1) are collapsed by the resolver. The map keeps
    /// each key at the place of its last occurrence, so a resolver that lets later
    /// entries win reproduces go-yaml v2's map assignments.
    LastWins,
}

/// How `<<` merge keys combine with the mapping's own keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MergeKeys {
    /// kustomize (kyaml over go-yaml v3): the mapping's own keys win wherever they stand,
    /// earlier merged mappings win over later ones, and a second `<<` in one mapping is an
    /// error (`duplicate merge key`).
    ExplicitWins,
    /// go-yaml v2 (Helm values): a `<<` is applied where it stands, so it overrides the
    /// keys before it and is overridden by those after it; within a sequence of
    /// mappings earlier ones win; several `<<` keys apply in turn.
    InOrder,
}

/// Bounds and behaviour of the parser.
///
/// Start from [`ParseOptions::kustomize`] or [`ParseOptions::helm_values`] and adjust
/// fields. Every bound fails with its own [`YamlErrorKind`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ParseOptions {
    /// Duplicate key handling.
    pub duplicate_keys: DuplicateKeys,
    /// Merge key (`<<`) semantics.
    pub merge_keys: MergeKeys,
    /// Deepest nesting of collections accepted (the root collection is level 1); deeper
    /// input fails with [`YamlErrorKind::DepthLimit`]. Expanded aliases count at the depth
    /// where they are used. The parser also refuses nesting beyond go-yaml's own limit
    /// (10,000 levels: `exceeded max depth of 10000`), reported the same way. Node and value trees
    /// are cloned and dropped recursively, so keep this in the low thousands.
    pub max_depth: usize,
    /// Most nodes that alias expansion may produce in one document (each alias adds the
    /// size of the node it copies); more fails with [`YamlErrorKind::AliasLimit`] before
    /// anything is copied.
    pub max_alias_nodes: usize,
    /// Largest input, in bytes, accepted ([`YamlErrorKind::SizeLimit`] beyond).
    pub max_input_bytes: usize,
    /// Drop documents that are empty, hold only comments, or are a bare null scalar
    /// (`~`, `null`, `!!null`). kustomize skips them when reading resources, and Helm v4
    /// when reading a values file.
    pub skip_empty_documents: bool,
    /// Record an empty plain scalar inside a flow collection (`{a: }`, `[a: ]`), or as a
    /// mapping key, as a single-quoted empty string. kustomize sees it that way: kyaml
    /// prints each resource with go-yaml v3's emitter before decoding it, and the emitter
    /// writes such a scalar as `''`. Elsewhere an empty plain scalar stays null.
    pub empty_flow_scalars_as_strings: bool,
    /// Check document separators as kyaml's resource reader does before parsing: it
    /// splits a file at every line that starts with `---` (the regular expression
    /// `\n---.*\n`) and fails when such a line holds anything but a comment after the
    /// dashes (`--- {a: 1}`, `-----BEGIN CERTIFICATE-----` at column 0), with `invalid
    /// document separator`.
    pub kyaml_separators: bool,
    /// Which go-yaml's scanner and parser to reproduce: v3 (kustomize) or v2 (Helm).
    pub dialect: Dialect,
    /// Stop after the first document, as `sigs.k8s.io/yaml.Unmarshal` does: later
    /// documents are neither read nor checked (go-yaml still scans the tokens it looks
    /// ahead to, so an error right after the first document surfaces as in Go).
    pub first_document_only: bool,
}

impl ParseOptions {
    /// kustomize's profile: duplicate keys are an error, go-yaml v3 merge keys.
    pub fn kustomize() -> Self {
        ParseOptions {
            duplicate_keys: DuplicateKeys::Error,
            merge_keys: MergeKeys::ExplicitWins,
            max_depth: 1000,
            max_alias_nodes: 1_000_000,
            max_input_bytes: 512 * 1024 * 1024,
            skip_empty_documents: true,
            empty_flow_scalars_as_strings: true,
            kyaml_separators: true,
            dialect: Dialect::V3,
            first_document_only: false,
        }
    }

    /// Helm values' profile: duplicate keys last-wins, go-yaml v2 merge keys.
    pub fn helm_values() -> Self {
        ParseOptions {
            duplicate_keys: DuplicateKeys::LastWins,
            merge_keys: MergeKeys::InOrder,
            empty_flow_scalars_as_strings: false,
            kyaml_separators: false,
            dialect: Dialect::V2,
            ..Self::kustomize()
        }
    }
}

impl Default for ParseOptions {
    fn default() -> Self {
        Self::kustomize()
    }
}

/// Parses every document of a stream into a [`Node`], skipping empty ones when
/// [`ParseOptions::skip_empty_documents`] is set.
///
/// ```
/// use gitward::yaml::{parse_stream, NodeKind, ParseOptions};
/// let docs = parse_stream("a: &x [1]\nb: *x\n---\n# nothing\n", &ParseOptions::kustomize())?;
/// assert_eq!(docs.len(), 1);
/// let NodeKind::Map(pairs) = &docs[0].kind else { panic!("a map") };
/// assert_eq!(pairs[1].1.kind, pairs[0].1.kind);
/// # Ok::<(), gitward::yaml::YamlError>(())
/// ```
///
/// # Errors
/// [`YamlErrorKind::Syntax`] for malformed text, and the kind of whichever bound or rule
/// the input breaks. Errors carry the 1-based line and column where they were found
/// (`0, 0` for [`YamlErrorKind::SizeLimit`], which is checked before reading).
pub fn parse_stream(text: &str, opts: &ParseOptions) -> Result<Vec<Node>, YamlError> {
    let mut docs = Vec::new();
    parse_stream_each(text, opts, &mut |d| {
        docs.push(d);
        Ok(())
    })?;
    Ok(docs)
}

/// Like [`parse_stream`], handing each document to `each` as soon as it is complete, so
/// a caller that resolves and drops documents one by one holds only one node tree at a
/// time (large multi-document files).
pub fn parse_stream_each(
    text: &str,
    opts: &ParseOptions,
    each: &mut dyn FnMut(Node) -> Result<(), YamlError>,
) -> Result<(), YamlError> {
    if text.len() > opts.max_input_bytes {
        return Err(YamlError::new(
            YamlErrorKind::SizeLimit,
            format!(
                "input is {} bytes, more than the limit of {} bytes",
                text.len(),
                opts.max_input_bytes
            ),
            0,
            0,
        ));
    }
    if opts.kyaml_separators {
        check_kyaml_separators(text)?;
    }
    let mut builder = Builder::new(text, opts);
    for event in GoParser::new(text, opts.dialect).anchors_per_document(true) {
        let (event, span) = event.map_err(|e| go_error(&e))?;
        let end_of_document = matches!(event, saphyr_parser::Event::DocumentEnd);
        builder.event(event, span)?;
        for doc in builder.take_documents() {
            each(doc)?;
        }
        if end_of_document && opts.first_document_only {
            break;
        }
    }
    for doc in builder.into_documents() {
        each(doc)?;
    }
    Ok(())
}

/// kyaml's `splitDocuments`: every match of `\n---.*\n` (searched left to right, so
/// a separator line right after another is not one) must hold nothing after the dashes
/// but blanks or a comment.
fn check_kyaml_separators(text: &str) -> Result<(), YamlError> {
    let mut from = 0;
    while let Some(found) = text.get(from..).and_then(|rest| rest.find("\n---")) {
        let start = from + found + 1;
        let Some(len) = text[start..].find('\n') else {
            break;
        };
        let line = &text[start..start + len];
        let after = line[3..].trim();
        if !after.is_empty() && !after.starts_with('#') {
            let line_no = text[..start].matches('\n').count() + 1;
            return Err(YamlError::new(
                YamlErrorKind::Syntax,
                format!("invalid document separator: {}", line.trim()),
                line_no,
                1,
            ));
        }
        from = start + len + 1;
    }
    Ok(())
}

/// Builds one [`Node`] from the events of a single value inside a larger stream, so that
/// a reader streaming a large document (a Helm repository index) can keep the one part
/// it needs and skip the rest without building it.
///
/// Feed it the value's events, exactly as [`GoParser`] yields them, from the value's
/// first event to the end of it; an alias is resolved only against anchors defined inside
/// the value (the caller checks [`SubtreeBuilder::knows_anchor`] first).
pub(crate) struct SubtreeBuilder<'t, 'o> {
    builder: Builder<'t, 'o>,
    anchors: std::collections::HashSet<usize>,
}

impl<'t, 'o> SubtreeBuilder<'t, 'o> {
    /// A builder over `text` (the whole stream the events come from).
    pub(crate) fn new(text: &'t str, opts: &'o ParseOptions) -> Result<Self, YamlError> {
        let mut builder = Builder::new(text, opts);
        builder.event(
            saphyr_parser::Event::DocumentStart(false),
            saphyr_parser::Span::default(),
        )?;
        Ok(SubtreeBuilder {
            builder,
            anchors: std::collections::HashSet::new(),
        })
    }

    /// Whether an alias to anchor `id` can be resolved here.
    pub(crate) fn knows_anchor(&self, id: usize) -> bool {
        self.anchors.contains(&id)
    }

    /// Feeds one event of the value.
    pub(crate) fn event(
        &mut self,
        event: saphyr_parser::Event<'_>,
        span: saphyr_parser::Span,
    ) -> Result<(), YamlError> {
        match &event {
            saphyr_parser::Event::Scalar(_, _, id, _)
            | saphyr_parser::Event::SequenceStart(id, _)
            | saphyr_parser::Event::MappingStart(id, _)
                if *id != 0 =>
            {
                self.anchors.insert(*id);
            }
            _ => {}
        }
        self.builder.event(event, span)
    }

    /// The value's node, once its last event has been fed.
    pub(crate) fn finish(mut self) -> Result<Option<Node>, YamlError> {
        self.builder.event(
            saphyr_parser::Event::DocumentEnd,
            saphyr_parser::Span::default(),
        )?;
        Ok(self.builder.into_documents().pop())
    }
}

/// Converts a go-yaml error, keeping go-yaml's text for the tools' messages.
pub(crate) fn go_error(e: &GoYamlError) -> YamlError {
    let m = e.problem_mark;
    let (kind, message) = match e.kind {
        goparse::ErrorKind::UnknownAnchor => (
            YamlErrorKind::UnknownAnchor,
            format!("unknown anchor '{}' referenced", e.problem),
        ),
        _ if e.problem.starts_with("exceeded max depth") => {
            (YamlErrorKind::DepthLimit, e.problem.clone())
        }
        _ if e.context.is_empty() => (YamlErrorKind::Syntax, e.problem.clone()),
        _ => (
            YamlErrorKind::Syntax,
            format!("{}, {}", e.context, e.problem),
        ),
    };
    YamlError::new(kind, message, m.line + 1, m.column + 1).with_go_message(e.go_message())
}

/// The anchor name of the alias (`*name`) that starts at character `index`.
pub(crate) fn alias_name_at(text: &str, index: usize) -> String {
    text.chars()
        .skip(index)
        .skip_while(|&c| c == '*')
        .take_while(|&c| !c.is_whitespace() && !matches!(c, ',' | '[' | ']' | '{' | '}'))
        .collect()
}

/// Whether a key node is a merge key (`<<`) under the given semantics.
///
/// go-yaml v3 takes a plain `<<` (untagged or tagged `!`) or any `!!merge`-tagged `<<`;
/// go-yaml v2 also takes a quoted `! "<<"`, since `!` makes it "implicit" there.
pub(crate) fn is_merge_key(key: &Node, mode: MergeKeys) -> bool {
    let NodeKind::Scalar(s) = &key.kind else {
        return false;
    };
    if s.text != "<<" {
        return false;
    }
    match s.tag.as_deref() {
        Some(MERGE_TAG) => true,
        None => s.style == ScalarStyle::Plain,
        Some("!") => mode == MergeKeys::InOrder || s.style == ScalarStyle::Plain,
        Some(_) => false,
    }
}

/// Quotes a string as Go's `%#v` / `strconv.Quote` does (for messages in Go's words).
pub(crate) fn go_quote(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{b}' => out.push_str("\\v"),
            c if u32::from(c) < 0x80 && c.is_control() => {
                out.push_str(&format!("\\x{:02x}", u32::from(c)));
            }
            c if c.is_control() || c == '\u{feff}' => {
                let n = u32::from(c);
                if n <= 0xffff {
                    out.push_str(&format!("\\u{n:04x}"));
                } else {
                    out.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

impl Pos {
    /// Converts a scanner marker (1-based line, 0-based column) to a position.
    pub(crate) fn from_marker(m: saphyr_parser::Marker) -> Pos {
        Pos {
            line: m.line(),
            column: m.col() + 1,
            index: m.index(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::yaml::Scalar;

    fn parse(text: &str) -> Result<Vec<Node>, YamlError> {
        parse_stream(text, &ParseOptions::kustomize())
    }

    fn scalar(node: &Node) -> &Scalar {
        match &node.kind {
            NodeKind::Scalar(s) => s,
            other => panic!("expected a scalar, got {other:?}"),
        }
    }

    #[test]
    fn go_quote_escapes_like_go() {
        assert_eq!(go_quote("a"), "\"a\"");
        assert_eq!(go_quote("a\"b\\c\n\t\u{1}"), "\"a\\\"b\\\\c\\n\\t\\x01\"");
        assert_eq!(go_quote("héllo"), "\"héllo\"");
    }

    #[test]
    fn alias_name_is_read_from_the_source() {
        assert_eq!(alias_name_at("a: *anc, b", 3), "anc");
        assert_eq!(alias_name_at("[*x]", 1), "x");
    }

    #[test]
    fn scalar_positions_are_one_based() {
        let docs = parse("a: b\n  \nc:   !!str d\n").expect("valid");
        let NodeKind::Map(pairs) = &docs[0].kind else {
            panic!("map")
        };
        assert_eq!((pairs[0].0.pos.line, pairs[0].0.pos.column), (1, 1));
        assert_eq!((pairs[0].1.pos.line, pairs[0].1.pos.column), (1, 4));
        let d = &pairs[1].1;
        assert_eq!((d.pos.line, d.pos.column), (3, 6));
        assert_eq!(scalar(d).tag.as_deref(), Some("tag:yaml.org,2002:str"));
    }

    #[test]
    fn size_limit_is_checked_first() {
        let mut opts = ParseOptions::kustomize();
        opts.max_input_bytes = 4;
        let err = parse_stream("a: bc\n", &opts).expect_err("too big");
        assert_eq!(err.kind, YamlErrorKind::SizeLimit);
    }

    #[test]
    fn merge_key_detection_follows_each_go_yaml() {
        let key = |text: &str, style, tag: Option<&str>| Node {
            kind: NodeKind::Scalar(Scalar {
                text: text.to_owned(),
                style,
                tag: tag.map(str::to_owned),
            }),
            pos: Pos::default(),
            tag: None,
        };
        let both = |k: &Node| {
            (
                is_merge_key(k, MergeKeys::ExplicitWins),
                is_merge_key(k, MergeKeys::InOrder),
            )
        };
        let (plain, quoted) = (ScalarStyle::Plain, ScalarStyle::DoubleQuoted);
        assert_eq!(both(&key("<<", plain, None)), (true, true));
        assert_eq!(both(&key("<<", quoted, None)), (false, false));
        assert_eq!(both(&key("<<", quoted, Some(MERGE_TAG))), (true, true));
        // go-yaml v2 calls a `!`-tagged scalar "implicit" whatever its quoting.
        assert_eq!(both(&key("<<", quoted, Some("!"))), (false, true));
        assert_eq!(both(&key("<<", plain, Some("!"))), (true, true));
        assert_eq!(
            both(&key("<<", plain, Some("tag:yaml.org,2002:str"))),
            (false, false)
        );
        assert_eq!(both(&key("<", plain, None)), (false, false));
    }
}
