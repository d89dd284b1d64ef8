//! `fromToml`'s reader: a port of github.com/BurntSushi/toml v1.6.0 (the version Helm
//! v4.1.4 uses) decoding into a `map[string]interface {}`: its lexer (a state machine
//! emitting items), its parser (keys, tables, arrays of tables, inline tables, implicit
//! tables, duplicate detection) and its error messages (`toml: line N (last key "k"):
//! ...`). Values come out as BurntSushi produces them: `int64`, `float64`, `string`,
//! `bool`, `[]interface {}`, `map[string]interface {}`, `[]map[string]interface {}` for
//! arrays of tables, and `time.Time` for every datetime: offset datetimes parsed in the
//! local zone (UTC here), local datetimes, dates and times in the fixed zones
//! `datetime-local`, `date-local` and `time-local` (a local time on 0000-01-01).

use std::cell::RefCell;
use std::collections::{BTreeMap, HashMap, HashSet, VecDeque};
use std::rc::Rc;

use super::funcs::gostr_to_bytes;
use super::time::{self as gotime, GoTime};
use super::value::{Elem, List, Val};
use crate::go::strconv::{decode_rune, quote};

/// Parses a TOML document into a `map[string]interface {}`; the error is the text of
/// BurntSushi's `ParseError`.
pub(crate) fn parse(text: &str) -> Result<Val, String> {
    let mut data = gostr_to_bytes(text);
    if data.starts_with(b"\xff\xfe") || data.starts_with(b"\xfe\xff") {
        data.drain(..2);
    } else if data.starts_with(b"\xef\xbb\xbf") {
        data.drain(..3);
    }
    if data.iter().take(6).any(|&b| b == 0) {
        return Err(
            "toml: line 1: files cannot contain NULL bytes; probably using UTF-16; \
                    TOML files must be UTF-8"
                .into(),
        );
    }
    let mut p = Parser {
        lx: Lexer::new(&data),
        context: Vec::new(),
        current_key: String::new(),
        pos_line: 0,
        key_info: HashMap::new(),
        mapping: new_table(),
        implicits: HashSet::new(),
        depth: 0,
    };
    loop {
        let item = p.next()?;
        if item.typ == It::Eof {
            break;
        }
        p.top_level(item)?;
    }
    Ok(to_val(&Any::Map(p.mapping), 0))
}

// ---- values ----------------------------------------------------------------------------

type Table = Rc<RefCell<BTreeMap<String, Any>>>;

/// A Go `any` as the parser builds it.
#[derive(Clone)]
enum Any {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Time(GoTime),
    /// `[]any`.
    Arr(Vec<Any>),
    /// `map[string]any` (reference semantics, as the parser mutates maps in place).
    Map(Table),
    /// `[]map[string]any` (an array of tables).
    MapArr(Rc<RefCell<Vec<Table>>>),
}

fn new_table() -> Table {
    Rc::new(RefCell::new(BTreeMap::new()))
}

fn to_val(v: &Any, depth: usize) -> Val {
    if depth > 10_000 {
        return Val::Nil;
    }
    match v {
        Any::Str(s) => Val::str(s.as_str()),
        Any::Int(i) => Val::Int64(*i),
        Any::Float(f) => Val::Float(*f),
        Any::Bool(b) => Val::Bool(*b),
        Any::Time(t) => Val::Time(t.clone()),
        Any::Arr(a) => Val::list(a.iter().map(|x| to_val(x, depth + 1)).collect()),
        Any::Map(m) => Val::dict(
            m.borrow()
                .iter()
                .map(|(k, x)| (k.clone(), to_val(x, depth + 1)))
                .collect(),
        ),
        Any::MapArr(a) => Val::List(Rc::new(List {
            elem: Elem::Iface,
            named: Some("[]map[string]interface {}"),
            items: a
                .borrow()
                .iter()
                .map(|m| to_val(&Any::Map(m.clone()), depth + 1))
                .collect(),
        })),
    }
}

// ---- lexer -----------------------------------------------------------------------------

/// Item types (`itemType`).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum It {
    Error,
    Eof,
    Text,
    String,
    StringEsc,
    RawString,
    MultilineString,
    RawMultilineString,
    Bool,
    Integer,
    Float,
    Datetime,
    Array,
    ArrayEnd,
    TableStart,
    TableEnd,
    ArrayTableStart,
    ArrayTableEnd,
    KeyStart,
    KeyEnd,
    CommentStart,
    InlineTableStart,
    InlineTableEnd,
}

#[derive(Clone, Debug)]
struct Item {
    typ: It,
    val: String,
    err: String,
    line: i64,
}

/// The lexer's state functions.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum St {
    Top,
    TopEnd,
    TableStart,
    TableEnd,
    ArrayTableEnd,
    TableNameStart,
    TableNameEnd,
    BareName,
    QuotedName,
    KeyStart,
    KeyNameStart,
    KeyEnd,
    Value,
    ArrayValue,
    ArrayValueEnd,
    ArrayEnd,
    InlineTableValue,
    InlineTableValueEnd,
    InlineTableEnd,
    String,
    MultilineString,
    RawString,
    MultilineRawString,
    MultilineStringEscape,
    StringEscape,
    HexEscape,
    ShortUnicodeEscape,
    LongUnicodeEscape,
    NumberOrDateStart,
    NumberOrDate,
    Datetime,
    HexInteger,
    OctalInteger,
    BinaryInteger,
    DecimalNumber,
    DecimalNumberStart,
    BaseNumberOrDate,
    Float,
    Bool,
    CommentStart,
    Comment,
}

const EOF: char = '\0';
const RUNE_ERROR: char = '\u{FFFD}';

struct Lexer<'a> {
    input: &'a [u8],
    start: usize,
    pos: usize,
    line: i64,
    state: Option<St>,
    items: VecDeque<Item>,
    esc: bool,
    prev_widths: [usize; 4],
    nprev: usize,
    at_eof: bool,
    stack: Vec<St>,
}

fn is_whitespace(r: char) -> bool {
    r == '\t' || r == ' '
}
fn is_nl(r: char) -> bool {
    r == '\n' || r == '\r'
}
fn is_control(r: char) -> bool {
    match r {
        '\t' | '\r' | '\n' => false,
        _ => (r as u32) <= 0x1f || r as u32 == 0x7f,
    }
}
fn is_digit(r: char) -> bool {
    r.is_ascii_digit()
}
fn is_binary(r: char) -> bool {
    r == '0' || r == '1'
}
fn is_octal(r: char) -> bool {
    ('0'..='7').contains(&r)
}
fn is_hex(r: char) -> bool {
    r.is_ascii_hexdigit()
}
fn is_bare_key_char(r: char) -> bool {
    r.is_ascii_alphanumeric() || r == '_' || r == '-'
}

/// Go's `%q` of a rune.
fn q_rune(r: char) -> String {
    crate::go::strconv::quote_with(r.encode_utf8(&mut [0; 4]).as_bytes(), '\'', false)
}

/// `runeOrEOF`.
fn rune_or_eof(r: char) -> String {
    if r == EOF {
        "end of file".into()
    } else {
        format!("'{r}'")
    }
}

/// The text of Go bytes that the lexer has validated as UTF-8.
fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

