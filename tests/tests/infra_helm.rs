//! Smoke tests of the Helm chart repository (scripts/test-helm-repo.sh): fetch
//! `index.yaml` and a chart over HTTPS (test CA), over plain HTTP, and behind
//! basic auth.

use std::io::Read as _;

use base64::Engine as _;
use gitward_tests::{helm_repo, http_agent};
use sha2::{Digest as _, Sha256};

#[derive(serde::Deserialize)]
struct Index {
    #[serde(rename = "apiVersion")]
    api_version: String,
    entries: std::collections::BTreeMap<String, Vec<ChartVersion>>,
}

#[derive(serde::Deserialize)]
struct ChartVersion {
    name: String,
    version: String,
    digest: String,
    urls: Vec<String>,
}

fn get(agent: &ureq::Agent, url: &str, auth: Option<(&str, &str)>) -> (u16, Vec<u8>) {
    let mut req = agent.get(url);
    if let Some((u, p)) = auth {
        let token = base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"));
        req = req.header("Authorization", format!("Basic {token}"));
    }
    let mut resp = req.call().unwrap_or_else(|e| panic!("GET {url}: {e}"));
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .with_config()
        .limit(64 << 20)
        .read_to_vec()
        .expect("body");
    (status, body)
}

/// Fetches index.yaml and every chart version it lists from `base`, checking
/// digests and archive contents.
fn fetch_index_and_charts(base: &str, auth: Option<(&str, &str)>) {
    let h = helm_repo();
    let agent = http_agent(&h.ca);
    let (status, body) = get(&agent, &format!("{base}/index.yaml"), auth);
    assert_eq!(status, 200, "index.yaml");
    let index: Index = yaml_serde::from_slice(&body).expect("index.yaml parses");
    assert_eq!(index.api_version, "v1");
    let versions = index.entries.get(&h.chart).expect("chart in index");
    let mut listed: Vec<&str> = versions.iter().map(|v| v.version.as_str()).collect();
    listed.sort_unstable();
    assert_eq!(listed, ["0.1.0", "0.2.0"]);

    for v in versions {
        assert_eq!(v.name, h.chart);
        // URLs in the index are relative to the repository URL.
        let url = &v.urls[0];
        let url = if url.contains("://") {
            url.clone()
        } else {
            format!("{base}/{url}")
        };
        let (status, tgz) = get(&agent, &url, auth);
        assert_eq!(status, 200, "{url}");
        assert_eq!(format!("{:x}", Sha256::digest(&tgz)), v.digest, "{url}");

        // A real chart archive: <name>/Chart.yaml with the indexed version.
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(&tgz[..]));
        let mut chart_yaml = None;
        let mut names = Vec::new();
        for entry in archive.entries().expect("tar entries") {
            let mut entry = entry.expect("tar entry");
            let path = entry.path().expect("path").to_string_lossy().into_owned();
            if path == format!("{}/Chart.yaml", h.chart) {
                let mut s = String::new();
                entry.read_to_string(&mut s).expect("Chart.yaml");
                chart_yaml = Some(s);
            }
            names.push(path);
        }
        let chart_yaml = chart_yaml.unwrap_or_else(|| panic!("no Chart.yaml in {names:?}"));
        let chart: yaml_serde::Value = yaml_serde::from_str(&chart_yaml).expect("Chart.yaml");
        assert_eq!(chart["name"].as_str(), Some(h.chart.as_str()));
        assert_eq!(chart["version"].as_str(), Some(v.version.as_str()));
        assert!(
            names.contains(&format!("{}/templates/configmap.yaml", h.chart)),
            "{names:?}"
        );
    }
}

#[test]
fn fetch_index_and_charts_over_https() {
    let h = helm_repo();
    assert!(h.url.starts_with("https://127.0.0.1:"));
    fetch_index_and_charts(&h.url, None);
}

#[test]
fn fetch_index_and_charts_over_http() {
    let h = helm_repo();
    assert!(h.http_url.starts_with("http://127.0.0.1:"));
    fetch_index_and_charts(&h.http_url, None);
}

#[test]
fn private_repo_needs_basic_auth() {
    let h = helm_repo();
    let agent = http_agent(&h.ca);
    let index = format!("{}/index.yaml", h.private_url);
    assert_eq!(get(&agent, &index, None).0, 401);
    assert_eq!(get(&agent, &index, Some((&h.user, "wrong"))).0, 401);
    fetch_index_and_charts(&h.private_url, Some((&h.user, &h.password)));
}

#[test]
fn missing_chart_is_404() {
    let h = helm_repo();
    let agent = http_agent(&h.ca);
    let (status, _) = get(&agent, &format!("{}/{}-9.9.9.tgz", h.url, h.chart), None);
    assert_eq!(status, 404);
}
