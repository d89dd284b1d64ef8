//! The lexer: a port of Go's `text/template/parse` lexer (delimiters `{{` `}}`, trim
//! markers, comments, every literal form).

/// The kind of a lexed item.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ItemType {
    Error,
    Bool,
    Char,
    CharConstant,
    Comment,
    Assign,
    Declare,
    Eof,
    Field,
    Identifier,
    LeftDelim,
    LeftParen,
    Number,
    Pipe,
    RawString,
    RightDelim,
    RightParen,
    Space,
    String,
    Text,
    Variable,
    Complex,
    // Keywords.
    Block,
    Break,
    Continue,
    Dot,
    Define,
    Else,
    End,
    If,
    Nil,
    Range,
    Template,
    With,
}

impl ItemType {
    fn is_keyword(self) -> bool {
        matches!(
            self,
            ItemType::Block
                | ItemType::Break
                | ItemType::Continue
                | ItemType::Dot
                | ItemType::Define
                | ItemType::Else
                | ItemType::End
                | ItemType::If
                | ItemType::Nil
                | ItemType::Range
                | ItemType::Template
                | ItemType::With
        )
    }
}

/// One lexed item; its text borrows the input. An `Error` item's message is
/// [`Lexer::error_message`] (its `val` is empty).
#[derive(Debug, Clone, Copy)]
pub(crate) struct Item<'a> {
    pub typ: ItemType,
    pub pos: usize,
    pub val: &'a str,
    pub line: usize,
}

impl std::fmt::Display for Item<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.typ {
            ItemType::Eof => write!(f, "EOF"),
            ItemType::Error => write!(f, "{}", self.val),
            t if t.is_keyword() => write!(f, "<{}>", self.val),
            _ => {
                if self.val.chars().count() > 10 {
                    let short: String = self.val.chars().take(10).collect();
                    write!(f, "{}...", crate::go::strconv::quote(&short))
                } else {
                    write!(f, "{}", crate::go::strconv::quote(self.val))
                }
            }
        }
    }
}

const LEFT: &str = "{{";
const RIGHT: &str = "}}";
const LEFT_COMMENT: &str = "/*";
const RIGHT_COMMENT: &str = "*/";
const TRIM_MARKER_LEN: usize = 2;

fn is_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

fn is_alnum(c: char) -> bool {
    c == '_' || c.is_alphabetic() || is_go_digit(c)
}

fn is_go_digit(c: char) -> bool {
    // unicode.IsDigit: category Nd.
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && c.to_digit(10).is_none() && is_nd(c))
}

fn is_nd(c: char) -> bool {
    // Rust has no direct Nd test; decimal digits of other scripts are rare in templates.
    // `char::is_numeric` covers Nd, Nl and No; accept only those whose general category
    // is very likely Nd (blocks of ten consecutive digits). Keep it conservative.
    let cp = c as u32;
    matches!(cp, 0x0660..=0x0669 | 0x06F0..=0x06F9 | 0x0966..=0x096F | 0xFF10..=0xFF19)
}

fn has_left_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && b[0] == b'-' && is_space(b[1] as char)
}

fn has_right_trim_marker(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() >= 2 && is_space(b[0] as char) && b[1] == b'-'
}

fn keyword(word: &str) -> Option<ItemType> {
    Some(match word {
        "." => ItemType::Dot,
        "block" => ItemType::Block,
        "break" => ItemType::Break,
        "continue" => ItemType::Continue,
        "define" => ItemType::Define,
        "else" => ItemType::Else,
        "end" => ItemType::End,
        "if" => ItemType::If,
        "range" => ItemType::Range,
        "nil" => ItemType::Nil,
        "template" => ItemType::Template,
        "with" => ItemType::With,
        _ => return None,
    })
}

#[derive(Clone, Copy)]
enum State {
    Text,
    LeftDelim,
    Comment,
    RightDelim,
    InsideAction,
    Space,
    Identifier,
    Field,
    Variable,
    Char,
    Number,
    Quote,
    RawQuote,
}

