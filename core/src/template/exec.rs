//! The executor: Go's `text/template` `exec.go` semantics over [`Val`].

use std::collections::HashMap;
use std::fmt::Display;
use std::rc::Rc;
use std::sync::Arc;

use super::error::TemplateError;
use super::funcs::{self, Builtin, FnDef, PT};
use super::parse::{
    Arg, Command, Control, ControlKind, Func, ListNode, Node, Number, Pipe, TemplateCall, Tree,
};
use super::value::{Elem, MapKind, Val, sprint_v};
use super::{Env, parse::Parser};
use crate::go::strconv;

/// Named trees, shared between executions.
pub(crate) type TreeMap = HashMap<String, Arc<Tree>>;

/// Parsed `tpl` texts (the trees of a text do not depend on where it is executed).
pub(crate) type TplCache = std::sync::Mutex<HashMap<String, Arc<TreeMap>>>;

/// Most texts kept in a [`TplCache`], and the longest text cached.
const TPL_CACHE_ENTRIES: usize = 4096;
const TPL_CACHE_TEXT: usize = 64 << 10;

/// A layer of template definitions (`tpl` adds one over the chart's set).
pub(crate) struct Layer {
    pub trees: Arc<TreeMap>,
    pub parent: Option<Rc<Layer>>,
}

impl Layer {
    pub fn lookup(&self, name: &str) -> Option<Arc<Tree>> {
        match self.trees.get(name) {
            Some(t) => Some(t.clone()),
            None => self.parent.as_ref().and_then(|p| p.lookup(name)),
        }
    }
}

/// Control flow and errors.
pub(crate) enum Flow {
    Break,
    Continue,
    Err(TemplateError),
}

impl From<TemplateError> for Flow {
    fn from(e: TemplateError) -> Self {
        Flow::Err(e)
    }
}

pub(crate) type R<T> = Result<T, Flow>;

/// A node reference used for error context (`at <...>`).
#[derive(Clone, Copy)]
pub(crate) enum Ctx<'a> {
    Arg(&'a Arg),
    Cmd(&'a Command),
    Tmpl(&'a TemplateCall),
}

/// The node text/template's `state.at` last pointed at after evaluating `arg`: inside a
/// parenthesized pipeline, the last argument of its last command (or that command's
/// operation when it has none).
fn last_visited(arg: &Arg) -> Ctx<'_> {
    let mut arg = arg;
    while let Arg::Pipe(p) = arg {
        match p.cmds.last().map(|c| c.args.as_slice()) {
            Some([first]) => {
                if matches!(first, Arg::Pipe(_)) {
                    arg = first;
                } else {
                    return Ctx::Arg(first);
                }
            }
            Some([.., last]) => arg = last,
            _ => break,
        }
    }
    Ctx::Arg(arg)
}

impl Ctx<'_> {
    fn pos(&self) -> usize {
        match self {
            Ctx::Arg(a) => a.pos(),
            Ctx::Cmd(c) => c.pos,
            Ctx::Tmpl(t) => t.pos,
        }
    }
}

impl Display for Ctx<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Ctx::Arg(a) => write!(f, "{a}"),
            Ctx::Cmd(c) => write!(f, "{c}"),
            Ctx::Tmpl(t) => write!(f, "{t}"),
        }
    }
}

/// What is being called.
enum Callee {
    Func(&'static FnDef),
    Method(Val, &'static str, funcs::methods::MethodSig),
}

/// A value with whether its static Go type is `interface {}` (for error wording).
#[derive(Clone)]
pub(crate) struct Dot {
    pub v: Val,
    pub iface: bool,
}

impl Dot {
    pub fn new(v: Val) -> Dot {
        Dot { v, iface: false }
    }
}

/// Execution state for one top-level execution.
pub(crate) struct State<'e> {
    pub env: &'e Env,
    pub set: Rc<Layer>,
    pub root_name: String,
    tpl_cache: &'e TplCache,
    tmpl_name: String,
    tree: Arc<Tree>,
    vars: Vec<(String, Dot)>,
    depth: usize,
    steps: u64,
    out_bytes: usize,
    included: HashMap<String, usize>,
}

const HELM_INCLUDE_MAX: usize = 1000;

impl<'e> State<'e> {
    pub fn new(
        env: &'e Env,
        set: Rc<Layer>,
        tpl_cache: &'e TplCache,
        root_name: &str,
        tree: Arc<Tree>,
    ) -> State<'e> {
        State {
            env,
            set,
            tpl_cache,
            root_name: root_name.to_string(),
            tmpl_name: tree.name.clone(),
            tree,
            vars: vec![],
            depth: 0,
            steps: 0,
            out_bytes: 0,
            included: HashMap::new(),
        }
    }

