//! JSON patch (RFC 6902) as kustomize v5.7.1 applies it: with the Go library it links,
//! `gopkg.in/evanphx/json-patch.v4` (v4.13.0 in `kubectl` v1.35; kustomize's own go.mod
//! asks for v4.12.0, which differs in two nil dereferences v4.13.0 fixed and in accepting
//! silently a `replace` of the whole document with a scalar), and kustomize's wrapping
//! around it (`filters/patchjson6902` and the transformers).
//!
//! The library works on raw JSON text and keeps its quirks, which kustomize users see:
//!
//! * `replace` of a key missing from an object adds it; `add` with no `value` adds `null`;
//!   `replace` with no `value` sets `null`.
//! * A path is split at every `/` and its first segment is ignored (`a/b` is `/b`); a path
//!   without `/` (including `""`) is missing for every operation but `replace` and
//!   `test`, for which `""` is the whole document.
//! * Array indices are read with Go's `strconv.Atoi` (`+1`, `007` and `-0` are indices);
//!   negative indices count from the end, `-1` in `add` appends; `-` appends in `add`
//!   only.
//! * `test` compares scalars by their compacted JSON text (`1` is not `1.0`, `"<"` is not
//!   `"\u003c"`), objects and arrays structurally; `null` equals `{}` when it was copied.
//! * Errors are the library's texts (`error in remove for path: '/a/b': Unable to remove
//!   nonexistent key: b: missing value`), which kustomize prints unwrapped.
//!
//! A few inputs make the library panic (a nil map or pointer dereferenced); kustomize
//! crashes there, gitward reports `panic: <Go's panic message>`.
//!
//! Around the library, kustomize marshals the resource to JSON (with its build
//! annotations in `metadata.annotations`), applies the patch, reads the result back with
//! `encoding/json` (every number a `float64`) and go-yaml v3, puts its internal
//! annotations back and rewrites `metadata.annotations` as a string map.

mod json;
#[cfg(test)]
mod tests;

use std::collections::BTreeMap;

use super::resource::{Behavior, Resource};
use crate::yaml::{Map, Number, Value};

/// One operation: its members as raw JSON text (`None` for a JSON `null`), as the Go
/// library holds them (`map[string]*json.RawMessage`; a later duplicate key wins).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Operation(BTreeMap<String, Option<String>>);

/// A decoded patch: a list of operations.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Patch(Vec<Operation>);

/// Why an application failed: an error the library returns, or a Go panic.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Failure {
    /// An error, worded as the library words it.
    Error(String),
    /// The library (or kyaml after it) panicked with this message.
    Panic(String),
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Failure::Error(e) => f.write_str(e),
            Failure::Panic(p) => write!(f, "panic: {p}"),
        }
    }
}

impl From<String> for Failure {
    fn from(e: String) -> Self {
        Failure::Error(e)
    }
}

const NIL_DEREFERENCE: &str = "runtime error: invalid memory address or nil pointer dereference";
const NIL_MAP: &str = "assignment to entry in nil map";

fn panic(message: &str) -> Failure {
    Failure::Panic(message.to_owned())
}

impl Patch {
    /// Whether the patch has no operation.
    pub(crate) fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// `jsonpatch.DecodePatch`: `json.Unmarshal` of JSON text into a list of operations.
///
/// # Errors
/// Go's texts: a syntax error (`invalid character ...`, `unexpected end of JSON input`)
/// or a type mismatch (`json: cannot unmarshal object into Go value of type
/// jsonpatch.Patch`).
pub(crate) fn decode_json(text: &str) -> Result<Patch, String> {
    json::check_valid(text.as_bytes())?;
    let raw = json::trim(text);
    let kind = json::kind_of(raw);
    match kind {
        "null" => return Ok(Patch::default()),
        "array" => {}
        _ => {
            return Err(format!(
                "json: cannot unmarshal {kind} into Go value of type jsonpatch.Patch"
            ));
        }
    }
    let mut ops = Vec::new();
    let mut first_err = None;
    for item in json::array_items(raw) {
        match json::kind_of(item) {
            "object" => {
                let mut op = BTreeMap::new();
                for (k, v) in json::object_members(item) {
                    op.insert(k, (v != "null").then(|| v.to_owned()));
                }
                ops.push(Operation(op));
            }
            "null" => ops.push(Operation::default()),
            other => {
                // Go keeps decoding and reports the first mismatch.
                first_err.get_or_insert_with(|| {
                    format!(
                        "json: cannot unmarshal {other} into Go value of type jsonpatch.Operation"
                    )
                });
                ops.push(Operation::default());
            }
        }
    }
    match first_err {
        Some(e) => Err(e),
        None => Ok(Patch(ops)),
    }
}

/// Why kustomize could not decode patch text.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum DecodeError {
    /// `yaml.YAMLToJSON` failed (text that does not start with `[`).
    Yaml(String),
    /// `jsonpatch.DecodePatch` failed on the JSON text.
    Json {
        /// The JSON text that was decoded.
        json: String,
        /// Go's error.
        error: String,
    },
}

impl std::fmt::Display for DecodeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            DecodeError::Yaml(e) => f.write_str(e),
            DecodeError::Json { error, .. } => f.write_str(error),
        }
    }
}

/// `sigs.k8s.io/yaml.YAMLToJSON`: the first YAML document as go-yaml v2 reads it,
/// printed by `encoding/json`.
///
/// # Errors
/// go-yaml's or `encoding/json`'s text.
pub(crate) fn yaml_to_json(text: &str) -> Result<String, String> {
    let v = crate::yaml::parse_yaml_go_v2(text).map_err(|e| e.go_text())?;
    crate::go::json::to_string(&v).map_err(|e| e.to_string())
}

