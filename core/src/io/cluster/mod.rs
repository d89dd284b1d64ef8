//! Kubernetes clusters (feature `io`): a client from a kubeconfig, discovery of kinds
//! (GVK → resource and scope), and the requests Flux's apply engine makes — get,
//! server-side apply (dry-run or not, ownership forced, with a field manager), JSON patch,
//! delete with a propagation policy. [`engine`] runs Flux's staged apply and prune with them;
//! [`diff`] compares the desired set with the cluster through dry-runs.
//!
//! Objects travel as the crate's [`Value`]; every error names the object (`Kind/ns/name`)
//! and, for API errors, carries the HTTP code, the reason and the fields the server named.
//! Secret values never appear in errors: messages about a Secret pass through [`redact`].

pub mod diff;
pub mod engine;
pub mod json;
pub mod kind;
pub mod report;

use std::collections::HashMap;
use std::path::Path;
use std::sync::Mutex;

use base64::Engine as _;
use kube::core::params::{DeleteParams, Patch, PatchParams, PropagationPolicy};

use crate::ssa::object::group_version;
use crate::ssa::order::is_secret;
use crate::ssa::{ApiFailure, ObjMetadata};
use crate::yaml::{Map, Value};

/// Why a cluster request failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ClusterError {
    /// The kubeconfig could not be read or used.
    #[error("kubeconfig {path}: {message}")]
    Kubeconfig {
        /// The file (or `<default>` for the inferred configuration).
        path: String,
        /// What is wrong.
        message: String,
    },
    /// The API server does not serve the object's kind (`no matches for kind`).
    #[error("{subject}: no matches for kind \"{kind}\" in version \"{api_version}\"")]
    UnknownKind {
        /// `Kind/namespace/name`.
        subject: String,
        /// The kind.
        kind: String,
        /// The `apiVersion`.
        api_version: String,
    },
    /// A namespaced object without a namespace.
    #[error("{subject} namespace not specified: the server could not find the requested resource")]
    NamespaceNotSpecified {
        /// `Kind/name`.
        subject: String,
    },
    /// The API server refused a request.
    #[error("{subject} {op}: {message}")]
    Api {
        /// `Kind/namespace/name`.
        subject: String,
        /// What was asked (`get`, `apply`, `dry-run apply`, `patch`, `delete`, `discovery`).
        op: &'static str,
        /// HTTP status code (404, 409, 422, ...).
        code: u16,
        /// The API reason (`NotFound`, `Invalid`, `Conflict`, ...).
        reason: String,
        /// The fields the server named as causes (`spec.replicas`, ...).
        fields: Vec<String>,
        /// The server's message (Secret values redacted).
        message: String,
    },
    /// The request did not get an answer (connection refused, TLS, timeout, bad body).
    #[error("{subject} {op}: {message}")]
    Transport {
        /// `Kind/namespace/name`, or the URL path for discovery.
        subject: String,
        /// What was asked.
        op: &'static str,
        /// What went wrong.
        message: String,
    },
}

impl ClusterError {
    /// The HTTP status code of an API error.
    pub fn code(&self) -> Option<u16> {
        match self {
            ClusterError::Api { code, .. } => Some(*code),
            _ => None,
        }
    }

    /// Whether this is a 404.
    pub fn is_not_found(&self) -> bool {
        self.code() == Some(404)
    }

    /// The error as `IsImmutableError` sees it.
    pub fn as_failure(&self) -> ApiFailure {
        ApiFailure {
            code: self.code().unwrap_or(0),
            message: self.to_string(),
        }
    }
}

/// A kind as the API server serves it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInfo {
    /// Plural resource name (`deployments`).
    pub plural: String,
    /// Whether objects live in namespaces.
    pub namespaced: bool,
}

/// A connection to one cluster, with a discovery cache per group-version.
pub struct Cluster {
    client: kube::Client,
    discovery: Mutex<HashMap<String, HashMap<String, ResourceInfo>>>,
}

impl std::fmt::Debug for Cluster {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Cluster").finish_non_exhaustive()
    }
}

/// Removes a Secret's values (as written and base64-encoded) from a message about it.
pub fn redact(message: &str, obj: &Value) -> String {
    if !is_secret(obj) {
        return message.to_string();
    }
    let mut secrets: Vec<String> = Vec::new();
    let b64 = base64::engine::general_purpose::STANDARD;
    for field in ["data", "stringData"] {
        if let Some(m) = obj.get(field).and_then(Value::as_map) {
            for v in m.values() {
                let Some(s) = v.as_str() else { continue };
                if s.len() < 3 {
                    continue;
                }
                secrets.push(s.to_string());
                if field == "data" {
                    if let Ok(raw) = b64.decode(s.as_bytes())
                        && let Ok(text) = String::from_utf8(raw)
                        && text.len() >= 3
                    {
                        secrets.push(text);
                    }
                } else {
                    secrets.push(b64.encode(s.as_bytes()));
                }
            }
        }
    }
    secrets.sort_by_key(|s| std::cmp::Reverse(s.len()));
    let mut out = message.to_string();
    for s in secrets {
        out = out.replace(&s, "<redacted>");
    }
    out
}

