use super::*;

const A: &str = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
const B: &str = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
const C: &str = "cccccccccccccccccccccccccccccccccccccccc";
const T: &str = "1111111111111111111111111111111111111111";

fn refs() -> RemoteRefs {
    let r = |name: &str, oid: &str| RemoteRef {
        name: name.to_owned(),
        oid: oid.to_owned(),
    };
    RemoteRefs {
        refs: vec![
            r("HEAD", A),
            r("refs/heads/dev", B),
            r("refs/heads/main", A),
            r("refs/pull/1/head", C),
            r("refs/tags/v1.0.0", B),
            r("refs/tags/v1.2.0", T),
            r("refs/tags/v1.2.0^{}", C),
            r("refs/tags/v2", A),
        ],
        head_symref: Some("refs/heads/main".to_owned()),
    }
}

/// A stand-in for the Masterminds module: `>=X` / `<X` on plain `vMAJOR.MINOR.PATCH` tags.
fn toy_semver(range: &str, tags: &[String]) -> Result<Vec<String>, String> {
    let parse = |s: &str| -> Option<(u64, u64, u64)> {
        let mut it = s.trim_start_matches('v').split('.').map(|p| p.parse().ok());
        Some((it.next()??, it.next()??, it.next()??))
    };
    let (op, bound) = if let Some(b) = range.strip_prefix(">=") {
        (">=", b)
    } else if let Some(b) = range.strip_prefix('<') {
        ("<", b)
    } else {
        return Err(format!("improper constraint: {range}"));
    };
    let bound = parse(bound).ok_or("bad bound")?;
    let mut ok: Vec<((u64, u64, u64), &String)> = tags
        .iter()
        .filter_map(|t| parse(t).map(|v| (v, t)))
        .filter(|(v, _)| if op == ">=" { *v >= bound } else { *v < bound })
        .collect();
    ok.sort();
    let Some(best) = ok.last().map(|(v, _)| *v) else {
        return Ok(Vec::new());
    };
    Ok(ok
        .into_iter()
        .filter(|(v, _)| *v == best)
        .map(|(_, t)| t.clone())
        .collect())
}

fn revision(strategy: Strategy) -> String {
    resolve(&strategy, &refs(), &toy_semver)
        .expect("resolves")
        .revision()
        .expect("commit known")
        .to_string()
}

#[test]
fn precedence_is_commit_name_semver_tag_branch() {
    let all = GitRef {
        branch: Some("dev".into()),
        tag: Some("v1.0.0".into()),
        semver: Some(">=1.0.0".into()),
        name: Some("refs/pull/1/head".into()),
        commit: Some(C.into()),
    };
    assert_eq!(
        all.strategy(),
        Ok(Strategy::Commit {
            commit: C.into(),
            branch: Some("dev".into())
        })
    );
    let no_commit = GitRef {
        commit: None,
        ..all.clone()
    };
    assert_eq!(
        no_commit.strategy(),
        Ok(Strategy::Name("refs/pull/1/head".into()))
    );
    let no_name = GitRef {
        name: Some(String::new()),
        ..no_commit.clone()
    };
    assert_eq!(no_name.strategy(), Ok(Strategy::SemVer(">=1.0.0".into())));
    let no_semver = GitRef {
        semver: None,
        ..no_name
    };
    assert_eq!(no_semver.strategy(), Ok(Strategy::Tag("v1.0.0".into())));
    let no_tag = GitRef {
        tag: None,
        ..no_semver
    };
    assert_eq!(no_tag.strategy(), Ok(Strategy::Branch("dev".into())));
    assert_eq!(GitRef::default().strategy(), Ok(Strategy::DefaultBranch));
}

