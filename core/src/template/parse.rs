//! The parser: a port of Go's `text/template/parse` producing a tree of nodes per
//! template name.

use std::collections::HashMap;
use std::fmt;
use std::sync::Arc;

use super::error::TemplateError;
use super::funcs::FnDef;
use super::lex::{Item, ItemType, Lexer};

/// A list of nodes.
#[derive(Debug, Clone, Default)]
pub struct ListNode {
    /// The nodes in order.
    pub nodes: Vec<Node>,
}

/// A node of a template body.
#[derive(Debug, Clone)]
pub enum Node {
    /// Plain text.
    Text(String),
    /// `{{ pipeline }}`.
    Action(Pipe),
    /// `{{if}}`, `{{with}}` or `{{range}}`.
    Control(Box<Control>),
    /// `{{template "name" pipeline}}` (also produced by `{{block}}`).
    Template(Box<TemplateCall>),
    /// `{{break}}`.
    Break,
    /// `{{continue}}`.
    Continue,
}

/// Which control structure a [`Control`] node is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ControlKind {
    /// `{{if}}`.
    If,
    /// `{{with}}`.
    With,
    /// `{{range}}`.
    Range,
}

/// An if / with / range node.
#[derive(Debug, Clone)]
pub struct Control {
    /// The kind.
    pub kind: ControlKind,
    /// The condition / subject pipeline.
    pub pipe: Pipe,
    /// The body.
    pub list: ListNode,
    /// The else branch.
    pub else_list: Option<ListNode>,
}

/// A `{{template}}` invocation.
#[derive(Debug, Clone)]
pub struct TemplateCall {
    /// Position of the name.
    pub pos: usize,
    /// Template name.
    pub name: String,
    /// The argument pipeline.
    pub pipe: Option<Pipe>,
}

/// A pipeline with optional variable declarations.
#[derive(Debug, Clone)]
pub struct Pipe {
    /// Position.
    pub pos: usize,
    /// `=` rather than `:=`.
    pub is_assign: bool,
    /// Declared variables.
    pub decl: Vec<String>,
    /// The commands.
    pub cmds: Vec<Command>,
}

/// A command: a function/field/value with arguments.
#[derive(Debug, Clone)]
pub struct Command {
    /// Position.
    pub pos: usize,
    /// Arguments; the first is the operation.
    pub args: Vec<Arg>,
}

/// A template function, as an identifier names it.
#[derive(Clone, Copy)]
pub struct Func(pub(crate) &'static FnDef);

impl fmt::Debug for Func {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Func")
    }
}

/// A parsed number literal (Go's NumberNode).
#[derive(Debug, Clone)]
pub struct Number {
    /// Original text.
    pub text: String,
    /// Fits an int64.
    pub is_int: bool,
    /// Fits a uint64.
    pub is_uint: bool,
    /// Representable as float64.
    pub is_float: bool,
    /// Is a complex literal.
    pub is_complex: bool,
    /// Int value.
    pub int: i64,
    /// Uint value.
    pub uint: u64,
    /// Float value.
    pub float: f64,
    /// Complex value (re, im).
    pub complex: (f64, f64),
}

/// An operand.
#[derive(Debug, Clone)]
pub enum Arg {
    /// `.A.B`.
    Field(usize, Vec<String>),
    /// `(pipe).A.B` or `fn.A`.
    Chain(usize, Box<Arg>, Vec<String>),
    /// A function name, and the function (looked up once, when parsing).
    Identifier(usize, String, Func),
    /// `.`.
    Dot(usize),
    /// `nil`.
    Nil(usize),
    /// `true` / `false`.
    Bool(usize, bool),
    /// A number.
    Number(usize, Box<Number>),
    /// A string: (quoted original, value).
    String(usize, String, String),
    /// `$x.A.B`.
    Variable(usize, Vec<String>),
    /// A parenthesized pipeline.
    Pipe(Box<Pipe>),
}

impl Arg {
    /// Byte position in the template text.
    pub fn pos(&self) -> usize {
        match self {
            Arg::Field(p, _)
            | Arg::Chain(p, _, _)
            | Arg::Identifier(p, _, _)
            | Arg::Dot(p)
            | Arg::Nil(p)
            | Arg::Bool(p, _)
            | Arg::Number(p, _)
            | Arg::String(p, _, _)
            | Arg::Variable(p, _) => *p,
            Arg::Pipe(p) => p.pos,
        }
    }
}

