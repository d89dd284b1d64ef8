//! The scanner and parser of Flux's substitution language (`fluxcd/pkg/envsubst/parse`
//! v1.7.1, a fork of drone/envsubst), reproduced step for step: the scanner works on the
//! bytes of the line, decodes one rune at a time as Go does (invalid UTF-8 is one
//! `U+FFFD` of width 1), treats a NUL as the end of input, and deletes escape characters
//! from its buffer as it meets them (`$$` → `$`; `\/` and `\\` inside a replacement).

use super::EnvsubstError;
use crate::go::strconv::decode_rune;

/// What the scanner returns at the end of the input (and for a NUL byte, as Go's `eof`).
const EOF: char = '\0';

/// How deep `${...}` may nest inside operator arguments.
pub(super) const MAX_DEPTH: usize = 512;

/// A node of the parsed line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) enum Node {
    /// Literal bytes.
    Text(Vec<u8>),
    /// `${...}`: the variable, the operator (`""`, `:-`, `#`, `//`, ...) and its arguments.
    Func {
        param: String,
        name: String,
        args: Vec<Node>,
    },
    /// Nodes one after the other.
    List(Vec<Node>),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Token {
    Illegal,
    Eof,
    Ident,
    Lbrack,
    Rbrack,
}

const SCAN_IDENT: u8 = 1;
const SCAN_LBRACK: u8 = 2;
const SCAN_RBRACK: u8 = 4;
const SCAN_ESCAPE: u8 = 8;

const ESC_DOLLAR: u8 = 1;
const ESC_BACKSLASH: u8 = 2;
const ESC_ALL: u8 = ESC_DOLLAR | ESC_BACKSLASH;

/// Which runes an identifier may hold; `i` is the byte offset after the rune.
type Accept = fn(char, usize) -> bool;

fn accept_rune(_: char, _: usize) -> bool {
    true
}
fn accept_ident(r: char, _: usize) -> bool {
    crate::go::unicode::is_letter(r) || crate::go::unicode::is_digit(r) || r == '_'
}
fn accept_colon(r: char, _: usize) -> bool {
    r == ':'
}
fn accept_one_hash(r: char, i: usize) -> bool {
    r == '#' && i == 1
}
fn accept_not_closing(r: char, _: usize) -> bool {
    r != '}'
}
fn accept_hash_func(r: char, i: usize) -> bool {
    r == '#' && i < 3
}
fn accept_percent_func(r: char, i: usize) -> bool {
    r == '%' && i < 3
}
fn accept_default_func(r: char, i: usize) -> bool {
    (i == 1 && r == ':') || (i == 2 && matches!(r, '=' | '-' | '?' | '+'))
}
fn accept_replace_func(r: char, i: usize) -> bool {
    (i == 1 && r == '/') || (i == 2 && matches!(r, '/' | '#' | '%'))
}
fn accept_one_equal(r: char, i: usize) -> bool {
    i == 1 && r == '='
}
fn accept_one_colon(r: char, i: usize) -> bool {
    i == 1 && r == ':'
}
fn reject_colon_close(r: char, _: usize) -> bool {
    r != ':' && r != '}'
}
fn accept_slash(r: char, _: usize) -> bool {
    r == '/'
}
fn accept_not_slash(r: char, _: usize) -> bool {
    r != '/'
}
fn accept_casing_func(r: char, i: usize) -> bool {
    (r == ',' || r == '^') && i < 3
}

struct Scanner {
    buf: Vec<u8>,
    pos: usize,
    start: usize,
    width: usize,
    mode: u8,
    escape: u8,
    accept: Accept,
}

impl Scanner {
    fn read(&mut self) -> char {
        if self.pos >= self.buf.len() {
            self.width = 0;
            return EOF;
        }
        let (r, w) = decode_rune(&self.buf[self.pos..]);
        self.width = w;
        self.pos += w;
        r
    }

    fn unread(&mut self) {
        self.pos = self.pos.saturating_sub(self.width);
    }

    /// Deletes the byte before `pos` (the first character of an escape) from the buffer.
    fn skip(&mut self) {
        self.buf.remove(self.pos - 1);
    }

    fn peek(&mut self) -> char {
        let r = self.read();
        self.unread();
        r
    }

    fn text(&self) -> Vec<u8> {
        self.buf[self.start..self.pos].to_vec()
    }

