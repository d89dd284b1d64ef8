use super::*;

fn v(s: &str) -> Version {
    Version::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

fn c(s: &str) -> Constraints {
    Constraints::parse(s).unwrap_or_else(|e| panic!("{s:?} should parse: {e}"))
}

/// Asserts which of `versions` satisfy `range` (in input order).
fn assert_matches(range: &str, versions: &[&str], expected: &[&str]) {
    let r = c(range);
    let got: Vec<&str> = versions
        .iter()
        .copied()
        .filter(|s| r.check_str(s))
        .collect();
    assert_eq!(got, expected, "range {range:?}");
}

const PLAIN: &[&str] = &[
    "0.0.0", "0.0.3", "0.0.4", "0.1.0", "0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.2", "1.2.3",
    "1.2.9", "1.3.0", "1.9.0", "2.0.0", "2.3.4", "3.0.0",
];

#[test]
fn bare_version_is_an_exact_match() {
    assert_matches(
        "1.2.3",
        &[
            "1.2.3",
            "v1.2.3",
            "1.2.3+b",
            "01.2.3",
            "1.2.3-rc.1",
            "1.2.4",
        ],
        &["1.2.3", "v1.2.3", "1.2.3+b", "01.2.3"],
    );
}

#[test]
fn partial_versions_widen_bounds() {
    assert_matches(
        "<=1.2",
        PLAIN,
        &[
            "0.0.0", "0.0.3", "0.0.4", "0.1.0", "0.2.3", "0.2.9", "0.3.0", "1.0.0", "1.2.2",
            "1.2.3", "1.2.9",
        ],
    );
    assert_matches(
        ">1.2",
        PLAIN,
        &["1.3.0", "1.9.0", "2.0.0", "2.3.4", "3.0.0"],
    );
    assert_matches("=1.2", PLAIN, &["1.2.2", "1.2.3", "1.2.9"]);
    assert_matches("1.2", PLAIN, &["1.2.2", "1.2.3", "1.2.9"]);
    assert_matches(">1", PLAIN, &["2.0.0", "2.3.4", "3.0.0"]);
}

#[test]
fn wildcards_end_the_version() {
    assert_matches(
        "1.x.3",
        PLAIN,
        &["1.0.0", "1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.9.0"],
    );
    assert_matches(
        "x.2.3",
        &["0.0.0", "9.9.9", "1.0.0-rc.1"],
        &["0.0.0", "9.9.9"],
    );
    assert_matches(">*", &["0.0.0", "0.0.1", "5.0.0"], &["0.0.1", "5.0.0"]);
    assert_matches("!=*", &["0.0.0", "0.0.1", "5.0.0"], &["0.0.1", "5.0.0"]);
    assert_matches("<*", &["0.0.0", "0.0.1", "5.0.0"], &[]);
    assert_matches("^*", &["0.0.0", "0.0.1", "5.0.0"], &["0.0.0"]);
    assert_matches(
        "~*",
        &["0.0.0", "0.0.1", "5.0.0"],
        &["0.0.0", "0.0.1", "5.0.0"],
    );
    assert_matches("*", &["0.0.0", "5.0.0", "5.0.0-rc.1"], &["0.0.0", "5.0.0"]);
}

#[test]
fn operators_and_their_aliases() {
    assert_matches(
        "=>1.2.3 =<2",
        PLAIN,
        &["1.2.3", "1.2.9", "1.3.0", "1.9.0", "2.0.0", "2.3.4"],
    );
    assert_matches("~>1.2.3", PLAIN, &["1.2.3", "1.2.9"]);
    assert_matches("^0.2.3", PLAIN, &["0.2.3", "0.2.9"]);
    assert_matches("^0.0.3", PLAIN, &["0.0.3"]);
    assert_matches(
        "^0",
        PLAIN,
        &[
            "0.0.0", "0.0.3", "0.0.4", "0.1.0", "0.2.3", "0.2.9", "0.3.0",
        ],
    );
    assert_matches(
        "^1.2",
        PLAIN,
        &["1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.9.0"],
    );
    assert_matches(
        "~1",
        PLAIN,
        &["1.0.0", "1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.9.0"],
    );
    assert_matches("!=1.2.3", &["1.2.3", "1.2.4", "1.2.3-rc.1"], &["1.2.4"]);
    for bad in ["==1.2.3", "~=1.2.3", "!1.2.3", "<>1.2.3", "1.2.3 | 2.0.0"] {
        assert!(
            Constraints::parse(bad).is_err(),
            "{bad:?} should be refused"
        );
    }
}

#[test]
fn hyphen_ranges_need_spaces() {
    assert_matches(
        "1.2 - 2.3.4",
        PLAIN,
        &[
            "1.2.2", "1.2.3", "1.2.9", "1.3.0", "1.9.0", "2.0.0", "2.3.4",
        ],
    );
    assert_matches(
        "1.2.3-2.3.4",
        &["1.2.3-2.3.4", "1.2.3", "2.0.0"],
        &["1.2.3-2.3.4"],
    );
    assert_matches("2 - 1", PLAIN, &[]);
    assert_eq!(c("1.2.3 - 2").to_string(), ">=1.2.3 <=2");
}

#[test]
fn and_or_and_empty_terms() {
    assert_matches(">=1.2.3,<2", PLAIN, &["1.2.3", "1.2.9", "1.3.0", "1.9.0"]);
    assert_matches(
        ">=1.2.3 <2 || 3",
        PLAIN,
        &["1.2.3", "1.2.9", "1.3.0", "1.9.0", "3.0.0"],
    );
    for bad in [
        ">=1.2.3,",
        ",>=1.2.3",
        ">=1.2.3,,<2",
        "1.2.3 ||",
        "|| 1.2.3",
        "",
        " ",
    ] {
        assert!(
            Constraints::parse(bad).is_err(),
            "{bad:?} should be refused"
        );
    }
    assert_eq!(c(" >= 1.2.3 ,\t< 2 ||~3").to_string(), ">=1.2.3 <2 || ~3");
}

#[test]
fn prereleases_only_when_the_group_names_one() {
    // Any version in range, not only the same major.minor.patch (unlike npm).
    assert_matches(
        ">=1.2.3-alpha",
        &["2.0.0-0", "1.3.0-rc.1", "1.2.3-alpha", "1.2.3-0"],
        &["2.0.0-0", "1.3.0-rc.1", "1.2.3-alpha"],
    );
    assert_matches(
        "*-0",
        &["0.0.0-0", "1.0.0", "9.0.0-rc.1"],
        &["0.0.0-0", "1.0.0", "9.0.0-rc.1"],
    );
    assert_matches(
        ">=0.0.0-0",
        &["0.0.0-0", "1.0.0-a"],
        &["0.0.0-0", "1.0.0-a"],
    );
    // Only the group that names a pre-release admits them.
    assert_matches(
        ">=2.0.0-0 || <1",
        &["2.1.0-rc.1", "0.5.0-rc.1", "0.5.0"],
        &["2.1.0-rc.1", "0.5.0"],
    );
    let all = Constraints::parse_with("<1", &Options::default().with_include_prerelease(true))
        .expect("valid");
    assert!(all.check(&v("0.5.0-rc.1")));
}

#[test]
fn version_parsing() {
    let x = v("v01.2");
    assert_eq!((x.major(), x.minor(), x.patch()), (1, 2, 0));
    assert_eq!(x.original(), "v01.2");
    assert_eq!(x.to_string(), "1.2.0");
    let y = v("1.2.3-rc.1+build.5");
    assert_eq!((y.prerelease(), y.metadata()), ("rc.1", "build.5"));
    assert_eq!(
        "7".parse::<Version>().map(|v| v.to_string()),
        Ok("7.0.0".into())
    );
    let err = |s: &str| Version::parse(s).err().map(|e| e.to_string());
    assert_eq!(
        err("1.2.3-01"),
        Some("version segment starts with 0".into())
    );
    assert_eq!(err("1.2.3.4"), Some("invalid semantic version".into()));
    assert_eq!(err("V1.2.3"), Some("invalid semantic version".into()));
    assert_eq!(err(""), Some("invalid semantic version".into()));
    assert_eq!(err(" 1.2.3"), Some("invalid semantic version".into()));
    assert_eq!(
        err("18446744073709551616"),
        Some(
            "error parsing version segment: strconv.ParseUint: parsing \"18446744073709551616\": \
             value out of range"
                .into()
        )
    );
    assert_eq!(v("18446744073709551615").major(), u64::MAX);
    assert_eq!(err("1.2.3-a..b"), Some("invalid semantic version".into()));
    assert_eq!(err("1.2.3+"), Some("invalid semantic version".into()));
    assert_eq!(
        err(&"1".repeat(257)),
        Some("version string is too long (max 256 bytes)".into())
    );
    // v3.4.0 has no length limit (and 257 ones overflow a segment).
    let long = format!("1.2.3-{}", "a".repeat(300));
    assert!(Version::parse(&long).is_err());
    assert!(Version::parse_with(&long, &Options::default().with_compat(Compat::V3_4)).is_ok());
}

#[test]
fn compare_follows_semver_precedence_and_ignores_metadata() {
    let order = [
        "1.0.0-0",
        "1.0.0-1",
        "1.0.0-2",
        "1.0.0-10",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
        "1.1.0",
        "2.0.0",
    ];
    for w in order.windows(2) {
        assert_eq!(
            v(w[0]).compare(&v(w[1])),
            Ordering::Less,
            "{} < {}",
            w[0],
            w[1]
        );
        assert_eq!(v(w[1]).compare(&v(w[0])), Ordering::Greater);
    }
    assert!(v("1.2.3+a").equal(&v("v1.2.3+b")));
    assert_ne!(v("1.2.3+a"), v("1.2.3+b"));
    // A number too large for 64 bits compares as a word (above numbers).
    assert_eq!(
        v("1.0.0-99999999999999999999").compare(&v("1.0.0-5")),
        Ordering::Greater
    );
}

#[test]
fn increments_and_setters_keep_the_v_prefix() {
    let x = v("v1.2.3-rc.1+meta");
    assert_eq!(x.inc_patch().original(), "v1.2.3");
    assert_eq!(x.inc_minor().original(), "v1.3.0");
    assert_eq!(x.inc_major().original(), "v2.0.0");
    assert_eq!(v("1.2.3").inc_patch().original(), "1.2.4");
    assert_eq!(
        v("18446744073709551615.1.1").inc_major().to_string(),
        "0.0.0"
    );
    assert_eq!(
        x.set_prerelease("beta").map(|n| n.original().to_owned()),
        Ok("v1.2.3-beta+meta".into())
    );
    assert_eq!(x.set_prerelease("01"), Err(VersionError::SegmentStartsZero));
    assert_eq!(x.set_metadata("a..b"), Err(VersionError::InvalidMetadata));
    assert_eq!(Version::new(1, 2, 3, "pre", "").original(), "1.2.3-pre");
}

#[test]
fn limits_of_v3_5_and_none_in_v3_4() {
    let groups = vec!["1.0.0"; 33].join(" || ");
    assert_eq!(
        Constraints::parse(&groups),
        Err(ConstraintError::TooManyGroups)
    );
    let v34 = Options::default().with_compat(Compat::V3_4);
    assert!(Constraints::parse_with(&groups, &v34).is_ok());
    let thirty_two = vec!["1.0.0"; 32].join(" || ");
    assert!(Constraints::parse(&thirty_two).is_ok());
    let long = format!(">=1.0.0{}", " ".repeat(506));
    assert_eq!(long.len(), 513);
    assert_eq!(Constraints::parse(&long), Err(ConstraintError::TooLong));
    assert!(Constraints::parse(&long[..512]).is_ok());
    assert!(Constraints::parse_with(&long, &v34).is_ok());
    // A version in a range is parsed with the version limit too.
    let long_pre = format!("1.2.3-{}", "a".repeat(260));
    assert_eq!(Constraints::parse(&long_pre), Err(ConstraintError::Parser));
    assert!(Constraints::parse_with(&long_pre, &v34).is_ok());
}

#[test]
fn error_messages_as_masterminds_words_them() {
    let msg = |s: &str, o: &Options| Constraints::parse_with(s, o).err().map(|e| e.to_string());
    let v35 = Options::default();
    let v34 = Options::default().with_compat(Compat::V3_4);
    assert_eq!(
        msg("!!bad", &v35),
        Some("improper constraint: \"!!bad\"".into())
    );
    assert_eq!(
        msg("!!bad", &v34),
        Some("improper constraint: !!bad".into())
    );
    assert_eq!(
        msg("1.2.3 ||", &v35),
        Some("improper constraint: \"\"".into())
    );
    assert_eq!(msg("1|2", &v35), Some("constraint parser error".into()));
    assert_eq!(
        msg("1.2.3\u{a0}", &v35),
        Some("improper constraint: \"1.2.3\\u00a0\"".into())
    );
    assert_eq!(
        msg("a\tb\u{1}", &v35),
        Some("improper constraint: \"a\\tb\\x01\"".into())
    );
    // Go rewrites each hyphen range at its first occurrence in the text rewritten so
    // far, which here is inside the previous rewrite.
    assert_eq!(
        msg("0 - 1 - 2 a1 - 2", &v35),
        Some("improper constraint: \">= 0, <= >= 1, <= 2  a1 - 2\"".into())
    );
    assert_eq!(
        msg(&format!("{} ", "1".repeat(600)), &v35),
        Some("constraint string is too long (max 512 bytes)".into())
    );
}

#[test]
fn constraints_display_as_string() {
    assert_eq!(c("1 - 2||3").to_string(), ">=1 <=2 || 3");
    assert_eq!(c("=>1.2 =<3").to_string(), "=>1.2 =<3");
    assert_eq!(c("^v1.2.x+meta").to_string(), "^v1.2.x+meta");
}

#[test]
fn matching_is_highest_first_and_stable() {
    let r = c(">=1.0.0");
    let inputs = [
        "1.2.3+b",
        "latest",
        "v2",
        "1.2.3",
        "0.9.0",
        "v1.2.3+a",
        "2.0.0-rc.1",
        "10.0.0",
    ];
    let got: Vec<(usize, &str)> = matching(&r, &inputs)
        .iter()
        .map(|m| (m.index, m.input))
        .collect();
    assert_eq!(
        got,
        [
            (7, "10.0.0"),
            (2, "v2"),
            (0, "1.2.3+b"),
            (3, "1.2.3"),
            (5, "v1.2.3+a")
        ]
    );
    assert_eq!(select_highest(&r, &inputs).map(|m| m.input), Some("10.0.0"));
    let owned: Vec<String> = vec!["0.1.0".into()];
    assert!(select_highest(&r, &owned).is_none());
}

/// fluxcd/pkg/version.ParseVersion: two dots needed, then NewVersion.
#[test]
fn flux_tags_need_three_parts() {
    let tags = [
        "v1.2",
        "1",
        "v1.2.3",
        "1.2-rc.1.2",
        "1.2.3.4",
        "v2.0.0+meta",
        "latest",
    ];
    let r = c(">=1.0.0-0");
    let got: Vec<&str> = matching_with(&r, &tags, Version::parse_flux)
        .iter()
        .map(|m| m.input)
        .collect();
    assert_eq!(got, ["v2.0.0+meta", "v1.2.3", "1.2-rc.1.2"]);
    assert_eq!(Version::parse_flux("1.2"), Err(VersionError::Invalid));
    assert_eq!(
        Version::parse_flux("1.2-rc.1.2").map(|v| v.to_string()),
        Ok("1.2.0-rc.1.2".to_owned())
    );
}

/// A small deterministic generator (xorshift), so the test needs no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
}