impl fmt::Display for Arg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Arg::Field(_, id) => {
                for s in id {
                    write!(f, ".{s}")?;
                }
                Ok(())
            }
            Arg::Chain(_, n, fields) => {
                if let Arg::Pipe(_) = **n {
                    write!(f, "({n})")?;
                } else {
                    write!(f, "{n}")?;
                }
                for s in fields {
                    write!(f, ".{s}")?;
                }
                Ok(())
            }
            Arg::Identifier(_, s, _) => f.write_str(s),
            Arg::Dot(_) => f.write_str("."),
            Arg::Nil(_) => f.write_str("nil"),
            Arg::Bool(_, b) => write!(f, "{b}"),
            Arg::Number(_, n) => f.write_str(&n.text),
            Arg::String(_, q, _) => f.write_str(q),
            Arg::Variable(_, id) => f.write_str(&id.join(".")),
            Arg::Pipe(p) => write!(f, "{p}"),
        }
    }
}

impl fmt::Display for Command {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, a) in self.args.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            if let Arg::Pipe(_) = a {
                write!(f, "({a})")?;
            } else {
                write!(f, "{a}")?;
            }
        }
        Ok(())
    }
}

impl fmt::Display for Pipe {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if !self.decl.is_empty() {
            f.write_str(&self.decl.join(", "))?;
            f.write_str(if self.is_assign { " = " } else { " := " })?;
        }
        for (i, c) in self.cmds.iter().enumerate() {
            if i > 0 {
                f.write_str(" | ")?;
            }
            write!(f, "{c}")?;
        }
        Ok(())
    }
}

impl fmt::Display for TemplateCall {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.pipe {
            None => write!(
                f,
                "{{{{template {}}}}}",
                crate::go::strconv::quote(&self.name)
            ),
            Some(p) => write!(
                f,
                "{{{{template {} {}}}}}",
                crate::go::strconv::quote(&self.name),
                p
            ),
        }
    }
}

/// One named template: its body and the text it was parsed from.
#[derive(Debug)]
pub struct Tree {
    /// The template's name.
    pub name: String,
    /// The name of the file/text it was parsed from (for error positions).
    pub parse_name: String,
    /// The whole source text.
    pub text: Arc<str>,
    /// The body.
    pub root: ListNode,
}

impl Tree {
    /// Go's `ErrorContext` location: `NAME:LINE:COL`.
    pub fn location(&self, pos: usize) -> String {
        let pos = pos.min(self.text.len());
        let text = &self.text[..pos];
        let col = match text.rfind('\n') {
            None => pos,
            Some(i) => pos - (i + 1),
        };
        let line = 1 + text.matches('\n').count();
        format!("{}:{}:{}", self.parse_name, line, col)
    }
}

/// Whether a tree body is "empty" in Go's sense (only space text and comments).
fn is_empty_list(l: &ListNode) -> bool {
    l.nodes.iter().all(|n| match n {
        Node::Text(t) => t.trim_matches(|c: char| c.is_ascii_whitespace()).is_empty(),
        _ => false,
    })
}

type Decl = (bool, usize, String);

enum Parsed {
    Node(Node),
    End,
    Else,
}

/// Parses one text into templates; `treeset` receives every definition.
pub(crate) struct Parser<'f> {
    lexer: Lexer<'f>,
    /// The last [`WINDOW`] lexed items: item `i` (absolute index) is at `i % WINDOW`
    /// (the parser backs up a handful of items at most).
    items: [Item<'f>; WINDOW],
    /// Items lexed so far.
    lexed: usize,
    lexed_all: bool,
    idx: usize,
    max_read: usize,
    /// Line of the furthest item read (for error messages).
    max_line: usize,
    name: String,
    parse_name: String,
    text: Arc<str>,
    vars: Vec<String>,
    range_depth: usize,
    stack_depth: usize,
    action_line: usize,
    has_func: &'f dyn Fn(&str) -> Option<&'static FnDef>,
    treeset: HashMap<String, Tree>,
}

type PResult<T> = Result<T, TemplateError>;

const MAX_STACK_DEPTH: usize = 10000;
/// Lexed items kept (the parser backs up at most a handful).
const WINDOW: usize = 32;

