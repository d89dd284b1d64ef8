//! Dependency handling as Helm v4 does it (`pkg/chart/v2/util/dependencies.go`):
//! conditions, tags, aliases, import-values; and the missing-dependency check.

use super::chart::{Chart, Dependency};
use super::values::{coalesce_values, merge_tables, merge_values, path_value, table};
use super::{Error, ErrorKind, Warning};
use crate::go::strconv;
use crate::yaml::{Map, Value};

/// A chart a repository must supply: one `dependencies` entry of a `Chart.yaml`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Requirement {
    /// Path of the chart that declares it (`parent/charts/sub`, as in `# Source:`).
    pub declared_by: String,
    /// `name`.
    pub name: String,
    /// `version` constraint.
    pub version: String,
    /// `repository` (URL, `@alias`, `oci://…`, `file://…` or empty).
    pub repository: String,
    /// `alias`, if any.
    pub alias: Option<String>,
    /// Whether a chart of that name is vendored in `charts/`.
    pub vendored: bool,
}

/// Lists every dependency declared by the chart and its vendored subcharts (recursively),
/// with whether `charts/` already holds it. A source layer fetches the missing ones.
pub fn dependencies(chart: &Chart) -> Vec<Requirement> {
    let mut out = Vec::new();
    collect(chart, chart.name().to_string(), &mut out);
    out
}

fn collect(chart: &Chart, path: String, out: &mut Vec<Requirement>) {
    for d in chart.metadata.dependencies.iter().flatten() {
        out.push(Requirement {
            declared_by: path.clone(),
            name: d.name.clone(),
            version: d.version.clone(),
            repository: d.repository.clone(),
            alias: (!d.alias.is_empty()).then(|| d.alias.clone()),
            vendored: chart.dependencies.iter().any(|c| c.name() == d.name),
        });
    }
    for sub in &chart.dependencies {
        collect(sub, format!("{path}/charts/{}", sub.name()), out);
    }
}

/// `resolver.HashReq(req, lock)`: the `digest` a `Chart.lock` records, the SHA-256 of
/// `json.Marshal([2][]*chart.Dependency{req, lock})`, as `sha256:<hex>`. `helm
/// dependency build` refuses a lock whose digest differs from the chart's dependencies
/// (`None` entries are JSON `null`).
pub fn hash_requirements(req: &[Option<Dependency>], lock: &[Option<Dependency>]) -> String {
    use sha2::Digest as _;
    let mut out = String::from("[");
    for (i, list) in [req, lock].iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        dependencies_json(list, &mut out);
    }
    out.push(']');
    let sum = sha2::Sha256::digest(out.as_bytes());
    let mut s = String::from("sha256:");
    for b in sum {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// A `[]*chart.Dependency` as `encoding/json` prints it (struct field order, omitempty).
fn dependencies_json(list: &[Option<Dependency>], out: &mut String) {
    use crate::go::json::write_str;
    if list.is_empty() {
        // A nil slice (what YAML without the key decodes to) prints as null; an empty
        // list written in YAML decodes to an empty slice, which Helm's loader never keeps.
        out.push_str("null");
        return;
    }
    out.push('[');
    for (i, d) in list.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        let Some(d) = d else {
            out.push_str("null");
            continue;
        };
        out.push_str("{\"name\":");
        write_str(out, &d.name, true);
        if !d.version.is_empty() {
            out.push_str(",\"version\":");
            write_str(out, &d.version, true);
        }
        out.push_str(",\"repository\":");
        write_str(out, &d.repository, true);
        if !d.condition.is_empty() {
            out.push_str(",\"condition\":");
            write_str(out, &d.condition, true);
        }
        if !d.tags.is_empty() {
            out.push_str(",\"tags\":[");
            for (j, t) in d.tags.iter().enumerate() {
                if j > 0 {
                    out.push(',');
                }
                write_str(out, t, true);
            }
            out.push(']');
        }
        if d.enabled {
            out.push_str(",\"enabled\":true");
        }
        if !d.import_values.is_empty() {
            out.push_str(",\"import-values\":");
            out.push_str(
                &crate::go::json::to_string(&Value::Seq(d.import_values.clone()))
                    .unwrap_or_else(|_| "null".to_owned()),
            );
        }
        if !d.alias.is_empty() {
            out.push_str(",\"alias\":");
            write_str(out, &d.alias, true);
        }
        out.push('}');
    }
    out.push(']');
}

