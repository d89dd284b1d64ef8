//! Flux's inventory (kustomize-controller `status.inventory`): one entry per applied object,
//! `{"id": "<namespace>_<name>_<group>_<kind>", "v": "<version>"}`, in change-set order.
//! Prune works on the difference between the last successful inventory and the new one.

use std::collections::{HashMap, HashSet};

use serde::{Deserialize, Serialize};

use crate::ssa::object::IdError;
use crate::ssa::{Action, ChangeSet, ObjMetadata, order};
use crate::yaml::{Map, Value};

/// One inventory entry (`ResourceRef`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InventoryEntry {
    /// `<namespace>_<name>_<group>_<kind>`.
    pub id: String,
    /// The API version (`v1`, `v1beta1`; no group).
    #[serde(rename = "v")]
    pub version: String,
}

/// An inventory (`ResourceInventory`), serialised as Flux stores it:
/// `{"entries": [{"id": ..., "v": ...}]}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Inventory {
    /// The entries, in the order of the change set they came from.
    #[serde(default)]
    pub entries: Vec<InventoryEntry>,
}

/// A stale object: in the previous inventory, not in the new one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaleObject {
    /// Its identity.
    pub object: ObjMetadata,
    /// The version recorded for it.
    pub version: String,
}

/// Why an inventory file does not read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("invalid inventory: {0}")]
pub struct InventoryError(String);

impl Inventory {
    /// Reads an inventory as Flux stores it (`{"entries": [{"id": ..., "v": ...}]}`).
    ///
    /// # Errors
    /// [`InventoryError`] when the text is not such a JSON document.
    pub fn from_json(text: &str) -> Result<Self, InventoryError> {
        serde_json::from_str(text).map_err(|e| InventoryError(e.to_string()))
    }

    /// The inventory as indented JSON (two spaces), with a final newline.
    pub fn to_json(&self) -> String {
        let mut s = serde_json::to_string_pretty(self).unwrap_or_else(|_| "{}".into());
        s.push('\n');
        s
    }

    /// `{"entries": [{"id": ..., "v": ...}, ...]}` as a [`Value`].
    pub fn to_value(&self) -> Value {
        let entries = self
            .entries
            .iter()
            .map(|e| {
                let mut m = Map::default();
                m.insert("id".into(), Value::from(e.id.as_str()));
                m.insert("v".into(), Value::from(e.version.as_str()));
                Value::Map(m)
            })
            .collect();
        let mut m = Map::default();
        m.insert("entries".into(), Value::Seq(entries));
        Value::Map(m)
    }

    /// Reads an inventory from a [`Value`] shaped as [`Inventory::to_value`] makes it.
    ///
    /// # Errors
    /// [`InventoryError`] when `entries` is not a list of `{id, v}` maps of strings.
    pub fn from_value(v: &Value) -> Result<Self, InventoryError> {
        let bad = |what: &str| InventoryError(what.to_string());
        let Some(map) = v.as_map() else {
            return Err(bad("not a map"));
        };
        let entries = match map.get("entries") {
            None | Some(Value::Null) => return Ok(Inventory::default()),
            Some(Value::Seq(items)) => items,
            Some(_) => return Err(bad("entries is not a list")),
        };
        let mut out = Vec::with_capacity(entries.len());
        for (i, e) in entries.iter().enumerate() {
            let field = |k: &str| {
                e.get(k)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or_else(|| bad(&format!("entries[{i}].{k} is not a string")))
            };
            out.push(InventoryEntry {
                id: field("id")?,
                version: field("v")?,
            });
        }
        Ok(Inventory { entries: out })
    }

    /// The inventory of a change set: one entry per entry, skipped ones included.
    pub fn from_change_set(cs: &ChangeSet) -> Self {
        Inventory {
            entries: cs
                .entries
                .iter()
                .map(|e| InventoryEntry {
                    id: e.object.id(),
                    version: e.version.clone(),
                })
                .collect(),
        }
    }

    /// The stale objects (`inventory.Diff(old, new)`): every object of `self` whose id is not
    /// in `new`, in Flux's apply order (prune deletes them in reverse; see [`prune_order`]).
    ///
    /// # Errors
    /// An id of either inventory that does not parse.
    pub fn stale(&self, new: &Inventory) -> Result<Vec<StaleObject>, IdError> {
        let mut keep = HashSet::with_capacity(new.entries.len());
        for e in &new.entries {
            keep.insert(ObjMetadata::parse_id(&e.id)?);
        }
        let mut seen = HashSet::new();
        let mut out = Vec::new();
        for e in &self.entries {
            let m = ObjMetadata::parse_id(&e.id)?;
            if keep.contains(&m) || !seen.insert(m.clone()) {
                continue;
            }
            out.push(StaleObject {
                object: m,
                version: e.version.clone(),
            });
        }
        out.sort_by_cached_key(|s| order::sort_key(&s.object));
        Ok(out)
    }

