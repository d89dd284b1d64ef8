//! The resource model: Kubernetes objects, their ids, and an ordered, indexed set of them.
//!
//! ```
//! use gitward::model::{Object, ResourceSet};
//! use gitward::yaml::parse_kustomize_docs;
//!
//! let docs = parse_kustomize_docs("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\n").unwrap();
//! let mut set = ResourceSet::new();
//! for d in docs {
//!     set.insert(Object::new(d).unwrap()).unwrap();
//! }
//! let id = set.ids().next().unwrap().clone();
//! assert_eq!(id.to_string(), "apps_v1_Deployment|~X|web");
//! assert!(set.get(&id).is_some());
//! ```

use std::collections::HashMap;
use std::fmt;

use crate::yaml::{Map, Value};

/// Group, version and kind.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct Gvk {
    /// API group (`""` for the core group).
    pub group: String,
    /// API version.
    pub version: String,
    /// Kind.
    pub kind: String,
}

impl Gvk {
    /// Splits an `apiVersion` (`apps/v1`, `v1`) and pairs it with a kind.
    pub fn from_api_version(api_version: &str, kind: &str) -> Self {
        let (group, version) = match api_version.rsplit_once('/') {
            Some((g, v)) => (g.to_owned(), v.to_owned()),
            None => (String::new(), api_version.to_owned()),
        };
        Gvk {
            group,
            version,
            kind: kind.to_owned(),
        }
    }

    /// The `apiVersion` string.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.clone()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }
}

/// The identity of a resource: group, version, kind, namespace and name.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Default)]
pub struct ResId {
    /// Group, version, kind.
    pub gvk: Gvk,
    /// Namespace (`""` when unset).
    pub namespace: String,
    /// Name.
    pub name: String,
}

impl fmt::Display for ResId {
    /// Prints the id as kustomize does in messages: `group_version_Kind|namespace|name`,
    /// with `~G`, `~V`, `~K`, `~X` standing for an empty group, version, kind or namespace.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let or = |s: &str, d: &'static str| {
            if s.is_empty() {
                d.to_owned()
            } else {
                s.to_owned()
            }
        };
        write!(
            f,
            "{}_{}_{}|{}|{}",
            or(&self.gvk.group, "~G"),
            or(&self.gvk.version, "~V"),
            or(&self.gvk.kind, "~K"),
            or(&self.namespace, "~X"),
            self.name
        )
    }
}

/// Why a value is not a usable object.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ModelError {
    /// The document is not a map.
    #[error("object is not a map")]
    NotAMap,
    /// A field that must be a string is something else.
    #[error("field {field} of object {id} is not a string")]
    NotAString {
        /// The field path.
        field: &'static str,
        /// The id read so far.
        id: String,
    },
    /// Two objects with the same id were added to one set.
    #[error("may not add resource with an already registered id: {id}")]
    DuplicateId {
        /// The id.
        id: ResId,
    },
}

/// A Kubernetes object: a map with `apiVersion`, `kind` and `metadata`.
#[derive(Debug, Clone, PartialEq)]
pub struct Object {
    value: Value,
}

fn str_field<'a>(m: &'a Map, path: &[&str]) -> Option<&'a Value> {
    let (first, rest) = path.split_first()?;
    rest.iter().try_fold(m.get(*first)?, |v, k| v.get(k))
}

impl Object {
    /// Wraps a value that must be a map.
    pub fn new(value: Value) -> Result<Self, ModelError> {
        let obj = Object { value };
        let m = obj.value.as_map().ok_or(ModelError::NotAMap)?;
        for (field, path) in [
            ("apiVersion", &["apiVersion"][..]),
            ("kind", &["kind"][..]),
            ("metadata.name", &["metadata", "name"][..]),
            ("metadata.namespace", &["metadata", "namespace"][..]),
        ] {
            match str_field(m, path) {
                None | Some(Value::String(_)) | Some(Value::Null) => {}
                Some(_) => {
                    return Err(ModelError::NotAString {
                        field,
                        id: obj.id().to_string(),
                    });
                }
            }
        }
        Ok(obj)
    }

