//! `helmCharts` / `HelmChartInflationGenerator`: charts inflated natively with
//! [`crate::helm`], as kustomize inflates them with `helm template` (no helm binary, no
//! network: a chart must be present under the chart home; pulling is the source layer's).

use super::decode::Fields;
use super::resource::Resource;
use super::{Error, ErrorKind, Target, err};
use crate::yaml::Value;

/// One chart to inflate (kustomize's `HelmChart` plus `HelmGlobals`).
#[derive(Debug, Clone, Default)]
pub(crate) struct HelmChartArgs {
    pub name: String,
    pub version: String,
    pub repo: String,
    pub release_name: String,
    pub namespace: String,
    pub additional_values_files: Vec<String>,
    pub values_file: String,
    pub values_inline: Option<Value>,
    pub values_merge: String,
    pub include_crds: bool,
    pub skip_hooks: bool,
    pub api_versions: Vec<String>,
    pub kube_version: String,
    pub name_template: String,
    pub skip_tests: bool,
    pub chart_home: String,
}

const FIELDS: &[&str] = &[
    "name",
    "version",
    "repo",
    "releaseName",
    "namespace",
    "additionalValuesFiles",
    "valuesFile",
    "valuesInline",
    "valuesMerge",
    "includeCRDs",
    "skipHooks",
    "apiVersions",
    "kubeVersion",
    "nameTemplate",
    "skipTests",
    "debug",
    "devel",
    "chartHome",
    "configHome",
];

impl HelmChartArgs {
    /// Decodes a `helmCharts` entry (strict) or a generator config (lenient), with the
    /// kustomization's `helmGlobals`.
    pub(crate) fn decode(v: &Value, globals: Option<&Value>, strict: bool) -> Result<Self, String> {
        let f = if strict {
            Fields::new(v, "HelmChart", FIELDS)?
        } else {
            Fields::lenient(v, "HelmChart", FIELDS)?
        };
        let mut chart_home = f.string("chartHome")?;
        if let Some(g) = globals {
            let gf = Fields::new(g, "HelmGlobals", &["chartHome", "configHome"])?;
            if chart_home.is_empty() {
                chart_home = gf.string("chartHome")?;
            }
        }
        Ok(HelmChartArgs {
            name: f.string("name")?,
            version: f.string("version")?,
            repo: f.string("repo")?,
            release_name: f.string("releaseName")?,
            namespace: f.string("namespace")?,
            additional_values_files: f.strings("additionalValuesFiles")?,
            values_file: f.string("valuesFile")?,
            values_inline: f.raw("valuesInline").cloned(),
            values_merge: f.string("valuesMerge")?,
            include_crds: f.boolean("includeCRDs")?,
            skip_hooks: f.boolean("skipHooks")?,
            api_versions: f.strings("apiVersions")?,
            kube_version: f.string("kubeVersion")?,
            name_template: f.string("nameTemplate")?,
            skip_tests: f.boolean("skipTests")?,
            chart_home,
        })
    }
}

impl<'a> Target<'a> {
    /// Whether the chart is in the chart home (kustomize's `chartExistsLocally`: a
    /// directory `<chart home>[/<name>-<version>]/<name>`); kustomize pulls it otherwise.
    pub(super) fn chart_present(&self, a: &HelmChartArgs) -> bool {
        let mut home = if a.chart_home.is_empty() {
            "charts".to_owned()
        } else {
            a.chart_home.clone()
        };
        if !a.version.is_empty() && !a.repo.is_empty() {
            home = format!("{home}/{}-{}", a.name, a.version);
        }
        self.ldr
            .resolve(&format!("{home}/{}", a.name))
            .ok()
            .and_then(|p| self.ldr.tree.kind(&p).ok().flatten())
            == Some(crate::tree::EntryKind::Dir)
    }

