//! Charts from the test Helm repository (scripts/test-helm-repo.sh) through
//! `gitward::io::helm_repo`: HTTP, HTTPS with the test CA, basic auth, mutual TLS, the
//! index cache, digest and archive checks, and `helm dependency build`.

use std::path::{Path, PathBuf};

use gitward::io::helm_repo::{
    DependencyOptions, HelmRepoOptions, RepoCredentials, dependency_build_sync, fetch_chart_sync,
};
use gitward::io::http::{BasicAuth, ErrorKind, TlsOptions};
use gitward::source::oci::Digest;
use gitward_tests::{HelmRepo, helm_repo, oci_push, unique_name};

fn read(p: &Path) -> Vec<u8> {
    std::fs::read(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn with_ca(h: &HelmRepo) -> HelmRepoOptions {
    let mut o = HelmRepoOptions::default();
    o.tls = TlsOptions {
        ca_pem: Some(read(&h.ca)),
        ..TlsOptions::default()
    };
    o
}

fn auth(user: &str, password: &str) -> Option<BasicAuth> {
    Some(BasicAuth {
        username: user.to_owned(),
        password: password.to_owned(),
    })
}

fn file_digest(h: &HelmRepo, version: &str) -> Digest {
    Digest::sha256_of(&read(&h.dir.join(format!("{}-{version}.tgz", h.chart))))
}

/// A sub-repository of the served directory, reachable at `URL/<name>/`.
fn sub_repo(h: &HelmRepo, name: &str) -> PathBuf {
    let d = h.dir.join(name);
    std::fs::create_dir_all(&d).expect("sub repo");
    d
}

fn index_entry(name: &str, version: &str, file: &str, digest: &str) -> String {
    format!(
        "  - apiVersion: v2\n    name: {name}\n    version: {version}\n    digest: {digest}\n    urls:\n    - {file}\n"
    )
}

#[test]
fn latest_stable_and_exact_versions_over_http_and_https() {
    let h = helm_repo();
    let c = fetch_chart_sync(&h.http_url, &h.chart, None, &HelmRepoOptions::default())
        .expect("over HTTP");
    assert_eq!(
        (c.name.as_str(), c.version.as_str()),
        (h.chart.as_str(), "0.2.0")
    );
    assert_eq!(
        c.revision, "0.2.0",
        "Flux's revision of a HelmChart is its version"
    );
    assert_eq!(c.digest, file_digest(h, "0.2.0"));
    assert_eq!(c.url, format!("{}/{}-0.2.0.tgz", h.http_url, h.chart));

    let mut c = fetch_chart_sync(&h.url, &h.chart, Some("0.1.0"), &with_ca(h)).expect("over HTTPS");
    assert_eq!(c.version, "0.1.0");
    assert_eq!(c.digest, file_digest(h, "0.1.0"));
    let out = tempfile::tempdir().expect("tempdir");
    let path = c.save(out.path()).expect("save");
    assert_eq!(path, out.path().join(format!("{}-0.1.0.tgz", h.chart)));
    assert_eq!(Digest::sha256_of(&read(&path)), c.digest);
}

#[test]
fn an_untrusted_certificate_is_refused() {
    let h = helm_repo();
    let e = fetch_chart_sync(&h.url, &h.chart, None, &HelmRepoOptions::default())
        .expect_err("the test CA is not a system root");
    assert_eq!(e.kind, ErrorKind::Network);
    assert!(
        e.message.contains("UnknownIssuer") || e.message.contains("certificate"),
        "{e}"
    );
}

#[test]
fn basic_auth_is_required_and_checked() {
    let h = helm_repo();
    let e =
        fetch_chart_sync(&h.private_url, &h.chart, None, &with_ca(h)).expect_err("no credentials");
    assert_eq!(e.kind, ErrorKind::Auth, "{e}");
    let mut o = with_ca(h);
    o.auth = auth(&h.user, "not-the-password-7x");
    let e = fetch_chart_sync(&h.private_url, &h.chart, None, &o).expect_err("wrong password");
    assert_eq!(e.kind, ErrorKind::Auth, "{e}");
    assert!(!e.message.contains("not-the-password-7x"), "{e}");
    o.auth = auth(&h.user, &h.password);
    let c = fetch_chart_sync(&h.private_url, &h.chart, None, &o).expect("right password");
    assert_eq!(c.digest, file_digest(h, "0.2.0"));
    assert!(!format!("{o:?} {c:?}").contains(&h.password));
}

#[test]
fn mutual_tls_needs_the_client_certificate() {
    let h = helm_repo();
    let e = fetch_chart_sync(&h.mtls_url, &h.chart, None, &with_ca(h)).expect_err("no client cert");
    assert!(
        matches!(e.kind, ErrorKind::Network | ErrorKind::Auth),
        "{e}"
    );
    let mut o = with_ca(h);
    o.tls.cert_pem = Some(read(&h.client_cert));
    o.tls.key_pem = Some(read(&h.client_key));
    let c = fetch_chart_sync(&h.mtls_url, &h.chart, Some("0.1.0"), &o).expect("with client cert");
    assert_eq!(c.digest, file_digest(h, "0.1.0"));
}

#[test]
fn missing_charts_and_versions_are_named() {
    let h = helm_repo();
    let o = HelmRepoOptions::default();
    let e = fetch_chart_sync(&h.http_url, "absent", None, &o).expect_err("absent chart");
    assert_eq!(e.kind, ErrorKind::NotFound);
    assert_eq!(
        e.message,
        format!("chart \"absent\" not found in {} repository", h.http_url)
    );
    let e = fetch_chart_sync(&h.http_url, &h.chart, Some("9.9.9"), &o).expect_err("absent version");
    assert_eq!(
        e.message,
        format!(
            "chart \"{}\" version \"9.9.9\" not found in {} repository",
            h.chart, h.http_url
        )
    );
    let e = fetch_chart_sync(&format!("{}/nowhere", h.http_url), &h.chart, None, &o)
        .expect_err("not a repository");
    assert_eq!(e.kind, ErrorKind::NotFound, "{e}");
    assert!(e.message.starts_with("looks like"), "{e}");
}

#[test]
fn a_digest_mismatch_is_refused() {
    let h = helm_repo();
    let name = unique_name("digest");
    let dir = sub_repo(h, &name);
    let archive = oci_push::chart_tgz("tampered", "1.0.0");
    std::fs::write(dir.join("tampered-1.0.0.tgz"), &archive).expect("archive");
    let wrong = Digest::sha256_of(b"something else");
    let index = format!(
        "apiVersion: v1\nentries:\n  tampered:\n{}",
        index_entry("tampered", "1.0.0", "tampered-1.0.0.tgz", wrong.hex())
    );
    std::fs::write(dir.join("index.yaml"), index).expect("index");
    let e = fetch_chart_sync(
        &format!("{}/{name}", h.http_url),
        "tampered",
        None,
        &HelmRepoOptions::default(),
    )
    .expect_err("digest mismatch");
    assert_eq!(e.kind, ErrorKind::Digest, "{e}");
    assert!(
        e.message.contains(wrong.hex()) && e.message.contains("digest mismatch"),
        "{e}"
    );
}

/// A gzipped tar whose entry names are written raw (hostile names included).
fn raw_tgz(entries: &[(&str, u8, &[u8])]) -> Vec<u8> {
    use std::io::Write as _;
    let mut tar = Vec::new();
    for (name, kind, data) in entries {
        // A link's "data" is its target, kept in the header.
        let (target, data): (&[u8], &[u8]) = if *kind == b'2' || *kind == b'1' {
            (data, b"")
        } else {
            (b"", data)
        };
        let mut hd = [0u8; 512];
        hd[..name.len()].copy_from_slice(name.as_bytes());
        hd[157..157 + target.len()].copy_from_slice(target);
        hd[100..107].copy_from_slice(b"0000644");
        hd[108..115].copy_from_slice(b"0000000");
        hd[116..123].copy_from_slice(b"0000000");
        hd[124..135].copy_from_slice(format!("{:011o}", data.len()).as_bytes());
        hd[136..147].copy_from_slice(b"00000000000");
        hd[156] = *kind;
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
fn hostile_archives_are_refused() {
    let h = helm_repo();
    let name = unique_name("hostile");
    let dir = sub_repo(h, &name);
    let chart_yaml: &[u8] = b"apiVersion: v2\nname: evil\nversion: 1.0.0\n";
    let cases: [(&str, Vec<u8>); 5] = [
        (
            "dotdot",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart_yaml),
                ("evil/../../escape", b'0', b"x"),
            ]),
        ),
        // Helm drops the first component (the chart's directory); what is left must not be
        // absolute.
        (
            "absolute",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart_yaml),
                ("evil//etc/passwd", b'0', b"x"),
            ]),
        ),
        // Links leaving the chart (symbolic and hard).
        (
            "symlink",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart_yaml),
                ("evil/templates/passwd.yaml", b'2', b"../../../etc/passwd"),
            ]),
        ),
        (
            "hardlink",
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart_yaml),
                ("evil/values.yaml", b'1', b"/etc/passwd"),
            ]),
        ),
        ("bomb", {
            let zeros = vec![0u8; 6 << 20];
            raw_tgz(&[
                ("evil/Chart.yaml", b'0', chart_yaml),
                ("evil/templates/big.yaml", b'0', &zeros),
            ])
        }),
    ];
    let mut index = String::from("apiVersion: v1\nentries:\n  evil:\n");
    for (i, (case, bytes)) in cases.iter().enumerate() {
        let file = format!("evil-{case}.tgz");
        std::fs::write(dir.join(&file), bytes).expect("archive");
        index.push_str(&index_entry(
            "evil",
            &format!("1.0.{i}"),
            &file,
            Digest::sha256_of(bytes).hex(),
        ));
    }
    std::fs::write(dir.join("index.yaml"), index).expect("index");
    for (i, (case, _)) in cases.iter().enumerate() {
        let e = fetch_chart_sync(
            &format!("{}/{name}", h.http_url),
            "evil",
            Some(&format!("1.0.{i}")),
            &HelmRepoOptions::default(),
        )
        .expect_err(case);
        assert!(
            matches!(e.kind, ErrorKind::Invalid | ErrorKind::Limit),
            "{case}: {e}"
        );
        assert!(
            e.message.contains("illegally") || e.message.contains("larger than"),
            "{case}: {e}"
        );
    }
}

