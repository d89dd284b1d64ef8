//! Ignore rules: JSON pointers (RFC 6901) removed from both sides of a diff, for the objects
//! a target selector picks — Flux's `spec.driftDetection.ignore` of a HelmRelease, which
//! helm-controller hands to `fluxcd/pkg/ssa/jsondiff` as `IgnoreRule{Paths, Selector}`.
//!
//! * A rule without `target` applies to every object; with one, every field given must
//!   match: `group`, `version`, `kind`, `name` and `namespace` are regular expressions
//!   anchored at both ends, `labelSelector` and `annotationSelector` are Kubernetes label
//!   selectors (`SelectorRegex.MatchUnstructured`, on the desired object).
//! * The paths of all matching rules are removed from the live and the merged object
//!   before they are compared; a path that does not exist is no error
//!   (`AllowMissingPathOnRemove`), a negative list index counts from the end
//!   (`SupportNegativeIndices`).
//! * The empty pointer `""` ignores the whole object (`IgnorePathRoot`): it is reported
//!   `skipped`.

use crate::kustomize::patch::SelectorRegex;
use crate::kustomize::types::Selector;
use crate::yaml::Value;

/// Why an ignore rule does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IgnoreRuleError {
    /// The rules are not a list of `{paths, target}` objects.
    #[error("ignore rules: {0}")]
    Shape(String),
    /// A path of rule `rule` (0-based) is not a JSON pointer.
    #[error(
        "ignore rule {rule}: path {path:?} is not a JSON pointer (it must be empty or start with '/')"
    )]
    Path {
        /// The rule's index.
        rule: usize,
        /// The path as written.
        path: String,
    },
    /// The target of rule `rule` does not compile (a bad regular expression or selector).
    #[error("ignore rule {rule}: failed to create ignore rule selector: {message}")]
    Target {
        /// The rule's index.
        rule: usize,
        /// What is wrong.
        message: String,
    },
}

/// One rule: the pointers to ignore and the objects they apply to.
#[derive(Debug, Clone)]
pub struct IgnoreRule {
    /// JSON pointers, parsed into their reference tokens (`""` is the whole object: no
    /// tokens).
    paths: Vec<(String, Vec<String>)>,
    /// The target; `None` selects every object.
    target: Option<std::sync::Arc<SelectorRegex>>,
}

impl IgnoreRule {
    /// The pointers as written.
    pub fn paths(&self) -> impl Iterator<Item = &str> {
        self.paths.iter().map(|(p, _)| p.as_str())
    }

    /// Whether the rule applies to `obj` (its target selects it, or it has none).
    pub fn selects(&self, obj: &Value) -> bool {
        self.target.as_ref().is_none_or(|t| t.selects_object(obj))
    }
}

/// A list of rules, compiled.
#[derive(Debug, Clone, Default)]
pub struct IgnoreRules {
    rules: Vec<IgnoreRule>,
}

/// Splits a JSON pointer into unescaped reference tokens (`~1` is `/`, `~0` is `~`).
fn tokens(path: &str) -> Option<Vec<String>> {
    if path.is_empty() {
        return Some(Vec::new());
    }
    let rest = path.strip_prefix('/')?;
    Some(
        rest.split('/')
            .map(|t| t.replace("~1", "/").replace("~0", "~"))
            .collect(),
    )
}

/// Escapes one reference token for a JSON pointer.
pub fn escape_token(t: &str) -> String {
    t.replace('~', "~0").replace('/', "~1")
}

impl IgnoreRules {
    /// No rules.
    pub fn none() -> Self {
        IgnoreRules::default()
    }

    /// Compiles rules given as `[{paths: [...], target: {group, version, kind, name,
    /// namespace, labelSelector, annotationSelector}}]` (a HelmRelease's
    /// `spec.driftDetection.ignore`); `null` is no rules.
    ///
    /// # Errors
    /// [`IgnoreRuleError`] naming the rule and what does not read.
    pub fn from_value(v: &Value) -> Result<Self, IgnoreRuleError> {
        let items = match v {
            Value::Null => return Ok(IgnoreRules::default()),
            Value::Seq(items) => items,
            _ => return Err(IgnoreRuleError::Shape("expected a list of rules".into())),
        };
        let mut rules = Vec::with_capacity(items.len());
        for (i, item) in items.iter().enumerate() {
            let Some(m) = item.as_map() else {
                return Err(IgnoreRuleError::Shape(format!("rule {i} is not an object")));
            };
            if let Some(k) = m.keys().find(|k| *k != "paths" && *k != "target") {
                return Err(IgnoreRuleError::Shape(format!(
                    "rule {i}: unknown field {k:?}"
                )));
            }
            let mut paths = Vec::new();
            match m.get("paths") {
                None | Some(Value::Null) => {}
                Some(Value::Seq(ps)) => {
                    for p in ps {
                        let Some(s) = p.as_str() else {
                            return Err(IgnoreRuleError::Shape(format!(
                                "rule {i}: paths must be strings"
                            )));
                        };
                        let toks = tokens(s).ok_or_else(|| IgnoreRuleError::Path {
                            rule: i,
                            path: s.to_string(),
                        })?;
                        paths.push((s.to_string(), toks));
                    }
                }
                Some(_) => {
                    return Err(IgnoreRuleError::Shape(format!(
                        "rule {i}: paths must be a list"
                    )));
                }
            }
            let target = match m.get("target") {
                None | Some(Value::Null) => None,
                Some(t) => {
                    let err = |message: String| IgnoreRuleError::Target { rule: i, message };
                    let sel = Selector::decode(t).map_err(err)?;
                    Some(std::sync::Arc::new(SelectorRegex::new(&sel).map_err(err)?))
                }
            };
            rules.push(IgnoreRule { paths, target });
        }
        Ok(IgnoreRules { rules })
    }

