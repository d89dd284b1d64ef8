//! Health of Kubernetes objects as Flux judges it: kstatus' `status.Compute`
//! (`sigs.k8s.io/cli-utils` v0.37.2, identical in Flux's fork `fluxcd/cli-utils` v1.4.0) and
//! Flux's CEL `healthCheckExprs` ([`cel`]).
//!
//! Pure: an object in, a verdict out. The one input kstatus takes from the machine, the clock
//! (a Pending pod that cannot be scheduled is `InProgress` for its first 15 seconds, then
//! `Failed`), is an [`Options`] field the caller fills.
//!
//! ```
//! use gitward::health::{status, Status};
//! use gitward::manifest::read_manifests;
//! let objs = read_manifests(
//!     "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\n\
//!      spec: {replicas: 2}\nstatus: {replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1}\n",
//! )?;
//! let r = status(&objs[0])?;
//! assert_eq!(r.status, Status::InProgress);
//! assert_eq!(r.message, "Available: 1/2");
//! assert_eq!(gitward::health::object_id(&objs[0]), "apps_web_apps_Deployment");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod access;
pub mod cel;
mod conditions;
mod kstatus;
mod time;

use std::time::Duration;

pub use access::AccessorError;

use crate::yaml::Value;

/// A kstatus status.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Status {
    /// The object is being reconciled (`InProgress`).
    InProgress,
    /// Reconciling failed (`Failed`).
    Failed,
    /// The object is reconciled and ready (`Current`).
    Current,
    /// The object is being deleted (`Terminating`).
    Terminating,
    /// The object does not exist (`NotFound`; never computed from an object).
    NotFound,
    /// The status could not be computed (`Unknown`).
    Unknown,
}

impl Status {
    /// kstatus' name (`InProgress`, `Current`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            Status::InProgress => "InProgress",
            Status::Failed => "Failed",
            Status::Current => "Current",
            Status::Terminating => "Terminating",
            Status::NotFound => "NotFound",
            Status::Unknown => "Unknown",
        }
    }

    /// The status named `s` (kstatus' spelling), if any.
    pub fn parse(s: &str) -> Option<Status> {
        [
            Status::InProgress,
            Status::Failed,
            Status::Current,
            Status::Terminating,
            Status::NotFound,
            Status::Unknown,
        ]
        .into_iter()
        .find(|st| st.as_str() == s)
    }
}

impl std::fmt::Display for Status {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// kstatus' `Result`: a status and its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HealthResult {
    /// The status.
    pub status: Status,
    /// `Result.Message` exactly (may be empty).
    pub message: String,
}

impl HealthResult {
    fn new(status: Status, message: impl Into<String>) -> Self {
        HealthResult {
            status,
            message: message.into(),
        }
    }
}

/// Why kstatus (or a CEL health check) could not compute a status. Flux's status poller
/// reports such an object as `Unknown` with the error attached; `Display` is Go's text.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[non_exhaustive]
pub enum HealthError {
    /// A field `Compute` looks up has the wrong type (`metadata.generation`,
    /// `status.observedGeneration`, `metadata.deletionTimestamp`).
    #[error("looking up {field} from resource: {source}")]
    Lookup {
        /// The field (`metadata.generation`).
        field: &'static str,
        /// The accessor's error.
        source: AccessorError,
    },
    /// A field read directly (a Pod's `status.containerStatuses`) has the wrong type.
    #[error(transparent)]
    Accessor(AccessorError),
    /// `status` or `status.conditions` cannot be read as kstatus' condition list (the
    /// converter's text: `cannot restore struct from: string`, `unrecognized type: string`).
    #[error("{0}")]
    Conditions(String),
    /// A Pod's `status.phase` is none of kstatus' phases.
    #[error("unknown phase {0}")]
    UnknownPhase(String),
    /// Input on which kstatus' Go code panics (a Pod's container status that is not an
    /// object, a container name that is not a string...); the text is Go's panic message.
    #[error("{0}")]
    Malformed(String),
    /// The value is not a mapping.
    #[error("object is not a map: {0}")]
    NotAnObject(&'static str),
    /// A CEL health check expression failed to evaluate or did not give a boolean.
    #[error("{0}")]
    Cel(String),
}

/// What kind of [`HealthError`] (for the bindings' `kind` attributes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum HealthErrorKind {
    /// [`HealthError::Lookup`].
    Lookup,
    /// [`HealthError::Accessor`].
    Accessor,
    /// [`HealthError::Conditions`].
    Conditions,
    /// [`HealthError::UnknownPhase`].
    UnknownPhase,
    /// [`HealthError::Malformed`].
    Malformed,
    /// [`HealthError::NotAnObject`].
    NotAnObject,
    /// [`HealthError::Cel`].
    Cel,
}

