//! Smoke tests of the OCI registries (scripts/test-registry.sh): push and pull
//! an OCI artifact with a minimal distribution-API client, plain and over TLS
//! with basic auth, and over TLS with bearer tokens from a token server.

use base64::Engine as _;
use gitward_tests::{http_agent, registry, unique_name};
use sha2::{Digest as _, Sha256};

const MANIFEST_TYPE: &str = "application/vnd.oci.image.manifest.v1+json";

fn digest(bytes: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(bytes))
}

/// A minimal OCI distribution client: just what pushing and pulling one artifact needs.
struct Oci {
    agent: ureq::Agent,
    base: String,
    auth: Option<String>,
}

impl Oci {
    fn new(base: &str, auth: Option<(&str, &str)>) -> Oci {
        let r = registry();
        Oci {
            agent: http_agent(&r.ca),
            base: base.to_owned(),
            auth: auth.map(|(u, p)| {
                format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!("{u}:{p}"))
                )
            }),
        }
    }

    fn with_auth<B>(&self, req: ureq::RequestBuilder<B>) -> ureq::RequestBuilder<B> {
        match &self.auth {
            Some(a) => req.header("Authorization", a),
            None => req,
        }
    }

    fn absolute(&self, location: &str) -> String {
        if location.starts_with("http://") || location.starts_with("https://") {
            location.to_owned()
        } else {
            format!("{}{location}", self.base)
        }
    }

    fn push_blob(&self, repo: &str, bytes: &[u8]) -> String {
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
            .expect("upload Location");
        let mut url = self.absolute(location);
        url.push(if url.contains('?') { '&' } else { '?' });
        url.push_str(&format!("digest={d}"));
        let resp = self
            .with_auth(self.agent.put(url))
            .header("Content-Type", "application/octet-stream")
            .send(bytes)
            .expect("finish upload");
        assert_eq!(resp.status().as_u16(), 201, "finish upload");
        let resp = self
            .with_auth(
                self.agent
                    .head(format!("{}/v2/{repo}/blobs/{d}", self.base)),
            )
            .call()
            .expect("HEAD blob");
        assert_eq!(resp.status().as_u16(), 200, "blob exists after upload");
        d
    }

    fn push_manifest(&self, repo: &str, tag: &str, manifest: &[u8]) -> String {
        let resp = self
            .with_auth(
                self.agent
                    .put(format!("{}/v2/{repo}/manifests/{tag}", self.base)),
            )
            .header("Content-Type", MANIFEST_TYPE)
            .send(manifest)
            .expect("PUT manifest");
        assert_eq!(resp.status().as_u16(), 201, "PUT manifest");
        resp.headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .expect("Docker-Content-Digest")
            .to_owned()
    }

    fn get(&self, path: &str, accept: &str) -> (u16, Vec<u8>, Option<String>) {
        let mut resp = self
            .with_auth(self.agent.get(format!("{}{path}", self.base)))
            .header("Accept", accept)
            .call()
            .expect("GET");
        let status = resp.status().as_u16();
        let dcd = resp
            .headers()
            .get("Docker-Content-Digest")
            .and_then(|v| v.to_str().ok())
            .map(str::to_owned);
        let body = resp.body_mut().read_to_vec().expect("body");
        (status, body, dcd)
    }

    /// Pushes an artifact (a Helm-chart-shaped one: config + one layer) and pulls it back.
    fn with_bearer(base: &str, token: &str) -> Oci {
        let mut oci = Oci::new(base, None);
        oci.auth = Some(format!("Bearer {token}"));
        oci
    }

    fn round_trip(&self) {
        self.round_trip_in(&format!("gitward/{}", unique_name("artifact")));
    }

    fn round_trip_in(&self, repo: &str) {
        let repo = repo.to_owned();
        let config = br#"{"name":"gitward-smoke","version":"0.1.0","apiVersion":"v2"}"#.to_vec();
        let layer = b"gitward smoke artifact payload\n".repeat(100);
        let config_digest = self.push_blob(&repo, &config);
        let layer_digest = self.push_blob(&repo, &layer);
        assert_eq!(layer_digest, digest(&layer));

        let manifest = serde_json::to_vec(&serde_json::json!({
            "schemaVersion": 2,
            "mediaType": MANIFEST_TYPE,
            "config": {
                "mediaType": "application/vnd.cncf.helm.config.v1+json",
                "digest": config_digest,
                "size": config.len()
            },
            "layers": [{
                "mediaType": "application/vnd.cncf.helm.chart.content.v1.tar+gzip",
                "digest": layer_digest,
                "size": layer.len(),
                "annotations": { "org.opencontainers.image.title": "gitward-smoke-0.1.0.tgz" }
            }],
            "annotations": { "org.opencontainers.image.created": "2020-01-01T00:00:00Z" }
        }))
        .expect("manifest json");
        let manifest_digest = self.push_manifest(&repo, "0.1.0", &manifest);
        assert_eq!(manifest_digest, digest(&manifest));

        // Pull by tag: the very bytes pushed, under the same digest.
        let (status, body, dcd) = self.get(&format!("/v2/{repo}/manifests/0.1.0"), MANIFEST_TYPE);
        assert_eq!(status, 200);
        assert_eq!(body, manifest);
        assert_eq!(dcd.as_deref(), Some(manifest_digest.as_str()));
        // ... and by digest.
        let (status, body, _) = self.get(
            &format!("/v2/{repo}/manifests/{manifest_digest}"),
            MANIFEST_TYPE,
        );
        assert_eq!(status, 200);
        assert_eq!(digest(&body), manifest_digest);

        // Pull the layer the manifest names, and verify its digest.
        let pulled: serde_json::Value = serde_json::from_slice(&body).expect("manifest");
        let layer_ref = pulled["layers"][0]["digest"]
            .as_str()
            .expect("layer digest");
        let (status, blob, _) = self.get(&format!("/v2/{repo}/blobs/{layer_ref}"), "*/*");
        assert_eq!(status, 200);
        assert_eq!(digest(&blob), layer_ref);
        assert_eq!(blob, layer);

        // The tag is listed.
        let (status, tags, _) = self.get(&format!("/v2/{repo}/tags/list"), "application/json");
        assert_eq!(status, 200);
        let tags: serde_json::Value = serde_json::from_slice(&tags).expect("tags json");
        assert_eq!(tags["tags"], serde_json::json!(["0.1.0"]));

        // A digest that was never pushed is not there.
        let (status, _, _) = self.get(&format!("/v2/{repo}/blobs/{}", digest(b"absent")), "*/*");
        assert_eq!(status, 404);
    }
}

