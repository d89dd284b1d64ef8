//! A port of go-yaml v2's emitter (emitterc.go) for what its encoder produces from
//! decoded JSON: block mappings and sequences, empty ones in flow style, and scalars.
//!
//! Column arithmetic, line folding at 80 columns, the scalar analysis and the style
//! fallbacks follow the C-derived original step by step, so the output matches it
//! byte for byte. Settings are go-yaml v2's defaults: indent 2, width 80, unicode on,
//! `\n` line breaks.

/// Preferred indentation step.
const BEST_INDENT: i32 = 2;
/// Preferred line width.
const BEST_WIDTH: usize = 80;
/// Longest key (in bytes) printed as a simple `key:` rather than `? key`.
const MAX_SIMPLE_KEY_LEN: usize = 128;

/// How the encoder asks for a scalar to be written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Style {
    /// Plain if the emitter allows it.
    Plain,
    /// `'...'`.
    SingleQuoted,
    /// `"..."`.
    DoubleQuoted,
    /// `|` block.
    Literal,
}

/// What `yaml_emitter_analyze_scalar` finds out about a scalar.
#[derive(Debug, Clone, Copy)]
pub(super) struct Analysis {
    multiline: bool,
    flow_plain_allowed: bool,
    block_plain_allowed: bool,
    single_quoted_allowed: bool,
    block_allowed: bool,
}

// Byte classes of yamlprivateh.go. Reads past the end give 0, which go-yaml treats as
// the end of the text (its `is_z`).

fn at(b: &[u8], i: usize) -> u8 {
    b.get(i).copied().unwrap_or(0)
}

fn width(c: u8) -> usize {
    if c & 0x80 == 0 {
        1
    } else if c & 0xE0 == 0xC0 {
        2
    } else if c & 0xF0 == 0xE0 {
        3
    } else if c & 0xF8 == 0xF0 {
        4
    } else {
        // Not a UTF-8 lead byte; cannot happen in a `str`, step on regardless.
        1
    }
}

fn is_space(b: &[u8], i: usize) -> bool {
    at(b, i) == b' '
}

fn is_blank(b: &[u8], i: usize) -> bool {
    matches!(at(b, i), b' ' | b'\t')
}

fn is_break(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    c == b'\r'
        || c == b'\n'
        || (c == 0xC2 && at(b, i + 1) == 0x85)
        || (c == 0xE2 && at(b, i + 1) == 0x80 && matches!(at(b, i + 2), 0xA8 | 0xA9))
}

fn is_blankz(b: &[u8], i: usize) -> bool {
    is_blank(b, i) || is_break(b, i) || at(b, i) == 0
}

/// go-yaml's `is_printable` (YAML's printable set, minus the BOM).
fn is_printable(b: &[u8], i: usize) -> bool {
    let c = at(b, i);
    let c1 = at(b, i + 1);
    let c2 = at(b, i + 2);
    c == 0x0A
        || (0x20..=0x7E).contains(&c)
        || (c == 0xC2 && c1 >= 0xA0)
        || (c > 0xC2 && c < 0xED)
        || (c == 0xED && c1 < 0xA0)
        || c == 0xEE
        || (c == 0xEF && !(c1 == 0xBB && c2 == 0xBF) && !(c1 == 0xBF && matches!(c2, 0xBE | 0xBF)))
}

/// go-yaml's `is_bom`, which (faithfully) looks at the start of the text, not at `i`.
fn starts_with_bom(b: &[u8]) -> bool {
    b.starts_with(&[0xEF, 0xBB, 0xBF])
}

/// A byte that, past the first position of a scalar, plays no part in the analysis
/// beyond not being white space: printable ASCII other than space and the indicators
/// `yaml_emitter_analyze_scalar` looks for there (`, ? [ ] { } : #`).
fn is_inert(c: u8) -> bool {
    (0x21..=0x7E).contains(&c)
        && !matches!(c, b',' | b'?' | b'[' | b']' | b'{' | b'}' | b':' | b'#')
}