fn subject(obj: &Value) -> String {
    ObjMetadata::of(obj).subject()
}

fn str_at<'a>(obj: &'a Value, path: &[&str]) -> &'a str {
    obj.get_path(path).and_then(Value::as_str).unwrap_or("")
}

impl Cluster {
    /// A cluster from an existing client.
    pub fn new(client: kube::Client) -> Self {
        Cluster {
            client,
            discovery: Mutex::new(HashMap::new()),
        }
    }

    /// Connects with a kubeconfig: `path` (else `$KUBECONFIG`, `~/.kube/config` or the
    /// in-cluster service account, as kube infers) and `context` (else the current one).
    ///
    /// Installs rustls' ring provider as the process default when none is installed yet
    /// (kube's TLS setup needs one).
    ///
    /// # Errors
    /// [`ClusterError::Kubeconfig`] when the file cannot be read or names no usable cluster.
    pub async fn connect(path: Option<&Path>, context: Option<&str>) -> Result<Self, ClusterError> {
        if rustls::crypto::CryptoProvider::get_default().is_none() {
            let _ = rustls::crypto::ring::default_provider().install_default();
        }
        let shown = path.map_or_else(|| "<default>".to_string(), |p| p.display().to_string());
        let err = |message: String| ClusterError::Kubeconfig {
            path: shown.clone(),
            message,
        };
        let options = kube::config::KubeConfigOptions {
            context: context.map(str::to_string),
            ..Default::default()
        };
        let config = match (path, context) {
            (Some(p), _) => {
                let kc = kube::config::Kubeconfig::read_from(p).map_err(|e| err(e.to_string()))?;
                kube::Config::from_custom_kubeconfig(kc, &options)
                    .await
                    .map_err(|e| err(e.to_string()))?
            }
            (None, Some(_)) => kube::Config::from_kubeconfig(&options)
                .await
                .map_err(|e| err(e.to_string()))?,
            (None, None) => kube::Config::infer()
                .await
                .map_err(|e| err(e.to_string()))?,
        };
        let client = kube::Client::try_from(config).map_err(|e| err(e.to_string()))?;
        Ok(Cluster::new(client))
    }

    /// Forgets what discovery learnt (after CRDs were applied).
    pub fn refresh_discovery(&self) {
        if let Ok(mut d) = self.discovery.lock() {
            d.clear();
        }
    }

    /// The resource serving `kind` in `api_version`, from the group-version's resource list
    /// (fetched once, then cached until [`Cluster::refresh_discovery`]).
    ///
    /// # Errors
    /// [`ClusterError::UnknownKind`] when the group-version or kind is not served.
    pub async fn resource(
        &self,
        api_version: &str,
        kind: &str,
        subject: &str,
    ) -> Result<ResourceInfo, ClusterError> {
        let unknown = || ClusterError::UnknownKind {
            subject: subject.to_string(),
            kind: kind.to_string(),
            api_version: api_version.to_string(),
        };
        if api_version.is_empty() || kind.is_empty() {
            return Err(unknown());
        }
        if let Some(found) = self
            .discovery
            .lock()
            .ok()
            .and_then(|d| d.get(api_version).map(|m| m.get(kind).cloned()))
        {
            return found.ok_or_else(unknown);
        }
        let (group, _) = group_version(api_version);
        let path = if group.is_empty() {
            format!("/api/{api_version}")
        } else {
            format!("/apis/{api_version}")
        };
        let req =
            http::Request::get(&path)
                .body(Vec::new())
                .map_err(|e| ClusterError::Transport {
                    subject: path.clone(),
                    op: "discovery",
                    message: e.to_string(),
                })?;
        let list: serde_json::Value = match self.client.request(req).await {
            Ok(v) => v,
            Err(kube::Error::Api(s)) if s.code == 404 => return Err(unknown()),
            Err(e) => {
                return Err(ClusterError::Transport {
                    subject: path,
                    op: "discovery",
                    message: e.to_string(),
                });
            }
        };
        let mut kinds = HashMap::new();
        for r in list
            .get("resources")
            .and_then(|r| r.as_array())
            .into_iter()
            .flatten()
        {
            let name = r.get("name").and_then(|n| n.as_str()).unwrap_or("");
            let k = r.get("kind").and_then(|n| n.as_str()).unwrap_or("");
            if name.is_empty() || name.contains('/') || k.is_empty() {
                continue;
            }
            kinds.entry(k.to_string()).or_insert(ResourceInfo {
                plural: name.to_string(),
                namespaced: r
                    .get("namespaced")
                    .and_then(|n| n.as_bool())
                    .unwrap_or(false),
            });
        }
        let found = kinds.get(kind).cloned();
        if let Ok(mut d) = self.discovery.lock() {
            d.insert(api_version.to_string(), kinds);
        }
        found.ok_or_else(unknown)
    }