impl<'a> Lexer<'a> {
    fn new(input: &'a [u8]) -> Lexer<'a> {
        Lexer {
            input,
            start: 0,
            pos: 0,
            line: 1,
            state: Some(St::Top),
            items: VecDeque::new(),
            esc: false,
            prev_widths: [0; 4],
            nprev: 0,
            at_eof: false,
            stack: Vec::new(),
        }
    }

    fn next_item(&mut self) -> Item {
        loop {
            if let Some(it) = self.items.pop_front() {
                return it;
            }
            match self.state {
                Some(st) => self.state = self.step(st),
                // The lexer stopped without an item (cannot happen with a complete
                // state machine; reported as an error rather than looping).
                None => {
                    return Item {
                        typ: It::Error,
                        val: String::new(),
                        err: "unexpected EOF".into(),
                        line: self.line,
                    };
                }
            }
        }
    }

    fn push(&mut self, st: St) {
        self.stack.push(st);
    }

    fn pop(&mut self) -> Option<St> {
        self.stack.pop()
    }

    fn current(&self) -> String {
        text(self.input.get(self.start..self.pos).unwrap_or(&[]))
    }

    fn emit(&mut self, typ: It) {
        if self.start > self.pos {
            let b = self.input.get(self.pos).copied().unwrap_or(0);
            self.error(format!("invalid UTF-8 byte: 0x{b:02x}"));
            return;
        }
        let val = self.current();
        self.items.push_back(Item {
            typ,
            val,
            err: String::new(),
            line: self.line,
        });
        self.start = self.pos;
    }

    fn emit_trim(&mut self, typ: It) {
        let val = self.current().trim().to_string();
        self.items.push_back(Item {
            typ,
            val,
            err: String::new(),
            line: self.line,
        });
        self.start = self.pos;
    }

    fn next(&mut self) -> char {
        if self.at_eof {
            return EOF;
        }
        if self.pos >= self.input.len() {
            self.at_eof = true;
            return EOF;
        }
        if self.input[self.pos] == b'\n' {
            self.line += 1;
        }
        self.prev_widths[3] = self.prev_widths[2];
        self.prev_widths[2] = self.prev_widths[1];
        self.prev_widths[1] = self.prev_widths[0];
        if self.nprev < 4 {
            self.nprev += 1;
        }
        let (r, w) = decode_rune(&self.input[self.pos..]);
        if r == RUNE_ERROR && w == 1 {
            let b = self.input[self.pos];
            self.error(format!("invalid UTF-8 byte: 0x{b:02x}"));
            return RUNE_ERROR;
        }
        if is_control(r)
            || (r == '\r'
                && (self.input.len() - 1 == self.pos || self.input[self.pos + 1] != b'\n'))
        {
            self.push_error(
                self.line,
                format!(
                    "TOML files cannot contain control characters: '0x{:02x}'",
                    r as u32
                ),
            );
            return RUNE_ERROR;
        }
        self.prev_widths[0] = w;
        self.pos += w;
        r
    }

    fn ignore(&mut self) {
        self.start = self.pos;
    }

    fn backup(&mut self) {
        if self.at_eof {
            self.at_eof = false;
            return;
        }
        if self.nprev < 1 {
            return;
        }
        let w = self.prev_widths[0];
        self.prev_widths[0] = self.prev_widths[1];
        self.prev_widths[1] = self.prev_widths[2];
        self.prev_widths[2] = self.prev_widths[3];
        self.nprev -= 1;
        self.pos = self.pos.saturating_sub(w);
        if self.pos < self.input.len() && self.input[self.pos] == b'\n' {
            self.line -= 1;
        }
    }

    fn accept(&mut self, valid: char) -> bool {
        if self.next() == valid {
            return true;
        }
        self.backup();
        false
    }

    fn peek(&mut self) -> char {
        let r = self.next();
        self.backup();
        r
    }

    fn skip(&mut self, pred: fn(char) -> bool) {
        loop {
            let r = self.next();
            if pred(r) {
                continue;
            }
            self.backup();
            self.ignore();
            return;
        }
    }

    fn push_error(&mut self, line: i64, err: String) {
        self.items.push_back(Item {
            typ: It::Error,
            val: String::new(),
            err,
            line,
        });
    }

    /// `error`: an error at the current position (the previous line at EOF).
    fn error(&mut self, err: String) -> Option<St> {
        if self.at_eof {
            return self.error_prev_line(err);
        }
        self.push_error(self.line, err);
        None
    }

    fn error_prev_line(&mut self, err: String) -> Option<St> {
        self.push_error(self.line - 1, err);
        None
    }

    fn errorf(&mut self, err: String) -> Option<St> {
        let mut line = self.line;
        if self.at_eof && self.pos >= 1 && self.input.get(self.pos - 1) == Some(&b'\n') {
            line -= 1;
        }
        self.push_error(line, err);
        None
    }

    /// One state function; returns the next state (`None` stops the lexer).
    fn step(&mut self, st: St) -> Option<St> {
        match st {
            St::Top => {
                let r = self.next();
                if is_whitespace(r) || is_nl(r) {
                    self.ignore();
                    return Some(St::Top);
                }
                match r {
                    '#' => {
                        self.push(St::Top);
                        return Some(St::CommentStart);
                    }
                    '[' => return Some(St::TableStart),
                    EOF if self.at_eof => {
                        if self.pos > self.start {
                            return self.errorf("unexpected EOF".into());
                        }
                        self.emit(It::Eof);
                        return None;
                    }
                    _ => {}
                }
                self.backup();
                self.push(St::TopEnd);
                Some(St::KeyStart)
            }
            St::TopEnd => {
                let r = self.next();
                if r == '#' {
                    self.push(St::Top);
                    return Some(St::CommentStart);
                }
                if is_whitespace(r) {
                    return Some(St::TopEnd);
                }
                if is_nl(r) {
                    self.ignore();
                    return Some(St::Top);
                }
                if r == EOF && self.at_eof {
                    self.emit(It::Eof);
                    return None;
                }
                self.errorf(format!(
                    "expected a top-level item to end with a newline, comment, or EOF, but got {} instead",
                    q_rune(r)
                ))
            }
            St::TableStart => {
                if self.peek() == '[' {
                    self.next();
                    self.emit(It::ArrayTableStart);
                    self.push(St::ArrayTableEnd);
                } else {
                    self.emit(It::TableStart);
                    self.push(St::TableEnd);
                }
                Some(St::TableNameStart)
            }
            St::TableEnd => {
                self.emit(It::TableEnd);
                Some(St::TopEnd)
            }
            St::ArrayTableEnd => {
                let r = self.next();
                if r != ']' {
                    return self.errorf(format!(
                        "expected end of table array name delimiter ']', but got {} instead",
                        q_rune(r)
                    ));
                }
                self.emit(It::ArrayTableEnd);
                Some(St::TopEnd)
            }
            St::TableNameStart => {
                self.skip(is_whitespace);
                let r = self.peek();
                if r == ']' || (r == EOF && self.peek_is_eof()) {
                    return self.errorf(
                        "unexpected end of table name (table names cannot be empty)".into(),
                    );
                }
                if r == '.' {
                    return self
                        .errorf("unexpected table separator (table names cannot be empty)".into());
                }
                if r == '"' || r == '\'' {
                    self.ignore();
                    self.push(St::TableNameEnd);
                    return Some(St::QuotedName);
                }
                self.push(St::TableNameEnd);
                Some(St::BareName)
            }
            St::TableNameEnd => {
                self.skip(is_whitespace);
                let r = self.next();
                if r == '.' {
                    self.ignore();
                    return Some(St::TableNameStart);
                }
                if r == ']' {
                    return self.pop();
                }
                self.errorf(format!(
                    "expected '.' or ']' to end table name, but got {} instead",
                    q_rune(r)
                ))
            }
            St::BareName => {
                let r = self.next();
                if is_bare_key_char(r) {
                    return Some(St::BareName);
                }
                self.backup();
                self.emit(It::Text);
                self.pop()
            }
            St::QuotedName => {
                let r = self.next();
                match r {
                    '"' => {
                        self.ignore();
                        Some(St::String)
                    }
                    '\'' => {
                        self.ignore();
                        Some(St::RawString)
                    }
                    _ if is_whitespace(r) => {
                        self.ignore();
                        Some(St::Value)
                    }
                    EOF if self.at_eof => self.errorf("unexpected EOF; expected value".into()),
                    _ => self.errorf(format!("expected value but found {} instead", q_rune(r))),
                }
            }
            St::KeyStart => {
                self.skip(is_whitespace);
                let r = self.peek();
                if r == '=' || (r == EOF && self.peek_is_eof()) {
                    return self.errorf("unexpected '=': key name appears blank".into());
                }
                if r == '.' {
                    return self.errorf("unexpected '.': keys cannot start with a '.'".into());
                }
                if r == '"' || r == '\'' {
                    self.ignore();
                }
                self.emit(It::KeyStart);
                Some(St::KeyNameStart)
            }
            St::KeyNameStart => {
                self.skip(is_whitespace);
                let r = self.peek();
                if r == '"' || r == '\'' {
                    self.ignore();
                    self.push(St::KeyEnd);
                    return Some(St::QuotedName);
                }
                if r == '=' || (r == EOF && self.peek_is_eof()) {
                    return self.errorf("unexpected '='".into());
                }
                if r == '.' {
                    return self.errorf("unexpected '.'".into());
                }
                self.push(St::KeyEnd);
                Some(St::BareName)
            }
            St::KeyEnd => {
                self.skip(is_whitespace);
                let r = self.next();
                if is_whitespace(r) {
                    self.ignore();
                    return Some(St::KeyEnd);
                }
                if r == EOF && self.at_eof {
                    return self.errorf("unexpected EOF; expected key separator '='".into());
                }
                if r == '.' {
                    self.ignore();
                    return Some(St::KeyNameStart);
                }
                if r == '=' {
                    self.emit(It::KeyEnd);
                    self.ignore();
                    return Some(St::Value);
                }
                let msg = format!("expected '.' or '=', but got {} instead", q_rune(r));
                if r == '\n' {
                    return self.error_prev_line(msg);
                }
                self.errorf(msg)
            }
            St::Value => self.lex_value(),
            St::ArrayValue => {
                let r = self.next();
                if is_whitespace(r) || is_nl(r) {
                    self.ignore();
                    return Some(St::ArrayValue);
                }
                match r {
                    '#' => {
                        self.push(St::ArrayValue);
                        return Some(St::CommentStart);
                    }
                    ',' => return self.errorf("unexpected comma".into()),
                    ']' => return Some(St::ArrayEnd),
                    _ => {}
                }
                self.backup();
                self.push(St::ArrayValueEnd);
                Some(St::Value)
            }
            St::ArrayValueEnd => {
                let r = self.next();
                if is_whitespace(r) || is_nl(r) {
                    self.ignore();
                    return Some(St::ArrayValueEnd);
                }
                match r {
                    '#' => {
                        self.push(St::ArrayValueEnd);
                        Some(St::CommentStart)
                    }
                    ',' => {
                        self.ignore();
                        Some(St::ArrayValue)
                    }
                    ']' => Some(St::ArrayEnd),
                    _ => {
                        let what = if r == EOF && self.at_eof {
                            rune_or_eof(EOF)
                        } else {
                            format!("'{r}'")
                        };
                        self.errorf(format!(
                            "expected a comma (',') or array terminator (']'), but got {what}"
                        ))
                    }
                }
            }
            St::ArrayEnd => {
                self.ignore();
                self.emit(It::ArrayEnd);
                self.pop()
            }
            St::InlineTableValue => {
                let r = self.next();
                if is_whitespace(r) || is_nl(r) {
                    self.ignore();
                    return Some(St::InlineTableValue);
                }
                match r {
                    '#' => {
                        self.push(St::InlineTableValue);
                        return Some(St::CommentStart);
                    }
                    ',' => return self.errorf("unexpected comma".into()),
                    '}' => return Some(St::InlineTableEnd),
                    _ => {}
                }
                self.backup();
                self.push(St::InlineTableValueEnd);
                Some(St::KeyStart)
            }
            St::InlineTableValueEnd => {
                let r = self.next();
                if is_whitespace(r) || is_nl(r) {
                    self.ignore();
                    return Some(St::InlineTableValueEnd);
                }
                match r {
                    '#' => {
                        self.push(St::InlineTableValueEnd);
                        Some(St::CommentStart)
                    }
                    ',' => {
                        self.ignore();
                        self.skip(is_whitespace);
                        if self.peek() == '}' {
                            return Some(St::InlineTableValueEnd);
                        }
                        Some(St::InlineTableValue)
                    }
                    '}' => Some(St::InlineTableEnd),
                    _ => {
                        let what = if r == EOF && self.at_eof {
                            rune_or_eof(EOF)
                        } else {
                            format!("'{r}'")
                        };
                        self.errorf(format!(
                            "expected a comma or an inline table terminator '}}', but got {what} instead"
                        ))
                    }
                }
            }
            St::InlineTableEnd => {
                self.ignore();
                self.emit(It::InlineTableEnd);
                self.pop()
            }
            St::String => {
                let r = self.next();
                if r == EOF && self.at_eof {
                    return self.errorf("unexpected EOF; expected '\"'".into());
                }
                if is_nl(r) {
                    return self.error_prev_line("strings cannot contain newlines".into());
                }
                match r {
                    '\\' => {
                        self.push(St::String);
                        Some(St::StringEscape)
                    }
                    '"' => {
                        self.backup();
                        if self.esc {
                            self.esc = false;
                            self.emit(It::StringEsc);
                        } else {
                            self.emit(It::String);
                        }
                        self.next();
                        self.ignore();
                        self.pop()
                    }
                    _ => Some(St::String),
                }
            }
            St::MultilineString => {
                let r = self.next();
                match r {
                    EOF if self.at_eof => self.errorf("unexpected EOF; expected '\"\"\"'".into()),
                    '\\' => Some(St::MultilineStringEscape),
                    '"' => {
                        if self.accept('"') {
                            if self.accept('"') {
                                if self.peek() == '"' {
                                    let cur = self.current();
                                    if cur.ends_with("\"\"\"\"\"") && !cur.ends_with("\\\"\"\"\"\"")
                                    {
                                        return self.errorf("unexpected '\"\"\"\"\"\"'".into());
                                    }
                                    self.backup();
                                    self.backup();
                                    return Some(St::MultilineString);
                                }
                                self.backup();
                                self.backup();
                                self.backup();
                                self.esc = false;
                                self.emit(It::MultilineString);
                                self.next();
                                self.next();
                                self.next();
                                self.ignore();
                                return self.pop();
                            }
                            self.backup();
                        }
                        Some(St::MultilineString)
                    }
                    _ => Some(St::MultilineString),
                }
            }
            St::RawString => {
                let r = self.next();
                if r == EOF && self.at_eof {
                    return self.errorf("unexpected EOF; expected \"'\"".into());
                }
                if is_nl(r) {
                    return self.error_prev_line("strings cannot contain newlines".into());
                }
                if r == '\'' {
                    self.backup();
                    self.emit(It::RawString);
                    self.next();
                    self.ignore();
                    return self.pop();
                }
                Some(St::RawString)
            }
            St::MultilineRawString => {
                let r = self.next();
                match r {
                    EOF if self.at_eof => self.errorf("unexpected EOF; expected \"'''\"".into()),
                    '\'' => {
                        if self.accept('\'') {
                            if self.accept('\'') {
                                if self.peek() == '\'' {
                                    if self.current().ends_with("'''''") {
                                        return self.errorf("unexpected \"''''''\"".into());
                                    }
                                    self.backup();
                                    self.backup();
                                    return Some(St::MultilineRawString);
                                }
                                self.backup();
                                self.backup();
                                self.backup();
                                self.emit(It::RawMultilineString);
                                self.next();
                                self.next();
                                self.next();
                                self.ignore();
                                return self.pop();
                            }
                            self.backup();
                        }
                        Some(St::MultilineRawString)
                    }
                    _ => Some(St::MultilineRawString),
                }
            }
            St::MultilineStringEscape => {
                if is_nl(self.next()) {
                    return Some(St::MultilineString);
                }
                self.backup();
                self.push(St::MultilineString);
                self.step(St::StringEscape)
            }
            St::StringEscape => {
                self.esc = true;
                let r = self.next();
                match r {
                    'e' | 'b' | 't' | 'n' | 'f' | 'r' | '"' | ' ' | '\t' | '\\' => self.pop(),
                    'x' => Some(St::HexEscape),
                    'u' => Some(St::ShortUnicodeEscape),
                    'U' => Some(St::LongUnicodeEscape),
                    _ => self.error(format!("invalid escape in string '\\{r}'")),
                }
            }
            St::HexEscape => self.hex_escape(2, "two", 'x'),
            St::ShortUnicodeEscape => self.hex_escape(4, "four", 'u'),
            St::LongUnicodeEscape => self.hex_escape(8, "eight", 'U'),
            St::NumberOrDateStart => {
                if self.next() == '0' {
                    return Some(St::BaseNumberOrDate);
                }
                Some(St::NumberOrDate)
            }
            St::NumberOrDate => {
                let r = self.next();
                if is_digit(r) {
                    return Some(St::NumberOrDate);
                }
                match r {
                    '-' | ':' => Some(St::Datetime),
                    '_' => Some(St::DecimalNumber),
                    '.' | 'e' | 'E' => Some(St::Float),
                    _ => {
                        self.backup();
                        self.emit(It::Integer);
                        self.pop()
                    }
                }
            }
            St::Datetime => {
                let r = self.next();
                if is_digit(r) || matches!(r, '-' | ':' | 'T' | 't' | ' ' | '.' | 'Z' | 'z' | '+') {
                    return Some(St::Datetime);
                }
                self.backup();
                self.emit_trim(It::Datetime);
                self.pop()
            }
            St::HexInteger => self.base_integer(is_hex, St::HexInteger),
            St::OctalInteger => self.base_integer(is_octal, St::OctalInteger),
            St::BinaryInteger => self.base_integer(is_binary, St::BinaryInteger),
            St::DecimalNumber => {
                let r = self.next();
                if is_digit(r) {
                    return Some(St::DecimalNumber);
                }
                match r {
                    '.' | 'e' | 'E' => Some(St::Float),
                    '_' => Some(St::DecimalNumber),
                    _ => {
                        self.backup();
                        self.emit(It::Integer);
                        self.pop()
                    }
                }
            }
            St::DecimalNumberStart => {
                let r = self.next();
                match r {
                    'i' => {
                        if !self.accept('n') || !self.accept('f') {
                            let cur = self.current();
                            return self.errorf(format!("invalid float: '{cur}'"));
                        }
                        self.emit(It::Float);
                        return self.pop();
                    }
                    'n' => {
                        if !self.accept('a') || !self.accept('n') {
                            let cur = self.current();
                            return self.errorf(format!("invalid float: '{cur}'"));
                        }
                        self.emit(It::Float);
                        return self.pop();
                    }
                    '0' => {
                        let p = self.peek();
                        if matches!(p, 'b' | 'o' | 'x') {
                            let cur = self.current();
                            return self.errorf(format!(
                                "cannot use sign with non-decimal numbers: '{cur}{p}'"
                            ));
                        }
                    }
                    '.' => {
                        return self.errorf("floats must start with a digit, not '.'".into());
                    }
                    _ => {}
                }
                if is_digit(r) {
                    return Some(St::DecimalNumber);
                }
                self.errorf(format!("expected a digit but got {}", q_rune(r)))
            }
            St::BaseNumberOrDate => {
                let r = self.next();
                if is_digit(r) {
                    return Some(St::NumberOrDate);
                }
                match r {
                    '_' => Some(St::DecimalNumber),
                    '.' | 'e' | 'E' => Some(St::Float),
                    'b' | 'o' | 'x' => {
                        let (ok, what, next): (fn(char) -> bool, &str, St) = match r {
                            'b' => (is_binary, "binary", St::BinaryInteger),
                            'o' => (is_octal, "octal", St::OctalInteger),
                            _ => (is_hex, "hexadecimal", St::HexInteger),
                        };
                        let p = self.peek();
                        if !ok(p) {
                            // The error is emitted and lexing goes on (as in Go).
                            let cur = self.current();
                            self.errorf(format!("not a {what} number: '{cur}{p}'"));
                        }
                        Some(next)
                    }
                    _ => {
                        self.backup();
                        self.emit(It::Integer);
                        self.pop()
                    }
                }
            }
            St::Float => {
                let r = self.next();
                if is_digit(r) || matches!(r, '_' | '.' | '-' | '+' | 'e' | 'E') {
                    return Some(St::Float);
                }
                self.backup();
                self.emit(It::Float);
                self.pop()
            }
            St::Bool => {
                let mut rs = String::new();
                loop {
                    let r = self.next();
                    if !crate::go::unicode::is_letter(r) {
                        self.backup();
                        break;
                    }
                    rs.push(r);
                }
                if rs == "true" || rs == "false" {
                    self.emit(It::Bool);
                    return self.pop();
                }
                self.errorf(format!("expected value but found {} instead", quote(&rs)))
            }
            St::CommentStart => {
                self.ignore();
                self.emit(It::CommentStart);
                Some(St::Comment)
            }
            St::Comment => {
                let r = self.next();
                if is_nl(r) || (r == EOF && self.at_eof) {
                    self.backup();
                    self.emit(It::Text);
                    return self.pop();
                }
                Some(St::Comment)
            }
        }
    }

    /// Whether the last `peek` returned EOF because the input ended (a NUL byte is a
    /// control-character error instead).
    fn peek_is_eof(&self) -> bool {
        self.pos >= self.input.len()
    }

    fn hex_escape(&mut self, n: usize, word: &str, c: char) -> Option<St> {
        for _ in 0..n {
            let r = self.next();
            if !is_hex(r) {
                let cur = self.current();
                return self.errorf(format!(
                    "expected {word} hexadecimal digits after '\\{c}', but got {} instead",
                    quote(&cur)
                ));
            }
        }
        self.pop()
    }

    fn base_integer(&mut self, ok: fn(char) -> bool, again: St) -> Option<St> {
        let r = self.next();
        if ok(r) || r == '_' {
            return Some(again);
        }
        self.backup();
        self.emit(It::Integer);
        self.pop()
    }

    fn lex_value(&mut self) -> Option<St> {
        let r = self.next();
        if is_whitespace(r) {
            self.ignore();
            return Some(St::Value);
        }
        if is_digit(r) {
            self.backup();
            return Some(St::NumberOrDateStart);
        }
        match r {
            '[' => {
                self.ignore();
                self.emit(It::Array);
                return Some(St::ArrayValue);
            }
            '{' => {
                self.ignore();
                self.emit(It::InlineTableStart);
                return Some(St::InlineTableValue);
            }
            '"' => {
                if self.accept('"') {
                    if self.accept('"') {
                        self.ignore();
                        return Some(St::MultilineString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(St::String);
            }
            '\'' => {
                if self.accept('\'') {
                    if self.accept('\'') {
                        self.ignore();
                        return Some(St::MultilineRawString);
                    }
                    self.backup();
                }
                self.ignore();
                return Some(St::RawString);
            }
            '.' => return self.errorf("floats must start with a digit, not '.'".into()),
            // `inf` / `nan` (the guard consumes what it accepts, as Go's code does).
            'i' | 'n'
                if (self.accept('n') && self.accept('f'))
                    || (self.accept('a') && self.accept('n')) =>
            {
                self.emit(It::Float);
                return self.pop();
            }
            '-' | '+' => return Some(St::DecimalNumberStart),
            _ => {}
        }
        if crate::go::unicode::is_letter(r) {
            self.backup();
            return Some(St::Bool);
        }
        if r == EOF && self.at_eof {
            return self.errorf("unexpected EOF; expected value".into());
        }
        let msg = format!("expected value but found {} instead", q_rune(r));
        if r == '\n' {
            return self.error_prev_line(msg);
        }
        self.errorf(msg)
    }
}

// ---- parser ----------------------------------------------------------------------------

type Key = Vec<String>;

/// `Key.String()`: parts joined with `.`, quoted when not bare.
fn key_string(k: &[String]) -> String {
    let mut out = String::new();
    for (i, kk) in k.iter().enumerate() {
        if i > 0 {
            out.push('.');
        }
        if kk.is_empty() {
            out.push_str("\"\"");
        } else if kk.chars().all(is_bare_key_char) {
            out.push_str(kk);
        } else {
            out.push('"');
            for c in kk.chars() {
                match c {
                    '"' => out.push_str("\\\""),
                    '\\' => out.push_str("\\\\"),
                    '\x08' => out.push_str("\\b"),
                    '\t' => out.push_str("\\t"),
                    '\n' => out.push_str("\\n"),
                    '\x0c' => out.push_str("\\f"),
                    '\r' => out.push_str("\\r"),
                    c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                        out.push_str(&format!("\\u{:04x}", c as u32));
                    }
                    c => out.push(c),
                }
            }
            out.push('"');
        }
    }
    out
}

struct Parser<'a> {
    lx: Lexer<'a>,
    context: Key,
    current_key: String,
    /// Line of `p.pos` (the last item read with `nextPos`).
    pos_line: i64,
    /// Key → whether its TOML type is an array (`isArray`).
    key_info: HashMap<String, bool>,
    mapping: Table,
    implicits: HashSet<String>,
    depth: usize,
}

/// The kind of a value, as far as the parser's `setType` needs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Ty {
    Array,
    Other,
}

type PResult<T> = Result<T, String>;

impl Parser<'_> {
    /// `p.current()`: the full key of the current context.
    fn current(&self) -> String {
        if self.current_key.is_empty() {
            return key_string(&self.context);
        }
        if self.context.is_empty() {
            return self.current_key.clone();
        }
        format!("{}.{}", key_string(&self.context), self.current_key)
    }

