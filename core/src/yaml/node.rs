//! The node model: what the parser saw, before any resolution.

/// A position in the source text (1-based line and column; `index` is a char offset).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Pos {
    /// 1-based line.
    pub line: usize,
    /// 1-based column.
    pub column: usize,
    /// 0-based character offset.
    pub index: usize,
}

/// How a scalar was written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ScalarStyle {
    /// `plain`
    Plain,
    /// `'single'`
    SingleQuoted,
    /// `"double"`
    DoubleQuoted,
    /// `|` block
    Literal,
    /// `>` block
    Folded,
}

/// A scalar: its text after unescaping and folding, how it was written, and its tag.
#[derive(Debug, Clone, PartialEq)]
pub struct Scalar {
    /// The scalar's value text (escapes processed, block scalars folded).
    pub text: String,
    /// The style it was written in.
    pub style: ScalarStyle,
    /// The explicit tag, resolved to its full form (`tag:yaml.org,2002:str`), if any.
    pub tag: Option<String>,
}

/// The shape of a node.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    /// A scalar.
    Scalar(Scalar),
    /// A sequence.
    Seq(Vec<Node>),
    /// A mapping, in document order (merge keys `<<` already applied).
    Map(Vec<(Node, Node)>),
}

/// A YAML node with its position. Aliases are expanded at parse time (within a bound).
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// The node's content.
    pub kind: NodeKind,
    /// Where the node starts.
    pub pos: Pos,
    /// The tag on a collection node, if any (scalars carry theirs in [`Scalar::tag`]).
    pub tag: Option<String>,
}
