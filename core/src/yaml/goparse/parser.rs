//! The parser: a port of go-yaml's `parserc.go` (the event state machine), without the
//! comment bookkeeping.

use std::borrow::Cow;

use saphyr_parser::ScalarStyle;

use super::scanner::{R, Scanner, Token, TokenType};
use super::{Dialect, ErrorKind, GoEvent, GoEventKind, GoTag, GoYamlError, Mark};

/// `yaml_parser_state_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    StreamStart,
    ImplicitDocumentStart,
    DocumentStart,
    DocumentContent,
    DocumentEnd,
    BlockNode,
    BlockSequenceFirstEntry,
    BlockSequenceEntry,
    IndentlessSequenceEntry,
    BlockMappingFirstKey,
    BlockMappingKey,
    BlockMappingValue,
    FlowSequenceFirstEntry,
    FlowSequenceEntry,
    FlowSequenceEntryMappingKey,
    FlowSequenceEntryMappingValue,
    FlowSequenceEntryMappingEnd,
    FlowMappingFirstKey,
    FlowMappingKey,
    FlowMappingValue,
    FlowMappingEmptyValue,
    End,
}

/// `yaml_parser_t`'s parser part.
pub(super) struct Parser<'a> {
    scanner: Scanner<'a>,
    dialect: Dialect,
    state: State,
    states: Vec<State>,
    marks: Vec<Mark>,
    /// (handle, prefix) pairs of the current document, defaults included.
    tag_directives: Vec<(String, String)>,
    /// Set once an error was returned: go-yaml's parser stops for good.
    failed: bool,
}

/// `default_tag_directives`.
const DEFAULT_TAG_DIRECTIVES: [(&str, &str); 2] = [("!", "!"), ("!!", "tag:yaml.org,2002:")];

impl<'a> Parser<'a> {
    pub(super) fn new(input: &'a str, dialect: Dialect) -> Self {
        Parser {
            scanner: Scanner::new(input, dialect),
            dialect,
            state: State::StreamStart,
            states: Vec::new(),
            marks: Vec::new(),
            tag_directives: Vec::new(),
            failed: false,
        }
    }