    fn scan(&mut self) -> Token {
        self.start = self.pos;
        let r = self.read();
        if r == EOF {
            Token::Eof
        } else if self.scan_lbrack(r) {
            Token::Lbrack
        } else if self.scan_rbrack(r) {
            Token::Rbrack
        } else if self.scan_ident(r) {
            Token::Ident
        } else {
            Token::Illegal
        }
    }

    fn scan_ident(&mut self, r: char) -> bool {
        if self.mode & SCAN_IDENT == 0 {
            return false;
        }
        if self.scan_escaped(r) {
            self.skip();
        } else if !(self.accept)(r, self.pos - self.start) {
            return false;
        }
        loop {
            let r = self.read();
            if r == EOF {
                self.unread();
                break;
            }
            if self.scan_lbrack(r) {
                self.unread();
                self.unread();
                break;
            }
            if self.scan_escaped(r) {
                self.skip();
                continue;
            }
            if !(self.accept)(r, self.pos - self.start) {
                self.unread();
                break;
            }
        }
        true
    }

    fn scan_lbrack(&mut self, r: char) -> bool {
        if self.mode & SCAN_LBRACK == 0 {
            return false;
        }
        if r == '$' {
            if self.read() == '{' {
                return true;
            }
            self.unread();
        }
        false
    }

    fn scan_rbrack(&self, r: char) -> bool {
        self.mode & SCAN_RBRACK != 0 && r == '}'
    }

    fn scan_escaped(&mut self, r: char) -> bool {
        if self.mode & SCAN_ESCAPE == 0 {
            return false;
        }
        if r == '$' && self.escape & ESC_DOLLAR != 0 && self.peek() == '$' {
            return true;
        }
        if r == '\\' && self.escape & ESC_BACKSLASH != 0 {
            return matches!(self.peek(), '/' | '\\');
        }
        false
    }
}

/// Parses one line (or any text) into its nodes.
pub(super) fn parse(input: &[u8]) -> Result<Node, EnvsubstError> {
    let mut p = Parser {
        s: Scanner {
            buf: input.to_vec(),
            pos: 0,
            start: 0,
            width: 0,
            mode: 0,
            escape: 0,
            accept: accept_rune,
        },
        depth: 0,
    };
    p.parse_any()
}

struct Parser {
    s: Scanner,
    depth: usize,
}

impl Parser {
    /// `parseAny`, as a loop (Go recurses once per token).
    fn parse_any(&mut self) -> Result<Node, EnvsubstError> {
        let mut nodes = Vec::new();
        loop {
            self.s.accept = accept_rune;
            self.s.mode = SCAN_IDENT | SCAN_LBRACK | SCAN_ESCAPE;
            self.s.escape = ESC_DOLLAR;
            match self.s.scan() {
                Token::Ident => nodes.push(Node::Text(self.s.text())),
                Token::Eof => break,
                Token::Lbrack => nodes.push(self.parse_func()?),
                _ => return Err(EnvsubstError::BadSubstitution),
            }
        }
        Ok(match nodes.len() {
            1 => nodes.remove(0),
            _ => Node::List(nodes),
        })
    }

