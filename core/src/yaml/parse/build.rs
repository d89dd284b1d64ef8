//! The event-driven node builder behind [`super::parse_stream`].
//!
//! Open collections live on an explicit stack; a finished node is attached to the
//! collection below it. Mappings are completed when they close: merge keys applied,
//! duplicates checked or collapsed.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use saphyr_parser::{Event, Span, Tag};

use super::{
    DuplicateKeys, MergeKeys, NULL_TAG, ParseOptions, alias_name_at, go_quote, is_merge_key,
};
use crate::yaml::{Node, NodeKind, Pos, Scalar, ScalarStyle, YamlError, YamlErrorKind};

/// An anchored node, kept for the aliases that copy it.
struct Anchored {
    node: Node,
    /// Nodes in the subtree, itself included (what one alias expansion produces).
    count: usize,
    /// Nesting the subtree adds (0 for a scalar, 1 + the tallest child for a collection).
    height: usize,
}

/// A mapping entry as written.
enum Entry {
    Pair(Node, Node),
    /// A `<<` key and its value.
    Merge(Node, Node),
}

enum Body {
    Seq(Vec<Node>),
    Map {
        entries: Vec<Entry>,
        /// A key waiting for its value.
        key: Option<Node>,
    },
}

/// An open collection.
struct Frame {
    body: Body,
    pos: Pos,
    tag: Option<String>,
    anchor: usize,
    /// Nodes in the subtree so far, itself included.
    count: usize,
    /// Height of the tallest child so far.
    child_height: usize,
    /// This collection is the value of a `<<` key.
    merge_value: bool,
    /// This mapping is merged into another one (the value of `<<`, or an element of it).
    merge_source: bool,
}

/// Builds the documents of one stream from parser events.
pub(super) struct Builder<'t, 'o> {
    text: &'t str,
    opts: &'o ParseOptions,
    stack: Vec<Frame>,
    /// Finished anchored nodes of the current document, by the parser's anchor id.
    anchors: HashMap<usize, Anchored>,
    /// Anchors whose node is still open (an alias to one would contain itself).
    open_anchors: HashSet<usize>,
    /// Nodes produced by alias expansion in the current document.
    alias_nodes: usize,
    root: Option<Node>,
    docs: Vec<Node>,
}

impl<'t, 'o> Builder<'t, 'o> {
    pub(super) fn new(text: &'t str, opts: &'o ParseOptions) -> Self {
        Builder {
            text,
            opts,
            stack: Vec::new(),
            anchors: HashMap::new(),
            open_anchors: HashSet::new(),
            alias_nodes: 0,
            root: None,
            docs: Vec::new(),
        }
    }

    /// The documents built so far.
    pub(super) fn into_documents(self) -> Vec<Node> {
        self.docs
    }

    /// Feeds one parser event.
    pub(super) fn event(&mut self, event: Event<'_>, span: Span) -> Result<(), YamlError> {
        let pos = Pos::from_marker(span.start);
        match event {
            Event::Nothing | Event::StreamStart | Event::StreamEnd => Ok(()),
            Event::DocumentStart(_) => {
                self.start_document();
                Ok(())
            }
            Event::DocumentEnd => {
                self.end_document();
                Ok(())
            }
            Event::Scalar(text, style, anchor, tag) => {
                let node = Node {
                    kind: NodeKind::Scalar(Scalar {
                        text: text.into_owned(),
                        style: convert_style(style),
                        tag: tag.map(|t| full_tag(&t)),
                    }),
                    pos,
                    tag: None,
                };
                if anchor != 0 {
                    self.anchors.insert(
                        anchor,
                        Anchored {
                            node: node.clone(),
                            count: 1,
                            height: 0,
                        },
                    );
                }
                self.attach(node, 1, 0);
                Ok(())
            }
            Event::Alias(id) => self.alias(id, pos),
            Event::SequenceStart(anchor, tag) => {
                self.open(Body::Seq(Vec::new()), anchor, tag, pos)
            }
            Event::MappingStart(anchor, tag) => self.open(
                Body::Map {
                    entries: Vec::new(),
                    key: None,
                },
                anchor,
                tag,
                pos,
            ),
            Event::SequenceEnd | Event::MappingEnd => self.close(pos),
        }
    }