impl<'f> Parser<'f> {
    /// Parses `text` as the template `name`; returns all trees it defines (including
    /// `name` itself).
    pub(crate) fn parse(
        name: &str,
        text: &'f str,
        has_func: &'f dyn Fn(&str) -> Option<&'static FnDef>,
    ) -> PResult<HashMap<String, Tree>> {
        let mut p = Parser {
            lexer: Lexer::new(text),
            items: [Item {
                typ: ItemType::Eof,
                pos: 0,
                val: "",
                line: 0,
            }; WINDOW],
            lexed: 0,
            lexed_all: false,
            idx: 0,
            max_read: 0,
            max_line: 1,
            name: name.to_string(),
            parse_name: name.to_string(),
            text: Arc::from(text),
            vars: vec!["$".into()],
            range_depth: 0,
            stack_depth: 0,
            action_line: 0,
            has_func,
            treeset: HashMap::new(),
        };
        let root = p.parse_top()?;
        let n = p.name.clone();
        p.add(n, root)?;
        Ok(p.treeset)
    }

    fn add(&mut self, name: String, root: ListNode) -> PResult<()> {
        if let Some(existing) = self.treeset.get(&name)
            && !is_empty_list(&existing.root)
        {
            if !is_empty_list(&root) {
                return Err(self.err(format!(
                    "template: multiple definition of template {}",
                    crate::go::strconv::quote(&name)
                )));
            }
            return Ok(());
        }
        self.treeset.insert(
            name.clone(),
            Tree {
                name,
                parse_name: self.parse_name.clone(),
                text: self.text.clone(),
                root,
            },
        );
        Ok(())
    }

    fn err(&self, msg: String) -> TemplateError {
        let line = self.max_line;
        TemplateError::Parse(format!("template: {}:{}: {}", self.parse_name, line, msg))
    }