    /// A `ParseError`'s text.
    fn err_at(&self, line: i64, msg: &str) -> String {
        let last = self.current();
        if last.is_empty() {
            format!("toml: line {line}: {msg}")
        } else {
            format!("toml: line {line} (last key {}): {msg}", quote(&last))
        }
    }

    /// `panicf`: at `p.pos`.
    fn errf(&self, msg: &str) -> String {
        self.err_at(self.pos_line, msg)
    }

    fn bug(&self, msg: &str) -> String {
        format!("BUG: {msg}")
    }

    fn next(&mut self) -> PResult<Item> {
        let it = self.lx.next_item();
        if it.typ == It::Error {
            return Err(self.err_at(it.line, &it.err));
        }
        Ok(it)
    }

    fn next_pos(&mut self) -> PResult<Item> {
        let it = self.next()?;
        self.pos_line = it.line;
        Ok(it)
    }

    fn expect(&mut self, typ: It) -> PResult<Item> {
        let it = self.next()?;
        if it.typ != typ {
            return Err(self.bug(&format!("Expected '{typ:?}' but got '{:?}'.", it.typ)));
        }
        Ok(it)
    }

    /// Reads key parts up to `end`.
    fn read_key(&mut self, first: Item, end: It) -> PResult<Key> {
        let mut key = Vec::new();
        let mut name = first;
        while name.typ != end && name.typ != It::Eof {
            key.push(self.key_string(&name)?);
            name = self.next()?;
        }
        if name.typ != end {
            return Err(self.bug(&format!("Expected '{end:?}' but got '{:?}'.", name.typ)));
        }
        Ok(key)
    }

