//! A port of kyaml's `walk.Walker` driven by `merge2.Merger`, the code kustomize
//! v5.7.1 runs for a strategic merge patch (`patchstrategicmerge.Filter`, with
//! `ListIncreaseDirection: MergeOptionsListPrepend`).
//!
//! kyaml mutates a graph of `*yaml.Node`s in place and its results depend on that: the
//! patch can be merged with itself (after a `$patch: replace`, or for content the object
//! lacks), list elements merged in place are then put back by identity, and its list
//! helpers (`ElementSetter`, `ElementMatcher`, `FieldMatcher`) have quirks that show in
//! the output (elements without a merge key, null elements, duplicate keys). To give
//! the same output this module works on an arena of nodes with the same identities and
//! follows kyaml's steps one by one; each helper names the kyaml function it mirrors.
//!
//! Scalars are compared by their text, as kyaml compares `yaml.Node.Value`.

use std::collections::BTreeSet;

use foldhash::{HashMap, HashSet};

use indexmap::IndexMap;

use super::Options;
use super::error::{NodeKind, SmpError};

/// Results inside the walk carry a boxed error to keep the recursive frames small.
pub(crate) type R<T> = Result<T, Box<SmpError>>;
use super::schema::{Schema, SchemaNode};
use crate::go::number::format_float;
use crate::yaml::{Map, Number, Value};

/// An index into the arena.
pub(crate) type Id = usize;

#[derive(Debug, Clone)]
enum Body {
    /// A scalar: its text (`yaml.Node.Value`) and the value it came from.
    Scalar {
        null: bool,
        text: String,
        value: Value,
    },
    Map(IndexMap<String, Id>),
    Seq(Vec<Id>),
}

#[derive(Debug, Clone)]
struct Node {
    body: Body,
    /// kyaml's `RNode.ShouldKeep`: a null to keep rather than clear.
    should_keep: bool,
}

/// kyaml's smp directives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Directive {
    Unknown,
    Replace,
    Delete,
    Merge,
}

/// What [`Merger::fast_plan`] found: each list's elements, their key tuples and the
/// position of each tuple.
struct FastPlan {
    dest_elems: Vec<Id>,
    dest_tuples: Vec<Vec<String>>,
    dest_index: HashMap<Vec<String>, usize>,
    origin_elems: Vec<Id>,
    origin_tuples: Vec<Vec<String>>,
    origin_index: HashMap<Vec<String>, usize>,
}

/// Key tuples in element order, and the position of each tuple.
type TupleIndex = (Vec<Vec<String>>, HashMap<Vec<String>, usize>);

/// A step of the path shown in errors.
#[derive(Debug, Clone)]
enum Seg {
    Key(String),
    Elem(String),
}

pub(crate) struct Merger<'a> {
    nodes: Vec<Node>,
    schema: &'a Schema,
    opts: &'a Options,
    path: Vec<Seg>,
    /// Whether clean lists take the hashed path (tests compare with it off).
    fast: bool,
}

