//! Go `text/template` with Sprig and Helm functions, rendering as Helm v4.1.4 does.
//!
//! Templates parse once into an immutable, shareable [`Templates`] set (`Send + Sync`);
//! each [`Templates::execute`] call evaluates one of them against data with an [`Env`]
//! that supplies everything impure (clock, randomness, lookup objects) and the limits.
//!
//! ```
//! use gitward::template::{Env, Templates, value::Val};
//! let mut t = Templates::new();
//! t.add("t", r#"{{ .x | upper }}-{{ printf "%05.1f" 3.14159 }}"#).unwrap();
//! let data = Val::from_value(&gitward::yaml::Value::Map(
//!     [("x".to_string(), gitward::yaml::Value::from("hi"))].into_iter().collect(),
//! ));
//! assert_eq!(t.execute("t", data, &Env::default()).unwrap(), "HI-003.1");
//! ```

mod error;
mod exec;
mod funcs;
pub(crate) mod gofmt;
pub mod helm;
mod lex;
mod parse;
pub mod strvals;
pub mod time;
mod toml;
pub mod value;
mod yamlpretty;

/// Go's `regexp.Compile` (RE2 syntax read as Go reads it; errors in Go's words), for the
/// engines that take Go regular expressions from their input.
pub(crate) use funcs::regex::compile as go_regex;

use crate::go::strconv;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

pub use error::TemplateError;
pub use funcs::{bytes_to_gostr, gostr_to_bytes, has_function};
use value::Val;

/// The Go bytes of an engine string ([`gostr_to_bytes`]), borrowed when it carries no
/// raw bytes: those travel as U+10FF00..=U+10FFFF, whose UTF-8 form starts with 0xF4 (as
/// that of every character from U+100000 on does), so a text without that byte is its
/// own bytes.
pub fn gostr_bytes(s: &str) -> std::borrow::Cow<'_, [u8]> {
    if memchr::memchr(0xF4, s.as_bytes()).is_none() {
        std::borrow::Cow::Borrowed(s.as_bytes())
    } else {
        std::borrow::Cow::Owned(gostr_to_bytes(s))
    }
}

/// [`bytes_to_gostr`], borrowed when the bytes are UTF-8, and a run of valid text at a
/// time otherwise: a byte Go's `utf8.DecodeRune` rejects is always one that
/// `utf8_chunks` puts in an invalid part (a lead byte cut short, or a stray continuation
/// byte), and each such byte becomes its carrier character.
pub fn gostr_from_bytes(b: &[u8]) -> std::borrow::Cow<'_, str> {
    /// Where [`bytes_to_gostr`] carries raw bytes (U+10FF00 + byte).
    const RAW_BASE: u32 = 0x10FF00;
    match std::str::from_utf8(b) {
        Ok(s) => std::borrow::Cow::Borrowed(s),
        Err(_) => {
            let mut out = String::with_capacity(b.len() + b.len() / 2);
            for chunk in b.utf8_chunks() {
                out.push_str(chunk.valid());
                for &x in chunk.invalid() {
                    out.push(char::from_u32(RAW_BASE + u32::from(x)).unwrap_or('\u{FFFD}'));
                }
            }
            std::borrow::Cow::Owned(out)
        }
    }
}

/// Parses JSON as Go's `encoding/json` does into `interface{}` (numbers are float64).
pub fn parse_json(text: &str) -> Result<crate::yaml::Value, String> {
    let v = funcs::json::unmarshal(text)?;
    v.to_value()
        .ok_or_else(|| "json: unsupported value".to_string())
}

/// Masterminds semver `NewVersion(v)`: the parsed version, or the library's error.
pub(crate) fn parse_semver(v: &str) -> Result<value::Version, String> {
    funcs::semver::parse_version(v)
}

