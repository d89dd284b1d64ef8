//! kustomize's output orders: `legacy` (by kind, then id) and `fifo` (as accumulated).

use std::cmp::Ordering;

use foldhash::HashMap;

use super::resource::{Id, Resource};
use crate::model::Gvk;

pub(crate) const ORDER_FIRST: &[&str] = &[
    "Namespace",
    "ResourceQuota",
    "StorageClass",
    "CustomResourceDefinition",
    "ServiceAccount",
    "PodSecurityPolicy",
    "Role",
    "ClusterRole",
    "RoleBinding",
    "ClusterRoleBinding",
    "ConfigMap",
    "Secret",
    "Endpoints",
    "Service",
    "LimitRange",
    "PriorityClass",
    "PersistentVolume",
    "PersistentVolumeClaim",
    "Deployment",
    "StatefulSet",
    "CronJob",
    "PodDisruptionBudget",
];
pub(crate) const ORDER_LAST: &[&str] = &[
    "MutatingWebhookConfiguration",
    "ValidatingWebhookConfiguration",
];

/// The rank of a kind in kustomize's default order (`Gvk.IsLessThan`): kinds ordered
/// first are negative, kinds ordered last positive, every other kind 0.
pub(crate) fn kind_rank(kind: &str) -> i64 {
    if let Some(i) = ORDER_FIRST.iter().position(|k| *k == kind) {
        return i as i64 - ORDER_FIRST.len() as i64;
    }
    if let Some(i) = ORDER_LAST.iter().position(|k| *k == kind) {
        return 1 + i as i64;
    }
    0
}

fn gvk_sort_string(g: &Gvk) -> String {
    let or = |s: &str, d: &'static str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    format!(
        "{}_{}_{}",
        or(&g.group, "~G"),
        or(&g.version, "~V"),
        or(&g.kind, "~K")
    )
}

fn id_sort_string(id: &Id) -> String {
    let ns = if id.namespace.is_empty() {
        "~X"
    } else {
        &id.namespace
    };
    let nm = if id.name.is_empty() { "~N" } else { &id.name };
    let or = |s: &str, d: &'static str| {
        if s.is_empty() {
            d.to_owned()
        } else {
            s.to_owned()
        }
    };
    let g = &id.gvk;
    format!(
        "{}.{}.{}|{ns}|{nm}",
        or(&g.kind, "[noKind]"),
        or(&g.version, "[noVer]"),
        or(&g.group, "[noGrp]")
    )
}

/// Sorts in kustomize's legacy order, with custom first/last kind lists if given. Sort keys
/// are computed once per resource; resources are moved, never cloned.
pub(crate) fn legacy(items: &mut Vec<Resource>, first: Option<&[String]>, last: Option<&[String]>) {
    let mut rank: HashMap<&str, i64> = HashMap::default();
    match first {
        Some(f) => {
            for (i, k) in f.iter().enumerate() {
                rank.insert(k.as_str(), i as i64 - f.len() as i64);
            }
        }
        None => {
            for (i, k) in ORDER_FIRST.iter().enumerate() {
                rank.insert(k, i as i64 - ORDER_FIRST.len() as i64);
            }
        }
    }
    match last {
        Some(l) => {
            for (i, k) in l.iter().enumerate() {
                rank.insert(k.as_str(), 1 + i as i64);
            }
        }
        None => {
            for (i, k) in ORDER_LAST.iter().enumerate() {
                rank.insert(k, 1 + i as i64);
            }
        }
    }
    struct Key {
        gvk: Gvk,
        rank: i64,
        gvk_text: String,
        id_text: String,
    }
    let keys: Vec<Key> = items
        .iter()
        .map(|r| {
            let id = r.cur_id();
            Key {
                rank: rank.get(id.gvk.kind.as_str()).copied().unwrap_or(0),
                gvk_text: gvk_sort_string(&id.gvk),
                id_text: id_sort_string(&id),
                gvk: id.gvk,
            }
        })
        .collect();
    let mut order: Vec<usize> = (0..items.len()).collect();
    order.sort_by(|&x, &y| {
        let (a, b) = (&keys[x], &keys[y]);
        if a.gvk != b.gvk {
            if a.rank != b.rank {
                return a.rank.cmp(&b.rank);
            }
            if a.gvk.kind == "Namespace"
                && b.gvk.kind == "Namespace"
                && (a.gvk.group.is_empty() || b.gvk.group.is_empty())
            {
                return b.gvk_text.cmp(&a.gvk_text);
            }
            return a.gvk_text.cmp(&b.gvk_text);
        }
        a.id_text.cmp(&b.id_text).then(Ordering::Equal)
    });
    let mut slots: Vec<Option<Resource>> = std::mem::take(items).into_iter().map(Some).collect();
    items.extend(order.into_iter().filter_map(|i| slots[i].take()));
}