/// Decodes patch text as kustomize does (`patchjson6902.Filter.decodePatch` and the
/// transformers' `Config`): text that does not start with `[` is YAML, converted to JSON
/// first. Returns the operations and the JSON text they were decoded from.
///
/// # Errors
/// See [`DecodeError`].
pub(crate) fn decode(text: &str) -> Result<(Patch, String), DecodeError> {
    let json_text = if text.starts_with('[') {
        text.to_owned()
    } else {
        yaml_to_json(text).map_err(DecodeError::Yaml)?
    };
    match decode_json(&json_text) {
        Ok(p) => Ok((p, json_text)),
        Err(error) => Err(DecodeError::Json {
            json: json_text,
            error,
        }),
    }
}

impl Operation {
    fn member(&self, name: &str) -> Option<&Option<String>> {
        self.0.get(name)
    }

    /// `Operation.Kind`: the `op` string, `unknown` when missing or not a string.
    fn kind(&self) -> String {
        match self.member("op") {
            Some(Some(raw)) if raw.starts_with('"') => json::unquote(raw),
            _ => "unknown".to_owned(),
        }
    }

    /// `Operation.Path` / `Operation.From`: the member as a string.
    fn string(&self, name: &str, missing: &str) -> Result<String, String> {
        match self.member(name) {
            Some(Some(raw)) if raw.starts_with('"') => Ok(json::unquote(raw)),
            Some(Some(raw)) => Err(format!(
                "json: cannot unmarshal {} into Go value of type string",
                json::kind_of(raw)
            )),
            _ => Err(format!("{missing}: missing value")),
        }
    }

    fn path(&self) -> Result<String, String> {
        self.string("path", "operation missing path field")
    }

    fn from(&self) -> Result<String, String> {
        self.string("from", "operation, missing from field")
    }

    /// `Operation.value()`: a fresh node for the `value` member.
    fn value(&self) -> Node {
        match self.member("value") {
            None => Node::Nil,
            Some(None) => Node::NilRaw,
            Some(Some(raw)) => Node::Raw(raw.clone()),
        }
    }
}

/// A `*lazyNode` of the Go library, or the container behind `partialDoc`/`partialArray`.
#[derive(Debug, Clone, PartialEq)]
enum Node {
    /// A nil pointer: `null` inside decoded text, or an operation without `value`.
    Nil,
    /// A node whose raw message is nil: the value of an operation whose `value` is `null`.
    NilRaw,
    /// Raw JSON text not decoded yet (valid JSON, no surrounding space).
    Raw(String),
    /// A decoded object; `None` is a nil map (decoded from a copied `null`).
    Doc(Option<BTreeMap<String, Node>>),
    /// A decoded array.
    Ary(Vec<Node>),
}

/// A decoded member or element: `null` is a nil pointer.
fn node_from_raw(raw: &str) -> Node {
    if raw == "null" {
        Node::Nil
    } else {
        Node::Raw(raw.to_owned())
    }
}

fn decode_object(raw: &str) -> BTreeMap<String, Node> {
    json::object_members(raw)
        .into_iter()
        .map(|(k, v)| (k, node_from_raw(v)))
        .collect()
}

fn decode_array(raw: &str) -> Vec<Node> {
    json::array_items(raw)
        .into_iter()
        .map(node_from_raw)
        .collect()
}

impl Drop for Node {
    /// Drops nested nodes with an explicit stack: paths and moves can nest decoded nodes
    /// deeper than the native stack allows recursing.
    fn drop(&mut self) {
        fn take(n: &mut Node, stack: &mut Vec<Node>) {
            match n {
                Node::Doc(Some(m)) => stack.extend(std::mem::take(m).into_values()),
                Node::Ary(items) => stack.append(items),
                _ => {}
            }
        }
        let mut stack: Vec<Node> = Vec::new();
        take(self, &mut stack);
        while let Some(mut n) = stack.pop() {
            take(&mut n, &mut stack);
        }
    }
}

impl Node {
    fn is_raw(&self) -> bool {
        matches!(self, Node::Raw(_) | Node::NilRaw)
    }

    /// `lazyNode.tryDoc` (on a node still raw).
    fn try_doc(&mut self) -> bool {
        let Node::Raw(raw) = self else { return false };
        let doc = match raw.as_bytes().first() {
            Some(b'{') => Some(decode_object(raw)),
            _ if raw == "null" => None,
            _ => return false,
        };
        *self = Node::Doc(doc);
        true
    }

    /// `lazyNode.tryAry` (on a node still raw).
    fn try_ary(&mut self) -> bool {
        let Node::Raw(raw) = self else { return false };
        let ary = match raw.as_bytes().first() {
            Some(b'[') => decode_array(raw),
            // A nil slice; only reachable on the operation's side, where it is compared
            // and dropped.
            _ if raw == "null" => Vec::new(),
            _ => return false,
        };
        *self = Node::Ary(ary);
        true
    }

    /// What `findObject` does with a node it walks through: `intoAry` when the raw text
    /// is an array, `intoDoc` otherwise. `false` when the node cannot hold members.
    fn open_container(&mut self) -> bool {
        match self {
            Node::Doc(_) | Node::Ary(_) => true,
            Node::Raw(raw) if raw.starts_with('[') => self.try_ary(),
            Node::Raw(_) => self.try_doc(),
            Node::Nil | Node::NilRaw => false,
        }
    }

    /// `lazyNode.compact` of a raw node (`None` for a nil raw message).
    fn compacted(&self) -> Option<String> {
        match self {
            Node::Raw(raw) => Some(json::compact(raw, false)),
            _ => None,
        }
    }
}