fn scalar_text(v: &Value) -> String {
    match v {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(Number::Int(i)) => i.to_string(),
        Value::Number(Number::UInt(u)) => u.to_string(),
        Value::Number(Number::Float(f)) => format_float(*f, b'g', -1, 64),
        Value::String(s) => s.clone(),
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

fn scalar_tag(v: &Value) -> &'static str {
    match v {
        Value::Null => "!!null",
        Value::Bool(_) => "!!bool",
        Value::Number(Number::Int(_) | Number::UInt(_)) => "!!int",
        Value::Number(Number::Float(_)) => "!!float",
        Value::String(_) => "!!str",
        Value::Seq(_) => "!!seq",
        Value::Map(_) => "!!map",
    }
}

/// The value of an untagged plain scalar holding `text` (kyaml creates such nodes with
/// `NewScalarRNode` to put a merge key back on an element).
fn plain_scalar(text: &str) -> Value {
    match text {
        "" | "~" | "null" | "Null" | "NULL" => return Value::Null,
        "true" | "True" | "TRUE" => return Value::Bool(true),
        "false" | "False" | "FALSE" => return Value::Bool(false),
        _ => {}
    }
    if let Ok(i) = text.parse::<i64>() {
        return Value::Number(Number::Int(i));
    }
    if text
        .bytes()
        .all(|b| b.is_ascii_digit() || b"+-.eE".contains(&b))
        && text.bytes().any(|b| b.is_ascii_digit())
        && let Ok(f) = text.parse::<f64>()
    {
        return Value::Number(Number::Float(f));
    }
    Value::String(text.to_owned())
}

impl<'a> Merger<'a> {
    pub(crate) fn new(schema: &'a Schema, opts: &'a Options) -> Self {
        Merger {
            nodes: Vec::new(),
            schema,
            opts,
            path: Vec::new(),
            fast: true,
        }
    }

    // ---- arena and conversions ------------------------------------------------------

    fn alloc(&mut self, body: Body) -> R<Id> {
        if self.nodes.len() >= self.opts.max_nodes {
            return Err(Box::new(SmpError::SizeLimit {
                limit: self.opts.max_nodes,
            }));
        }
        self.nodes.push(Node {
            body,
            should_keep: false,
        });
        Ok(self.nodes.len() - 1)
    }

    fn scalar(&mut self, value: Value) -> R<Id> {
        let body = Body::Scalar {
            null: value.is_null(),
            text: scalar_text(&value),
            value,
        };
        self.alloc(body)
    }

    /// Copies a value into the arena.
    pub(crate) fn import(&mut self, v: &Value, depth: usize) -> R<Id> {
        if depth > self.opts.max_depth {
            return Err(self.depth_error());
        }
        match v {
            Value::Map(m) => {
                let mut out = IndexMap::with_capacity(m.len());
                for (k, child) in m {
                    let id = self.import(child, depth + 1)?;
                    out.insert(k.clone(), id);
                }
                self.alloc(Body::Map(out))
            }
            Value::Seq(s) => {
                let mut out = Vec::with_capacity(s.len());
                for child in s {
                    out.push(self.import(child, depth + 1)?);
                }
                self.alloc(Body::Seq(out))
            }
            scalar => self.scalar(scalar.clone()),
        }
    }

    /// Copies a node out of the arena. The node graph can share nodes, so the output
    /// is bounded by `max_nodes` as well.
    pub(crate) fn export(&self, id: Id, depth: usize, budget: &mut usize) -> R<Value> {
        if depth > self.opts.max_depth {
            return Err(self.depth_error());
        }
        if *budget == 0 {
            return Err(Box::new(SmpError::SizeLimit {
                limit: self.opts.max_nodes,
            }));
        }
        *budget -= 1;
        Ok(match &self.nodes[id].body {
            Body::Scalar { value, .. } => value.clone(),
            Body::Map(m) => {
                let mut out = Map::with_capacity_and_hasher(m.len(), Default::default());
                for (k, &child) in m {
                    out.insert(k.clone(), self.export(child, depth + 1, budget)?);
                }
                Value::Map(out)
            }
            Body::Seq(s) => {
                let mut out = Vec::with_capacity(s.len());
                for &child in s {
                    out.push(self.export(child, depth + 1, budget)?);
                }
                Value::Seq(out)
            }
        })
    }

    // ---- node predicates (kyaml's IsMissingOrNull and friends) ------------------------

    fn kind(&self, id: Id) -> NodeKind {
        match self.nodes[id].body {
            Body::Scalar { .. } => NodeKind::Scalar,
            Body::Map(_) => NodeKind::Map,
            Body::Seq(_) => NodeKind::Seq,
        }
    }

    fn is_null(&self, id: Id) -> bool {
        matches!(self.nodes[id].body, Body::Scalar { null: true, .. })
    }

    /// `IsMissingOrNull`.
    fn missing_or_null(&self, id: Option<Id>) -> bool {
        id.is_none_or(|id| self.is_null(id))
    }

    /// `IsEmptyMap` (true for missing and null too).
    fn empty_map(&self, id: Option<Id>) -> bool {
        match id {
            None => true,
            Some(id) => match &self.nodes[id].body {
                Body::Scalar { null, .. } => *null,
                Body::Map(m) => m.is_empty(),
                Body::Seq(_) => false,
            },
        }
    }

    /// `IsNilOrEmpty` of a present node.
    fn nil_or_empty(&self, id: Id) -> bool {
        match &self.nodes[id].body {
            Body::Scalar { null, .. } => *null,
            Body::Map(m) => m.is_empty(),
            Body::Seq(s) => s.is_empty(),
        }
    }

    /// `yaml.Node.Value`.
    fn text(&self, id: Id) -> &str {
        match &self.nodes[id].body {
            Body::Scalar { text, .. } => text,
            _ => "",
        }
    }

    fn map(&self, id: Id) -> Option<&IndexMap<String, Id>> {
        match &self.nodes[id].body {
            Body::Map(m) => Some(m),
            _ => None,
        }
    }

    fn seq(&self, id: Id) -> Option<&[Id]> {
        match &self.nodes[id].body {
            Body::Seq(s) => Some(s),
            _ => None,
        }
    }

    /// `RNode.Field(name).Value`: `None` for a non-map or a missing field.
    fn field(&self, id: Option<Id>, name: &str) -> Option<Id> {
        self.map(id?)?.get(name).copied()
    }

    // ---- errors ---------------------------------------------------------------------

    fn path_string(&self) -> String {
        if self.path.is_empty() {
            return ".".to_owned();
        }
        let mut out = String::new();
        for seg in &self.path {
            match seg {
                Seg::Key(k) => {
                    if !out.is_empty() {
                        out.push('.');
                    }
                    out.push_str(k);
                }
                Seg::Elem(e) => {
                    out.push('[');
                    out.push_str(e);
                    out.push(']');
                }
            }
        }
        out
    }

    #[inline(never)]
    fn depth_error(&self) -> Box<SmpError> {
        Box::new(SmpError::DepthLimit {
            path: self.path_string(),
            limit: self.opts.max_depth,
        })
    }

    #[inline(never)]
    fn kind_error(&self, expected: NodeKind, found: Id) -> Box<SmpError> {
        let mut budget = self.opts.max_nodes;
        let contents = self
            .export(found, 0, &mut budget)
            .map(|v| crate::yaml::emit_kustomize(&v))
            .unwrap_or_default();
        Box::new(SmpError::KindMismatch {
            path: self.path_string(),
            expected,
            found: self.kind(found),
            contents,
        })
    }

    /// `ErrorIfInvalid`: missing and null pass.
    fn check(&self, id: Option<Id>, kind: NodeKind) -> R<()> {
        match id {
            Some(id) if !self.is_null(id) && self.kind(id) != kind => {
                Err(self.kind_error(kind, id))
            }
            _ => Ok(()),
        }
    }

    // ---- the walker -----------------------------------------------------------------

    /// `Walker.Walk` over `[dest, origin]`.
    pub(crate) fn walk(
        &mut self,
        sources: [Option<Id>; 2],
        schema: Option<&'a SchemaNode>,
        depth: usize,
    ) -> R<Option<Id>> {
        if depth > self.opts.max_depth {
            return Err(self.depth_error());
        }
        let schema = self.get_schema(&sources, schema);
        // `Walker.Kind`: the kind of the first non-null source.
        let kind = sources
            .iter()
            .flatten()
            .find(|&&id| !self.is_null(id))
            .map(|&id| self.kind(id));
        match kind {
            None | Some(NodeKind::Map) => {
                for s in sources {
                    self.check(s, NodeKind::Map)?;
                }
                self.walk_map(sources, schema, depth)
            }
            Some(NodeKind::Seq) => {
                for s in sources {
                    self.check(s, NodeKind::Seq)?;
                }
                match schema {
                    Some(s) if s.has_merge_strategy() => {
                        self.walk_associative_sequence(sources, s, depth)
                    }
                    // `VisitList` for a non-associative list: the patch's, else the object's.
                    _ => Ok(sources[1].or(sources[0])),
                }
            }
            Some(NodeKind::Scalar) => {
                for s in sources {
                    self.check(s, NodeKind::Scalar)?;
                }
                // `VisitScalar`.
                Ok(sources[1].or(sources[0]))
            }
        }
    }

    /// `Walker.GetSchema`: the schema handed down, else the definition of the first
    /// source with an `apiVersion` and a `kind` (at any depth).
    fn get_schema(
        &self,
        sources: &[Option<Id>; 2],
        schema: Option<&'a SchemaNode>,
    ) -> Option<&'a SchemaNode> {
        if schema.is_some() {
            return schema;
        }
        for &id in sources.iter().flatten() {
            if self.is_null(id) {
                continue;
            }
            let meta = |name: &str| {
                self.field(Some(id), name)
                    .filter(|&v| !self.nil_or_empty(v))
                    .map_or("", |v| self.text(v))
            };
            let (api_version, kind) = (meta("apiVersion"), meta("kind"));
            if api_version.is_empty() || kind.is_empty() {
                continue;
            }
            if let Some(s) = self.schema.for_type(api_version, kind) {
                return Some(s);
            }
        }
        None
    }

    /// `Walker.walkMap`.
    fn walk_map(
        &mut self,
        sources: [Option<Id>; 2],
        schema: Option<&'a SchemaNode>,
        depth: usize,
    ) -> R<Option<Id>> {
        let Some(dest) = self.visit_map(sources)? else {
            return Ok(None);
        };
        let sources = [Some(dest), sources[1]];
        let mut names: BTreeSet<String> = BTreeSet::new();
        for &id in sources.iter().flatten() {
            if let Some(m) = self.map(id) {
                names.extend(m.keys().cloned());
            }
        }
        for key in names {
            let child_schema = schema.and_then(|s| self.schema.field(s, &key));
            let fv = [self.field(sources[0], &key), self.field(sources[1], &key)];
            self.path.push(Seg::Key(key));
            let val = self.walk(fv, child_schema, depth + 1)?;
            let Some(Seg::Key(key)) = self.path.pop() else {
                continue;
            };
            self.field_set(dest, &key, val)?;
        }
        Ok(Some(dest))
    }

    /// `Merger.VisitMap`.
    fn visit_map(&mut self, sources: [Option<Id>; 2]) -> R<Option<Id>> {
        let [dest, origin] = sources;
        if self.missing_or_null(dest) {
            // Add. (kyaml ignores a directive error here.)
            let ps = self.directive(origin).unwrap_or(Directive::Unknown);
            if ps == Directive::Delete {
                return Ok(None);
            }
            // Keep an explicit null of the object when the patch does not mention it.
            if let (None, Some(d)) = (origin, dest)
                && !self.text(d).is_empty()
            {
                let id = self.scalar(Value::Null)?;
                let kept = self.text_of(d);
                if let Body::Scalar { text, .. } = &mut self.nodes[id].body {
                    *text = kept;
                }
                self.nodes[id].should_keep = true;
                return Ok(Some(id));
            }
            return Ok(origin);
        }
        if origin.is_some_and(|o| self.is_null(o)) {
            return Ok(None);
        }
        Ok(match self.directive(origin)? {
            Directive::Delete => None,
            Directive::Replace => origin,
            _ => dest,
        })
    }

    fn text_of(&self, id: Id) -> String {
        self.text(id).to_owned()
    }

    /// `determineSmpDirective`: finds `$patch` and removes it from the patch.
    fn directive(&mut self, patch: Option<Id>) -> R<Directive> {
        let Some(patch) = patch else {
            return Ok(Directive::Merge);
        };
        match &self.nodes[patch].body {
            Body::Seq(_) => self.sequence_directive(patch),
            Body::Map(_) => self.mapping_directive(patch),
            Body::Scalar { text, value, .. } => Err(Box::new(SmpError::ScalarDirective {
                path: self.path_string(),
                tag: scalar_tag(value).to_owned(),
                value: text.clone(),
            })),
        }
    }

    fn parse_directive(&self, v: &str) -> R<Directive> {
        match v {
            "delete" => Ok(Directive::Delete),
            "replace" => Ok(Directive::Replace),
            "merge" => Ok(Directive::Merge),
            _ => Err(Box::new(SmpError::UnknownDirective {
                path: self.path_string(),
                value: v.to_owned(),
            })),
        }
    }

    /// `determineMappingNodePatchStrategy`.
    fn mapping_directive(&mut self, patch: Id) -> R<Directive> {
        let Some(value) = self.field(Some(patch), "$patch") else {
            return Ok(Directive::Merge);
        };
        let d = self.parse_directive(self.text(value))?;
        if let Body::Map(m) = &mut self.nodes[patch].body {
            m.shift_remove("$patch");
        }
        Ok(d)
    }

    /// `determineSequenceNodePatchStrategy`: a list-wide directive is an element that
    /// holds only `$patch`.
    fn sequence_directive(&mut self, patch: Id) -> R<Directive> {
        let found = self.seq(patch).and_then(|s| {
            s.iter()
                .copied()
                .find(|&e| self.field(Some(e), "$patch").is_some())
        });
        let Some(elem) = found else {
            return Ok(Directive::Merge);
        };
        if self.map(elem).is_some_and(|m| m.len() > 1) {
            return Ok(Directive::Merge);
        }
        let Some(value) = self.field(Some(elem), "$patch") else {
            return Ok(Directive::Merge);
        };
        let v = self.text_of(value);
        let d = self.parse_directive(&v)?;
        self.element_setter(patch, None, &["$patch".to_owned()], &[v])?;
        Ok(d)
    }

    /// `Walker.walkAssociativeSequence`.
    fn walk_associative_sequence(
        &mut self,
        sources: [Option<Id>; 2],
        schema: &'a SchemaNode,
        depth: usize,
    ) -> R<Option<Id>> {
        let Some(dest) = self.visit_associative_list(sources)? else {
            return Ok(None);
        };
        let sources = [Some(dest), sources[1]];
        // The strategy is set (the list is associative), so kyaml never infers a key.
        let (_, keys) = schema.strategy_and_keys();
        if let Some(plan) = self
            .fast
            .then(|| self.fast_plan(dest, sources[1], &keys))
            .flatten()
        {
            return self.fast_associative(plan, dest, sources[1], &keys, schema, depth);
        }
        let values = self.element_values(&sources, &keys);
        if !values.is_empty() || !keys.is_empty() {
            return self.set_associative_elements(values, &keys, dest, &sources, schema, depth);
        }
        let values = self.element_primitive_values(&sources);
        self.set_associative_elements(values, &[String::new()], dest, &sources, schema, depth)
    }

    /// Checks whether a list pair is "clean", in which case kyaml's element-by-element
    /// steps reduce to hashing (see [`Self::fast_associative`]); returns the key tuple
    /// of each element (object's, then patch's) or `None` to take the literal path.
    ///
    /// Clean means: the object's and the patch's lists are the same node or share no
    /// element; with merge keys, every element is a map holding every key as a non-null
    /// scalar with non-empty text, and no key tuple repeats within a list; without
    /// merge keys, every element is a non-null scalar with non-empty text, and no text
    /// repeats within a list. Nothing is mutated here.
    fn fast_plan(&self, dest: Id, origin: Option<Id>, keys: &[String]) -> Option<FastPlan> {
        let dest_elems = self.seq(dest)?;
        let origin_elems: &[Id] = match origin {
            None => &[],
            Some(o) if o == dest => &[],
            Some(o) => self.seq(o)?,
        };
        if !origin_elems.is_empty() {
            let ids: HashSet<Id> = dest_elems.iter().copied().collect();
            if origin_elems.iter().any(|e| ids.contains(e)) {
                return None;
            }
        }
        if keys.iter().any(String::is_empty) {
            return None;
        }
        let tuple = |e: Id| -> Option<Vec<String>> {
            if keys.is_empty() {
                match &self.nodes[e].body {
                    Body::Scalar {
                        null: false, text, ..
                    } if !text.is_empty() => Some(vec![text.clone()]),
                    _ => None,
                }
            } else {
                let m = self.map(e)?;
                keys.iter()
                    .map(|k| match &self.nodes[*m.get(k)?].body {
                        Body::Scalar {
                            null: false, text, ..
                        } if !text.is_empty() => Some(text.clone()),
                        _ => None,
                    })
                    .collect()
            }
        };
        let index = |elems: &[Id]| -> Option<TupleIndex> {
            let mut tuples = Vec::with_capacity(elems.len());
            let mut by_tuple = HashMap::with_capacity_and_hasher(elems.len(), Default::default());
            for (i, &e) in elems.iter().enumerate() {
                let t = tuple(e)?;
                if by_tuple.insert(t.clone(), i).is_some() {
                    return None;
                }
                tuples.push(t);
            }
            Some((tuples, by_tuple))
        };
        let (dest_tuples, dest_index) = index(dest_elems)?;
        let (origin_tuples, origin_index) = index(origin_elems)?;
        Some(FastPlan {
            dest_elems: dest_elems.to_vec(),
            dest_tuples,
            dest_index,
            origin_elems: origin_elems.to_vec(),
            origin_tuples,
            origin_index,
        })
    }

    /// kyaml's `setAssociativeSequenceElements` + `appendListNode` for a clean list pair
    /// (see [`Self::fast_plan`]), in linear time. The result is the same: patch tuples
    /// in patch order then the object's other tuples; each merged (or deleted) once;
    /// then, with one key (or none), each surviving object element takes the place of
    /// its tuple, while with several keys the patch-only elements come first and the
    /// surviving object elements follow in their order (kyaml deletes and re-appends).
    fn fast_associative(
        &mut self,
        plan: FastPlan,
        dest: Id,
        origin: Option<Id>,
        keys: &[String],
        schema: &'a SchemaNode,
        depth: usize,
    ) -> R<Option<Id>> {
        let same = origin == Some(dest);
        let elem_schema = self.schema.elements(schema);
        let mut order: Vec<&Vec<String>> = plan.origin_tuples.iter().collect();
        order.extend(
            plan.dest_tuples
                .iter()
                .filter(|t| !plan.origin_index.contains_key(*t)),
        );
        let mut alive = vec![true; plan.dest_elems.len()];
        let mut items: Vec<(Id, &Vec<String>)> = Vec::with_capacity(order.len());
        for t in order {
            let d = plan.dest_index.get(t).map(|&i| plan.dest_elems[i]);
            let o = if same {
                d
            } else {
                plan.origin_index.get(t).map(|&i| plan.origin_elems[i])
            };
            self.path.push(Seg::Elem(elem_label(keys, t)));
            let val = match self.walk([d, o], elem_schema, depth + 1) {
                Ok(v) => v,
                Err(e) => {
                    self.path.pop();
                    return Err(e);
                }
            };
            let Some(v) = val.filter(|_| !self.empty_map(val)) else {
                self.path.pop();
                if let Some(&i) = plan.dest_index.get(t) {
                    alive[i] = false;
                }
                continue;
            };
            for (key, value) in keys.iter().zip(t.iter()) {
                if self.field(Some(v), key).is_none()
                    && let Err(e) = self.set_key_field(v, key, value)
                {
                    self.path.pop();
                    return Err(e);
                }
            }
            self.path.pop();
            items.push((v, t));
        }
        let survivors = plan
            .dest_elems
            .iter()
            .zip(&plan.dest_tuples)
            .zip(&alive)
            .filter(|&(_, &a)| a)
            .map(|((&e, t), _)| (e, t));
        let content: Vec<Id> = if keys.len() > 1 {
            let surviving: HashSet<&Vec<String>> = survivors.clone().map(|(_, t)| t).collect();
            let mut out: Vec<Id> = items
                .iter()
                .filter(|(_, t)| !surviving.contains(t))
                .map(|&(id, _)| id)
                .collect();
            out.extend(survivors.map(|(e, _)| e));
            out
        } else {
            let pos: HashMap<&Vec<String>, usize> = items
                .iter()
                .enumerate()
                .map(|(i, &(_, t))| (t, i))
                .collect();
            let mut out: Vec<Id> = items.iter().map(|&(id, _)| id).collect();
            for (e, t) in survivors {
                match pos.get(t) {
                    Some(&p) => out[p] = e,
                    None => out.push(e),
                }
            }
            out
        };
        Ok(Some(self.alloc(Body::Seq(content))?))
    }

    /// `Merger.VisitList` for an associative list.
    fn visit_associative_list(&mut self, sources: [Option<Id>; 2]) -> R<Option<Id>> {
        let [dest, origin] = sources;
        if self.missing_or_null(dest) {
            return Ok(origin);
        }
        if origin.is_some_and(|o| self.is_null(o)) {
            return Ok(None);
        }
        Ok(match self.directive(origin)? {
            Directive::Delete => None,
            Directive::Replace => origin,
            _ => dest,
        })
    }

    /// `Walker.elementValues`: the merge-key tuples of all elements, the patch's first
    /// (prepend), each once.
    fn element_values(&self, sources: &[Option<Id>; 2], keys: &[String]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut seen: HashSet<Vec<String>> = HashSet::default();
        for src in [sources[1], sources[0]].into_iter().flatten() {
            let Some(elems) = self.seq(src) else { continue };
            for &e in elems {
                let vals: Vec<String> = keys
                    .iter()
                    .map(|k| {
                        self.field(Some(e), k)
                            .filter(|&v| !self.nil_or_empty(v))
                            .map_or_else(String::new, |v| self.text_of(v))
                    })
                    .collect();
                if vals.is_empty() || seen.contains(&vals) {
                    continue;
                }
                seen.insert(vals.clone());
                out.push(vals);
            }
        }
        out
    }

    /// `Walker.elementPrimitiveValues`.
    fn element_primitive_values(&self, sources: &[Option<Id>; 2]) -> Vec<Vec<String>> {
        let mut out = Vec::new();
        let mut seen: HashSet<String> = HashSet::default();
        for src in [sources[1], sources[0]].into_iter().flatten() {
            let Some(elems) = self.seq(src) else { continue };
            for &e in elems {
                let t = self.text(e);
                if seen.contains(t) {
                    continue;
                }
                seen.insert(t.to_owned());
                out.push(vec![t.to_owned()]);
            }
        }
        out
    }

    /// `Walker.setAssociativeSequenceElements`.
    fn set_associative_elements(
        &mut self,
        values_list: Vec<Vec<String>>,
        keys: &[String],
        dest: Id,
        sources: &[Option<Id>; 2],
        schema: &'a SchemaNode,
        depth: usize,
    ) -> R<Option<Id>> {
        let items = self.alloc(Body::Seq(Vec::new()))?;
        let elem_schema = self.schema.elements(schema);
        let values_list = if keys.len() > 1 {
            merge_values(values_list)
        } else {
            values_list
        };
        // `validateKeys` over the whole list: the keys some element has a value for.
        let mut present: Vec<bool> = vec![false; keys.len()];
        for values in &values_list {
            for (i, v) in values.iter().enumerate() {
                if !v.is_empty()
                    && let Some(p) = present.get_mut(i)
                {
                    *p = true;
                }
            }
        }
        let mut valid_keys: Vec<String> = Vec::new();
        for values in &values_list {
            if values.is_empty() {
                continue;
            }
            let valid_values;
            (valid_keys, valid_values) = validate_keys(&present, values, keys);
            let elems = self.element_value_list(sources, &valid_keys, &valid_values);
            self.path
                .push(Seg::Elem(elem_label(&valid_keys, &valid_values)));
            let val = self.walk(elems, elem_schema, depth + 1);
            let val = match val {
                Ok(v) => v,
                Err(e) => {
                    self.path.pop();
                    return Err(e);
                }
            };
            let mut exit = false;
            for (i, key) in valid_keys.iter().enumerate() {
                if self.empty_map(val) {
                    self.element_setter(dest, None, &valid_keys, &valid_values)?;
                    exit = true;
                } else if let Some(v) = val {
                    let value = valid_values.get(i).map_or("", String::as_str);
                    if self.field(val, key).is_none() && !value.is_empty() {
                        // Make sure the key is set on the element.
                        self.set_key_field(v, key, value)?;
                    }
                }
            }
            self.path.pop();
            if exit {
                continue;
            }
            self.element_setter(items, val, &valid_keys, &valid_values)?;
        }
        let mut result = dest;
        if !values_list.is_empty() {
            // Prepend: the patch's items first, then the object's put in.
            result = self.append_list_node(items, dest, &valid_keys)?;
        }
        if self.is_null(result) {
            return Ok(None);
        }
        Ok(Some(result))
    }

    /// `yaml.SetField(key, NewScalarRNode(value))` on a merged element.
    fn set_key_field(&mut self, elem: Id, key: &str, value: &str) -> R<()> {
        if key.is_empty() {
            // `FieldSetter` with no name sets the scalar itself, to the same text.
            return self.check(Some(elem), NodeKind::Scalar);
        }
        if self.map(elem).is_none() {
            return Err(self.kind_error(NodeKind::Map, elem));
        }
        let id = self.scalar(plain_scalar(value))?;
        if let Body::Map(m) = &mut self.nodes[elem].body {
            m.insert(key.to_owned(), id);
        }
        Ok(())
    }

    /// `Walker.elementValueList`: the element matching the key values in each source.
    fn element_value_list(
        &self,
        sources: &[Option<Id>; 2],
        keys: &[String],
        values: &[String],
    ) -> [Option<Id>; 2] {
        let present: Vec<bool> = values.iter().map(|v| !v.is_empty()).collect();
        let (keys, values) = validate_keys(&present, values, keys);
        sources.map(|s| s.and_then(|s| self.element_list(s, &keys, &values)))
    }

    /// `RNode.ElementList` / `ElementMatcher`: the first element whose key fields have
    /// exactly these texts (`None` on any error).
    fn element_list(&self, seq: Id, keys: &[String], values: &[String]) -> Option<Id> {
        let elems = self.seq(seq)?;
        let blank = [String::new()];
        let keys = if keys.is_empty() { &blank[..] } else { keys };
        let values = if values.is_empty() {
            &blank[..]
        } else {
            values
        };
        if keys[0].is_empty() {
            return elems.iter().copied().find(|&e| self.text(e) == values[0]);
        }
        for &e in elems {
            if self.check(Some(e), NodeKind::Map).is_err() {
                continue;
            }
            if keys.len() != values.len() {
                return None;
            }
            let mut matched = true;
            let mut failed = false;
            for (k, v) in keys.iter().zip(values) {
                match self.field_matcher(e, k, Some(v)) {
                    Ok(Some(_)) => failed = false,
                    Err(_) => failed = true,
                    Ok(None) => {
                        matched = false;
                        break;
                    }
                }
            }
            if matched {
                return if failed { None } else { Some(e) };
            }
        }
        None
    }

    /// `FieldMatcher{Name, Value}`: the field's value node if its text equals `value`
    /// (any value when `None`); with no name, the scalar itself if its text matches.
    fn field_matcher(&self, id: Id, name: &str, value: Option<&str>) -> R<Option<Id>> {
        if self.is_null(id) {
            return Ok(None);
        }
        if name.is_empty() {
            self.check(Some(id), NodeKind::Scalar)?;
            return Ok((self.text(id) == value.unwrap_or("")).then_some(id));
        }
        let Some(m) = self.map(id) else {
            return Err(self.kind_error(NodeKind::Map, id));
        };
        Ok(m.get(name)
            .copied()
            .filter(|&v| value.is_none_or(|want| self.text(v) == want)))
    }

    /// `ElementSetter`: replaces (or, with no element, deletes) the elements whose key
    /// fields match, appends the element when none does, and drops null and empty-map
    /// elements on the way.
    fn element_setter(
        &mut self,
        seq: Id,
        element: Option<Id>,
        keys: &[String],
        values: &[String],
    ) -> R<Option<Id>> {
        let blank = [String::new()];
        let keys = if keys.is_empty() { &blank[..] } else { keys };
        self.check(Some(seq), NodeKind::Seq)?;
        let content: Vec<Id> = self.seq(seq).map(<[Id]>::to_vec).unwrap_or_default();
        let mapping_setter = !keys[0].is_empty() && values.first().is_some_and(|v| !v.is_empty());
        let mut new_content = Vec::with_capacity(content.len() + 1);
        let mut matched_any = false;
        for elem in content {
            if self.empty_map(Some(elem)) {
                continue;
            }
            if self.map(elem).is_none() && mapping_setter {
                new_content.push(elem);
                continue;
            }
            let mut found = true;
            let mut val = None;
            for (j, key) in keys.iter().enumerate() {
                if let Some(v) = values.get(j) {
                    let want = (!v.is_empty()).then_some(v.as_str());
                    val = self.field_matcher(elem, key, want)?;
                }
                if val.is_none() {
                    found = false;
                    break;
                }
            }
            if !found {
                if !values.is_empty() {
                    new_content.push(elem);
                }
                continue;
            }
            matched_any = true;
            if let Some(e) = element {
                new_content.push(e);
            }
        }
        if self.missing_or_null(element) {
            self.set_seq(seq, new_content);
            return Ok(None);
        }
        if !matched_any {
            new_content.extend(element);
        }
        self.set_seq(seq, new_content);
        Ok(element)
    }

    fn set_seq(&mut self, seq: Id, content: Vec<Id>) {
        if let Body::Seq(s) = &mut self.nodes[seq].body {
            *s = content;
        }
    }

    /// `appendListNode(items, dest, keys)`: puts each element of the object's list into
    /// the patch-ordered items.
    fn append_list_node(&mut self, dst: Id, src: Id, keys: &[String]) -> R<Id> {
        let content: Vec<Id> = self.seq(src).map(<[Id]>::to_vec).unwrap_or_default();
        let primitive = keys.first().is_none_or(String::is_empty);
        for elem in content {
            if primitive {
                let text = self.text_of(elem);
                self.element_setter(dst, Some(elem), &[String::new()], &[text])?;
                continue;
            }
            let mut v = Vec::with_capacity(keys.len());
            for key in keys {
                match self.field_matcher(elem, key, None)? {
                    None => {
                        // No key: appended as is.
                        self.check(Some(dst), NodeKind::Seq)?;
                        if let Body::Seq(s) = &mut self.nodes[dst].body {
                            s.push(elem);
                        }
                    }
                    Some(vn) => v.push(self.text_of(vn)),
                }
            }
            if keys.len() > 1 {
                self.element_setter(dst, None, keys, &v)?;
            }
            self.element_setter(dst, Some(elem), keys, &v)?;
        }
        Ok(dst)
    }

    /// `FieldSetter{Name: key, Value: val}` on the merged map.
    fn field_set(&mut self, dest: Id, key: &str, val: Option<Id>) -> R<()> {
        let clear = match val {
            None => true,
            Some(v) => self.is_null(v) && !self.nodes[v].should_keep,
        };
        if clear {
            self.check(Some(dest), NodeKind::Map)?;
            if let Body::Map(m) = &mut self.nodes[dest].body {
                m.shift_remove(key);
            }
            return Ok(());
        }
        let Some(val) = val else { return Ok(()) };
        if self.is_null(dest) {
            // kyaml would append to a null node's content; nothing sensible to do.
            return Ok(());
        }
        let existing = match &self.nodes[dest].body {
            Body::Map(m) => m.get(key).copied(),
            _ => return Err(self.kind_error(NodeKind::Map, dest)),
        };
        match existing {
            // `RNode.SetYNode`: the existing node takes the new node's content.
            Some(old) if old != val => {
                // Before that, kyaml gives the new node the existing node's style: a
                // number or boolean put where a quoted string was is printed quoted, so
                // it comes out a string. Values keep no style; a string that no plain
                // scalar can hold was certainly quoted, others are taken as plain.
                if matches!(&self.nodes[old].body,
                    Body::Scalar { value: Value::String(s), .. } if must_be_quoted(s))
                    && let Body::Scalar {
                        null: false,
                        text,
                        value: value @ (Value::Bool(_) | Value::Number(_)),
                    } = &mut self.nodes[val].body
                {
                    *value = Value::String(text.clone());
                }
                let node = self.nodes[val].clone();
                self.nodes[old] = node;
            }
            Some(_) => {}
            None => {
                if let Body::Map(m) = &mut self.nodes[dest].body {
                    m.insert(key.to_owned(), val);
                }
            }
        }
        Ok(())
    }
}