#[test]
fn random_input_never_panics_and_stays_bounded() {
    const PIECES: &[&str] = &[
        "1",
        "0",
        "01",
        "2.3",
        ".",
        "x",
        "X",
        "*",
        "-",
        " - ",
        "+",
        "v",
        "V",
        "|",
        "||",
        ",",
        " ",
        "\t",
        "\n",
        "=",
        "!=",
        ">",
        "<",
        ">=",
        "<=",
        "=>",
        "=<",
        "~",
        "~>",
        "^",
        "a",
        "rc.1",
        "-0",
        "99999999999999999999",
        "\u{a0}",
        "é",
        "\u{0}",
    ];
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let opts = [
        Options::default(),
        Options::default().with_compat(Compat::V3_4),
    ];
    for i in 0..20_000 {
        let n = rng.below(24);
        let text: String = (0..n).map(|_| PIECES[rng.below(PIECES.len())]).collect();
        let o = &opts[i % 2];
        let ver = Version::parse_with(&text, o);
        if let Ok(r) = Constraints::parse_with(&text, o) {
            let _ = r.to_string();
            if let Ok(x) = &ver {
                let _ = r.check(x);
            }
            for s in ["0.0.0", "1.2.3", "1.2.3-rc.1", "v2"] {
                let _ = r.check_str(s);
            }
        }
    }
    // Long inputs of both kinds finish (the expressions run in linear time on regex-lite,
    // the hyphen-range rewrite is bounded); how fast is for the benchmarks, not a test.
    let v34 = Options::default().with_compat(Compat::V3_4);
    let many = "1 - 2 ".repeat(20_000);
    let r = Constraints::parse_with(&many, &v34);
    assert_eq!(r, Err(ConstraintError::TooComplex));
    let ors = "1.2.3 || ".repeat(50_000) + "2";
    assert!(Constraints::parse_with(&ors, &v34).is_ok_and(|r| r.check_str("2.0.0")));
}

