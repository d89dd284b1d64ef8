//! Splitting rendered files into manifests and hooks, in Helm's install order
//! (`pkg/release/v1/util`: `SplitManifests`, `SortManifests`, `kind_sorter.go`).

use std::collections::BTreeMap;
use std::sync::OnceLock;

use super::typed::{Target, yaml_to_json_for};
use super::{Error, ErrorKind};
use crate::yaml::Value;

/// Helm's install order of kinds; unknown kinds come after, alphabetically.
pub const INSTALL_ORDER: &[&str] = &[
    "PriorityClass",
    "Namespace",
    "NetworkPolicy",
    "ResourceQuota",
    "LimitRange",
    "PodSecurityPolicy",
    "PodDisruptionBudget",
    "ServiceAccount",
    "Secret",
    "SecretList",
    "ConfigMap",
    "StorageClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "CustomResourceDefinition",
    "ClusterRole",
    "ClusterRoleList",
    "ClusterRoleBinding",
    "ClusterRoleBindingList",
    "Role",
    "RoleList",
    "RoleBinding",
    "RoleBindingList",
    "Service",
    "DaemonSet",
    "Pod",
    "ReplicationController",
    "ReplicaSet",
    "Deployment",
    "HorizontalPodAutoscaler",
    "StatefulSet",
    "Job",
    "CronJob",
    "IngressClass",
    "Ingress",
    "APIService",
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

const HOOK_EVENTS: &[&str] = &[
    "pre-install",
    "post-install",
    "pre-delete",
    "post-delete",
    "pre-upgrade",
    "post-upgrade",
    "pre-rollback",
    "post-rollback",
    "test",
    "test-success",
];

/// One rendered document that is not a hook.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Manifest {
    /// Template path (`chart/templates/x.yaml`).
    pub name: String,
    /// The document text, trimmed.
    pub content: String,
    /// `apiVersion`.
    pub api_version: String,
    /// `kind`.
    pub kind: String,
}

/// One rendered hook document.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Hook {
    /// `metadata.name`.
    pub name: String,
    /// `kind`.
    pub kind: String,
    /// Template path.
    pub path: String,
    /// The document text, trimmed.
    pub manifest: String,
    /// Events (`pre-install`, `test`, ...), lower-cased.
    pub events: Vec<String>,
    /// `helm.sh/hook-weight` (0 when absent or not a number).
    pub weight: i64,
    /// `helm.sh/hook-delete-policy` values.
    pub delete_policies: Vec<String>,
    /// `helm.sh/hook-output-log-policy` values.
    pub output_log_policies: Vec<String>,
}

impl Hook {
    /// Whether it is a test hook.
    pub fn is_test(&self) -> bool {
        self.events
            .iter()
            .any(|e| e == "test" || e == "test-success")
    }
}

/// Go's `strings.TrimSpace`.
pub(crate) fn trim_space(s: &str) -> &str {
    s.trim_matches(|c: char| c.is_whitespace())
}

fn separator() -> &'static regex::Regex {
    static R: OnceLock<regex::Regex> = OnceLock::new();
    R.get_or_init(|| {
        regex::Regex::new(r"(?:^|[\t\n\x0B\f\r ]*\n)---[\t\n\x0B\f\r ]*")
            .unwrap_or_else(|_| regex::Regex::new("$^").expect("trivial regex"))
    })
}

/// `releaseutil.SplitManifests`: the documents of a stream, in order, trimmed, empty
/// ones dropped.
pub fn split_manifests(big: &str) -> Vec<String> {
    let t = trim_space(big);
    separator()
        .split(t)
        .filter(|d| !d.is_empty())
        .map(|d| trim_space(d).to_string())
        .collect()
}

/// The head of a document as `yaml.Unmarshal` into `SimpleHead` sees it.
struct Head {
    api_version: String,
    kind: String,
    name: String,
    annotations: Option<BTreeMap<String, String>>,
}

/// `releaseutil.SimpleHead`'s shape, for `sigs.k8s.io/yaml`'s string coercion.
static SIMPLE_HEAD: Target = Target::Fields(&[
    ("apiVersion", Target::Str),
    ("kind", Target::Str),
    (
        "metadata",
        Target::Fields(&[
            ("name", Target::Str),
            ("annotations", Target::MapOf(&Target::Str)),
        ]),
    ),
]);