/// Plain scalars that are not strings: go-yaml v3's nulls, booleans and special floats,
/// and YAML 1.1's booleans.
const WORDS_READ_AS_OTHER_TYPES: &[&str] = &[
    "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", ".inf", ".Inf",
    ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan", ".NaN", ".NAN", "y", "Y",
    "yes", "Yes", "YES", "n", "N", "no", "No", "NO", "on", "On", "ON", "off", "Off", "OFF",
];

/// Whether a string can only have been written quoted (or as a block scalar): it is
/// empty, would read as another type when plain (go-yaml v3's null, boolean, integer
/// and float forms), or holds what a plain scalar cannot (a leading indicator, `: `,
/// ` #`, a line break, surrounding spaces). YAML 1.1's booleans (`yes`, `on`, `y`, ...)
/// count too: go-yaml v3 reads them as strings, but YAML writers (go-yaml v2, helm,
/// kubectl, kustomize itself) quote them, and people do.
fn must_be_quoted(s: &str) -> bool {
    let Some(first) = s.chars().next() else {
        return true;
    };
    if WORDS_READ_AS_OTHER_TYPES.contains(&s) {
        return true;
    }
    if "+-.0123456789".contains(first) && plain_number(&s.replace('_', "")) {
        return true;
    }
    let second = s.chars().nth(1);
    "[]{},#&*!|>'\"%@`".contains(first)
        || ("-?:".contains(first) && second.is_none_or(|c| c == ' '))
        || s.starts_with(char::is_whitespace)
        || s.ends_with(char::is_whitespace)
        || s.ends_with(':')
        || s.contains(": ")
        || s.contains(" #")
        || s.contains(['\n', '\r'])
}