    /// `inventory.Merge`: adds objects not yet listed (prune survivors stay tracked).
    pub fn merge(&mut self, objects: &[StaleObject]) {
        let mut seen: HashSet<String> = self.entries.iter().map(|e| e.id.clone()).collect();
        for o in objects {
            let id = o.object.id();
            if seen.insert(id.clone()) {
                self.entries.push(InventoryEntry {
                    id,
                    version: o.version.clone(),
                });
            }
        }
    }
}

/// The order prune deletes stale objects in: the reverse of Flux's apply order (objects
/// before their Namespace, custom resources before their CRD).
pub fn prune_order(mut stale: Vec<StaleObject>) -> Vec<StaleObject> {
    stale.sort_by_cached_key(|s| order::sort_key(&s.object));
    stale.reverse();
    stale
}

/// `pruneSurvivors`: the stale objects whose prune entry is neither `deleted` nor
/// `skipped` (their DELETE failed), which stay in the inventory.
pub fn prune_survivors(stale: &[StaleObject], prune: &ChangeSet) -> Vec<StaleObject> {
    let settled: HashMap<String, ()> = prune
        .entries
        .iter()
        .filter(|e| matches!(e.action, Action::Deleted | Action::Skipped))
        .map(|e| (e.object.id(), ()))
        .collect();
    stale
        .iter()
        .filter(|s| !settled.contains_key(&s.object.id()))
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inv(ids: &[&str]) -> Inventory {
        Inventory {
            entries: ids
                .iter()
                .map(|id| InventoryEntry {
                    id: (*id).into(),
                    version: "v1".into(),
                })
                .collect(),
        }
    }

    #[test]
    fn value_round_trip_and_errors() {
        let i = inv(&["a_b__ConfigMap", "_ns__Namespace"]);
        let v = i.to_value();
        assert_eq!(Inventory::from_value(&v), Ok(i.clone()));
        assert_eq!(
            crate::go::json::to_string(&v).expect("json"),
            i.to_json().split_whitespace().collect::<String>()
        );
        let bad = crate::yaml::parse_yaml_to_json("entries: [{id: x, v: 1}]\n").expect("yaml");
        let e = Inventory::from_value(&bad).expect_err("v is a number");
        assert!(e.to_string().contains("entries[0].v"), "{e}");
        let empty = crate::yaml::parse_yaml_to_json("entries: null\n").expect("yaml");
        assert_eq!(Inventory::from_value(&empty), Ok(Inventory::default()));
    }

    #[test]
    fn json_as_flux_stores_it() {
        let i = inv(&["_apps__Namespace"]);
        assert_eq!(
            serde_json::to_string(&i).expect("json"),
            r#"{"entries":[{"id":"_apps__Namespace","v":"v1"}]}"#
        );
        let back: Inventory = serde_json::from_str(r#"{"entries": []}"#).expect("parse");
        assert!(back.entries.is_empty());
    }

    #[test]
    fn stale_objects_pruned_in_reverse_order() {
        let old = inv(&[
            "_apps__Namespace",
            "apps_a__ConfigMap",
            "apps_web_apps_Deployment",
            "apps_keep__ConfigMap",
            "apps_w_example.com_Widget",
        ]);
        let new = inv(&["apps_keep__ConfigMap"]);
        let stale = old.stale(&new).expect("ids parse");
        let order: Vec<String> = prune_order(stale)
            .iter()
            .map(|s| s.object.subject())
            .collect();
        assert_eq!(
            order,
            [
                "Widget/apps/w",
                "Deployment/apps/web",
                "ConfigMap/apps/a",
                "Namespace/apps"
            ]
        );
        assert!(inv(&["bad"]).stale(&new).is_err());
    }

    #[test]
    fn survivors_stay_tracked() {
        let old = inv(&["apps_a__ConfigMap", "apps_b__ConfigMap"]);
        let stale = old.stale(&Inventory::default()).expect("ids");
        let prune = ChangeSet {
            entries: vec![crate::ssa::ChangeSetEntry::new(
                stale[0].object.clone(),
                "v1",
                Action::Deleted,
            )],
        };
        let surv = prune_survivors(&stale, &prune);
        let mut new = Inventory::default();
        new.merge(&surv);
        assert_eq!(new.entries.len(), 1);
        assert_eq!(new.entries[0].id, "apps_b__ConfigMap");
    }
}