    fn top_level(&mut self, item: Item) -> PResult<()> {
        match item.typ {
            It::CommentStart => {
                self.expect(It::Text)?;
            }
            It::TableStart | It::ArrayTableStart => {
                let array = item.typ == It::ArrayTableStart;
                let end = if array {
                    It::ArrayTableEnd
                } else {
                    It::TableEnd
                };
                let name = self.next_pos()?;
                let key = self.read_key(name, end)?;
                if key.is_empty() {
                    return Err(self.bug("empty table name"));
                }
                self.add_context(&key, array)?;
                self.set_type("", Ty::Other);
            }
            It::KeyStart => {
                let outer = self.context.clone();
                let k = self.next_pos()?;
                let key = self.read_key(k, It::KeyEnd)?;
                let Some(last) = key.last() else {
                    return Err(self.bug("empty key"));
                };
                self.current_key = last.clone();
                for part in &key[..key.len() - 1] {
                    let mut c = self.context.clone();
                    c.push(part.clone());
                    self.add_implicit_context(&c)?;
                }
                let v_item = self.next()?;
                let (val, typ) = self.value(v_item, false)?;
                let ck = self.current_key.clone();
                self.set_value(&ck, val)?;
                self.set_type(&ck, typ);
                self.context = outer;
                self.current_key.clear();
            }
            other => {
                return Err(self.bug(&format!("Unexpected type at top level: {other:?}")));
            }
        }
        Ok(())
    }