/// One step of [`marshal`]'s walk.
enum Emit<'a> {
    Node(&'a Node),
    Key(&'a str),
    Text(&'static str),
}

/// `json.Marshal` of a node (`lazyNode.MarshalJSON`), walking with an explicit stack.
fn marshal(node: &Node, out: &mut String) {
    let mut stack = vec![Emit::Node(node)];
    while let Some(item) = stack.pop() {
        match item {
            Emit::Text(t) => out.push_str(t),
            Emit::Key(k) => {
                crate::go::json::write_str(out, k, true);
                out.push(':');
            }
            Emit::Node(Node::Nil | Node::NilRaw | Node::Doc(None)) => out.push_str("null"),
            Emit::Node(Node::Raw(raw)) => out.push_str(&json::compact(raw, true)),
            Emit::Node(Node::Doc(Some(m))) => {
                out.push('{');
                stack.push(Emit::Text("}"));
                for (i, (k, v)) in m.iter().enumerate().rev() {
                    stack.push(Emit::Node(v));
                    stack.push(Emit::Key(k));
                    if i > 0 {
                        stack.push(Emit::Text(","));
                    }
                }
            }
            Emit::Node(Node::Ary(items)) => {
                out.push('[');
                stack.push(Emit::Text("]"));
                for (i, v) in items.iter().enumerate().rev() {
                    stack.push(Emit::Node(v));
                    if i > 0 {
                        stack.push(Emit::Text(","));
                    }
                }
            }
        }
    }
}

/// `deepCopy`: a nil pointer stays nil, anything else becomes raw text again.
fn deep_copy(node: &Node) -> Node {
    if *node == Node::Nil {
        return Node::Nil;
    }
    let mut out = String::new();
    marshal(node, &mut out);
    Node::Raw(out)
}

/// `lazyNode.equal`: `n` from the document, `o` from the operation.
fn equal(n: &mut Node, o: &mut Node) -> Result<bool, Failure> {
    if *n == Node::Nil || *o == Node::Nil {
        return Err(panic(NIL_DEREFERENCE));
    }
    if n.is_raw() && !n.try_doc() && !n.try_ary() {
        if !o.is_raw() {
            return Ok(false);
        }
        return Ok(n.compacted() == o.compacted());
    }
    match n {
        Node::Doc(nd) => {
            if o.is_raw() && !o.try_doc() {
                return Ok(false);
            }
            let Node::Doc(od) = o else { return Ok(false) };
            let (nlen, olen) = (
                nd.as_ref().map_or(0, BTreeMap::len),
                od.as_ref().map_or(0, BTreeMap::len),
            );
            if nlen != olen {
                return Ok(false);
            }
            let (Some(nd), Some(od)) = (nd, od) else {
                return Ok(true);
            };
            // Go visits the members in random order; a mismatch found before a panic
            // hides it there. Sorted order here.
            for (k, v) in nd.iter_mut() {
                let Some(ov) = od.get_mut(k) else {
                    return Ok(false);
                };
                match (*v == Node::Nil, *ov == Node::Nil) {
                    (true, true) => continue,
                    (false, false) => {}
                    _ => return Ok(false),
                }
                if !equal(v, ov)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        Node::Ary(na) => {
            if !matches!(o, Node::Ary(_)) && !o.try_ary() {
                return Ok(false);
            }
            let Node::Ary(oa) = o else { return Ok(false) };
            if na.len() != oa.len() {
                return Ok(false);
            }
            for (v, ov) in na.iter_mut().zip(oa.iter_mut()) {
                if !equal(v, ov)? {
                    return Ok(false);
                }
            }
            Ok(true)
        }
        // try_doc or try_ary turned a raw node into one of the above.
        Node::Nil | Node::NilRaw | Node::Raw(_) => Ok(false),
    }
}

/// `decodePatchKey`: `~1` is `/`, then `~0` is `~`.
fn decode_key(k: &str) -> String {
    // strings.NewReplacer("~1", "/", "~0", "~") replaces left to right in one pass.
    let mut out = String::with_capacity(k.len());
    let mut rest = k;
    while let Some(i) = rest.find('~') {
        out.push_str(rest.get(..i).unwrap_or(""));
        let tail = rest.get(i..).unwrap_or("");
        rest = if let Some(after) = tail.strip_prefix("~1") {
            out.push('/');
            after
        } else if let Some(after) = tail.strip_prefix("~0") {
            out.push('~');
            after
        } else {
            out.push('~');
            tail.get(1..).unwrap_or("")
        };
    }
    out.push_str(rest);
    out
}

/// Go's `strconv.Atoi` on a 64-bit platform, with its error text.
fn atoi(s: &str) -> Result<i64, String> {
    let fail = |why: &str| {
        format!(
            "strconv.Atoi: parsing {}: {why}",
            crate::go::strconv::quote(s)
        )
    };
    let (neg, digits) = match s.as_bytes().first() {
        Some(b'-') => (true, &s[1..]),
        Some(b'+') => (false, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() {
        return Err(fail("invalid syntax"));
    }
    let mut n: u64 = 0;
    for c in digits.bytes() {
        if !c.is_ascii_digit() {
            return Err(fail("invalid syntax"));
        }
        n = match n
            .checked_mul(10)
            .and_then(|n| n.checked_add(u64::from(c - b'0')))
        {
            Some(n) => n,
            None => return Err(fail("value out of range")),
        };
    }
    const CUTOFF: u64 = 1 << 63;
    if (!neg && n >= CUTOFF) || (neg && n > CUTOFF) {
        return Err(fail("value out of range"));
    }
    // In range: n < 2^63, or n == 2^63 when negative.
    Ok(if neg {
        0i64.wrapping_sub_unsigned(n)
    } else {
        i64::try_from(n).unwrap_or(i64::MAX)
    })
}

fn invalid_index(idx: i64) -> String {
    format!("Unable to access invalid index: {idx}: invalid index referenced")
}

fn len_i64(len: usize) -> i64 {
    i64::try_from(len).unwrap_or(i64::MAX)
}

/// `partialArray.get`'s index checks (also `set`'s, after `get` passed).
fn array_index(len: usize, key: &str) -> Result<usize, String> {
    let mut idx = atoi(key)?;
    let len = len_i64(len);
    if idx < 0 {
        if idx < -len {
            return Err(invalid_index(idx));
        }
        idx += len;
    }
    if idx >= len {
        return Err(invalid_index(idx));
    }
    usize::try_from(idx).map_err(|_| invalid_index(idx))
}

/// `container.get`.
fn con_get<'a>(con: &'a mut Node, key: &str) -> Result<Option<&'a mut Node>, String> {
    match con {
        Node::Doc(Some(m)) => Ok(m.get_mut(key)),
        Node::Ary(a) => {
            let i = array_index(a.len(), key)?;
            Ok(a.get_mut(i))
        }
        _ => Ok(None),
    }
}

/// `container.set` (after `get` succeeded).
fn con_set(con: &mut Node, key: &str, val: Node) -> Result<(), Failure> {
    match con {
        Node::Doc(Some(m)) => {
            m.insert(key.to_owned(), val);
            Ok(())
        }
        Node::Ary(a) => {
            let i = array_index(a.len(), key)?;
            if let Some(slot) = a.get_mut(i) {
                *slot = val;
            }
            Ok(())
        }
        _ => Err(panic(NIL_MAP)),
    }
}

/// `container.add`.
fn con_add(con: &mut Node, key: &str, val: Node) -> Result<(), Failure> {
    match con {
        Node::Doc(Some(m)) => {
            m.insert(key.to_owned(), val);
            Ok(())
        }
        Node::Ary(a) => {
            if key == "-" {
                a.push(val);
                return Ok(());
            }
            let mut idx = atoi(key)
                .map_err(|e| format!("value was not a proper array index: '{key}': {e}"))?;
            let size = len_i64(a.len()) + 1;
            if idx >= size {
                return Err(invalid_index(idx).into());
            }
            if idx < 0 {
                if idx < -size {
                    return Err(invalid_index(idx).into());
                }
                idx += size;
            }
            let i = usize::try_from(idx).map_err(|_| invalid_index(idx))?;
            a.insert(i.min(a.len()), val);
            Ok(())
        }
        _ => Err(panic(NIL_MAP)),
    }
}

/// `container.remove`, returning what it removed.
fn con_remove(con: &mut Node, key: &str) -> Result<Node, String> {
    match con {
        Node::Doc(m) => m
            .as_mut()
            .and_then(|m| m.remove(key))
            .ok_or_else(|| format!("Unable to remove nonexistent key: {key}: missing value")),
        Node::Ary(a) => {
            let mut idx = atoi(key)?;
            let len = len_i64(a.len());
            if idx >= len {
                return Err(invalid_index(idx));
            }
            if idx < 0 {
                if idx < -len {
                    return Err(invalid_index(idx));
                }
                idx += len;
            }
            let i = usize::try_from(idx).map_err(|_| invalid_index(idx))?;
            Ok(a.remove(i))
        }
        _ => Err(format!(
            "Unable to remove nonexistent key: {key}: missing value"
        )),
    }
}

/// `findObject`: the container holding the path's last segment, and that segment
/// decoded. Walking decodes the raw nodes passed through.
fn find_object<'a>(root: &'a mut Node, path: &str) -> Option<(&'a mut Node, String)> {
    let split: Vec<&str> = path.split('/').collect();
    let (last, init) = split.split_last()?;
    let parts = init.get(1..)?;
    let mut doc = root;
    for part in parts {
        let next = con_get(doc, &decode_key(part)).ok()??;
        if !next.open_container() {
            return None;
        }
        doc = next;
    }
    Some((doc, decode_key(last)))
}

fn missing(what: String) -> Failure {
    Failure::Error(format!("{what}: missing value"))
}

fn op_add(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let path = op
        .path()
        .map_err(|_| missing("add operation failed to decode path".into()))?;
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "add operation does not apply: doc is missing path: \"{path}\""
        )));
    };
    con_add(con, &key, op.value()).map_err(|e| match e {
        Failure::Error(e) => Failure::Error(format!("error in add for path: '{path}': {e}")),
        p => p,
    })
}