#[test]
fn push_and_pull_an_artifact_on_the_plain_registry() {
    let r = registry();
    assert!(r.plain_url.starts_with("http://127.0.0.1:"));
    Oci::new(&r.plain_url, None).round_trip();
}

#[test]
fn push_and_pull_an_artifact_over_tls_with_basic_auth() {
    let r = registry();
    assert!(r.secure_url.starts_with("https://127.0.0.1:"));
    Oci::new(&r.secure_url, Some((&r.user, &r.password))).round_trip();
}

#[test]
fn secure_registry_refuses_missing_or_wrong_credentials() {
    let r = registry();
    let (status, _, _) = Oci::new(&r.secure_url, None).get("/v2/", "application/json");
    assert_eq!(status, 401);
    let resp = http_agent(&r.ca)
        .get(format!("{}/v2/", r.secure_url))
        .call()
        .expect("GET /v2/");
    let challenge = resp
        .headers()
        .get("WWW-Authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(challenge.starts_with("Basic "), "challenge: {challenge}");
    let (status, _, _) =
        Oci::new(&r.secure_url, Some((&r.user, "wrong"))).get("/v2/", "application/json");
    assert_eq!(status, 401);
    let (status, _, _) =
        Oci::new(&r.secure_url, Some((&r.user, &r.password))).get("/v2/", "application/json");
    assert_eq!(status, 200);
}

#[test]
fn secure_registry_is_not_trusted_without_the_test_ca() {
    // An agent with the usual web roots must refuse the test CA's certificate.
    let r = registry();
    let err = ureq::get(format!("{}/v2/", r.secure_url))
        .call()
        .expect_err("the test CA is not a public root");
    let msg = err.to_string();
    assert!(
        msg.to_lowercase().contains("certificate") || matches!(err, ureq::Error::Rustls(_)),
        "unexpected error: {msg}"
    );
}

/// `key="value"` parameters of a `WWW-Authenticate: Bearer ...` challenge.
fn challenge_params(challenge: &str) -> std::collections::BTreeMap<String, String> {
    let rest = challenge
        .strip_prefix("Bearer ")
        .unwrap_or_else(|| panic!("not a Bearer challenge: {challenge}"));
    let mut params = std::collections::BTreeMap::new();
    let mut rest = rest.trim();
    while let Some((key, after)) = rest.split_once("=\"") {
        let Some((value, tail)) = after.split_once('"') else {
            break;
        };
        params.insert(key.trim().to_owned(), value.to_owned());
        rest = tail.trim_start_matches(',').trim();
    }
    params
}

/// The Docker token flow: the registry's 401 names the token realm and
/// service; the token server, given basic credentials, issues a bearer token
/// for `scope`. Returns the HTTP status of the token request and the token.
fn bearer_token(user: &str, password: &str, scope: &str) -> (u16, Option<String>) {
    let r = registry();
    let agent = http_agent(&r.ca);
    let resp = agent
        .get(format!("{}/v2/", r.token_url))
        .call()
        .expect("GET /v2/");
    assert_eq!(resp.status().as_u16(), 401);
    let challenge = resp
        .headers()
        .get("WWW-Authenticate")
        .and_then(|v| v.to_str().ok())
        .expect("WWW-Authenticate")
        .to_owned();
    let params = challenge_params(&challenge);
    assert_eq!(params.get("realm"), Some(&r.token_realm), "{challenge}");
    let service = params.get("service").expect("service in challenge");
    let basic = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    let mut resp = agent
        .get(&r.token_realm)
        .query("service", service)
        .query("scope", scope)
        .header("Authorization", format!("Basic {basic}"))
        .call()
        .expect("GET token");
    let status = resp.status().as_u16();
    let body = resp.body_mut().read_to_string().unwrap_or_default();
    let body: serde_json::Value = serde_json::from_str(&body).unwrap_or_default();
    (status, body["token"].as_str().map(str::to_owned))
}

#[test]
fn push_and_pull_an_artifact_with_bearer_tokens() {
    let r = registry();
    assert!(r.token_url.starts_with("https://127.0.0.1:"));
    let repo = format!("gitward/{}", unique_name("token"));
    let (status, token) = bearer_token(
        &r.user,
        &r.password,
        &format!("repository:{repo}:pull,push"),
    );
    assert_eq!(status, 200);
    let token = token.expect("token");
    Oci::with_bearer(&r.token_url, &token).round_trip_in(&repo);
}

#[test]
fn token_registry_enforces_scopes_and_credentials() {
    let r = registry();
    let repo = format!("gitward/{}", unique_name("scoped"));

    // The token server refuses wrong credentials.
    let (status, token) = bearer_token(&r.user, "wrong", &format!("repository:{repo}:pull"));
    assert_eq!(status, 401);
    assert!(token.is_none());

    // A pull-only token cannot start an upload.
    let (status, token) = bearer_token(&r.user, &r.password, &format!("repository:{repo}:pull"));
    assert_eq!(status, 200);
    let oci = Oci::with_bearer(&r.token_url, &token.expect("token"));
    let resp = oci
        .agent
        .post(format!("{}/v2/{repo}/blobs/uploads/", r.token_url))
        .header("Authorization", oci.auth.as_deref().unwrap_or_default())
        .send_empty()
        .expect("POST upload");
    assert_eq!(resp.status().as_u16(), 401);
    let challenge = resp
        .headers()
        .get("WWW-Authenticate")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    assert!(challenge.contains("insufficient_scope"), "{challenge}");

    // A token for another repository does not open this one.
    let (_, other) = bearer_token(&r.user, &r.password, "repository:gitward/other:pull,push");
    let (status, _, _) = Oci::with_bearer(&r.token_url, &other.expect("token"))
        .get(&format!("/v2/{repo}/tags/list"), "application/json");
    assert_eq!(status, 401);
}