    fn key_string(&mut self, it: &Item) -> PResult<String> {
        match it.typ {
            It::Text => Ok(it.val.clone()),
            It::String
            | It::StringEsc
            | It::MultilineString
            | It::RawString
            | It::RawMultilineString => match self.value(it.clone(), false)?.0 {
                Any::Str(s) => Ok(s),
                _ => Err(self.bug("key is not a string")),
            },
            other => Err(self.bug(&format!("Unexpected key type: {other:?}"))),
        }
    }

    fn value(&mut self, it: Item, parent_is_array: bool) -> PResult<(Any, Ty)> {
        Ok(match it.typ {
            It::String | It::RawString => (Any::Str(it.val), Ty::Other),
            It::StringEsc => (Any::Str(self.replace_escapes(&it, &it.val)?), Ty::Other),
            It::MultilineString => {
                let s = strip_escaped_newlines(strip_first_newline(&it.val));
                (Any::Str(self.replace_escapes(&it, &s)?), Ty::Other)
            }
            It::RawMultilineString => (
                Any::Str(strip_first_newline(&it.val).to_string()),
                Ty::Other,
            ),
            It::Integer => (self.value_integer(&it)?, Ty::Other),
            It::Float => (self.value_float(&it)?, Ty::Other),
            It::Bool => match it.val.as_str() {
                "true" => (Any::Bool(true), Ty::Other),
                "false" => (Any::Bool(false), Ty::Other),
                v => return Err(self.bug(&format!("Expected boolean value, but got '{v}'."))),
            },
            It::Datetime => (self.value_datetime(&it)?, Ty::Other),
            It::Array => self.value_array(&it)?,
            It::InlineTableStart => self.value_inline_table(parent_is_array)?,
            other => return Err(self.bug(&format!("Unexpected value type: {other:?}"))),
        })
    }