fn op_remove(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let path = op
        .path()
        .map_err(|_| missing("remove operation failed to decode path".into()))?;
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "remove operation does not apply: doc is missing path: \"{path}\""
        )));
    };
    con_remove(con, &key).map_err(|e| format!("error in remove for path: '{path}': {e}"))?;
    Ok(())
}

fn op_replace(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let path = op
        .path()
        .map_err(|e| format!("replace operation failed to decode path: {e}"))?;
    if path.is_empty() {
        let mut val = op.value();
        if val == Node::Nil {
            return Err(panic(NIL_DEREFERENCE));
        }
        if val.is_raw() && !val.try_doc() && !val.try_ary() {
            // fmt.Errorf("...: %w", err) with a nil err.
            return Err(
                "replace operation value must be object or array: %!w(<nil>)"
                    .to_owned()
                    .into(),
            );
        }
        *doc = val;
        return Ok(());
    }
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "replace operation does not apply: doc is missing path: {path}"
        )));
    };
    if con_get(con, &key).is_err() {
        return Err(missing(format!(
            "replace operation does not apply: doc is missing key: {path}"
        )));
    }
    con_set(con, &key, op.value()).map_err(|e| match e {
        Failure::Error(e) => Failure::Error(format!("error in remove for path: '{path}': {e}")),
        p => p,
    })
}

fn op_move(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let from = op
        .from()
        .map_err(|e| format!("move operation failed to decode from: {e}"))?;
    let Some((con, key)) = find_object(doc, &from) else {
        return Err(missing(format!(
            "move operation does not apply: doc is missing from path: {from}"
        )));
    };
    con_get(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let val = con_remove(con, &key).map_err(|e| format!("error in move for path: '{key}': {e}"))?;
    let path = op
        .path()
        .map_err(|e| format!("move operation failed to decode path: {e}"))?;
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "move operation does not apply: doc is missing destination path: {path}"
        )));
    };
    con_add(con, &key, val).map_err(|e| match e {
        Failure::Error(e) => Failure::Error(format!("error in move for path: '{path}': {e}")),
        p => p,
    })
}

