//! Helm charts rendered natively, byte-identical to `helm template` of Helm v4.1.4.
//!
//! * [`load_chart`] reads a chart directory (honouring `.helmignore`) or a packaged
//!   `.tgz` from a [`FileTree`](crate::tree::FileTree); [`load_archive`] takes archive
//!   bytes. Subcharts in `charts/` may be directories or archives.
//! * [`UserValues`] merges what `-f`, `--set`, `--set-string`, `--set-json`,
//!   `--set-file` and `--set-literal` give, in Helm's order.
//! * [`render`] processes dependencies (conditions, tags, aliases, import-values),
//!   coalesces values, validates `values.schema.json`, renders every template and
//!   returns manifests and hooks in Helm's order; [`Rendered::to_text`] is what
//!   `helm template` prints.
//! * [`dependencies`] lists the charts a repository must supply.
//! * [`release`] encodes and decodes Helm's release records and the Secret Helm v4
//!   stores them in.
//!
//! The core is pure: files come through a tree or as bytes, and the clock, randomness
//! and lookup objects come from the template [`Env`](crate::template::Env) in
//! [`RenderOptions::env`].
//!
//! **Stack:** template recursion uses native stack (about 16 KiB per
//! `include`/`template`/`tpl` level; Helm allows 1000 nested includes). Run [`render`]
//! on a thread with a large stack, e.g. 512 MiB via `std::thread::Builder::stack_size`.
//!
//! ```
//! use gitward::helm::{load_chart, render, RenderOptions};
//! use gitward::tree::{MemTree, RelPath};
//!
//! let mut t = MemTree::new();
//! t.add_file("c/Chart.yaml", "apiVersion: v2\nname: c\nversion: 0.1.0\n").unwrap();
//! t.add_file("c/values.yaml", "count: 2\n").unwrap();
//! t.add_file("c/templates/cm.yaml",
//!     "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  count: {{ .Values.count | quote }}\n").unwrap();
//! let chart = load_chart(&t, &RelPath::new("c").unwrap()).unwrap();
//! let out = render(&chart, &RenderOptions { release_name: "r1".into(), ..Default::default() }).unwrap();
//! assert_eq!(out.to_text(), "---\n# Source: c/templates/cm.yaml\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: r1\ndata:\n  count: \"2\"\n");
//! ```

mod chart;
mod deps;
mod engine;
mod glob;
mod ignore;
mod par;
pub mod release;
mod schema;
mod sort;
pub mod strvals;
pub(crate) mod typed;
mod values;

pub use chart::{
    Chart, Dependency, File, Maintainer, Metadata, load_archive, load_chart, load_values,
    lock_dependencies,
};
pub(crate) use chart::{DEPENDENCY, MAINTAINER, decode_metadata_value, validate_metadata};
pub use deps::{Requirement, dependencies, hash_requirements};
pub use engine::{
    DEFAULT_KUBE_VERSION, HELM3_DEFAULT_KUBE_VERSION, HelmCompat, RenderOptions, Rendered,
    process_chart, render,
};
pub use sort::{Hook, INSTALL_ORDER, Manifest, split_manifests};

/// Native stack of the thread a chart renders on (the CLI's and
/// `io::system::helm_template`'s): deep `include` recursion needs about 16 KiB per level
/// and Helm allows 1,000 levels. The stack is reserved address
/// space, backed only where used; its size is kept off a multiple of 2 MiB so that, with
/// transparent huge pages, the stack's top (where a thread starts, its thread-local
/// storage included) is less likely to be a whole 2 MiB page the kernel would clear for
/// the first few kilobytes used.
pub const RENDER_STACK: usize = (512 << 20) - (1 << 20) - (64 << 10);
pub use strvals::UserValues;

/// A warning Helm v4 logs while rendering (`slog.Warn`): a message and attributes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Warning {
    /// The message (`returned non-bool value`).
    pub message: String,
    /// Attributes in order (`path`, `chart`, `error`, ...).
    pub attrs: Vec<(String, String)>,
}

impl Warning {
    /// A warning without attributes.
    pub fn new(message: impl Into<String>) -> Warning {
        Warning {
            message: message.into(),
            attrs: Vec::new(),
        }
    }

    /// Adds an attribute.
    pub fn with(mut self, key: &str, value: impl Into<String>) -> Warning {
        self.attrs.push((key.to_string(), value.into()));
        self
    }

