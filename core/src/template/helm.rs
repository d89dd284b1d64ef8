//! Helm's built-in objects (`.Release`, `.Chart`, `.Capabilities`, `.Files`,
//! `.Template`, `.Values`, `.Subcharts`) and rendering one chart template the way
//! `helm template` renders it.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::funcs::bytes_to_gostr;
use super::value::{List, MapKind, StructVal, Val};
use super::{Env, TemplateError, Templates};
use crate::yaml::Value;

/// Helm v4.1.4's default API versions (`.Capabilities.APIVersions`).
pub const DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1",
    "resource.k8s.io/v1beta2",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// Helm v3.17.2's default API versions (client-go v0.32's scheme, in its priority order).
pub const HELM3_DEFAULT_API_VERSIONS: &[&str] = &[
    "v1",
    "admissionregistration.k8s.io/v1",
    "admissionregistration.k8s.io/v1alpha1",
    "admissionregistration.k8s.io/v1beta1",
    "internal.apiserver.k8s.io/v1alpha1",
    "apps/v1",
    "apps/v1beta1",
    "apps/v1beta2",
    "authentication.k8s.io/v1",
    "authentication.k8s.io/v1alpha1",
    "authentication.k8s.io/v1beta1",
    "authorization.k8s.io/v1",
    "authorization.k8s.io/v1beta1",
    "autoscaling/v1",
    "autoscaling/v2",
    "autoscaling/v2beta1",
    "autoscaling/v2beta2",
    "batch/v1",
    "batch/v1beta1",
    "certificates.k8s.io/v1",
    "certificates.k8s.io/v1beta1",
    "certificates.k8s.io/v1alpha1",
    "coordination.k8s.io/v1alpha2",
    "coordination.k8s.io/v1beta1",
    "coordination.k8s.io/v1",
    "discovery.k8s.io/v1",
    "discovery.k8s.io/v1beta1",
    "events.k8s.io/v1",
    "events.k8s.io/v1beta1",
    "extensions/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1",
    "flowcontrol.apiserver.k8s.io/v1beta1",
    "flowcontrol.apiserver.k8s.io/v1beta2",
    "flowcontrol.apiserver.k8s.io/v1beta3",
    "networking.k8s.io/v1",
    "networking.k8s.io/v1alpha1",
    "networking.k8s.io/v1beta1",
    "node.k8s.io/v1",
    "node.k8s.io/v1alpha1",
    "node.k8s.io/v1beta1",
    "policy/v1",
    "policy/v1beta1",
    "rbac.authorization.k8s.io/v1",
    "rbac.authorization.k8s.io/v1beta1",
    "rbac.authorization.k8s.io/v1alpha1",
    "resource.k8s.io/v1beta1",
    "resource.k8s.io/v1alpha3",
    "scheduling.k8s.io/v1alpha1",
    "scheduling.k8s.io/v1beta1",
    "scheduling.k8s.io/v1",
    "storage.k8s.io/v1beta1",
    "storage.k8s.io/v1",
    "storage.k8s.io/v1alpha1",
    "storagemigration.k8s.io/v1alpha1",
    "apiextensions.k8s.io/v1beta1",
    "apiextensions.k8s.io/v1",
];

/// What a `helm template` run knows about the release and the cluster.
#[derive(Debug, Clone)]
pub struct RenderContext {
    /// Release name.
    pub release_name: String,
    /// Release namespace.
    pub namespace: String,
    /// `--is-upgrade`.
    pub is_upgrade: bool,
    /// Release revision.
    pub revision: i64,
    /// Chart.yaml as parsed.
    pub chart: Value,
    /// The coalesced values.
    pub values: Value,
    /// Non-template chart files (path → bytes), already filtered by `.helmignore`.
    pub files: BTreeMap<String, Vec<u8>>,
    /// `--kube-version` (default `v1.35.0`).
    pub kube_version: String,
    /// `--api-versions` additions.
    pub api_versions: Vec<String>,
}

impl Default for RenderContext {
    fn default() -> Self {
        RenderContext {
            release_name: "release-name".into(),
            namespace: "default".into(),
            is_upgrade: false,
            revision: 1,
            chart: Value::Map(Default::default()),
            values: Value::Map(Default::default()),
            files: BTreeMap::new(),
            kube_version: "v1.35.0".into(),
            api_versions: vec![],
        }
    }
}

fn s(v: &str) -> Val {
    Val::str(v)
}