impl HealthError {
    /// The error's kind.
    pub fn kind(&self) -> HealthErrorKind {
        match self {
            HealthError::Lookup { .. } => HealthErrorKind::Lookup,
            HealthError::Accessor(_) => HealthErrorKind::Accessor,
            HealthError::Conditions(_) => HealthErrorKind::Conditions,
            HealthError::UnknownPhase(_) => HealthErrorKind::UnknownPhase,
            HealthError::Malformed(_) => HealthErrorKind::Malformed,
            HealthError::NotAnObject(_) => HealthErrorKind::NotAnObject,
            HealthError::Cel(_) => HealthErrorKind::Cel,
        }
    }
}

/// Behaviour of [`status_with`].
#[derive(Debug, Clone, Default)]
#[non_exhaustive]
pub struct Options {
    /// The current time, as a duration since the Unix epoch (the shell reads the clock;
    /// `gitward::io::system::now()`). Without it, a Pending pod that cannot be scheduled is
    /// `Failed` at once, as if its 15-second grace window had passed.
    pub now: Option<Duration>,
}

impl Options {
    /// Sets the current time.
    pub fn with_now(mut self, now: Duration) -> Self {
        self.now = Some(now);
        self
    }
}

/// The API group and kind of an object, as `Unstructured.GroupVersionKind()` gives them:
/// `apiVersion` `group/version` or `version` (core group); an `apiVersion` with more than one
/// `/` gives an empty group and kind; non-string fields read as empty.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct GroupKind {
    /// The API group (`""` for the core group).
    pub group: String,
    /// The kind.
    pub kind: String,
}

/// The group and kind of `obj` (see [`GroupKind`]).
pub fn group_kind(obj: &Value) -> GroupKind {
    let api_version = access::get_nested_string(obj, &["apiVersion"]);
    let kind = access::get_nested_string(obj, &["kind"]);
    group_kind_of(api_version, kind)
}

/// `schema.ParseGroupVersion(api_version).WithKind(kind).GroupKind()`, empty when the
/// `apiVersion` does not parse.
pub(crate) fn group_kind_of(api_version: &str, kind: &str) -> GroupKind {
    if api_version.is_empty() || api_version == "/" {
        return GroupKind {
            group: String::new(),
            kind: kind.to_string(),
        };
    }
    match api_version.matches('/').count() {
        0 => GroupKind {
            group: String::new(),
            kind: kind.to_string(),
        },
        1 => GroupKind {
            group: api_version
                .split_once('/')
                .map_or("", |(g, _)| g)
                .to_string(),
            kind: kind.to_string(),
        },
        _ => GroupKind::default(),
    }
}

/// The RBAC kinds whose names may hold `:` (written `__` in ids).
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];

/// The object's id as cli-utils' `ObjMetadata.String()` prints it and Flux stores it in
/// inventories: `<namespace>_<name>_<group>_<kind>`; the namespace is empty for
/// cluster-scoped objects (or when `metadata.namespace` is absent), the group empty for the
/// core group, and in the names of the `rbac.authorization.k8s.io` kinds `Role`,
/// `ClusterRole`, `RoleBinding` and `ClusterRoleBinding` every `:` is written `__`.
pub fn object_id(obj: &Value) -> String {
    let gk = group_kind(obj);
    let namespace = access::get_nested_string(obj, &["metadata", "namespace"]);
    let name = access::get_nested_string(obj, &["metadata", "name"]);
    id_string(namespace, name, &gk)
}

/// [`object_id`] from its parts.
pub fn id_string(namespace: &str, name: &str, gk: &GroupKind) -> String {
    let name = if gk.group == "rbac.authorization.k8s.io" && RBAC_KINDS.contains(&gk.kind.as_str())
    {
        name.replace(':', "__")
    } else {
        name.to_string()
    };
    format!("{namespace}_{name}_{}_{}", gk.group, gk.kind)
}

/// The object as Flux names it in its messages (`fluxcd/pkg/ssa`'s `FmtObjMetadata`):
/// `Kind/namespace/name`, or `Kind/name` without a namespace.
pub fn subject(obj: &Value) -> String {
    let gk = group_kind(obj);
    let namespace = access::get_nested_string(obj, &["metadata", "namespace"]);
    let name = access::get_nested_string(obj, &["metadata", "name"]);
    if namespace.is_empty() {
        format!("{}/{name}", gk.kind)
    } else {
        format!("{}/{namespace}/{name}", gk.kind)
    }
}

/// kstatus' `status.Compute(obj)` with default [`Options`] (no clock).
///
/// # Errors
/// Where `Compute` returns an error (wrongly typed `metadata.generation`, conditions that are
/// not a list of objects with string fields, an unknown Pod phase, ...): see [`HealthError`].
pub fn status(obj: &Value) -> Result<HealthResult, HealthError> {
    kstatus::compute(obj, &Options::default())
}

/// kstatus' `status.Compute(obj)`: the status and message of one object, following
/// kstatus v0.37.2 rule for rule (deletion, generation, `Reconciling`/`Stalled` conditions,
/// the built-in kinds, then `Ready` conditions).
///
/// # Errors
/// As [`status`].
pub fn status_with(obj: &Value, opts: &Options) -> Result<HealthResult, HealthError> {
    kstatus::compute(obj, opts)
}

#[cfg(test)]
mod tests;
