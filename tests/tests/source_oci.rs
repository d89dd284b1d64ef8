//! OCI sources against the test registries (scripts/test-registry.sh): Flux artifacts
//! pulled by tag, digest and range, with every auth method (anonymous, basic, Docker
//! token, a Docker config JSON), Flux's layer selection, Helm charts from `oci://`; and
//! refusals (wrong credentials, untrusted CA, digest mismatch, hostile and oversized
//! content).

use gitward::io::helm_repo::{HelmRepoOptions, fetch_chart_sync};
use gitward::io::http::{ErrorKind, TlsOptions};
use gitward::io::oci::{ArtifactContent, OciOptions, OciReference, fetch_artifact_sync};
use gitward::source::oci::{
    Credentials, Digest, DockerConfig, LayerOperation, LayerSelector, UnpackedEntry,
};
use gitward_tests::oci_push::{self, Pusher, Which};
use gitward_tests::{Registry, helm_repo, registry, unique_name};

fn ca(r: &Registry) -> TlsOptions {
    TlsOptions {
        ca_pem: Some(std::fs::read(&r.ca).expect("CA")),
        ..TlsOptions::default()
    }
}

fn opts(r: &Registry, which: Which) -> OciOptions {
    let mut o = OciOptions::default();
    match which {
        Which::Plain => o.insecure = true,
        Which::Basic | Which::Token => {
            o.tls = ca(r);
            o.credentials = Some(Credentials::Basic {
                username: r.user.clone(),
                password: r.password.clone(),
            });
        }
    }
    o
}

fn host(r: &Registry, which: Which) -> &str {
    match which {
        Which::Plain => &r.plain,
        Which::Basic => &r.secure,
        Which::Token => &r.token,
    }
}

const FILES: &[(&str, &[u8])] = &[
    (
        "deploy/configmap.yaml",
        b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n",
    ),
    (
        "kustomization.yaml",
        b"resources:\n- deploy/configmap.yaml\n",
    ),
];

fn files(a: &gitward::io::oci::OciArtifact) -> Vec<(String, Vec<u8>)> {
    let ArtifactContent::Files(entries) = &a.content else {
        panic!("extracted files expected")
    };
    entries
        .iter()
        .filter_map(|e| match e {
            UnpackedEntry::File { path, data, .. } => Some((path.clone(), data.clone())),
            UnpackedEntry::Dir { .. } => None,
        })
        .collect()
}

fn pull_everywhere(which: Which) {
    let r = registry();
    let repo = format!("gitward/{}", unique_name("flux"));
    let p = Pusher::new(r, which, &repo);
    let v1 = oci_push::push_flux_artifact(&p, &repo, "v1.0.0", FILES);
    let latest = oci_push::push_flux_artifact(&p, &repo, "latest", &FILES[..1]);
    let url = format!("oci://{}/{repo}", host(r, which));
    let o = opts(r, which);
    let layer = LayerSelector::default();

    let a = fetch_artifact_sync(&url, &OciReference::Latest, &layer, &o).expect("latest");
    assert_eq!(a.revision, format!("latest@{latest}"));
    assert_eq!(files(&a).len(), 1);
    assert_eq!(
        a.annotations
            .get("org.opencontainers.image.revision")
            .map(String::as_str),
        Some("main@sha1:0123456789abcdef0123456789abcdef01234567")
    );

    let mut a =
        fetch_artifact_sync(&url, &OciReference::Tag("v1.0.0".into()), &layer, &o).expect("tag");
    assert_eq!(a.revision, format!("v1.0.0@{v1}"));
    let got = files(&a);
    assert_eq!(got.len(), 2);
    assert!(
        got.iter()
            .any(|(p, d)| p == "kustomization.yaml" && d == FILES[1].1)
    );
    // Flux's digest of an extracted layer is that of the tarball source-controller
    // archives the files into (directories included, modes normalised), not the layer's.
    let expected = {
        use gitward::source::artifact::{Artifact, Entry};
        let entries = vec![
            Entry::dir("", 0o755),
            Entry::dir("deploy", 0o755),
            Entry::file("deploy/configmap.yaml", 0o644, FILES[0].1),
            Entry::file("kustomization.yaml", 0o644, FILES[1].1),
        ];
        Artifact::from_git_checkout(&entries, None)
            .and_then(|a| a.pack())
            .expect("pack")
            .digest
    };
    assert_eq!(a.digest.to_string(), expected);
    assert_ne!(a.digest, a.layer.parsed_digest().expect("layer digest"));
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("artifact");
    a.save(&dir).expect("save");
    assert_eq!(
        std::fs::read(dir.join("deploy/configmap.yaml")).expect("file"),
        FILES[0].1
    );

    let d = Digest::parse(&v1).expect("digest");
    let a =
        fetch_artifact_sync(&url, &OciReference::Digest(d.clone()), &layer, &o).expect("digest");
    assert_eq!(
        a.revision, v1,
        "pulled by digest, the revision is the digest"
    );
}