    fn value_integer(&self, it: &Item) -> PResult<Any> {
        if !num_underscores_ok(&it.val) {
            return Err(self.err_at(
                it.line,
                &format!(
                    "Invalid integer {}: underscores must be surrounded by digits",
                    quote(&it.val)
                ),
            ));
        }
        if num_has_leading_zero(&it.val) {
            return Err(self.err_at(
                it.line,
                &format!(
                    "Invalid integer {}: cannot have leading zeroes",
                    quote(&it.val)
                ),
            ));
        }
        match crate::go::strconv::parse_go_int(&it.val) {
            Some(n) => Ok(Any::Int(n)),
            None => {
                // The lexer only lets integer syntax through: a failure is a range error.
                Err(self.err_at(it.line, &format!("{} is out of range for int64", it.val)))
            }
        }
    }

    fn value_float(&self, it: &Item) -> PResult<Any> {
        let parts: Vec<&str> = it
            .val
            .split(['.', 'e', 'E'])
            .filter(|p| !p.is_empty())
            .collect();
        for part in &parts {
            if !num_underscores_ok(part) {
                return Err(self.err_at(
                    it.line,
                    &format!(
                        "Invalid float {}: underscores must be surrounded by digits",
                        quote(&it.val)
                    ),
                ));
            }
        }
        if parts.first().is_some_and(|p| num_has_leading_zero(p)) {
            return Err(self.err_at(
                it.line,
                &format!(
                    "Invalid float {}: cannot have leading zeroes",
                    quote(&it.val)
                ),
            ));
        }
        if !num_periods_ok(&it.val) {
            return Err(self.err_at(
                it.line,
                &format!(
                    "Invalid float {}: '.' must be followed by one or more digits",
                    quote(&it.val)
                ),
            ));
        }
        let mut val = it.val.replace('_', "");
        let mut signbit = false;
        if val == "+nan" || val == "-nan" {
            signbit = val == "-nan";
            val = "nan".into();
        }
        let Some(mut num) = parse_float_strict(&val) else {
            return Err(self.err_at(it.line, &format!("Invalid float value: {}", quote(&it.val))));
        };
        if num.is_infinite() && !val.to_ascii_lowercase().contains("inf") {
            return Err(self.err_at(it.line, &format!("{} is out of range for float64", it.val)));
        }
        if signbit {
            num = -num.abs();
        }
        Ok(Any::Float(num))
    }

    fn value_datetime(&self, it: &Item) -> PResult<Any> {
        let v: String = it
            .val
            .chars()
            .map(|c| match c {
                'z' => 'Z',
                't' | ' ' => 'T',
                c => c,
            })
            .collect();
        match parse_datetime(&v) {
            Some(t) => Ok(Any::Time(t)),
            None => Err(self.err_at(it.line, &format!("invalid datetime: {}", quote(&v)))),
        }
    }

    fn value_array(&mut self, it: &Item) -> PResult<(Any, Ty)> {
        let ck = self.current_key.clone();
        self.set_type(&ck, Ty::Array);
        let _ = it;
        self.enter()?;
        let mut array = Vec::new();
        loop {
            let it = self.next()?;
            if it.typ == It::ArrayEnd {
                break;
            }
            if it.typ == It::CommentStart {
                self.expect(It::Text)?;
                continue;
            }
            let (val, _) = self.value(it, true)?;
            array.push(val);
        }
        self.depth -= 1;
        Ok((Any::Arr(array), Ty::Array))
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > 5_000 {
            return Err(self.errf("nesting too deep"));
        }
        Ok(())
    }

    fn value_inline_table(&mut self, parent_is_array: bool) -> PResult<(Any, Ty)> {
        self.enter()?;
        let top_hash = new_table();
        let outer_context = self.context.clone();
        let outer_key = self.current_key.clone();
        self.context.push(self.current_key.clone());
        let prev_context = self.context.clone();
        self.current_key.clear();
        let ctx = self.context.clone();
        self.add_implicit(&ctx);
        self.add_context(&ctx, parent_is_array)?;
        loop {
            let it = self.next()?;
            if it.typ == It::InlineTableEnd {
                break;
            }
            if it.typ == It::CommentStart {
                self.expect(It::Text)?;
                continue;
            }
            let k = self.next_pos()?;
            let key = self.read_key(k, It::KeyEnd)?;
            let Some(last) = key.last() else {
                return Err(self.bug("empty key"));
            };
            self.current_key = last.clone();
            let parent: Vec<String> = key[..key.len() - 1].to_vec();
            for part in &parent {
                let mut c = self.context.clone();
                c.push(part.clone());
                self.add_implicit_context(&c)?;
            }
            let v_item = self.next()?;
            let (val, typ) = self.value(v_item, false)?;
            let ck = self.current_key.clone();
            self.set_value(&ck, val.clone())?;
            self.set_type(&ck, typ);
            let mut hash = top_hash.clone();
            for c in &parent {
                let existing = hash.borrow().get(c).cloned();
                let h = match existing {
                    Some(h) => h,
                    None => {
                        let h = Any::Map(new_table());
                        hash.borrow_mut().insert(c.clone(), h.clone());
                        h
                    }
                };
                hash = match h {
                    Any::Map(m) => m,
                    _ => {
                        return Err(self.errf(&format!(
                            "{} is not a table",
                            quote(&key_string(&self.context))
                        )));
                    }
                };
            }
            hash.borrow_mut().insert(ck, val);
            self.context = prev_context.clone();
        }
        self.context = outer_context;
        self.current_key = outer_key;
        self.depth -= 1;
        Ok((Any::Map(top_hash), Ty::Other))
    }

    /// `addContext`: makes `key` the current table (or a new element of an array of
    /// tables), creating implicit parents.
    fn add_context(&mut self, key: &[String], array: bool) -> PResult<()> {
        let mut hash_context = self.mapping.clone();
        let mut key_context: Key = Vec::new();
        let Some((last, parent)) = key.split_last() else {
            return Err(self.bug("empty key"));
        };
        for k in parent {
            key_context.push(k.clone());
            let exists = hash_context.borrow().contains_key(k);
            if !exists {
                self.add_implicit(&key_context);
                hash_context
                    .borrow_mut()
                    .insert(k.clone(), Any::Map(new_table()));
            }
            let next = hash_context.borrow().get(k).cloned();
            hash_context = match next {
                Some(Any::MapArr(a)) => match a.borrow().last() {
                    Some(m) => m.clone(),
                    None => return Err(self.bug("empty array of tables")),
                },
                Some(Any::Map(m)) => m,
                _ => {
                    return Err(self.errf(&format!(
                        "Key '{}' was already created as a hash.",
                        key_string(&key_context)
                    )));
                }
            };
        }
        self.context = key_context;
        if array {
            let existing = hash_context.borrow().get(last).cloned();
            match existing {
                None => {
                    let arr = Rc::new(RefCell::new(vec![new_table()]));
                    hash_context
                        .borrow_mut()
                        .insert(last.clone(), Any::MapArr(arr));
                }
                Some(Any::MapArr(a)) => a.borrow_mut().push(new_table()),
                Some(_) => {
                    return Err(self.errf(&format!(
                        "Key '{}' was already created and cannot be used as an array.",
                        key_string(key)
                    )));
                }
            }
        } else {
            self.set_value(last, Any::Map(new_table()))?;
        }
        self.context.push(last.clone());
        Ok(())
    }

