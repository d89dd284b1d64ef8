//! A YAML reader, scanner and parser that accept and reject exactly what go-yaml does.
//!
//! This is a port of go-yaml's libyaml-derived C port — `readerc.go`, `scannerc.go`,
//! `parserc.go` and the parts of `yamlh.go`/`yamlprivateh.go` they use, plus the error
//! text of `decode.go` — from `go.yaml.in/yaml/v3` v3.0.4 (what kustomize v5.7.1 uses),
//! with the differences of `go.yaml.in/yaml/v2` v2.4.3 (what Helm v4 uses through
//! `sigs.k8s.io/yaml`) behind [`Dialect`]. go-yaml is © Canonical Ltd and Kirill Simonov,
//! under the Apache-2.0 and MIT licences.
//!
//! Functions carry the names of their Go counterparts without the `yaml_parser_` prefix
//! (`yaml_parser_fetch_more_tokens` is `fetch_more_tokens`). What is left out: comments
//! (v3 collects them for its node model; here only the characters its comment scanning
//! consumes are kept, which is what decides acceptance) and encodings other than UTF-8
//! (the input is a `&str`).
//!
//! [`GoParser`] yields the same events as `saphyr_parser::Parser`, so it can stand in for
//! it; [`GoEventParser`] yields go-yaml's own events (collection styles, anchor names,
//! implicit flags).
//!
//! ```
//! use gitward::yaml::goparse::{Dialect, GoParser};
//! let events: Result<Vec<_>, _> = GoParser::new("a:\tb\n", Dialect::V3).collect();
//! assert!(events.is_ok());
//! let err = GoParser::new("a: b: c\n", Dialect::V3)
//!     .find_map(Result::err)
//!     .expect("an error");
//! assert_eq!(err.go_message(), "yaml: mapping values are not allowed in this context");
//! ```
//!
//! Nothing here recurses with the input: states, marks and the token queue live in
//! vectors, and nesting is bounded as in go-yaml (10000 flow levels, 10000 indentation
//! levels: `exceeded max depth of 10000`).

mod parser;
mod scanner;
#[cfg(test)]
mod tests;

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

use saphyr_parser::{Event, Marker, ScalarStyle, Span, Tag};

/// Which go-yaml to reproduce.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Dialect {
    /// `go.yaml.in/yaml/v2` v2.4.3 (Helm, through `sigs.k8s.io/yaml`).
    V2,
    /// `go.yaml.in/yaml/v3` v3.0.4 (kustomize).
    V3,
}

/// A position, as go-yaml's `yaml_mark_t`: `index` counts characters from the start of
/// the input (a leading byte-order mark not counted), `line` and `column` are 0-based
/// (the column counts characters).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Mark {
    /// Characters before the position.
    pub index: usize,
    /// 0-based line.
    pub line: usize,
    /// 0-based column, in characters.
    pub column: usize,
}

impl Mark {
    /// The same position as a `saphyr_parser::Marker` (character index, 1-based line,
    /// 0-based column).
    pub fn to_marker(self) -> Marker {
        Marker::new(self.index, self.line + 1, self.column)
    }
}

/// Where an error comes from, which decides how go-yaml numbers its line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The reader (`yaml_READER_ERROR`): characters YAML does not allow.
    Reader,
    /// The scanner (`yaml_SCANNER_ERROR`).
    Scanner,
    /// The parser (`yaml_PARSER_ERROR`).
    Parser,
    /// An alias to an anchor not defined before it. go-yaml's decoder (not its parser)
    /// reports it: `unknown anchor 'x' referenced`.
    UnknownAnchor,
}

/// An error exactly as go-yaml reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoYamlError {
    /// The dialect whose message format applies.
    pub dialect: Dialect,
    /// Where the error comes from.
    pub kind: ErrorKind,
    /// go-yaml's `problem` (for [`ErrorKind::UnknownAnchor`], the anchor name).
    pub problem: String,
    /// go-yaml's `context` ("while parsing a block mapping", ...; may be empty).
    pub context: String,
    /// Where the problem was found.
    pub problem_mark: Mark,
    /// Where the construct that failed started (zero when there is none).
    pub context_mark: Mark,
}

impl GoYamlError {
    pub(crate) fn new(
        dialect: Dialect,
        kind: ErrorKind,
        problem: &str,
        context: &str,
        problem_mark: Mark,
        context_mark: Mark,
    ) -> Self {
        GoYamlError {
            dialect,
            kind,
            problem: problem.to_owned(),
            context: context.to_owned(),
            problem_mark,
            context_mark,
        }
    }

