//! The event-driven node builder behind [`super::parse_stream`].
//!
//! Open collections live on an explicit stack; a finished node is attached to the
//! collection below it. Mappings are completed when they close: merge keys applied,
//! duplicates checked or collapsed.

use foldhash::{HashMap, HashSet};
use std::borrow::Cow;
use std::hash::Hash;

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

/// A `<<` entry of a mapping.
struct Merge {
    /// How many of the mapping's own pairs precede it.
    at: usize,
    key: Node,
    value: Node,
}

enum Body {
    Seq(Vec<Node>),
    Map {
        /// The mapping's own pairs, in order.
        pairs: Vec<(Node, Node)>,
        /// Its merge keys, in order.
        merges: Vec<Merge>,
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
    /// A flow collection, or inside one.
    flow: bool,
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
    /// Whether the text is ASCII (character offsets are byte offsets).
    ascii: bool,
    /// A known (character offset, byte offset) pair, to find characters by offset.
    cursor: (usize, usize),
}

impl<'t, 'o> Builder<'t, 'o> {
    pub(super) fn new(text: &'t str, opts: &'o ParseOptions) -> Self {
        Builder {
            text,
            opts,
            stack: Vec::new(),
            anchors: HashMap::default(),
            open_anchors: HashSet::default(),
            alias_nodes: 0,
            root: None,
            docs: Vec::new(),
            ascii: text.is_ascii(),
            cursor: (0, 0),
        }
    }

    /// The documents built so far.
    pub(super) fn into_documents(self) -> Vec<Node> {
        self.docs
    }

    /// Takes the documents finished so far, leaving the builder ready for more.
    pub(super) fn take_documents(&mut self) -> Vec<Node> {
        std::mem::take(&mut self.docs)
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
                self.attach(node, 1, 0, false);
                Ok(())
            }
            Event::Alias(id) => self.alias(id, pos),
            Event::SequenceStart(anchor, tag) => {
                self.open(Body::Seq(Vec::new()), anchor, tag, span)
            }
            Event::MappingStart(anchor, tag) => self.open(
                Body::Map {
                    pairs: Vec::new(),
                    merges: Vec::new(),
                    key: None,
                },
                anchor,
                tag,
                span,
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
        if let Some(root) = self.root.take()
            && !(self.opts.skip_empty_documents && is_null_document(&root))
        {
            self.docs.push(root);
        }
    }