    fn str_at(&self, path: &[&str]) -> &str {
        self.value
            .get_path(path)
            .and_then(Value::as_str)
            .unwrap_or("")
    }

    /// `apiVersion`.
    pub fn api_version(&self) -> &str {
        self.str_at(&["apiVersion"])
    }
    /// `kind`.
    pub fn kind(&self) -> &str {
        self.str_at(&["kind"])
    }
    /// `metadata.name`.
    pub fn name(&self) -> &str {
        self.str_at(&["metadata", "name"])
    }
    /// `metadata.namespace` (`""` when unset).
    pub fn namespace(&self) -> &str {
        self.str_at(&["metadata", "namespace"])
    }
    /// Group, version and kind.
    pub fn gvk(&self) -> Gvk {
        Gvk::from_api_version(self.api_version(), self.kind())
    }
    /// The object's id.
    pub fn id(&self) -> ResId {
        ResId {
            gvk: self.gvk(),
            namespace: self.namespace().to_owned(),
            name: self.name().to_owned(),
        }
    }
    /// The whole object.
    pub fn value(&self) -> &Value {
        &self.value
    }
    /// The whole object, mutable. Callers that change the id must re-index the set
    /// holding the object ([`ResourceSet::reindex`]).
    pub fn value_mut(&mut self) -> &mut Value {
        &mut self.value
    }
    /// Unwraps the value.
    pub fn into_value(self) -> Value {
        self.value
    }
}

/// Objects in order, indexed by id: insertion and lookup are O(1).
#[derive(Debug, Clone, Default)]
pub struct ResourceSet {
    items: Vec<Object>,
    index: HashMap<ResId, usize>,
}

impl ResourceSet {
    /// An empty set.
    pub fn new() -> Self {
        Self::default()
    }
    /// Number of objects.
    pub fn len(&self) -> usize {
        self.items.len()
    }
    /// Whether the set is empty.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }
    /// Appends an object; an id already present is an error.
    pub fn insert(&mut self, obj: Object) -> Result<(), ModelError> {
        let id = obj.id();
        if self.index.contains_key(&id) {
            return Err(ModelError::DuplicateId { id });
        }
        self.index.insert(id, self.items.len());
        self.items.push(obj);
        Ok(())
    }
    /// The object with this id.
    pub fn get(&self, id: &ResId) -> Option<&Object> {
        self.index.get(id).map(|&i| &self.items[i])
    }
    /// The object with this id, mutable. Changing its id requires [`ResourceSet::reindex`].
    pub fn get_mut(&mut self, id: &ResId) -> Option<&mut Object> {
        match self.index.get(id) {
            Some(&i) => self.items.get_mut(i),
            None => None,
        }
    }
    /// Objects in order.
    pub fn iter(&self) -> impl Iterator<Item = &Object> {
        self.items.iter()
    }
    /// Objects in order, mutable. Changing ids requires [`ResourceSet::reindex`].
    pub fn iter_mut(&mut self) -> impl Iterator<Item = &mut Object> {
        self.items.iter_mut()
    }
    /// Ids in order.
    pub fn ids(&self) -> impl Iterator<Item = ResId> + '_ {
        self.items.iter().map(Object::id)
    }
    /// Removes the object with this id, keeping the order of the rest (O(n)).
    pub fn remove(&mut self, id: &ResId) -> Option<Object> {
        let i = self.index.remove(id)?;
        let obj = self.items.remove(i);
        for v in self.index.values_mut() {
            if *v > i {
                *v -= 1;
            }
        }
        Some(obj)
    }
    /// Rebuilds the index after ids changed; two objects ending with one id is an error.
    pub fn reindex(&mut self) -> Result<(), ModelError> {
        self.index.clear();
        for (i, o) in self.items.iter().enumerate() {
            let id = o.id();
            if self.index.insert(id.clone(), i).is_some() {
                return Err(ModelError::DuplicateId { id });
            }
        }
        Ok(())
    }
    /// The objects, in order.
    pub fn into_objects(self) -> Vec<Object> {
        self.items
    }
}