    /// The line number go-yaml prints (`yaml: line N: ...`), 0 when it prints none.
    ///
    /// go-yaml's `parser.fail` takes a 0-based mark line and adds one only for scanner
    /// errors, so parser errors name the line before the one at fault, and nothing is
    /// printed for a mark on the first line. v3 prefers the context mark, v2 the problem
    /// mark.
    pub fn line(&self) -> usize {
        let scanner = self.kind == ErrorKind::Scanner;
        let adjust = |line: usize| if scanner { line + 1 } else { line };
        match self.kind {
            ErrorKind::Reader | ErrorKind::UnknownAnchor => 0,
            _ => match self.dialect {
                Dialect::V3 => {
                    if self.context_mark.line != 0 {
                        adjust(self.context_mark.line)
                    } else if self.problem_mark.line != 0 {
                        adjust(self.problem_mark.line)
                    } else {
                        0
                    }
                }
                Dialect::V2 => {
                    if self.problem_mark.line != 0 {
                        adjust(self.problem_mark.line)
                    } else {
                        self.context_mark.line
                    }
                }
            },
        }
    }

    /// Exactly go-yaml's `err.Error()` for this error.
    pub fn go_message(&self) -> String {
        if self.kind == ErrorKind::UnknownAnchor {
            return format!("yaml: unknown anchor '{}' referenced", self.problem);
        }
        let problem = if self.problem.is_empty() {
            "unknown problem parsing YAML content"
        } else {
            &self.problem
        };
        match self.line() {
            0 => format!("yaml: {problem}"),
            n => format!("yaml: line {n}: {problem}"),
        }
    }

    /// The position of the problem as a `saphyr_parser::Marker`.
    pub fn marker(&self) -> Marker {
        self.problem_mark.to_marker()
    }
}

impl fmt::Display for GoYamlError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.go_message())
    }
}

impl std::error::Error for GoYamlError {}

/// A resolved tag: `prefix` is what the handle stands for (`tag:yaml.org,2002:` for
/// `!!`, `!` for `!`, a `%TAG` prefix, empty for a verbatim `!<...>` tag or a lone `!`),
/// and the full tag is `prefix + suffix`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoTag {
    /// The expansion of the handle.
    pub prefix: String,
    /// The rest of the tag.
    pub suffix: String,
}

impl GoTag {
    /// The full tag, as go-yaml's event carries it.
    pub fn full(&self) -> String {
        format!("{}{}", self.prefix, self.suffix)
    }
}

/// The kind and payload of a go-yaml event (`yaml_event_t`, without comments).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum GoEventKind<'a> {
    /// `yaml_STREAM_START_EVENT`.
    StreamStart,
    /// `yaml_STREAM_END_EVENT`.
    StreamEnd,
    /// `yaml_DOCUMENT_START_EVENT`; `implicit` when there was no `---`.
    DocumentStart {
        /// No `---`.
        implicit: bool,
    },
    /// `yaml_DOCUMENT_END_EVENT`; `implicit` when there was no `...`.
    DocumentEnd {
        /// No `...`.
        implicit: bool,
    },
    /// `yaml_ALIAS_EVENT`.
    Alias {
        /// The anchor name.
        anchor: Cow<'a, str>,
    },
    /// `yaml_SCALAR_EVENT`.
    Scalar {
        /// The anchor name.
        anchor: Option<Cow<'a, str>>,
        /// The tag.
        tag: Option<Box<GoTag>>,
        /// The value.
        value: Cow<'a, str>,
        /// The style.
        style: ScalarStyle,
        /// go-yaml's `implicit`.
        plain_implicit: bool,
        /// go-yaml's `quoted_implicit`.
        quoted_implicit: bool,
    },
    /// `yaml_SEQUENCE_START_EVENT`.
    SequenceStart {
        /// The anchor name.
        anchor: Option<Cow<'a, str>>,
        /// The tag.
        tag: Option<Box<GoTag>>,
        /// No tag.
        implicit: bool,
        /// A flow sequence (`[...]`).
        flow: bool,
    },
    /// `yaml_SEQUENCE_END_EVENT`.
    SequenceEnd,
    /// `yaml_MAPPING_START_EVENT`.
    MappingStart {
        /// The anchor name.
        anchor: Option<Cow<'a, str>>,
        /// The tag.
        tag: Option<Box<GoTag>>,
        /// No tag.
        implicit: bool,
        /// A flow mapping (`{...}` or a single pair in a flow sequence).
        flow: bool,
    },
    /// `yaml_MAPPING_END_EVENT`.
    MappingEnd,
}

/// A go-yaml event with its marks.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GoEvent<'a> {
    /// What happened.
    pub kind: GoEventKind<'a>,
    /// Where the event starts.
    pub start_mark: Mark,
    /// Where it ends.
    pub end_mark: Mark,
}

/// A pull parser yielding go-yaml's own events.
pub struct GoEventParser<'a> {
    parser: parser::Parser<'a>,
}

impl<'a> GoEventParser<'a> {
    /// A parser over `text`.
    pub fn new(text: &'a str, dialect: Dialect) -> Self {
        GoEventParser {
            parser: parser::Parser::new(text, dialect),
        }
    }