    fn start_document(&mut self) {
        self.stack.clear();
        self.anchors.clear();
        self.open_anchors.clear();
        self.alias_nodes = 0;
        self.root = None;
    }

    fn end_document(&mut self) {
        self.anchors.clear();
        if let Some(root) = self.root.take() {
            if !(self.opts.skip_empty_documents && is_null_document(&root)) {
                self.docs.push(root);
            }
        }
    }

    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        pos: Pos,
    ) -> Result<(), YamlError> {
        if self.stack.len() >= self.opts.max_depth {
            return Err(YamlError::new(
                YamlErrorKind::DepthLimit,
                format!("exceeded max depth of {}", self.opts.max_depth),
                pos.line,
                pos.column,
            ));
        }
        let (merge_value, merge_source) = match self.stack.last() {
            Some(Frame {
                body: Body::Map { key: Some(k), .. },
                ..
            }) => {
                let merge = is_merge_key(k, self.opts.merge_keys);
                (merge, merge)
            }
            Some(parent @ Frame {
                body: Body::Seq(_), ..
            }) => (false, parent.merge_value),
            _ => (false, false),
        };
        if anchor != 0 {
            self.open_anchors.insert(anchor);
        }
        self.stack.push(Frame {
            body,
            pos,
            tag: tag.map(|t| full_tag(&t)),
            anchor,
            count: 1,
            child_height: 0,
            merge_value,
            merge_source,
        });
        Ok(())
    }

    fn close(&mut self, pos: Pos) -> Result<(), YamlError> {
        let Some(frame) = self.stack.pop() else {
            return Err(YamlError::new(
                YamlErrorKind::Syntax,
                "collection end without a start",
                pos.line,
                pos.column,
            ));
        };
        let height = frame.child_height.saturating_add(1);
        let kind = match frame.body {
            Body::Seq(items) => NodeKind::Seq(items),
            Body::Map { entries, key } => {
                if let Some(k) = key {
                    return Err(YamlError::new(
                        YamlErrorKind::Syntax,
                        "mapping key without a value",
                        k.pos.line,
                        k.pos.column,
                    ));
                }
                NodeKind::Map(self.finish_map(entries, frame.merge_source)?)
            }
        };
        let node = Node {
            kind,
            pos: frame.pos,
            tag: frame.tag,
        };
        if frame.anchor != 0 {
            self.open_anchors.remove(&frame.anchor);
            self.anchors.insert(
                frame.anchor,
                Anchored {
                    node: node.clone(),
                    count: frame.count,
                    height,
                },
            );
        }
        self.attach(node, frame.count, height);
        Ok(())
    }

    /// Adds a finished node to the open collection, or makes it the document's root.
    fn attach(&mut self, node: Node, count: usize, height: usize) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        frame.count = frame.count.saturating_add(count);
        match &mut frame.body {
            Body::Seq(items) => {
                frame.child_height = frame.child_height.max(height);
                items.push(node);
            }
            Body::Map { entries, key } => match key.take() {
                None => {
                    frame.child_height = frame.child_height.max(height);
                    *key = Some(node);
                }
                Some(k) if is_merge_key(&k, self.opts.merge_keys) => {
                    // The merged mappings' entries become this mapping's children.
                    let entries_height = match &node.kind {
                        NodeKind::Map(_) => height.saturating_sub(1),
                        NodeKind::Seq(_) => height.saturating_sub(2),
                        NodeKind::Scalar(_) => 0,
                    };
                    frame.child_height = frame.child_height.max(entries_height);
                    entries.push(Entry::Merge(k, node));
                }
                Some(k) => {
                    frame.child_height = frame.child_height.max(height);
                    entries.push(Entry::Pair(k, node));
                }
            },
        }
    }

    fn alias(&mut self, id: usize, pos: Pos) -> Result<(), YamlError> {
        let name = || alias_name_at(self.text, pos.index);
        let err = |kind, message: String| YamlError::new(kind, message, pos.line, pos.column);
        if self.open_anchors.contains(&id) {
            return Err(err(
                YamlErrorKind::UnknownAnchor,
                format!("anchor '{}' value contains itself", name()),
            ));
        }
        let Some(anchored) = self.anchors.get(&id) else {
            return Err(err(
                YamlErrorKind::UnknownAnchor,
                format!("unknown anchor '{}' referenced", name()),
            ));
        };
        if self.stack.len().saturating_add(anchored.height) > self.opts.max_depth {
            return Err(err(
                YamlErrorKind::DepthLimit,
                format!(
                    "exceeded max depth of {} expanding alias '{}'",
                    self.opts.max_depth,
                    name()
                ),
            ));
        }
        let total = self.alias_nodes.saturating_add(anchored.count);
        if total > self.opts.max_alias_nodes {
            return Err(err(
                YamlErrorKind::AliasLimit,
                format!(
                    "document contains excessive aliasing: expanding alias '{}' makes {} nodes \
                     from aliases, more than the limit of {}",
                    name(),
                    total,
                    self.opts.max_alias_nodes
                ),
            ));
        }
        self.alias_nodes = total;
        let (node, count, height) = (anchored.node.clone(), anchored.count, anchored.height);
        self.attach(node, count, height);
        Ok(())
    }

    /// Completes a mapping: applies merge keys and handles duplicate keys.
    fn finish_map(
        &self,
        entries: Vec<Entry>,
        merge_source: bool,
    ) -> Result<Vec<(Node, Node)>, YamlError> {
        let dups = self.opts.duplicate_keys;
        match self.opts.merge_keys {
            MergeKeys::ExplicitWins => {
                let mut pairs = Vec::with_capacity(entries.len());
                let mut merge = None;
                // kyaml removes merge keys with `Clear("<<")`, which drops the first key
                // spelled `<<` even when it is a quoted, ordinary one.
                let mut cleared = false;
                for entry in entries {
                    match entry {
                        Entry::Pair(k, v) => {
                            if !cleared && key_text(&k) == Some("<<") {
                                cleared = true;
                                continue;
                            }
                            pairs.push((k, v));
                        }
                        Entry::Merge(k, v) => {
                            cleared = true;
                            if merge.is_some() {
                                return Err(YamlError::new(
                                    YamlErrorKind::DuplicateKey,
                                    "duplicate merge key",
                                    k.pos.line,
                                    k.pos.column,
                                ));
                            }
                            merge = Some(v);
                        }
                    }
                }
                let explicit = pairs.len();
                if let Some(value) = merge {
                    for source in merge_sources(value, true)? {
                        pairs.extend(source);
                    }
                }
                let keep = keep_explicit_wins(&pairs, explicit, dups, merge_source)?;
                Ok(retain(pairs, keep))
            }
            MergeKeys::InOrder => {
                let mut pairs = Vec::with_capacity(entries.len());
                let mut written = Vec::with_capacity(entries.len());
                for entry in entries {
                    match entry {
                        Entry::Pair(k, v) => {
                            pairs.push((k, v));
                            written.push(true);
                        }
                        Entry::Merge(_, v) => {
                            // Earlier mappings of a sequence take precedence: write them last.
                            for source in merge_sources(v, false)?.into_iter().rev() {
                                written.extend(std::iter::repeat_n(false, source.len()));
                                pairs.extend(source);
                            }
                        }
                    }
                }
                let keep = keep_in_order(&pairs, &written, dups, merge_source)?;
                Ok(retain(pairs, keep))
            }
        }
    }
}