    /// Reads rules from YAML or JSON text (see [`IgnoreRules::from_value`]).
    ///
    /// # Errors
    /// [`IgnoreRuleError`] when the text does not parse or a rule does not read.
    pub fn parse(text: &str) -> Result<Self, IgnoreRuleError> {
        let docs = crate::yaml::parse_kustomize_docs(text)
            .map_err(|e| IgnoreRuleError::Shape(e.to_string()))?;
        match docs.as_slice() {
            [] => Ok(IgnoreRules::default()),
            [one] => Self::from_value(one),
            _ => Err(IgnoreRuleError::Shape(
                "expected one YAML document holding a list of rules".into(),
            )),
        }
    }

    /// The rules.
    pub fn rules(&self) -> &[IgnoreRule] {
        &self.rules
    }

    /// Whether there are no rules.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }

    /// The parsed pointers of every rule that selects `obj`, in rule order.
    pub(crate) fn pointers_for(&self, obj: &Value) -> Vec<&[String]> {
        self.rules
            .iter()
            .filter(|r| !r.paths.is_empty() && r.selects(obj))
            .flat_map(|r| r.paths.iter().map(|(_, t)| t.as_slice()))
            .collect()
    }
}

/// Removes the value at the pointer `tokens` from `v`; a missing path is left alone. An
/// empty pointer (the whole document) removes nothing here: callers skip the object.
pub(crate) fn remove_at(v: &mut Value, tokens: &[String]) {
    let Some((last, parents)) = tokens.split_last() else {
        return;
    };
    let mut cur = v;
    for t in parents {
        let next = match cur {
            Value::Map(m) => m.get_mut(t.as_str()),
            Value::Seq(items) => index(t, items.len()).and_then(|i| items.get_mut(i)),
            _ => None,
        };
        match next {
            Some(n) => cur = n,
            None => return,
        }
    }
    match cur {
        Value::Map(m) => {
            m.shift_remove(last.as_str());
        }
        Value::Seq(items) => {
            if let Some(i) = index(last, items.len()) {
                items.remove(i);
            }
        }
        _ => {}
    }
}

/// A list index token: digits (no leading zero), or `-N` counting from the end.
fn index(t: &str, len: usize) -> Option<usize> {
    let (neg, digits) = match t.strip_prefix('-') {
        Some(d) => (true, d),
        None => (false, t),
    };
    if digits.is_empty()
        || !digits.bytes().all(|b| b.is_ascii_digit())
        || (digits.len() > 1 && digits.starts_with('0'))
    {
        return None;
    }
    let n: usize = digits.parse().ok()?;
    let i = if neg { len.checked_sub(n)? } else { n };
    (i < len).then_some(i)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    fn one(y: &str) -> Value {
        read_manifests(y).expect("manifest").remove(0)
    }

    #[test]
    fn pointers_unescape_and_remove() {
        let mut v = one(
            "kind: A\nmetadata: {name: a, annotations: {a/b: x, c~d: y}}\nspec: {list: [1, 2, 3]}\n",
        );
        let rules = IgnoreRules::parse(
            "- paths: [/metadata/annotations/a~1b, /metadata/annotations/c~0d, /spec/list/-1, /spec/missing/x, /spec/list/7]\n",
        )
        .expect("rules");
        for p in rules
            .pointers_for(&v)
            .into_iter()
            .map(<[String]>::to_vec)
            .collect::<Vec<_>>()
        {
            remove_at(&mut v, &p);
        }
        assert_eq!(
            v,
            one("kind: A\nmetadata: {name: a, annotations: {}}\nspec: {list: [1, 2]}\n")
        );
    }

    #[test]
    fn targets_select_as_flux_selects() {
        let rules = IgnoreRules::parse(
            "- paths: [/spec/replicas]\n  target: {kind: Deploy.*, namespace: apps, labelSelector: 'tier in (web)', annotationSelector: '!skip'}\n\
             - paths: [/data]\n  target: {group: '', version: v1, kind: ConfigMap, name: 'a|b'}\n",
        )
        .expect("rules");
        let dep = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps, labels: {tier: web}}\n",
        );
        assert_eq!(rules.pointers_for(&dep).len(), 1);
        let other_ns = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps2, labels: {tier: web}}\n",
        );
        assert!(rules.pointers_for(&other_ns).is_empty(), "anchored regex");
        let skipped = one(
            "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps, labels: {tier: web}, annotations: {skip: 'y'}}\n",
        );
        assert!(rules.pointers_for(&skipped).is_empty());
        let cm = one("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n");
        assert_eq!(rules.pointers_for(&cm), [["data".to_string()].as_slice()]);
        let cm_c = one("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\n");
        assert!(rules.pointers_for(&cm_c).is_empty());
        let all = IgnoreRules::parse("- paths: ['']\n").expect("rules");
        assert!(all.pointers_for(&cm).iter().all(|p| p.is_empty()));
    }

    #[test]
    fn bad_rules_name_the_rule() {
        let e = IgnoreRules::parse("- paths: [spec/x]\n").expect_err("no slash");
        assert_eq!(
            e.to_string(),
            "ignore rule 0: path \"spec/x\" is not a JSON pointer (it must be empty or start with '/')"
        );
        let e = IgnoreRules::parse("- paths: [/a]\n- paths: [/b]\n  target: {kind: '('}\n")
            .expect_err("bad regex");
        assert!(
            e.to_string()
                .starts_with("ignore rule 1: failed to create ignore rule selector"),
            "{e}"
        );
        assert!(IgnoreRules::parse("{paths: [/a]}\n").is_err());
    }
}