/// go-yaml v3's integer (Go's `ParseInt` with base 0) and float forms.
fn plain_number(s: &str) -> bool {
    let body = s.strip_prefix(['+', '-']).unwrap_or(s);
    let all = |t: &str, f: fn(char) -> bool| !t.is_empty() && t.chars().all(f);
    if let Some(h) = body.strip_prefix("0x").or_else(|| body.strip_prefix("0X")) {
        return all(h, |c| c.is_ascii_hexdigit());
    }
    if let Some(b) = body.strip_prefix("0b").or_else(|| body.strip_prefix("0B")) {
        return all(b, |c| c == '0' || c == '1');
    }
    if let Some(o) = body.strip_prefix("0o").or_else(|| body.strip_prefix("0O")) {
        return all(o, |c| ('0'..='7').contains(&c));
    }
    // `[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?`, which holds the decimal
    // and octal integers too.
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let mantissa_ok = match mantissa.split_once('.') {
        None => all(mantissa, |c| c.is_ascii_digit()),
        Some(("", frac)) => all(frac, |c| c.is_ascii_digit()),
        Some((int, frac)) => {
            all(int, |c| c.is_ascii_digit()) && frac.chars().all(|c| c.is_ascii_digit())
        }
    };
    let exponent_ok = exponent.is_none_or(|e| {
        all(e.strip_prefix(['+', '-']).unwrap_or(e), |c| {
            c.is_ascii_digit()
        })
    });
    mantissa_ok && exponent_ok
}