#[test]
fn oversized_indexes_are_refused() {
    let h = helm_repo();
    let mut o = HelmRepoOptions::default();
    o.index = o.index.with_max_bytes(64);
    let e = fetch_chart_sync(&h.http_url, &h.chart, None, &o).expect_err("too large");
    assert_eq!(e.kind, ErrorKind::Limit, "{e}");
}

#[test]
fn the_index_cache_is_revalidated() {
    let h = helm_repo();
    let cache = tempfile::tempdir().expect("tempdir");
    let mut o = HelmRepoOptions::default();
    o.cache_dir = Some(cache.path().to_path_buf());
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let first = rt
        .block_on(gitward::io::helm_repo::fetch_index(
            &h.http_url,
            &h.chart,
            &o,
        ))
        .expect("first");
    assert!(!first.not_modified);
    let second = rt
        .block_on(gitward::io::helm_repo::fetch_index(
            &h.http_url,
            &h.chart,
            &o,
        ))
        .expect("second");
    assert!(second.not_modified, "nginx answers 304 to If-None-Match");
    assert_eq!(first.index, second.index);
    assert_eq!(first.digest, second.digest);
}

#[test]
fn dependency_build_fetches_what_charts_lacks() {
    let h = helm_repo();
    let work = tempfile::tempdir().expect("tempdir");
    let lib = work.path().join("lib");
    std::fs::create_dir_all(lib.join("templates")).expect("lib");
    std::fs::write(
        lib.join("Chart.yaml"),
        "apiVersion: v2\nname: lib\nversion: 0.3.0\n",
    )
    .expect("lib chart");
    let app = work.path().join("app");
    std::fs::create_dir_all(app.join("templates")).expect("app");
    std::fs::write(
        app.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: {c}\n  version: 0.1.0\n  repository: {url}\n- name: {c}\n  alias: private\n  version: \"*\"\n  repository: {private}/\n- name: lib\n  version: 0.3.0\n  repository: file://../lib\n",
            c = h.chart,
            url = h.url,
            private = h.private_url
        ),
    )
    .expect("app chart");
    let mut opts = DependencyOptions::default();
    opts.repo = with_ca(h);
    // Credentials only for the private repository.
    opts.credentials = vec![RepoCredentials {
        url: h.private_url.clone(),
        auth: BasicAuth {
            username: h.user.clone(),
            password: h.password.clone(),
        },
    }];
    let built = dependency_build_sync(&app, &opts).expect("dependency build");
    assert!(!built.locked);
    let names: Vec<(&str, &str)> = built
        .built
        .iter()
        .map(|b| (b.name.as_str(), b.version.as_str()))
        .collect();
    assert_eq!(
        names,
        [
            (h.chart.as_str(), "0.1.0"),
            ("private", "0.2.0"),
            ("lib", "0.3.0")
        ]
    );
    assert!(
        app.join("charts")
            .join(format!("{}-0.1.0.tgz", h.chart))
            .is_file()
    );
    assert!(app.join("charts/lib/Chart.yaml").is_file());
    assert_eq!(built.built[0].digest, Some(file_digest(h, "0.1.0")));

    // Everything is present now: a second build fetches nothing.
    let again = dependency_build_sync(&app, &opts).expect("again");
    assert!(again.built.is_empty(), "{again:?}");
}

