//! Splitting rendered files into manifests and hooks, in Helm's install order
//! (`pkg/release/v1/util`: `SplitManifests`, `SortManifests`, `kind_sorter.go`).

use std::collections::BTreeMap;

use super::typed::{Target, node_to_json_for, string_field};
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

/// `releaseutil.SplitManifests`: the documents of a stream, in order, trimmed, empty
/// ones dropped. The stream splits where Go's
/// `(?:^|[\t\n\v\f\r ]*\n)---[\t\n\v\f\r ]*` matches, found here without an
/// expression engine: a match is a `---` at the very start or right after a line break,
/// taking the blanks and breaks before that line break (back to the previous match) and
/// those after the dashes.
pub fn split_manifests(big: &str) -> Vec<String> {
    let is_ws = |c: u8| matches!(c, b'\t' | b'\n' | 0x0B | 0x0C | b'\r' | b' ');
    let t = trim_space(big);
    let b = t.as_bytes();
    let mut docs = Vec::new();
    let mut push = |d: &str| {
        if !d.is_empty() {
            docs.push(trim_space(d).to_string());
        }
    };
    // Start of the current piece, which is also where the next match may begin.
    let mut beg = 0;
    let mut from = 0;
    while let Some(off) = memchr::memmem::find(&b[from..], b"---") {
        let k = from + off;
        let start = if k == 0 {
            Some(0)
        } else if k > beg && b[k - 1] == b'\n' {
            let mut p = k - 1;
            while p > beg && is_ws(b[p - 1]) {
                p -= 1;
            }
            Some(p)
        } else {
            None
        };
        let Some(p) = start else {
            from = k + 1;
            continue;
        };
        let mut e = k + 3;
        while e < b.len() && is_ws(b[e]) {
            e += 1;
        }
        push(&t[beg..p]);
        beg = e;
        from = e;
    }
    push(&t[beg..]);
    docs
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
    let opts = crate::yaml::ParseOptions {
        first_document_only: true,
        ..crate::yaml::ParseOptions::helm_values()
    };
    let docs =
        crate::yaml::parse_stream(doc, &opts).map_err(|e| super::chart::yaml_error_text(&e))?;
    if let Some(head) = docs.first().and_then(fast_head) {
        return Ok(head);
    }
    head_of_value(&node_to_json_for(docs.first(), &SIMPLE_HEAD)?)
}

/// The head of a mapping document that resolves cleanly (see
/// [`crate::yaml::go_v2_clean`]) and spells its head fields exactly once each, read off
/// the nodes; `None` for anything else, which [`head_of_value`] takes through the whole
/// of `sigs.k8s.io/yaml`'s conversion.
fn fast_head(root: &crate::yaml::Node) -> Option<Head> {
    use crate::yaml::{Node, NodeKind, go_v2_key};
    /// The entries of a mapping whose keys match one of `fields` case-insensitively;
    /// `None` unless each is spelled exactly and at most once.
    fn fields<'n, const N: usize>(
        pairs: &'n [(Node, Node)],
        names: [&str; N],
    ) -> Option<[Option<&'n Node>; N]> {
        let mut found = [None; N];
        for (k, v) in pairs {
            let key = go_v2_key(k, v).ok()?;
            for (i, name) in names.iter().enumerate() {
                if key.eq_ignore_ascii_case(name) {
                    if key != *name || found[i].is_some() {
                        return None;
                    }
                    found[i] = Some(v);
                }
            }
        }
        Some(found)
    }
    let NodeKind::Map(pairs) = &root.kind else {
        return None;
    };
    if !crate::yaml::go_v2_clean(root) {
        return None;
    }
    let [api_version, kind, metadata] = fields(pairs, ["apiVersion", "kind", "metadata"])?;
    let text = |n: Option<&Node>| -> Option<String> {
        match n {
            None => Some(String::new()),
            Some(n) => Some(string_field(n)?.unwrap_or_default()),
        }
    };
    let mut head = Head {
        api_version: text(api_version)?,
        kind: text(kind)?,
        name: String::new(),
        annotations: None,
    };
    let Some(md) = metadata else {
        return Some(head);
    };
    match &md.kind {
        NodeKind::Map(md_pairs) => {
            let [name, annotations] = fields(md_pairs, ["name", "annotations"])?;
            head.name = text(name)?;
            if let Some(a) = annotations {
                match &a.kind {
                    NodeKind::Map(a_pairs) => {
                        let mut out = BTreeMap::new();
                        for (k, v) in a_pairs {
                            out.insert(go_v2_key(k, v).ok()?, text(Some(v))?);
                        }
                        head.annotations = Some(out);
                    }
                    // `annotations: null` (or `~`, or nothing).
                    NodeKind::Scalar(_) if string_field(a)?.is_none() => {}
                    _ => return None,
                }
            }
            Some(head)
        }
        NodeKind::Scalar(_) if string_field(md)?.is_none() => Some(head),
        _ => None,
    }
}