#[test]
fn revisions_print_as_flux_prints_them() {
    assert_eq!(
        revision(Strategy::Branch("main".into())),
        format!("main@sha1:{A}")
    );
    assert_eq!(revision(Strategy::DefaultBranch), format!("main@sha1:{A}"));
    // An annotated tag: the commit it points to, not the tag object.
    assert_eq!(
        revision(Strategy::Tag("v1.2.0".into())),
        format!("v1.2.0@sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::Tag("v1.0.0".into())),
        format!("v1.0.0@sha1:{B}")
    );
    assert_eq!(
        revision(Strategy::Name("refs/pull/1/head".into())),
        format!("refs/pull/1/head@sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::Name("refs/heads/main".into())),
        format!("refs/heads/main@sha1:{A}")
    );
    assert_eq!(
        revision(Strategy::Name("refs/tags/v1.2.0".into())),
        format!("refs/tags/v1.2.0@sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::Commit {
            commit: C.into(),
            branch: None
        }),
        format!("sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::Commit {
            commit: C.into(),
            branch: Some("dev".into())
        }),
        format!("dev@sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::SemVer(">=1.0.0".into())),
        format!("v1.2.0@sha1:{C}")
    );
    assert_eq!(
        revision(Strategy::SemVer("<1.1.0".into())),
        format!("v1.0.0@sha1:{B}")
    );
    // A branch with slashes keeps them (SplitAfterN(ref, "/", 3)).
    let r = Revision {
        reference: Some("refs/heads/feature/x".into()),
        commit: A.into(),
        absolute: false,
    };
    assert_eq!(r.to_string(), format!("feature/x@sha1:{A}"));
}

#[test]
fn semver_only_considers_three_part_tags() {
    // `v2` would be the highest, but Flux's ParseVersion skips it.
    let r = resolve(&Strategy::SemVer(">=1.0.0".into()), &refs(), &toy_semver).expect("match");
    assert_eq!(r.tag.as_deref(), Some("v1.2.0"));
    assert_eq!(
        resolve(&Strategy::SemVer(">=3.0.0".into()), &refs(), &toy_semver),
        Err(ResolveError::NoSemverMatch {
            range: ">=3.0.0".into()
        })
    );
    assert!(matches!(
        resolve(&Strategy::SemVer("~>bad".into()), &refs(), &toy_semver),
        Err(ResolveError::Semver { .. })
    ));
    assert!(matches!(
        resolve(&Strategy::SemVer(">=1.0.0".into()), &refs(), &NoSemver),
        Err(ResolveError::Semver { .. })
    ));
}

#[test]
fn semver_ties_are_left_to_commit_times() {
    let mut rs = refs();
    rs.refs.push(RemoteRef {
        name: "refs/tags/1.2.0".into(),
        oid: B.into(),
    });
    let r = resolve(&Strategy::SemVer(">=1.0.0".into()), &rs, &toy_semver).expect("ties");
    assert_eq!(r.semver_ties, vec!["1.2.0".to_owned(), "v1.2.0".to_owned()]);
    assert_eq!(r.commit, None);
    assert_eq!(
        break_semver_tie(&[("1.2.0".into(), 10), ("v1.2.0".into(), 5)]),
        Some("1.2.0")
    );
    assert_eq!(
        break_semver_tie(&[("1.2.0".into(), 5), ("v1.2.0".into(), 5)]),
        Some("v1.2.0")
    );
}

#[test]
fn missing_refs_are_named() {
    assert_eq!(
        resolve(&Strategy::Branch("nope".into()), &refs(), &NoSemver)
            .expect_err("missing")
            .to_string(),
        "branch 'nope' not found"
    );
    assert_eq!(
        resolve(&Strategy::Tag("v9.9.9".into()), &refs(), &NoSemver)
            .expect_err("missing")
            .to_string(),
        "tag 'v9.9.9' not found"
    );
    assert_eq!(
        resolve(
            &Strategy::Name("refs/pull/2/head".into()),
            &refs(),
            &NoSemver
        )
        .expect_err("missing")
        .to_string(),
        "ref 'refs/pull/2/head' not found"
    );
}

#[test]
fn commit_strategy_finds_a_tip_for_a_shallow_fetch() {
    let r = resolve(
        &Strategy::Commit {
            commit: C.into(),
            branch: None,
        },
        &refs(),
        &NoSemver,
    )
    .expect("commit");
    assert!(r.commit_is_tip);
    assert_eq!(r.fetch, vec!["refs/pull/1/head".to_owned()]);
    let r = resolve(
        &Strategy::Commit {
            commit: C.into(),
            branch: Some("main".into()),
        },
        &refs(),
        &NoSemver,
    )
    .expect("commit");
    assert!(!r.commit_is_tip);
    assert_eq!(r.fetch, vec!["refs/heads/main".to_owned()]);
}

#[test]
fn default_branch_without_symref_prefers_main() {
    let mut rs = refs();
    rs.head_symref = None;
    assert_eq!(default_branch(&rs).as_deref(), Some("refs/heads/main"));
    rs.refs.retain(|r| r.name != "HEAD");
    assert_eq!(default_branch(&rs), None);
}

#[test]
fn invalid_refs_are_refused() {
    assert!(GitRef::commit("abc", None).strategy().is_err());
    assert!(GitRef::name("refs/heads/x/").strategy().is_err());
    assert!(GitRef::name("/refs/heads/x").strategy().is_err());
    assert!(GitRef::name("refs/heads/a..b").strategy().is_err());
    assert!(GitRef::branch("has space").strategy().is_err());
    assert!(GitRef::name("refs/tags/v1^{}").strategy().is_ok());
    assert_eq!(
        GitRef::commit(C.to_uppercase(), None).strategy(),
        Ok(Strategy::Commit {
            commit: C.into(),
            branch: None
        })
    );
}

#[test]
fn old_revision_formats_transform() {
    assert_eq!(
        transform_revision(&format!("main/{A}")),
        format!("main@sha1:{A}")
    );
    assert_eq!(transform_revision(A), format!("sha1:{A}"));
    assert_eq!(
        transform_revision(&format!("HEAD/{A}")),
        format!("sha1:{A}")
    );
    assert_eq!(
        transform_revision(&format!("main@sha1:{A}")),
        format!("main@sha1:{A}")
    );
    assert_eq!(
        split_revision(&format!("feature/x@sha1:{A}")),
        (Some("feature/x"), A)
    );
}

#[test]
fn verify_modes_parse() {
    assert_eq!(VerifyMode::parse("HEAD"), Ok(VerifyMode::Head));
    assert_eq!(VerifyMode::parse("head"), Ok(VerifyMode::Head));
    assert_eq!(VerifyMode::parse("Tag"), Ok(VerifyMode::Tag));
    assert_eq!(VerifyMode::parse("TagAndHEAD"), Ok(VerifyMode::TagAndHead));
    assert!(VerifyMode::parse("all").is_err());
    assert!(VerifyMode::TagAndHead.verify_head() && VerifyMode::TagAndHead.verify_tag());
}

#[test]
fn advertisement_parses() {
    use super::pktline::*;
    let mut body = Vec::new();
    write_pkt(&mut body, b"# service=git-upload-pack\n").expect("pkt");
    write_flush(&mut body);
    write_pkt(
        &mut body,
        format!(
            "{A} HEAD\0multi_ack side-band-64k shallow symref=HEAD:refs/heads/main agent=git/2.39\n"
        )
        .as_bytes(),
    )
    .expect("pkt");
    write_pkt(&mut body, format!("{A} refs/heads/main\n").as_bytes()).expect("pkt");
    write_pkt(&mut body, format!("{T} refs/tags/v1\n").as_bytes()).expect("pkt");
    write_pkt(&mut body, format!("{C} refs/tags/v1^{{}}\n").as_bytes()).expect("pkt");
    write_flush(&mut body);
    let adv = parse_advertisement(&body, true).expect("parses");
    assert_eq!(adv.refs.head_symref.as_deref(), Some("refs/heads/main"));
    assert_eq!(adv.refs.refs.len(), 4);
    assert!(adv.has("shallow"));
    assert!(adv.has("agent"));
    assert!(!adv.has("multi"));
    assert_eq!(adv.refs.get("refs/tags/v1^{}"), Some(C));

    // An empty repository.
    let mut body = Vec::new();
    write_pkt(&mut body, b"# service=git-upload-pack\n").expect("pkt");
    write_flush(&mut body);
    write_pkt(
        &mut body,
        b"0000000000000000000000000000000000000000 capabilities^{}\0side-band-64k\n",
    )
    .expect("pkt");
    write_flush(&mut body);
    let adv = parse_advertisement(&body, true).expect("parses");
    assert!(adv.refs.refs.is_empty());

    assert!(parse_advertisement(b"<html>", true).is_err());
    assert!(parse_advertisement(b"00", true).is_err());
    assert!(parse_advertisement(b"zzzz", false).is_err());
}

#[test]
fn upload_pack_response_demultiplexes() {
    use super::pktline::*;
    let req = upload_pack_request(&[A.to_owned()], &["side-band-64k", "shallow"], Some(1))
        .expect("request");
    let text = String::from_utf8(req).expect("utf8");
    assert_eq!(
        text,
        format!("0048want {A} side-band-64k shallow\n000ddeepen 1\n00000009done\n")
    );

    let mut resp = Vec::new();
    write_pkt(&mut resp, format!("shallow {A}\n").as_bytes()).expect("pkt");
    write_flush(&mut resp);
    write_pkt(&mut resp, b"NAK\n").expect("pkt");
    write_pkt(&mut resp, b"\x02Counting objects\n").expect("pkt");
    write_pkt(&mut resp, b"\x01PACK....").expect("pkt");
    write_flush(&mut resp);
    let mut r = UploadPackResponse::new(&resp[..], true);
    assert_eq!(
        r.next_band().expect("band"),
        Band::Progress(b"Counting objects\n")
    );
    assert_eq!(r.next_band().expect("band"), Band::Pack(b"PACK...."));
    assert_eq!(r.next_band().expect("band"), Band::End);
    assert_eq!(r.shallow, vec![A.to_owned()]);

    let mut resp = Vec::new();
    write_pkt(&mut resp, b"NAK\n").expect("pkt");
    write_pkt(&mut resp, b"\x03fatal: bad object\n").expect("pkt");
    let mut r = UploadPackResponse::new(&resp[..], false);
    assert_eq!(
        r.next_band(),
        Err(PktError::Remote("fatal: bad object".into()))
    );
    // Truncated streams are errors, never panics.
    let mut r = UploadPackResponse::new(&b"0008NA"[..], false);
    assert!(r.next_band().is_err());
}

#[test]
fn masterminds_selector_picks_as_flux_does() {
    let tags: Vec<String> = [
        "v1.0.0",
        "v1.2.0",
        "1.2.0+build.1",
        "v2.0.0-rc.1",
        "v2",
        "1.3",
        "latest",
    ]
    .iter()
    .map(|s| (*s).to_owned())
    .collect();
    let m = Masterminds;
    // `v2` and `1.3` have fewer than three parts: not versions for Flux.
    assert_eq!(
        m.highest(">=1.0.0", &tags),
        Ok(vec!["v1.2.0".to_owned(), "1.2.0+build.1".to_owned()])
    );
    assert_eq!(m.highest("~1.0", &tags), Ok(vec!["v1.0.0".to_owned()]));
    assert_eq!(
        m.highest(">=2.0.0-0", &tags),
        Ok(vec!["v2.0.0-rc.1".to_owned()])
    );
    assert_eq!(m.highest(">=3", &tags), Ok(Vec::new()));
    assert!(m.highest("not a range", &tags).is_err());
    // Through resolve: the tie goes to commit times.
    let mut rs = refs();
    rs.refs.push(RemoteRef {
        name: "refs/tags/1.2.0+build.1".into(),
        oid: B.into(),
    });
    let r = resolve(&Strategy::SemVer("1.2.x".into()), &rs, &Masterminds).expect("ties");
    assert_eq!(r.semver_ties.len(), 2);
}