    /// `setValue`: sets `key` in the current context, refusing redefinitions (implicit
    /// tables may be defined once explicitly).
    fn set_value(&mut self, key: &str, value: Any) -> PResult<()> {
        let mut hash = self.mapping.clone();
        let mut key_context: Key = Vec::new();
        for k in self.context.clone() {
            key_context.push(k.clone());
            let tmp = hash.borrow().get(&k).cloned();
            hash = match tmp {
                None => {
                    return Err(self.bug(&format!(
                        "Context for key '{}' has not been established.",
                        key_string(&key_context)
                    )));
                }
                Some(Any::MapArr(a)) => match a.borrow().last() {
                    Some(m) => m.clone(),
                    None => return Err(self.bug("empty array of tables")),
                },
                Some(Any::Map(m)) => m,
                Some(_) => {
                    return Err(self.errf(&format!(
                        "Key '{}' has already been defined.",
                        key_string(&key_context)
                    )));
                }
            };
        }
        key_context.push(key.to_string());
        let exists = hash.borrow().contains_key(key);
        if exists {
            if self.is_array(&key_context) {
                if !self.is_implicit(&key_context) {
                    return Err(self.errf(&format!(
                        "Key '{}' has already been defined.",
                        key_string(&key_context)
                    )));
                }
                self.remove_implicit(&key_context);
                hash.borrow_mut().insert(key.to_string(), value);
                return Ok(());
            }
            if self.is_implicit(&key_context) {
                self.remove_implicit(&key_context);
                return Ok(());
            }
            return Err(self.errf(&format!(
                "Key '{}' has already been defined.",
                key_string(&key_context)
            )));
        }
        hash.borrow_mut().insert(key.to_string(), value);
        Ok(())
    }

    fn set_type(&mut self, key: &str, typ: Ty) {
        let mut kc = self.context.clone();
        if !key.is_empty() {
            kc.push(key.to_string());
        }
        if kc.is_empty() {
            kc.push(String::new());
        }
        self.key_info.insert(key_string(&kc), typ == Ty::Array);
    }

    fn add_implicit(&mut self, key: &[String]) {
        self.implicits.insert(key_string(key));
    }
    fn remove_implicit(&mut self, key: &[String]) {
        self.implicits.remove(&key_string(key));
    }
    fn is_implicit(&self, key: &[String]) -> bool {
        self.implicits.contains(&key_string(key))
    }
    fn is_array(&self, key: &[String]) -> bool {
        self.key_info
            .get(&key_string(key))
            .copied()
            .unwrap_or(false)
    }
    fn add_implicit_context(&mut self, key: &[String]) -> PResult<()> {
        self.add_implicit(key);
        self.add_context(key, false)
    }

    /// `replaceEscapes`.
    fn replace_escapes(&self, it: &Item, s: &str) -> PResult<String> {
        let mut out = String::with_capacity(s.len());
        let b = s.as_bytes();
        let mut chars = s.char_indices();
        while let Some((i, c)) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            let Some(&e) = b.get(i + 1) else {
                return Err(self.bug("Escape sequence at end of string."));
            };
            let mut hex = |n: usize| -> PResult<char> {
                let h = s.get(i + 2..i + 2 + n).unwrap_or("");
                let v = u32::from_str_radix(h, 16).map_err(|_| self.bug("bad hex escape"))?;
                for _ in 0..n {
                    chars.next();
                }
                char::from_u32(v).ok_or_else(|| {
                    self.err_at(
                        it.line,
                        &format!("Escaped character '\\u{h}' is not valid UTF-8."),
                    )
                })
            };
            match e {
                b' ' | b'\t' => {
                    return Err(
                        self.err_at(it.line, &format!("invalid escape: '\\{}'", char::from(e)))
                    );
                }
                b'b' => out.push('\x08'),
                b't' => out.push('\t'),
                b'n' => out.push('\n'),
                b'f' => out.push('\x0c'),
                b'r' => out.push('\r'),
                b'e' => out.push('\x1b'),
                b'"' => out.push('"'),
                b'\\' => out.push('\\'),
                b'x' => out.push(hex(2)?),
                b'u' => out.push(hex(4)?),
                b'U' => out.push(hex(8)?),
                other => {
                    return Err(self.bug(&format!(
                        "Expected valid escape code after \\, but got {}.",
                        q_rune(char::from(other))
                    )));
                }
            }
            chars.next();
        }
        Ok(out)
    }
}

fn strip_first_newline(s: &str) -> &str {
    if let Some(r) = s.strip_prefix('\n') {
        return r;
    }
    if let Some(r) = s.strip_prefix("\r\n") {
        return r;
    }
    s
}

/// `stripEscapedNewlines`: drops a line-ending backslash and the white space after it.
fn strip_escaped_newlines(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut s = s;
    let mut i = 0usize;
    loop {
        let Some(ix) = s[i..].find('\\') else {
            out.push_str(s);
            return out;
        };
        i += ix;
        let b = s.as_bytes();
        if b.len() > i + 1 && b[i + 1] == b'\\' {
            i += 2;
            continue;
        }
        let mut j = i + 1;
        while j < b.len() && matches!(b[j], b' ' | b'\t' | b'\r' | b'\n') {
            j += 1;
        }
        if j == i + 1 {
            i += 1;
            continue;
        }
        if !s[i..j].contains('\n') {
            i += 1;
            continue;
        }
        out.push_str(&s[..i]);
        s = &s[j..];
        i = 0;
    }
}

fn num_has_leading_zero(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() > 1 && b[0] == b'0' && !matches!(b[1], b'b' | b'o' | b'x') {
        return true;
    }
    b.len() > 2 && (b[0] == b'-' || b[0] == b'+') && b[1] == b'0'
}

fn num_underscores_ok(s: &str) -> bool {
    if matches!(s, "nan" | "+nan" | "-nan" | "inf" | "-inf" | "+inf") {
        return true;
    }
    let mut accept = false;
    for r in s.chars() {
        if r == '_' && !accept {
            return false;
        }
        accept = is_hex(r);
    }
    accept
}

fn num_periods_ok(s: &str) -> bool {
    let mut period = false;
    for r in s.chars() {
        if period && !is_digit(r) {
            return false;
        }
        period = r == '.';
    }
    !period
}