#[test]
fn flux_artifacts_from_the_plain_registry() {
    pull_everywhere(Which::Plain);
}

#[test]
fn flux_artifacts_with_basic_auth() {
    pull_everywhere(Which::Basic);
}

#[test]
fn flux_artifacts_with_docker_token_auth() {
    pull_everywhere(Which::Token);
}

#[test]
fn semver_picks_the_highest_stable_tag() {
    let r = registry();
    let repo = format!("gitward/{}", unique_name("semver"));
    let p = Pusher::new(r, Which::Plain, &repo);
    for t in ["1.0.0", "1.2.0", "1.10.0", "2.0.0-rc.1", "latest"] {
        oci_push::push_flux_artifact(&p, &repo, t, FILES);
    }
    let url = format!("oci://{}/{repo}", r.plain);
    let o = opts(r, Which::Plain);
    let a = fetch_artifact_sync(
        &url,
        &OciReference::Semver("*".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect("semver");
    assert!(a.revision.starts_with("1.10.0@sha256:"), "{}", a.revision);
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Semver("9.9.9".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("no match");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert!(
        e.message.ends_with("no match found for semver: 9.9.9"),
        "{e}"
    );
}

#[test]
fn layer_selection_and_copy() {
    let r = registry();
    let repo = format!("gitward/{}", unique_name("layers"));
    let p = Pusher::new(r, Which::Plain, &repo);
    let yaml_layer = b"kind: ConfigMap\n".to_vec();
    let content = oci_push::tgz(FILES);
    let manifest = p.push(
        &repo,
        "v1",
        (oci_push::FLUX_CONFIG, b"{}"),
        &[
            ("application/vnd.example.yaml", &yaml_layer),
            (oci_push::FLUX_CONTENT, &content),
        ],
        serde_json::json!({}),
    );
    let url = format!("oci://{}/{repo}", r.plain);
    let o = opts(r, Which::Plain);
    let tag = OciReference::Tag("v1".into());
    let copy = LayerSelector {
        media_type: Some(oci_push::FLUX_CONTENT.into()),
        operation: LayerOperation::Copy,
    };
    let mut a = fetch_artifact_sync(&url, &tag, &copy, &o).expect("copy");
    assert_eq!(a.content, ArtifactContent::Blob(content.clone()));
    assert_eq!(
        a.digest,
        Digest::sha256_of(&content),
        "a copied layer's digest is the blob's"
    );
    let out = tempfile::tempdir().expect("tempdir");
    let path = a.save(out.path()).expect("save");
    assert_eq!(path, out.path().join(format!("{manifest}.tgz")));

    let first = LayerSelector {
        media_type: None,
        operation: LayerOperation::Copy,
    };
    let a = fetch_artifact_sync(&url, &tag, &first, &o).expect("first layer");
    assert_eq!(a.content, ArtifactContent::Blob(yaml_layer));

    let absent = LayerSelector {
        media_type: Some("application/x-absent".into()),
        operation: LayerOperation::Extract,
    };
    let e = fetch_artifact_sync(&url, &tag, &absent, &o).expect_err("absent layer");
    assert_eq!(
        e.message,
        "failed to find layer with media type 'application/x-absent' in artifact"
    );
}

#[test]
fn wrong_or_missing_credentials_are_refused() {
    let r = registry();
    for which in [Which::Basic, Which::Token] {
        let repo = format!("gitward/{}", unique_name("auth"));
        let p = Pusher::new(r, which, &repo);
        oci_push::push_flux_artifact(&p, &repo, "latest", FILES);
        let url = format!("oci://{}/{repo}", host(r, which));
        let mut o = opts(r, which);
        o.credentials = None;
        let e = fetch_artifact_sync(&url, &OciReference::Latest, &LayerSelector::default(), &o)
            .expect_err("anonymous");
        assert_eq!(e.kind, ErrorKind::Auth, "{which:?}: {e}");
        o.credentials = Some(Credentials::Basic {
            username: r.user.clone(),
            password: "not-the-password-7x".into(),
        });
        let e = fetch_artifact_sync(&url, &OciReference::Latest, &LayerSelector::default(), &o)
            .expect_err("wrong password");
        assert_eq!(e.kind, ErrorKind::Auth, "{which:?}: {e}");
        assert!(!e.message.contains("not-the-password-7x"));
    }
}

#[test]
fn credentials_from_a_docker_config() {
    use base64::Engine as _;
    let r = registry();
    let auth =
        base64::engine::general_purpose::STANDARD.encode(format!("{}:{}", r.user, r.password));
    let config = format!(
        r#"{{"auths": {{"https://{}/v1/": {{"auth": "{auth}"}}, "{}": {{"username": "{}", "password": "{}"}}}}}}"#,
        r.token, r.secure, r.user, r.password
    );
    let cfg = DockerConfig::parse(config.as_bytes()).expect("docker config");
    for which in [Which::Token, Which::Basic] {
        let repo = format!("gitward/{}", unique_name("dockercfg"));
        let p = Pusher::new(r, which, &repo);
        let d = oci_push::push_flux_artifact(&p, &repo, "latest", FILES);
        let mut o = OciOptions::default();
        o.tls = ca(r);
        o.docker_config = Some(cfg.clone());
        let url = format!("oci://{}/{repo}", host(r, which));
        let a = fetch_artifact_sync(&url, &OciReference::Latest, &LayerSelector::default(), &o)
            .expect("credentials from the config");
        assert_eq!(a.manifest_digest.to_string(), d);
    }
}

#[test]
fn an_untrusted_registry_is_refused() {
    let r = registry();
    let mut o = opts(r, Which::Basic);
    o.tls = TlsOptions::default();
    let e = fetch_artifact_sync(
        &format!("oci://{}/gitward/anything", r.secure),
        &OciReference::Latest,
        &LayerSelector::default(),
        &o,
    )
    .expect_err("untrusted");
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.contains("UnknownIssuer") || e.message.contains("certificate"),
        "{e}"
    );
}

#[test]
fn urls_with_tags_and_unknown_tags() {
    let r = registry();
    let o = opts(r, Which::Plain);
    let e = fetch_artifact_sync(
        &format!("oci://{}/gitward/app:v1", r.plain),
        &OciReference::Latest,
        &LayerSelector::default(),
        &o,
    )
    .expect_err("tag in URL");
    assert!(
        e.message
            .ends_with("URL must not contain a tag; remove ':v1'"),
        "{e}"
    );
    let e = fetch_artifact_sync(
        &format!("oci://{}/gitward/{}", r.plain, unique_name("never-pushed")),
        &OciReference::Latest,
        &LayerSelector::default(),
        &o,
    )
    .expect_err("unknown repository");
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
}

/// A hand-made "registry" of static files served by the test Helm repository's nginx over
/// plain HTTP: it can serve what real registries never do (content that does not match
/// its digest, oversized manifests).
struct StaticRegistry {
    host: String,
    root: std::path::PathBuf,
}

impl StaticRegistry {
    fn new(repo: &str) -> StaticRegistry {
        let h = helm_repo();
        let root = h.dir.join("v2").join(repo);
        std::fs::create_dir_all(root.join("manifests")).expect("manifests");
        std::fs::create_dir_all(root.join("blobs")).expect("blobs");
        StaticRegistry {
            host: h.http_url.trim_start_matches("http://").to_owned(),
            root,
        }
    }

    fn blob(&self, digest: &str, bytes: &[u8]) {
        std::fs::write(self.root.join("blobs").join(digest), bytes).expect("blob");
    }

    fn manifest(&self, reference: &str, bytes: &[u8]) {
        std::fs::write(self.root.join("manifests").join(reference), bytes).expect("manifest");
    }
}

fn manifest_json(
    config: &[u8],
    layer_media: &str,
    layer_digest: &str,
    layer_size: usize,
) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": oci_push::MANIFEST_TYPE,
        "config": {"mediaType": oci_push::FLUX_CONFIG, "digest": oci_push::digest(config), "size": config.len()},
        "layers": [{"mediaType": layer_media, "digest": layer_digest, "size": layer_size}]
    }))
    .expect("json")
}