fn parse_head(doc: &str) -> Result<Head, String> {
    let v = yaml_to_json_for(doc, &SIMPLE_HEAD)?;
    let pre = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
    let mut head = Head {
        api_version: String::new(),
        kind: String::new(),
        name: String::new(),
        annotations: None,
    };
    let m = match &v {
        Value::Null => return Ok(head),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "{pre} {} into Go value of type util.SimpleHead",
                crate::gojson::kind_name(other)
            ));
        }
    };
    let string = |v: &Value, field: &str, into: &mut String| -> Result<(), String> {
        match v {
            Value::Null => Ok(()),
            Value::String(s) => {
                *into = s.clone();
                Ok(())
            }
            other => Err(format!(
                "{pre} {} into Go struct field {field} of type string",
                crate::gojson::kind_name(other)
            )),
        }
    };
    let mut keys: Vec<(&String, &Value)> = m.iter().collect();
    keys.sort_by(|a, b| a.0.cmp(b.0));
    for (k, val) in keys {
        match k.to_ascii_lowercase().as_str() {
            "apiversion" => string(val, "SimpleHead.apiVersion", &mut head.api_version)?,
            "kind" => string(val, "SimpleHead.kind", &mut head.kind)?,
            "metadata" => match val {
                Value::Null => {}
                Value::Map(md) => {
                    let mut mk: Vec<(&String, &Value)> = md.iter().collect();
                    mk.sort_by(|a, b| a.0.cmp(b.0));
                    for (k2, v2) in mk {
                        match k2.to_ascii_lowercase().as_str() {
                            "name" => string(v2, ".metadata.name", &mut head.name)?,
                            "annotations" => match v2 {
                                Value::Null => head.annotations = None,
                                Value::Map(a) => {
                                    let mut out = head.annotations.take().unwrap_or_default();
                                    for (ak, av) in a {
                                        let mut s = String::new();
                                        string(av, ".metadata.annotations", &mut s)?;
                                        out.insert(ak.clone(), s);
                                    }
                                    head.annotations = Some(out);
                                }
                                other => {
                                    return Err(format!(
                                        "{pre} {} into Go struct field .metadata.annotations of type map[string]string",
                                        crate::gojson::kind_name(other)
                                    ));
                                }
                            },
                            _ => {}
                        }
                    }
                }
                other => {
                    return Err(format!(
                        "{pre} {} into Go struct field SimpleHead.metadata of type struct {{ Name string \"json:\\\"name\\\"\"; Annotations map[string]string \"json:\\\"annotations\\\"\" }}",
                        crate::gojson::kind_name(other)
                    ));
                }
            },
            _ => {}
        }
    }
    Ok(head)
}

fn kind_rank(kind: &str) -> Option<usize> {
    INSTALL_ORDER.iter().position(|k| *k == kind)
}

/// `lessByKind`.
fn less_by_kind(a: &str, b: &str) -> bool {
    match (kind_rank(a), kind_rank(b)) {
        (None, None) => a < b,
        (None, Some(_)) => false,
        (Some(_), None) => true,
        (Some(x), Some(y)) => x < y,
    }
}

fn stable_sort_by_kind<T>(v: &mut [T], kind: impl Fn(&T) -> &str) {
    v.sort_by(|a, b| {
        let (ka, kb) = (kind(a), kind(b));
        if less_by_kind(ka, kb) {
            std::cmp::Ordering::Less
        } else if less_by_kind(kb, ka) {
            std::cmp::Ordering::Greater
        } else {
            std::cmp::Ordering::Equal
        }
    });
}

fn split_policy(v: &str) -> Vec<String> {
    v.split(',').map(|p| trim_space(p).to_lowercase()).collect()
}

/// `releaseutil.SortManifests(files, InstallOrder)`: hooks and manifests, each sorted
/// by kind (stable), files visited in path order.
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), Error> {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, content) in files {
        let base = path.rsplit('/').next().unwrap_or(path);
        if base.starts_with('_') || trim_space(content).is_empty() {
            continue;
        }
        for m in split_manifests(content) {
            let head = parse_head(&m).map_err(|e| {
                Error::new(
                    ErrorKind::Manifest,
                    format!("YAML parse error on {path}: {e}"),
                )
                .in_file(path)
            })?;
            let hook_types = head
                .annotations
                .as_ref()
                .filter(|a| !a.is_empty())
                .and_then(|a| a.get("helm.sh/hook"));
            let Some(hook_types) = hook_types else {
                generic.push(Manifest {
                    name: path.clone(),
                    content: m,
                    api_version: head.api_version,
                    kind: head.kind,
                });
                continue;
            };
            let ann = head.annotations.as_ref();
            let get = |k: &str| ann.and_then(|a| a.get(k)).map(String::as_str);
            let weight = get("helm.sh/hook-weight")
                .and_then(|w| {
                    let w = w.strip_prefix('+').unwrap_or(w);
                    w.parse::<i64>().ok()
                })
                .unwrap_or(0);
            let mut events = Vec::new();
            let mut unknown = false;
            for t in hook_types.split(',') {
                let t = trim_space(t).to_lowercase();
                if !HOOK_EVENTS.contains(&t.as_str()) {
                    unknown = true;
                    break;
                }
                events.push(if t == "test-success" {
                    "test".to_string()
                } else {
                    t
                });
            }
            if unknown {
                continue;
            }
            hooks.push(Hook {
                name: head.name,
                kind: head.kind,
                path: path.clone(),
                manifest: m,
                events,
                weight,
                delete_policies: get("helm.sh/hook-delete-policy")
                    .map(split_policy)
                    .unwrap_or_default(),
                output_log_policies: get("helm.sh/hook-output-log-policy")
                    .map(split_policy)
                    .unwrap_or_default(),
            });
        }
    }
    stable_sort_by_kind(&mut hooks, |h| &h.kind);
    stable_sort_by_kind(&mut generic, |m| &m.kind);
    Ok((hooks, generic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_like_helm() {
        let d = split_manifests("\n---\na: 1\n---\n\n---   \nb: 2\n  ---\nc\n");
        assert_eq!(d, vec!["a: 1", "---   \nb: 2\n  ---\nc"]);
        assert_eq!(split_manifests("a\n---b"), vec!["a", "b"]);
    }

    #[test]
    fn kind_order() {
        let mut files = BTreeMap::new();
        files.insert(
            "c/templates/a.yaml".to_string(),
            "kind: Deployment\n---\nkind: Zed\n---\nkind: Service\n---\nkind: Alpha\n".to_string(),
        );
        let (_, m) = sort_manifests(&files).expect("sort");
        let kinds: Vec<&str> = m.iter().map(|m| m.kind.as_str()).collect();
        assert_eq!(kinds, ["Service", "Deployment", "Alpha", "Zed"]);
    }
}
