//! The reader and scanner: a port of go-yaml's `readerc.go` and `scannerc.go`.
//!
//! The input is already valid UTF-8 and held in memory, so the reader does not copy it;
//! it only replays *when* go-yaml's reader would decode each 512-byte chunk, because that
//! decides when a control character is reported and what the scanner's odd byte-order-mark
//! check (`is_bom` looks at the start of the buffer, not at the current position) sees.
//!
//! v3's comment machinery is reduced to what changes acceptance: which characters its
//! comment scanning consumes (and the look-ahead it asks of the reader).

use std::borrow::Cow;
use std::collections::{HashMap, VecDeque};
use std::hash::{BuildHasherDefault, Hasher};

use saphyr_parser::ScalarStyle;

use super::{Dialect, ErrorKind, GoYamlError, Mark};

/// go-yaml's `input_raw_buffer_size`: the reader decodes the input in chunks of this many
/// bytes.
const INPUT_RAW_BUFFER_SIZE: usize = 512;
/// go-yaml's `max_flow_level`.
const MAX_FLOW_LEVEL: usize = 10000;
/// go-yaml's `max_indents`.
const MAX_INDENTS: usize = 10000;
/// go-yaml's `max_number_length` (digits of a `%YAML` version number).
const MAX_NUMBER_LENGTH: usize = 2;

/// Results carry boxed errors, keeping the `Ok` path small.
pub(super) type R<T> = Result<T, Box<GoYamlError>>;

/// `yaml_token_type_t`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum TokenType {
    StreamStart,
    StreamEnd,
    VersionDirective,
    TagDirective,
    DocumentStart,
    DocumentEnd,
    BlockSequenceStart,
    BlockMappingStart,
    BlockEnd,
    FlowSequenceStart,
    FlowSequenceEnd,
    FlowMappingStart,
    FlowMappingEnd,
    BlockEntry,
    FlowEntry,
    Key,
    Value,
    Alias,
    Anchor,
    Tag,
    Scalar,
}

/// `yaml_token_t`, keeping only the fields the parser reads.
#[derive(Debug, Clone)]
pub(super) struct Token<'a> {
    pub(super) typ: TokenType,
    pub(super) start_mark: Mark,
    pub(super) end_mark: Mark,
    /// Anchor or alias name, tag handle, `%TAG` handle, scalar value.
    pub(super) value: Cow<'a, str>,
    /// Tag suffix, `%TAG` prefix.
    pub(super) suffix: Cow<'a, str>,
    pub(super) style: ScalarStyle,
    pub(super) major: i8,
    pub(super) minor: i8,
}

impl<'a> Token<'a> {
    fn new(typ: TokenType, start_mark: Mark, end_mark: Mark) -> Self {
        Token {
            typ,
            start_mark,
            end_mark,
            value: Cow::Borrowed(""),
            suffix: Cow::Borrowed(""),
            style: ScalarStyle::Plain,
            major: 0,
            minor: 0,
        }
    }
}

/// A hasher for token numbers (small integers; a multiplicative hash is enough).
#[derive(Default)]
struct TokenNumberHasher(u64);

impl Hasher for TokenNumberHasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }

    fn write_usize(&mut self, n: usize) {
        self.0 = (n as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type TokenMap = HashMap<usize, usize, BuildHasherDefault<TokenNumberHasher>>;

/// `yaml_simple_key_t`.
#[derive(Debug, Clone, Copy, Default)]
struct SimpleKey {
    possible: bool,
    required: bool,
    token_number: usize,
    mark: Mark,
}

/// v3's `yaml_comment_t` without its text: the marks decide where BLOCK-END tokens
/// stand, and when the parser takes the comment off the queue.
#[derive(Debug, Clone, Copy, Default)]
struct Comment {
    scan_mark: Mark,
    token_mark: Mark,
    start_mark: Mark,
    end_mark: Mark,
    /// A head comment (`len(comment.head) > 0`).
    head: bool,
    /// A line comment (`len(comment.line) > 0`).
    line: bool,
}

/// The scanner state of `yaml_parser_t`.
pub(super) struct Scanner<'a> {
    input: &'a str,
    bytes: &'a [u8],
    dialect: Dialect,
    /// `buffer_pos`, as an offset into the input.
    pos: usize,
    mark: Mark,

    // Reader emulation.
    encoding_known: bool,
    /// Input bytes the reader has decoded (validated) so far.
    decoded: usize,
    /// Characters in `decoded` (a leading byte-order mark not counted).
    decoded_chars: usize,
    /// Input bytes the reader has read into its raw buffer so far.
    raw_end: usize,
    eof: bool,
    /// NUL characters the reader has appended after the end of the input.
    nuls: usize,
    /// Input offset of the first byte of the reader's buffer (see `is_bom`).
    buf_start: usize,
    /// Offset of the first character go-yaml's reader refuses (the input length if none).
    first_bad: usize,
    /// A reader error that v3's comment scanning met and ignored; go-yaml reports it once
    /// the current event is complete.
    pub(super) pending: Option<Box<GoYamlError>>,

    stream_start_produced: bool,
    pub(super) stream_end_produced: bool,
    flow_level: usize,
    /// The token queue (`tokens[tokens_head:]`).
    tokens: VecDeque<Token<'a>>,
    /// The type of the last token in go-yaml's token slice.
    last_token: Option<TokenType>,
    /// The last two tokens taken off the queue (type and start mark), most recent last:
    /// go-yaml's token slice still holds them.
    consumed_tail: [Option<(TokenType, Mark)>; 2],
    /// v3's comments not yet taken by the parser (`comments[comments_head:]`).
    comments: VecDeque<Comment>,
    tokens_parsed: usize,
    token_available: bool,
    indent: isize,
    indents: Vec<isize>,
    simple_key_allowed: bool,
    simple_keys: Vec<SimpleKey>,
    simple_keys_by_tok: TokenMap,
    /// Line breaks since the last non-blank character (v3 only uses it).
    newlines: usize,
}

fn width(b: u8) -> usize {
    if b & 0x80 == 0x00 {
        1
    } else if b & 0xE0 == 0xC0 {
        2
    } else if b & 0xF0 == 0xE0 {
        3
    } else if b & 0xF8 == 0xF0 {
        4
    } else {
        0
    }
}

fn is_alpha_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_' || b == b'-'
}

fn as_hex(b: u8) -> u32 {
    match b {
        b'A'..=b'F' => u32::from(b - b'A') + 10,
        b'a'..=b'f' => u32::from(b - b'a') + 10,
        _ => u32::from(b.wrapping_sub(b'0')),
    }
}

/// Whether the character starting at `i` is one go-yaml's reader rejects with "control
/// characters are not allowed" (the input is valid UTF-8, so no other reader error can
/// occur).
fn disallowed_at(bytes: &[u8], i: usize) -> bool {
    match bytes.get(i) {
        None | Some(b'\t' | b'\n' | b'\r') => false,
        Some(0x00..=0x1F | 0x7F) => true,
        Some(0xC2) => {
            matches!(bytes.get(i + 1), Some(&n) if (0x80..=0x9F).contains(&n) && n != 0x85)
        }
        Some(0xEF) => {
            bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
        }
        Some(_) => false,
    }
}

/// The offset of the first character go-yaml's reader rejects (the input length if
/// none): 32 bytes at a time, looked at one by one only where a control character or a
/// non-ASCII byte occurs.
fn first_disallowed(bytes: &[u8]) -> usize {
    let mut at = 0;
    for chunk in bytes.chunks(32) {
        let suspect = chunk.iter().fold(false, |acc, &b| {
            acc | ((b < 0x20) & (b != b'\t') & (b != b'\n') & (b != b'\r')) | (b >= 0x7F)
        });
        if suspect && let Some(j) = (0..chunk.len()).find(|&j| disallowed_at(bytes, at + j)) {
            return at + j;
        }
        at += chunk.len();
    }
    bytes.len()
}

impl<'a> Scanner<'a> {
    pub(super) fn new(input: &'a str, dialect: Dialect) -> Self {
        let bytes = input.as_bytes();
        let start = if bytes.starts_with(b"\xEF\xBB\xBF") {
            3
        } else {
            0
        };
        Scanner {
            input,
            bytes,
            dialect,
            pos: start,
            mark: Mark::default(),
            encoding_known: false,
            decoded: start,
            decoded_chars: 0,
            raw_end: 0,
            eof: false,
            nuls: 0,
            buf_start: start,
            first_bad: first_disallowed(bytes),
            pending: None,
            stream_start_produced: false,
            stream_end_produced: false,
            flow_level: 0,
            tokens: VecDeque::new(),
            last_token: None,
            consumed_tail: [None, None],
            comments: VecDeque::new(),
            tokens_parsed: 0,
            token_available: false,
            indent: -1,
            indents: Vec::new(),
            simple_key_allowed: false,
            simple_keys: Vec::new(),
            simple_keys_by_tok: TokenMap::default(),
            newlines: 0,
        }
    }

    fn v3(&self) -> bool {
        self.dialect == Dialect::V3
    }

    // ----- buffer access -------------------------------------------------------------