/// `action.CheckDependencies`: every declared dependency is present by name.
pub(crate) fn check_dependencies(chart: &Chart) -> Result<(), Error> {
    let missing: Vec<&str> = chart
        .metadata
        .dependencies
        .iter()
        .flatten()
        .filter(|r| !chart.dependencies.iter().any(|d| d.name() == r.name))
        .map(|r| r.name.as_str())
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Dependencies,
        format!(
            "an error occurred while checking for chart dependencies. You may need to run `helm dependency build` to fetch missing dependencies: found in Chart.yaml, but missing in charts/ directory: {}",
            missing.join(", ")
        ),
    )
    .in_chart(chart.name()))
}

/// `ProcessDependencies(chart, vals)`: removes disabled subcharts, applies aliases and
/// imports values from children into parents.
pub(crate) fn process_dependencies(
    chart: &mut Chart,
    vals: &Value,
    warnings: &mut Vec<Warning>,
    compat: super::HelmCompat,
) -> Result<(), Error> {
    process_enabled(chart, vals, "", warnings, 0, compat)?;
    process_import_values(chart, warnings)
}

/// `common.ErrNoTable{key}.Error()`.
fn no_table(key: &str) -> String {
    format!("{} is not a table", strconv::quote(key))
}

/// `Values.Table(path)`: the table, or the path segment that is missing or not a table.
fn table_or_missing<'a, 'p>(v: &'a Value, path: &'p str) -> Result<&'a Map, &'p str> {
    let mut cur = v.as_map().ok_or(path)?;
    for part in path.split('.') {
        match cur.get(part) {
            Some(Value::Map(m)) => cur = m,
            _ => return Err(part),
        }
    }
    Ok(cur)
}

fn compatible(constraint: &str, version: &str) -> bool {
    crate::template::semver_satisfies(constraint, version)
}

fn process_enabled(
    c: &mut Chart,
    v: &Value,
    path: &str,
    warnings: &mut Vec<Warning>,
    depth: usize,
    compat: super::HelmCompat,
) -> Result<(), Error> {
    if c.metadata.dependencies.is_empty() || depth > super::chart::MAX_NESTING {
        return Ok(());
    }
    let mut existing: Vec<Option<Chart>> = std::mem::take(&mut c.dependencies)
        .into_iter()
        .map(Some)
        .collect();
    let matches = |e: &Chart, r: &Dependency| {
        e.name() == r.name && compatible(&r.version, &e.metadata.version)
    };
    // How often each subchart is used below: the last use moves it, earlier ones copy.
    let mut uses: Vec<usize> = vec![0; existing.len()];
    let mut declared: Vec<bool> = vec![false; existing.len()];
    for (i, e) in existing.iter().enumerate() {
        if let Some(e) = e {
            declared[i] = c
                .metadata
                .dependencies
                .iter()
                .flatten()
                .any(|r| matches(e, r));
            if !declared[i] {
                uses[i] += 1;
            }
        }
    }
    let mut found_at: Vec<Option<usize>> = Vec::new();
    for req in c.metadata.dependencies.iter().flatten() {
        let at = existing
            .iter()
            .position(|x| x.as_ref().is_some_and(|x| matches(x, req)));
        if let Some(i) = at {
            uses[i] += 1;
        }
        found_at.push(at);
    }
    let mut take = |i: usize| -> Option<Chart> {
        uses[i] = uses[i].saturating_sub(1);
        if uses[i] == 0 {
            existing[i].take()
        } else {
            existing[i].clone()
        }
    };
    let mut chart_deps: Vec<Chart> = Vec::new();
    // Subcharts not declared in Chart.yaml come first.
    for (i, d) in declared.iter().enumerate() {
        if !d && let Some(e) = take(i) {
            chart_deps.push(e);
        }
    }
    for (req, at) in c.metadata.dependencies.iter_mut().flatten().zip(found_at) {
        if let Some(mut out) = at.and_then(&mut take) {
            if !req.alias.is_empty() {
                out.metadata.name = req.alias.clone();
            }
            chart_deps.push(out);
        }
        if !req.alias.is_empty() {
            req.name = req.alias.clone();
        }
    }
    c.dependencies = chart_deps;
    for r in c.metadata.dependencies.iter_mut().flatten() {
        r.enabled = true;
    }
    let cvals = coalesce_values(c, v, compat)?;
    process_tags(&mut c.metadata.dependencies, &cvals, warnings);
    process_conditions(&mut c.metadata.dependencies, &cvals, path, warnings);
    let removed: Vec<String> = c
        .metadata
        .dependencies
        .iter()
        .flatten()
        .filter(|r| !r.enabled)
        .map(|r| r.name.clone())
        .collect();
    c.dependencies
        .retain(|d| !removed.iter().any(|n| n == d.name()));
    c.metadata
        .dependencies
        .retain(|d| d.as_ref().is_none_or(|d| !removed.contains(&d.name)));
    for t in c.dependencies.iter_mut() {
        let sub = format!("{path}{}.", t.metadata.name);
        process_enabled(t, &cvals, &sub, warnings, depth + 1, compat)?;
    }
    Ok(())
}