/// `strconv.ParseFloat(s, 64)` on what the TOML lexer lets through (digits, `.`, `e`,
/// signs, `inf`, `nan`); `None` for a syntax error, ±Inf for an out-of-range value.
fn parse_float_strict(s: &str) -> Option<f64> {
    let body = s.trim_start_matches(['-', '+']);
    if body.len() + 1 < s.len() {
        return None;
    }
    match body {
        "inf" => {
            return Some(if s.starts_with('-') {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        "nan" => return Some(f64::NAN),
        _ => {}
    }
    if body.is_empty() || !body.as_bytes()[0].is_ascii_digit() {
        return None;
    }
    s.parse::<f64>().ok()
}

/// The layouts BurntSushi tries, with the zone a match lands in.
enum DtZone {
    /// `time.Local` (UTC here): `Z` gives UTC, a zero offset the local zone, any other
    /// offset an unnamed fixed zone.
    Local,
    Fixed(&'static str),
}

const DT_TYPES: [(&str, DtZone); 7] = [
    ("2006-01-02T15:04:05.999999999Z07:00", DtZone::Local),
    (
        "2006-01-02T15:04:05.999999999",
        DtZone::Fixed("datetime-local"),
    ),
    ("2006-01-02", DtZone::Fixed("date-local")),
    ("15:04:05.999999999", DtZone::Fixed("time-local")),
    ("2006-01-02T15:04Z07:00", DtZone::Local),
    ("2006-01-02T15:04", DtZone::Fixed("datetime-local")),
    ("15:04", DtZone::Fixed("time-local")),
];

/// `valueDatetime` after the `z`/`t`/space replacement.
fn parse_datetime(v: &str) -> Option<GoTime> {
    // Go's time.Parse reads a fraction only when a digit follows the point.
    let b = v.as_bytes();
    if b.iter()
        .enumerate()
        .any(|(i, &c)| c == b'.' && !b.get(i + 1).is_some_and(u8::is_ascii_digit))
    {
        return None;
    }
    for (layout, zone) in &DT_TYPES {
        let Ok(mut t) = gotime::parse(layout, v) else {
            continue;
        };
        if !go_offset_ok(v) {
            continue;
        }
        if missing_leading_zero(v, layout) {
            return None;
        }
        if layout.starts_with("15") {
            // A layout without a date gives year 0 (January 1) in Go.
            t.unix -= (gotime::days_from_civil(1, 1, 1) - gotime::days_from_civil(0, 1, 1)) * 86400;
        }
        return Some(match zone {
            DtZone::Local => t,
            DtZone::Fixed(name) => GoTime {
                zone: Rc::from(*name),
                ..t
            },
        });
    }
    None
}

/// Go's `time.Parse` refuses an offset hour above 24 or minute above 60.
fn go_offset_ok(v: &str) -> bool {
    let b = v.as_bytes();
    if b.len() < 6 {
        return true;
    }
    let tail = &b[b.len() - 6..];
    let digits = [tail[1], tail[2], tail[4], tail[5]];
    if (tail[0] == b'+' || tail[0] == b'-')
        && tail[3] == b':'
        && v.contains('T')
        && digits.iter().all(u8::is_ascii_digit)
    {
        let num = |a: u8, b: u8| u32::from(a - b'0') * 10 + u32::from(b - b'0');
        return num(tail[1], tail[2]) <= 24 && num(tail[4], tail[5]) <= 60;
    }
    true
}

/// `missingLeadingZero`: Go's `time.Parse` accepts a one-digit hour; TOML does not.
fn missing_leading_zero(d: &str, l: &str) -> bool {
    let d = d.as_bytes();
    for (i, &c) in l.as_bytes().iter().enumerate() {
        if c == b'.' || c == b'Z' {
            return false;
        }
        if !c.is_ascii_digit() && d.get(i) != Some(&c) {
            return true;
        }
    }
    false
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::template::value::sprint_v;

    fn show(doc: &str) -> String {
        match parse(doc) {
            Ok(v) => sprint_v(&v),
            Err(e) => format!("map[Error:{e}]"),
        }
    }

    /// Every TOML datetime form becomes a `time.Time` printed as helm v4.1.4 prints it
    /// (with TZ=UTC): offset datetimes in UTC, the local zone (a zero offset) or an
    /// unnamed fixed zone; local datetimes, dates and times in BurntSushi's fixed zones.
    #[test]
    fn datetimes_are_go_times() {
        let doc = "odt = 1979-05-27T07:32:00Z\n\
                   odt2 = 1979-05-27T00:32:00.999999-07:00\n\
                   odt3 = 1979-05-27 07:32:00+00:00\n\
                   ldt = 1979-05-27T07:32:00\n\
                   ld = 1979-05-27\n\
                   lt = 07:32:00.25\n\
                   lt2 = 07:32\n\
                   [[tbl]]\n\
                   at = 2000-02-29t23:59:59z\n";
        assert_eq!(
            show(doc),
            "map[ld:1979-05-27 00:00:00 +0000 date-local \
             ldt:1979-05-27 07:32:00 +0000 datetime-local \
             lt:0000-01-01 07:32:00.25 +0000 time-local \
             lt2:0000-01-01 07:32:00 +0000 time-local \
             odt:1979-05-27 07:32:00 +0000 UTC \
             odt2:1979-05-27 00:32:00.999999 -0700 -0700 \
             odt3:1979-05-27 07:32:00 +0000 UTC \
             tbl:[map[at:2000-02-29 23:59:59 +0000 UTC]]]"
        );
        let v = parse(doc).expect("valid TOML");
        let opts = crate::template::funcs::json::Opts {
            escape_html: true,
            indent: false,
        };
        let json = crate::template::funcs::json::marshal(&v, opts).expect("marshals");
        assert_eq!(
            json,
            "{\"ld\":\"1979-05-27T00:00:00Z\",\"ldt\":\"1979-05-27T07:32:00Z\",\
             \"lt\":\"0000-01-01T07:32:00.25Z\",\"lt2\":\"0000-01-01T07:32:00Z\",\
             \"odt\":\"1979-05-27T07:32:00Z\",\"odt2\":\"1979-05-27T00:32:00.999999-07:00\",\
             \"odt3\":\"1979-05-27T07:32:00Z\",\"tbl\":[{\"at\":\"2000-02-29T23:59:59Z\"}]}"
        );
        let crate::template::value::Val::Map(m) = &v else {
            panic!("not a map");
        };
        let tbl = m.entries.borrow().get("tbl").cloned().expect("tbl");
        assert_eq!(tbl.type_name(), "[]map[string]interface {}");
    }

    #[test]
    fn strings_and_numbers() {
        assert_eq!(
            show("s = \"\"\"\nline\\\n   cont\\u00e9\"\"\"\nn = -nan\nl = '''\nraw\\n'''\n"),
            "map[l:raw\\n n:NaN s:lineconté]"
        );
    }

    /// BurntSushi's error messages, with the line and the last key.
    #[test]
    fn errors_as_burntsushi_words_them() {
        assert_eq!(
            show("a = 1\na = 2\n"),
            "map[Error:toml: line 2 (last key \"a\"): Key 'a' has already been defined.]"
        );
        assert_eq!(
            show("k = 1979-05-27T07:32:00.Z\n"),
            "map[Error:toml: line 1 (last key \"k\"): invalid datetime: \"1979-05-27T07:32:00.Z\"]"
        );
        assert_eq!(
            show("k = [1, \n  2,, ]\n"),
            "map[Error:toml: line 2 (last key \"k\"): unexpected comma]"
        );
        assert_eq!(
            show("s = \"\"\"\nx\"\"\"\nn = -nan\ni = 0x_1\n"),
            "map[Error:toml: line 4 (last key \"i\"): not a hexadecimal number: '0x_']"
        );
        assert_eq!(
            show("k = 9223372036854775808\n"),
            "map[Error:toml: line 1 (last key \"k\"): 9223372036854775808 is out of range for int64]"
        );
    }

    #[test]
    fn hostile_input_does_not_panic() {
        for doc in [
            "[[[",
            "a = [[[[[[",
            "a = {{{{",
            "\"\"\"",
            "a.b.c.d.e = 1\n[a.b]\n[[a.b]]",
            "= =",
            "a = 1979-",
            "\u{0}",
            "a = \"\\U0011FFFF\"",
            "x = 0b",
            "[a]\n[a.b]\n[a]",
        ] {
            let _ = parse(doc);
        }
        // Nesting is bounded (templates run on a large stack; so does this check).
        let deep = std::thread::Builder::new()
            .stack_size(256 << 20)
            .spawn(|| parse(&("a = ".to_string() + &"[".repeat(20_000))).is_err())
            .expect("spawn")
            .join()
            .expect("no panic");
        assert!(deep);
    }
}