    /// The byte `k` bytes after the current position; NUL past the end of the input (the
    /// reader's terminator).
    #[inline]
    fn b(&self, k: usize) -> u8 {
        self.bytes.get(self.pos + k).copied().unwrap_or(0)
    }

    #[inline]
    fn is_z(&self, k: usize) -> bool {
        self.b(k) == 0
    }

    #[inline]
    fn is_blank(&self, k: usize) -> bool {
        matches!(self.b(k), b' ' | b'\t')
    }

    #[inline]
    fn is_break(&self, k: usize) -> bool {
        match self.b(k) {
            b'\r' | b'\n' => true,
            0xC2 => self.b(k + 1) == 0x85,
            0xE2 => self.b(k + 1) == 0x80 && matches!(self.b(k + 2), 0xA8 | 0xA9),
            _ => false,
        }
    }

    #[inline]
    fn is_breakz(&self, k: usize) -> bool {
        self.b(k) == 0 || self.is_break(k)
    }

    #[inline]
    fn is_blankz(&self, k: usize) -> bool {
        self.is_blank(k) || self.is_breakz(k)
    }

    #[inline]
    fn is_alpha(&self, k: usize) -> bool {
        is_alpha_byte(self.b(k))
    }

    #[inline]
    fn is_hex(&self, k: usize) -> bool {
        self.b(k).is_ascii_hexdigit()
    }

    /// `is_bom(parser.buffer, parser.buffer_pos)`, which looks at the start of the
    /// buffer whatever the position.
    fn is_bom(&self) -> bool {
        self.bytes
            .get(self.buf_start..)
            .is_some_and(|rest| rest.starts_with(b"\xEF\xBB\xBF"))
    }

    // ----- reader --------------------------------------------------------------------

    /// `cache`: makes sure `length` characters are decoded after the position.
    #[inline]
    fn cache(&mut self, length: usize) -> R<()> {
        if self.pos + 4 * length <= self.decoded || self.unread() >= length {
            return Ok(());
        }
        self.update_buffer(length)
    }

    /// `cache` where a failure only ends a look-ahead (v3's comment scanning): the error
    /// is kept and reported when the current event is complete. Returns whether it failed.
    fn cache_or_defer(&mut self, length: usize) -> bool {
        match self.cache(length) {
            Ok(()) => false,
            Err(e) => {
                if self.pending.is_none() {
                    self.pending = Some(e);
                }
                true
            }
        }
    }

    /// Characters decoded after the position (`parser.unread`): the mark's index counts
    /// the characters consumed.
    #[inline]
    fn unread(&self) -> usize {
        (self.decoded_chars + self.nuls).saturating_sub(self.mark.index)
    }

    fn chars_between(&self, from: usize, to: usize) -> usize {
        self.bytes
            .get(from..to)
            .map_or(0, |s| s.iter().filter(|&&b| b & 0xC0 != 0x80).count())
    }

    /// `yaml_parser_update_raw_buffer` for an in-memory input.
    fn update_raw_buffer(&mut self) {
        if self.eof {
            return;
        }
        if self.raw_end >= self.bytes.len() {
            self.eof = true;
        } else {
            self.raw_end = (self.decoded + INPUT_RAW_BUFFER_SIZE).min(self.bytes.len());
        }
    }

    /// `yaml_parser_update_buffer`.
    fn update_buffer(&mut self, length: usize) -> R<()> {
        let mut avail = self.unread();
        if avail >= length {
            return Ok(());
        }
        if !self.encoding_known {
            // yaml_parser_determine_encoding: reads until three bytes are available.
            self.encoding_known = true;
            self.raw_end = INPUT_RAW_BUFFER_SIZE.min(self.bytes.len());
            if self.bytes.len() < 3 {
                self.eof = true;
            }
        }
        // The unread part of the buffer moves to its start.
        self.buf_start = self.pos;
        let mut first = true;
        while avail < length {
            if !first || self.decoded >= self.raw_end {
                self.update_raw_buffer();
            }
            first = false;
            let mut end = self.raw_end.min(self.bytes.len());
            while end > self.decoded && !self.input.is_char_boundary(end) {
                end -= 1;
            }
            if self.first_bad < end {
                // The characters before the bad one stay decoded.
                let bad = self.first_bad.max(self.decoded);
                self.decoded_chars += self.chars_between(self.decoded, bad);
                self.decoded = bad;
                return Err(Box::new(GoYamlError::new(
                    self.dialect,
                    ErrorKind::Reader,
                    "control characters are not allowed",
                    "",
                    Mark::default(),
                    Mark::default(),
                )));
            }
            if end > self.decoded {
                let n = self.chars_between(self.decoded, end);
                avail += n;
                self.decoded_chars += n;
                self.decoded = end;
            }
            if self.eof {
                self.nuls += 1;
                break;
            }
        }
        Ok(())
    }

    // ----- moving ------------------------------------------------------------------

    /// `skip`.
    #[inline]
    fn skip(&mut self) {
        let c = self.b(0);
        if c != b' ' && c != b'\t' {
            self.newlines = 0;
        }
        self.mark.index += 1;
        self.mark.column += 1;
        self.pos += width(c).max(1);
    }

    /// Skips the spaces after the position that lie clear of the reader's decoding
    /// frontier (what `skip` and `cache(1)` per space would do there); returns how many.
    fn skip_spaces(&mut self) -> usize {
        let limit = self.decoded.saturating_sub(4);
        let mut i = self.pos;
        while i < limit && self.bytes.get(i) == Some(&b' ') {
            i += 1;
        }
        let n = i - self.pos;
        self.pos = i;
        self.mark.index += n;
        self.mark.column += n;
        n
    }

    /// `skip_line`.
    fn skip_line(&mut self) {
        if self.b(0) == b'\r' && self.b(1) == b'\n' {
            self.mark.index += 2;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += 2;
            self.newlines += 1;
        } else if self.is_break(0) {
            self.mark.index += 1;
            self.mark.column = 0;
            self.mark.line += 1;
            self.pos += width(self.b(0)).max(1);
            self.newlines += 1;
        }
    }

    /// `read`: appends the current character to `s` and moves past it.
    #[inline]
    fn read(&mut self, s: &mut Vec<u8>) {
        let c = self.b(0);
        if c != b' ' && c != b'\t' {
            self.newlines = 0;
        }
        let w = width(c).max(1);
        if let Some(chunk) = self.bytes.get(self.pos..self.pos + w) {
            s.extend_from_slice(chunk);
        }
        self.pos += w;
        self.mark.index += 1;
        self.mark.column += 1;
    }

    /// `read_line`: appends a line break (normalised to `\n`, except LS and PS) to `s`.
    fn read_line(&mut self, s: &mut Vec<u8>) {
        let (b0, b1, b2) = (self.b(0), self.b(1), self.b(2));
        if b0 == b'\r' && b1 == b'\n' {
            s.push(b'\n');
            self.pos += 2;
            self.mark.index += 1;
        } else if b0 == b'\r' || b0 == b'\n' {
            s.push(b'\n');
            self.pos += 1;
        } else if b0 == 0xC2 && b1 == 0x85 {
            s.push(b'\n');
            self.pos += 2;
        } else if b0 == 0xE2 && b1 == 0x80 && (b2 == 0xA8 || b2 == 0xA9) {
            s.extend_from_slice(&[b0, b1, b2]);
            self.pos += 3;
        } else {
            return;
        }
        self.mark.index += 1;
        self.mark.column = 0;
        self.mark.line += 1;
        self.newlines += 1;
    }

    fn col(&self) -> isize {
        self.mark.column as isize
    }

    // ----- errors ------------------------------------------------------------------

    /// `yaml_parser_set_scanner_error`.
    fn scanner_error<T>(&self, context: &str, context_mark: Mark, problem: &str) -> R<T> {
        Err(Box::new(GoYamlError::new(
            self.dialect,
            ErrorKind::Scanner,
            problem,
            context,
            self.mark,
            context_mark,
        )))
    }

    /// `yaml_parser_set_scanner_tag_error`.
    fn scanner_tag_error<T>(&self, directive: bool, context_mark: Mark, problem: &str) -> R<T> {
        let context = if directive {
            "while parsing a %TAG directive"
        } else {
            "while parsing a tag"
        };
        self.scanner_error(context, context_mark, problem)
    }

    // ----- the token queue --------------------------------------------------------

    /// `yaml_insert_token`: appends the token, or inserts it `pos` places after the head.
    fn insert_token(&mut self, pos: Option<usize>, token: Token<'a>) {
        match pos {
            Some(p) if p < self.tokens.len() => self.tokens.insert(p, token),
            _ => self.tokens.push_back(token),
        }
        self.last_token = self.tokens.back().map(|t| t.typ);
    }