/// The value of a merge key as the mappings to merge, in order. `kyaml` words the
/// error for a sequence inside the sequence as kyaml does.
fn merge_sources(value: Node, kyaml: bool) -> Result<Vec<Vec<(Node, Node)>>, YamlError> {
    let bad = |pos: Pos, message: &str| {
        YamlError::new(YamlErrorKind::Unsupported, message, pos.line, pos.column)
    };
    const WANT_MAP: &str = "map merge requires map or sequence of maps as the value";
    match value.kind {
        NodeKind::Map(pairs) => Ok(vec![pairs]),
        NodeKind::Seq(items) => items
            .into_iter()
            .map(|item| match item.kind {
                NodeKind::Map(pairs) => Ok(pairs),
                NodeKind::Seq(_) if kyaml => Err(bad(
                    item.pos,
                    "invalid map merge: received a nested sequence",
                )),
                _ => Err(bad(item.pos, WANT_MAP)),
            })
            .collect(),
        NodeKind::Scalar(_) => Err(bad(value.pos, WANT_MAP)),
    }
}

/// How two keys are compared for duplicates.
#[derive(Debug, PartialEq, Eq, Hash)]
enum KeyId<'a> {
    /// go-yaml v3: scalars with the same text.
    Text(&'a str),
    /// Same text written the same way: plain or not, same tag.
    Exact {
        plain: bool,
        tag: Option<&'a str>,
        text: &'a str,
    },
}