/// The end of the run of bytes from `i` that the plain and literal writers copy one
/// character at a time with nothing else to do: no space (when `stop_at_space`), no line
/// break (`\r`, `\n`, or the lead byte of NEL, LS or PS). Returns the end and the number
/// of characters in the run.
fn copy_run(value: &[u8], i: usize, stop_at_space: bool) -> (usize, usize) {
    let mut j = i;
    let mut chars = 0;
    while j < value.len() {
        let c = value[j];
        if matches!(c, b'\r' | b'\n' | 0xC2 | 0xE2) || (stop_at_space && c == b' ') {
            break;
        }
        if c & 0xC0 != 0x80 {
            chars += 1;
        }
        j += 1;
    }
    (j, chars)
}

/// `yaml_emitter_analyze_scalar`.
pub(super) fn analyze(value: &[u8]) -> Analysis {
    if value.is_empty() {
        return Analysis {
            multiline: false,
            flow_plain_allowed: false,
            block_plain_allowed: true,
            single_quoted_allowed: true,
            block_allowed: false,
        };
    }
    let mut block_indicators = false;
    let mut flow_indicators = false;
    let mut line_breaks = false;
    let mut special_characters = false;
    let mut leading_space = false;
    let mut leading_break = false;
    let mut trailing_space = false;
    let mut trailing_break = false;
    let mut break_space = false;
    let mut space_break = false;
    let mut previous_space = false;
    let mut previous_break = false;

    if value.starts_with(b"---") || value.starts_with(b"...") {
        block_indicators = true;
        flow_indicators = true;
    }
    let mut preceded_by_whitespace = true;
    let mut i = 0;
    while i < value.len() {
        // Fast path: after the first byte, a run of printable ASCII that is neither an
        // indicator nor white space changes nothing but the "previous" flags.
        if i > 0 && is_inert(value[i]) {
            while i < value.len() && is_inert(value[i]) {
                i += 1;
            }
            previous_space = false;
            previous_break = false;
            preceded_by_whitespace = false;
            continue;
        }
        // Likewise a space past the first byte: only the white-space flags move.
        if i > 0 && value[i] == b' ' {
            if i + 1 == value.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
            preceded_by_whitespace = true;
            i += 1;
            continue;
        }
        let w = width(value[i]);
        let followed_by_whitespace = i + w >= value.len() || is_blank(value, i + w);
        let c = value[i];
        if i == 0 {
            match c {
                b'#' | b',' | b'[' | b']' | b'{' | b'}' | b'&' | b'*' | b'!' | b'|' | b'>'
                | b'\'' | b'"' | b'%' | b'@' | b'`' => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                b'?' | b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'-' if followed_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        } else {
            match c {
                b',' | b'?' | b'[' | b']' | b'{' | b'}' => flow_indicators = true,
                b':' => {
                    flow_indicators = true;
                    if followed_by_whitespace {
                        block_indicators = true;
                    }
                }
                b'#' if preceded_by_whitespace => {
                    flow_indicators = true;
                    block_indicators = true;
                }
                _ => {}
            }
        }
        if !is_printable(value, i) {
            special_characters = true;
        }
        if is_space(value, i) {
            if i == 0 {
                leading_space = true;
            }
            if i + w == value.len() {
                trailing_space = true;
            }
            if previous_break {
                break_space = true;
            }
            previous_space = true;
            previous_break = false;
        } else if is_break(value, i) {
            line_breaks = true;
            if i == 0 {
                leading_break = true;
            }
            if i + w == value.len() {
                trailing_break = true;
            }
            if previous_space {
                space_break = true;
            }
            previous_space = false;
            previous_break = true;
        } else {
            previous_space = false;
            previous_break = false;
        }
        preceded_by_whitespace = is_blankz(value, i);
        i += w;
    }

    let mut a = Analysis {
        multiline: line_breaks,
        flow_plain_allowed: true,
        block_plain_allowed: true,
        single_quoted_allowed: true,
        block_allowed: true,
    };
    if leading_space || leading_break || trailing_space || trailing_break {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if trailing_space {
        a.block_allowed = false;
    }
    if break_space {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
    }
    if space_break || special_characters {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
        a.single_quoted_allowed = false;
        a.block_allowed = false;
    }
    if line_breaks {
        a.flow_plain_allowed = false;
        a.block_plain_allowed = false;
    }
    if flow_indicators {
        a.flow_plain_allowed = false;
    }
    if block_indicators {
        a.block_plain_allowed = false;
    }
    a
}

/// A scalar ready to be written: its text, the style the encoder asked for, and the
/// emitter's analysis of the text.
pub(super) struct Scalar<'a> {
    pub(super) text: &'a [u8],
    pub(super) style: Style,
    pub(super) analysis: Analysis,
}

impl<'a> Scalar<'a> {
    /// Analyzes `text` for writing in `style`.
    pub(super) fn new(text: &'a str, style: Style) -> Self {
        Scalar {
            text: text.as_bytes(),
            style,
            analysis: analyze(text.as_bytes()),
        }
    }

    /// `yaml_emitter_check_simple_key` for a scalar key.
    pub(super) fn is_simple_key(&self) -> bool {
        !self.analysis.multiline && self.text.len() <= MAX_SIMPLE_KEY_LEN
    }
}

/// Where a node sits, as `yaml_emitter_emit_node` records it.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct Context {
    /// The node is a mapping key or value.
    pub(super) mapping: bool,
    /// The node is a simple (`key:`) mapping key.
    pub(super) simple_key: bool,
}