/// Differential dump for `tools/semver-ref` (see its README): reads `SEMVER_CASES`
/// (one case per line: the range and the versions, each hex-encoded UTF-8, separated by
/// single spaces) and writes `SEMVER_OUT` in the Go tool's `-batch` format; compat from
/// `SEMVER_COMPAT` (`3.4` or `3.5`).
#[test]
#[ignore = "run by tools/semver-ref/run.sh"]
fn differential_dump() {
    let (Ok(cases), Ok(out_path)) = (std::env::var("SEMVER_CASES"), std::env::var("SEMVER_OUT"))
    else {
        return;
    };
    let compat = match std::env::var("SEMVER_COMPAT").as_deref() {
        Ok("3.4") => Compat::V3_4,
        _ => Compat::V3_5,
    };
    let opts = Options::default().with_compat(compat);
    let text = std::fs::read_to_string(cases).expect("cases file readable");
    let unhex = |h: &str| {
        let bytes: Vec<u8> = (0..h.len() / 2)
            .map(|i| u8::from_str_radix(&h[2 * i..2 * i + 2], 16).expect("hex"))
            .collect();
        String::from_utf8(bytes).expect("UTF-8")
    };
    let mut out = String::new();
    for line in text.lines() {
        let mut fields = line.split(' ').map(unhex);
        let range = fields.next().expect("a range");
        let versions: Vec<String> = fields.collect();
        let json = |s: &str| {
            let mut o = String::new();
            crate::go::json::write_str(&mut o, s, false);
            o
        };
        match Constraints::parse_with(&range, &opts) {
            Err(e) => out.push_str(&format!("{{\"err\":{}}}\n", json(&e.to_string()))),
            Ok(r) => {
                let printed: String = matching(&r, &versions)
                    .iter()
                    .map(|m| format!("{}\n", m.input))
                    .collect();
                let verr: Vec<String> = versions
                    .iter()
                    .map(|s| {
                        json(
                            &Version::parse_with(s, &opts)
                                .err()
                                .map(|e| e.to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                out.push_str(&format!(
                    "{{\"string\":{},\"out\":{}{}}}\n",
                    json(&r.to_string()),
                    json(&printed),
                    if verr.is_empty() {
                        String::new()
                    } else {
                        format!(",\"verr\":[{}]", verr.join(","))
                    }
                ));
            }
        }
    }
    std::fs::write(out_path, out).expect("output written");
}