/// `validateKeys` with the keys that have a value somewhere precomputed in `present`.
fn validate_keys(
    present: &[bool],
    values: &[String],
    keys: &[String],
) -> (Vec<String>, Vec<String>) {
    if !present.iter().any(|&p| p) {
        return (keys.to_vec(), values.to_vec());
    }
    let has = |i: usize| present.get(i).copied().unwrap_or(false);
    let valid_keys = keys
        .iter()
        .enumerate()
        .filter(|&(i, _)| has(i))
        .map(|(_, k)| k.clone())
        .collect();
    let valid_values = values
        .iter()
        .enumerate()
        .filter(|&(i, v)| !v.is_empty() || has(i))
        .map(|(_, v)| v.clone())
        .collect();
    (valid_keys, valid_values)
}

/// `mergeValues`: key tuples that agree where both are set are made the same (so a
/// port without a protocol meets the one with).
fn merge_values(mut list: Vec<Vec<String>>) -> Vec<Vec<String>> {
    for i in 0..list.len() {
        let v1 = list[i].clone();
        for j in 0..list.len() {
            if let Some(v) = match_values(&v1, &list[j]) {
                list[i] = v.clone();
                list[j] = v;
            }
        }
    }
    list
}

fn match_values(v1: &[String], v2: &[String]) -> Option<Vec<String>> {
    if v1.len() != v2.len() {
        return None;
    }
    let mut common = false;
    let mut res = Vec::with_capacity(v1.len());
    for (a, b) in v1.iter().zip(v2) {
        if a == b {
            common = true;
            res.push(a.clone());
        } else if !a.is_empty() && !b.is_empty() {
            return None;
        } else if !a.is_empty() {
            res.push(a.clone());
        } else {
            res.push(b.clone());
        }
    }
    common.then_some(res)
}