fn chart_str(chart: &Value, k: &str) -> Val {
    s(chart.get(k).and_then(Value::as_str).unwrap_or(""))
}

fn str_list(chart: &Value, k: &str) -> Val {
    match chart.get(k) {
        Some(Value::Seq(items)) => {
            Val::list(items.iter().map(|x| s(x.as_str().unwrap_or(""))).collect())
        }
        _ => Val::Nil,
    }
}

/// `.Chart` as Helm v4 exposes it (a map with Go field names).
pub fn chart_object(chart: &Value) -> Val {
    let mut m = BTreeMap::new();
    m.insert("APIVersion".into(), chart_str(chart, "apiVersion"));
    let ann: BTreeMap<String, Val> = chart
        .get("annotations")
        .and_then(Value::as_map)
        .map(|a| {
            a.iter()
                .map(|(k, v)| (k.clone(), Val::from_value(v)))
                .collect()
        })
        .unwrap_or_default();
    if !ann.is_empty() {
        m.insert("Annotations".into(), Val::dict(ann));
    }
    m.insert("AppVersion".into(), chart_str(chart, "appVersion"));
    m.insert("Condition".into(), chart_str(chart, "condition"));
    m.insert("Dependencies".into(), Val::list(vec![]));
    m.insert(
        "Deprecated".into(),
        Val::Bool(matches!(chart.get("deprecated"), Some(Value::Bool(true)))),
    );
    m.insert("Description".into(), chart_str(chart, "description"));
    m.insert("Home".into(), chart_str(chart, "home"));
    m.insert("Icon".into(), chart_str(chart, "icon"));
    m.insert("IsRoot".into(), Val::Bool(true));
    m.insert("Keywords".into(), str_list(chart, "keywords"));
    m.insert("KubeVersion".into(), chart_str(chart, "kubeVersion"));
    let maint: Vec<Val> = match chart.get("maintainers") {
        Some(Value::Seq(items)) => items
            .iter()
            .map(|x| {
                let mut mm = BTreeMap::new();
                mm.insert("Email".into(), chart_str(x, "email"));
                mm.insert("Name".into(), chart_str(x, "name"));
                mm.insert("URL".into(), chart_str(x, "url"));
                Val::dict(mm)
            })
            .collect(),
        _ => vec![],
    };
    m.insert(
        "Maintainers".into(),
        if maint.is_empty() {
            Val::Nil
        } else {
            Val::list(maint)
        },
    );
    m.insert("Name".into(), chart_str(chart, "name"));
    m.insert("Sources".into(), str_list(chart, "sources"));
    m.insert("Tags".into(), chart_str(chart, "tags"));
    m.insert("Type".into(), chart_str(chart, "type"));
    m.insert("Version".into(), chart_str(chart, "version"));
    Val::dict(m)
}

fn kube_version_object(v: &str) -> Val {
    let v = if v.starts_with('v') {
        v.to_string()
    } else {
        format!("v{v}")
    };
    let body = v.trim_start_matches('v');
    let mut parts = body.split(['.', '-', '+']);
    let major = parts.next().unwrap_or("").to_string();
    let minor = parts.next().unwrap_or("").to_string();
    kube_version_val(&v, &v, &major, &minor)
}

/// A `common.KubeVersion`: `Version` as given, the unexported `normalizedVersion` that
/// `String()` returns.
pub(crate) fn kube_version_val(version: &str, normalized: &str, major: &str, minor: &str) -> Val {
    Val::Struct(Rc::new(StructVal {
        type_name: "common.KubeVersion",
        ptr: false,
        fields: vec![
            ("Version", s(version)),
            ("normalizedVersion", s(normalized)),
            ("Major", s(major)),
            ("Minor", s(minor)),
        ],
        display: Some(normalized.to_owned()),
    }))
}

/// `.Capabilities` from its parts: fields in `common.Capabilities`' order, the
/// `HelmVersion` of the Helm v4.1.4 release build.
pub(crate) fn capabilities_val(kube_version: Val, api_versions: Val) -> Val {
    let helm = Val::Struct(Rc::new(StructVal {
        type_name: "version.BuildInfo",
        ptr: false,
        fields: vec![
            ("Version", s("v4.1.4")),
            ("GitCommit", s("05fa37973dc9e42b76e1d2883494c87174b6074f")),
            ("GitTreeState", s("clean")),
            ("GoVersion", s("go1.25.9")),
            ("KubeClientVersion", s("v1.35")),
        ],
        display: None,
    }));
    Val::Struct(Rc::new(StructVal {
        type_name: "common.Capabilities",
        ptr: true,
        fields: vec![
            ("KubeVersion", kube_version),
            ("APIVersions", api_versions),
            ("HelmVersion", helm),
        ],
        display: None,
    }))
}

