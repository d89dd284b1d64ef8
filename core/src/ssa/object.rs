//! Object identity as Flux keys objects: cli-utils' `ObjMetadata` (group, kind, namespace,
//! name), printed as inventory ids (`<namespace>_<name>_<group>_<kind>`) and as change-set
//! subjects (`Kind/namespace/name`).

use std::fmt;

use crate::yaml::Value;

/// The RBAC kinds whose names may hold `:` (written `__` in ids).
const RBAC_KINDS: [&str; 4] = ["Role", "ClusterRole", "RoleBinding", "ClusterRoleBinding"];
const RBAC_GROUP: &str = "rbac.authorization.k8s.io";

/// An object's identity, cli-utils' `ObjMetadata` (Flux's `ObjSetKey`): no version, so the
/// same object served under two versions is one key.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ObjMetadata {
    /// `metadata.namespace` as given (empty for cluster-scoped objects).
    pub namespace: String,
    /// `metadata.name`.
    pub name: String,
    /// The API group (empty for the core group).
    pub group: String,
    /// The kind.
    pub kind: String,
}

/// Why an inventory id does not parse (cli-utils' `ParseObjMetadata`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unable to parse stored object metadata: {id}")]
pub struct IdError {
    /// The id as stored.
    pub id: String,
}

impl ObjMetadata {
    /// The identity of an object (`object.UnstructuredToObjMetadata`).
    pub fn of(obj: &Value) -> Self {
        let (group, _) = group_version(str_at(obj, &["apiVersion"]));
        ObjMetadata {
            namespace: str_at(obj, &["metadata", "namespace"]).to_string(),
            name: str_at(obj, &["metadata", "name"]).to_string(),
            group: group.to_string(),
            kind: str_at(obj, &["kind"]).to_string(),
        }
    }

    fn is_rbac(&self) -> bool {
        self.group == RBAC_GROUP && RBAC_KINDS.contains(&self.kind.as_str())
    }

    /// The inventory id, `ObjMetadata.String()`: `<namespace>_<name>_<group>_<kind>`, with
    /// `:` written `__` in the names of the RBAC kinds.
    pub fn id(&self) -> String {
        let name = if self.is_rbac() {
            self.name.replace(':', "__")
        } else {
            self.name.clone()
        };
        format!("{}_{}_{}_{}", self.namespace, name, self.group, self.kind)
    }

    /// Parses an inventory id as `ParseObjMetadata` does: the namespace up to the first
    /// `_`, the kind after the last, the group before that, the name in between (which may
    /// not hold `_`, except `__` standing for `:` in RBAC names).
    ///
    /// # Errors
    /// [`IdError`] when a field is missing or the name holds a `_`.
    pub fn parse_id(id: &str) -> Result<Self, IdError> {
        let err = || IdError { id: id.to_string() };
        let (namespace, rest) = id.split_once('_').ok_or_else(err)?;
        let (rest, kind) = rest.rsplit_once('_').ok_or_else(err)?;
        let (name, group) = rest.rsplit_once('_').ok_or_else(err)?;
        let mut meta = ObjMetadata {
            namespace: namespace.to_string(),
            name: name.to_string(),
            group: group.to_string(),
            kind: kind.to_string(),
        };
        if meta.name.contains("__") && meta.is_rbac() {
            meta.name = meta.name.replace("__", ":");
        }
        if meta.name.contains('_') || meta.name.is_empty() || meta.kind.is_empty() {
            return Err(err());
        }
        Ok(meta)
    }

    /// The change-set subject, `utils.FmtObjMetadata`: `Kind/namespace/name`, or `Kind/name`
    /// without a namespace.
    pub fn subject(&self) -> String {
        if self.namespace.is_empty() {
            format!("{}/{}", self.kind, self.name)
        } else {
            format!("{}/{}/{}", self.kind, self.namespace, self.name)
        }
    }
}

impl fmt::Display for ObjMetadata {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.subject())
    }
}

/// `schema.ParseGroupVersion`: `("", "v1")` for `v1`, `("apps", "v1")` for `apps/v1`.
pub fn group_version(api_version: &str) -> (&str, &str) {
    match api_version.split_once('/') {
        Some((g, v)) => (g, v),
        None => ("", api_version),
    }
}

/// The string at `path`, or `""`.
pub(crate) fn str_at<'a>(obj: &'a Value, path: &[&str]) -> &'a str {
    obj.get_path(path).and_then(Value::as_str).unwrap_or("")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::read_manifests;

    #[test]
    fn ids_as_flux_writes_them() {
        let objs = read_manifests(
            "apiVersion: v1\nkind: Namespace\nmetadata: {name: apps}\n---\n\
             apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: web, namespace: apps}\n---\n\
             apiVersion: rbac.authorization.k8s.io/v1\nkind: ClusterRole\nmetadata: {name: 'system:x'}\n",
        )
        .expect("manifests");
        let ids: Vec<String> = objs.iter().map(|o| ObjMetadata::of(o).id()).collect();
        assert_eq!(
            ids,
            [
                "_apps__Namespace",
                "apps_web_apps_Deployment",
                "_system__x_rbac.authorization.k8s.io_ClusterRole"
            ]
        );
        for (o, id) in objs.iter().zip(&ids) {
            assert_eq!(
                ObjMetadata::parse_id(id).expect("parses"),
                ObjMetadata::of(o)
            );
        }
        assert_eq!(ObjMetadata::of(&objs[1]).subject(), "Deployment/apps/web");
        assert_eq!(ObjMetadata::of(&objs[0]).subject(), "Namespace/apps");
    }

    #[test]
    fn bad_ids_are_refused() {
        for id in ["", "a", "a_b", "a_b_c", "ns_a_b_c_Kind", "ns___Kind"] {
            assert!(ObjMetadata::parse_id(id).is_err(), "{id}");
        }
    }
}