    /// Executes the current tree with `data` as dot and `$`.
    pub fn run(&mut self, data: Val, out: &mut String) -> Result<(), TemplateError> {
        let tree = self.tree.clone();
        self.vars = vec![("$".into(), Dot::new(data.clone()))];
        match self.walk(&Dot::new(data), &tree.root, out) {
            Ok(()) => Ok(()),
            Err(Flow::Err(e)) => Err(e),
            Err(_) => Ok(()),
        }
    }

    fn errorf(&self, ctx: Ctx<'_>, msg: impl Display) -> Flow {
        let loc = self.tree.location(ctx.pos());
        Flow::Err(TemplateError::Exec {
            message: format!(
                "template: {}: executing {} at <{}>: {}",
                loc,
                strconv::quote(&self.tmpl_name),
                ctx,
                msg
            ),
            user: None,
        })
    }

    fn step(&mut self) -> R<()> {
        self.steps += 1;
        if self.steps > self.env.limits.max_steps {
            return Err(Flow::Err(TemplateError::Limit(format!(
                "template: {}: execution exceeded the step limit ({})",
                self.tree.parse_name, self.env.limits.max_steps
            ))));
        }
        Ok(())
    }

    fn write(&mut self, out: &mut String, s: &str) -> R<()> {
        self.out_bytes += s.len();
        if self.out_bytes > self.env.limits.max_output {
            return Err(Flow::Err(TemplateError::Limit(format!(
                "template: {}: output exceeds the size limit ({} bytes)",
                self.tree.parse_name, self.env.limits.max_output
            ))));
        }
        out.push_str(s);
        Ok(())
    }

    fn walk(&mut self, dot: &Dot, list: &ListNode, out: &mut String) -> R<()> {
        for node in &list.nodes {
            self.step()?;
            match node {
                Node::Text(t) => self.write(out, t)?,
                Node::Action(pipe) => {
                    let v = self.eval_pipeline(dot, pipe)?;
                    if pipe.decl.is_empty() {
                        let s = match &v.v {
                            Val::Missing => "<no value>".to_string(),
                            // printValue calls String() on an addressable value whose
                            // pointer has the method.
                            Val::Struct(st) if st.display.is_some() => {
                                st.display.clone().unwrap_or_default()
                            }
                            // printableValue prints what a pointer points to.
                            Val::Struct(st) if st.ptr => {
                                let text = sprint_v(&v.v);
                                text.strip_prefix('&').unwrap_or(&text).to_owned()
                            }
                            v => sprint_v(v),
                        };
                        self.write(out, &s)?;
                    }
                }
                Node::Control(c) => match c.kind {
                    ControlKind::Range => self.walk_range(dot, c, out)?,
                    _ => self.walk_if_with(dot, c, out)?,
                },
                Node::Template(t) => self.walk_template(dot, t, out)?,
                Node::Break => return Err(Flow::Break),
                Node::Continue => return Err(Flow::Continue),
            }
        }
        Ok(())
    }

    fn walk_if_with(&mut self, dot: &Dot, c: &Control, out: &mut String) -> R<()> {
        let mark = self.vars.len();
        let r = (|| {
            let v = self.eval_pipeline(dot, &c.pipe)?;
            if v.v.truth() {
                if c.kind == ControlKind::With {
                    self.walk(&v, &c.list, out)
                } else {
                    self.walk(dot, &c.list, out)
                }
            } else if let Some(e) = &c.else_list {
                self.walk(dot, e, out)
            } else {
                Ok(())
            }
        })();
        self.vars.truncate(mark);
        r
    }