    /// `peek_token`: the token at the head of the queue, scanning more as needed.
    pub(super) fn peek_token(&mut self) -> R<&Token<'a>> {
        if !self.token_available {
            self.fetch_more_tokens()?;
        }
        if self.v3() && !self.comments.is_empty() {
            self.unfold_comments();
        }
        match self.tokens.front() {
            Some(t) => Ok(t),
            None => Err(Box::new(GoYamlError::new(
                self.dialect,
                ErrorKind::Scanner,
                "unknown problem parsing YAML content",
                "",
                self.mark,
                Mark::default(),
            ))),
        }
    }

    /// v3's `yaml_parser_unfold_comments`: the parser takes the comments that belong
    /// before the head token.
    fn unfold_comments(&mut self) {
        let Some(token) = self.tokens.front() else {
            return;
        };
        let (typ, index) = (token.typ, token.start_mark.index);
        while let Some(c) = self.comments.front() {
            if index < c.token_mark.index {
                break;
            }
            if c.head && typ == TokenType::BlockEnd {
                break;
            }
            self.comments.pop_front();
        }
    }

    /// The last `k + 1`-th token (type and start mark) of go-yaml's token slice, which
    /// still holds tokens the parser took (slice compaction is not replayed).
    fn tail_token(&self, k: usize) -> Option<(TokenType, Mark)> {
        let n = self.tokens.len();
        if k < n {
            self.tokens.get(n - 1 - k).map(|t| (t.typ, t.start_mark))
        } else {
            match k - n {
                0 => self.consumed_tail[1],
                1 => self.consumed_tail[0],
                _ => None,
            }
        }
    }

    /// `skip_token`: consumes the head token and hands it over.
    pub(super) fn skip_token(&mut self) -> Option<Token<'a>> {
        self.token_available = false;
        self.tokens_parsed += 1;
        let t = self.tokens.pop_front();
        self.stream_end_produced = t.as_ref().is_some_and(|t| t.typ == TokenType::StreamEnd);
        if let Some(t) = &t {
            self.consumed_tail = [self.consumed_tail[1], Some((t.typ, t.start_mark))];
        }
        if self.simple_keys_by_tok.len() > 64 {
            let parsed = self.tokens_parsed;
            self.simple_keys_by_tok.retain(|&k, _| k >= parsed);
        }
        t
    }

    // ----- fetching ---------------------------------------------------------------

    /// `yaml_parser_fetch_more_tokens`.
    fn fetch_more_tokens(&mut self) -> R<()> {
        loop {
            let enough = match self.dialect {
                // [Go] v3 keeps two more tokens of look-ahead for its comments.
                Dialect::V3 => self.tokens.len() > 2,
                Dialect::V2 => !self.tokens.is_empty(),
            };
            if enough {
                match self.simple_keys_by_tok.get(&self.tokens_parsed) {
                    None => break,
                    Some(&idx) => {
                        if !self.simple_key_is_valid(idx)? {
                            break;
                        }
                    }
                }
            }
            self.fetch_next_token()?;
        }
        self.token_available = true;
        Ok(())
    }

    /// `yaml_parser_fetch_next_token`.
    fn fetch_next_token(&mut self) -> R<()> {
        self.cache(1)?;
        if !self.stream_start_produced {
            self.fetch_stream_start();
            return Ok(());
        }
        let scan_mark = self.mark;
        self.scan_to_next_token()?;
        self.unroll_indent(self.col(), scan_mark);
        self.cache(4)?;
        if self.is_z(0) {
            return self.fetch_stream_end();
        }
        let c = self.b(0);
        if self.mark.column == 0 && c == b'%' {
            return self.fetch_directive();
        }
        if self.mark.column == 0
            && c == b'-'
            && self.b(1) == b'-'
            && self.b(2) == b'-'
            && self.is_blankz(3)
        {
            return self.fetch_document_indicator(TokenType::DocumentStart);
        }
        if self.mark.column == 0
            && c == b'.'
            && self.b(1) == b'.'
            && self.b(2) == b'.'
            && self.is_blankz(3)
        {
            return self.fetch_document_indicator(TokenType::DocumentEnd);
        }
        let mut comment_mark = self.mark;
        if ((self.flow_level == 0 && c == b':') || (self.flow_level > 0 && c == b','))
            && let Some((_, m)) = self.tail_token(0)
        {
            comment_mark = m;
        }
        self.fetch_token_at(c)?;
        if self.v3() && self.last_token != Some(TokenType::BlockEntry) {
            self.scan_line_comment(comment_mark)?;
        }
        Ok(())
    }

    /// The part of `yaml_parser_fetch_next_token` after the document markers.
    fn fetch_token_at(&mut self, c: u8) -> R<()> {
        let flow = self.flow_level > 0;
        match c {
            b'[' => return self.fetch_flow_collection_start(TokenType::FlowSequenceStart),
            b'{' => return self.fetch_flow_collection_start(TokenType::FlowMappingStart),
            b']' => return self.fetch_flow_collection_end(TokenType::FlowSequenceEnd),
            b'}' => return self.fetch_flow_collection_end(TokenType::FlowMappingEnd),
            b',' => return self.fetch_flow_entry(),
            b'-' if self.is_blankz(1) => return self.fetch_block_entry(),
            b'?' if flow || self.is_blankz(1) => return self.fetch_key(),
            b':' if flow || self.is_blankz(1) => return self.fetch_value(),
            b'*' => return self.fetch_anchor(TokenType::Alias),
            b'&' => return self.fetch_anchor(TokenType::Anchor),
            b'!' => return self.fetch_tag(),
            b'|' if !flow => return self.fetch_block_scalar(true),
            b'>' if !flow => return self.fetch_block_scalar(false),
            b'\'' => return self.fetch_flow_scalar(true),
            b'"' => return self.fetch_flow_scalar(false),
            _ => {}
        }
        let indicator = self.is_blankz(0)
            || matches!(
                c,
                b'-' | b'?'
                    | b':'
                    | b','
                    | b'['
                    | b']'
                    | b'{'
                    | b'}'
                    | b'#'
                    | b'&'
                    | b'*'
                    | b'!'
                    | b'|'
                    | b'>'
                    | b'\''
                    | b'"'
                    | b'%'
                    | b'@'
                    | b'`'
            );
        if !indicator
            || (c == b'-' && !self.is_blank(1))
            || (!flow && (c == b'?' || c == b':') && !self.is_blankz(1))
        {
            return self.fetch_plain_scalar();
        }
        self.scanner_error(
            "while scanning for the next token",
            self.mark,
            "found character that cannot start any token",
        )
    }

    // ----- simple keys ------------------------------------------------------------

    /// `yaml_simple_key_is_valid`.
    fn simple_key_is_valid(&mut self, idx: usize) -> R<bool> {
        let (line, index) = (self.mark.line, self.mark.index);
        let Some(key) = self.simple_keys.get_mut(idx) else {
            return Ok(false);
        };
        if !key.possible {
            return Ok(false);
        }
        if key.mark.line < line || key.mark.index + 1024 < index {
            if key.required {
                let mark = key.mark;
                return self.scanner_error(
                    "while scanning a simple key",
                    mark,
                    "could not find expected ':'",
                );
            }
            key.possible = false;
            return Ok(false);
        }
        Ok(true)
    }

    /// `yaml_parser_save_simple_key`.
    fn save_simple_key(&mut self) -> R<()> {
        let required = self.flow_level == 0 && self.indent == self.col();
        if self.simple_key_allowed {
            let key = SimpleKey {
                possible: true,
                required,
                token_number: self.tokens_parsed + self.tokens.len(),
                mark: self.mark,
            };
            self.remove_simple_key()?;
            let idx = self.simple_keys.len().saturating_sub(1);
            if let Some(slot) = self.simple_keys.get_mut(idx) {
                *slot = key;
            }
            self.simple_keys_by_tok.insert(key.token_number, idx);
        }
        Ok(())
    }

    /// `yaml_parser_remove_simple_key`.
    fn remove_simple_key(&mut self) -> R<()> {
        let idx = self.simple_keys.len().saturating_sub(1);
        let Some(key) = self.simple_keys.get_mut(idx) else {
            return Ok(());
        };
        if key.possible {
            if key.required {
                let mark = key.mark;
                return self.scanner_error(
                    "while scanning a simple key",
                    mark,
                    "could not find expected ':'",
                );
            }
            key.possible = false;
            let n = key.token_number;
            self.simple_keys_by_tok.remove(&n);
        }
        Ok(())
    }

    /// `yaml_parser_increase_flow_level`.
    fn increase_flow_level(&mut self) -> R<()> {
        self.simple_keys.push(SimpleKey {
            possible: false,
            required: false,
            token_number: self.tokens_parsed + self.tokens.len(),
            mark: self.mark,
        });
        self.flow_level += 1;
        if self.flow_level > MAX_FLOW_LEVEL {
            return self.scanner_error(
                "while increasing flow level",
                self.mark,
                &format!("exceeded max depth of {MAX_FLOW_LEVEL}"),
            );
        }
        Ok(())
    }

    /// `yaml_parser_decrease_flow_level`.
    fn decrease_flow_level(&mut self) {
        if self.flow_level > 0 {
            self.flow_level -= 1;
            if let Some(key) = self.simple_keys.pop() {
                self.simple_keys_by_tok.remove(&key.token_number);
            }
        }
    }

    /// `yaml_parser_roll_indent`. `number` is a token number, or `None` to append.
    fn roll_indent(
        &mut self,
        column: isize,
        number: Option<usize>,
        typ: TokenType,
        mark: Mark,
    ) -> R<()> {
        if self.flow_level > 0 {
            return Ok(());
        }
        if self.indent < column {
            self.indents.push(self.indent);
            self.indent = column;
            if self.indents.len() > MAX_INDENTS {
                let mark = self.simple_keys.last().map(|k| k.mark).unwrap_or_default();
                return self.scanner_error(
                    "while increasing indent level",
                    mark,
                    &format!("exceeded max depth of {MAX_INDENTS}"),
                );
            }
            // [Go] a token number already parsed gives a negative position: appended.
            let pos = number.and_then(|n| n.checked_sub(self.tokens_parsed));
            self.insert_token(pos, Token::new(typ, mark, mark));
        }
        Ok(())
    }

    /// `yaml_parser_unroll_indent`. (v3 moves the BLOCK-END marks before foot comments;
    /// this port does not keep comments, so they stand where the scan started.)
    fn unroll_indent(&mut self, column: isize, scan_mark: Mark) {
        if self.flow_level > 0 {
            return;
        }
        let mut block_mark = match self.dialect {
            Dialect::V3 => Mark {
                index: scan_mark.index.saturating_sub(1),
                ..scan_mark
            },
            Dialect::V2 => self.mark,
        };
        while self.indent > column {
            if self.v3() {
                // [Go] the BLOCK-END goes before a foot comment at the closed level.
                let mut stop_index = block_mark.index;
                for c in self.comments.iter().rev() {
                    if c.end_mark.index < stop_index {
                        break;
                    }
                    if c.start_mark.column as isize == self.indent + 1 {
                        block_mark = c.start_mark;
                    }
                    stop_index = c.scan_mark.index;
                }
            }
            self.insert_token(
                None,
                Token::new(TokenType::BlockEnd, block_mark, block_mark),
            );
            self.indent = self.indents.pop().unwrap_or(-1);
        }
    }

    // ----- the fetchers -------------------------------------------------------------

    /// `yaml_parser_fetch_stream_start`.
    fn fetch_stream_start(&mut self) {
        self.indent = -1;
        self.simple_keys.push(SimpleKey::default());
        self.simple_key_allowed = true;
        self.stream_start_produced = true;
        let m = self.mark;
        self.insert_token(None, Token::new(TokenType::StreamStart, m, m));
    }

    /// `yaml_parser_fetch_stream_end`.
    fn fetch_stream_end(&mut self) -> R<()> {
        if self.mark.column != 0 {
            self.mark.column = 0;
            self.mark.line += 1;
        }
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let m = self.mark;
        self.insert_token(None, Token::new(TokenType::StreamEnd, m, m));
        Ok(())
    }

    /// `yaml_parser_fetch_directive`.
    fn fetch_directive(&mut self) -> R<()> {
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_directive()?;
        self.insert_token(None, token);
        Ok(())
    }

    /// `yaml_parser_fetch_document_indicator`.
    fn fetch_document_indicator(&mut self, typ: TokenType) -> R<()> {
        self.unroll_indent(-1, self.mark);
        self.remove_simple_key()?;
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        self.skip();
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(typ, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_flow_collection_start`.
    fn fetch_flow_collection_start(&mut self, typ: TokenType) -> R<()> {
        self.save_simple_key()?;
        self.increase_flow_level()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(typ, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_flow_collection_end`.
    fn fetch_flow_collection_end(&mut self, typ: TokenType) -> R<()> {
        self.remove_simple_key()?;
        self.decrease_flow_level();
        self.simple_key_allowed = false;
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(typ, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_flow_entry`.
    fn fetch_flow_entry(&mut self) -> R<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(TokenType::FlowEntry, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_block_entry`.
    fn fetch_block_entry(&mut self) -> R<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return self.scanner_error(
                    "",
                    self.mark,
                    "block sequence entries are not allowed in this context",
                );
            }
            self.roll_indent(self.col(), None, TokenType::BlockSequenceStart, self.mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(TokenType::BlockEntry, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_key`.
    fn fetch_key(&mut self) -> R<()> {
        if self.flow_level == 0 {
            if !self.simple_key_allowed {
                return self.scanner_error(
                    "",
                    self.mark,
                    "mapping keys are not allowed in this context",
                );
            }
            self.roll_indent(self.col(), None, TokenType::BlockMappingStart, self.mark)?;
        }
        self.remove_simple_key()?;
        self.simple_key_allowed = self.flow_level == 0;
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(TokenType::Key, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_value`.
    fn fetch_value(&mut self) -> R<()> {
        let idx = self.simple_keys.len().saturating_sub(1);
        if self.simple_key_is_valid(idx)? {
            let key = self.simple_keys.get(idx).copied().unwrap_or_default();
            // [Go] a negative position (the key's token was already parsed) appends.
            let pos = key.token_number.checked_sub(self.tokens_parsed);
            self.insert_token(pos, Token::new(TokenType::Key, key.mark, key.mark));
            self.roll_indent(
                key.mark.column as isize,
                Some(key.token_number),
                TokenType::BlockMappingStart,
                key.mark,
            )?;
            if let Some(k) = self.simple_keys.get_mut(idx) {
                k.possible = false;
            }
            self.simple_keys_by_tok.remove(&key.token_number);
            self.simple_key_allowed = false;
        } else {
            if self.flow_level == 0 {
                if !self.simple_key_allowed {
                    return self.scanner_error(
                        "",
                        self.mark,
                        "mapping values are not allowed in this context",
                    );
                }
                self.roll_indent(self.col(), None, TokenType::BlockMappingStart, self.mark)?;
            }
            self.simple_key_allowed = self.flow_level == 0;
        }
        let start = self.mark;
        self.skip();
        let end = self.mark;
        self.insert_token(None, Token::new(TokenType::Value, start, end));
        Ok(())
    }

    /// `yaml_parser_fetch_anchor`.
    fn fetch_anchor(&mut self, typ: TokenType) -> R<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_anchor(typ)?;
        self.insert_token(None, token);
        Ok(())
    }

    /// `yaml_parser_fetch_tag`.
    fn fetch_tag(&mut self) -> R<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_tag()?;
        self.insert_token(None, token);
        Ok(())
    }

    /// `yaml_parser_fetch_block_scalar`.
    fn fetch_block_scalar(&mut self, literal: bool) -> R<()> {
        self.remove_simple_key()?;
        self.simple_key_allowed = true;
        let token = self.scan_block_scalar(literal)?;
        self.insert_token(None, token);
        Ok(())
    }

    /// `yaml_parser_fetch_flow_scalar`.
    fn fetch_flow_scalar(&mut self, single: bool) -> R<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_flow_scalar(single)?;
        self.insert_token(None, token);
        Ok(())
    }

    /// `yaml_parser_fetch_plain_scalar`.
    fn fetch_plain_scalar(&mut self) -> R<()> {
        self.save_simple_key()?;
        self.simple_key_allowed = false;
        let token = self.scan_plain_scalar()?;
        self.insert_token(None, token);
        Ok(())
    }

    // ----- scanning ----------------------------------------------------------------

    /// `yaml_parser_scan_to_next_token`.
    fn scan_to_next_token(&mut self) -> R<()> {
        let scan_mark = self.mark;
        loop {
            self.cache(1)?;
            if self.mark.column == 0 && self.is_bom() {
                self.skip();
            }
            self.cache(1)?;
            let tabs = self.flow_level > 0 || !self.simple_key_allowed;
            let limit = self.decoded.saturating_sub(4);
            let mut i = self.pos;
            while i < limit
                && matches!(self.bytes.get(i), Some(&c) if c == b' ' || (tabs && c == b'\t'))
            {
                i += 1;
            }
            if i > self.pos {
                let n = i - self.pos;
                self.pos = i;
                self.mark.index += n;
                self.mark.column += n;
            }
            while self.b(0) == b' '
                || ((self.flow_level > 0 || !self.simple_key_allowed) && self.b(0) == b'\t')
            {
                self.skip();
                self.cache(1)?;
            }
            if self.v3() && !self.comments.is_empty() {
                // [Go] a line comment after `- ` at the start of a sequence becomes a head
                // comment when the entry's content follows on the same line.
                let a = self.tail_token(1).map(|t| t.0);
                let b = self.tail_token(0).map(|t| t.0);
                if a == Some(TokenType::BlockSequenceStart)
                    && b == Some(TokenType::BlockEntry)
                    && !self.is_break(0)
                {
                    let mark = self.mark;
                    if let Some(c) = self.comments.back_mut()
                        && c.line
                    {
                        c.head = true;
                        c.line = false;
                        if c.start_mark.line + 1 == mark.line {
                            c.token_mark = mark;
                        }
                    }
                }
            }
            if self.b(0) == b'#' {
                match self.dialect {
                    Dialect::V3 => self.scan_comments(scan_mark)?,
                    Dialect::V2 => {
                        while !self.is_breakz(0) {
                            self.skip();
                            self.cache(1)?;
                        }
                    }
                }
            }
            if self.is_break(0) {
                self.cache(2)?;
                self.skip_line();
                if self.flow_level == 0 {
                    self.simple_key_allowed = true;
                }
            } else {
                break;
            }
        }
        Ok(())
    }

    /// Moves to the character index `seen` and past the comment that starts there, as
    /// the consuming loop of v3's `yaml_parser_scan_line_comment` and
    /// `yaml_parser_scan_comments` do.
    fn consume_comment(&mut self, seen: usize) -> R<Option<Mark>> {
        let mut start = None;
        loop {
            self.cache(1)?;
            if self.is_breakz(0) {
                if self.mark.index >= seen || self.is_z(0) {
                    break;
                }
                self.cache(2)?;
                self.skip_line();
            } else {
                if self.mark.index >= seen && start.is_none() {
                    start = Some(self.mark);
                }
                self.skip();
            }
        }
        Ok(start)
    }

    /// v3's `yaml_parser_scan_line_comment`, keeping only what it consumes: a comment
    /// after the token on the same line, even with no blank before the `#`.
    fn scan_line_comment(&mut self, token_mark: Mark) -> R<()> {
        if self.newlines > 0 {
            return Ok(());
        }
        let mut peek = 0;
        while peek < 512 {
            if self.cache_or_defer(peek + 1) {
                break;
            }
            if self.is_blank(peek) {
                peek += 1;
                continue;
            }
            if self.b(peek) == b'#' {
                let seen = self.mark.index + peek;
                if let Some(start_mark) = self.consume_comment(seen)? {
                    self.comments.push_back(Comment {
                        token_mark,
                        start_mark,
                        line: true,
                        ..Comment::default()
                    });
                }
            }
            break;
        }
        Ok(())
    }

    /// v3's `yaml_parser_scan_comments`, without the text: it consumes the comment lines
    /// that follow, over blank lines and whatever blanks (tabs too) indent them, and
    /// records each block of them as a foot comment of what precedes or a head comment
    /// of what follows.
    fn scan_comments(&mut self, scan_mark: Mark) -> R<()> {
        let mut scan_mark = scan_mark;
        let (mut token_typ, mut token_mark) = self
            .tail_token(0)
            .unwrap_or((TokenType::StreamStart, Mark::default()));
        if token_typ == TokenType::FlowEntry
            && let Some(t) = self.tail_token(1)
        {
            (token_typ, token_mark) = t;
        }
        let mut start_mark = Mark::default();
        let mut next_indent = self.indent.max(0);
        let mut recent_empty = false;
        let mut first_empty = self.newlines <= 1;
        let mut line = self.mark.line;
        let mut column = self.mark.column;
        let mut text = false;
        let mut foot_line: isize = -1;
        if scan_mark.line > 0 {
            foot_line = self.mark.line as isize - self.newlines as isize + 1;
            if self.newlines == 0 && self.mark.column > 1 {
                foot_line += 1;
            }
        }
        let mut peek = 0;
        while peek < 512 {
            if self.cache_or_defer(peek + 1) {
                break;
            }
            column += 1;
            if self.is_blank(peek) {
                peek += 1;
                continue;
            }
            let c = self.b(peek);
            let close_flow = self.flow_level > 0 && (c == b']' || c == b'}');
            if close_flow || self.is_breakz(peek) {
                if close_flow || !recent_empty {
                    let start_col = start_mark.column as isize - 1;
                    let foot = close_flow
                        || (first_empty
                            && ((start_mark.line as isize == foot_line
                                && token_typ != TokenType::Value)
                                || start_col < next_indent));
                    if foot && text {
                        if start_col < next_indent {
                            token_mark = start_mark;
                        }
                        let end_mark = Mark {
                            index: self.mark.index + peek,
                            line,
                            column,
                        };
                        self.comments.push_back(Comment {
                            scan_mark,
                            token_mark,
                            start_mark,
                            end_mark,
                            ..Comment::default()
                        });
                        scan_mark = end_mark;
                        token_mark = scan_mark;
                        text = false;
                    }
                }
                if !self.is_break(peek) {
                    break;
                }
                first_empty = false;
                recent_empty = true;
                column = 0;
                line += 1;
                peek += 1;
                continue;
            }
            if text
                && (close_flow
                    || (column as isize - 1 < next_indent && column != start_mark.column))
            {
                let end_mark = Mark {
                    index: self.mark.index + peek,
                    line,
                    column,
                };
                self.comments.push_back(Comment {
                    scan_mark,
                    token_mark,
                    start_mark,
                    end_mark,
                    ..Comment::default()
                });
                scan_mark = end_mark;
                token_mark = scan_mark;
                text = false;
            }
            if c != b'#' {
                break;
            }
            if !text {
                start_mark = Mark {
                    index: self.mark.index + peek,
                    line,
                    column,
                };
            }
            recent_empty = false;
            let seen = self.mark.index + peek;
            if self.consume_comment(seen)?.is_some() {
                text = true;
            }
            // [Go] `peek = 0` and then the loop's `peek++`.
            peek = 1;
            column = 0;
            line = self.mark.line;
            next_indent = self.indent.max(0);
        }
        if text {
            self.comments.push_back(Comment {
                scan_mark,
                token_mark: start_mark,
                start_mark,
                end_mark: Mark {
                    index: (self.mark.index + peek).saturating_sub(1),
                    line,
                    column,
                },
                head: true,
                line: false,
            });
        }
        Ok(())
    }

    /// `yaml_parser_scan_directive`.
    fn scan_directive(&mut self) -> R<Token<'a>> {
        let start_mark = self.mark;
        self.skip();
        let name = self.scan_directive_name(start_mark)?;
        let token = if name == b"YAML" {
            let (major, minor) = self.scan_version_directive_value(start_mark)?;
            let mut t = Token::new(TokenType::VersionDirective, start_mark, self.mark);
            t.major = major;
            t.minor = minor;
            t
        } else if name == b"TAG" {
            let (handle, prefix) = self.scan_tag_directive_value(start_mark)?;
            let mut t = Token::new(TokenType::TagDirective, start_mark, self.mark);
            t.value = Cow::Owned(bytes_to_string(handle));
            t.suffix = Cow::Owned(bytes_to_string(prefix));
            t
        } else {
            return self.scanner_error(
                "while scanning a directive",
                start_mark,
                "found unknown directive name",
            );
        };
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        if self.b(0) == b'#' {
            while !self.is_breakz(0) {
                self.skip();
                self.cache(1)?;
            }
        }
        if !self.is_breakz(0) {
            return self.scanner_error(
                "while scanning a directive",
                start_mark,
                "did not find expected comment or line break",
            );
        }
        if self.is_break(0) {
            self.cache(2)?;
            self.skip_line();
        }
        Ok(token)
    }

    /// `yaml_parser_scan_directive_name`.
    fn scan_directive_name(&mut self, start_mark: Mark) -> R<Vec<u8>> {
        self.cache(1)?;
        let mut s = Vec::new();
        while self.is_alpha(0) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if s.is_empty() {
            return self.scanner_error(
                "while scanning a directive",
                start_mark,
                "could not find expected directive name",
            );
        }
        if !self.is_blankz(0) {
            return self.scanner_error(
                "while scanning a directive",
                start_mark,
                "found unexpected non-alphabetical character",
            );
        }
        Ok(s)
    }

    /// `yaml_parser_scan_version_directive_value`.
    fn scan_version_directive_value(&mut self, start_mark: Mark) -> R<(i8, i8)> {
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        let major = self.scan_version_directive_number(start_mark)?;
        if self.b(0) != b'.' {
            return self.scanner_error(
                "while scanning a %YAML directive",
                start_mark,
                "did not find expected digit or '.' character",
            );
        }
        self.skip();
        let minor = self.scan_version_directive_number(start_mark)?;
        Ok((major, minor))
    }

    /// `yaml_parser_scan_version_directive_number`.
    fn scan_version_directive_number(&mut self, start_mark: Mark) -> R<i8> {
        self.cache(1)?;
        let mut value: i8 = 0;
        let mut length = 0;
        while self.b(0).is_ascii_digit() {
            length += 1;
            if length > MAX_NUMBER_LENGTH {
                return self.scanner_error(
                    "while scanning a %YAML directive",
                    start_mark,
                    "found extremely long version number",
                );
            }
            value = value
                .wrapping_mul(10)
                .wrapping_add((self.b(0) - b'0') as i8);
            self.skip();
            self.cache(1)?;
        }
        if length == 0 {
            return self.scanner_error(
                "while scanning a %YAML directive",
                start_mark,
                "did not find expected version number",
            );
        }
        Ok(value)
    }

    /// `yaml_parser_scan_tag_directive_value`.
    fn scan_tag_directive_value(&mut self, start_mark: Mark) -> R<(Vec<u8>, Vec<u8>)> {
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        let handle = self.scan_tag_handle(true, start_mark)?;
        self.cache(1)?;
        if !self.is_blank(0) {
            return self.scanner_error(
                "while scanning a %TAG directive",
                start_mark,
                "did not find expected whitespace",
            );
        }
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        let prefix = self.scan_tag_uri(true, &[], start_mark)?;
        self.cache(1)?;
        if !self.is_blankz(0) {
            return self.scanner_error(
                "while scanning a %TAG directive",
                start_mark,
                "did not find expected whitespace or line break",
            );
        }
        Ok((handle, prefix))
    }

    /// `yaml_parser_scan_anchor`.
    fn scan_anchor(&mut self, typ: TokenType) -> R<Token<'a>> {
        let start_mark = self.mark;
        self.skip();
        self.cache(1)?;
        let from = self.pos;
        while self.is_alpha(0) {
            self.skip();
            self.cache(1)?;
        }
        let end_mark = self.mark;
        let name = self.input.get(from..self.pos).unwrap_or("");
        if name.is_empty()
            || !(self.is_blankz(0)
                || matches!(
                    self.b(0),
                    b'?' | b':' | b',' | b']' | b'}' | b'%' | b'@' | b'`'
                ))
        {
            let context = if typ == TokenType::Anchor {
                "while scanning an anchor"
            } else {
                "while scanning an alias"
            };
            return self.scanner_error(
                context,
                start_mark,
                "did not find expected alphabetic or numeric character",
            );
        }
        let mut t = Token::new(typ, start_mark, end_mark);
        t.value = Cow::Borrowed(name);
        Ok(t)
    }

    /// `yaml_parser_scan_tag`.
    fn scan_tag(&mut self) -> R<Token<'a>> {
        let start_mark = self.mark;
        self.cache(2)?;
        let (handle, suffix);
        if self.b(1) == b'<' {
            self.skip();
            self.skip();
            suffix = self.scan_tag_uri(false, &[], start_mark)?;
            if self.b(0) != b'>' {
                return self.scanner_error(
                    "while scanning a tag",
                    start_mark,
                    "did not find the expected '>'",
                );
            }
            self.skip();
            handle = Vec::new();
        } else {
            let h = self.scan_tag_handle(false, start_mark)?;
            if h.first() == Some(&b'!') && h.len() > 1 && h.last() == Some(&b'!') {
                suffix = self.scan_tag_uri(false, &[], start_mark)?;
                handle = h;
            } else {
                let s = self.scan_tag_uri(false, &h, start_mark)?;
                if s.is_empty() {
                    handle = Vec::new();
                    suffix = b"!".to_vec();
                } else {
                    handle = b"!".to_vec();
                    suffix = s;
                }
            }
        }
        self.cache(1)?;
        if !self.is_blankz(0) {
            return self.scanner_error(
                "while scanning a tag",
                start_mark,
                "did not find expected whitespace or line break",
            );
        }
        let mut t = Token::new(TokenType::Tag, start_mark, self.mark);
        t.value = Cow::Owned(bytes_to_string(handle));
        t.suffix = Cow::Owned(bytes_to_string(suffix));
        Ok(t)
    }

    /// `yaml_parser_scan_tag_handle`.
    fn scan_tag_handle(&mut self, directive: bool, start_mark: Mark) -> R<Vec<u8>> {
        self.cache(1)?;
        if self.b(0) != b'!' {
            return self.scanner_tag_error(directive, start_mark, "did not find expected '!'");
        }
        let mut s = Vec::new();
        self.read(&mut s);
        self.cache(1)?;
        while self.is_alpha(0) {
            self.read(&mut s);
            self.cache(1)?;
        }
        if self.b(0) == b'!' {
            self.read(&mut s);
        } else if directive && s != b"!" {
            return self.scanner_tag_error(directive, start_mark, "did not find expected '!'");
        }
        Ok(s)
    }

    /// `yaml_parser_scan_tag_uri`.
    fn scan_tag_uri(&mut self, directive: bool, head: &[u8], start_mark: Mark) -> R<Vec<u8>> {
        let mut s = Vec::new();
        let mut has_tag = !head.is_empty();
        if let Some(rest) = head.get(1..) {
            s.extend_from_slice(rest);
        }
        self.cache(1)?;
        while self.is_alpha(0)
            || matches!(
                self.b(0),
                b';' | b'/'
                    | b'?'
                    | b':'
                    | b'@'
                    | b'&'
                    | b'='
                    | b'+'
                    | b'$'
                    | b','
                    | b'.'
                    | b'!'
                    | b'~'
                    | b'*'
                    | b'\''
                    | b'('
                    | b')'
                    | b'['
                    | b']'
                    | b'%'
            )
        {
            if self.b(0) == b'%' {
                self.scan_uri_escapes(directive, start_mark, &mut s)?;
            } else {
                self.read(&mut s);
            }
            self.cache(1)?;
            has_tag = true;
        }
        if !has_tag {
            return self.scanner_tag_error(directive, start_mark, "did not find expected tag URI");
        }
        Ok(s)
    }

    /// `yaml_parser_scan_uri_escapes`.
    fn scan_uri_escapes(&mut self, directive: bool, start_mark: Mark, s: &mut Vec<u8>) -> R<()> {
        let mut w: usize = 1024;
        while w > 0 {
            self.cache(3)?;
            if !(self.b(0) == b'%' && self.is_hex(1) && self.is_hex(2)) {
                return self.scanner_tag_error(
                    directive,
                    start_mark,
                    "did not find URI escaped octet",
                );
            }
            let octet = ((as_hex(self.b(1)) << 4) + as_hex(self.b(2))) as u8;
            if w == 1024 {
                w = width(octet);
                if w == 0 {
                    return self.scanner_tag_error(
                        directive,
                        start_mark,
                        "found an incorrect leading UTF-8 octet",
                    );
                }
            } else if octet & 0xC0 != 0x80 {
                return self.scanner_tag_error(
                    directive,
                    start_mark,
                    "found an incorrect trailing UTF-8 octet",
                );
            }
            s.push(octet);
            self.skip();
            self.skip();
            self.skip();
            w -= 1;
        }
        Ok(())
    }

    /// `yaml_parser_scan_block_scalar`.
    fn scan_block_scalar(&mut self, literal: bool) -> R<Token<'a>> {
        let start_mark = self.mark;
        self.skip();
        self.cache(1)?;
        let mut chomping = 0i32;
        let mut increment: isize = 0;
        if self.b(0) == b'+' || self.b(0) == b'-' {
            chomping = if self.b(0) == b'+' { 1 } else { -1 };
            self.skip();
            self.cache(1)?;
            if self.b(0).is_ascii_digit() {
                if self.b(0) == b'0' {
                    return self.scanner_error(
                        "while scanning a block scalar",
                        start_mark,
                        "found an indentation indicator equal to 0",
                    );
                }
                increment = isize::from(self.b(0) - b'0');
                self.skip();
            }
        } else if self.b(0).is_ascii_digit() {
            if self.b(0) == b'0' {
                return self.scanner_error(
                    "while scanning a block scalar",
                    start_mark,
                    "found an indentation indicator equal to 0",
                );
            }
            increment = isize::from(self.b(0) - b'0');
            self.skip();
            self.cache(1)?;
            if self.b(0) == b'+' || self.b(0) == b'-' {
                chomping = if self.b(0) == b'+' { 1 } else { -1 };
                self.skip();
            }
        }
        self.cache(1)?;
        while self.is_blank(0) {
            self.skip();
            self.cache(1)?;
        }
        if self.b(0) == b'#' {
            if self.v3() {
                self.scan_line_comment(start_mark)?;
            }
            while !self.is_breakz(0) {
                self.skip();
                self.cache(1)?;
            }
        }
        if !self.is_breakz(0) {
            return self.scanner_error(
                "while scanning a block scalar",
                start_mark,
                "did not find expected comment or line break",
            );
        }
        if self.is_break(0) {
            self.cache(2)?;
            self.skip_line();
        }
        let mut end_mark = self.mark;
        let mut indent: isize = 0;
        if increment > 0 {
            indent = if self.indent >= 0 {
                self.indent + increment
            } else {
                increment
            };
        }
        let mut s: Vec<u8> = Vec::new();
        let mut leading_break: Vec<u8> = Vec::new();
        let mut trailing_breaks: Vec<u8> = Vec::new();
        self.scan_block_scalar_breaks(
            &mut indent,
            &mut trailing_breaks,
            start_mark,
            &mut end_mark,
        )?;
        self.cache(1)?;
        let mut leading_blank = false;
        while self.col() == indent && !self.is_z(0) {
            let trailing_blank = self.is_blank(0);
            if !literal
                && !leading_blank
                && !trailing_blank
                && leading_break.first() == Some(&b'\n')
            {
                if trailing_breaks.is_empty() {
                    s.push(b' ');
                }
            } else {
                s.extend_from_slice(&leading_break);
            }
            leading_break.clear();
            s.extend_from_slice(&trailing_breaks);
            trailing_breaks.clear();
            leading_blank = self.is_blank(0);
            self.read_to_break(&mut s)?;
            self.cache(2)?;
            self.read_line(&mut leading_break);
            self.scan_block_scalar_breaks(
                &mut indent,
                &mut trailing_breaks,
                start_mark,
                &mut end_mark,
            )?;
        }
        if chomping != -1 {
            s.extend_from_slice(&leading_break);
        }
        if chomping == 1 {
            s.extend_from_slice(&trailing_breaks);
        }
        let mut t = Token::new(TokenType::Scalar, start_mark, end_mark);
        t.value = Cow::Owned(bytes_to_string(s));
        t.style = if literal {
            ScalarStyle::Literal
        } else {
            ScalarStyle::Folded
        };
        Ok(t)
    }

    /// `for !is_breakz { read; cache(1) }`, a line at a time: the decoded part of the
    /// line in bulk, the reader asked for more (`cache(1)`) only when the character
    /// loop would have found its buffer empty.
    fn read_to_break(&mut self, s: &mut Vec<u8>) -> R<()> {
        loop {
            // The bytes up to the next ASCII line break or NUL, within what the reader
            // has decoded; characters that are breaks themselves (NEL, LS, PS) are
            // checked one by one below.
            let start = self.pos;
            let frontier = self.decoded.min(self.bytes.len());
            let rest = self.bytes.get(start..frontier).unwrap_or(&[]);
            let mut n = 0;
            let mut chars = 0;
            let mut blank_only = true;
            for &b in rest {
                if b == b'\n' || b == b'\r' || b == 0 || b == 0xC2 || b == 0xE2 {
                    break;
                }
                chars += usize::from(b & 0xC0 != 0x80);
                blank_only &= b == b' ' || b == b'\t';
                n += 1;
            }
            if n == 0 {
                break;
            }
            s.extend_from_slice(&rest[..n]);
            if !blank_only {
                self.newlines = 0;
            }
            self.pos = start + n;
            self.mark.index += chars;
            self.mark.column += chars;
            self.cache(1)?;
            if self.pos < frontier {
                // Stopped at a (possible) break, not at the decoding frontier.
                break;
            }
        }
        while !self.is_breakz(0) {
            self.read(s);
            self.cache(1)?;
        }
        Ok(())
    }

    /// `yaml_parser_scan_block_scalar_breaks`.
    fn scan_block_scalar_breaks(
        &mut self,
        indent: &mut isize,
        breaks: &mut Vec<u8>,
        start_mark: Mark,
        end_mark: &mut Mark,
    ) -> R<()> {
        *end_mark = self.mark;
        let mut max_indent: isize = 0;
        loop {
            self.cache(1)?;
            // Indentation spaces in bulk, clear of the reader's decoding frontier.
            let limit = self.decoded.saturating_sub(4);
            while self.pos < limit && (*indent == 0 || self.col() < *indent) && self.b(0) == b' ' {
                self.pos += 1;
                self.mark.index += 1;
                self.mark.column += 1;
            }
            while (*indent == 0 || self.col() < *indent) && self.b(0) == b' ' {
                self.skip();
                self.cache(1)?;
            }
            if self.col() > max_indent {
                max_indent = self.col();
            }
            if (*indent == 0 || self.col() < *indent) && self.b(0) == b'\t' {
                return self.scanner_error(
                    "while scanning a block scalar",
                    start_mark,
                    "found a tab character where an indentation space is expected",
                );
            }
            if !self.is_break(0) {
                break;
            }
            self.cache(2)?;
            self.read_line(breaks);
            *end_mark = self.mark;
        }
        if *indent == 0 {
            *indent = max_indent;
            if *indent < self.indent + 1 {
                *indent = self.indent + 1;
            }
            if *indent < 1 {
                *indent = 1;
            }
        }
        Ok(())
    }

    /// `yaml_parser_scan_flow_scalar`.
    fn scan_flow_scalar(&mut self, single: bool) -> R<Token<'a>> {
        let start_mark = self.mark;
        self.skip();
        let mut s: Vec<u8> = Vec::new();
        let mut leading_break: Vec<u8> = Vec::new();
        let mut trailing_breaks: Vec<u8> = Vec::new();
        let mut whitespaces: Vec<u8> = Vec::new();
        loop {
            self.cache(4)?;
            if self.mark.column == 0
                && ((self.b(0) == b'-' && self.b(1) == b'-' && self.b(2) == b'-')
                    || (self.b(0) == b'.' && self.b(1) == b'.' && self.b(2) == b'.'))
                && self.is_blankz(3)
            {
                return self.scanner_error(
                    "while scanning a quoted scalar",
                    start_mark,
                    "found unexpected document indicator",
                );
            }
            if self.is_z(0) {
                return self.scanner_error(
                    "while scanning a quoted scalar",
                    start_mark,
                    "found unexpected end of stream",
                );
            }
            let mut leading_blanks = false;
            while !self.is_blankz(0) {
                // Plain characters in bulk, clear of the reader's decoding frontier.
                let limit = self.decoded.saturating_sub(8);
                let from = self.pos;
                let mut i = from;
                let mut chars = 0;
                while i < limit {
                    let Some(&b) = self.bytes.get(i) else { break };
                    if matches!(
                        b,
                        b' ' | b'\t' | b'\n' | b'\r' | 0 | b'\'' | b'"' | b'\\' | 0xC2 | 0xE2
                    ) {
                        break;
                    }
                    i += width(b).max(1);
                    chars += 1;
                }
                if chars > 0 {
                    if let Some(run) = self.bytes.get(from..i) {
                        s.extend_from_slice(run);
                    }
                    self.pos = i;
                    self.mark.index += chars;
                    self.mark.column += chars;
                    self.newlines = 0;
                    self.cache(2)?;
                    continue;
                }
                let c = self.b(0);
                if single && c == b'\'' && self.b(1) == b'\'' {
                    s.push(b'\'');
                    self.skip();
                    self.skip();
                } else if (single && c == b'\'') || (!single && c == b'"') {
                    break;
                } else if !single && c == b'\\' && self.is_break(1) {
                    self.cache(3)?;
                    self.skip();
                    self.skip_line();
                    leading_blanks = true;
                    break;
                } else if !single && c == b'\\' {
                    let mut code_length = 0;
                    match self.b(1) {
                        b'0' => s.push(0),
                        b'a' => s.push(0x07),
                        b'b' => s.push(0x08),
                        b't' | b'\t' => s.push(0x09),
                        b'n' => s.push(0x0A),
                        b'v' => s.push(0x0B),
                        b'f' => s.push(0x0C),
                        b'r' => s.push(0x0D),
                        b'e' => s.push(0x1B),
                        b' ' => s.push(0x20),
                        b'"' => s.push(b'"'),
                        b'\'' => s.push(b'\''),
                        b'\\' => s.push(b'\\'),
                        b'N' => s.extend_from_slice(&[0xC2, 0x85]),
                        b'_' => s.extend_from_slice(&[0xC2, 0xA0]),
                        b'L' => s.extend_from_slice(&[0xE2, 0x80, 0xA8]),
                        b'P' => s.extend_from_slice(&[0xE2, 0x80, 0xA9]),
                        b'x' => code_length = 2,
                        b'u' => code_length = 4,
                        b'U' => code_length = 8,
                        _ => {
                            return self.scanner_error(
                                "while parsing a quoted scalar",
                                start_mark,
                                "found unknown escape character",
                            );
                        }
                    }
                    self.skip();
                    self.skip();
                    if code_length > 0 {
                        self.cache(code_length)?;
                        let mut value: u32 = 0;
                        for k in 0..code_length {
                            if !self.is_hex(k) {
                                return self.scanner_error(
                                    "while parsing a quoted scalar",
                                    start_mark,
                                    "did not find expected hexdecimal number",
                                );
                            }
                            value = (value << 4) + as_hex(self.b(k));
                        }
                        match char::from_u32(value) {
                            Some(ch) => {
                                let mut buf = [0u8; 4];
                                s.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                            }
                            None => {
                                return self.scanner_error(
                                    "while parsing a quoted scalar",
                                    start_mark,
                                    "found invalid Unicode character escape code",
                                );
                            }
                        }
                        for _ in 0..code_length {
                            self.skip();
                        }
                    }
                } else {
                    self.read(&mut s);
                }
                self.cache(2)?;
            }
            self.cache(1)?;
            if single {
                if self.b(0) == b'\'' {
                    break;
                }
            } else if self.b(0) == b'"' {
                break;
            }
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else if self.skip_spaces() == 0 {
                        self.skip();
                    }
                } else {
                    self.cache(2)?;
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(&mut trailing_breaks);
                    }
                }
                self.cache(1)?;
            }
            if leading_blanks {
                if leading_break.first() == Some(&b'\n') {
                    if trailing_breaks.is_empty() {
                        s.push(b' ');
                    } else {
                        s.extend_from_slice(&trailing_breaks);
                    }
                } else {
                    s.extend_from_slice(&leading_break);
                    s.extend_from_slice(&trailing_breaks);
                }
                trailing_breaks.clear();
                leading_break.clear();
            } else {
                s.extend_from_slice(&whitespaces);
                whitespaces.clear();
            }
        }
        self.skip();
        let mut t = Token::new(TokenType::Scalar, start_mark, self.mark);
        t.value = Cow::Owned(bytes_to_string(s));
        t.style = if single {
            ScalarStyle::SingleQuoted
        } else {
            ScalarStyle::DoubleQuoted
        };
        Ok(t)
    }

    /// Moves over characters that cannot end a plain scalar or need a closer look
    /// (ASCII other than blanks, breaks, `:`, `#` and, in flow context, flow
    /// indicators; multi-byte characters other than NEL, LS and PS), staying clear of
    /// the reader's decoding frontier so no `cache` call would have decoded anything.
    /// Returns how many characters were passed.
    fn plain_run(&mut self, flow: bool) -> usize {
        let limit = self.decoded.saturating_sub(8);
        let mut i = self.pos;
        let mut chars = 0;
        let stops = |b: u8| match b {
            b' ' | b'\t' | b'\n' | b'\r' | 0 | b':' | b'#' | 0xC2 | 0xE2 => true,
            b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow,
            _ => false,
        };
        while i < limit {
            let Some(&b) = self.bytes.get(i) else { break };
            if b == b' ' || b == b'\t' {
                // Blanks between words: part of the value when a character that
                // continues the scalar follows on this line (the character loop keeps
                // them in `whitespaces` and appends them before that character).
                if chars == 0 {
                    break;
                }
                let mut j = i + 1;
                while j < limit && matches!(self.bytes.get(j), Some(b' ' | b'\t')) {
                    j += 1;
                }
                match self.bytes.get(j) {
                    Some(&c) if j < limit && !stops(c) => {
                        chars += j - i;
                        i = j;
                        continue;
                    }
                    _ => break,
                }
            }
            if stops(b) {
                break;
            }
            let w = width(b).max(1);
            i += w;
            chars += 1;
        }
        if chars > 0 {
            // (`#` inside the scalar is text; the run stops there only to let the
            // character-by-character loop take it.)
            self.pos = i;
            self.mark.index += chars;
            self.mark.column += chars;
            self.newlines = 0;
        }
        chars
    }

    /// `yaml_parser_scan_plain_scalar`. While no line break has been folded into the
    /// value it is a slice of the input, and nothing is copied.
    fn scan_plain_scalar(&mut self) -> R<Token<'a>> {
        let mut s: Option<Vec<u8>> = None;
        let from = self.pos;
        let mut to = self.pos;
        let mut leading_break: Vec<u8> = Vec::new();
        let mut trailing_breaks: Vec<u8> = Vec::new();
        let mut whitespaces: Vec<u8> = Vec::new();
        let mut leading_blanks = false;
        let indent = self.indent + 1;
        let start_mark = self.mark;
        let mut end_mark = self.mark;
        let flow = self.flow_level > 0;
        loop {
            self.cache(4)?;
            if self.mark.column == 0
                && ((self.b(0) == b'-' && self.b(1) == b'-' && self.b(2) == b'-')
                    || (self.b(0) == b'.' && self.b(1) == b'.' && self.b(2) == b'.'))
                && self.is_blankz(3)
            {
                break;
            }
            if self.b(0) == b'#' {
                break;
            }
            while !self.is_blankz(0) {
                let c = self.b(0);
                if (c == b':' && self.is_blankz(1))
                    || (flow && matches!(c, b',' | b'?' | b'[' | b']' | b'{' | b'}'))
                {
                    break;
                }
                if !leading_blanks && whitespaces.is_empty() {
                    // Plain characters (and blanks between words of this line) in bulk:
                    // appended to the value, or still a slice of the input.
                    let run_from = self.pos;
                    let n = self.plain_run(flow);
                    if n > 0 {
                        match &mut s {
                            Some(buf) => buf.extend_from_slice(
                                self.bytes.get(run_from..self.pos).unwrap_or(&[]),
                            ),
                            None => to = self.pos,
                        }
                        end_mark = self.mark;
                        self.cache(2)?;
                        continue;
                    }
                }
                if !leading_blanks && s.is_none() && !whitespaces.is_empty() {
                    // Blanks between words of one line: the value is still a slice.
                    whitespaces.clear();
                } else if leading_blanks || !whitespaces.is_empty() {
                    let buf = s.get_or_insert_with(|| {
                        self.bytes
                            .get(from..to)
                            .map(<[u8]>::to_vec)
                            .unwrap_or_default()
                    });
                    if leading_blanks {
                        if leading_break.first() == Some(&b'\n') {
                            if trailing_breaks.is_empty() {
                                buf.push(b' ');
                            } else {
                                buf.extend_from_slice(&trailing_breaks);
                            }
                        } else {
                            buf.extend_from_slice(&leading_break);
                            buf.extend_from_slice(&trailing_breaks);
                        }
                        trailing_breaks.clear();
                        leading_break.clear();
                        leading_blanks = false;
                    } else {
                        buf.extend_from_slice(&whitespaces);
                        whitespaces.clear();
                    }
                }
                match &mut s {
                    Some(buf) => self.read(buf),
                    None => {
                        self.skip();
                        to = self.pos;
                    }
                }
                end_mark = self.mark;
                self.cache(2)?;
            }
            if !(self.is_blank(0) || self.is_break(0)) {
                break;
            }
            self.cache(1)?;
            while self.is_blank(0) || self.is_break(0) {
                if self.is_blank(0) {
                    if leading_blanks && self.col() < indent && self.b(0) == b'\t' {
                        return self.scanner_error(
                            "while scanning a plain scalar",
                            start_mark,
                            "found a tab character that violates indentation",
                        );
                    }
                    if !leading_blanks {
                        self.read(&mut whitespaces);
                    } else if self.skip_spaces() == 0 {
                        self.skip();
                    }
                } else {
                    self.cache(2)?;
                    if !leading_blanks {
                        whitespaces.clear();
                        self.read_line(&mut leading_break);
                        leading_blanks = true;
                    } else {
                        self.read_line(&mut trailing_breaks);
                    }
                }
                self.cache(1)?;
            }
            if !flow && self.col() < indent {
                break;
            }
        }
        let mut t = Token::new(TokenType::Scalar, start_mark, end_mark);
        t.value = match s {
            Some(buf) => Cow::Owned(bytes_to_string(buf)),
            None => Cow::Borrowed(self.input.get(from..to).unwrap_or("")),
        };
        if leading_blanks {
            self.simple_key_allowed = true;
        }
        Ok(t)
    }
}

