//! Go standard library behaviour that several engines share, reproduced byte for byte:
//! the bottom layer (go → yaml → template, smp → helm, kustomize → ...).
//!
//! - [`number`]: `strconv.FormatFloat`/`FormatInt` and `encoding/json`'s float encoding
//!   (what go-yaml, `encoding/json` and the template engine print numbers with);
//! - [`strconv`]: quoting and unquoting, Go literal and `ParseInt`/`ParseFloat` parsing,
//!   `FormatFloat` for the `fmt` verbs;
//! - [`json`]: `encoding/json` marshalling of values (key order, HTML escaping);
//! - [`gzip`]: `compress/gzip` (Go's deflate compressor), for Helm release Secrets and
//!   Flux artifacts;
//! - [`unicode`]: Go's `unicode` classes (`IsPrint`, `IsLetter`, ...) for the Unicode
//!   version of the Go release Helm is built with.

pub mod gzip;
pub mod json;
pub mod number;
pub(crate) mod strconv;
pub(crate) mod unicode;
pub(crate) mod unicode_tables;