/// The emitter's output and position state.
pub(super) struct Writer {
    out: Vec<u8>,
    column: usize,
    indent: i32,
    indents: Vec<i32>,
    whitespace: bool,
    indention: bool,
    context: Context,
}

impl Writer {
    /// A writer at the start of a stream (`yaml_emitter_emit_stream_start`).
    pub(super) fn new() -> Self {
        Writer {
            out: Vec::new(),
            column: 0,
            indent: -1,
            indents: Vec::new(),
            whitespace: true,
            indention: true,
            context: Context::default(),
        }
    }

    /// The document text.
    pub(super) fn finish(mut self) -> String {
        // yaml_emitter_emit_document_end: the indent is back to -1 (treated as 0).
        self.write_indent();
        String::from_utf8(self.out)
            .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
    }

    /// Records the context of the node about to be written (`yaml_emitter_emit_node`).
    pub(super) fn set_context(&mut self, context: Context) {
        self.context = context;
    }

    fn put(&mut self, c: u8) {
        self.out.push(c);
        self.column += 1;
    }

    fn put_break(&mut self) {
        self.out.push(b'\n');
        self.column = 0;
    }

    /// Copies one UTF-8 character (`write`).
    fn write(&mut self, s: &[u8], i: &mut usize) {
        let end = (*i + width(s[*i])).min(s.len());
        self.out.extend_from_slice(&s[*i..end]);
        self.column += 1;
        *i = end;
    }

    fn write_all(&mut self, s: &[u8]) {
        let mut i = 0;
        while i < s.len() {
            self.write(s, &mut i);
        }
    }

    /// Copies a line break (`write_break`): `\n` becomes the emitter's break, other
    /// breaks are copied and reset the column.
    fn write_break(&mut self, s: &[u8], i: &mut usize) {
        if s[*i] == b'\n' {
            self.put_break();
            *i += 1;
        } else {
            self.write(s, i);
            self.column = 0;
        }
    }

    fn increase_indent(&mut self, flow: bool, indentless: bool) {
        self.indents.push(self.indent);
        if self.indent < 0 {
            self.indent = if flow { BEST_INDENT } else { 0 };
        } else if !indentless {
            self.indent += BEST_INDENT;
        }
    }

    fn pop_indent(&mut self) {
        self.indent = self.indents.pop().unwrap_or(-1);
    }

    fn indent_columns(&self) -> usize {
        usize::try_from(self.indent.max(0)).unwrap_or(0)
    }

    fn write_indent(&mut self) {
        let indent = self.indent_columns();
        if !self.indention || self.column > indent || (self.column == indent && !self.whitespace) {
            self.put_break();
        }
        while self.column < indent {
            self.put(b' ');
        }
        self.whitespace = true;
        self.indention = true;
    }

    fn write_indicator(
        &mut self,
        indicator: &[u8],
        need_whitespace: bool,
        is_whitespace: bool,
        is_indention: bool,
    ) {
        if need_whitespace && !self.whitespace {
            self.put(b' ');
        }
        self.write_all(indicator);
        self.whitespace = is_whitespace;
        self.indention = self.indention && is_indention;
    }

    /// An empty sequence (`[]`) or mapping (`{}`), which go-yaml writes in flow style.
    pub(super) fn empty_collection(&mut self, open: u8, close: u8) {
        self.write_indicator(&[open], true, true, false);
        self.write_indicator(&[close], false, false, false);
    }

    /// Starts a non-empty block sequence (its first item's `increase_indent`).
    pub(super) fn begin_block_sequence(&mut self) {
        let indentless = self.context.mapping && !self.indention;
        self.increase_indent(false, indentless);
    }

