//! Pushing to the test registries: a minimal OCI distribution client (blobs, manifests)
//! for the anonymous, basic-auth and token registries, and builders for what Flux and
//! Helm push (`flux push artifact`'s manifest, `helm push`'s chart manifest).

use std::io::Write as _;

use base64::Engine as _;
use sha2::{Digest as _, Sha256};

use crate::support::{Registry, http_agent};

/// OCI image manifest media type.
pub const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

/// `sha256:<hex>` of bytes.
pub fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A client pushing to one registry.
pub struct Pusher {
    agent: ureq::Agent,
    base: String,
    auth: Option<String>,
}

/// Which of the three test registries, and how to authenticate to it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Which {
    /// Plain HTTP, no auth.
    Plain,
    /// TLS + basic auth.
    Basic,
    /// TLS + Docker token auth.
    Token,
}

impl Pusher {
    /// A pusher for `repo` on the registry `which` (a token with push rights for `repo` is
    /// fetched for the token registry).
    pub fn new(r: &Registry, which: Which, repo: &str) -> Pusher {
        let agent = http_agent(&r.ca);
        let basic = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", r.user, r.password))
        );
        let (base, auth) = match which {
            Which::Plain => (r.plain_url.clone(), None),
            Which::Basic => (r.secure_url.clone(), Some(basic)),
            Which::Token => {
                let token = token(r, &format!("repository:{repo}:pull,push"));
                (r.token_url.clone(), Some(format!("Bearer {token}")))
            }
        };
        Pusher { agent, base, auth }
    }

    fn with_auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.auth {
            Some(a) => req.header("Authorization", a),
            None => req,
        }
    }

    /// Uploads a blob (monolithic) and returns its digest.
    pub fn blob(&self, repo: &str, bytes: &[u8]) -> String {
        let d = digest(bytes);
        let resp = self
            .with_auth(
                self.agent
                    .post(format!("{}/v2/{repo}/blobs/uploads/", self.base)),
            )
            .send_empty()
            .expect("start upload");
        assert_eq!(resp.status().as_u16(), 202, "start upload");
        let location = resp
            .headers()
            .get("Location")
            .and_then(|v| v.to_str().ok())
            .expect("upload Location")
            .to_owned();
        let mut url = if location.starts_with("http") {
            location
        } else {
            format!("{}{location}", self.base)
        };
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("digest={d}"));
        let resp = self
            .with_auth(self.agent.put(url))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .expect("finish upload");
        assert_eq!(resp.status().as_u16(), 201, "finish upload");
        d
    }

    /// Puts a manifest under `reference` (a tag or digest) and returns its digest.
    pub fn manifest(&self, repo: &str, reference: &str, manifest: &[u8]) -> String {
        let resp = self
            .with_auth(
                self.agent
                    .put(format!("{}/v2/{repo}/manifests/{reference}", self.base)),
            )
            .header("Content-Type", MANIFEST_TYPE)
            .send(manifest)
            .expect("PUT manifest");
        assert_eq!(resp.status().as_u16(), 201, "PUT manifest");
        digest(manifest)
    }

    /// Pushes config + layers and a manifest naming them; returns the manifest digest.
    pub fn push(
        &self,
        repo: &str,
        tag: &str,
        config: (&str, &[u8]),
        layers: &[(&str, &[u8])],
        annotations: serde_json::Value,
    ) -> String {
        let cd = self.blob(repo, config.1);
        let layers: Vec<serde_json::Value> = layers
            .iter()
            .map(|(media, bytes)| {
                let d = self.blob(repo, bytes);
                serde_json::json!({"mediaType": media, "digest": d, "size": bytes.len()})
            })
            .collect();
        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {"mediaType": config.0, "digest": cd, "size": config.1.len()},
            "layers": layers,
            "annotations": annotations,
        }))
        .expect("manifest JSON");
        self.manifest(repo, tag, &manifest)
    }
}

/// A bearer token for `scope` from the token registry's token server.
pub fn token(r: &Registry, scope: &str) -> String {
    let agent = http_agent(&r.ca);
    let basic =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", r.user, r.password));
    let mut resp = agent
        .get(&r.token_realm)
        .query("service", "gitward-test-registry")
        .query("scope", scope)
        .header("Authorization", format!("Basic {basic}"))
        .call()
        .expect("GET token");
    assert_eq!(resp.status().as_u16(), 200, "token");
    let body: serde_json::Value =
        serde_json::from_str(&resp.body_mut().read_to_string().expect("body")).expect("json");
    body["token"].as_str().expect("token").to_owned()
}

/// A gzipped tarball of `files` (path, contents), directories implied, as
/// `flux build artifact` packs a tree (no ownership, fixed times).
pub fn tgz(files: &[(&str, &[u8])]) -> Vec<u8> {
    let mut b = tar::Builder::new(Vec::new());
    for (path, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        h.set_mtime(0);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, path, *data).expect("tar entry");
    }
    let tar = b.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

/// A packaged chart (`NAME/Chart.yaml`, `NAME/values.yaml`, one template).
pub fn chart_tgz(name: &str, version: &str) -> Vec<u8> {
    let chart_yaml = format!(
        "apiVersion: v2\nname: {name}\nversion: {version}\ndescription: a test chart\ntype: application\n"
    );
    let template = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\ndata:\n  v: {{ .Chart.Version | quote }}\n";
    tgz(&[
        (&format!("{name}/Chart.yaml"), chart_yaml.as_bytes()),
        (&format!("{name}/values.yaml"), b"greeting: hello\n"),
        (&format!("{name}/templates/cm.yaml"), template.as_bytes()),
    ])
}

/// Flux's artifact config media type.
pub const FLUX_CONFIG: &str = "application/vnd.cncf.flux.config.v1+json";
/// Flux's content layer media type.
pub const FLUX_CONTENT: &str = "application/vnd.cncf.flux.content.v1.tar+gzip";
/// Helm's chart config media type.
pub const HELM_CONFIG: &str = "application/vnd.cncf.helm.config.v1+json";
/// Helm's chart layer media type.
pub const HELM_CHART: &str = "application/vnd.cncf.helm.chart.content.v1.tar+gzip";

/// Pushes `files` as `flux push artifact` does (config `{}`-like, one content layer,
/// source/revision/created annotations); returns the manifest digest.
pub fn push_flux_artifact(p: &Pusher, repo: &str, tag: &str, files: &[(&str, &[u8])]) -> String {
    let layer = tgz(files);
    p.push(
        repo,
        tag,
        (FLUX_CONFIG, br#"{"created":"2020-01-01T00:00:00Z"}"#),
        &[(FLUX_CONTENT, &layer)],
        serde_json::json!({
            "org.opencontainers.image.created": "2020-01-01T00:00:00Z",
            "org.opencontainers.image.source": "https://example.invalid/repo",
            "org.opencontainers.image.revision": "main@sha1:0123456789abcdef0123456789abcdef01234567"
        }),
    )
}

/// Pushes a chart as `helm push` does (tag = version with `+` as `_`); returns the
/// manifest digest and the chart archive.
pub fn push_helm_chart(p: &Pusher, repo: &str, name: &str, version: &str) -> (String, Vec<u8>) {
    let archive = chart_tgz(name, version);
    let config = format!(r#"{{"apiVersion":"v2","name":"{name}","version":"{version}"}}"#);
    let d = p.push(
        repo,
        &version.replace('+', "_"),
        (HELM_CONFIG, config.as_bytes()),
        &[(HELM_CHART, &archive)],
        serde_json::json!({"org.opencontainers.image.title": name, "org.opencontainers.image.version": version}),
    );
    (d, archive)
}