#[test]
fn dependency_build_honours_and_checks_chart_lock() {
    let h = helm_repo();
    let work = tempfile::tempdir().expect("tempdir");
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).expect("app");
    std::fs::write(
        app.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: {c}\n  version: \"*\"\n  repository: {u}\n",
            c = h.chart,
            u = h.http_url
        ),
    )
    .expect("chart");
    let req = gitward::helm::Dependency {
        name: h.chart.clone(),
        version: "*".into(),
        repository: h.http_url.clone(),
        ..Default::default()
    };
    let locked = gitward::helm::Dependency {
        version: "0.1.0".into(),
        ..req.clone()
    };
    let digest = gitward::helm::hash_requirements(&[Some(req)], &[Some(locked)]);
    let lock = format!(
        "dependencies:\n- name: {c}\n  repository: {u}\n  version: 0.1.0\ndigest: {digest}\ngenerated: \"2024-01-01T00:00:00Z\"\n",
        c = h.chart,
        u = h.http_url
    );
    std::fs::write(app.join("Chart.lock"), &lock).expect("lock");
    let built = dependency_build_sync(&app, &DependencyOptions::default()).expect("build");
    assert!(built.locked);
    assert_eq!(
        built.built[0].version, "0.1.0",
        "the lock pins 0.1.0 although 0.2.0 is newer"
    );

    // A lock that no longer matches Chart.yaml is refused, as Helm refuses it.
    std::fs::remove_dir_all(app.join("charts")).expect("clean");
    std::fs::write(app.join("Chart.lock"), lock.replace(&digest, "sha256:0000")).expect("lock");
    let e = dependency_build_sync(&app, &DependencyOptions::default()).expect_err("out of sync");
    assert_eq!(
        e.message,
        "the lock file (Chart.lock) is out of sync with the dependencies file (Chart.yaml). Please update the dependencies"
    );
}

#[test]
fn file_dependencies_cannot_leave_the_root() {
    let work = tempfile::tempdir().expect("tempdir");
    let outside = tempfile::tempdir().expect("outside");
    std::fs::write(
        outside.path().join("Chart.yaml"),
        "apiVersion: v2\nname: out\nversion: 1.0.0\n",
    )
    .expect("out");
    let app = work.path().join("app");
    std::fs::create_dir_all(&app).expect("app");
    std::fs::write(
        app.join("Chart.yaml"),
        format!(
            "apiVersion: v2\nname: app\nversion: 1.0.0\ndependencies:\n- name: out\n  version: 1.0.0\n  repository: file://{}\n",
            outside.path().display()
        ),
    )
    .expect("chart");
    let e = dependency_build_sync(&app, &DependencyOptions::default()).expect_err("escape");
    assert!(e.message.contains("leaves the repository root"), "{e}");
}