    /// The URL of the collection holding `obj` (its kind, in its namespace when the kind is
    /// namespaced), checking its kind and namespace.
    async fn collection_url(&self, obj: &Value) -> Result<String, ClusterError> {
        let api_version = str_at(obj, &["apiVersion"]);
        let kind = str_at(obj, &["kind"]);
        let subject = subject(obj);
        let info = self.resource(api_version, kind, &subject).await?;
        let (group, _) = group_version(api_version);
        let root = if group.is_empty() { "api" } else { "apis" };
        let ns = str_at(obj, &["metadata", "namespace"]);
        if info.namespaced {
            if ns.is_empty() {
                return Err(ClusterError::NamespaceNotSpecified { subject });
            }
            Ok(format!(
                "/{root}/{api_version}/namespaces/{}/{}",
                encode(ns),
                info.plural
            ))
        } else {
            Ok(format!("/{root}/{api_version}/{}", info.plural))
        }
    }

    /// The URL of an object (without query), checking its kind and namespace.
    async fn object_url(&self, obj: &Value) -> Result<String, ClusterError> {
        let name = str_at(obj, &["metadata", "name"]);
        Ok(format!(
            "{}/{}",
            self.collection_url(obj).await?,
            encode(name)
        ))
    }

    /// The live objects of `obj`'s kind in its namespace (or cluster-wide for a
    /// cluster-scoped kind), by name, each with its `apiVersion` and `kind` set as a GET
    /// returns them; read in pages of 500.
    ///
    /// # Errors
    /// Discovery and API errors.
    pub async fn list_like(&self, obj: &Value) -> Result<HashMap<String, Value>, ClusterError> {
        let base = self.collection_url(obj).await?;
        let mut out = HashMap::new();
        let mut cont = String::new();
        loop {
            let mut url = format!("{base}?limit=500");
            if !cont.is_empty() {
                url.push_str("&continue=");
                url.push_str(&encode(&cont));
            }
            let req = Self::build(obj, "list", http::Request::get(url), Vec::new())?;
            let page = self.send(obj, "list", req).await?;
            let items = match page {
                Value::Map(mut m) => {
                    cont = m
                        .get("metadata")
                        .and_then(|md| md.get("continue"))
                        .and_then(Value::as_str)
                        .unwrap_or("")
                        .to_string();
                    m.shift_remove("items")
                }
                _ => None,
            };
            if let Some(Value::Seq(items)) = items {
                for item in items {
                    let name = str_at(&item, &["metadata", "name"]).to_string();
                    // `apiVersion` and `kind` first, as a GET returns the object.
                    let item = match item {
                        Value::Map(fields) => {
                            let mut m = Map::default();
                            for key in ["apiVersion", "kind"] {
                                m.insert(key.into(), Value::from(str_at(obj, &[key])));
                            }
                            for (k, v) in fields {
                                if k != "apiVersion" && k != "kind" {
                                    m.insert(k, v);
                                }
                            }
                            Value::Map(m)
                        }
                        other => other,
                    };
                    out.insert(name, item);
                }
            }
            if cont.is_empty() {
                return Ok(out);
            }
        }
    }

    fn api_error(obj: &Value, op: &'static str, e: kube::Error) -> ClusterError {
        match e {
            kube::Error::Api(s) => ClusterError::Api {
                subject: subject(obj),
                op,
                code: s.code,
                reason: s.reason.clone(),
                fields: s
                    .details
                    .as_ref()
                    .map(|d| {
                        d.causes
                            .iter()
                            .filter(|c| !c.field.is_empty())
                            .map(|c| c.field.clone())
                            .collect()
                    })
                    .unwrap_or_default(),
                message: redact(&s.message, obj),
            },
            other => ClusterError::Transport {
                subject: subject(obj),
                op,
                message: redact(&error_chain(&other), obj),
            },
        }
    }

    async fn send(
        &self,
        obj: &Value,
        op: &'static str,
        req: http::Request<Vec<u8>>,
    ) -> Result<Value, ClusterError> {
        match self.client.request::<serde_json::Value>(req).await {
            Ok(v) => Ok(json::from_json(v)),
            Err(e) => Err(Self::api_error(obj, op, e)),
        }
    }