    fn parse_func(&mut self) -> Result<Node, EnvsubstError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(EnvsubstError::TooDeep);
        }
        let node = self.parse_func_inner();
        self.depth -= 1;
        node
    }

    fn parse_func_inner(&mut self) -> Result<Node, EnvsubstError> {
        self.s.escape = ESC_ALL;
        if self.s.peek() == '#' {
            return self.parse_len_func();
        }
        self.s.accept = accept_ident;
        self.s.mode = SCAN_IDENT;
        let name = match self.s.scan() {
            Token::Ident => lossy(self.s.text()),
            _ => return Err(EnvsubstError::ParseVariableName),
        };
        match self.s.peek() {
            ':' => return self.parse_default_or_substr(name),
            '=' => return self.parse_default_func(name),
            ',' | '^' => return self.parse_casing_func(name),
            '/' => return self.parse_replace_func(name),
            '#' => return self.parse_remove_func(name, accept_hash_func),
            '%' => return self.parse_remove_func(name, accept_percent_func),
            _ => {}
        }
        self.s.accept = accept_ident;
        self.s.mode = SCAN_RBRACK;
        match self.s.scan() {
            Token::Rbrack => Ok(Node::Func {
                param: name,
                name: String::new(),
                args: Vec::new(),
            }),
            _ => Err(EnvsubstError::MissingClosingBrace),
        }
    }

    fn parse_param(&mut self, accept: Accept, mode: u8) -> Result<Node, EnvsubstError> {
        self.s.accept = accept;
        self.s.mode = mode | SCAN_LBRACK;
        match self.s.scan() {
            Token::Lbrack => self.parse_func(),
            Token::Ident | Token::Rbrack => Ok(Node::Text(self.s.text())),
            _ => Err(EnvsubstError::ParseFuncSubstitution),
        }
    }

    /// The operator's name, scanned with `accept`, or `err`.
    fn op_name(&mut self, accept: Accept, err: EnvsubstError) -> Result<String, EnvsubstError> {
        self.s.accept = accept;
        self.s.mode = SCAN_IDENT;
        match self.s.scan() {
            Token::Ident => Ok(lossy(self.s.text())),
            _ => Err(err),
        }
    }

    fn parse_default_or_substr(&mut self, name: String) -> Result<Node, EnvsubstError> {
        self.s.read();
        let r = self.s.peek();
        self.s.unread();
        match r {
            '=' | '-' | '?' | '+' => self.parse_default_func(name),
            _ => self.parse_substr_func(name),
        }
    }

    fn parse_substr_func(&mut self, param: String) -> Result<Node, EnvsubstError> {
        let name = self.op_name(accept_one_colon, EnvsubstError::BadSubstitution)?;
        let mut args = vec![self.parse_param(reject_colon_close, SCAN_IDENT)?];
        self.s.accept = accept_colon;
        self.s.mode = SCAN_IDENT | SCAN_RBRACK;
        match self.s.scan() {
            Token::Rbrack => return Ok(Node::Func { param, name, args }),
            Token::Ident => {}
            _ => return Err(EnvsubstError::BadSubstitution),
        }
        args.push(self.parse_param(accept_not_closing, SCAN_IDENT)?);
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_remove_func(&mut self, param: String, accept: Accept) -> Result<Node, EnvsubstError> {
        let name = self.op_name(accept, EnvsubstError::BadSubstitution)?;
        let args = vec![self.parse_param(accept_not_closing, SCAN_IDENT)?];
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_replace_func(&mut self, param: String) -> Result<Node, EnvsubstError> {
        let name = self.op_name(accept_replace_func, EnvsubstError::BadSubstitution)?;
        let mut args = vec![self.parse_param(accept_not_slash, SCAN_IDENT | SCAN_ESCAPE)?];
        self.s.accept = accept_slash;
        self.s.mode = SCAN_IDENT;
        if self.s.scan() != Token::Ident {
            return Err(EnvsubstError::BadSubstitution);
        }
        if self.s.peek() != '}' {
            args.push(self.parse_param(accept_not_closing, SCAN_IDENT | SCAN_ESCAPE)?);
        }
        self.consume_rbrack()?;
        Ok(Node::Func { param, name, args })
    }

    fn parse_default_func(&mut self, param: String) -> Result<Node, EnvsubstError> {
        let accept: Accept = if self.s.peek() == '=' {
            accept_one_equal
        } else {
            accept_default_func
        };
        let name = self.op_name(accept, EnvsubstError::ParseDefaultFunction)?;
        let mut args = Vec::new();
        loop {
            if self.s.peek() == '}' {
                self.consume_rbrack()?;
                return Ok(Node::Func { param, name, args });
            }
            args.push(self.parse_param(accept_not_closing, SCAN_IDENT)?);
        }
    }

    fn parse_casing_func(&mut self, param: String) -> Result<Node, EnvsubstError> {
        let name = self.op_name(accept_casing_func, EnvsubstError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn parse_len_func(&mut self) -> Result<Node, EnvsubstError> {
        let name = self.op_name(accept_one_hash, EnvsubstError::BadSubstitution)?;
        let param = self.op_name(accept_ident, EnvsubstError::BadSubstitution)?;
        self.consume_rbrack()?;
        Ok(Node::Func {
            param,
            name,
            args: Vec::new(),
        })
    }

    fn consume_rbrack(&mut self) -> Result<(), EnvsubstError> {
        self.s.mode = SCAN_RBRACK;
        match self.s.scan() {
            Token::Rbrack => Ok(()),
            _ => Err(EnvsubstError::BadSubstitution),
        }
    }
}

/// Operator and variable names are made of runes the scanner accepted, so valid UTF-8
/// (an invalid byte decodes as `U+FFFD`, which no name accepts).
fn lossy(b: Vec<u8>) -> String {
    String::from_utf8(b).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}