fn op_copy(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let from = op
        .from()
        .map_err(|e| format!("copy operation failed to decode from: {e}"))?;
    let Some((con, key)) = find_object(doc, &from) else {
        return Err(missing(format!(
            "copy operation does not apply: doc is missing from path: {from}"
        )));
    };
    con_get(con, &key).map_err(|e| format!("error in copy for from: '{from}': {e}"))?;
    let path = op
        .path()
        .map_err(|_| missing("copy operation failed to decode path".into()))?;
    if find_object(doc, &path).is_none() {
        return Err(missing(format!(
            "copy operation does not apply: doc is missing destination path: {path}"
        )));
    }
    // The copy is marshalled after the destination was looked up (which may have
    // decoded nodes on the way); walking the source path again decodes nothing more.
    let copied = match find_object(doc, &from) {
        Some((con, key)) => match con_get(con, &key) {
            Ok(Some(v)) => deep_copy(v),
            _ => Node::Nil,
        },
        None => Node::Nil,
    };
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "copy operation does not apply: doc is missing destination path: {path}"
        )));
    };
    con_add(con, &key, copied).map_err(|e| match e {
        Failure::Error(e) => Failure::Error(format!("error while adding value during copy: {e}")),
        p => p,
    })
}

fn op_test(doc: &mut Node, op: &Operation) -> Result<(), Failure> {
    let path = op
        .path()
        .map_err(|e| format!("test operation failed to decode path: {e}"))?;
    let failed = || Failure::Error(format!("testing value {path} failed: test failed"));
    if path.is_empty() {
        let mut val = op.value();
        return if equal(doc, &mut val)? {
            Ok(())
        } else {
            Err(failed())
        };
    }
    let Some((con, key)) = find_object(doc, &path) else {
        return Err(missing(format!(
            "test operation does not apply: is missing path: {path}"
        )));
    };
    let val = con_get(con, &key).map_err(|e| format!("error in test for path: '{path}': {e}"))?;
    let mut want = op.value();
    match val {
        None | Some(Node::Nil) => {
            if matches!(want, Node::Nil | Node::NilRaw) {
                Ok(())
            } else {
                Err(failed())
            }
        }
        Some(_) if want == Node::Nil => Err(failed()),
        Some(v) => {
            if equal(v, &mut want)? {
                Ok(())
            } else {
                Err(failed())
            }
        }
    }
}

/// Applies the operations in order to a document (`Patch.ApplyIndent`'s loop).
fn apply_ops(doc: &mut Node, patch: &Patch) -> Result<(), Failure> {
    for op in &patch.0 {
        match op.kind().as_str() {
            "add" => op_add(doc, op)?,
            "remove" => op_remove(doc, op)?,
            "replace" => op_replace(doc, op)?,
            "move" => op_move(doc, op)?,
            "test" => op_test(doc, op)?,
            "copy" => op_copy(doc, op)?,
            other => return Err(Failure::Error(format!("Unexpected kind: {other}"))),
        }
    }
    Ok(())
}

/// `Patch.Apply` on JSON text, returning the exact bytes the Go library returns (for
/// tests and the differential run against the Go library).
///
/// # Errors
/// The library's error, or the panic it would raise.
#[cfg(test)]
pub(crate) fn apply_json(doc: &str, patch: &Patch) -> Result<String, Failure> {
    if doc.is_empty() {
        return Ok(String::new());
    }
    let is_array = doc.starts_with('[');
    json::check_valid(doc.as_bytes())?;
    let raw = json::trim(doc);
    let mut root = match (is_array, json::kind_of(raw)) {
        (false, "object") => Node::Doc(Some(decode_object(raw))),
        (true, "array") => Node::Ary(decode_array(raw)),
        // Unmarshal of null into a map or slice sets it to nil.
        (false, "null") => Node::Doc(None),
        (true, "null") => Node::Ary(Vec::new()),
        (a, kind) => {
            let ty = if a { "partialArray" } else { "partialDoc" };
            return Err(Failure::Error(format!(
                "json: cannot unmarshal {kind} into Go value of type jsonpatch.{ty}"
            )));
        }
    };
    apply_ops(&mut root, patch)?;
    let mut out = String::new();
    marshal(&root, &mut out);
    Ok(out)
}

// ---- kustomize's wrapping ----

/// A [`Value`] as `encoding/json` marshals it, as a node tree.
fn node_from_value(v: &Value) -> Result<Node, String> {
    Ok(match v {
        Value::Null => Node::Nil,
        Value::Bool(b) => Node::Raw(b.to_string()),
        Value::Number(n) => Node::Raw(crate::go::json::number(*n).map_err(|e| e.to_string())?),
        Value::String(s) => {
            let mut out = String::new();
            crate::go::json::write_str(&mut out, s, true);
            Node::Raw(out)
        }
        Value::Seq(items) => Node::Ary(
            items
                .iter()
                .map(node_from_value)
                .collect::<Result<_, _>>()?,
        ),
        Value::Map(m) => Node::Doc(Some(
            m.iter()
                .map(|(k, v)| Ok((k.clone(), node_from_value(v)?)))
                .collect::<Result<_, String>>()?,
        )),
    })
}

/// A JSON number as `encoding/json` decodes it into an `interface{}` (a `float64`), as
/// kustomize then holds it (go-yaml v3 prints it, the value is read back).
fn number_from_raw(raw: &str) -> Result<Value, String> {
    let f: f64 = raw.parse().unwrap_or(f64::NAN);
    match crate::yaml::json_round_trip(f) {
        Some(n) if f.is_finite() => Ok(Value::Number(n)),
        _ => Err(format!(
            "json: cannot unmarshal number {raw} into Go value of type float64"
        )),
    }
}