fn key_text(key: &Node) -> Option<&str> {
    match &key.kind {
        NodeKind::Scalar(s) => Some(&s.text),
        _ => None,
    }
}

/// The identity of a key for duplicate handling; `None` for collection keys, which are
/// never merged with another (the resolvers reject them).
fn key_id(key: &Node, dups: DuplicateKeys) -> Option<KeyId<'_>> {
    let NodeKind::Scalar(s) = &key.kind else {
        return None;
    };
    Some(match dups {
        DuplicateKeys::Error => KeyId::Text(&s.text),
        DuplicateKeys::LastWins => KeyId::Exact {
            plain: s.style == ScalarStyle::Plain,
            tag: s.tag.as_deref(),
            text: &s.text,
        },
    })
}

/// Fails on the duplicate go-yaml v3 reports first: the first key that occurs again,
/// at its first repetition. Only the pairs for which `own` holds are compared.
fn check_duplicates(pairs: &[(Node, Node)], own: impl Fn(usize) -> bool) -> Result<(), YamlError> {
    let mut first: HashMap<&str, usize> = HashMap::new();
    let mut found: Option<(usize, usize)> = None;
    for (j, (key, _)) in pairs.iter().enumerate() {
        if !own(j) {
            continue;
        }
        let Some(text) = key_text(key) else { continue };
        match first.get(text) {
            Some(&i) => {
                if found.is_none_or(|(fi, _)| i < fi) {
                    found = Some((i, j));
                }
            }
            None => {
                first.insert(text, j);
            }
        }
    }
    match found {
        None => Ok(()),
        Some((i, j)) => {
            let (earlier, later) = (&pairs[i].0, &pairs[j].0);
            Err(YamlError::new(
                YamlErrorKind::DuplicateKey,
                format!(
                    "mapping key {} already defined at line {}",
                    go_quote(key_text(later).unwrap_or_default()),
                    earlier.pos.line
                ),
                later.pos.line,
                later.pos.column,
            ))
        }
    }
}

