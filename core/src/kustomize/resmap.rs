//! An ordered list of resources with kustomize's id rules.

use foldhash::HashMap;

use super::resource::{Behavior, Id, Resource};
use crate::yaml::Value;

/// Resources in order. Lookups go through a hash index keyed by kustomize's id equality.
#[derive(Debug, Clone, Default)]
pub(crate) struct ResMap {
    pub items: Vec<Resource>,
}

pub(crate) type Key = (crate::model::Gvk, String, String);

impl ResMap {
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// An index from current id to positions.
    pub(crate) fn cur_index(&self) -> HashMap<Key, Vec<usize>> {
        let mut idx: HashMap<Key, Vec<usize>> =
            HashMap::with_capacity_and_hasher(self.items.len(), Default::default());
        for (i, r) in self.items.iter().enumerate() {
            idx.entry(r.cur_id().into_key()).or_default().push(i);
        }
        idx
    }

    /// Appends one resource; an id already present is an error.
    pub(crate) fn append(&mut self, r: Resource) -> Result<(), String> {
        let id = r.cur_id();
        if self.items.iter().any(|x| x.cur_id_equals(&id)) {
            return Err(format!(
                "may not add resource with an already registered id: {id}"
            ));
        }
        self.items.push(r);
        Ok(())
    }

    /// Appends all; any id already present is an error.
    pub(crate) fn append_all(&mut self, other: Vec<Resource>) -> Result<(), String> {
        let mut idx = self.cur_index();
        self.append_all_indexed(other, &mut idx)
    }

    /// [`ResMap::append_all`] with an index of the current ids that the caller keeps (and
    /// that this call keeps up to date), so that many appends stay linear.
    pub(crate) fn append_all_indexed(
        &mut self,
        other: Vec<Resource>,
        idx: &mut HashMap<Key, Vec<usize>>,
    ) -> Result<(), String> {
        for r in other {
            let key = r.cur_id().into_key();
            if idx.contains_key(&key) {
                return Err(format!(
                    "may not add resource with an already registered id: {}",
                    r.cur_id()
                ));
            }
            idx.entry(key).or_default().push(self.items.len());
            self.items.push(r);
        }
        Ok(())
    }

    /// Positions of resources any of whose ids (previous or current) equals `id`.
    pub(crate) fn matching_any_id(&self, id: &Id) -> Vec<usize> {
        self.items
            .iter()
            .enumerate()
            .filter(|(_, r)| r.any_id_equals(id))
            .map(|(i, _)| i)
            .collect()
    }

    /// Adds generated resources, honouring their `behavior` (kustomize's `AbsorbAll`).
    pub(crate) fn absorb_all(&mut self, other: Vec<Resource>) -> Result<(), String> {
        for r in other {
            self.append_replace_or_merge(r)?;
        }
        Ok(())
    }

    fn append_replace_or_merge(&mut self, mut r: Resource) -> Result<(), String> {
        let id = r.cur_id();
        let matches = self.matching_any_id(&id);
        match matches.as_slice() {
            [] => match r.behavior {
                Behavior::Merge | Behavior::Replace => Err(format!(
                    "id {} does not exist; cannot merge or replace",
                    id_go_repr(&id)
                )),
                _ => self.append(r),
            },
            [i] => {
                let i = *i;
                let old = &self.items[i];
                match r.behavior {
                    Behavior::Replace => copy_merge_metadata(&mut r, old),
                    Behavior::Merge => {
                        copy_merge_metadata(&mut r, old);
                        merge_data_field(&mut r.obj, &old.obj, "data");
                        merge_data_field(&mut r.obj, &old.obj, "binaryData");
                        if old.origin.is_some() {
                            r.origin = old.origin.clone();
                        }
                    }
                    _ => {
                        return Err(format!(
                            "id {} exists; behavior must be merge or replace",
                            id_go_repr(&id)
                        ));
                    }
                }
                self.items[i] = r;
                Ok(())
            }
            many => Err(format!(
                "found multiple objects {} that could accept merge of {id}",
                many.iter()
                    .map(|i| self.items[*i].cur_id().to_string())
                    .collect::<Vec<_>>()
                    .join(" ")
            )),
        }
    }
}

/// Go's `%#v` of a `resid.ResId` (with the unexported `isClusterScoped` of its Gvk).
fn id_go_repr(id: &Id) -> String {
    let q = crate::go::strconv::quote;
    format!(
        "resid.ResId{{Gvk:resid.Gvk{{Group:{}, Version:{}, Kind:{}, isClusterScoped:{}}}, Name:{}, Namespace:{}}}",
        q(&id.gvk.group),
        q(&id.gvk.version),
        q(&id.gvk.kind),
        super::resource::is_cluster_scoped(&id.gvk),
        q(&id.name),
        q(&id.namespace)
    )
}

/// kustomize's `CopyMergeMetaDataFieldsFrom`: labels and annotations merged (the new
/// resource's win), name and namespace taken from the old one, bookkeeping carried over.
fn copy_merge_metadata(r: &mut Resource, old: &Resource) {
    let mut labels = old.labels();
    merge_pairs(&mut labels, r.labels());
    let mut annos = old.annotations();
    merge_pairs(&mut annos, r.annotations());
    r.set_string_map("labels", &labels);
    r.set_string_map("annotations", &annos);
    let name = old.name().to_owned();
    let ns = old.namespace().to_owned();
    r.set_name(&name);
    if ns.is_empty() {
        if let Some(Value::Map(m)) = r.obj.as_map_mut().and_then(|m| m.get_mut("metadata")) {
            m.shift_remove("namespace");
        }
    } else {
        r.set_namespace(&ns);
    }
    r.prev_ids = old.prev_ids.clone();
    r.prefixes = old.prefixes.clone();
    r.suffixes = old.suffixes.clone();
    r.ref_by = old.ref_by.clone();
    r.ref_var_names = old.ref_var_names.clone();
    r.transformations = old.transformations.clone();
    // kustomize's build annotations (hash request, behaviour, change permissions) come from
    // the object being merged into.
    r.needs_hash = old.needs_hash && r.needs_hash;
    r.generated = old.generated;
    r.behavior = old.behavior;
    r.allow_name_change = old.allow_name_change;
    r.allow_kind_change = old.allow_kind_change;
}

/// Overrides or appends `add` into `base`, keeping `base`'s order.
pub(crate) fn merge_pairs(base: &mut Vec<(String, String)>, add: Vec<(String, String)>) {
    for (k, v) in add {
        match base.iter_mut().find(|(bk, _)| *bk == k) {
            Some(slot) => slot.1 = v,
            None => base.push((k, v)),
        }
    }
}

/// `new.field = merge(old.field, new.field)` with the new entries winning.
fn merge_data_field(new: &mut Value, old: &Value, field: &str) {
    let Some(Value::Map(old_m)) = old.get(field) else {
        return;
    };
    let mut merged = old_m.clone();
    if let Some(Value::Map(new_m)) = new.get(field) {
        for (k, v) in new_m {
            merged.insert(k.clone(), v.clone());
        }
    }
    if let Some(m) = new.as_map_mut() {
        m.insert(field.to_owned(), Value::Map(merged));
    }
}