    /// Writes the `- ` before a sequence item.
    pub(super) fn sequence_item(&mut self) {
        self.write_indent();
        self.write_indicator(b"-", true, false, true);
    }

    /// Starts a non-empty block mapping.
    pub(super) fn begin_block_mapping(&mut self) {
        self.increase_indent(false, false);
    }

    /// Ends a block sequence or mapping.
    pub(super) fn end_block(&mut self) {
        self.pop_indent();
    }

    /// Moves to the line of the next mapping key.
    pub(super) fn mapping_key_start(&mut self) {
        self.write_indent();
    }

    /// Writes the `?` of a complex key.
    pub(super) fn complex_key_indicator(&mut self) {
        self.write_indicator(b"?", true, false, true);
    }

    /// Writes the `:` after a simple key.
    pub(super) fn simple_value_indicator(&mut self) {
        self.write_indicator(b":", false, false, false);
    }

    /// Writes the `:` line after a complex key.
    pub(super) fn complex_value_indicator(&mut self) {
        self.write_indent();
        self.write_indicator(b":", true, false, true);
    }

    /// `yaml_emitter_emit_scalar`: picks the final style and writes the scalar.
    pub(super) fn scalar(&mut self, scalar: &Scalar<'_>) {
        let style = self.select_style(scalar);
        self.increase_indent(true, false);
        let allow_breaks = !self.context.simple_key;
        match style {
            Style::Plain => self.write_plain(scalar.text, allow_breaks),
            Style::SingleQuoted => self.write_single_quoted(scalar.text, allow_breaks),
            Style::DoubleQuoted => self.write_double_quoted(scalar.text, allow_breaks),
            Style::Literal => self.write_literal(scalar.text),
        }
        self.pop_indent();
    }

    /// `yaml_emitter_select_scalar_style` (block context: flow collections are always
    /// empty here, so no scalar is ever written inside one).
    fn select_style(&self, scalar: &Scalar<'_>) -> Style {
        let a = &scalar.analysis;
        let mut style = scalar.style;
        if self.context.simple_key && a.multiline {
            style = Style::DoubleQuoted;
        }
        if style == Style::Plain
            && (!a.block_plain_allowed || (scalar.text.is_empty() && self.context.simple_key))
        {
            style = Style::SingleQuoted;
        }
        if style == Style::SingleQuoted && !a.single_quoted_allowed {
            style = Style::DoubleQuoted;
        }
        if style == Style::Literal && (!a.block_allowed || self.context.simple_key) {
            style = Style::DoubleQuoted;
        }
        style
    }