/// Raw JSON text decoded into a [`Value`] as `json.Unmarshal` into `interface{}` does.
fn value_from_raw(raw: &str) -> Result<Value, String> {
    Ok(match raw.as_bytes().first() {
        Some(b'{') => {
            let mut m = Map::default();
            for (k, v) in json::object_members(raw) {
                let v = value_from_raw(v)?;
                m.insert(k, v);
            }
            Value::Map(m)
        }
        Some(b'[') => Value::Seq(
            json::array_items(raw)
                .into_iter()
                .map(value_from_raw)
                .collect::<Result<_, _>>()?,
        ),
        Some(b'"') => Value::String(json::unquote(raw)),
        Some(b't') => Value::Bool(true),
        Some(b'f') => Value::Bool(false),
        Some(b'n') | None => Value::Null,
        Some(_) => number_from_raw(raw)?,
    })
}

/// A node decoded into a [`Value`] (what `json.Unmarshal` of its marshalled text gives).
fn value_from_node(n: &Node) -> Result<Value, String> {
    Ok(match n {
        Node::Nil | Node::NilRaw | Node::Doc(None) => Value::Null,
        Node::Raw(raw) => value_from_raw(raw)?,
        Node::Doc(Some(m)) => {
            let mut out = Map::default();
            for (k, v) in m {
                out.insert(k.clone(), value_from_node(v)?);
            }
            Value::Map(out)
        }
        Node::Ary(items) => Value::Seq(
            items
                .iter()
                .map(value_from_node)
                .collect::<Result<_, _>>()?,
        ),
    })
}

/// How deep a node nests (an object or array is one level), without recursing.
fn depth(root: &Node) -> usize {
    let mut max = 0;
    let mut stack = vec![(root, 1usize)];
    while let Some((n, d)) = stack.pop() {
        match n {
            Node::Doc(Some(m)) => {
                max = max.max(d);
                stack.extend(m.values().map(|v| (v, d + 1)));
            }
            Node::Ary(items) => {
                max = max.max(d);
                stack.extend(items.iter().map(|v| (v, d + 1)));
            }
            Node::Raw(raw) if raw.starts_with(['{', '[']) => {
                // Raw text nests at most MAX_NESTING_DEPTH levels (it was checked).
                let mut level = 0usize;
                let mut deepest = 0usize;
                let mut in_string = false;
                let mut escaped = false;
                for c in raw.bytes() {
                    if in_string {
                        match (escaped, c) {
                            (true, _) => escaped = false,
                            (false, b'\\') => escaped = true,
                            (false, b'"') => in_string = false,
                            _ => {}
                        }
                        continue;
                    }
                    match c {
                        b'"' => in_string = true,
                        b'{' | b'[' => {
                            level += 1;
                            deepest = deepest.max(level);
                        }
                        b'}' | b']' => level = level.saturating_sub(1),
                        _ => {}
                    }
                }
                max = max.max(d + deepest - 1);
            }
            _ => {}
        }
    }
    max
}

/// kustomize's build annotations on a resource, as they stand in `metadata.annotations`
/// while the build runs (kustomize keeps this bookkeeping there; gitward in fields).
pub(crate) fn build_annotations(r: &Resource) -> Vec<(String, String)> {
    let csv = |v: Vec<String>| {
        v.into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(",")
    };
    let mut out: Vec<(&str, String)> = vec![
        ("prefixes", csv(r.prefixes.clone())),
        ("suffixes", csv(r.suffixes.clone())),
        (
            "previousKinds",
            csv(r.prev_ids.iter().map(|p| p.gvk.kind.clone()).collect()),
        ),
        (
            "previousNames",
            csv(r.prev_ids.iter().map(|p| p.name.clone()).collect()),
        ),
        (
            "previousNamespaces",
            csv(r
                .prev_ids
                .iter()
                .map(|p| p.effective_namespace().to_owned())
                .collect()),
        ),
        (
            "refBy",
            csv(r.ref_by.iter().map(|i| i.to_string()).collect()),
        ),
    ];
    if r.generated {
        let b = match r.behavior {
            Behavior::Unspecified => "unspecified",
            Behavior::Create => "create",
            Behavior::Merge => "merge",
            Behavior::Replace => "replace",
        };
        out.push(("generatorBehavior", b.to_owned()));
    }
    if r.needs_hash {
        out.push(("needsHashSuffix", "enabled".to_owned()));
    }
    out.into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (format!("{INTERNAL_PREFIX}{k}"), v))
        .collect()
}

const INTERNAL_PREFIX: &str = "internal.config.kubernetes.io/";
const ORIGIN: &str = "config.kubernetes.io/origin";
const TRANSFORMATIONS: &str = "alpha.config.kubernetes.io/transformations";

/// The origin and transformations annotations kustomize keeps on every resource while
/// the build tracks them (any `buildMetadata`), which gitward keeps as fields.
fn tracking_annotations(r: &Resource) -> Vec<(String, String)> {
    let mut out = Vec::new();
    if let Some(o) = &r.origin {
        out.push((ORIGIN.to_owned(), o.annotation()));
    }
    if !r.transformations.is_empty() {
        let list: String = r
            .transformations
            .iter()
            .map(super::resource::Origin::list_entry)
            .collect();
        out.push((TRANSFORMATIONS.to_owned(), list));
    }
    out
}

/// kustomize's `BuildAnnotations`: removed from every resource at the end of a build.
const BUILD_ANNOTATIONS: [&str; 10] = [
    "previousKinds",
    "previousNames",
    "prefixes",
    "suffixes",
    "previousNamespaces",
    "allowNameChange",
    "allowKindChange",
    "refBy",
    "generatorBehavior",
    "needsHashSuffix",
];