/// Helm v3's `chartutil.KubeVersion`: `Version`, `Major`, `Minor`; `String()` (on the
/// pointer) returns `Version`.
pub(crate) fn helm3_kube_version_val(version: &str, major: &str, minor: &str) -> Val {
    Val::Struct(Rc::new(StructVal {
        type_name: "chartutil.KubeVersion",
        ptr: false,
        fields: vec![
            ("Version", s(version)),
            ("Major", s(major)),
            ("Minor", s(minor)),
        ],
        display: Some(version.to_owned()),
    }))
}

/// Helm v3's `.Capabilities`, with the `HelmVersion` of the Helm v3.17.2 release build.
pub(crate) fn helm3_capabilities_val(kube_version: Val, api_versions: Val) -> Val {
    let helm = Val::Struct(Rc::new(StructVal {
        type_name: "version.BuildInfo",
        ptr: false,
        fields: vec![
            ("Version", s("v3.17.2")),
            ("GitCommit", s("cc0bbbd6d6276b83880042c1ecb34087e84d41eb")),
            ("GitTreeState", s("clean")),
            ("GoVersion", s("go1.23.7")),
        ],
        display: None,
    }));
    Val::Struct(Rc::new(StructVal {
        type_name: "chartutil.Capabilities",
        ptr: true,
        fields: vec![
            ("KubeVersion", kube_version),
            ("APIVersions", api_versions),
            ("HelmVersion", helm),
        ],
        display: None,
    }))
}

/// `.Capabilities`.
pub fn capabilities_object(kube_version: &str, extra_api_versions: &[String]) -> Val {
    let mut apis: Vec<Val> = DEFAULT_API_VERSIONS.iter().map(|x| s(x)).collect();
    for a in extra_api_versions {
        apis.push(s(a));
    }
    let api = Val::List(Rc::new(List {
        elem: super::value::Elem::Str,
        named: Some("common.VersionSet"),
        items: apis,
    }));
    capabilities_val(kube_version_object(kube_version), api)
}

impl RenderContext {
    /// The top-level data (`.`) for rendering `template_name`.
    pub fn data(&self, template_name: &str) -> Val {
        let mut top = BTreeMap::new();
        let mut rel = BTreeMap::new();
        rel.insert("Name".into(), s(&self.release_name));
        rel.insert("Namespace".into(), s(&self.namespace));
        rel.insert("IsUpgrade".into(), Val::Bool(self.is_upgrade));
        rel.insert("IsInstall".into(), Val::Bool(!self.is_upgrade));
        rel.insert("Revision".into(), Val::Int(self.revision));
        rel.insert("Service".into(), s("Helm"));
        top.insert("Release".into(), Val::dict(rel));
        top.insert("Chart".into(), chart_object(&self.chart));
        top.insert(
            "Capabilities".into(),
            capabilities_object(&self.kube_version, &self.api_versions),
        );
        let values = match Val::from_value(&self.values) {
            Val::Map(m) => Val::map(MapKind::Values, m.entries.borrow().clone()),
            _ => Val::map(MapKind::Values, BTreeMap::new()),
        };
        top.insert("Values".into(), values);
        let files: BTreeMap<String, Val> = self
            .files
            .iter()
            .map(|(k, v)| (k.clone(), Val::str(bytes_to_gostr(v))))
            .collect();
        top.insert("Files".into(), Val::map(MapKind::Files, files));
        top.insert("Subcharts".into(), Val::dict(BTreeMap::new()));
        let base = match template_name.rfind('/') {
            Some(i) => &template_name[..i],
            None => "",
        };
        let mut tm = BTreeMap::new();
        tm.insert("Name".into(), s(template_name));
        tm.insert("BasePath".into(), s(base));
        top.insert("Template".into(), Val::map(MapKind::Values, tm));
        Val::map(MapKind::Values, top)
    }
}

/// Renders one template as `helm template` does, including Helm's per-file
/// `<no value>` removal.
pub fn render(
    templates: &Templates,
    template_name: &str,
    ctx: &RenderContext,
    env: &Env,
) -> Result<String, TemplateError> {
    let out = templates.execute(template_name, ctx.data(template_name), env)?;
    Ok(out.replace("<no value>", ""))
}