fn process_tags(reqs: &mut [Option<Dependency>], cvals: &Value, warnings: &mut Vec<Warning>) {
    let Some(vt) = table(cvals, "tags") else {
        return;
    };
    for r in reqs.iter_mut().flatten() {
        let (mut has_true, mut has_false) = (false, false);
        for k in &r.tags {
            if let Some(b) = vt.get(k) {
                match b {
                    Value::Bool(true) => has_true = true,
                    Value::Bool(false) => has_false = true,
                    _ => warnings.push(
                        Warning::new("returned non-bool value")
                            .with("tag", k.as_str())
                            .with("chart", r.name.as_str()),
                    ),
                }
            }
        }
        if !has_true && has_false {
            r.enabled = false;
        } else if has_true || !has_false {
            r.enabled = true;
        }
    }
}

fn process_conditions(
    reqs: &mut [Option<Dependency>],
    cvals: &Value,
    path: &str,
    warnings: &mut Vec<Warning>,
) {
    for r in reqs.iter_mut().flatten() {
        let cond = r.condition.trim().to_string();
        for c in cond.split(',') {
            if c.is_empty() {
                continue;
            }
            match path_value(cvals, &format!("{path}{c}")) {
                Some(Value::Bool(b)) => {
                    r.enabled = *b;
                    break;
                }
                Some(_) => warnings.push(
                    Warning::new("returned non-bool value")
                        .with("path", c)
                        .with("chart", r.name.as_str()),
                ),
                None => {}
            }
        }
    }
}

/// Go's `fmt.Sprintf("%v", x)` for the scalar forms `child`/`parent` take.
fn sprint(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => "<nil>".into(),
        Some(Value::String(s)) => s.clone(),
        Some(Value::Bool(b)) => b.to_string(),
        Some(Value::Number(crate::yaml::Number::Int(i))) => i.to_string(),
        Some(Value::Number(crate::yaml::Number::UInt(i))) => i.to_string(),
        Some(Value::Number(crate::yaml::Number::Float(f))) => strconv::float_v(*f),
        Some(other) => {
            let v = crate::template::value::Val::from_value(other);
            crate::template::value::sprint_v(&v)
        }
    }
}

