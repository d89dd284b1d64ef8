//! kustomize's output orders: `legacy` (by kind, then id) and `fifo` (as accumulated).

use std::cmp::Ordering;

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
pub(crate) const ORDER_LAST: &[&str] = &["MutatingWebhookConfiguration", "ValidatingWebhookConfiguration"];

fn gvk_sort_string(g: &Gvk) -> String {
    let or = |s: &str, d: &'static str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
    format!("{}_{}_{}", or(&g.group, "~G"), or(&g.version, "~V"), or(&g.kind, "~K"))
}

fn id_sort_string(id: &Id) -> String {
    let ns = if id.namespace.is_empty() { "~X" } else { &id.namespace };
    let nm = if id.name.is_empty() { "~N" } else { &id.name };
    let or = |s: &str, d: &'static str| if s.is_empty() { d.to_owned() } else { s.to_owned() };
    let g = &id.gvk;
    format!(
        "{}.{}.{}|{ns}|{nm}",
        or(&g.kind, "[noKind]"),
        or(&g.version, "[noVer]"),
        or(&g.group, "[noGrp]")
    )
}

/// Sorts in kustomize's legacy order, with custom first/last kind lists if given.
pub(crate) fn legacy(items: &mut [Resource], first: Option<&[String]>, last: Option<&[String]>) {
    let mut rank = std::collections::HashMap::new();
    match first {
        Some(f) => {
            for (i, k) in f.iter().enumerate() {
                rank.insert(k.clone(), i as i64 - f.len() as i64);
            }
        }
        None => {
            for (i, k) in ORDER_FIRST.iter().enumerate() {
                rank.insert((*k).to_owned(), i as i64 - ORDER_FIRST.len() as i64);
            }
        }
    }
    match last {
        Some(l) => {
            for (i, k) in l.iter().enumerate() {
                rank.insert(k.clone(), 1 + i as i64);
            }
        }
        None => {
            for (i, k) in ORDER_LAST.iter().enumerate() {
                rank.insert((*k).to_owned(), 1 + i as i64);
            }
        }
    }
    let mut keyed: Vec<(Id, Resource)> = items.iter().map(|r| (r.cur_id(), r.clone())).collect();
    keyed.sort_by(|(a, _), (b, _)| {
        if a.gvk != b.gvk {
            let ia = rank.get(&a.gvk.kind).copied().unwrap_or(0);
            let ib = rank.get(&b.gvk.kind).copied().unwrap_or(0);
            if ia != ib {
                return ia.cmp(&ib);
            }
            let (sa, sb) = (gvk_sort_string(&a.gvk), gvk_sort_string(&b.gvk));
            if a.gvk.kind == "Namespace" && b.gvk.kind == "Namespace" && (a.gvk.group.is_empty() || b.gvk.group.is_empty()) {
                return sb.cmp(&sa);
            }
            return sa.cmp(&sb);
        }
        id_sort_string(a).cmp(&id_sort_string(b)).then(Ordering::Equal)
    });
    for (slot, (_, r)) in items.iter_mut().zip(keyed) {
        *slot = r;
    }
}
