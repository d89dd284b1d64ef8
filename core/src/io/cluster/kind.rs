//! What kind of failure a cluster or apply error is, for callers that branch on it (the
//! Python and Node bindings raise one exception type per kind; the CLI maps them to exit
//! codes).

use super::ClusterError;
use super::engine::ApplyError;

/// The kind of a [`ClusterError`] or an [`ApplyError`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// The kubeconfig could not be read or used.
    Kubeconfig,
    /// No answer from the API server (connection refused, TLS, broken body).
    Connection,
    /// The object, its Namespace or its kind does not exist (404, `no matches for kind`,
    /// `namespace not specified`).
    NotFound,
    /// A conflict (409): another manager owns the field, or the object changed meanwhile.
    Conflict,
    /// The API server rejected the object (400, 422: a field is invalid or immutable), or
    /// the input holds the same object twice or an unreadable inventory.
    Invalid,
    /// The credentials are refused or lack the permission (401, 403).
    Forbidden,
    /// Objects did not become ready in time.
    Timeout,
    /// Prune could not delete some objects.
    Prune,
    /// Any other API answer (500, 503, ...).
    Api,
}

impl ErrorKind {
    /// The kind as a `snake_case` word (`not_found`, `conflict`, ...).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorKind::Kubeconfig => "kubeconfig",
            ErrorKind::Connection => "connection",
            ErrorKind::NotFound => "not_found",
            ErrorKind::Conflict => "conflict",
            ErrorKind::Invalid => "invalid",
            ErrorKind::Forbidden => "forbidden",
            ErrorKind::Timeout => "timeout",
            ErrorKind::Prune => "prune",
            ErrorKind::Api => "api",
        }
    }

    fn of_code(code: u16) -> Self {
        match code {
            404 | 410 => ErrorKind::NotFound,
            409 => ErrorKind::Conflict,
            400 | 422 => ErrorKind::Invalid,
            401 | 403 => ErrorKind::Forbidden,
            408 | 504 => ErrorKind::Timeout,
            _ => ErrorKind::Api,
        }
    }
}

impl std::fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl ClusterError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ClusterError::Kubeconfig { .. } => ErrorKind::Kubeconfig,
            ClusterError::UnknownKind { .. } | ClusterError::NamespaceNotSpecified { .. } => {
                ErrorKind::NotFound
            }
            ClusterError::Api { code, .. } => ErrorKind::of_code(*code),
            ClusterError::Transport { .. } => ErrorKind::Connection,
        }
    }

    /// The object the error is about (`Kind/namespace/name`), when there is one.
    pub fn subject(&self) -> Option<&str> {
        match self {
            ClusterError::Kubeconfig { .. } => None,
            ClusterError::UnknownKind { subject, .. }
            | ClusterError::NamespaceNotSpecified { subject }
            | ClusterError::Api { subject, .. }
            | ClusterError::Transport { subject, .. } => Some(subject),
        }
    }

    /// The fields the API server named as causes.
    pub fn fields(&self) -> &[String] {
        match self {
            ClusterError::Api { fields, .. } => fields,
            _ => &[],
        }
    }
}

impl ApplyError {
    /// The kind of this error.
    pub fn kind(&self) -> ErrorKind {
        match self {
            ApplyError::DryRun { source_error, .. } => source_error.kind(),
            ApplyError::NotFound { .. } => ErrorKind::NotFound,
            ApplyError::Request { error, .. } => error.kind(),
            ApplyError::Wait { .. } | ApplyError::Timeout { .. } => ErrorKind::Timeout,
            ApplyError::Duplicate { .. } | ApplyError::Inventory(_) => ErrorKind::Invalid,
            ApplyError::Prune { .. } => ErrorKind::Prune,
        }
    }

    /// The object the error is about (`Kind/namespace/name`), when there is one.
    pub fn subject(&self) -> Option<&str> {
        match self {
            ApplyError::DryRun { subject, .. }
            | ApplyError::NotFound { subject, .. }
            | ApplyError::Request { subject, .. }
            | ApplyError::Duplicate { subject } => Some(subject),
            ApplyError::Wait { .. }
            | ApplyError::Timeout { .. }
            | ApplyError::Inventory(_)
            | ApplyError::Prune { .. } => None,
        }
    }

    /// The HTTP status code of the API answer behind the error, when there is one.
    pub fn code(&self) -> Option<u16> {
        match self {
            ApplyError::DryRun { source_error, .. } => source_error.code(),
            ApplyError::Request { error, .. } => error.code(),
            _ => None,
        }
    }

    /// The fields the API server named as causes.
    pub fn fields(&self) -> &[String] {
        match self {
            ApplyError::DryRun { fields, .. } => fields,
            ApplyError::Request { error, .. } => error.fields(),
            _ => &[],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn api(code: u16) -> ClusterError {
        ClusterError::Api {
            subject: "ConfigMap/a/b".into(),
            op: "apply",
            code,
            reason: String::new(),
            fields: vec!["data.x".into()],
            message: "m".into(),
        }
    }

    #[test]
    fn kinds_follow_the_status_codes() {
        let want = [
            (404, ErrorKind::NotFound),
            (409, ErrorKind::Conflict),
            (422, ErrorKind::Invalid),
            (400, ErrorKind::Invalid),
            (403, ErrorKind::Forbidden),
            (401, ErrorKind::Forbidden),
            (504, ErrorKind::Timeout),
            (500, ErrorKind::Api),
        ];
        for (code, kind) in want {
            assert_eq!(api(code).kind(), kind, "{code}");
        }
        let dry = ApplyError::DryRun {
            subject: "ConfigMap/a/b".into(),
            reason: Some("Invalid".into()),
            fields: vec!["data.x".into()],
            message: "m".into(),
            source_error: Box::new(api(422)),
        };
        assert_eq!(dry.kind(), ErrorKind::Invalid);
        assert_eq!(dry.subject(), Some("ConfigMap/a/b"));
        assert_eq!(dry.code(), Some(422));
        assert_eq!(dry.fields(), ["data.x".to_string()]);
        let wait = ApplyError::Wait {
            prefix: "timeout waiting for",
            objects: vec![],
        };
        assert_eq!(wait.kind().as_str(), "timeout");
        let t = ClusterError::Transport {
            subject: "/api".into(),
            op: "discovery",
            message: "connection refused".into(),
        };
        assert_eq!(t.kind(), ErrorKind::Connection);
    }
}