/// Masterminds semver `NewVersion(v)` succeeds (used by Helm's chart validation): what
/// [`funcs::semver::parse_version`] accepts, read without its regular expression (which
/// costs more to compile than a small chart takes to render). The expression,
/// `^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?$`,
/// matches greedily in one way only, so the parts are those its groups capture.
pub(crate) fn semver_valid(v: &str) -> bool {
    fn digits(s: &str) -> usize {
        s.bytes().take_while(u8::is_ascii_digit).count()
    }
    /// Dot-separated non-empty identifiers of `[0-9A-Za-z-]`; their length.
    fn idents(s: &str) -> Option<usize> {
        let is_ident = |c: u8| c.is_ascii_alphanumeric() || c == b'-';
        let mut n = 0;
        loop {
            let m = s[n..].bytes().take_while(|&c| is_ident(c)).count();
            if m == 0 {
                return None;
            }
            n += m;
            if s[n..].starts_with('.') && s[n + 1..].bytes().next().is_some_and(is_ident) {
                n += 1;
            } else {
                return Some(n);
            }
        }
    }
    let rest = v.strip_prefix('v').unwrap_or(v);
    let mut nums = Vec::with_capacity(3);
    let n = digits(rest);
    if n == 0 {
        return false;
    }
    nums.push(&rest[..n]);
    let mut rest = &rest[n..];
    for _ in 0..2 {
        match rest.strip_prefix('.') {
            Some(r) if digits(r) > 0 => {
                nums.push(&r[..digits(r)]);
                rest = &r[digits(r)..];
            }
            _ => break,
        }
    }
    let mut pre = "";
    if let Some(r) = rest.strip_prefix('-') {
        let Some(n) = idents(r) else { return false };
        pre = &r[..n];
        rest = &r[n..];
    }
    if let Some(r) = rest.strip_prefix('+') {
        let Some(n) = idents(r) else { return false };
        rest = &r[n..];
    }
    rest.is_empty()
        && nums.iter().all(|d| d.parse::<u64>().is_ok())
        && pre
            .split('.')
            .all(|p| !(p.len() > 1 && p.starts_with('0') && p.bytes().all(|c| c.is_ascii_digit())))
}

/// Helm's `IsCompatibleRange`: `version` parses and satisfies `constraint`; false on
/// any parse error.
pub(crate) fn semver_satisfies(constraint: &str, version: &str) -> bool {
    let Ok(v) = funcs::semver::parse_version(version) else {
        return false;
    };
    funcs::semver::parse_constraint(constraint).is_ok_and(|c| c.check(&v))
}

/// Resource limits of one execution.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// Maximum evaluation steps (nodes and commands) before failing.
    pub max_steps: u64,
    /// Maximum output bytes (all buffers, including `include` results).
    pub max_output: usize,
    /// Maximum nesting of `template`/`include`/`tpl` calls. Each level uses native
    /// stack; keep the thread's stack large enough (about 16 KiB per level).
    pub max_depth: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_steps: 50_000_000,
            max_output: 256 << 20,
            max_depth: 1100,
        }
    }
}

/// The clock: seconds and nanoseconds since the Unix epoch.
pub type Clock = Arc<dyn Fn() -> (i64, u32) + Send + Sync>;
/// A source of random bytes.
pub type Random = Arc<dyn Fn(&mut [u8]) + Send + Sync>;

/// Everything impure a template execution may use, supplied by the caller.
#[derive(Clone)]
pub struct Env {
    /// `now` and friends.
    pub now: Clock,
    /// Random functions, `uuidv4`, `shuffle`.
    pub random: Random,
    /// Objects `lookup` can return (a cluster snapshot); empty like `helm template`.
    pub lookup: Vec<crate::yaml::Value>,
    /// Limits.
    pub limits: Limits,
}

impl Default for Env {
    /// A deterministic environment: the clock is fixed at the Unix epoch, randomness
    /// is a fixed-seed generator, no lookup objects.
    fn default() -> Self {
        let state = Arc::new(AtomicU64::new(0x9E37_79B9_7F4A_7C15));
        Env {
            now: Arc::new(|| (0, 0)),
            random: Arc::new(move |buf: &mut [u8]| {
                for b in buf.iter_mut() {
                    // splitmix64
                    let mut z = state.fetch_add(0x9E37_79B9_7F4A_7C15, Ordering::Relaxed);
                    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
                    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
                    *b = (z ^ (z >> 31)) as u8;
                }
            }),
            lookup: Vec::new(),
            limits: Limits::default(),
        }
    }
}