    fn write_plain(&mut self, value: &[u8], allow_breaks: bool) {
        if !self.whitespace {
            self.put(b' ');
        }
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks && !spaces && self.column > BEST_WIDTH && !is_space(value, i + 1) {
                    self.write_indent();
                    i += width(value[i]);
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write_run(value, &mut i, true);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.whitespace = false;
        self.indention = false;
    }

    /// Writes the character at `i` and the run of ordinary characters after it (see
    /// [`copy_run`]), as repeated `write` calls would.
    fn write_run(&mut self, value: &[u8], i: &mut usize, stop_at_space: bool) {
        self.write(value, i);
        let (end, chars) = copy_run(value, *i, stop_at_space);
        if end > *i {
            self.out.extend_from_slice(&value[*i..end]);
            self.column += chars;
            *i = end;
        }
    }

    fn write_single_quoted(&mut self, value: &[u8], allow_breaks: bool) {
        self.write_indicator(b"'", true, false, false);
        let mut spaces = false;
        let mut breaks = false;
        let mut i = 0;
        while i < value.len() {
            if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                    && !is_space(value, i + 1)
                {
                    self.write_indent();
                    i += width(value[i]);
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else if is_break(value, i) {
                if !breaks && value[i] == b'\n' {
                    self.put_break();
                }
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                if value[i] == b'\'' {
                    self.put(b'\'');
                }
                self.write(value, &mut i);
                self.indention = false;
                spaces = false;
                breaks = false;
            }
        }
        self.write_indicator(b"'", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    fn write_double_quoted(&mut self, value: &[u8], allow_breaks: bool) {
        let bom = starts_with_bom(value);
        let mut spaces = false;
        self.write_indicator(b"\"", true, false, false);
        let mut i = 0;
        while i < value.len() {
            let c = value[i];
            if !is_printable(value, i) || bom || is_break(value, i) || c == b'"' || c == b'\\' {
                let w = width(c);
                let end = (i + w).min(value.len());
                let v = decode(&value[i..end]);
                i = end;
                self.put(b'\\');
                match v {
                    0x00 => self.put(b'0'),
                    0x07 => self.put(b'a'),
                    0x08 => self.put(b'b'),
                    0x09 => self.put(b't'),
                    0x0A => self.put(b'n'),
                    0x0B => self.put(b'v'),
                    0x0C => self.put(b'f'),
                    0x0D => self.put(b'r'),
                    0x1B => self.put(b'e'),
                    0x22 => self.put(b'"'),
                    0x5C => self.put(b'\\'),
                    0x85 => self.put(b'N'),
                    0xA0 => self.put(b'_'),
                    0x2028 => self.put(b'L'),
                    0x2029 => self.put(b'P'),
                    _ => {
                        let (letter, digits) = if v <= 0xFF {
                            (b'x', 2)
                        } else if v <= 0xFFFF {
                            (b'u', 4)
                        } else {
                            (b'U', 8)
                        };
                        self.put(letter);
                        for k in (0..digits).rev() {
                            let digit = (v >> (k * 4)) & 0x0F;
                            self.put(b"0123456789ABCDEF"[usize::try_from(digit).unwrap_or(0)]);
                        }
                    }
                }
                spaces = false;
            } else if is_space(value, i) {
                if allow_breaks
                    && !spaces
                    && self.column > BEST_WIDTH
                    && i > 0
                    && i < value.len() - 1
                {
                    self.write_indent();
                    if is_space(value, i + 1) {
                        self.put(b'\\');
                    }
                    i += width(value[i]);
                } else {
                    self.write(value, &mut i);
                }
                spaces = true;
            } else {
                self.write(value, &mut i);
                spaces = false;
            }
        }
        self.write_indicator(b"\"", false, false, false);
        self.whitespace = false;
        self.indention = false;
    }

    /// `yaml_emitter_write_block_scalar_hints`: the indentation indicator when the text
    /// starts with a space or break, and the chomping indicator.
    fn write_block_scalar_hints(&mut self, value: &[u8]) {
        if is_space(value, 0) || is_break(value, 0) {
            let hint = [b'0' + u8::try_from(BEST_INDENT).unwrap_or(2)];
            self.write_indicator(&hint, false, false, false);
        }
        let chomp = match value.len() {
            0 => Some(b'-'),
            len => {
                let last = last_char_start(value, len);
                if !is_break(value, last) {
                    Some(b'-')
                } else if last == 0 {
                    Some(b'+')
                } else {
                    let prev = last_char_start(value, last);
                    is_break(value, prev).then_some(b'+')
                }
            }
        };
        if let Some(c) = chomp {
            self.write_indicator(&[c], false, false, false);
        }
    }

    fn write_literal(&mut self, value: &[u8]) {
        self.write_indicator(b"|", true, false, false);
        self.write_block_scalar_hints(value);
        self.put_break();
        self.indention = true;
        self.whitespace = true;
        let mut breaks = true;
        let mut i = 0;
        while i < value.len() {
            if is_break(value, i) {
                self.write_break(value, &mut i);
                self.indention = true;
                breaks = true;
            } else {
                if breaks {
                    self.write_indent();
                }
                self.write_run(value, &mut i, false);
                self.indention = false;
                breaks = false;
            }
        }
    }
}

/// The start of the UTF-8 character that ends just before `end`.
fn last_char_start(value: &[u8], end: usize) -> usize {
    let mut i = end.saturating_sub(1);
    while i > 0 && value[i] & 0xC0 == 0x80 {
        i -= 1;
    }
    i
}

/// Decodes one UTF-8 character.
fn decode(c: &[u8]) -> u32 {
    let Some((&first, rest)) = c.split_first() else {
        return 0;
    };
    let lead = match c.len() {
        1 => u32::from(first & 0x7F),
        2 => u32::from(first & 0x1F),
        3 => u32::from(first & 0x0F),
        _ => u32::from(first & 0x07),
    };
    rest.iter()
        .fold(lead, |v, &b| (v << 6) + (u32::from(b) & 0x3F))
}