impl IntoIterator for ResourceSet {
    type Item = Object;
    type IntoIter = std::vec::IntoIter<Object>;
    fn into_iter(self) -> Self::IntoIter {
        self.items.into_iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn obj(api: &str, kind: &str, ns: Option<&str>, name: &str) -> Object {
        let mut meta = Map::default();
        meta.insert("name".into(), name.into());
        if let Some(ns) = ns {
            meta.insert("namespace".into(), ns.into());
        }
        let mut m = Map::default();
        m.insert("apiVersion".into(), api.into());
        m.insert("kind".into(), kind.into());
        m.insert("metadata".into(), Value::Map(meta));
        Object::new(Value::Map(m)).expect("a map")
    }

    #[test]
    fn id_splits_group_and_version() {
        let o = obj("apps/v1", "Deployment", Some("prod"), "web");
        let id = o.id();
        assert_eq!(id.gvk.group, "apps");
        assert_eq!(id.gvk.version, "v1");
        assert_eq!(id.to_string(), "apps_v1_Deployment|prod|web");
        assert_eq!(
            obj("v1", "ConfigMap", None, "c").id().to_string(),
            "~G_v1_ConfigMap|~X|c"
        );
        assert_eq!(id.gvk.api_version(), "apps/v1");
    }

    #[test]
    fn duplicate_ids_are_refused() {
        let mut s = ResourceSet::new();
        s.insert(obj("v1", "ConfigMap", None, "a")).expect("first");
        let err = s
            .insert(obj("v1", "ConfigMap", None, "a"))
            .expect_err("duplicate");
        assert!(matches!(err, ModelError::DuplicateId { .. }));
        s.insert(obj("v1", "ConfigMap", Some("x"), "a"))
            .expect("other namespace");
        assert_eq!(s.len(), 2);
    }

    #[test]
    fn remove_keeps_order_and_index() {
        let mut s = ResourceSet::new();
        for n in ["a", "b", "c", "d"] {
            s.insert(obj("v1", "ConfigMap", None, n)).expect("insert");
        }
        let b = obj("v1", "ConfigMap", None, "b").id();
        assert!(s.remove(&b).is_some());
        let names: Vec<_> = s.iter().map(|o| o.name().to_owned()).collect();
        assert_eq!(names, ["a", "c", "d"]);
        let d = obj("v1", "ConfigMap", None, "d").id();
        assert_eq!(s.get(&d).map(Object::name), Some("d"));
    }

    #[test]
    fn reindex_follows_renames() {
        let mut s = ResourceSet::new();
        s.insert(obj("v1", "ConfigMap", None, "a")).expect("insert");
        for o in s.iter_mut() {
            if let Some(Value::Map(m)) = o
                .value_mut()
                .as_map_mut()
                .and_then(|m| m.get_mut("metadata"))
            {
                m.insert("name".into(), "p-a".into());
            }
        }
        s.reindex().expect("no collision");
        assert!(s.get(&obj("v1", "ConfigMap", None, "p-a").id()).is_some());
    }

    #[test]
    fn non_string_name_is_an_error() {
        let mut m = Map::default();
        m.insert("kind".into(), "ConfigMap".into());
        let mut meta = Map::default();
        meta.insert("name".into(), Value::from(5i64));
        m.insert("metadata".into(), Value::Map(meta));
        assert!(matches!(
            Object::new(Value::Map(m)),
            Err(ModelError::NotAString {
                field: "metadata.name",
                ..
            })
        ));
        assert_eq!(Object::new(Value::Null), Err(ModelError::NotAMap));
    }
}