/// The head of a document as `encoding/json` decodes its JSON into `SimpleHead`.
fn head_of_value(v: &Value) -> Result<Head, String> {
    let pre = "error unmarshaling JSON: while decoding JSON: json: cannot unmarshal";
    let mut head = Head {
        api_version: String::new(),
        kind: String::new(),
        name: String::new(),
        annotations: None,
    };
    let m = match v {
        Value::Null => return Ok(head),
        Value::Map(m) => m,
        other => {
            return Err(format!(
                "{pre} {} into Go value of type util.SimpleHead",
                crate::go::json::kind_name(other)
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
                crate::go::json::kind_name(other)
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
                                        crate::go::json::kind_name(other)
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
                        crate::go::json::kind_name(other)
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

/// One document of a rendered file with its head, as `SortManifests` reads it.
pub(crate) struct Doc {
    content: String,
    head: Head,
}

/// The documents of one rendered file, in order, each with its head (`SortManifests`'s
/// work on one file; none for files it skips). Files are independent of each other, so
/// this can run on any thread.
pub(crate) fn file_docs(path: &str, content: &str) -> Result<Vec<Doc>, Error> {
    let base = path.rsplit('/').next().unwrap_or(path);
    if base.starts_with('_') || trim_space(content).is_empty() {
        return Ok(Vec::new());
    }
    let mut out = Vec::new();
    for m in split_manifests(content) {
        let head = parse_head(&m).map_err(|e| {
            Error::new(
                ErrorKind::Manifest,
                format!("YAML parse error on {path}: {e}"),
            )
            .in_file(path)
        })?;
        out.push(Doc { content: m, head });
    }
    Ok(out)
}

/// `releaseutil.SortManifests(files, InstallOrder)`: hooks and manifests, each sorted
/// by kind (stable), files visited in path order (the renderer does the same in two
/// steps, [`file_docs`] and [`sort_docs`]).
#[cfg(test)]
pub fn sort_manifests(
    files: &BTreeMap<String, String>,
) -> Result<(Vec<Hook>, Vec<Manifest>), Error> {
    let mut docs = Vec::new();
    for (path, content) in files {
        docs.push((path.clone(), file_docs(path, content)?));
    }
    Ok(sort_docs(docs))
}

/// The rest of `SortManifests`: the documents of each file (files in path order) become
/// hooks and manifests, each sorted by kind (stable).
pub(crate) fn sort_docs(files: Vec<(String, Vec<Doc>)>) -> (Vec<Hook>, Vec<Manifest>) {
    let mut hooks = Vec::new();
    let mut generic = Vec::new();
    for (path, docs) in files {
        for Doc { content: m, head } in docs {
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
    (hooks, generic)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The hand-written splitter splits where Go's expression matches.
    #[test]
    fn splits_where_the_expression_matches() {
        let re = regex::Regex::new(r"(?:^|[\t\n\x0B\f\r ]*\n)---[\t\n\x0B\f\r ]*").expect("re");
        let by_regex = |big: &str| -> Vec<String> {
            re.split(trim_space(big))
                .filter(|d| !d.is_empty())
                .map(|d| trim_space(d).to_string())
                .collect()
        };
        let parts = [
            "-", "---", "----", "\n", " ", "\t", "\x0B", "\r", "a", "x: 1", "\n---\n",
        ];
        let mut st = 0x9E37_79B9_7F4A_7C15u64;
        for _ in 0..20_000 {
            let mut s = String::new();
            for _ in 0..(st % 12) {
                st ^= st << 13;
                st ^= st >> 7;
                st ^= st << 17;
                s.push_str(parts[(st % parts.len() as u64) as usize]);
            }
            st = st.wrapping_add(1);
            assert_eq!(split_manifests(&s), by_regex(&s), "{s:?}");
        }
    }

    #[test]
    fn splits_like_helm() {
        let d = split_manifests("\n---\na: 1\n---\n\n---   \nb: 2\n  ---\nc\n");
        assert_eq!(d, vec!["a: 1", "---   \nb: 2\n  ---\nc"]);
        assert_eq!(split_manifests("a\n---b"), vec!["a", "b"]);
    }

    /// The head read off the nodes is the head `encoding/json` gets, and documents the
    /// shortcut does not take still parse (or fail) as before.
    #[test]
    fn fast_head_matches_the_json_conversion() {
        let opts = crate::yaml::ParseOptions {
            first_document_only: true,
            ..crate::yaml::ParseOptions::helm_values()
        };
        let docs = [
            "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
            "apiVersion: 1.10\nkind: 5\nmetadata:\n  name: yes\n  annotations:\n    helm.sh/hook: pre-install\n    helm.sh/hook-weight: -5\n    x: 1e3\n    y: null\n    z: 0x1F\n",
            "kind: A\nmetadata: null\n",
            "kind: A\nmetadata:\n  annotations: ~\n",
            "kind: A\nmetadata:\n  annotations: {}\n",
            "kind: A\nKind: B\n",
            "kind: A\nkind: B\n",
            "kind: A\nmetadata:\n  Name: x\n",
            "kind: A\nmetadata:\n  annotations:\n    a: [1]\n",
            "kind: A\nmetadata:\n  annotations:\n    a: b\n    a: c\n",
            "kind: A\nspec:\n  x: .inf\n",
            "kind: .nan\n",
            "kind: !!binary aGk=\n",
            "kind: 2001-12-14\n",
            "kind: A\n1: x\ntrue: y\n1.5: z\n",
            "kind: A\n18446744073709551615: x\n",
            "kind: [a]\n",
            "metadata: x\n",
            "a: &x 1\nkind: *x\n",
            "- a\n",
            "just text\n",
        ];
        for doc in docs {
            let nodes = crate::yaml::parse_stream(doc, &opts).expect(doc);
            let slow =
                node_to_json_for(nodes.first(), &SIMPLE_HEAD).and_then(|v| head_of_value(&v));
            let slow = slow.map(|h| (h.api_version, h.kind, h.name, h.annotations));
            if let Some(fast) = nodes.first().and_then(fast_head) {
                let fast = (fast.api_version, fast.kind, fast.name, fast.annotations);
                assert_eq!(Ok(&fast), slow.as_ref(), "{doc}");
            }
            let whole = parse_head(doc).map(|h| (h.api_version, h.kind, h.name, h.annotations));
            assert_eq!(whole, slow, "{doc}");
        }
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
