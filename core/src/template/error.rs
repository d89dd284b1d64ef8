//! Errors of the template engine, worded as Go's `text/template` words them.

/// A template error. `Display` gives Go's text, e.g.
/// `template: NAME:1:3: executing "NAME" at <.X>: ...`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemplateError {
    /// A parse error: `template: NAME:LINE: message`.
    #[error("{0}")]
    Parse(String),
    /// An execution error.
    #[error("{message}")]
    Exec {
        /// Go's full text.
        message: String,
        /// For `fail` / `required`: (location `NAME:LINE:COL`, the user's message), which
        /// Helm reports as `execution error at (LOCATION): MESSAGE`.
        user: Option<(String, String)>,
    },
    /// A resource limit was hit (steps, output size, recursion depth).
    #[error("{0}")]
    Limit(String),
}

impl TemplateError {
    /// The error as Helm v4 prints it on its first line (`parse error at (...)`,
    /// `execution error at (...)`, or Go's text).
    pub fn helm_message(&self) -> String {
        match self {
            TemplateError::Parse(m) => {
                let tokens: Vec<&str> = m.split(": ").collect();
                if tokens.len() < 2 {
                    return m.clone();
                }
                format!(
                    "parse error at ({}): {}",
                    tokens[1],
                    tokens[tokens.len() - 1]
                )
            }
            TemplateError::Exec { message, user } => match user {
                Some((loc, msg)) => format!("execution error at ({loc}): {msg}"),
                None => message.clone(),
            },
            TemplateError::Limit(m) => m.clone(),
        }
    }
}