/// The scanned bytes as a string. They are valid UTF-8 except where a tag's `%` escapes
/// spell something else, which is replaced as `String::from_utf8_lossy` does.
fn bytes_to_string(v: Vec<u8>) -> String {
    match String::from_utf8(v) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::first_disallowed;

    /// The offset of the first character go-yaml's reader rejects with "control characters
    /// are not allowed" (the input is valid UTF-8, so no other reader error can occur).
    fn first_disallowed_bytewise(bytes: &[u8]) -> usize {
        const ONES: u64 = 0x0101_0101_0101_0101;
        const HIGHS: u64 = 0x8080_8080_8080_8080;
        let mut i = 0;
        while let Some(&b) = bytes.get(i) {
            // Eight printable ASCII bytes at a time: none below 0x20, none 0x7F or above.
            if let Some(word) = bytes.get(i..i + 8) {
                let mut w = [0u8; 8];
                w.copy_from_slice(word);
                let x = u64::from_le_bytes(w);
                let low = x.wrapping_sub(ONES * 0x20) & !x & HIGHS;
                let del = (x ^ (ONES * 0x7F)).wrapping_sub(ONES) & !(x ^ (ONES * 0x7F)) & HIGHS;
                if low == 0 && del == 0 && x & HIGHS == 0 {
                    i += 8;
                    continue;
                }
            }
            if (0x20..0x7F).contains(&b) {
                i += 1;
                continue;
            }
            let bad = match b {
                b'\t' | b'\n' | b'\r' => false,
                0x00..=0x1F | 0x7F => true,
                0xC2 => {
                    matches!(bytes.get(i + 1), Some(&n) if (0x80..=0x9F).contains(&n) && n != 0x85)
                }
                0xEF => {
                    bytes.get(i + 1) == Some(&0xBF) && matches!(bytes.get(i + 2), Some(0xBE | 0xBF))
                }
                _ => false,
            };
            if bad {
                return i;
            }
            i += 1;
        }
        bytes.len()
    }

    /// The block scan finds what the byte-by-byte scan it replaced found.
    #[test]
    fn first_disallowed_agrees_with_the_bytewise_scan() {
        let pieces: [&[u8]; 12] = [
            b"abc",
            b"\n",
            b"\t",
            b"\r",
            b"\x01",
            b"\x7f",
            "\u{85}".as_bytes(),
            "\u{9f}".as_bytes(),
            "\u{e9}".as_bytes(),
            "\u{fffe}".as_bytes(),
            "\u{fffd}".as_bytes(),
            b"0123456789abcdefghijklmnopqrstuvwxyz",
        ];
        let mut st = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..5000 {
            let mut v = Vec::new();
            for _ in 0..(st % 40) {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                // Mostly plain text, so bad characters land anywhere in a block.
                let k = (st % 64) as usize;
                v.extend_from_slice(pieces[if k < pieces.len() { k } else { 11 }]);
            }
            st = st.wrapping_add(1);
            assert_eq!(
                first_disallowed(&v),
                first_disallowed_bytewise(&v),
                "{v:x?}"
            );
        }
    }
}