    fn next(&mut self) -> Item<'f> {
        if self.idx >= self.lexed {
            if self.lexed_all {
                // The lexer ended with Eof or Error: that item repeats.
                self.idx = self.lexed - 1;
            } else {
                let it = self.lexer.next_item();
                self.lexed_all = matches!(it.typ, ItemType::Eof | ItemType::Error);
                self.items[self.lexed % WINDOW] = it;
                self.lexed += 1;
                self.idx = self.lexed - 1;
            }
        }
        let item = self.items[self.idx % WINDOW];
        self.idx += 1;
        if self.idx > self.max_read {
            self.max_read = self.idx;
            self.max_line = item.line;
        }
        item
    }

    fn backup(&mut self) {
        self.idx -= 1;
    }

    fn peek(&mut self) -> Item<'f> {
        let it = self.next();
        self.backup();
        it
    }

    fn next_non_space(&mut self) -> Item<'f> {
        loop {
            let t = self.next();
            if t.typ != ItemType::Space {
                return t;
            }
        }
    }

    fn peek_non_space(&mut self) -> Item<'f> {
        let t = self.next_non_space();
        self.backup();
        t
    }

    fn unexpected(&self, token: &Item<'_>, context: &str) -> TemplateError {
        if token.typ == ItemType::Error {
            let msg = self.lexer.error_message();
            let mut extra = String::new();
            if self.action_line != 0 && self.action_line != token.line {
                extra = format!(
                    " in action started at {}:{}",
                    self.parse_name, self.action_line
                );
                if msg.ends_with(" action") {
                    extra = extra[" in action".len()..].to_string();
                }
            }
            return self.err(format!("{msg}{extra}"));
        }
        self.err(format!("unexpected {token} in {context}"))
    }

    fn expect(&mut self, t: ItemType, context: &str) -> PResult<Item<'f>> {
        let tok = self.next_non_space();
        if tok.typ != t {
            return Err(self.unexpected(&tok, context));
        }
        Ok(tok)
    }

    fn parse_top(&mut self) -> PResult<ListNode> {
        let mut root = ListNode::default();
        while self.peek().typ != ItemType::Eof {
            if self.peek().typ == ItemType::LeftDelim {
                let save = self.idx;
                self.next();
                if self.next_non_space().typ == ItemType::Define {
                    self.parse_definition()?;
                    continue;
                }
                self.idx = save;
            }
            match self.text_or_action()? {
                Parsed::End => return Err(self.err("unexpected {{end}}".into())),
                Parsed::Else => return Err(self.err("unexpected {{else}}".into())),
                Parsed::Node(n) => root.nodes.push(n),
            }
        }
        Ok(root)
    }

    fn parse_definition(&mut self) -> PResult<()> {
        let context = "define clause";
        let tok = self.next_non_space();
        if tok.typ != ItemType::String && tok.typ != ItemType::RawString {
            return Err(self.unexpected(&tok, context));
        }
        let name = unquote(tok.val).map_err(|e| self.err(e))?;
        self.expect(ItemType::RightDelim, context)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = self.range_depth;
        self.range_depth = 0;
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        if let Parsed::Else = end {
            return Err(self.err(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add(name, list)
    }

    fn item_list(&mut self) -> PResult<(ListNode, Parsed)> {
        let mut list = ListNode::default();
        while self.peek_non_space().typ != ItemType::Eof {
            match self.text_or_action()? {
                Parsed::Node(n) => list.nodes.push(n),
                other => return Ok((list, other)),
            }
        }
        Err(self.err("unexpected EOF".into()))
    }

    fn text_or_action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Text => Ok(Parsed::Node(Node::Text(tok.val.to_string()))),
            ItemType::LeftDelim => {
                self.action_line = tok.line;
                let r = self.action();
                self.action_line = 0;
                r
            }
            _ => Err(self.unexpected(&tok, "input")),
        }
    }

    fn action(&mut self) -> PResult<Parsed> {
        let tok = self.next_non_space();
        match tok.typ {
            ItemType::Block => return self.block_control().map(Parsed::Node),
            ItemType::Break => return self.break_continue(true),
            ItemType::Continue => return self.break_continue(false),
            ItemType::Else => return self.else_control(),
            ItemType::End => {
                self.expect(ItemType::RightDelim, "end")?;
                return Ok(Parsed::End);
            }
            ItemType::If => return self.control(ControlKind::If).map(Parsed::Node),
            ItemType::Range => return self.control(ControlKind::Range).map(Parsed::Node),
            ItemType::Template => return self.template_control().map(Parsed::Node),
            ItemType::With => return self.control(ControlKind::With).map(Parsed::Node),
            _ => {}
        }
        self.backup();
        let pipe = self.pipeline("command", ItemType::RightDelim)?;
        Ok(Parsed::Node(Node::Action(pipe)))
    }

    fn break_continue(&mut self, is_break: bool) -> PResult<Parsed> {
        let name = if is_break {
            "{{break}}"
        } else {
            "{{continue}}"
        };
        let tok = self.next_non_space();
        if tok.typ != ItemType::RightDelim {
            return Err(self.unexpected(&tok, name));
        }
        if self.range_depth == 0 {
            return Err(self.err(format!("{name} outside {{{{range}}}}")));
        }
        Ok(Parsed::Node(if is_break {
            Node::Break
        } else {
            Node::Continue
        }))
    }

    fn else_control(&mut self) -> PResult<Parsed> {
        let peek = self.peek_non_space();
        if peek.typ == ItemType::If || peek.typ == ItemType::With {
            return Ok(Parsed::Else);
        }
        self.expect(ItemType::RightDelim, "else")?;
        Ok(Parsed::Else)
    }

    fn control(&mut self, kind: ControlKind) -> PResult<Node> {
        let context = match kind {
            ControlKind::If => "if",
            ControlKind::With => "with",
            ControlKind::Range => "range",
        };
        let nvars = self.vars.len();
        let r = self.control_inner(kind, context);
        self.vars.truncate(nvars);
        r
    }

    fn control_inner(&mut self, kind: ControlKind, context: &str) -> PResult<Node> {
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        if kind == ControlKind::Range {
            self.range_depth += 1;
        }
        let (list, next) = self.item_list()?;
        if kind == ControlKind::Range {
            self.range_depth -= 1;
        }
        let mut else_list = None;
        match next {
            Parsed::End => {}
            Parsed::Else => {
                if kind == ControlKind::If && self.peek().typ == ItemType::If {
                    self.next();
                    let n = self.control(ControlKind::If)?;
                    else_list = Some(ListNode { nodes: vec![n] });
                } else if kind == ControlKind::With && self.peek().typ == ItemType::With {
                    self.next();
                    let n = self.control(ControlKind::With)?;
                    else_list = Some(ListNode { nodes: vec![n] });
                } else {
                    let (l, next) = self.item_list()?;
                    match next {
                        Parsed::End => {}
                        _ => return Err(self.err("expected end; found {{else}}".into())),
                    }
                    else_list = Some(l);
                }
            }
            Parsed::Node(_) => {}
        }
        Ok(Node::Control(Box::new(Control {
            kind,
            pipe,
            list,
            else_list,
        })))
    }

    fn template_name(&mut self, tok: &Item<'_>, context: &str) -> PResult<String> {
        match tok.typ {
            ItemType::String | ItemType::RawString => unquote(tok.val).map_err(|e| self.err(e)),
            _ => Err(self.unexpected(tok, context)),
        }
    }

    fn block_control(&mut self) -> PResult<Node> {
        let context = "block clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let pipe = self.pipeline(context, ItemType::RightDelim)?;
        let saved_vars = std::mem::replace(&mut self.vars, vec!["$".into()]);
        let saved_depth = self.range_depth;
        self.range_depth = 0;
        let (list, end) = self.item_list()?;
        self.vars = saved_vars;
        self.range_depth = saved_depth;
        if let Parsed::Else = end {
            return Err(self.err(format!("unexpected {{{{else}}}} in {context}")));
        }
        self.add(name.clone(), list)?;
        Ok(Node::Template(Box::new(TemplateCall {
            pos: tok.pos,
            name,
            pipe: Some(pipe),
        })))
    }

    fn template_control(&mut self) -> PResult<Node> {
        let context = "template clause";
        let tok = self.next_non_space();
        let name = self.template_name(&tok, context)?;
        let mut pipe = None;
        if self.next_non_space().typ != ItemType::RightDelim {
            self.backup();
            pipe = Some(self.pipeline(context, ItemType::RightDelim)?);
        }
        Ok(Node::Template(Box::new(TemplateCall {
            pos: tok.pos,
            name,
            pipe,
        })))
    }

    fn pipeline(&mut self, context: &str, end: ItemType) -> PResult<Pipe> {
        let tok = self.peek_non_space();
        let mut pipe = Pipe {
            pos: tok.pos,
            is_assign: false,
            decl: vec![],
            cmds: vec![],
        };
        let mut decls: Vec<Decl> = vec![];
        'decls: loop {
            let v = self.peek_non_space();
            if v.typ != ItemType::Variable {
                break;
            }
            let save = self.idx;
            self.next_non_space();
            let after = self.peek();
            let next = self.peek_non_space();
            if next.typ == ItemType::Assign || next.typ == ItemType::Declare {
                pipe.is_assign = next.typ == ItemType::Assign;
                self.next_non_space();
                decls.push((pipe.is_assign, v.pos, v.val.to_string()));
                self.vars.push(v.val.to_string());
                break;
            } else if next.typ == ItemType::Char && next.val == "," {
                self.next_non_space();
                decls.push((false, v.pos, v.val.to_string()));
                self.vars.push(v.val.to_string());
                if context == "range" && decls.len() < 2 {
                    match self.peek_non_space().typ {
                        ItemType::Variable | ItemType::RightDelim | ItemType::RightParen => {
                            continue 'decls;
                        }
                        _ => return Err(self.err("range can only initialize variables".into())),
                    }
                }
                return Err(self.err(format!("too many declarations in {context}")));
            } else {
                // `$x` used as a value (followed by a space or anything else).
                let _ = after;
                self.idx = save;
                break;
            }
        }
        pipe.decl = decls.into_iter().map(|d| d.2).collect();
        loop {
            let tok = self.next_non_space();
            if tok.typ == end {
                self.check_pipeline(&pipe, context)?;
                return Ok(pipe);
            }
            match tok.typ {
                ItemType::Bool
                | ItemType::CharConstant
                | ItemType::Complex
                | ItemType::Dot
                | ItemType::Field
                | ItemType::Identifier
                | ItemType::Number
                | ItemType::Nil
                | ItemType::RawString
                | ItemType::String
                | ItemType::Variable
                | ItemType::LeftParen => {
                    self.backup();
                    let c = self.command()?;
                    pipe.cmds.push(c);
                }
                _ => return Err(self.unexpected(&tok, context)),
            }
        }
    }

    fn check_pipeline(&self, pipe: &Pipe, context: &str) -> PResult<()> {
        if pipe.cmds.is_empty() {
            return Err(self.err(format!("missing value for {context}")));
        }
        for (i, c) in pipe.cmds.iter().enumerate().skip(1) {
            if matches!(
                c.args.first(),
                Some(Arg::Bool(..) | Arg::Dot(_) | Arg::Nil(_) | Arg::Number(..) | Arg::String(..))
            ) {
                return Err(self.err(format!(
                    "non executable command in pipeline stage {}",
                    i + 1
                )));
            }
        }
        Ok(())
    }

    fn command(&mut self) -> PResult<Command> {
        let pos = self.peek_non_space().pos;
        let mut cmd = Command { pos, args: vec![] };
        loop {
            self.peek_non_space();
            if let Some(op) = self.operand()? {
                cmd.args.push(op);
            }
            let tok = self.next();
            match tok.typ {
                ItemType::Space => continue,
                ItemType::RightDelim | ItemType::RightParen => self.backup(),
                ItemType::Pipe => {}
                _ => return Err(self.unexpected(&tok, "operand")),
            }
            break;
        }
        if cmd.args.is_empty() {
            return Err(self.err("empty command".into()));
        }
        Ok(cmd)
    }

    fn operand(&mut self) -> PResult<Option<Arg>> {
        let Some(node) = self.term()? else {
            return Ok(None);
        };
        if self.peek().typ == ItemType::Field {
            let cpos = self.peek().pos;
            let mut fields = vec![];
            while self.peek().typ == ItemType::Field {
                let f = self.next().val;
                fields.push(f[1..].to_string());
            }
            return Ok(Some(match node {
                Arg::Field(_, mut id) => {
                    id.extend(fields);
                    Arg::Field(cpos, id)
                }
                Arg::Variable(_, mut id) => {
                    id.extend(fields);
                    Arg::Variable(cpos, id)
                }
                Arg::Bool(..) | Arg::String(..) | Arg::Number(..) | Arg::Nil(_) | Arg::Dot(_) => {
                    return Err(self.err(format!(
                        "unexpected . after term {}",
                        crate::go::strconv::quote(&node.to_string())
                    )));
                }
                other => Arg::Chain(cpos, Box::new(other), fields),
            }));
        }
        Ok(Some(node))
    }

    fn term(&mut self) -> PResult<Option<Arg>> {
        let tok = self.next_non_space();
        Ok(Some(match tok.typ {
            ItemType::Identifier => {
                let Some(def) = (self.has_func)(tok.val) else {
                    return Err(self.err(format!(
                        "function {} not defined",
                        crate::go::strconv::quote(tok.val)
                    )));
                };
                Arg::Identifier(tok.pos, tok.val.to_string(), Func(def))
            }
            ItemType::Dot => Arg::Dot(tok.pos),
            ItemType::Nil => Arg::Nil(tok.pos),
            ItemType::Variable => {
                let id: Vec<String> = tok.val.split('.').map(str::to_string).collect();
                if !self.vars.iter().any(|v| *v == id[0]) {
                    return Err(self.err(format!(
                        "undefined variable {}",
                        crate::go::strconv::quote(&id[0])
                    )));
                }
                Arg::Variable(tok.pos, id)
            }
            ItemType::Field => Arg::Field(tok.pos, vec![tok.val[1..].to_string()]),
            ItemType::Bool => Arg::Bool(tok.pos, tok.val == "true"),
            ItemType::CharConstant | ItemType::Complex | ItemType::Number => {
                let n = parse_number(tok.val, tok.typ).map_err(|e| self.err(e))?;
                Arg::Number(tok.pos, Box::new(n))
            }
            ItemType::LeftParen => {
                if self.stack_depth >= MAX_STACK_DEPTH {
                    return Err(self.err("max expression depth exceeded".into()));
                }
                self.stack_depth += 1;
                let p = self.pipeline("parenthesized pipeline", ItemType::RightParen);
                self.stack_depth -= 1;
                Arg::Pipe(Box::new(p?))
            }
            ItemType::String | ItemType::RawString => {
                let s = unquote(tok.val).map_err(|e| self.err(e))?;
                Arg::String(tok.pos, tok.val.to_string(), s)
            }
            _ => {
                self.backup();
                return Ok(None);
            }
        }))
    }
}