    fn last_ctx<'a>(pipe: &'a Pipe) -> Option<Ctx<'a>> {
        let cmd = pipe.cmds.last()?;
        match cmd.args.first() {
            Some(Arg::Identifier(..)) if cmd.args.len() > 1 => cmd.args.last().map(Ctx::Arg),
            Some(a) => Some(Ctx::Arg(a)),
            None => None,
        }
    }

    fn walk_range(&mut self, dot: &Dot, r: &Control, out: &mut String) -> R<()> {
        let mark = self.vars.len();
        let res = self.walk_range_inner(dot, r, out);
        self.vars.truncate(mark);
        res
    }

    fn walk_range_inner(&mut self, dot: &Dot, r: &Control, out: &mut String) -> R<()> {
        let val = self.eval_pipeline(dot, &r.pipe)?;
        let mark = self.vars.len();
        let ndecl = r.pipe.decl.len();
        let mut ran = false;
        let ctx = Self::last_ctx(&r.pipe);
        let items: Vec<(Val, Dot)> = match &val.v {
            Val::Int(_) | Val::Int64(_) | Val::Uint8(_) | Val::Uint64(_) => {
                if ndecl > 1 {
                    let msg = format!(
                        "can't use {} to iterate over more than one variable",
                        sprint_v(&val.v)
                    );
                    return Err(match ctx {
                        Some(c) => self.errorf(c, msg),
                        None => Flow::Err(TemplateError::Exec {
                            message: msg,
                            user: None,
                        }),
                    });
                }
                let n: i128 = match &val.v {
                    Val::Int(i) | Val::Int64(i) => *i as i128,
                    Val::Uint8(u) => *u as i128,
                    Val::Uint64(u) => *u as i128,
                    _ => 0,
                };
                let mk = |i: i128| match &val.v {
                    Val::Int(_) => Val::Int(i as i64),
                    Val::Int64(_) => Val::Int64(i as i64),
                    Val::Uint8(_) => Val::Uint8(i as u8),
                    _ => Val::Uint64(i as u64),
                };
                let mut v = Vec::new();
                let mut i = 0i128;
                while i < n {
                    self.step()?;
                    v.push((Val::Missing, Dot::new(mk(i))));
                    i += 1;
                }
                v
            }
            Val::List(l) => l
                .items
                .iter()
                .enumerate()
                .map(|(i, x)| {
                    (
                        Val::Int(i as i64),
                        Dot {
                            v: x.clone(),
                            iface: l.elem == Elem::Iface,
                        },
                    )
                })
                .collect(),
            Val::Bytes(b) => b
                .iter()
                .enumerate()
                .map(|(i, x)| (Val::Int(i as i64), Dot::new(Val::Uint8(*x))))
                .collect(),
            Val::Map(m) => {
                let iface = matches!(m.kind, MapKind::Iface | MapKind::Values);
                m.entries
                    .borrow()
                    .iter()
                    .map(|(k, x)| {
                        (
                            Val::str(k.as_str()),
                            Dot {
                                v: x.clone(),
                                iface,
                            },
                        )
                    })
                    .collect()
            }
            Val::Missing => vec![],
            other => {
                let msg = format!("range can't iterate over {}", sprint_v(other));
                return Err(match ctx {
                    Some(c) => self.errorf(c, msg),
                    None => Flow::Err(TemplateError::Exec {
                        message: msg,
                        user: None,
                    }),
                });
            }
        };
        for (index, elem) in items {
            ran = true;
            if ndecl > 0 {
                if r.pipe.is_assign {
                    if ndecl > 1 {
                        self.set_var_named(&r.pipe.decl[0], Dot::new(index.clone()), &r.pipe)?;
                    } else {
                        self.set_var_named(&r.pipe.decl[0], elem.clone(), &r.pipe)?;
                    }
                } else {
                    let n = self.vars.len();
                    self.vars[n - 1].1 = elem.clone();
                }
            }
            if ndecl > 1 {
                if r.pipe.is_assign {
                    self.set_var_named(&r.pipe.decl[1], elem.clone(), &r.pipe)?;
                } else {
                    let n = self.vars.len();
                    self.vars[n - 2].1 = Dot::new(index);
                }
            }
            let res = self.walk(&elem, &r.list, out);
            self.vars.truncate(mark);
            match res {
                Ok(()) | Err(Flow::Continue) => {}
                Err(Flow::Break) => break,
                Err(e) => return Err(e),
            }
        }
        if !ran && let Some(e) = &r.else_list {
            self.walk(dot, e, out)?;
        }
        Ok(())
    }

    fn walk_template(&mut self, dot: &Dot, t: &TemplateCall, out: &mut String) -> R<()> {
        let Some(tree) = self.set.lookup(&t.name) else {
            return Err(self.errorf(
                Ctx::Tmpl(t),
                format!("template {} not defined", strconv::quote(&t.name)),
            ));
        };
        if self.depth >= self.env.limits.max_depth {
            return Err(self.errorf(
                Ctx::Tmpl(t),
                format!(
                    "exceeded maximum template depth ({})",
                    self.env.limits.max_depth
                ),
            ));
        }
        let d = match &t.pipe {
            Some(p) => self.eval_pipeline(dot, p)?,
            None => Dot::new(Val::Missing),
        };
        self.exec_tree(tree, d, out)
    }

    /// Runs a tree in a fresh variable scope.
    fn exec_tree(&mut self, tree: Arc<Tree>, d: Dot, out: &mut String) -> R<()> {
        let saved_vars = std::mem::replace(&mut self.vars, vec![("$".into(), d.clone())]);
        let saved_tree = std::mem::replace(&mut self.tree, tree.clone());
        let saved_name = std::mem::replace(&mut self.tmpl_name, tree.name.clone());
        self.depth += 1;
        let r = self.walk(&d, &tree.root, out);
        self.depth -= 1;
        self.vars = saved_vars;
        self.tree = saved_tree;
        self.tmpl_name = saved_name;
        r
    }

    fn set_var_named(&mut self, name: &str, v: Dot, pipe: &Pipe) -> R<()> {
        for (n, val) in self.vars.iter_mut().rev() {
            if n == name {
                *val = v;
                return Ok(());
            }
        }
        let msg = format!("undefined variable: {name}");
        Err(match Self::last_ctx(pipe) {
            Some(c) => self.errorf(c, msg),
            None => Flow::Err(TemplateError::Exec {
                message: msg,
                user: None,
            }),
        })
    }

    fn var_value(&self, name: &str, ctx: Ctx<'_>) -> R<Dot> {
        for (n, v) in self.vars.iter().rev() {
            if n == name {
                return Ok(v.clone());
            }
        }
        Err(self.errorf(ctx, format!("undefined variable: {name}")))
    }

    pub(crate) fn eval_pipeline(&mut self, dot: &Dot, pipe: &Pipe) -> R<Dot> {
        let mut value: Option<Dot> = None;
        for cmd in &pipe.cmds {
            self.step()?;
            let mut v = self.eval_command(dot, cmd, value.take())?;
            if let Val::Nil = v.v {
                v.v = Val::Missing;
            }
            v.iface = false;
            value = Some(v);
        }
        let value = value.unwrap_or(Dot::new(Val::Missing));
        for d in &pipe.decl {
            if pipe.is_assign {
                self.set_var_named(d, value.clone(), pipe)?;
            } else {
                self.vars.push((d.clone(), value.clone()));
            }
        }
        Ok(value)
    }

    fn not_a_function(&self, args: &[Arg], final_: &Option<Dot>) -> R<()> {
        if args.len() > 1 || final_.is_some() {
            return Err(self.errorf(
                Ctx::Arg(&args[0]),
                format!("can't give argument to non-function {}", args[0]),
            ));
        }
        Ok(())
    }

    fn eval_command(&mut self, dot: &Dot, cmd: &Command, final_: Option<Dot>) -> R<Dot> {
        let first = &cmd.args[0];
        match first {
            Arg::Field(_, ident) => {
                return self.eval_field_chain(
                    dot,
                    dot.clone(),
                    (Ctx::Arg(first), Ctx::Arg(first)),
                    ident,
                    &cmd.args,
                    final_,
                );
            }
            Arg::Chain(_, node, fields) => {
                return self.eval_chain(dot, first, node, fields, &cmd.args, final_);
            }
            Arg::Identifier(_, name, def) => {
                return self.eval_function(
                    dot,
                    name,
                    *def,
                    Ctx::Arg(first),
                    Ctx::Cmd(cmd),
                    &cmd.args,
                    final_,
                );
            }
            Arg::Pipe(p) => {
                self.not_a_function(&cmd.args, &final_)?;
                return self.eval_pipeline(dot, p);
            }
            Arg::Variable(_, ident) => {
                return self.eval_variable(dot, first, ident, &cmd.args, final_);
            }
            _ => {}
        }
        self.not_a_function(&cmd.args, &final_)?;
        Ok(Dot::new(match first {
            Arg::Bool(_, b) => Val::Bool(*b),
            Arg::Dot(_) => return Ok(dot.clone()),
            Arg::Nil(_) => return Err(self.errorf(Ctx::Arg(first), "nil is not a command")),
            Arg::Number(_, n) => self.ideal_constant(first, n)?,
            Arg::String(_, _, s) => Val::str(s.as_str()),
            _ => {
                return Err(self.errorf(
                    Ctx::Arg(first),
                    format!(
                        "can't evaluate command {}",
                        strconv::quote(&first.to_string())
                    ),
                ));
            }
        }))
    }

    fn ideal_constant(&self, node: &Arg, n: &Number) -> R<Val> {
        if n.is_complex {
            return Ok(Val::Complex(n.complex.0, n.complex.1));
        }
        let t = &n.text;
        let is_hex = t.len() > 2
            && t.starts_with('0')
            && (t.as_bytes()[1] == b'x' || t.as_bytes()[1] == b'X')
            && !t.contains(['p', 'P']);
        let is_rune = t.starts_with('\'');
        if n.is_float && !is_hex && !is_rune && t.contains(['.', 'e', 'E', 'p', 'P']) {
            return Ok(Val::Float(n.float));
        }
        if n.is_int {
            return Ok(Val::Int(n.int));
        }
        if n.is_uint {
            return Err(self.errorf(Ctx::Arg(node), format!("{t} overflows int")));
        }
        Ok(Val::Missing)
    }

    fn eval_chain(
        &mut self,
        dot: &Dot,
        chain: &Arg,
        node: &Arg,
        fields: &[String],
        args: &[Arg],
        final_: Option<Dot>,
    ) -> R<Dot> {
        if let Arg::Nil(_) = node {
            return Err(self.errorf(
                Ctx::Arg(chain),
                format!("indirection through explicit nil in {chain}"),
            ));
        }
        let pipe = self.eval_arg(dot, PT::RV, node)?;
        // Field errors point where evaluating the operand left `state.at`; a method's
        // "error calling" points at the chain (Go's evalCall does `s.at(node)`).
        self.eval_field_chain(
            dot,
            Dot::new(pipe),
            (last_visited(node), Ctx::Arg(chain)),
            fields,
            args,
            final_,
        )
    }

    fn eval_variable(
        &mut self,
        dot: &Dot,
        node: &Arg,
        ident: &[String],
        args: &[Arg],
        final_: Option<Dot>,
    ) -> R<Dot> {
        let value = self.var_value(&ident[0], Ctx::Arg(node))?;
        if ident.len() == 1 {
            self.not_a_function(args, &final_)?;
            return Ok(value);
        }
        self.eval_field_chain(
            dot,
            value,
            (Ctx::Arg(node), Ctx::Arg(node)),
            &ident[1..],
            args,
            final_,
        )
    }

    fn eval_field_chain(
        &mut self,
        dot: &Dot,
        mut receiver: Dot,
        node: (Ctx<'_>, Ctx<'_>),
        ident: &[String],
        args: &[Arg],
        final_: Option<Dot>,
    ) -> R<Dot> {
        let n = ident.len();
        for name in &ident[..n - 1] {
            receiver = self.eval_field(dot, name, node, &[], None, receiver)?;
        }
        self.eval_field(dot, &ident[n - 1], node, args, final_, receiver)
    }

    /// `node`: where field errors point, and where a method's "error calling" points.
    fn eval_field(
        &mut self,
        dot: &Dot,
        name: &str,
        (node, call_node): (Ctx<'_>, Ctx<'_>),
        args: &[Arg],
        final_: Option<Dot>,
        receiver: Dot,
    ) -> R<Dot> {
        match &receiver.v {
            Val::Missing => return Ok(Dot::new(Val::Missing)),
            Val::Nil => {
                return Err(self.errorf(
                    node,
                    format!("nil pointer evaluating interface {{}}.{name}"),
                ));
            }
            _ => {}
        }
        if let Some((mname, sig)) = funcs::methods::lookup(&receiver.v, name) {
            let callee = Callee::Method(receiver.v.clone(), mname, sig);
            return self.eval_call(dot, callee, name, node, call_node, args, final_);
        }
        let has_args = args.len() > 1 || final_.is_some();
        match &receiver.v {
            Val::Map(m) => {
                if has_args {
                    return Err(
                        self.errorf(node, format!("{name} is not a method but has arguments"))
                    );
                }
                let got = m.entries.borrow().get(name).cloned();
                let iface = matches!(m.kind, MapKind::Iface | MapKind::Values);
                let v = match got {
                    Some(v) => v,
                    None => match m.kind {
                        MapKind::Iface | MapKind::Values => Val::Nil,
                        MapKind::Str => Val::str(""),
                        MapKind::Files => Val::Nil,
                    },
                };
                return Ok(Dot { v, iface });
            }
            Val::Struct(s) => {
                if let Some((_, v)) = s.fields.iter().find(|(k, _)| *k == name) {
                    if !name.starts_with(|c: char| c.is_ascii_uppercase()) {
                        return Err(self.errorf(
                            node,
                            format!(
                                "{name} is an unexported field of struct type {}",
                                receiver.v.type_name()
                            ),
                        ));
                    }
                    if has_args {
                        return Err(self.errorf(
                            node,
                            format!("{name} has arguments but cannot be invoked as function"),
                        ));
                    }
                    return Ok(Dot::new(v.clone()));
                }
            }
            _ => {}
        }
        let typ = if receiver.iface {
            "interface {}".to_string()
        } else {
            receiver.v.type_name()
        };
        Err(self.errorf(node, format!("can't evaluate field {name} in type {typ}")))
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_function(
        &mut self,
        dot: &Dot,
        name: &str,
        def: Func,
        ident: Ctx<'_>,
        cmd: Ctx<'_>,
        args: &[Arg],
        final_: Option<Dot>,
    ) -> R<Dot> {
        self.eval_call(dot, Callee::Func(def.0), name, ident, cmd, args, final_)
    }

    #[allow(clippy::too_many_arguments)]
    fn eval_call(
        &mut self,
        dot: &Dot,
        callee: Callee,
        name: &str,
        count_ctx: Ctx<'_>,
        call_ctx: Ctx<'_>,
        args: &[Arg],
        final_: Option<Dot>,
    ) -> R<Dot> {
        let args = if args.is_empty() { args } else { &args[1..] };
        let (params, variadic): (&[PT], bool) = match &callee {
            Callee::Func(d) => (d.params, d.variadic),
            Callee::Method(_, _, s) => (s.params, s.variadic),
        };
        let num_in = args.len() + usize::from(final_.is_some());
        let mut num_fixed = args.len();
        if variadic {
            num_fixed = params.len() - 1;
            if num_in < num_fixed {
                return Err(self.errorf(
                    count_ctx,
                    format!(
                        "wrong number of args for {name}: want at least {} got {}",
                        params.len() - 1,
                        args.len()
                    ),
                ));
            }
        } else if num_in != params.len() {
            return Err(self.errorf(
                count_ctx,
                format!(
                    "wrong number of args for {name}: want {} got {}",
                    params.len(),
                    num_in
                ),
            ));
        }
        if let Callee::Func(d) = &callee
            && matches!(d.imp, Builtin::And | Builtin::Or)
        {
            let is_or = matches!(d.imp, Builtin::Or);
            let mut v = Val::Missing;
            for a in args {
                v = self.eval_arg(dot, PT::RV, a)?;
                if v.truth() == is_or {
                    return Ok(Dot::new(v));
                }
            }
            if let Some(f) = final_ {
                v = f.v;
            }
            return Ok(Dot::new(v));
        }
        let mut argv: Vec<Val> = Vec::with_capacity(num_in);
        let mut i = 0;
        while i < num_fixed && i < args.len() {
            argv.push(self.eval_arg(dot, params[i], &args[i])?);
            i += 1;
        }
        if variadic {
            let t = params[params.len() - 1];
            while i < args.len() {
                argv.push(self.eval_arg(dot, t, &args[i])?);
                i += 1;
            }
        }
        if let Some(f) = final_ {
            let t = if variadic && num_in - 1 < num_fixed {
                params[num_in - 1]
            } else {
                params[params.len() - 1]
            };
            // Go reports this at the node it visited last: the last argument, or the
            // function's (or method's) name when there are none.
            let ctx = args.last().map_or(count_ctx, last_visited);
            argv.push(self.validate(f, t, ctx)?);
        }
        let result = match callee {
            Callee::Func(d) => match d.imp {
                Builtin::Call => {
                    let callee_name = match args.first() {
                        Some(a) => a.to_string(),
                        None => String::new(),
                    };
                    let v = argv.first().cloned().unwrap_or(Val::Missing);
                    Err(funcs::FnError::msg(if v.is_nil() {
                        "call of nil".to_string()
                    } else {
                        format!("non-function {callee_name} of type {}", v.type_name())
                    }))
                }
                Builtin::Include => self.call_include(argv),
                Builtin::Tpl => self.call_tpl(argv),
                Builtin::Fn(f) => {
                    let mut cx = funcs::Cx { env: self.env };
                    f(&mut cx, argv)
                }
                Builtin::And | Builtin::Or => Ok(Val::Missing),
            },
            Callee::Method(recv, mname, _) => funcs::methods::call(self.env, &recv, mname, argv),
        };
        match result {
            Ok(v) => Ok(Dot::new(v)),
            Err(e) => {
                let loc = self.tree.location(call_ctx.pos());
                let mut flow =
                    self.errorf(call_ctx, format!("error calling {name}: {}", e.message));
                if let Flow::Err(TemplateError::Exec { user, .. }) = &mut flow {
                    *user = match e.user {
                        Some(u) if u.0.is_empty() => Some((loc, u.1)),
                        other => other,
                    };
                }
                Err(flow)
            }
        }
    }

    fn validate(&self, v: Dot, t: PT, ctx: Ctx<'_>) -> R<Val> {
        let v = v.v;
        match t {
            PT::Any => return Ok(v.or_nil()),
            PT::RV => return Ok(v),
            _ => {}
        }
        if let Val::Missing = v {
            if matches!(t, PT::Map | PT::List) {
                return Ok(Val::Nil);
            }
            return Err(self.errorf(ctx, format!("invalid value; expected {}", t.go_name())));
        }
        let ok = match (t, &v) {
            (PT::Str, Val::Str(_)) => true,
            (PT::Int, Val::Int(_)) => true,
            (PT::U32, Val::Uint64(_)) => true,
            (PT::Float, Val::Float(_)) => true,
            (PT::Bool, Val::Bool(_)) => true,
            (PT::Map, Val::Map(m)) => matches!(m.kind, MapKind::Iface | MapKind::Values),
            (PT::List, Val::List(l)) => l.elem == Elem::Iface && l.named.is_none(),
            (PT::Time, Val::Time(_)) => true,
            (PT::Cert, Val::Struct(s)) => s.type_name == "sprig.certificate",
            _ => false,
        };
        if ok {
            return Ok(v);
        }
        let got = if let Val::Nil = v {
            "interface {}".to_string()
        } else {
            v.type_name()
        };
        Err(self.errorf(
            ctx,
            format!(
                "wrong type for value; expected {}; got {}",
                t.go_name(),
                got
            ),
        ))
    }

    fn eval_arg(&mut self, dot: &Dot, t: PT, n: &Arg) -> R<Val> {
        let ctx = Ctx::Arg(n);
        match n {
            Arg::Dot(_) => return self.validate(dot.clone(), t, ctx),
            Arg::Nil(_) => {
                return match t {
                    PT::Any | PT::RV => Ok(Val::Nil),
                    PT::Map | PT::List => Ok(Val::Nil),
                    _ => Err(self.errorf(ctx, format!("cannot assign nil to {}", t.go_name()))),
                };
            }
            Arg::Field(_, ident) => {
                let v = self.eval_field_chain(
                    dot,
                    dot.clone(),
                    (ctx, ctx),
                    ident,
                    std::slice::from_ref(n),
                    None,
                )?;
                return self.validate(v, t, ctx);
            }
            Arg::Variable(_, ident) => {
                let v = self.eval_variable(dot, n, ident, &[], None)?;
                return self.validate(v, t, ctx);
            }
            Arg::Pipe(p) => {
                let v = self.eval_pipeline(dot, p)?;
                return self.validate(v, t, last_visited(n));
            }
            Arg::Identifier(_, name, def) => {
                let v = self.eval_function(dot, name, *def, ctx, ctx, &[], None)?;
                return self.validate(v, t, ctx);
            }
            Arg::Chain(_, node, fields) => {
                let v = self.eval_chain(dot, n, node, fields, &[], None)?;
                return self.validate(v, t, ctx);
            }
            _ => {}
        }
        match t {
            PT::Bool => match n {
                Arg::Bool(_, b) => Ok(Val::Bool(*b)),
                _ => Err(self.errorf(ctx, format!("expected bool; found {n}"))),
            },
            PT::Str => match n {
                Arg::String(_, _, s) => Ok(Val::str(s.as_str())),
                _ => Err(self.errorf(ctx, format!("expected string; found {n}"))),
            },
            PT::Int => match n {
                Arg::Number(_, num) if num.is_int => Ok(Val::Int(num.int)),
                _ => Err(self.errorf(ctx, format!("expected integer; found {n}"))),
            },
            PT::U32 => match n {
                Arg::Number(_, num) if num.is_uint => Ok(Val::Uint64(num.uint as u32 as u64)),
                _ => Err(self.errorf(ctx, format!("expected unsigned integer; found {n}"))),
            },
            PT::Float => match n {
                Arg::Number(_, num) if num.is_float => Ok(Val::Float(num.float)),
                _ => Err(self.errorf(ctx, format!("expected float; found {n}"))),
            },
            PT::Any | PT::RV => match n {
                Arg::Bool(_, b) => Ok(Val::Bool(*b)),
                Arg::Number(_, num) => self.ideal_constant(n, num),
                Arg::String(_, _, s) => Ok(Val::str(s.as_str())),
                _ => Err(self.errorf(
                    ctx,
                    format!("can't handle assignment of {n} to empty interface argument"),
                )),
            },
            _ => Err(self.errorf(
                ctx,
                format!("can't handle {n} for arg of type {}", t.go_name()),
            )),
        }
    }

    fn call_include(&mut self, argv: Vec<Val>) -> Result<Val, funcs::FnError> {
        let mut it = argv.into_iter();
        let name = match it.next() {
            Some(Val::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let data = it.next().unwrap_or(Val::Nil);
        let count = self.included.get(&name).copied();
        match count {
            Some(v) if v > HELM_INCLUDE_MAX => {
                return Err(funcs::FnError::msg(format!(
                    "rendering template has a nested reference name: {name}: unable to execute template"
                )));
            }
            Some(v) => {
                self.included.insert(name.clone(), v + 1);
            }
            None => {
                self.included.insert(name.clone(), 1);
            }
        }
        let r = self.execute_named(&name, data);
        if let Some(v) = self.included.get_mut(&name) {
            *v = v.saturating_sub(1);
        }
        r
    }

    fn execute_named(&mut self, name: &str, data: Val) -> Result<Val, funcs::FnError> {
        let Some(tree) = self.set.lookup(name) else {
            return Err(funcs::FnError::msg(format!(
                "template: no template {} associated with template {}",
                strconv::quote(name),
                strconv::quote(&self.root_name)
            )));
        };
        if self.depth >= self.env.limits.max_depth {
            return Err(funcs::FnError::limit(format!(
                "exceeded maximum template depth ({})",
                self.env.limits.max_depth
            )));
        }
        let mut buf = String::new();
        let data = match data {
            Val::Nil => Val::Missing,
            v => v,
        };
        match self.exec_tree(tree, Dot::new(data), &mut buf) {
            Ok(()) | Err(Flow::Break) | Err(Flow::Continue) => Ok(Val::str(buf)),
            Err(Flow::Err(e)) => Err(funcs::FnError::wrap(e)),
        }
    }

    /// The trees of a `tpl` text, parsed once per text.
    fn parse_tpl(&self, text: &str) -> Result<Arc<TreeMap>, TemplateError> {
        if let Ok(cache) = self.tpl_cache.lock()
            && let Some(t) = cache.get(text)
        {
            return Ok(t.clone());
        }
        let has = |n: &str| funcs::lookup(n);
        let trees: TreeMap = Parser::parse(&self.root_name, text, &has)?
            .into_iter()
            .map(|(k, v)| (k, Arc::new(v)))
            .collect();
        let trees = Arc::new(trees);
        if text.len() <= TPL_CACHE_TEXT
            && let Ok(mut cache) = self.tpl_cache.lock()
            && cache.len() < TPL_CACHE_ENTRIES
        {
            cache.insert(text.to_string(), trees.clone());
        }
        Ok(trees)
    }

    fn call_tpl(&mut self, argv: Vec<Val>) -> Result<Val, funcs::FnError> {
        let mut it = argv.into_iter();
        let text = match it.next() {
            Some(Val::Str(s)) => s.to_string(),
            _ => String::new(),
        };
        let data = it.next().unwrap_or(Val::Nil);
        let trees = match self.parse_tpl(&text) {
            Ok(t) => t,
            Err(e) => {
                return Err(funcs::FnError::msg(format!(
                    "cannot parse template {}: {}",
                    strconv::quote(&text),
                    e
                )));
            }
        };
        let layer = Rc::new(Layer {
            trees,
            parent: Some(self.set.clone()),
        });
        let saved = std::mem::replace(&mut self.set, layer);
        let root = self.root_name.clone();
        let r = self.execute_named(&root, data);
        self.set = saved;
        match r {
            Ok(Val::Str(s)) if s.contains("<no value>") => {
                Ok(Val::str(s.replace("<no value>", "")))
            }
            Ok(v) => Ok(v),
            Err(mut e) => {
                if e.limit {
                    return Err(e);
                }
                e.message = format!(
                    "error during tpl function execution for {}: {}",
                    strconv::quote(&text),
                    e.message
                );
                Err(e)
            }
        }
    }
}