/// Newlines in `s`.
fn count_newlines(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'\n').count()
}

/// The lexer over one text; [`Lexer::next_item`] yields its items in order.
pub(crate) struct Lexer<'a> {
    input: &'a str,
    pos: usize,
    start: usize,
    at_eof: bool,
    paren_depth: i32,
    line: usize,
    start_line: usize,
    inside_action: bool,
    item: Option<Item<'a>>,
    /// The message of the `Error` item, once there is one.
    error: String,
}

impl<'a> Lexer<'a> {
    /// A lexer at the start of `input`.
    pub(crate) fn new(input: &'a str) -> Lexer<'a> {
        Lexer {
            input,
            pos: 0,
            start: 0,
            at_eof: false,
            paren_depth: 0,
            line: 1,
            start_line: 1,
            inside_action: false,
            item: None,
            error: String::new(),
        }
    }

    /// The message of the `Error` item (empty before one was produced).
    pub(crate) fn error_message(&self) -> &str {
        &self.error
    }

    fn rest(&self) -> &'a str {
        &self.input[self.pos..]
    }

    #[inline]
    fn next(&mut self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            None => {
                self.at_eof = true;
                None
            }
            Some(&b) if b < 0x80 => {
                self.pos += 1;
                if b == b'\n' {
                    self.line += 1;
                }
                Some(b as char)
            }
            Some(_) => {
                let c = self.input[self.pos..].chars().next()?;
                self.pos += c.len_utf8();
                Some(c)
            }
        }
    }

    #[inline]
    fn peek(&mut self) -> Option<char> {
        match self.input.as_bytes().get(self.pos) {
            None => None,
            Some(&b) if b < 0x80 => Some(b as char),
            Some(_) => self.input[self.pos..].chars().next(),
        }
    }

    #[inline]
    fn backup(&mut self) {
        if !self.at_eof && self.pos > 0 {
            let b = self.input.as_bytes()[self.pos - 1];
            if b < 0x80 {
                self.pos -= 1;
                if b == b'\n' {
                    self.line -= 1;
                }
            } else if let Some(c) = self.input[..self.pos].chars().next_back() {
                self.pos -= c.len_utf8();
            }
        }
    }

    fn this_item(&mut self, t: ItemType) -> Item<'a> {
        let i = Item {
            typ: t,
            pos: self.start,
            val: &self.input[self.start..self.pos],
            line: self.start_line,
        };
        self.start = self.pos;
        self.start_line = self.line;
        i
    }

    fn emit(&mut self, t: ItemType) -> Option<State> {
        let i = self.this_item(t);
        self.item = Some(i);
        None
    }

    fn ignore(&mut self) {
        self.line += count_newlines(&self.input[self.start..self.pos]);
        self.start = self.pos;
        self.start_line = self.line;
    }

    fn accept(&mut self, valid: &str) -> bool {
        match self.next() {
            Some(c) if valid.contains(c) => true,
            _ => {
                self.backup();
                false
            }
        }
    }

    fn accept_run(&mut self, valid: &str) {
        while let Some(c) = self.next() {
            if !valid.contains(c) {
                self.backup();
                return;
            }
        }
        self.backup();
    }

    fn errorf(&mut self, msg: String) -> Option<State> {
        self.error = msg;
        self.item = Some(Item {
            typ: ItemType::Error,
            pos: self.start,
            val: "",
            line: self.start_line,
        });
        self.start = 0;
        self.pos = 0;
        self.input = &self.input[..0];
        None
    }

    /// The next item; after `Eof` or `Error` the lexer has nothing more to give.
    pub(crate) fn next_item(&mut self) -> Item<'a> {
        self.item = None;
        let mut state = if self.inside_action {
            State::InsideAction
        } else {
            State::Text
        };
        loop {
            let next = match state {
                State::Text => self.lex_text(),
                State::LeftDelim => self.lex_left_delim(),
                State::Comment => self.lex_comment(),
                State::RightDelim => self.lex_right_delim(),
                State::InsideAction => self.lex_inside_action(),
                State::Space => self.lex_space(),
                State::Identifier => self.lex_identifier(),
                State::Field => self.lex_field_or_variable(ItemType::Field),
                State::Variable => self.lex_variable(),
                State::Char => self.lex_char(),
                State::Number => self.lex_number(),
                State::Quote => self.lex_quote(),
                State::RawQuote => self.lex_raw_quote(),
            };
            match next {
                Some(s) => state = s,
                None => {
                    return self.item.take().unwrap_or(Item {
                        typ: ItemType::Eof,
                        pos: self.pos,
                        val: "EOF",
                        line: self.start_line,
                    });
                }
            }
        }
    }

    /// The offset of the next `{{` at or after `from`.
    fn find_left(&self, from: usize) -> Option<usize> {
        let b = self.input.as_bytes();
        let mut i = from;
        while let Some(x) = memchr::memchr(b'{', b.get(i..)?) {
            let at = i + x;
            if b.get(at + 1) == Some(&b'{') {
                return Some(at);
            }
            i = at + 1;
        }
        None
    }

    fn lex_text(&mut self) -> Option<State> {
        if let Some(at) = self.find_left(self.pos) {
            if at > self.pos {
                self.pos = at;
                let mut trim = 0;
                let delim_end = self.pos + LEFT.len();
                if has_left_trim_marker(&self.input[delim_end..]) {
                    let s = &self.input[self.start..self.pos];
                    trim = s.len() - s.trim_end_matches(is_space).len();
                }
                self.pos -= trim;
                self.line += count_newlines(&self.input[self.start..self.pos]);
                let i = self.this_item(ItemType::Text);
                self.pos += trim;
                self.ignore();
                if !i.val.is_empty() {
                    self.item = Some(i);
                    return None;
                }
            }
            return Some(State::LeftDelim);
        }
        self.pos = self.input.len();
        if self.pos > self.start {
            self.line += count_newlines(&self.input[self.start..self.pos]);
            return self.emit(ItemType::Text);
        }
        self.emit(ItemType::Eof)
    }

    fn at_right_delim(&self) -> (bool, bool) {
        let r = self.rest().as_bytes();
        match r {
            [b'}', b'}', ..] => (true, false),
            [c, b'-', b'}', b'}', ..] if is_space(*c as char) => (true, true),
            _ => (false, false),
        }
    }

    fn lex_left_delim(&mut self) -> Option<State> {
        self.pos += LEFT.len();
        let trim = has_left_trim_marker(self.rest());
        let after = if trim { TRIM_MARKER_LEN } else { 0 };
        if self.input[self.pos + after..].starts_with(LEFT_COMMENT) {
            self.pos += after;
            self.ignore();
            return Some(State::Comment);
        }
        let i = self.this_item(ItemType::LeftDelim);
        self.inside_action = true;
        self.pos += after;
        self.ignore();
        self.paren_depth = 0;
        self.item = Some(i);
        None
    }

    fn lex_comment(&mut self) -> Option<State> {
        self.pos += LEFT_COMMENT.len();
        let Some(x) = self.rest().find(RIGHT_COMMENT) else {
            return self.errorf("unclosed comment".into());
        };
        self.pos += x + RIGHT_COMMENT.len();
        let (delim, trim) = self.at_right_delim();
        if !delim {
            return self.errorf("comment ends before closing delimiter".into());
        }
        self.line += count_newlines(&self.input[self.start..self.pos]);
        let _ = self.this_item(ItemType::Comment);
        if trim {
            self.pos += TRIM_MARKER_LEN;
        }
        self.pos += RIGHT.len();
        if trim {
            let r = self.rest();
            self.pos += r.len() - r.trim_start_matches(is_space).len();
        }
        self.ignore();
        Some(State::Text)
    }

    fn lex_right_delim(&mut self) -> Option<State> {
        let (_, trim) = self.at_right_delim();
        if trim {
            self.pos += TRIM_MARKER_LEN;
            self.ignore();
        }
        self.pos += RIGHT.len();
        let i = self.this_item(ItemType::RightDelim);
        if trim {
            let r = self.rest();
            self.pos += r.len() - r.trim_start_matches(is_space).len();
            self.ignore();
        }
        self.inside_action = false;
        self.item = Some(i);
        None
    }

    fn lex_inside_action(&mut self) -> Option<State> {
        let (delim, _) = self.at_right_delim();
        if delim {
            if self.paren_depth == 0 {
                return Some(State::RightDelim);
            }
            return self.errorf("unclosed left paren".into());
        }
        let Some(r) = self.next() else {
            return self.errorf("unclosed action".into());
        };
        match r {
            c if is_space(c) => {
                self.backup();
                Some(State::Space)
            }
            '=' => self.emit(ItemType::Assign),
            ':' => {
                if self.next() != Some('=') {
                    return self.errorf("expected :=".into());
                }
                self.emit(ItemType::Declare)
            }
            '|' => self.emit(ItemType::Pipe),
            '"' => Some(State::Quote),
            '`' => Some(State::RawQuote),
            '$' => Some(State::Variable),
            '\'' => Some(State::Char),
            '.' => {
                if let Some(&b) = self.input.as_bytes().get(self.pos)
                    && !b.is_ascii_digit()
                {
                    return Some(State::Field);
                }
                self.backup();
                Some(State::Number)
            }
            '+' | '-' | '0'..='9' => {
                self.backup();
                Some(State::Number)
            }
            c if is_alnum(c) => {
                self.backup();
                Some(State::Identifier)
            }
            '(' => {
                self.paren_depth += 1;
                self.emit(ItemType::LeftParen)
            }
            ')' => {
                self.paren_depth -= 1;
                if self.paren_depth < 0 {
                    return self.errorf("unexpected right paren".into());
                }
                self.emit(ItemType::RightParen)
            }
            c if c.is_ascii() && !c.is_ascii_control() => self.emit(ItemType::Char),
            c => self.errorf(format!(
                "unrecognized character in action: {}",
                crate::go::strconv::sharp_u(c)
            )),
        }
    }

    fn lex_space(&mut self) -> Option<State> {
        let b = self.input.as_bytes();
        let mut n = 0;
        while let Some(&c) = b.get(self.pos) {
            if !is_space(c as char) {
                break;
            }
            self.pos += 1;
            if c == b'\n' {
                self.line += 1;
            }
            n += 1;
        }
        let r = &self.input[self.pos - 1..];
        if has_right_trim_marker(r) && r[TRIM_MARKER_LEN..].starts_with(RIGHT) {
            self.backup();
            if n == 1 {
                return Some(State::RightDelim);
            }
        }
        self.emit(ItemType::Space)
    }

    fn at_terminator(&mut self) -> bool {
        match self.input.as_bytes().get(self.pos) {
            None => true,
            Some(b' ' | b'\t' | b'\r' | b'\n' | b'.' | b',' | b'|' | b':' | b')' | b'(') => true,
            Some(b'}') => self.rest().starts_with(RIGHT),
            _ => false,
        }
    }

    fn bad_char(&mut self) -> Option<State> {
        let c = self.peek();
        let s = match c {
            Some(c) => crate::go::strconv::sharp_u(c),
            None => "U+FFFFFFFF".into(),
        };
        self.errorf(format!("bad character {s}"))
    }

    /// Moves over alphanumeric characters (ASCII in bulk).
    fn skip_alnum(&mut self) {
        let b = self.input.as_bytes();
        loop {
            while let Some(&c) = b.get(self.pos) {
                if c.is_ascii_alphanumeric() || c == b'_' {
                    self.pos += 1;
                } else {
                    break;
                }
            }
            match b.get(self.pos) {
                Some(&c) if c >= 0x80 => match self.next() {
                    Some(c) if is_alnum(c) => {}
                    _ => {
                        self.backup();
                        return;
                    }
                },
                _ => return,
            }
        }
    }

    fn lex_identifier(&mut self) -> Option<State> {
        self.skip_alnum();
        let word = &self.input[self.start..self.pos];
        if !self.at_terminator() {
            return self.bad_char();
        }
        if let Some(k) = keyword(word) {
            return self.emit(k);
        }
        if word.starts_with('.') {
            return self.emit(ItemType::Field);
        }
        if word == "true" || word == "false" {
            return self.emit(ItemType::Bool);
        }
        self.emit(ItemType::Identifier)
    }

    fn lex_variable(&mut self) -> Option<State> {
        if self.at_terminator() {
            return self.emit(ItemType::Variable);
        }
        self.lex_field_or_variable(ItemType::Variable)
    }

    fn lex_field_or_variable(&mut self, typ: ItemType) -> Option<State> {
        if self.at_terminator() {
            if typ == ItemType::Variable {
                return self.emit(ItemType::Variable);
            }
            return self.emit(ItemType::Dot);
        }
        self.skip_alnum();
        if !self.at_terminator() {
            return self.bad_char();
        }
        self.emit(typ)
    }

    fn lex_char(&mut self) -> Option<State> {
        loop {
            match self.next() {
                Some('\\') => match self.next() {
                    None | Some('\n') => {
                        return self.errorf("unterminated character constant".into());
                    }
                    _ => {}
                },
                None | Some('\n') => return self.errorf("unterminated character constant".into()),
                Some('\'') => break,
                _ => {}
            }
        }
        self.emit(ItemType::CharConstant)
    }

    fn lex_number(&mut self) -> Option<State> {
        if !self.scan_number() {
            let s = self.input[self.start..self.pos].to_string();
            return self.errorf(format!(
                "bad number syntax: {}",
                crate::go::strconv::quote(&s)
            ));
        }
        if let Some('+' | '-') = self.peek() {
            if !self.scan_number() || !self.input[..self.pos].ends_with('i') {
                let s = self.input[self.start..self.pos].to_string();
                return self.errorf(format!(
                    "bad number syntax: {}",
                    crate::go::strconv::quote(&s)
                ));
            }
            return self.emit(ItemType::Complex);
        }
        self.emit(ItemType::Number)
    }

    fn scan_number(&mut self) -> bool {
        self.accept("+-");
        let mut digits = "0123456789_";
        if self.accept("0") {
            if self.accept("xX") {
                digits = "0123456789abcdefABCDEF_";
            } else if self.accept("oO") {
                digits = "01234567_";
            } else if self.accept("bB") {
                digits = "01_";
            }
        }
        self.accept_run(digits);
        if self.accept(".") {
            self.accept_run(digits);
        }
        if digits.len() == 11 && self.accept("eE") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        if digits.len() == 23 && self.accept("pP") {
            self.accept("+-");
            self.accept_run("0123456789_");
        }
        self.accept("i");
        if let Some(c) = self.peek()
            && is_alnum(c)
        {
            self.next();
            return false;
        }
        true
    }

    fn lex_quote(&mut self) -> Option<State> {
        // Multi-byte characters never contain these bytes: scan bytes.
        let b = self.input.as_bytes();
        loop {
            match b.get(self.pos) {
                Some(b'\\') => {
                    self.pos += 1;
                    match self.next() {
                        None | Some('\n') => {
                            return self.errorf("unterminated quoted string".into());
                        }
                        _ => {}
                    }
                }
                None => {
                    self.at_eof = true;
                    return self.errorf("unterminated quoted string".into());
                }
                Some(b'\n') => {
                    self.pos += 1;
                    self.line += 1;
                    return self.errorf("unterminated quoted string".into());
                }
                Some(b'"') => {
                    self.pos += 1;
                    break;
                }
                Some(_) => self.pos += 1,
            }
        }
        self.emit(ItemType::String)
    }

    fn lex_raw_quote(&mut self) -> Option<State> {
        let b = self.input.as_bytes();
        match memchr::memchr(b'`', &b[self.pos..]) {
            None => {
                self.at_eof = true;
                self.errorf("unterminated raw quoted string".into())
            }
            Some(x) => {
                self.line += count_newlines(&self.input[self.pos..self.pos + x]);
                self.pos += x + 1;
                self.emit(ItemType::RawString)
            }
        }
    }
}