    /// `yaml_parser_parse`: the next event, `None` after the stream end or an error.
    ///
    /// # Errors
    /// The first error go-yaml's reader, scanner or parser reports.
    #[inline]
    pub fn next_event(&mut self) -> Result<Option<GoEvent<'a>>, GoYamlError> {
        self.parser.parse().map_err(|e| *e)
    }
}

impl<'a> Iterator for GoEventParser<'a> {
    type Item = Result<GoEvent<'a>, GoYamlError>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_event().transpose()
    }
}

/// A pull parser with `saphyr_parser::Parser`'s interface: the same events, spans (of
/// `saphyr_parser::Marker`s: character index, 1-based line, 0-based column) and anchor
/// ids (from 1, a new id for every anchor, an alias taking the id of the latest anchor
/// of its name), for what go-yaml accepts.
///
/// Anchors are known from their definition on: to the end of the document for
/// [`Dialect::V2`] (go-yaml v2 keeps them per document), to the end of the stream for
/// [`Dialect::V3`] (a v3 `Decoder` keeps them across documents; see
/// [`GoParser::anchors_per_document`]). An alias to an unknown anchor is an
/// [`ErrorKind::UnknownAnchor`] error, as go-yaml's decoder reports it.
pub struct GoParser<'a> {
    events: GoEventParser<'a>,
    dialect: Dialect,
    anchors: HashMap<Cow<'a, str>, usize>,
    next_anchor_id: usize,
    anchors_per_document: bool,
    done: bool,
}

impl<'a> GoParser<'a> {
    /// A parser over `text`.
    pub fn new(text: &'a str, dialect: Dialect) -> Self {
        GoParser {
            events: GoEventParser::new(text, dialect),
            dialect,
            anchors: HashMap::new(),
            next_anchor_id: 1,
            anchors_per_document: dialect == Dialect::V2,
            done: false,
        }
    }

    /// Whether anchors are forgotten at each document start (the default for
    /// [`Dialect::V2`]; for [`Dialect::V3`] the default keeps them for the whole stream,
    /// as one v3 `Decoder` does, and `true` gives what a fresh decoder per document does).
    #[must_use]
    pub fn anchors_per_document(mut self, per_document: bool) -> Self {
        self.anchors_per_document = per_document;
        self
    }

    fn anchor_id(&mut self, anchor: Option<Cow<'a, str>>) -> usize {
        match anchor {
            None => 0,
            Some(name) => {
                let id = self.next_anchor_id;
                self.next_anchor_id += 1;
                self.anchors.insert(name, id);
                id
            }
        }
    }

    fn convert(&mut self, ev: GoEvent<'a>) -> Result<(Event<'a>, Span), GoYamlError> {
        let span = Span::new(ev.start_mark.to_marker(), ev.end_mark.to_marker());
        let tag = |t: Option<Box<GoTag>>| {
            t.map(|t| {
                let t = *t;
                Cow::Owned(Tag {
                    handle: t.prefix,
                    suffix: t.suffix,
                })
            })
        };
        let event = match ev.kind {
            GoEventKind::StreamStart => Event::StreamStart,
            GoEventKind::StreamEnd => Event::StreamEnd,
            GoEventKind::DocumentStart { implicit } => {
                if self.anchors_per_document {
                    self.anchors.clear();
                }
                Event::DocumentStart(!implicit)
            }
            GoEventKind::DocumentEnd { .. } => Event::DocumentEnd,
            GoEventKind::Alias { anchor } => match self.anchors.get(&anchor) {
                Some(&id) => Event::Alias(id),
                None => {
                    return Err(GoYamlError::new(
                        self.dialect,
                        ErrorKind::UnknownAnchor,
                        &anchor,
                        "",
                        ev.start_mark,
                        Mark::default(),
                    ));
                }
            },
            GoEventKind::Scalar {
                anchor,
                tag: t,
                value,
                style,
                ..
            } => {
                let id = self.anchor_id(anchor);
                Event::Scalar(value, style, id, tag(t))
            }
            GoEventKind::SequenceStart { anchor, tag: t, .. } => {
                let id = self.anchor_id(anchor);
                Event::SequenceStart(id, tag(t))
            }
            GoEventKind::SequenceEnd => Event::SequenceEnd,
            GoEventKind::MappingStart { anchor, tag: t, .. } => {
                let id = self.anchor_id(anchor);
                Event::MappingStart(id, tag(t))
            }
            GoEventKind::MappingEnd => Event::MappingEnd,
        };
        Ok((event, span))
    }
}

impl<'a> Iterator for GoParser<'a> {
    type Item = Result<(Event<'a>, Span), GoYamlError>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done {
            return None;
        }
        let result = match self.events.next_event() {
            Ok(None) => None,
            Ok(Some(ev)) => Some(self.convert(ev)),
            Err(e) => Some(Err(e)),
        };
        if !matches!(result, Some(Ok(_))) {
            self.done = true;
        }
        result
    }
}