/// `strconv.Unquote` of a lexed string: a quoted string without escapes, or a raw string
/// without carriage returns, is its body.
fn unquote(q: &str) -> Result<String, String> {
    let b = q.as_bytes();
    if b.len() >= 2 {
        let body = &q[1..q.len() - 1];
        let plain = match (b[0], b[b.len() - 1]) {
            (b'"', b'"') => !body.contains(['\\', '"', '\n']),
            (b'`', b'`') => !body.contains(['`', '\r']),
            _ => false,
        };
        if plain {
            return Ok(body.to_string());
        }
    }
    crate::go::strconv::unquote(q)
}

/// Go's `newNumber`.
fn parse_number(text: &str, typ: ItemType) -> Result<Number, String> {
    let mut n = Number {
        text: text.to_string(),
        is_int: false,
        is_uint: false,
        is_float: false,
        is_complex: false,
        int: 0,
        uint: 0,
        float: 0.0,
        complex: (0.0, 0.0),
    };
    match typ {
        ItemType::CharConstant => {
            let (c, tail) = crate::go::strconv::unquote_char(&text[1..], '\'')?;
            if tail != "'" {
                return Err(format!("malformed character constant: {text}"));
            }
            let v = c as i64;
            n.int = v;
            n.is_int = true;
            n.uint = v as u64;
            n.is_uint = true;
            n.float = v as f64;
            n.is_float = true;
            return Ok(n);
        }
        ItemType::Complex => {
            // "re+imi" / "re-imi"
            let body = &text[..text.len() - 1];
            let split = body
                .char_indices()
                .skip(1)
                .filter(|&(i, c)| {
                    (c == '+' || c == '-')
                        && !matches!(body.as_bytes()[i - 1], b'e' | b'E' | b'p' | b'P')
                })
                .map(|(i, _)| i)
                .last()
                .ok_or_else(|| "expected integer".to_string())?;
            let re =
                crate::go::strconv::parse_go_float(&body[..split]).ok_or("expected integer")?;
            let im =
                crate::go::strconv::parse_go_float(&body[split..]).ok_or("expected integer")?;
            n.is_complex = true;
            n.complex = (re, im);
            simplify_complex(&mut n);
            return Ok(n);
        }
        _ => {}
    }
    if let Some(body) = text.strip_suffix('i')
        && let Some(f) = crate::go::strconv::parse_go_float(body)
    {
        n.is_complex = true;
        n.complex = (0.0, f);
        simplify_complex(&mut n);
        return Ok(n);
    }
    let u = crate::go::strconv::parse_go_uint(text);
    if let Some(u) = u {
        n.is_uint = true;
        n.uint = u;
    }
    if let Some(i) = crate::go::strconv::parse_go_int(text) {
        n.is_int = true;
        n.int = i;
        if i == 0 {
            n.is_uint = true;
            n.uint = u.unwrap_or(0);
        }
    }
    if n.is_int {
        n.is_float = true;
        n.float = n.int as f64;
    } else if n.is_uint {
        n.is_float = true;
        n.float = n.uint as f64;
    } else if let Some(f) = crate::go::strconv::parse_go_float(text) {
        if !text.contains(['.', 'e', 'E', 'p', 'P']) {
            return Err(format!(
                "integer overflow: {}",
                crate::go::strconv::quote(text)
            ));
        }
        n.is_float = true;
        n.float = f;
        if !n.is_int && (f as i64) as f64 == f {
            n.is_int = true;
            n.int = f as i64;
        }
        if !n.is_uint && f >= 0.0 && (f as u64) as f64 == f {
            n.is_uint = true;
            n.uint = f as u64;
        }
    }
    if !n.is_int && !n.is_uint && !n.is_float {
        return Err(format!(
            "illegal number syntax: {}",
            crate::go::strconv::quote(text)
        ));
    }
    Ok(n)
}

fn simplify_complex(n: &mut Number) {
    n.is_float = n.complex.1 == 0.0;
    if n.is_float {
        n.float = n.complex.0;
        n.is_int = (n.float as i64) as f64 == n.float;
        if n.is_int {
            n.int = n.float as i64;
        }
        n.is_uint = n.float >= 0.0 && (n.float as u64) as f64 == n.float;
        if n.is_uint {
            n.uint = n.float as u64;
        }
    }
}