    fn build(
        obj: &Value,
        op: &'static str,
        b: http::request::Builder,
        body: Vec<u8>,
    ) -> Result<http::Request<Vec<u8>>, ClusterError> {
        b.body(body).map_err(|e| ClusterError::Transport {
            subject: subject(obj),
            op,
            message: e.to_string(),
        })
    }

    /// The live object with the identity of `obj` (its apiVersion, kind, namespace and
    /// name), or `None` when it does not exist.
    ///
    /// # Errors
    /// Discovery and API errors other than 404.
    pub async fn get(&self, obj: &Value) -> Result<Option<Value>, ClusterError> {
        let url = self.object_url(obj).await?;
        let req = Self::build(obj, "get", http::Request::get(url), Vec::new())?;
        match self.send(obj, "get", req).await {
            Ok(v) => Ok(Some(v)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Server-side apply of `obj` with `field_manager`, ownership forced, optionally as a
    /// dry-run; returns what the server returned.
    ///
    /// # Errors
    /// Discovery and API errors.
    pub async fn apply(
        &self,
        obj: &Value,
        field_manager: &str,
        dry_run: bool,
    ) -> Result<Value, ClusterError> {
        let op = if dry_run { "dry-run apply" } else { "apply" };
        let url = self.object_url(obj).await?;
        let pp = PatchParams {
            dry_run,
            force: true,
            field_manager: Some(field_manager.to_string()),
            field_validation: None,
        };
        let req = kube::core::Request::new(url.rsplit_once('/').map_or("", |(p, _)| p))
            .patch(
                str_at(obj, &["metadata", "name"]),
                &pp,
                &Patch::Apply(json::to_json(obj)),
            )
            .map_err(|e| ClusterError::Transport {
                subject: subject(obj),
                op,
                message: e.to_string(),
            })?;
        self.send(obj, op, req).await
    }

    /// Sends a JSON patch (`application/json-patch+json`) to the live object `live`.
    ///
    /// # Errors
    /// Discovery and API errors.
    pub async fn json_patch(
        &self,
        live: &Value,
        patch: &Value,
        field_manager: &str,
    ) -> Result<Value, ClusterError> {
        let url = format!(
            "{}?fieldManager={}",
            self.object_url(live).await?,
            encode(field_manager)
        );
        let body = serde_json::to_vec(&json::to_json(patch)).unwrap_or_default();
        let b = http::Request::patch(url)
            .header(http::header::ACCEPT, "application/json")
            .header(http::header::CONTENT_TYPE, "application/json-patch+json");
        let req = Self::build(live, "patch", b, body)?;
        self.send(live, "patch", req).await
    }

    /// Deletes the object with background propagation; a missing object is not an error.
    ///
    /// # Errors
    /// Discovery and API errors other than 404.
    pub async fn delete(&self, obj: &Value) -> Result<(), ClusterError> {
        let url = self.object_url(obj).await?;
        let dp = DeleteParams {
            propagation_policy: Some(PropagationPolicy::Background),
            ..Default::default()
        };
        let req = kube::core::Request::new(url.rsplit_once('/').map_or("", |(p, _)| p))
            .delete(str_at(obj, &["metadata", "name"]), &dp)
            .map_err(|e| ClusterError::Transport {
                subject: subject(obj),
                op: "delete",
                message: e.to_string(),
            })?;
        match self.send(obj, "delete", req).await {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Percent-encodes a path segment or query value (names are DNS labels, but be safe).
/// An error and its causes, `: `-separated (a cause already quoted by its parent left out):
/// `ServiceError: client error (Connect): tcp connect error: Connection refused (os error
/// 111)` rather than kube's bare `ServiceError: client error (Connect)`.
fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(cause) = source {
        let c = cause.to_string();
        if !text.contains(&c) {
            text.push_str(": ");
            text.push_str(&c);
        }
        source = cause.source();
    }
    text
}

fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'.' | b'_' | b'~' | b':') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Runs a future to completion on a new single-threaded tokio runtime (the sync form of
/// the async verbs).
///
/// # Errors
/// [`ClusterError::Transport`] when the runtime cannot be built.
pub fn block_on<F: std::future::Future>(f: F) -> Result<F::Output, ClusterError> {
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| ClusterError::Transport {
            subject: "runtime".into(),
            op: "start",
            message: e.to_string(),
        })?;
    Ok(rt.block_on(f))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    #[test]
    fn secret_values_redacted() {
        let s = read_manifests(
            "apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nstringData: {password: hunter22}\ndata: {token: czNjcjN0}\n",
        )
        .expect("manifest")
        .remove(0);
        let m = redact("bad hunter22 aHVudGVyMjI= czNjcjN0 s3cr3t", &s);
        assert_eq!(m, "bad <redacted> <redacted> <redacted> <redacted>");
    }
}