    /// Inflates one chart into resources.
    pub(super) fn inflate_helm(&self, a: &HelmChartArgs) -> Result<Vec<Resource>, Error> {
        let t = |e: String| err(ErrorKind::Transform, e);
        if !self.opts.enable_helm {
            return Err(t("must specify --enable-helm".into()));
        }
        if a.name.is_empty() {
            return Err(t("chart name cannot be empty".into()));
        }
        let merge_mode = if a.values_merge.is_empty() {
            "override"
        } else {
            a.values_merge.as_str()
        };
        if !matches!(merge_mode, "override" | "replace" | "merge") {
            return Err(t(
                "valuesMerge must be one of [merge override replace]".into()
            ));
        }
        let mut home = if a.chart_home.is_empty() {
            "charts".to_owned()
        } else {
            a.chart_home.clone()
        };
        if !a.version.is_empty() && !a.repo.is_empty() {
            home = format!("{home}/{}-{}", a.name, a.version);
        }
        let mut chart_dir = self.ldr.resolve(&format!("{home}/{}", a.name)).map_err(t)?;
        // A chart not in the chart home is pulled (kustomize runs `helm pull` into it);
        // the pulled chart is a tree of its own, `<name>/` at its root.
        let mut pulled: Option<super::SharedTree> = None;
        if self.ldr.tree.kind(&chart_dir).ok().flatten().is_none() {
            if a.repo.is_empty() {
                return Err(t(format!(
                    "no repo specified for pull, no chart found at '{}'",
                    self.ldr.show(&chart_dir)
                )));
            }
            let Some(f) = self.ldr.remote.fetcher.clone() else {
                return Err(err(
                    ErrorKind::Unsupported,
                    format!(
                        "chart {} {} from {} is not in the chart home; fetching charts is the source layer's job",
                        a.name, a.version, a.repo
                    ),
                ));
            };
            let pull = super::ChartPull {
                repo: a.repo.clone(),
                name: a.name.clone(),
                version: a.version.clone(),
            };
            let tree = self
                .ldr
                .remote
                .chart(f.as_ref(), &pull)
                .map_err(|e| t(e.message))?;
            chart_dir = crate::tree::RelPath::new(&a.name).map_err(|e| t(e.to_string()))?;
            if tree.kind(&chart_dir).ok().flatten() != Some(crate::tree::EntryKind::Dir) {
                return Err(t(format!(
                    "the chart pulled from {} holds no directory '{}'",
                    a.repo, a.name
                )));
            }
            pulled = Some(tree);
        }
        let chart_tree: &dyn crate::tree::FileTree = match &pulled {
            Some(p) => &**p,
            None => &*self.ldr.tree,
        };
        // Helm reads the chart; nothing of it may come from outside the chart directory
        // through a symbolic link.
        let confined =
            crate::tree::Confined::new(chart_tree, &chart_dir).map_err(|e| t(e.to_string()))?;
        let chart =
            crate::helm::load_chart(&confined, confined.within()).map_err(|e| t(e.helm_text()))?;

        // The values file helm gets: the chart's own values (or `valuesFile`), merged with
        // `valuesInline` as `valuesMerge` says.
        let values_file = if a.values_file.is_empty() {
            format!("{home}/{}/values.yaml", a.name)
        } else {
            a.values_file.clone()
        };
        let chart_values_bytes = match &pulled {
            // The pulled chart's own values.
            Some(p) if a.values_file.is_empty() => {
                let v = chart_dir
                    .join("values.yaml")
                    .map_err(|e| t(e.to_string()))?;
                p.read(&v)
                    .map_err(|e| err(ErrorKind::Load, e.to_string()))?
            }
            _ => self
                .ldr
                .load(&values_file)
                .map_err(|e| err(ErrorKind::Load, e))?,
        };
        let values_bytes = match a
            .values_inline
            .as_ref()
            .filter(|v| v.as_map().is_some_and(|m| !m.is_empty()))
        {
            None => chart_values_bytes,
            Some(inline) => {
                let merged = if merge_mode == "replace" {
                    inline.clone()
                } else {
                    let text = String::from_utf8_lossy(&chart_values_bytes);
                    let chart_values = crate::yaml::parse_kustomize_docs(&text)
                        .map_err(|e| t(format!("could not parse values file into rnode: {e}")))?
                        .into_iter()
                        .next()
                        .unwrap_or(Value::Map(Default::default()));
                    let (base, patch) = if merge_mode == "override" {
                        (&chart_values, inline)
                    } else {
                        (inline, &chart_values)
                    };
                    let schema = crate::smp::Schema::empty();
                    crate::smp::merge(
                        base,
                        patch,
                        &schema,
                        &crate::smp::TypeRef::Infer,
                        &crate::smp::Options::default(),
                    )
                    .map_err(|e| t(format!("could not merge values: {e}")))?
                    .unwrap_or(Value::Map(Default::default()))
                };
                crate::yaml::emit_helm(&merged).into_bytes()
            }
        };
        let mut value_files = vec![(values_file, values_bytes)];
        for f in &a.additional_values_files {
            let bytes = self.ldr.load(f).map_err(|e| {
                err(
                    ErrorKind::Load,
                    format!("could not load additionalValuesFile: {e}"),
                )
            })?;
            value_files.push((f.clone(), bytes));
        }
        let user = crate::helm::UserValues {
            value_files,
            ..Default::default()
        };
        let values = user
            .merge(&mut |p: &str| Err(format!("reading {p}: not available")))
            .map_err(|e| t(e.helm_text()))?;
        let release_name = if !a.name_template.is_empty() {
            if a.name_template.contains("{{") {
                return Err(err(
                    ErrorKind::Unsupported,
                    "helm nameTemplate with template actions is not supported yet",
                ));
            }
            a.name_template.clone()
        } else if !a.release_name.is_empty() {
            a.release_name.clone()
        } else {
            return Err(err(
                ErrorKind::Unsupported,
                "helm chart without releaseName: kustomize asks helm to generate a random name",
            ));
        };
        let opts = crate::helm::RenderOptions {
            release_name,
            namespace: if a.namespace.is_empty() {
                "default".into()
            } else {
                a.namespace.clone()
            },
            values,
            kube_version: (!a.kube_version.is_empty()).then(|| a.kube_version.clone()),
            // kustomize passes each as `--api-versions`, a pflag string slice: a CSV
            // record, so commas separate versions.
            api_versions: a
                .api_versions
                .iter()
                .filter(|v| !v.is_empty())
                .flat_map(|v| v.split(',').map(str::to_owned))
                .collect(),
            include_crds: a.include_crds,
            skip_tests: a.skip_tests,
            no_hooks: a.skip_hooks,
            // kubectl kustomize runs `helm template` of Helm 3 (v3.17.2 is the reference).
            compat: crate::helm::HelmCompat::Helm3,
            ..Default::default()
        };
        let rendered = crate::helm::render(&chart, &opts).map_err(|e| t(e.helm_text()))?;
        super::parse_resources(
            rendered.to_text().as_bytes(),
            &format!("helm chart {}", a.name),
        )
    }
}