/// Whether kyaml counts an annotation as internal (`kioutil.GetInternalAnnotations`).
fn is_internal(k: &str) -> bool {
    k.starts_with(INTERNAL_PREFIX)
        || k == "config.kubernetes.io/path"
        || k == "config.kubernetes.io/index"
        || k == "config.k8s.io/id"
}

/// A node's `Value` in kyaml after the patch (go-yaml v3 printed the decoded JSON, so
/// numbers are `float64`s printed `'g'`); collections have none (`""`).
fn node_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Bool(b) => b.to_string(),
        Value::Null => "null".to_owned(),
        #[allow(clippy::cast_precision_loss)]
        Value::Number(n) => {
            let f = match *n {
                Number::Int(i) => i as f64,
                Number::UInt(u) => u as f64,
                Number::Float(f) => f,
            };
            crate::go::number::format_float(f, b'g', -1, 64)
        }
        Value::Seq(_) | Value::Map(_) => String::new(),
    }
}

/// A patched node as kyaml holds it after the round trip, for reading annotations and
/// printing nodes: numbers become their go-yaml v3 text (`float64` printed `'g'`: `-0`,
/// `1e+06`), held as [`Value::String`]; in `numbers`, when given, they become
/// placeholders instead and their texts are collected (see [`v3_contents`]).
fn kyaml_view(n: &Node, numbers: &mut Option<Vec<String>>) -> Value {
    match n {
        Node::Nil | Node::NilRaw | Node::Doc(None) => Value::Null,
        Node::Raw(raw) => kyaml_view_raw(raw, numbers),
        Node::Doc(Some(m)) => Value::Map(
            m.iter()
                .map(|(k, v)| (k.clone(), kyaml_view(v, numbers)))
                .collect(),
        ),
        Node::Ary(items) => Value::Seq(items.iter().map(|v| kyaml_view(v, numbers)).collect()),
    }
}

fn kyaml_view_raw(raw: &str, numbers: &mut Option<Vec<String>>) -> Value {
    match raw.as_bytes().first() {
        Some(b'{') => {
            let mut m = Map::default();
            for (k, v) in json::object_members(raw) {
                let v = kyaml_view_raw(v, numbers);
                m.insert(k, v);
            }
            Value::Map(m)
        }
        Some(b'[') => Value::Seq(
            json::array_items(raw)
                .into_iter()
                .map(|v| kyaml_view_raw(v, numbers))
                .collect(),
        ),
        Some(b'"') => Value::String(json::unquote(raw)),
        Some(b't') => Value::Bool(true),
        Some(b'f') => Value::Bool(false),
        Some(b'n') | None => Value::Null,
        Some(_) => {
            let text =
                crate::go::number::format_float(raw.parse().unwrap_or(f64::NAN), b'g', -1, 64);
            match numbers {
                Some(list) => {
                    let placeholder = format!("gwnum{:08}x", list.len());
                    list.push(text);
                    Value::String(placeholder)
                }
                None => Value::String(text),
            }
        }
    }
}

/// A patched node printed as kyaml prints it in errors (go-yaml v3; gitward's printer
/// with v3's number texts, so strings that need quoting may be quoted differently).
fn v3_contents(n: &Node) -> String {
    let mut numbers = Some(Vec::new());
    let view = kyaml_view(n, &mut numbers);
    let mut text = crate::yaml::emit_kustomize(&view);
    for (i, t) in numbers.unwrap_or_default().iter().enumerate() {
        text = text.replacen(&format!("gwnum{i:08}x"), t, 1);
    }
    text
}