fn elem_label(keys: &[String], values: &[String]) -> String {
    keys.iter()
        .zip(values)
        .map(|(k, v)| {
            if k.is_empty() {
                v.clone()
            } else {
                format!("{k}={v}")
            }
        })
        .collect::<Vec<_>>()
        .join(",")
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A small deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            self.0
        }
        fn below(&mut self, n: u64) -> u64 {
            self.next() % n
        }
    }

    fn obj(pairs: Vec<(&str, Value)>) -> Value {
        Value::Map(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
    }

    fn env(rng: &mut Rng, clean: bool) -> Value {
        let n = rng.below(5);
        let mut out = Vec::new();
        let offset = rng.below(7);
        for i in 0..n {
            let name = if clean {
                format!("E{}", (i + offset) % 7)
            } else {
                format!("E{}", rng.below(4))
            };
            let mut e = vec![("value", Value::from(format!("v{i}")))];
            if clean || rng.below(6) != 0 {
                e.push(("name", name.into()));
            }
            out.push(obj(e));
        }
        Value::Seq(out)
    }

    fn container(rng: &mut Rng, clean: bool, slot: u64) -> Value {
        let mut c = vec![("image", Value::from(format!("img{}", rng.below(9))))];
        if clean {
            c.push(("name", Value::from(format!("c{slot}"))));
        } else if rng.below(8) != 0 {
            c.push(("name", Value::from(format!("c{}", rng.below(5)))));
        }
        if rng.below(2) == 0 {
            c.push(("env", env(rng, clean)));
        }
        if rng.below(3) == 0 {
            let offset = rng.below(4);
            let ports = (0..rng.below(4))
                .map(|i| {
                    let port = if clean {
                        (i + offset) % 4
                    } else {
                        rng.below(3)
                    };
                    let port = i64::try_from(port).unwrap_or(0) + 80;
                    let mut p = vec![("containerPort", Value::from(port))];
                    if clean || rng.below(2) == 0 {
                        let proto = if rng.below(2) == 0 { "TCP" } else { "UDP" };
                        p.push(("protocol", Value::from(proto)));
                    }
                    obj(p)
                })
                .collect();
            c.push(("ports", Value::Seq(ports)));
        }
        if !clean {
            match rng.below(10) {
                0 => c.push(("$patch", "delete".into())),
                1 => c.push(("$patch", "replace".into())),
                _ => {}
            }
        }
        obj(c)
    }

    fn deployment(rng: &mut Rng, clean: bool) -> Value {
        let offset = rng.below(8);
        let mut containers: Vec<Value> = (0..rng.below(6))
            .map(|i| container(rng, clean, (i + offset) % 8))
            .collect();
        if !clean && rng.below(10) == 0 {
            containers.push(Value::Null);
        }
        let offset = rng.below(5);
        let finalizers = (0..rng.below(4))
            .map(|i| {
                let f = if clean {
                    (i + offset) % 5
                } else {
                    rng.below(4)
                };
                Value::from(format!("f{f}"))
            })
            .collect();
        obj(vec![
            ("apiVersion", "apps/v1".into()),
            ("kind", "Deployment".into()),
            (
                "metadata",
                obj(vec![("finalizers", Value::Seq(finalizers))]),
            ),
            (
                "spec",
                obj(vec![(
                    "template",
                    obj(vec![(
                        "spec",
                        obj(vec![("containers", Value::Seq(containers))]),
                    )]),
                )]),
            ),
        ])
    }

    fn run(base: &Value, patch: &Value, schema: &Schema, fast: bool) -> R<Option<Value>> {
        let opts = Options::default();
        let mut m = Merger::new(schema, &opts);
        m.fast = fast;
        let d = m.import(base, 0)?;
        let o = m.import(patch, 0)?;
        let Some(out) = m.walk([Some(d), Some(o)], None, 0)? else {
            return Ok(None);
        };
        let mut budget = usize::MAX;
        m.export(out, 0, &mut budget).map(Some)
    }

    /// Strings that only quoted scalars hold, and some a plain scalar holds.
    #[test]
    fn strings_that_must_have_been_quoted() {
        for s in [
            "", "1", "-1", "+1.5", "0x1F", "0o17", "0b101", "1_000", "1_", "1e3", ".5", "1.",
            ".inf", "-.Inf", ".NaN", "true", "False", "NULL", "~", "a: b", "a #b", "x:", "- x",
            "-", "? x", ":", "[x", "{x", "*x", "&x", "!x", "|", ">", "'x", "\"x", "%x", "@x", "`x",
            " x", "x ", "a\nb", "#x", ",x", "yes", "On", "n", "OFF",
        ] {
            assert!(must_be_quoted(s), "{s:?}");
        }
        for s in [
            "x",
            "a b",
            "yess",
            "onn",
            "1.2.3",
            "1e",
            "0x",
            "-x",
            "a:b",
            "a#b",
            "2001-12-14",
            "12:30",
            "v1.0",
            "e3",
            "+",
            ".",
            "x-",
        ] {
            assert!(!must_be_quoted(s), "{s:?}");
        }
    }

    /// The hashed path gives what kyaml's literal steps give.
    #[test]
    fn fast_path_matches_literal_steps() {
        let schema = Schema::builtin();
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for i in 0..3000 {
            let clean = i % 2 == 0;
            let base = deployment(&mut rng, clean);
            let patch = deployment(&mut rng, clean);
            let fast = run(&base, &patch, &schema, true);
            let slow = run(&base, &patch, &schema, false);
            assert_eq!(fast, slow, "case {i}\nbase: {base:?}\npatch: {patch:?}");
        }
    }
}