impl std::fmt::Debug for Env {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Env")
            .field("lookup", &self.lookup.len())
            .field("limits", &self.limits)
            .finish()
    }
}

/// The templates one text defines, parsed ([`Templates::parse`]) but not yet added to a
/// set.
#[derive(Debug)]
pub struct ParsedText(HashMap<String, parse::Tree>);

/// A set of named templates, parsed once and shareable across threads.
#[derive(Debug, Clone)]
pub struct Templates {
    trees: Arc<exec::TreeMap>,
    root: String,
    /// Texts given to `tpl`, parsed once for every execution of this set.
    tpl_cache: Arc<exec::TplCache>,
}

impl Default for Templates {
    fn default() -> Self {
        Self::new()
    }
}

impl Templates {
    /// An empty set whose root is named `gotpl` (as in Helm's engine).
    pub fn new() -> Templates {
        Templates {
            trees: Arc::new(HashMap::new()),
            root: "gotpl".into(),
            tpl_cache: Arc::default(),
        }
    }

    /// Parses `text` as the template `name`, adding it and every `define`/`block` in
    /// it. Within one text a template may be defined once; across texts a later
    /// non-empty definition replaces an earlier one (Go's `Template.Parse`).
    pub fn add(&mut self, name: &str, text: &str) -> Result<(), TemplateError> {
        self.add_parsed(Self::parse(name, text)?);
        Ok(())
    }

    /// Parses `text` as the template `name` without adding it: what [`Templates::add`]
    /// does first, on any thread (add the result with [`Templates::add_parsed`]).
    pub fn parse(name: &str, text: &str) -> Result<ParsedText, TemplateError> {
        let has = |n: &str| funcs::lookup(n);
        Ok(ParsedText(parse::Parser::parse(name, text, &has)?))
    }

    /// Adds a text parsed by [`Templates::parse`], as [`Templates::add`] would have.
    pub fn add_parsed(&mut self, parsed: ParsedText) {
        let set = Arc::make_mut(&mut self.trees);
        for (k, t) in parsed.0 {
            let empty = t
                .root
                .nodes
                .iter()
                .all(|n| matches!(n, parse::Node::Text(s) if s.trim().is_empty()));
            if empty && set.contains_key(&k) {
                continue;
            }
            set.insert(k, Arc::new(t));
        }
    }

    /// Whether a template of that name exists.
    pub fn contains(&self, name: &str) -> bool {
        self.trees.contains_key(name)
    }

