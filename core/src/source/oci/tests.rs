use super::*;

use std::io::Write as _;

#[test]
fn digests_parse_print_and_verify() {
    let d = Digest::sha256_of(b"hello");
    assert_eq!(
        d.to_string(),
        "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
    );
    assert_eq!(Digest::parse(&d.to_string()), Ok(d.clone()));
    assert!(d.verify(b"hello", "blob").is_ok());
    let e = d.verify(b"hellO", "layer x").expect_err("mismatch");
    assert!(
        matches!(&e, OciError::DigestMismatch { what, .. } if what == "layer x"),
        "{e}"
    );
    for bad in [
        "sha256:abc",
        "md5:00",
        "sha256",
        "sha256:2CF24DBA5FB0A30E26E83B2AC5B9E29E1B161E5C1FA7425E73043362938B9824",
    ] {
        assert!(Digest::parse(bad).is_err(), "{bad}");
    }
    let long = format!("sha512:{}", "a".repeat(128));
    assert_eq!(
        Digest::parse(&long).map(|d| d.algorithm()),
        Ok(DigestAlgorithm::Sha512)
    );
    let mut h = Hasher::new(DigestAlgorithm::Sha256);
    h.update(b"hel");
    h.update(b"lo");
    assert_eq!(h.finish(), d);
}

#[test]
fn oci_urls_parse_as_go_containerregistry_reads_them() {
    let u = OciUrl::parse("oci://127.0.0.1:5000/gitward/app").expect("url");
    assert_eq!(
        (u.registry.as_str(), u.repository.as_str()),
        ("127.0.0.1:5000", "gitward/app")
    );
    assert_eq!(u.tag, None);
    let u = OciUrl::parse("oci://ghcr.io/org/charts/podinfo:6.5.0").expect("tag");
    assert_eq!(u.tag.as_deref(), Some("6.5.0"));
    assert_eq!(u.to_string(), "oci://ghcr.io/org/charts/podinfo:6.5.0");
    let d = Digest::sha256_of(b"x");
    let u = OciUrl::parse(&format!("oci://localhost/app@{d}")).expect("digest");
    assert_eq!(u.digest, Some(d));
    let u = OciUrl::parse("oci://stefanprodan/podinfo").expect("docker hub");
    assert_eq!(
        (u.registry.as_str(), u.repository.as_str()),
        (DOCKER_HUB_REGISTRY, "stefanprodan/podinfo")
    );
    let u = OciUrl::parse("oci://docker.io/nginx").expect("docker hub official");
    assert_eq!(u.registry, DOCKER_HUB_REGISTRY);
    let u = OciUrl::parse("oci://nginx").expect("official image");
    assert_eq!(u.repository, "library/nginx");
    for bad in [
        "https://ghcr.io/org/app",
        "oci://ghcr.io",
        "oci://ghcr.io/Org/App",
        "oci://ghcr.io/org/app:bad tag",
        "oci://ghcr.io/org//app",
        "oci://ghcr.io/org/app@sha256:xyz",
        "oci://ghcr.io/org/-app",
    ] {
        assert!(OciUrl::parse(bad).is_err(), "{bad}");
    }
    let base = OciUrl::parse("oci://ghcr.io/org/charts").expect("base");
    assert_eq!(
        base.join("podinfo").expect("join").name(),
        "ghcr.io/org/charts/podinfo"
    );
    assert!(base.join("Bad").is_err());
}

#[test]
fn revisions_and_tags() {
    let d = Digest::sha256_of(b"m");
    assert_eq!(flux_revision(Some("latest"), &d), format!("latest@{d}"));
    assert_eq!(flux_revision(None, &d), d.to_string());
    assert_eq!(version_to_tag("1.0.0+build.1"), "1.0.0_build.1");
    assert_eq!(tag_to_version("1.0.0_build.1"), "1.0.0+build.1");
}

fn manifest_json(layers: &[(&str, &str)]) -> Vec<u8> {
    let layers: Vec<serde_json::Value> = layers
        .iter()
        .map(|(m, d)| serde_json::json!({"mediaType": m, "digest": d, "size": 1}))
        .collect();
    serde_json::to_vec(&serde_json::json!({
        "schemaVersion": 2,
        "mediaType": OCI_MANIFEST_MEDIA_TYPE,
        "config": {"mediaType": FLUX_CONFIG_MEDIA_TYPE, "digest": Digest::sha256_of(b"{}").to_string(), "size": 2},
        "layers": layers,
        "annotations": {"org.opencontainers.image.revision": "main@sha1:abc"}
    }))
    .expect("json")
}