/// Which pairs survive under [`MergeKeys::ExplicitWins`]: `pairs[..explicit]` are the
/// mapping's own, the rest come from merged mappings in order. `None` keeps all.
fn keep_explicit_wins(
    pairs: &[(Node, Node)],
    explicit: usize,
    dups: DuplicateKeys,
    merge_source: bool,
) -> Result<Option<Vec<bool>>, YamlError> {
    let (own, merged) = pairs.split_at(explicit);
    let mut keep = vec![true; pairs.len()];
    let mut dropped = false;
    match dups {
        // kyaml takes the first of two equal keys in a mapping it merges from.
        DuplicateKeys::Error if merge_source => {
            let mut seen = HashSet::new();
            for (i, (k, _)) in own.iter().enumerate() {
                if let Some(text) = key_text(k) {
                    if !seen.insert(text) {
                        keep[i] = false;
                        dropped = true;
                    }
                }
            }
        }
        DuplicateKeys::Error => check_duplicates(own, |_| true)?,
        DuplicateKeys::LastWins => {
            let mut seen = HashSet::new();
            for (i, (k, _)) in own.iter().enumerate().rev() {
                if let Some(id) = key_id(k, dups) {
                    if !seen.insert(id) {
                        keep[i] = false;
                        dropped = true;
                    }
                }
            }
        }
    }
    if !merged.is_empty() {
        let mut seen: HashSet<&str> = own.iter().filter_map(|(k, _)| key_text(k)).collect();
        for (i, (k, _)) in merged.iter().enumerate() {
            if let Some(text) = key_text(k) {
                if !seen.insert(text) {
                    keep[explicit + i] = false;
                    dropped = true;
                }
            }
        }
    }
    Ok(dropped.then_some(keep))
}

/// Which pairs survive under [`MergeKeys::InOrder`]: every pair is a map assignment in
/// order (`written` marks the mapping's own), so the last assignment of a key wins.
fn keep_in_order(
    pairs: &[(Node, Node)],
    written: &[bool],
    dups: DuplicateKeys,
    merge_source: bool,
) -> Result<Option<Vec<bool>>, YamlError> {
    if dups == DuplicateKeys::Error && !merge_source {
        // Only the mapping's own keys can clash; merged ones override silently.
        check_duplicates(pairs, |i| written[i])?;
    }
    let mut keep = vec![true; pairs.len()];
    let mut dropped = false;
    let mut seen = HashSet::new();
    for (i, (k, _)) in pairs.iter().enumerate().rev() {
        if let Some(id) = key_id(k, dups) {
            if !seen.insert(id) {
                keep[i] = false;
                dropped = true;
            }
        }
    }
    Ok(dropped.then_some(keep))
}

fn retain(pairs: Vec<(Node, Node)>, keep: Option<Vec<bool>>) -> Vec<(Node, Node)> {
    match keep {
        None => pairs,
        Some(keep) => pairs
            .into_iter()
            .zip(keep)
            .filter_map(|(pair, k)| k.then_some(pair))
            .collect(),
    }
}

/// A document that is empty, only comments, or a bare null.
fn is_null_document(root: &Node) -> bool {
    let NodeKind::Scalar(s) = &root.kind else {
        return false;
    };
    let null_text = matches!(s.text.as_str(), "" | "~" | "null" | "Null" | "NULL");
    match s.tag.as_deref() {
        None => s.style == ScalarStyle::Plain && null_text,
        Some(NULL_TAG) => null_text,
        Some(_) => false,
    }
}

/// A tag in full: `!!str` is `tag:yaml.org,2002:str`, `!foo` stays `!foo`, `!` stays `!`.
fn full_tag(tag: &Tag) -> String {
    format!("{}{}", tag.handle, tag.suffix)
}

fn convert_style(style: saphyr_parser::ScalarStyle) -> ScalarStyle {
    match style {
        saphyr_parser::ScalarStyle::Plain => ScalarStyle::Plain,
        saphyr_parser::ScalarStyle::SingleQuoted => ScalarStyle::SingleQuoted,
        saphyr_parser::ScalarStyle::DoubleQuoted => ScalarStyle::DoubleQuoted,
        saphyr_parser::ScalarStyle::Literal => ScalarStyle::Literal,
        saphyr_parser::ScalarStyle::Folded => ScalarStyle::Folded,
    }
}