    fn open(
        &mut self,
        body: Body,
        anchor: usize,
        tag: Option<Cow<'_, Tag>>,
        span: Span,
    ) -> Result<(), YamlError> {
        let pos = Pos::from_marker(span.start);
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
            Some(
                parent @ Frame {
                    body: Body::Seq(_), ..
                },
            ) => (false, parent.merge_value),
            _ => (false, false),
        };
        if anchor != 0 {
            self.open_anchors.insert(anchor);
        }
        let flow = self.stack.last().is_some_and(|f| f.flow) || self.opens_flow(span);
        self.stack.push(Frame {
            body,
            pos,
            tag: tag.map(|t| full_tag(&t)),
            anchor,
            count: 1,
            child_height: 0,
            merge_value,
            merge_source,
            flow,
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
        let quote = self.opts.empty_flow_scalars_as_strings;
        let kind = match frame.body {
            Body::Seq(mut items) => {
                if quote && frame.flow {
                    items.iter_mut().for_each(quote_if_empty);
                }
                items.shrink_to_fit();
                NodeKind::Seq(items)
            }
            Body::Map { pairs, merges, key } => {
                if let Some(k) = key {
                    return Err(YamlError::new(
                        YamlErrorKind::Syntax,
                        "mapping key without a value",
                        k.pos.line,
                        k.pos.column,
                    ));
                }
                let mut pairs = self.finish_map(pairs, merges, frame.merge_source)?;
                // A mapping merged into another one takes that one's context.
                if quote && !frame.merge_source {
                    for (k, v) in &mut pairs {
                        quote_if_empty(k);
                        if frame.flow {
                            quote_if_empty(v);
                        }
                    }
                }
                pairs.shrink_to_fit();
                NodeKind::Map(pairs)
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
        self.attach(node, frame.count, height, false);
        Ok(())
    }

    /// Adds a finished node to the open collection, or makes it the document's root.
    /// `copied` marks a node copied by an alias.
    fn attach(&mut self, mut node: Node, count: usize, height: usize, copied: bool) {
        let Some(frame) = self.stack.last_mut() else {
            self.root = Some(node);
            return;
        };
        if self.opts.empty_flow_scalars_as_strings && frame.flow && copied {
            // A copy takes on the flow context it is written into.
            quote_empty_scalars(&mut node);
        }
        frame.count = frame.count.saturating_add(count);
        match &mut frame.body {
            Body::Seq(items) => {
                frame.child_height = frame.child_height.max(height);
                items.push(node);
            }
            Body::Map { pairs, merges, key } => match key.take() {
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
                    merges.push(Merge {
                        at: pairs.len(),
                        key: k,
                        value: node,
                    });
                }
                Some(k) => {
                    frame.child_height = frame.child_height.max(height);
                    pairs.push((k, node));
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
        self.attach(node, count, height, true);
        Ok(())
    }

    /// Whether a collection start event is a flow collection: its token (the last
    /// character of the event's span, after any anchor or tag) is `[` or `{`. Block
    /// collection starts are empty tokens.
    fn opens_flow(&mut self, span: Span) -> bool {
        let (start, end) = (span.start.index(), span.end.index());
        end > start && matches!(self.char_at(end - 1), Some('[' | '{'))
    }

    /// The character at a character offset. Offsets mostly grow from one event to the
    /// next, so a cursor keeps this linear.
    fn char_at(&mut self, index: usize) -> Option<char> {
        if self.ascii {
            return self.text.as_bytes().get(index).map(|&b| char::from(b));
        }
        let (mut ci, mut bi) = self.cursor;
        if index < ci {
            (ci, bi) = (0, 0);
        }
        let mut chars = self.text.get(bi..)?.chars();
        while ci < index {
            bi += chars.next()?.len_utf8();
            ci += 1;
        }
        self.cursor = (ci, bi);
        chars.next()
    }

    /// Completes a mapping: applies merge keys and handles duplicate keys.
    fn finish_map(
        &self,
        mut pairs: Vec<(Node, Node)>,
        merges: Vec<Merge>,
        merge_source: bool,
    ) -> Result<Vec<(Node, Node)>, YamlError> {
        let dups = self.opts.duplicate_keys;
        match self.opts.merge_keys {
            MergeKeys::ExplicitWins => {
                let mut merges = merges.into_iter();
                let merge = merges.next();
                if let Some(second) = merges.next() {
                    return Err(YamlError::new(
                        YamlErrorKind::DuplicateKey,
                        "duplicate merge key",
                        second.key.pos.line,
                        second.key.pos.column,
                    ));
                }
                // kyaml removes merge keys with `Clear("<<")`, which drops the first key
                // spelled `<<`, even a quoted, ordinary one standing before the merge key.
                let before = merge.as_ref().map_or(pairs.len(), |m| m.at);
                if let Some(i) = pairs[..before]
                    .iter()
                    .position(|(k, _)| key_text(k) == Some("<<"))
                {
                    pairs.remove(i);
                }
                let explicit = pairs.len();
                if let Some(merge) = merge {
                    for source in merge_sources(merge.value, true)? {
                        pairs.extend(source);
                    }
                }
                let keep = keep_explicit_wins(&pairs, explicit, dups, merge_source)?;
                Ok(retain(pairs, keep))
            }
            MergeKeys::InOrder => {
                if merges.is_empty() {
                    let keep = keep_in_order(&pairs, |_| true, dups, merge_source)?;
                    return Ok(retain(pairs, keep));
                }
                // Lay out every assignment in order: own pairs, and at each `<<` the merged
                // mappings, earlier ones last so that they win.
                let mut all = Vec::with_capacity(pairs.len());
                let mut own = Vec::with_capacity(pairs.len());
                let mut rest = pairs.into_iter();
                let mut taken = 0;
                for merge in merges {
                    for pair in rest.by_ref().take(merge.at - taken) {
                        all.push(pair);
                        own.push(true);
                    }
                    taken = merge.at;
                    for source in merge_sources(merge.value, false)?.into_iter().rev() {
                        own.extend(std::iter::repeat_n(false, source.len()));
                        all.extend(source);
                    }
                }
                for pair in rest {
                    all.push(pair);
                    own.push(true);
                }
                let keep = keep_in_order(&all, |i| own[i], dups, merge_source)?;
                Ok(retain(all, keep))
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

/// Mappings up to this size are checked for duplicates pairwise, without allocating.
const SMALL_MAP: usize = 16;

/// Fails on the duplicate go-yaml v3 reports first: the first key that occurs again,
/// at its first repetition. Only the pairs for which `own` holds are compared.
fn check_duplicates(pairs: &[(Node, Node)], own: impl Fn(usize) -> bool) -> Result<(), YamlError> {
    let text = |i: usize| if own(i) { key_text(&pairs[i].0) } else { None };
    let found = if pairs.len() <= SMALL_MAP {
        (0..pairs.len()).find_map(|i| {
            let a = text(i)?;
            (i + 1..pairs.len())
                .find(|&j| text(j) == Some(a))
                .map(|j| (i, j))
        })
    } else {
        let mut first: HashMap<&str, usize> = HashMap::default();
        let mut found: Option<(usize, usize)> = None;
        for j in 0..pairs.len() {
            let Some(t) = text(j) else { continue };
            match first.get(t) {
                Some(&i) => {
                    if found.is_none_or(|(fi, _)| i < fi) {
                        found = Some((i, j));
                    }
                }
                None => {
                    first.insert(t, j);
                }
            }
        }
        found
    };
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

/// Marks, in `keep`, the pairs of `range` whose identity occurs again in the range:
/// the last occurrence survives (`last`) or the first does.
fn drop_repeats<K: Eq + Hash>(
    range: std::ops::Range<usize>,
    id: impl Fn(usize) -> Option<K>,
    last: bool,
    keep: &mut Option<Vec<bool>>,
    len: usize,
) {
    let mut drop = |i: usize| keep.get_or_insert_with(|| vec![true; len])[i] = false;
    if range.len() <= SMALL_MAP {
        for i in range.clone() {
            let Some(a) = id(i) else { continue };
            let repeated = if last {
                (i + 1..range.end).any(|j| id(j).as_ref() == Some(&a))
            } else {
                (range.start..i).any(|j| id(j).as_ref() == Some(&a))
            };
            if repeated {
                drop(i);
            }
        }
    } else {
        let mut seen = HashSet::default();
        let mut visit = |i: usize| {
            if let Some(a) = id(i)
                && !seen.insert(a)
            {
                drop(i);
            }
        };
        if last {
            range.rev().for_each(&mut visit);
        } else {
            range.for_each(&mut visit);
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
    let mut keep = None;
    let len = pairs.len();
    match dups {
        // kyaml takes the first of two equal keys in a mapping it merges from.
        DuplicateKeys::Error if merge_source => {
            drop_repeats(
                0..explicit,
                |i| key_text(&pairs[i].0),
                false,
                &mut keep,
                len,
            );
        }
        DuplicateKeys::Error => check_duplicates(&pairs[..explicit], |_| true)?,
        DuplicateKeys::LastWins => {
            drop_repeats(
                0..explicit,
                |i| key_id(&pairs[i].0, dups),
                true,
                &mut keep,
                len,
            );
        }
    }
    if explicit < len {
        // A merged key survives unless the mapping or an earlier merged one has it.
        let mut seen: HashSet<&str> = pairs[..explicit]
            .iter()
            .filter_map(|(k, _)| key_text(k))
            .collect();
        for (i, (k, _)) in pairs.iter().enumerate().skip(explicit) {
            if let Some(text) = key_text(k)
                && !seen.insert(text)
            {
                keep.get_or_insert_with(|| vec![true; len])[i] = false;
            }
        }
    }
    Ok(keep)
}

/// Which pairs survive under [`MergeKeys::InOrder`]: every pair is a map assignment in
/// order (`own` marks the mapping's own), so the last assignment of a key wins.
fn keep_in_order(
    pairs: &[(Node, Node)],
    own: impl Fn(usize) -> bool,
    dups: DuplicateKeys,
    merge_source: bool,
) -> Result<Option<Vec<bool>>, YamlError> {
    if dups == DuplicateKeys::Error && !merge_source {
        // Only the mapping's own keys can clash; merged ones override silently.
        check_duplicates(pairs, &own)?;
    }
    let mut keep = None;
    drop_repeats(
        0..pairs.len(),
        |i| key_id(&pairs[i].0, dups),
        true,
        &mut keep,
        pairs.len(),
    );
    Ok(keep)
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

/// Makes an empty, plain, untagged scalar the single-quoted empty string that go-yaml
/// v3's emitter writes for it in a flow collection or as a key.
fn quote_if_empty(node: &mut Node) {
    if let NodeKind::Scalar(s) = &mut node.kind {
        quote_scalar_if_empty(s);
    }
}

fn quote_scalar_if_empty(s: &mut Scalar) {
    if s.text.is_empty()
        && s.style == ScalarStyle::Plain
        && matches!(s.tag.as_deref(), None | Some("!"))
    {
        s.style = ScalarStyle::SingleQuoted;
    }
}

/// [`quote_if_empty`] on every scalar of a tree, without recursion.
fn quote_empty_scalars(node: &mut Node) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        match &mut node.kind {
            NodeKind::Scalar(s) => quote_scalar_if_empty(s),
            NodeKind::Seq(items) => stack.extend(items.iter_mut()),
            NodeKind::Map(pairs) => {
                for (k, v) in pairs.iter_mut() {
                    stack.push(k);
                    stack.push(v);
                }
            }
        }
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