    /// `yaml_parser_parse`: the next event, or `None` once the stream has ended (or after
    /// an error).
    #[inline]
    pub(super) fn parse(&mut self) -> R<Option<GoEvent<'a>>> {
        if self.failed || self.scanner.stream_end_produced || self.state == State::End {
            return Ok(None);
        }
        let result = self.state_machine();
        // A reader error met during v3's comment look-ahead: go-yaml's decoder sees it
        // (`parser.error`) as soon as this event is done.
        let result = match (result, self.scanner.pending.take()) {
            (Ok(_), Some(e)) => Err(e),
            (r, _) => r,
        };
        if result.is_err() {
            self.failed = true;
        }
        result.map(Some)
    }

    fn peek(&mut self) -> R<&Token<'a>> {
        self.scanner.peek_token()
    }

    fn peek_type(&mut self) -> R<(TokenType, Mark, Mark)> {
        let t = self.scanner.peek_token()?;
        Ok((t.typ, t.start_mark, t.end_mark))
    }

    fn skip_token(&mut self) -> Option<Token<'a>> {
        self.scanner.skip_token()
    }

    fn pop_state(&mut self) {
        self.state = self.states.pop().unwrap_or(State::End);
    }

    /// `yaml_parser_set_parser_error`.
    fn parser_error<T>(&self, problem: &str, problem_mark: Mark) -> R<T> {
        Err(Box::new(GoYamlError::new(
            self.dialect,
            ErrorKind::Parser,
            problem,
            "",
            problem_mark,
            Mark::default(),
        )))
    }

    /// `yaml_parser_set_parser_error_context`.
    fn parser_error_context<T>(
        &self,
        context: &str,
        context_mark: Mark,
        problem: &str,
        problem_mark: Mark,
    ) -> R<T> {
        Err(Box::new(GoYamlError::new(
            self.dialect,
            ErrorKind::Parser,
            problem,
            context,
            problem_mark,
            context_mark,
        )))
    }

    /// `yaml_parser_state_machine`.
    fn state_machine(&mut self) -> R<GoEvent<'a>> {
        match self.state {
            State::StreamStart => self.parse_stream_start(),
            State::ImplicitDocumentStart => self.parse_document_start(true),
            State::DocumentStart => self.parse_document_start(false),
            State::DocumentContent => self.parse_document_content(),
            State::DocumentEnd => self.parse_document_end(),
            State::BlockNode => self.parse_node(true, false),
            State::BlockSequenceFirstEntry => self.parse_block_sequence_entry(true),
            State::BlockSequenceEntry => self.parse_block_sequence_entry(false),
            State::IndentlessSequenceEntry => self.parse_indentless_sequence_entry(),
            State::BlockMappingFirstKey => self.parse_block_mapping_key(true),
            State::BlockMappingKey => self.parse_block_mapping_key(false),
            State::BlockMappingValue => self.parse_block_mapping_value(),
            State::FlowSequenceFirstEntry => self.parse_flow_sequence_entry(true),
            State::FlowSequenceEntry => self.parse_flow_sequence_entry(false),
            State::FlowSequenceEntryMappingKey => self.parse_flow_sequence_entry_mapping_key(),
            State::FlowSequenceEntryMappingValue => self.parse_flow_sequence_entry_mapping_value(),
            State::FlowSequenceEntryMappingEnd => self.parse_flow_sequence_entry_mapping_end(),
            State::FlowMappingFirstKey => self.parse_flow_mapping_key(true),
            State::FlowMappingKey => self.parse_flow_mapping_key(false),
            State::FlowMappingValue => self.parse_flow_mapping_value(false),
            State::FlowMappingEmptyValue => self.parse_flow_mapping_value(true),
            State::End => {
                self.parser_error("unknown problem parsing YAML content", Mark::default())
            }
        }
    }

    fn event(kind: GoEventKind<'a>, start_mark: Mark, end_mark: Mark) -> GoEvent<'a> {
        GoEvent {
            kind,
            start_mark,
            end_mark,
        }
    }

    /// `yaml_parser_parse_stream_start`.
    fn parse_stream_start(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, end) = self.peek_type()?;
        if typ != TokenType::StreamStart {
            return self.parser_error("did not find expected <stream-start>", start);
        }
        self.state = State::ImplicitDocumentStart;
        self.skip_token();
        Ok(Self::event(GoEventKind::StreamStart, start, end))
    }

    /// `yaml_parser_parse_document_start`.
    fn parse_document_start(&mut self, implicit: bool) -> R<GoEvent<'a>> {
        let (mut typ, mut start, mut end) = self.peek_type()?;
        if !implicit {
            while typ == TokenType::DocumentEnd {
                self.skip_token();
                (typ, start, end) = self.peek_type()?;
            }
        }
        if implicit
            && typ != TokenType::VersionDirective
            && typ != TokenType::TagDirective
            && typ != TokenType::DocumentStart
            && typ != TokenType::StreamEnd
        {
            self.process_directives()?;
            self.states.push(State::DocumentEnd);
            self.state = State::BlockNode;
            Ok(Self::event(
                GoEventKind::DocumentStart { implicit: true },
                start,
                end,
            ))
        } else if typ != TokenType::StreamEnd {
            let start_mark = start;
            self.process_directives()?;
            let (typ, start, end) = self.peek_type()?;
            if typ != TokenType::DocumentStart {
                return self.parser_error("did not find expected <document start>", start);
            }
            self.states.push(State::DocumentEnd);
            self.state = State::DocumentContent;
            self.skip_token();
            Ok(Self::event(
                GoEventKind::DocumentStart { implicit: false },
                start_mark,
                end,
            ))
        } else {
            self.state = State::End;
            self.skip_token();
            Ok(Self::event(GoEventKind::StreamEnd, start, end))
        }
    }

    /// `yaml_parser_parse_document_content`.
    fn parse_document_content(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, _) = self.peek_type()?;
        if matches!(
            typ,
            TokenType::VersionDirective
                | TokenType::TagDirective
                | TokenType::DocumentStart
                | TokenType::DocumentEnd
                | TokenType::StreamEnd
        ) {
            self.pop_state();
            return Ok(Self::empty_scalar(start));
        }
        self.parse_node(true, false)
    }

    /// `yaml_parser_parse_document_end`.
    fn parse_document_end(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, end) = self.peek_type()?;
        let mut end_mark = start;
        let mut implicit = true;
        if typ == TokenType::DocumentEnd {
            end_mark = end;
            self.skip_token();
            implicit = false;
        }
        self.tag_directives.clear();
        self.state = State::DocumentStart;
        Ok(Self::event(
            GoEventKind::DocumentEnd { implicit },
            start,
            end_mark,
        ))
    }

    /// `yaml_parser_parse_node`.
    fn parse_node(&mut self, block: bool, indentless_sequence: bool) -> R<GoEvent<'a>> {
        let (typ, start, end) = self.peek_type()?;
        if typ == TokenType::Alias {
            self.pop_state();
            let anchor = self.skip_token().map(|t| t.value).unwrap_or_default();
            return Ok(Self::event(GoEventKind::Alias { anchor }, start, end));
        }
        let mut start_mark = start;
        let mut end_mark = start;
        let mut tag_token: Option<(Cow<'a, str>, Cow<'a, str>)> = None;
        let mut tag_mark = Mark::default();
        let mut anchor: Option<Cow<'a, str>> = None;
        if typ == TokenType::Anchor {
            let t = self.skip_token();
            if let Some(t) = t {
                start_mark = t.start_mark;
                end_mark = t.end_mark;
                anchor = Some(t.value);
            }
            let (typ, start, end) = self.peek_type()?;
            if typ == TokenType::Tag {
                tag_mark = start;
                end_mark = end;
                tag_token = self.skip_token().map(|t| (t.value, t.suffix));
                self.peek_type()?;
            }
        } else if typ == TokenType::Tag {
            start_mark = start;
            tag_mark = start;
            end_mark = end;
            tag_token = self.skip_token().map(|t| (t.value, t.suffix));
            let (typ, _, end) = self.peek_type()?;
            if typ == TokenType::Anchor {
                end_mark = end;
                anchor = self.skip_token().map(|t| t.value);
                self.peek_type()?;
            }
        }
        let mut tag: Option<Box<GoTag>> = None;
        if let Some((handle, suffix)) = tag_token {
            if handle.is_empty() {
                tag = Some(Box::new(GoTag {
                    prefix: String::new(),
                    suffix: suffix.into_owned(),
                }));
            } else {
                let prefix = self
                    .tag_directives
                    .iter()
                    .find(|(h, _)| *h == handle)
                    .map(|(_, p)| p.clone());
                match prefix {
                    Some(prefix) => {
                        tag = Some(Box::new(GoTag {
                            prefix,
                            suffix: suffix.into_owned(),
                        }));
                    }
                    None => {
                        return self.parser_error_context(
                            "while parsing a node",
                            start_mark,
                            "found undefined tag handle",
                            tag_mark,
                        );
                    }
                }
            }
            if tag
                .as_ref()
                .is_some_and(|t| t.prefix.is_empty() && t.suffix.is_empty())
            {
                // [Go] a tag that resolves to nothing counts as none (`len(tag) == 0`).
                tag = None;
            }
        }
        let implicit = tag.is_none();
        let (typ, tstart, tend) = self.peek_type()?;
        if indentless_sequence && typ == TokenType::BlockEntry {
            self.state = State::IndentlessSequenceEntry;
            return Ok(Self::event(
                GoEventKind::SequenceStart {
                    anchor,
                    tag,
                    implicit,
                    flow: false,
                },
                start_mark,
                tend,
            ));
        }
        match typ {
            TokenType::Scalar => {
                self.pop_state();
                let Some(t) = self.skip_token() else {
                    return self.parser_error("unknown problem parsing YAML content", start_mark);
                };
                let full_is_bang = tag.as_ref().is_some_and(|t| {
                    matches!(
                        (t.prefix.as_str(), t.suffix.as_str()),
                        ("!", "") | ("", "!")
                    )
                });
                let plain_implicit =
                    (tag.is_none() && t.style == ScalarStyle::Plain) || full_is_bang;
                let quoted_implicit = !plain_implicit && tag.is_none();
                Ok(Self::event(
                    GoEventKind::Scalar {
                        anchor,
                        tag,
                        value: t.value,
                        style: t.style,
                        plain_implicit,
                        quoted_implicit,
                    },
                    start_mark,
                    t.end_mark,
                ))
            }
            TokenType::FlowSequenceStart => {
                self.state = State::FlowSequenceFirstEntry;
                Ok(Self::event(
                    GoEventKind::SequenceStart {
                        anchor,
                        tag,
                        implicit,
                        flow: true,
                    },
                    start_mark,
                    tend,
                ))
            }
            TokenType::FlowMappingStart => {
                self.state = State::FlowMappingFirstKey;
                Ok(Self::event(
                    GoEventKind::MappingStart {
                        anchor,
                        tag,
                        implicit,
                        flow: true,
                    },
                    start_mark,
                    tend,
                ))
            }
            TokenType::BlockSequenceStart if block => {
                self.state = State::BlockSequenceFirstEntry;
                Ok(Self::event(
                    GoEventKind::SequenceStart {
                        anchor,
                        tag,
                        implicit,
                        flow: false,
                    },
                    start_mark,
                    tend,
                ))
            }
            TokenType::BlockMappingStart if block => {
                self.state = State::BlockMappingFirstKey;
                Ok(Self::event(
                    GoEventKind::MappingStart {
                        anchor,
                        tag,
                        implicit,
                        flow: false,
                    },
                    start_mark,
                    tend,
                ))
            }
            _ if anchor.is_some() || tag.is_some() => {
                self.pop_state();
                Ok(Self::event(
                    GoEventKind::Scalar {
                        anchor,
                        tag,
                        value: Cow::Borrowed(""),
                        style: ScalarStyle::Plain,
                        plain_implicit: implicit,
                        quoted_implicit: false,
                    },
                    start_mark,
                    end_mark,
                ))
            }
            _ => {
                let context = if block {
                    "while parsing a block node"
                } else {
                    "while parsing a flow node"
                };
                self.parser_error_context(
                    context,
                    start_mark,
                    "did not find expected node content",
                    tstart,
                )
            }
        }
    }

    /// `yaml_parser_parse_block_sequence_entry`.
    fn parse_block_sequence_entry(&mut self, first: bool) -> R<GoEvent<'a>> {
        if first {
            let (_, start, _) = self.peek_type()?;
            self.marks.push(start);
            self.skip_token();
        }
        let (typ, start, end) = self.peek_type()?;
        if typ == TokenType::BlockEntry {
            let mark = end;
            self.skip_token();
            let (typ, _, _) = self.peek_type()?;
            if typ != TokenType::BlockEntry && typ != TokenType::BlockEnd {
                self.states.push(State::BlockSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::BlockSequenceEntry;
            return Ok(Self::empty_scalar(mark));
        }
        if typ == TokenType::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip_token();
            return Ok(Self::event(GoEventKind::SequenceEnd, start, end));
        }
        let context_mark = self.marks.pop().unwrap_or_default();
        self.parser_error_context(
            "while parsing a block collection",
            context_mark,
            "did not find expected '-' indicator",
            start,
        )
    }

    /// `yaml_parser_parse_indentless_sequence_entry`.
    fn parse_indentless_sequence_entry(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, end) = self.peek_type()?;
        if typ == TokenType::BlockEntry {
            let mark = end;
            self.skip_token();
            let (typ, _, _) = self.peek_type()?;
            if typ != TokenType::BlockEntry
                && typ != TokenType::Key
                && typ != TokenType::Value
                && typ != TokenType::BlockEnd
            {
                self.states.push(State::IndentlessSequenceEntry);
                return self.parse_node(true, false);
            }
            self.state = State::IndentlessSequenceEntry;
            return Ok(Self::empty_scalar(mark));
        }
        self.pop_state();
        Ok(Self::event(GoEventKind::SequenceEnd, start, start))
    }

    /// `yaml_parser_parse_block_mapping_key`.
    fn parse_block_mapping_key(&mut self, first: bool) -> R<GoEvent<'a>> {
        if first {
            let (_, start, _) = self.peek_type()?;
            self.marks.push(start);
            self.skip_token();
        }
        let (typ, start, end) = self.peek_type()?;
        if typ == TokenType::Key {
            let mark = end;
            self.skip_token();
            let (typ, _, _) = self.peek_type()?;
            if typ != TokenType::Key && typ != TokenType::Value && typ != TokenType::BlockEnd {
                self.states.push(State::BlockMappingValue);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingValue;
            return Ok(Self::empty_scalar(mark));
        } else if typ == TokenType::BlockEnd {
            self.pop_state();
            self.marks.pop();
            self.skip_token();
            return Ok(Self::event(GoEventKind::MappingEnd, start, end));
        }
        let context_mark = self.marks.pop().unwrap_or_default();
        self.parser_error_context(
            "while parsing a block mapping",
            context_mark,
            "did not find expected key",
            start,
        )
    }

    /// `yaml_parser_parse_block_mapping_value`.
    fn parse_block_mapping_value(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, end) = self.peek_type()?;
        if typ == TokenType::Value {
            let mark = end;
            self.skip_token();
            let (typ, _, _) = self.peek_type()?;
            if typ != TokenType::Key && typ != TokenType::Value && typ != TokenType::BlockEnd {
                self.states.push(State::BlockMappingKey);
                return self.parse_node(true, true);
            }
            self.state = State::BlockMappingKey;
            return Ok(Self::empty_scalar(mark));
        }
        self.state = State::BlockMappingKey;
        Ok(Self::empty_scalar(start))
    }

    /// `yaml_parser_parse_flow_sequence_entry`.
    fn parse_flow_sequence_entry(&mut self, first: bool) -> R<GoEvent<'a>> {
        if first {
            let (_, start, _) = self.peek_type()?;
            self.marks.push(start);
            self.skip_token();
        }
        let (mut typ, mut start, mut end) = self.peek_type()?;
        if typ != TokenType::FlowSequenceEnd {
            if !first {
                if typ == TokenType::FlowEntry {
                    self.skip_token();
                    (typ, start, end) = self.peek_type()?;
                } else {
                    let context_mark = self.marks.pop().unwrap_or_default();
                    return self.parser_error_context(
                        "while parsing a flow sequence",
                        context_mark,
                        "did not find expected ',' or ']'",
                        start,
                    );
                }
            }
            if typ == TokenType::Key {
                self.state = State::FlowSequenceEntryMappingKey;
                self.skip_token();
                return Ok(Self::event(
                    GoEventKind::MappingStart {
                        anchor: None,
                        tag: None,
                        implicit: true,
                        flow: true,
                    },
                    start,
                    end,
                ));
            } else if typ != TokenType::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntry);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip_token();
        Ok(Self::event(GoEventKind::SequenceEnd, start, end))
    }

    /// `yaml_parser_parse_flow_sequence_entry_mapping_key`.
    fn parse_flow_sequence_entry_mapping_key(&mut self) -> R<GoEvent<'a>> {
        let (typ, _, end) = self.peek_type()?;
        if typ != TokenType::Value
            && typ != TokenType::FlowEntry
            && typ != TokenType::FlowSequenceEnd
        {
            self.states.push(State::FlowSequenceEntryMappingValue);
            return self.parse_node(false, false);
        }
        let mark = end;
        self.skip_token();
        self.state = State::FlowSequenceEntryMappingValue;
        Ok(Self::empty_scalar(mark))
    }

    /// `yaml_parser_parse_flow_sequence_entry_mapping_value`.
    fn parse_flow_sequence_entry_mapping_value(&mut self) -> R<GoEvent<'a>> {
        let (typ, start, _) = self.peek_type()?;
        if typ == TokenType::Value {
            self.skip_token();
            let (typ, _, _) = self.peek_type()?;
            if typ != TokenType::FlowEntry && typ != TokenType::FlowSequenceEnd {
                self.states.push(State::FlowSequenceEntryMappingEnd);
                return self.parse_node(false, false);
            }
        }
        // [Go] the mark is that of the token first peeked (`token` is shadowed above).
        self.state = State::FlowSequenceEntryMappingEnd;
        Ok(Self::empty_scalar(start))
    }

    /// `yaml_parser_parse_flow_sequence_entry_mapping_end`.
    fn parse_flow_sequence_entry_mapping_end(&mut self) -> R<GoEvent<'a>> {
        let (_, start, _) = self.peek_type()?;
        self.state = State::FlowSequenceEntry;
        Ok(Self::event(GoEventKind::MappingEnd, start, start))
    }

    /// `yaml_parser_parse_flow_mapping_key`.
    fn parse_flow_mapping_key(&mut self, first: bool) -> R<GoEvent<'a>> {
        if first {
            let (_, start, _) = self.peek_type()?;
            self.marks.push(start);
            self.skip_token();
        }
        let (mut typ, mut start, mut end) = self.peek_type()?;
        if typ != TokenType::FlowMappingEnd {
            if !first {
                if typ == TokenType::FlowEntry {
                    self.skip_token();
                    (typ, start, end) = self.peek_type()?;
                } else {
                    let context_mark = self.marks.pop().unwrap_or_default();
                    return self.parser_error_context(
                        "while parsing a flow mapping",
                        context_mark,
                        "did not find expected ',' or '}'",
                        start,
                    );
                }
            }
            if typ == TokenType::Key {
                self.skip_token();
                let (typ, start, _) = self.peek_type()?;
                if typ != TokenType::Value
                    && typ != TokenType::FlowEntry
                    && typ != TokenType::FlowMappingEnd
                {
                    self.states.push(State::FlowMappingValue);
                    return self.parse_node(false, false);
                }
                self.state = State::FlowMappingValue;
                return Ok(Self::empty_scalar(start));
            } else if typ != TokenType::FlowMappingEnd {
                self.states.push(State::FlowMappingEmptyValue);
                return self.parse_node(false, false);
            }
        }
        self.pop_state();
        self.marks.pop();
        self.skip_token();
        Ok(Self::event(GoEventKind::MappingEnd, start, end))
    }

    /// `yaml_parser_parse_flow_mapping_value`.
    fn parse_flow_mapping_value(&mut self, empty: bool) -> R<GoEvent<'a>> {
        let (typ, start, _) = self.peek_type()?;
        if empty {
            self.state = State::FlowMappingKey;
            return Ok(Self::empty_scalar(start));
        }
        if typ == TokenType::Value {
            self.skip_token();
            let (typ, start, _) = self.peek_type()?;
            if typ != TokenType::FlowEntry && typ != TokenType::FlowMappingEnd {
                self.states.push(State::FlowMappingKey);
                return self.parse_node(false, false);
            }
            self.state = State::FlowMappingKey;
            return Ok(Self::empty_scalar(start));
        }
        self.state = State::FlowMappingKey;
        Ok(Self::empty_scalar(start))
    }

    /// `yaml_parser_process_empty_scalar`.
    fn empty_scalar(mark: Mark) -> GoEvent<'a> {
        Self::event(
            GoEventKind::Scalar {
                anchor: None,
                tag: None,
                value: Cow::Borrowed(""),
                style: ScalarStyle::Plain,
                plain_implicit: true,
                quoted_implicit: false,
            },
            mark,
            mark,
        )
    }

    /// `yaml_parser_process_directives`.
    fn process_directives(&mut self) -> R<()> {
        let mut version_seen = false;
        loop {
            let t = self.peek()?;
            let (typ, start) = (t.typ, t.start_mark);
            match typ {
                TokenType::VersionDirective => {
                    if version_seen {
                        return self.parser_error("found duplicate %YAML directive", start);
                    }
                    if t.major != 1 || t.minor != 1 {
                        return self.parser_error("found incompatible YAML document", start);
                    }
                    version_seen = true;
                }
                TokenType::TagDirective => {
                    let (handle, prefix) = (t.value.to_string(), t.suffix.to_string());
                    self.append_tag_directive(handle, prefix, false, start)?;
                }
                _ => break,
            }
            self.skip_token();
        }
        let (_, start, _) = self.peek_type()?;
        for (handle, prefix) in DEFAULT_TAG_DIRECTIVES {
            self.append_tag_directive(handle.to_owned(), prefix.to_owned(), true, start)?;
        }
        Ok(())
    }

    /// `yaml_parser_append_tag_directive`.
    fn append_tag_directive(
        &mut self,
        handle: String,
        prefix: String,
        allow_duplicates: bool,
        mark: Mark,
    ) -> R<()> {
        if self.tag_directives.iter().any(|(h, _)| *h == handle) {
            if allow_duplicates {
                return Ok(());
            }
            return self.parser_error("found duplicate %TAG directive", mark);
        }
        self.tag_directives.push((handle, prefix));
        Ok(())
    }
}