    /// The line Helm prints on standard error: its `slog` text handler without the
    /// time, e.g. `level=WARN msg="returned non-bool value" path=sub.enabled chart=sub`.
    pub fn slog_text(&self) -> String {
        let mut out = String::from("level=WARN msg=");
        out.push_str(&slog_value(&self.message));
        for (k, v) in &self.attrs {
            out.push(' ');
            out.push_str(&slog_value(k));
            out.push('=');
            out.push_str(&slog_value(v));
        }
        out
    }
}

impl std::fmt::Display for Warning {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)?;
        for (k, v) in &self.attrs {
            write!(f, " {k}={v}")?;
        }
        Ok(())
    }
}

/// `log/slog`'s text handler: a string is quoted (`strconv.Quote`) when it is empty or
/// holds a space, `=`, `"`, a control character or a non-printing character.
fn slog_value(s: &str) -> String {
    let needs = s.is_empty()
        || s.chars().any(|c| {
            if c.is_ascii() {
                c != '\\' && (c == ' ' || c == '=' || c == '"' || c.is_ascii_control())
            } else {
                c.is_whitespace() || c == '\u{fffd}' || !crate::go::strconv::is_print(c)
            }
        });
    if needs {
        crate::go::strconv::quote(s)
    } else {
        s.to_string()
    }
}

/// What kind of failure an [`Error`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The chart could not be read (missing files, bad archive, bad YAML).
    Load,
    /// `Chart.yaml` is invalid or the chart cannot be installed.
    Invalid,
    /// Values could not be read or combined (`-f`, `--set*`).
    Values,
    /// Declared dependencies are missing from `charts/`.
    Dependencies,
    /// Values do not satisfy a `values.schema.json`.
    Schema,
    /// The target Kubernetes version is invalid or not allowed by `kubeVersion`.
    KubeVersion,
    /// A template failed to parse or execute.
    Template,
    /// Rendered output is not valid YAML.
    Manifest,
    /// A `--show-only` pattern matched nothing.
    ShowOnly,
    /// The release name is invalid.
    ReleaseName,
    /// A resource limit was hit (sizes, entries, recursion, steps).
    Limit,
    /// A feature gitward does not implement.
    Unsupported,
}

/// An error worded as Helm v4.1.4 words it, with where it happened when known.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct Error {
    /// The category.
    pub kind: ErrorKind,
    /// Helm's message (what follows `Error: `).
    pub message: String,
    /// The chart concerned, when known.
    pub chart: Option<String>,
    /// The file concerned (chart-relative or template path), when known.
    pub file: Option<String>,
    /// Whether Helm appends its "Use --debug flag to render out invalid YAML" hint
    /// (render-time failures).
    pub debug_hint: bool,
}

impl Error {
    /// A new error.
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Error {
        Error {
            kind,
            message: message.into(),
            chart: None,
            file: None,
            debug_hint: false,
        }
    }

    pub(crate) fn in_file(mut self, file: &str) -> Error {
        if self.file.is_none() {
            self.file = Some(file.to_string());
        }
        self
    }

    pub(crate) fn in_chart(mut self, chart: &str) -> Error {
        if self.chart.is_none() {
            self.chart = Some(chart.to_string());
        }
        self
    }

    /// The full text `helm template` prints after `Error: `.
    pub fn helm_text(&self) -> String {
        if self.debug_hint {
            format!(
                "{}\n\nUse --debug flag to render out invalid YAML",
                self.message
            )
        } else {
            self.message.clone()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Warning;

    #[test]
    fn warnings_print_as_helms_slog_handler() {
        let w = Warning::new("returned non-bool value")
            .with("path", "sub.enabled")
            .with("chart", "sub");
        assert_eq!(
            w.slog_text(),
            r#"level=WARN msg="returned non-bool value" path=sub.enabled chart=sub"#
        );
        let w = Warning::new("x")
            .with("error", "\"exports\" is not a table")
            .with("empty", "")
            .with("eq", "a=b")
            .with("tab", "a\tb")
            .with("back", r"a\b")
            .with("utf", "héllo");
        assert_eq!(
            w.slog_text(),
            r#"level=WARN msg=x error="\"exports\" is not a table" empty="" eq="a=b" tab="a\tb" back=a\b utf=héllo"#
        );
    }
}