    /// Executes template `name` with `data` as `.` and `$`. The result is Go's output
    /// text (bytes that are not UTF-8 are carried as private-use characters; use
    /// [`gostr_to_bytes`] for the exact bytes).
    pub fn execute(&self, name: &str, data: Val, env: &Env) -> Result<String, TemplateError> {
        let Some(tree) = self.trees.get(name).cloned() else {
            return Err(TemplateError::Exec {
                message: format!(
                    "template: no template {} associated with template {}",
                    strconv::quote(name),
                    strconv::quote(&self.root)
                ),
                user: None,
            });
        };
        let layer = Rc::new(exec::Layer {
            trees: self.trees.clone(),
            parent: None,
        });
        let mut st = exec::State::new(env, layer, &self.tpl_cache, &self.root, tree);
        let mut out = String::new();
        st.run(data, &mut out)?;
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::unwrap_used)]
    fn render(t: &str) -> String {
        let mut ts = Templates::new();
        ts.add("t", t).unwrap();
        ts.execute("t", Val::Nil, &Env::default()).unwrap()
    }

    #[test]
    fn basics() {
        assert_eq!(render("a{{/* c */}}b {{- 1 -}} c"), "ab1c");
        assert_eq!(
            render("{{ 1e6 }}|{{ 3.0 }}|{{ 0x10 }}|{{ 'a' }}"),
            "1e+06|3|16|97"
        );
        assert_eq!(
            render("{{ range $i, $v := list 1 2 }}{{ $i }}{{ $v }}{{ end }}"),
            "0112"
        );
        assert_eq!(
            render("{{ printf \"%5.2f|%-4d|%x\" 3.14159 7 255 }}"),
            " 3.14|7   |ff"
        );
    }

    #[allow(clippy::unwrap_used)]
    fn render_err(t: &str) -> String {
        let mut ts = Templates::new();
        ts.add("t", t).unwrap();
        ts.execute("t", Val::Nil, &Env::default())
            .unwrap_err()
            .to_string()
    }

    /// `index` lets an index equal to the length through its range check, and
    /// `reflect.Value.Index` panics for it with its own message.
    #[test]
    fn index_one_past_the_end_is_a_reflect_panic() {
        for (t, want) in [
            (
                "{{ index (list 1 2) 2 }}",
                "reflect: slice index out of range",
            ),
            ("{{ index \"ab\" 2 }}", "reflect: string index out of range"),
            ("{{ index (list 1 2) 3 }}", "index out of range: 3"),
            ("{{ index (list) 0 }}", "reflect: slice index out of range"),
        ] {
            let e = render_err(t);
            assert!(
                e.ends_with(&format!("error calling index: {want}")),
                "{t}: {e}"
            );
        }
        assert_eq!(render("{{ index (list 1 2) 1 }}"), "2");
    }

    /// Sprig's `semver`/`semverCompare` use the shared `crate::semver` with Masterminds
    /// v3.4.0's behaviour (Helm v4.1.4): no length limits, unquoted messages, the
    /// constraint parsed before the version. Checked with `helm template` v4.1.4.
    #[test]
    fn semver_functions_follow_masterminds_v3_4() {
        let groups: Vec<String> = (0..33).map(|i| format!("1.0.{i}")).collect();
        assert_eq!(
            render(&format!(
                "{{{{ semverCompare {:?} \"1.0.32\" }}}}",
                groups.join(" || ")
            )),
            "true"
        );
        assert!(
            render_err(r#"{{ semverCompare "!!bad" "bad" }}"#)
                .ends_with("error calling semverCompare: improper constraint: !!bad")
        );
        assert!(
            render_err(r#"{{ semverCompare "0 - 1 - 2 a1 - 2" "1.0.0" }}"#).ends_with(
                "error calling semverCompare: improper constraint: >= 0, <= >= 1, <= 2  a1 - 2"
            )
        );
        assert_eq!(
            render(r#"{{ (semver "18446744073709551615.0.0").IncMajor }}"#),
            "0.0.0"
        );
        assert_eq!(
            render(r#"{{ ((semver "v1.2.3").SetPrerelease "rc.1").IncPatch }}"#),
            "1.2.3"
        );
    }

    /// A method called on a parenthesised operand reports its error at the chain, as
    /// Go's `evalCall` does (`s.at(node)`), and the setters validate.
    #[test]
    fn method_errors_point_at_the_chain() {
        assert_eq!(
            render_err(r#"{{ (semver "v1.2.3").SetPrerelease "01" }}"#),
            "template: t:1:20: executing \"t\" at <(semver \"v1.2.3\").SetPrerelease>: \
             error calling SetPrerelease: version segment starts with 0"
        );
        assert!(
            render_err(r#"{{ $v := semver "v1.2.3" }}{{ $v.SetMetadata "a..b" }}"#).ends_with(
                "at <$v.SetMetadata>: error calling SetMetadata: invalid metadata string"
            )
        );
    }

    /// mergo's overwriting merge stores a nil source value; the plain merge skips it.
    #[test]
    fn merge_overwrite_stores_nil() {
        assert_eq!(
            render(
                r#"{{ mergeOverwrite (dict "a" 1 "c" (dict "x" 1)) (dict "a" nil "b" nil "c" (dict "x" nil)) | toJson }}"#
            ),
            r#"{"a":null,"b":null,"c":{"x":null}}"#
        );
        assert_eq!(
            render(r#"{{ merge (dict "a" 1) (dict "a" nil "b" nil) | toJson }}"#),
            r#"{"a":1}"#
        );
    }

    #[allow(clippy::unwrap_used)]
    fn render_with(t: &str, data: Val) -> Result<String, String> {
        let mut ts = Templates::new();
        ts.add("t", t).unwrap();
        ts.execute("t", data, &Env::default())
            .map_err(|e| e.to_string())
    }

    /// Helm's structs print as Go prints them: `KubeVersion.String()` (on the pointer)
    /// only where the template prints the field itself, fields (unexported ones too)
    /// through `fmt`, JSON names and exported fields only through `toJson`.
    #[test]
    fn capabilities_print_as_go_structs() {
        let mut m = std::collections::BTreeMap::new();
        m.insert(
            "Capabilities".to_string(),
            helm::capabilities_object("1.35", &[]),
        );
        let mut files = std::collections::BTreeMap::new();
        files.insert("a.txt".to_string(), Val::str("hi\n"));
        m.insert("Files".to_string(), funcs::helm::files_map(files));
        let data = Val::dict(m);
        for (t, want) in [
            ("{{ .Capabilities.KubeVersion }}", "v1.35"),
            (
                "{{ print .Capabilities.KubeVersion }}",
                "{v1.35 v1.35 1 35}",
            ),
            (
                "{{ printf \"%+v\" .Capabilities.KubeVersion }}",
                "{Version:v1.35 normalizedVersion:v1.35 Major:1 Minor:35}",
            ),
            (
                "{{ printf \"%#v\" .Capabilities.KubeVersion }}",
                "common.KubeVersion{Version:\"v1.35\", normalizedVersion:\"v1.35\", Major:\"1\", Minor:\"35\"}",
            ),
            (
                "{{ .Capabilities.HelmVersion | toJson }}",
                r#"{"version":"v4.1.4","git_commit":"05fa37973dc9e42b76e1d2883494c87174b6074f","git_tree_state":"clean","go_version":"go1.25.9","kube_client_version":"v1.35"}"#,
            ),
            (
                "{{ .Capabilities.KubeVersion | toJson }}",
                r#"{"Version":"v1.35","Major":"1","Minor":"35"}"#,
            ),
            ("{{ .Files | toYaml }}", "a.txt: aGkK"),
            ("{{ .Files | toString }}", "map[a.txt:[104 105 10]]"),
            (
                "{{ printf \"%#v\" .Files }}",
                r#"engine.files{"a.txt":[]uint8{0x68, 0x69, 0xa}}"#,
            ),
            (
                "{{ printf \"%#v\" (list 1 nil) }}",
                "[]interface {}{1, interface {}(nil)}",
            ),
        ] {
            assert_eq!(render_with(t, data.clone()).as_deref(), Ok(want), "{t}");
        }
        let e = render_with("{{ .Capabilities.KubeVersion.normalizedVersion }}", data).unwrap_err();
        assert!(
            e.ends_with(
                "normalizedVersion is an unexported field of struct type common.KubeVersion"
            ),
            "{e}"
        );
    }

    /// A value that does not fit its parameter is reported at the node Go visited last:
    /// the last argument (inside a parenthesized pipeline, its last argument).
    #[test]
    fn type_errors_point_at_the_last_visited_node() {
        for (t, at) in [
            ("{{ dict | nindent 14 }}", "at <14>"),
            ("{{ dict | upper }}", "at <upper>"),
            ("{{ dict | trimPrefix (print \"a\") }}", "at <\"a\">"),
            ("{{ list 2 | join (list 1) }}", "at <1>"),
        ] {
            let e = render_err(t);
            assert!(e.contains(at), "{t}: {e}");
            assert!(e.contains("wrong type for value"), "{t}: {e}");
        }
        // A field of a parenthesized operand: where evaluating the operand ended.
        let e = render_err("{{ (print 1).x }}");
        assert!(e.contains("at <1>"), "{e}");
        assert!(e.contains("can't evaluate field x in type string"), "{e}");
    }

    /// Sprig's non-`must` regex functions other than `regexMatch` panic on a bad
    /// expression (`regexp.MustCompile`), which the template reports as the call's error.
    #[test]
    fn bad_regexps_fail_the_call() {
        for f in [
            "regexFind \"a(\" \"abc\"",
            "regexFindAll \"a(\" \"abc\" -1",
            "regexReplaceAll \"a(\" \"abc\" \"x\"",
            "regexSplit \"a(\" \"abc\" -1",
        ] {
            let e = render_err(&format!("{{{{ {f} }}}}"));
            assert!(
                e.ends_with(
                    ": regexp: Compile(`a(`): error parsing regexp: missing closing ): `a(`"
                ),
                "{f}: {e}"
            );
        }
        assert_eq!(render("{{ regexMatch \"a(\" \"abc\" }}"), "false");
    }

    /// The chart version check agrees with Masterminds' `NewVersion` (its regular
    /// expression and checks).
    #[test]
    fn semver_valid_is_new_version() {
        for v in [
            "1",
            "1.2",
            "1.2.3",
            "v1.2.3",
            "1.2.3-rc.1",
            "1.2.3+b.7",
            "1.2.3-rc.1+b.7",
            "1.2-x",
            "1.2.3.4",
            "1.2.",
            "1..2",
            ".1",
            "v",
            "",
            "x",
            "1.2.3-",
            "1.2.3+",
            "1.2.3-a..b",
            "1.2.3-a.",
            "1.2.3-01",
            "1.2.3-0",
            "1.2.3-0a",
            "1.2.3-a.01",
            "1.2.3+01",
            "01.2.3",
            "1.02.3",
            "18446744073709551615",
            "18446744073709551616",
            "1.2.3-a-b--c",
            "1.2.3_4",
            "1.2.3 ",
            " 1.2.3",
            "1.2.3-é",
            "vv1",
            "1.2.3-+x",
            "1.2.3-a+b+c",
            "1.2.3-a.b-c.d+e.f-g",
            "1-2",
            "1+2",
            "1.2+3.4",
        ] {
            assert_eq!(
                semver_valid(v),
                funcs::semver::parse_version(v).is_ok(),
                "{v:?}"
            );
        }
    }

    /// The fast conversion of file bytes is the engine's.
    #[test]
    fn gostr_from_bytes_is_bytes_to_gostr() {
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut samples: Vec<Vec<u8>> = vec![
            b"plain".to_vec(),
            "h\u{e9}llo \u{FFFD} \u{1F600}".as_bytes().to_vec(),
            vec![0xE2, 0x82],
            vec![0xE2, 0x82, b'a', 0x80, 0xBF, 0xF0, 0x9F, 0x98],
            vec![0xED, 0xA0, 0x80, 0xC0, 0xAF, 0xF4, 0x90, 0x80, 0x80, 0xFF],
        ];
        for _ in 0..200 {
            let mut v = Vec::new();
            for _ in 0..24 {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                v.push(match state % 4 {
                    0 => b'a',
                    1 => 0x80 | (state >> 8) as u8 & 0x3F,
                    _ => (state >> 16) as u8,
                });
            }
            samples.push(v);
        }
        for b in samples {
            assert_eq!(gostr_from_bytes(&b), bytes_to_gostr(&b), "{b:x?}");
            assert_eq!(gostr_to_bytes(&gostr_from_bytes(&b)), b);
        }
    }

    #[test]
    fn send_sync() {
        fn check<T: Send + Sync>() {}
        check::<Templates>();
        check::<ParsedText>();
        check::<Env>();
    }
}