/// kyaml's `visitFieldsWhileTrue` over a node's content: a mapping's key/value pairs, a
/// sequence's items two by two (an odd one out is an index out of range when reached);
/// `f` returns whether to go on.
fn visit_pairs<'a>(
    v: &'a Value,
    mut f: impl FnMut(String, &'a Value) -> bool,
) -> Result<(), Failure> {
    match v {
        Value::Map(m) => {
            for (k, x) in m {
                if !f(k.clone(), x) {
                    break;
                }
            }
        }
        Value::Seq(items) => {
            for (i, key) in items.iter().enumerate().step_by(2) {
                let Some(x) = items.get(i + 1) else {
                    return Err(Failure::Panic(format!(
                        "runtime error: index out of range [{}] with length {}",
                        i + 1,
                        items.len()
                    )));
                };
                if !f(node_text(key), x) {
                    break;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

/// `RNode.GetAnnotations` on the patched object.
fn get_annotations(obj: &Value) -> Result<Vec<(String, String)>, Failure> {
    let meta = obj.as_map().and_then(|m| m.get("metadata"));
    let Some(meta) = meta.filter(|m| match m {
        Value::Null => false,
        Value::Map(x) => !x.is_empty(),
        Value::Seq(x) => !x.is_empty(),
        _ => true,
    }) else {
        return Ok(Vec::new());
    };
    let mut annos = None;
    visit_pairs(meta, |k, v| {
        if k == "annotations" {
            annos = Some(v);
            return false;
        }
        true
    })?;
    let mut out: Vec<(String, String)> = Vec::new();
    if let Some(a) = annos {
        visit_pairs(a, |k, v| {
            let text = node_text(v);
            match out.iter_mut().find(|(ok, _)| *ok == k) {
                Some(slot) => slot.1 = text,
                None => out.push((k, text)),
            }
            true
        })?;
    }
    Ok(out)
}

/// `RNode.SetAnnotations`: a missing `metadata` is created; in a `metadata` mapping,
/// `annotations` is replaced by the string map (sorted) or removed when that is empty;
/// a null `metadata` is left alone; any other `metadata`, and an empty annotation key,
/// are errors.
/// `number_text`: how go-yaml v3 printed `metadata` when it is a number (the decoded
/// value no longer tells `-0` from `0`).
fn set_annotations(
    obj: &mut Value,
    mut annos: Vec<(String, String)>,
    contents: impl FnOnce() -> String,
) -> Result<(), String> {
    let Some(root) = obj.as_map_mut() else {
        return Ok(());
    };
    let meta = root
        .entry("metadata".to_owned())
        .or_insert_with(|| Value::Map(Map::default()));
    let meta = match meta {
        Value::Null => return Ok(()),
        Value::Map(m) => m,
        other => {
            let kind = if matches!(other, Value::Seq(_)) {
                "SequenceNode"
            } else {
                "ScalarNode"
            };
            return Err(format!(
                "wrong node kind: expected MappingNode but got {kind}: node contents:\n{}",
                contents()
            ));
        }
    };
    meta.shift_remove("annotations");
    if annos.is_empty() {
        return Ok(());
    }
    annos.sort();
    if annos.first().is_some_and(|(k, _)| k.is_empty()) {
        // kyaml's SetField with an empty name sets the (new, empty) mapping itself.
        meta.insert("annotations".to_owned(), Value::Map(Map::default()));
        return Err(
            "wrong node kind: expected ScalarNode but got MappingNode: node contents:\n{}\n"
                .to_owned(),
        );
    }
    let m: Map = annos
        .into_iter()
        .map(|(k, v)| (k, Value::String(v)))
        .collect();
    meta.insert("annotations".to_owned(), Value::Map(m));
    Ok(())
}

/// Applies a decoded patch to a resource as kustomize's JSON 6902 patching does: the
/// resource (with its build annotations) marshalled to JSON, the patch applied, the
/// result decoded back (numbers through `float64`), internal annotations put back and
/// `metadata.annotations` rewritten as a string map; build annotations then return to
/// the resource's bookkeeping. `json6902`: the `patchesJson6902` transformer, which
/// reports a failure to rewrite the annotations (`patches` ignores it).
///
/// # Errors
/// The library's error (or `panic: ...` where Go panics), `encoding/json`'s when the
/// result does not decode into an object, kyaml's when the annotations cannot be
/// rewritten.
pub(crate) fn apply_to_resource(
    r: &mut Resource,
    patch: &Patch,
    json6902: bool,
) -> Result<(), String> {
    let mut build = build_annotations(r);
    let tracking = tracking_annotations(r);
    build.extend(tracking.iter().cloned());
    let mut obj = r.obj.clone();
    if !build.is_empty()
        && let Some(root) = obj.as_map_mut()
    {
        let meta = root.entry("metadata".to_owned()).or_insert(Value::Null);
        if !matches!(meta, Value::Map(_)) {
            *meta = Value::Map(Map::default());
        }
        if let Value::Map(meta) = meta {
            let annos = meta.entry("annotations".to_owned()).or_insert(Value::Null);
            if !matches!(annos, Value::Map(_)) {
                *annos = Value::Map(Map::default());
            }
            if let Value::Map(annos) = annos {
                for (k, v) in &build {
                    annos.insert(k.clone(), Value::String(v.clone()));
                }
            }
        }
    }
    let internal: Vec<(String, String)> = get_annotations(&obj)
        .map_err(|e| e.to_string())?
        .into_iter()
        .filter(|(k, _)| is_internal(k))
        .collect();
    let mut root = node_from_value(&obj)?;
    apply_ops(&mut root, patch).map_err(|e| e.to_string())?;
    if depth(&root) > json::MAX_NESTING_DEPTH {
        // encoding/json refuses to read the result back.
        let mut text = String::new();
        marshal(&root, &mut text);
        json::check_valid(text.as_bytes())?;
    }
    let mut out = match &root {
        Node::Doc(_) => value_from_node(&root)?,
        Node::Ary(_) => {
            return Err(
                "json: cannot unmarshal array into Go value of type map[string]interface {}"
                    .to_owned(),
            );
        }
        _ => Value::Map(Map::default()),
    };
    if out == Value::Null {
        out = Value::Map(Map::default());
    }
    let meta_node = match &root {
        Node::Doc(Some(m)) => m.get("metadata"),
        _ => None,
    };
    let mut probe = Map::default();
    if let Some(meta) = meta_node {
        probe.insert("metadata".to_owned(), kyaml_view(meta, &mut None));
    }
    let mut annos = get_annotations(&Value::Map(probe)).map_err(|e| e.to_string())?;
    crate::kustomize::resmap::merge_pairs(&mut annos, internal);
    let contents = || meta_node.map(v3_contents).unwrap_or_default();
    if let Err(e) = set_annotations(&mut out, annos, contents)
        && json6902
    {
        return Err(e);
    }
    // The build annotations go back to the bookkeeping (kustomize removes any left at
    // the end of the build); so do the origin and transformations annotations the patch
    // left alone. One it removed or changed is no longer tracked (a changed one stays as
    // the patch left it).
    if let Some(Value::Map(meta)) = out.as_map_mut().and_then(|m| m.get_mut("metadata"))
        && let Some(Value::Map(a)) = meta.get_mut("annotations")
    {
        a.retain(|k, _| {
            k.strip_prefix(INTERNAL_PREFIX)
                .is_none_or(|rest| !BUILD_ANNOTATIONS.contains(&rest))
        });
        for (k, before) in &tracking {
            if a.get(k).and_then(Value::as_str) == Some(before.as_str()) {
                a.shift_remove(k);
            } else if k == ORIGIN {
                r.origin = None;
            } else {
                r.transformations.clear();
            }
        }
        if a.is_empty() {
            meta.shift_remove("annotations");
        }
    } else {
        for (k, _) in &tracking {
            if k == ORIGIN {
                r.origin = None;
            } else {
                r.transformations.clear();
            }
        }
    }
    r.obj = out;
    Ok(())
}