#[test]
fn manifests_and_flux_layer_selection() {
    let a = Digest::sha256_of(b"a").to_string();
    let b = Digest::sha256_of(b"b").to_string();
    let bytes = manifest_json(&[
        ("application/vnd.example.other", &a),
        (FLUX_CONTENT_MEDIA_TYPE, &b),
    ]);
    let Manifest::Image(m) =
        parse_manifest(&bytes, None, DEFAULT_MAX_MANIFEST_BYTES).expect("parse")
    else {
        panic!("an image manifest")
    };
    assert_eq!(m.layers.len(), 2);
    // No media type: the first layer.
    let l = select_layer(&m, &LayerSelector::default()).expect("first");
    assert_eq!(l.digest, a);
    let l = select_layer(
        &m,
        &LayerSelector {
            media_type: Some(FLUX_CONTENT_MEDIA_TYPE.into()),
            operation: LayerOperation::Copy,
        },
    )
    .expect("by type");
    assert_eq!(l.digest, b);
    let e = select_layer(
        &m,
        &LayerSelector {
            media_type: Some("application/x-none".into()),
            operation: LayerOperation::Extract,
        },
    )
    .expect_err("absent");
    assert_eq!(
        e.to_string(),
        "failed to find layer with media type 'application/x-none' in artifact"
    );
    let empty = parse_manifest(&manifest_json(&[]), None, 1 << 20).expect("parse");
    let Manifest::Image(empty) = empty else {
        panic!("image")
    };
    assert_eq!(
        select_layer(&empty, &LayerSelector::default())
            .expect_err("none")
            .to_string(),
        "no layers found in artifact"
    );
    assert_eq!(
        parse_manifest(&bytes, None, 10),
        Err(OciError::ManifestTooLarge { limit: 10 })
    );
    assert!(LayerOperation::parse("move").is_err());
    assert_eq!(LayerOperation::parse("copy"), Ok(LayerOperation::Copy));
}

#[test]
fn indexes_and_bad_manifests() {
    let idx = serde_json::json!({"schemaVersion": 2, "manifests": [{"mediaType": OCI_MANIFEST_MEDIA_TYPE, "digest": Digest::sha256_of(b"x").to_string(), "size": 3}]});
    let m = parse_manifest(
        &serde_json::to_vec(&idx).expect("json"),
        Some(OCI_INDEX_MEDIA_TYPE),
        1 << 20,
    )
    .expect("index");
    assert!(matches!(m, Manifest::Index(i) if i.manifests.len() == 1));
    assert!(parse_manifest(b"{\"schemaVersion\": 1}", None, 1 << 20).is_err());
    assert!(parse_manifest(b"not json", None, 1 << 20).is_err());
    assert!(
        parse_manifest(b"{\"schemaVersion\": 2}", None, 1 << 20).is_err(),
        "no config"
    );
}

#[test]
fn helm_chart_manifests() {
    let d = Digest::sha256_of(b"c").to_string();
    let mut m = ImageManifest {
        schema_version: 2,
        media_type: None,
        artifact_type: None,
        config: Descriptor {
            media_type: HELM_CONFIG_MEDIA_TYPE.into(),
            digest: d.clone(),
            size: 1,
            annotations: None,
            artifact_type: None,
        },
        layers: vec![Descriptor {
            media_type: HELM_CHART_MEDIA_TYPE.into(),
            digest: d.clone(),
            size: 1,
            annotations: None,
            artifact_type: None,
        }],
        annotations: None,
    };
    let (l, w) = helm_chart_layer(&m).expect("chart layer");
    assert_eq!(l.media_type, HELM_CHART_MEDIA_TYPE);
    assert_eq!(w, None);
    m.layers[0].media_type = HELM_LEGACY_CHART_MEDIA_TYPE.into();
    let (_, w) = helm_chart_layer(&m).expect("legacy");
    assert!(w.is_some_and(|w| w.contains("deprecated")));
    m.config.media_type = FLUX_CONFIG_MEDIA_TYPE.into();
    assert_eq!(
        helm_chart_layer(&m).expect_err("not a chart").to_string(),
        "could not load config with mediatype application/vnd.cncf.helm.config.v1+json"
    );
}