fn path_to_map(path: &str, data: Map) -> Map {
    if path == "." {
        return data;
    }
    let mut cur = data;
    for part in path.split('.').rev() {
        let mut m = Map::default();
        m.insert(part.to_string(), Value::Map(cur));
        cur = m;
    }
    cur
}

fn process_import_values(c: &mut Chart, warnings: &mut Vec<Warning>) -> Result<(), Error> {
    for d in c.dependencies.iter_mut() {
        process_import_values(d, warnings)?;
    }
    if c.metadata.dependencies.is_empty() {
        return Ok(());
    }
    let cvals = merge_values(c, &Value::Null)?;
    let mut b = Map::default();
    for r in c.metadata.dependencies.iter_mut().flatten() {
        let mut outiv = Vec::new();
        for riv in &r.import_values {
            match riv {
                Value::Map(iv) => {
                    let child = sprint(iv.get("child"));
                    let parent = sprint(iv.get("parent"));
                    let mut m = Map::default();
                    m.insert("child".into(), Value::String(child.clone()));
                    m.insert("parent".into(), Value::String(parent.clone()));
                    outiv.push(Value::Map(m));
                    match table_or_missing(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vv) => merge_tables(&mut b, &path_to_map(&parent, vv.clone())),
                        Err(missing) => warnings.push(
                            Warning::new("ImportValues missing table from chart")
                                .with("chart", r.name.as_str())
                                .with("error", no_table(missing)),
                        ),
                    }
                }
                Value::String(iv) => {
                    let child = format!("exports.{iv}");
                    let mut m = Map::default();
                    m.insert("child".into(), Value::String(child.clone()));
                    m.insert("parent".into(), Value::String(".".into()));
                    outiv.push(Value::Map(m));
                    match table_or_missing(&cvals, &format!("{}.{child}", r.name)) {
                        Ok(vm) => merge_tables(&mut b, vm),
                        Err(missing) => warnings.push(
                            Warning::new("ImportValues missing table")
                                .with("error", no_table(missing)),
                        ),
                    }
                }
                _ => {}
            }
        }
        r.import_values = outiv;
    }
    let mut base = match cvals {
        Value::Map(m) => m,
        _ => Map::default(),
    };
    merge_tables(&mut base, &b);
    c.values = Value::Map(base);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::tree::{MemTree, RelPath};

    /// The digest `helm dependency update` (v4.1.4) wrote into this Chart.lock.
    #[test]
    fn requirement_hash_matches_helm() {
        let chart_yaml = r#"apiVersion: v2
name: app
version: 1.0.0
dependencies:
- name: gitward-test-chart
  version: "~0.1.0"
  repository: http://127.0.0.1:20803
  condition: sub.enabled
  tags: [a, b]
  import-values:
  - child: x
    parent: y
  - data
- name: gitward-test-chart
  alias: second
  version: ">=0.2.0"
  repository: http://127.0.0.1:20803/
"#;
        let lock = r#"dependencies:
- name: gitward-test-chart
  repository: http://127.0.0.1:20803
  version: 0.1.0
- name: gitward-test-chart
  repository: http://127.0.0.1:20803/
  version: 0.2.0
digest: sha256:3c280bc3ffff3aa59113e4a49e9aaf811b306693f2ea239a3498b48c70636d17
generated: "2026-12-07T17:29:38.007771628Z"
"#;
        let mut t = MemTree::new();
        t.add_file("app/Chart.yaml", chart_yaml).expect("chart");
        t.add_file("app/Chart.lock", lock).expect("lock");
        let chart =
            crate::helm::load_chart(&t, &RelPath::new("app").expect("path")).expect("loads");
        let (digest, locked) = crate::helm::lock_dependencies(chart.lock.as_ref().expect("lock"))
            .expect("lock decodes");
        assert_eq!(
            digest,
            "sha256:3c280bc3ffff3aa59113e4a49e9aaf811b306693f2ea239a3498b48c70636d17"
        );
        assert_eq!(
            super::hash_requirements(&chart.metadata.dependencies, &locked),
            digest
        );
    }
}