#[test]
fn digest_mismatches_are_refused() {
    let repo = unique_name("mismatch");
    let s = StaticRegistry::new(&repo);
    let url = format!("oci://{}/{repo}", s.host);
    let mut o = OciOptions::default();
    o.insecure = true;
    let layer = oci_push::tgz(FILES);
    let claimed = oci_push::digest(&layer);

    // A blob whose bytes are not those of its digest.
    let mut tampered = layer.clone();
    let last = tampered.len() - 1;
    tampered[last] ^= 0xff;
    s.blob(&claimed, &tampered);
    let m = manifest_json(b"{}", oci_push::FLUX_CONTENT, &claimed, layer.len());
    s.manifest("v1", &m);
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Tag("v1".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("blob mismatch");
    assert_eq!(e.kind, ErrorKind::Digest, "{e}");
    assert!(e.message.contains(&claimed), "{e}");

    // A manifest asked for by a digest it does not have.
    let other = oci_push::digest(b"another manifest");
    s.manifest(&other, &m);
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Digest(Digest::parse(&other).expect("digest")),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("manifest mismatch");
    assert_eq!(e.kind, ErrorKind::Digest, "{e}");
}

#[test]
fn oversized_manifests_and_hostile_layers_are_refused() {
    let repo = unique_name("hostile");
    let s = StaticRegistry::new(&repo);
    let url = format!("oci://{}/{repo}", s.host);
    let mut o = OciOptions::default();
    o.insecure = true;

    s.manifest("huge", &vec![b' '; 5 << 20]);
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Tag("huge".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("oversized");
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");

    let evil = {
        // `tar` refuses to write `..`; patch the name in the header.
        let mut b = tar::Builder::new(Vec::new());
        let mut h = tar::Header::new_gnu();
        h.set_size(1);
        h.set_mode(0o644);
        h.set_entry_type(tar::EntryType::Regular);
        b.append_data(&mut h, "xx/escape", &b"x"[..])
            .expect("entry");
        let mut t = b.into_inner().expect("tar");
        t[..9].copy_from_slice(b"../escape");
        let sum: u32 = t[..512]
            .iter()
            .enumerate()
            .map(|(i, &c)| {
                if (148..156).contains(&i) {
                    32
                } else {
                    u32::from(c)
                }
            })
            .sum();
        t[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        use std::io::Write as _;
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        gz.write_all(&t).expect("gzip");
        gz.finish().expect("gzip")
    };
    let d = oci_push::digest(&evil);
    s.blob(&d, &evil);
    s.manifest(
        "evil",
        &manifest_json(b"{}", oci_push::FLUX_CONTENT, &d, evil.len()),
    );
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Tag("evil".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("hostile layer");
    assert!(e.message.contains("invalid name"), "{e}");

    // An absolute name is refused too.
    let absolute = raw_layer(&[("ok.yaml", b'0', b"a: 1\n"), ("/etc/evil", b'0', b"x")]);
    let d = oci_push::digest(&absolute);
    s.blob(&d, &absolute);
    s.manifest(
        "absolute",
        &manifest_json(b"{}", oci_push::FLUX_CONTENT, &d, absolute.len()),
    );
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Tag("absolute".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect_err("absolute name");
    assert!(e.message.contains("invalid name"), "{e}");

    // Links pointing out of the root are never created (Flux skips symbolic links; a
    // hard link extracts as an empty file), so nothing lands or is read outside.
    let links = raw_layer(&[
        ("ok.yaml", b'0', b"a: 1\n"),
        ("passwd", b'2', b"/etc/passwd"),
        ("up", b'2', b"../../../.."),
        ("up/escape.yaml", b'0', b"b: 2\n"),
        ("hard", b'1', b"/etc/passwd"),
    ]);
    let d = oci_push::digest(&links);
    s.blob(&d, &links);
    s.manifest(
        "links",
        &manifest_json(b"{}", oci_push::FLUX_CONTENT, &d, links.len()),
    );
    let mut a = fetch_artifact_sync(
        &url,
        &OciReference::Tag("links".into()),
        &LayerSelector::default(),
        &o,
    )
    .expect("links are skipped");
    let got = files(&a);
    assert_eq!(
        got,
        [
            ("ok.yaml".to_owned(), b"a: 1\n".to_vec()),
            ("up/escape.yaml".to_owned(), b"b: 2\n".to_vec()),
            ("hard".to_owned(), Vec::new()),
        ]
    );
    let out = tempfile::tempdir().expect("tempdir");
    let dir = out.path().join("links");
    a.save(&dir).expect("save");
    assert!(std::fs::symlink_metadata(dir.join("passwd")).is_err());
    for name in ["up", "hard"] {
        let m = std::fs::symlink_metadata(dir.join(name)).expect(name);
        assert!(!m.file_type().is_symlink(), "{name} is a link");
    }
    assert!(dir.join("up/escape.yaml").is_file());
    assert!(!out.path().join("escape.yaml").exists());

    let bomb = oci_push::tgz(&[("big", &vec![0u8; 8 << 20])]);
    let d = oci_push::digest(&bomb);
    s.blob(&d, &bomb);
    s.manifest(
        "bomb",
        &manifest_json(b"{}", oci_push::FLUX_CONTENT, &d, bomb.len()),
    );
    let mut small = o.clone();
    small.unpack.max_bytes = 1 << 20;
    let e = fetch_artifact_sync(
        &url,
        &OciReference::Tag("bomb".into()),
        &LayerSelector::default(),
        &small,
    )
    .expect_err("bomb");
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
}

/// A gzipped tarball written header by header, so that it can hold what `tar::Builder`
/// refuses to write (absolute names, links anywhere). A link's "data" is its target.
fn raw_layer(entries: &[(&str, u8, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut tar = Vec::new();
    for (name, kind, data) in entries {
        let (target, data): (&[u8], &[u8]) = if *kind == b'1' || *kind == b'2' {
            (data, b"")
        } else {
            (b"", data)
        };
        let mut hd = [0u8; 512];
        hd[..name.len()].copy_from_slice(name.as_bytes());
        hd[100..107].copy_from_slice(b"0000644");
        hd[108..115].copy_from_slice(b"0000000");
        hd[116..123].copy_from_slice(b"0000000");
        hd[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        hd[136..147].copy_from_slice(b"00000000000");
        hd[156] = *kind;
        hd[157..157 + target.len()].copy_from_slice(target);
        hd[257..263].copy_from_slice(b"ustar\0");
        hd[263..265].copy_from_slice(b"00");
        hd[148..156].copy_from_slice(b"        ");
        let sum: u32 = hd.iter().map(|&b| u32::from(b)).sum();
        hd[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend_from_slice(&hd);
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

#[test]
fn helm_charts_from_oci() {
    let r = registry();
    let base = format!("gitward/{}", unique_name("charts"));
    let repo = format!("{base}/app");
    let p = Pusher::new(r, Which::Token, &repo);
    let mut pushed = std::collections::BTreeMap::new();
    for v in ["0.1.0", "0.2.0", "1.0.0+build.1", "2.0.0-rc.1"] {
        pushed.insert(v, oci_push::push_helm_chart(&p, &repo, "app", v));
    }
    let mut o = HelmRepoOptions::default();
    o.tls = ca(r);
    o.auth = Some(gitward::io::http::BasicAuth {
        username: r.user.clone(),
        password: r.password.clone(),
    });
    let repo_url = format!("oci://{}/{base}", r.token);
    let c = fetch_chart_sync(&repo_url, "app", None, &o).expect("latest stable");
    assert_eq!(
        c.version, "1.0.0+build.1",
        "tags with _ are versions with +"
    );
    assert_eq!(c.digest, Digest::sha256_of(&pushed["1.0.0+build.1"].1));
    let c = fetch_chart_sync(&repo_url, "app", Some("0.1.0"), &o).expect("exact");
    assert_eq!(
        (c.revision.as_str(), c.digest.clone()),
        ("0.1.0", Digest::sha256_of(&pushed["0.1.0"].1))
    );

    // Pinned by digest (and the tag, when given, must match it).
    let d = &pushed["0.2.0"].0;
    let c = fetch_chart_sync(&format!("{repo_url}/app@{d}"), "", None, &o).expect("by digest");
    assert_eq!(c.version, "0.2.0");
    let e = fetch_chart_sync(&format!("{repo_url}/app@{d}"), "", Some("0.1.0"), &o)
        .expect_err("tag/digest mismatch");
    assert_eq!(e.kind, ErrorKind::Digest, "{e}");

    let e = fetch_chart_sync(&repo_url, "app", Some("9.9.9"), &o).expect_err("absent version");
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    let mut anon = o.clone();
    anon.auth = None;
    let e = fetch_chart_sync(&repo_url, "app", None, &anon).expect_err("anonymous");
    assert_eq!(e.kind, ErrorKind::Auth, "{e}");
}