#[test]
fn challenges_and_tokens() {
    assert_eq!(
        parse_challenge("Basic realm=\"Registry Realm\""),
        Some(Challenge::Basic)
    );
    let c = parse_challenge(
        "Bearer realm=\"https://auth.example.com/token\",service=\"registry.example.com\",scope=\"repository:org/app:pull\",error=\"insufficient_scope\"",
    );
    assert_eq!(
        c,
        Some(Challenge::Bearer {
            realm: "https://auth.example.com/token".into(),
            service: Some("registry.example.com".into()),
            scope: Some("repository:org/app:pull".into()),
            error: Some("insufficient_scope".into()),
        })
    );
    assert_eq!(parse_challenge("Bearer service=\"x\""), None, "no realm");
    assert_eq!(parse_challenge("Negotiate abc"), None);
    assert_eq!(parse_token_response(br#"{"token":"t1"}"#), Ok("t1".into()));
    assert_eq!(
        parse_token_response(br#"{"access_token":"t2"}"#),
        Ok("t2".into())
    );
    let e = parse_token_response(br#"{"secret":"s3cr3t"}"#).expect_err("none");
    assert!(!e.contains("s3cr3t"));
    assert_eq!(pull_scope("org/app"), "repository:org/app:pull");
}

#[test]
fn docker_config_credentials_as_docker_finds_them() {
    let auth = base64::engine::general_purpose::STANDARD.encode("alice:s3cret:with:colons");
    let cfg = format!(
        r#"{{"auths": {{
            "https://registry.example.com/v1/": {{"auth": "{auth}"}},
            "127.0.0.1:5000": {{"username": "bob", "password": "pw"}},
            "https://index.docker.io/v1/": {{"auth": "{auth}"}},
            "tokens.example.com": {{"registrytoken": "tok"}},
            "idp.example.com": {{"identitytoken": "refresh"}},
            "empty.example.com": {{}}
        }}, "credsStore": "desktop"}}"#
    );
    let c = DockerConfig::parse(cfg.as_bytes()).expect("config");
    let basic = |u: &str, p: &str| {
        Some(Credentials::Basic {
            username: u.into(),
            password: p.into(),
        })
    };
    // A URL-shaped key matches its host.
    assert_eq!(
        c.credentials_for("registry.example.com"),
        Ok(basic("alice", "s3cret:with:colons"))
    );
    assert_eq!(c.credentials_for("127.0.0.1:5000"), Ok(basic("bob", "pw")));
    assert_eq!(
        c.credentials_for(DOCKER_HUB_REGISTRY),
        Ok(basic("alice", "s3cret:with:colons"))
    );
    assert_eq!(
        c.credentials_for("tokens.example.com"),
        Ok(Some(Credentials::Bearer {
            token: "tok".into()
        }))
    );
    assert!(c.credentials_for("idp.example.com").is_err());
    assert_eq!(c.credentials_for("empty.example.com"), Ok(None));
    assert_eq!(c.credentials_for("other.example.com"), Ok(None));
    assert_eq!(
        c.credentials_for("127.0.0.1:5001"),
        Ok(None),
        "the port is part of the host"
    );
    // No secret in Debug.
    let shown = format!(
        "{c:?} {:?} {:?}",
        c.credentials_for("127.0.0.1:5000"),
        c.credentials_for("tokens.example.com")
    );
    assert!(
        !shown.contains("pw") && !shown.contains("tok\"") && !shown.contains(&auth),
        "{shown}"
    );
    // Legacy .dockercfg.
    let legacy =
        format!(r#"{{"https://registry.example.com": {{"auth": "{auth}", "email": "a@b.c"}}}}"#);
    let c = DockerConfig::parse(legacy.as_bytes()).expect("legacy");
    assert_eq!(
        c.credentials_for("registry.example.com"),
        Ok(basic("alice", "s3cret:with:colons"))
    );
    // Malformed.
    let e = DockerConfig::parse(br#"{"auths": {"r": {"auth": "%%%"}}}"#)
        .expect("parses")
        .credentials_for("r")
        .expect_err("bad base64");
    assert!(e.to_string().contains("not base64"));
    assert!(DockerConfig::parse(b"[1]").is_err());
    let e = DockerConfig::parse(b"{\"auths\": {\"r\": {\"auth\": \"secret-in-broken-json\"")
        .expect_err("broken");
    assert!(!e.to_string().contains("secret"));
}

/// A gzipped tar of raw entries: (name, type flag, link target, contents). Names are
/// written byte for byte (the `tar` crate refuses hostile ones).
fn raw_tgz(entries: &[(&str, u8, &str, &[u8])]) -> Vec<u8> {
    let mut tar = Vec::new();
    for (name, kind, link, data) in entries {
        let mut h = [0u8; 512];
        h[..name.len()].copy_from_slice(name.as_bytes());
        h[100..107].copy_from_slice(b"0000644");
        h[108..115].copy_from_slice(b"0000000");
        h[116..123].copy_from_slice(b"0000000");
        let size = format!("{:011o}", data.len());
        h[124..135].copy_from_slice(size.as_bytes());
        h[136..147].copy_from_slice(b"00000000000");
        h[156] = *kind;
        h[157..157 + link.len()].copy_from_slice(link.as_bytes());
        h[257..263].copy_from_slice(b"ustar\0");
        h[263..265].copy_from_slice(b"00");
        h[148..156].copy_from_slice(b"        ");
        let sum: u32 = h.iter().map(|&b| u32::from(b)).sum();
        h[148..155].copy_from_slice(format!("{sum:06o}\0").as_bytes());
        tar.extend_from_slice(&h);
        tar.extend_from_slice(data);
        tar.resize(tar.len().div_ceil(512) * 512, 0);
    }
    tar.extend_from_slice(&[0u8; 1024]);
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&tar).expect("gzip");
    gz.finish().expect("gzip")
}

#[test]
fn layers_unpack_confined() {
    let tgz = raw_tgz(&[
        ("./", b'5', "", b""),
        ("./deploy/", b'5', "", b""),
        ("./deploy/app.yaml", b'0', "", b"kind: ConfigMap\n"),
        ("./link", b'2', "/etc/passwd", b""),
        ("./hard", b'1', "deploy/app.yaml", b""),
    ]);
    let out = unpack_layer(&tgz, &UnpackLimits::default()).expect("unpacks");
    assert_eq!(
        out,
        vec![
            UnpackedEntry::Dir {
                path: "deploy".into()
            },
            UnpackedEntry::File {
                path: "deploy/app.yaml".into(),
                mode: 0o644,
                data: b"kind: ConfigMap\n".to_vec()
            },
            UnpackedEntry::File {
                path: "hard".into(),
                mode: 0o644,
                data: Vec::new()
            },
        ],
        "symbolic links are skipped, hard links are empty files"
    );
    for hostile in [
        "../escape",
        "a/../../escape",
        "/etc/passwd",
        "a\\..\\b",
        "C:/x",
    ] {
        let e = unpack_layer(
            &raw_tgz(&[(hostile, b'0', "", b"x")]),
            &UnpackLimits::default(),
        )
        .expect_err(hostile);
        assert!(e.to_string().contains("invalid name"), "{hostile}: {e}");
    }
    let e = unpack_layer(
        &raw_tgz(&[("dev", b'3', "", b"")]),
        &UnpackLimits::default(),
    )
    .expect_err("device");
    assert!(e.to_string().contains("unsupported file type"), "{e}");
    assert!(
        unpack_layer(b"PK\x03\x04", &UnpackLimits::default()).is_err(),
        "not gzip"
    );
}

#[test]
fn decompression_bombs_stop_at_the_limit() {
    // 64 MiB of zeros compress to about 64 KiB.
    let zeros = vec![0u8; 64 << 20];
    let tgz = raw_tgz(&[("big", b'0', "", &zeros)]);
    assert!(tgz.len() < 1 << 20);
    let limits = UnpackLimits {
        max_bytes: 1 << 20,
        ..UnpackLimits::default()
    };
    let e = unpack_layer(&tgz, &limits).expect_err("bomb");
    assert!(
        e.to_string().contains("bigger than max archive size"),
        "{e}"
    );
    let many: Vec<(String, u8, &str, &[u8])> = (0..20)
        .map(|i| (format!("f{i}"), b'0', "", &b"x"[..]))
        .collect();
    let refs: Vec<(&str, u8, &str, &[u8])> = many
        .iter()
        .map(|(n, k, l, d)| (n.as_str(), *k, *l, *d))
        .collect();
    let limits = UnpackLimits {
        max_entries: 10,
        ..UnpackLimits::default()
    };
    assert!(unpack_layer(&raw_tgz(&refs), &limits).is_err());
}

#[test]
fn extracted_layers_are_archived_as_untar_leaves_them() {
    use crate::source::artifact::{Artifact, Entry};
    let file = |p: &str, mode: u32, d: &[u8]| UnpackedEntry::File {
        path: p.to_owned(),
        mode,
        data: d.to_vec(),
    };
    // Parents implied by a file exist; a later entry replaces an earlier one.
    let unpacked = [
        file("app/a.yaml", 0o644, b"old"),
        file("app/run.sh", 0o755, b"#!/bin/sh\n"),
        UnpackedEntry::Dir {
            path: "app".to_owned(),
        },
        file("app/a.yaml", 0o644, b"new"),
    ];
    let got = extracted_artifact(&unpacked, None).expect("archive");
    let on_disk = [
        Entry::dir("", 0o755),
        Entry::dir("app", 0o755),
        Entry::file("app/a.yaml", 0o644, &b"new"[..]),
        Entry::file("app/run.sh", 0o755, &b"#!/bin/sh\n"[..]),
    ];
    let want = Artifact::from_git_checkout(&on_disk, None).expect("archive");
    assert_eq!(got.pack().expect("pack"), want.pack().expect("pack"));
    // spec.ignore applies.
    let ignored = extracted_artifact(&unpacked, Some("*.sh\n")).expect("archive");
    let names: Vec<&[u8]> = ignored.members().iter().map(|m| &m.path[..]).collect();
    assert_eq!(names, [&b""[..], b"app", b"app/a.yaml"]);
    // A path cannot be a file and a directory.
    let clash = [file("a", 0o644, b"x"), file("a/b", 0o644, b"y")];
    assert!(extracted_artifact(&clash, None).is_err());
}
