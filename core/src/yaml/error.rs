//! Errors of the YAML layer.

/// What went wrong while reading YAML.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum YamlErrorKind {
    /// The text is not well-formed YAML.
    Syntax,
    /// A mapping has the same key twice (kustomize profile).
    DuplicateKey,
    /// An alias names an anchor that was never defined.
    UnknownAnchor,
    /// Alias expansion would exceed the configured bound (an "alias bomb").
    AliasLimit,
    /// Nesting is deeper than the configured bound.
    DepthLimit,
    /// The input or its expansion is larger than the configured bound.
    SizeLimit,
    /// A value that the Go tools cannot represent after their JSON round trip
    /// (`.inf`, `.nan`, a non-scalar map key, ...).
    Unsupported,
}

/// An error with the position (1-based line and column) where it was found.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("line {line}, column {column}: {message}")]
#[non_exhaustive]
pub struct YamlError {
    /// The category.
    pub kind: YamlErrorKind,
    /// A human-readable description, without the position.
    pub message: String,
    /// 1-based line (0 when unknown).
    pub line: usize,
    /// 1-based column (0 when unknown).
    pub column: usize,
    /// go-yaml's own `err.Error()` text for what go-yaml itself reports (syntax errors,
    /// unknown anchors), e.g. `yaml: line 3: mapping values are not allowed in this
    /// context` — go-yaml's line is not always the line of the problem.
    pub go_message: Option<String>,
}

impl YamlError {
    /// Builds an error at a position.
    pub fn new(
        kind: YamlErrorKind,
        message: impl Into<String>,
        line: usize,
        column: usize,
    ) -> Self {
        YamlError {
            kind,
            message: message.into(),
            line,
            column,
            go_message: None,
        }
    }

    /// Sets go-yaml's text for this error.
    #[must_use]
    pub fn with_go_message(mut self, text: String) -> Self {
        self.go_message = Some(text);
        self
    }

    /// The text the Go tools print for this error: go-yaml's own when it reported it,
    /// otherwise `yaml: line N: message`.
    pub fn go_text(&self) -> String {
        match &self.go_message {
            Some(g) => g.clone(),
            None if self.line == 0 => format!("yaml: {}", self.message),
            None => format!("yaml: line {}: {}", self.line, self.message),
        }
    }
}
