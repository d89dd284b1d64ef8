//! Flux's variable substitution (`fluxcd/pkg/envsubst` v1.7.1, a fork of drone/envsubst):
//! the language kustomize-controller applies for a Kustomization's `spec.postBuild` and
//! `flux envsubst` applies to its standard input.
//!
//! Only `${...}` is substituted: `${V}`, the default forms (`${V:-w}`, `${V:=w}`, `${V=w}`,
//! `${V:?w}`, `${V:+w}` — all "the value, else `w`"), `${#V}` (length in bytes),
//! `${V:o}`/`${V:o:l}` (byte substring), `${V^}`/`${V^^}`/`${V,}`/`${V,,}` (case),
//! `${V/p/r}`/`${V//p/r}`/`${V/#p/r}`/`${V/%p/r}` (literal replace) and
//! `${V#p}`/`${V##p}`/`${V%p}`/`${V%%p}` (glob trims); arguments nest. `$$` outside braces
//! is an escape (`$$` → `$`). See `../shared/conformance/envsubst/README.md` for the
//! reference's surprising behaviour, which this module follows.
//!
//! [`eval`] substitutes a whole text at once (as kustomize-controller does for an
//! object's YAML); [`eval_lines`] does what the `flux envsubst` CLI does — each line on
//! its own, as Go's `bufio.Scanner` splits them.

mod funcs;
mod parse;

use parse::Node;

/// Why a substitution failed (the reference's messages).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum EnvsubstError {
    /// A malformed expression.
    #[error("bad substitution")]
    BadSubstitution,
    /// An expression without its `}` (or an unknown operator).
    #[error("missing closing brace")]
    MissingClosingBrace,
    /// No variable name after `${`.
    #[error("unable to parse variable name")]
    ParseVariableName,
    /// A malformed operator argument.
    #[error("unable to parse substitution within function")]
    ParseFuncSubstitution,
    /// A malformed default operator.
    #[error("unable to parse default function")]
    ParseDefaultFunction,
    /// Strict mode: a variable that is not set, used without a default.
    #[error("variable not set (strict mode): {}", crate::go::strconv::quote(.0))]
    VariableNotSet(String),
    /// Expressions nested deeper than the parser allows (the reference has no bound).
    #[error(
        "substitution nested too deeply (more than {} levels)",
        parse::MAX_DEPTH
    )]
    TooDeep,
    /// The result would exceed [`MAX_OUTPUT`] bytes.
    #[error("substitution result larger than {} bytes", MAX_OUTPUT)]
    TooLarge,
    /// An offset or length the reference would slice with and crash on.
    #[error("substring out of range in ${{{0}:...}}")]
    OutOfRange(String),
}

/// The largest result [`eval`] produces (nested replacements can multiply sizes).
pub const MAX_OUTPUT: usize = 256 << 20;

/// `bufio.MaxScanTokenSize`: a line (with its newline) longer than this stops
/// [`eval_lines`] silently, as it stops `flux envsubst`.
pub const MAX_LINE: usize = 64 * 1024;

/// Substitutes `${...}` in `input`, looking variables up with `lookup`. Outside strict
/// mode a variable `lookup` does not know is empty; in strict mode it is an error unless
/// its own operator is one of the default forms.
///
/// # Errors
/// [`EnvsubstError`] for a malformed expression or (strict) an unset variable.
pub fn eval<'v, F>(input: &[u8], strict: bool, lookup: F) -> Result<Vec<u8>, EnvsubstError>
where
    F: Fn(&str) -> Option<&'v [u8]>,
{
    let tree = parse::parse(input)?;
    let mut out = Vec::with_capacity(input.len());
    eval_node(&tree, strict, &lookup, &mut out)?;
    Ok(out)
}

fn eval_node<'v, F>(
    node: &Node,
    strict: bool,
    lookup: &F,
    out: &mut Vec<u8>,
) -> Result<(), EnvsubstError>
where
    F: Fn(&str) -> Option<&'v [u8]>,
{
    match node {
        Node::Text(t) => out.extend_from_slice(t),
        Node::List(nodes) => {
            for n in nodes {
                eval_node(n, strict, lookup, out)?;
            }
        }
        Node::Func { param, name, args } => {
            let mut values = Vec::with_capacity(args.len());
            for a in args {
                let mut buf = Vec::new();
                eval_node(a, strict, lookup, &mut buf)?;
                values.push(buf);
            }
            let value = lookup(param);
            let is_default_op = matches!(
                name.as_str(),
                "-" | "+" | "=" | "?" | ":-" | ":+" | ":=" | ":?"
            );
            if strict && value.is_none() && !is_default_op {
                return Err(EnvsubstError::VariableNotSet(param.clone()));
            }
            let limit = MAX_OUTPUT.saturating_sub(out.len());
            let v =
                funcs::apply(name, value.unwrap_or_default(), &values, limit).map_err(
                    |e| match e {
                        funcs::FuncError::OutOfRange => EnvsubstError::OutOfRange(param.clone()),
                        funcs::FuncError::TooLarge => EnvsubstError::TooLarge,
                    },
                )?;
            out.extend_from_slice(&v);
        }
    }
    if out.len() > MAX_OUTPUT {
        return Err(EnvsubstError::TooLarge);
    }
    Ok(())
}

/// What [`eval_lines`] produced: the output up to the first failing line, and that
/// failure.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinesOutcome {
    /// Each substituted line followed by `\n`.
    pub output: Vec<u8>,
    /// The error of the first line that failed (nothing after it is in `output`).
    pub error: Option<EnvsubstError>,
}

/// `flux envsubst`: splits `input` into lines as Go's `bufio.Scanner` does (`\n` ends a
/// line and a `\r` before it is dropped; a last line without newline counts; a line of
/// [`MAX_LINE`] bytes or more stops the scan silently), substitutes each line on its own
/// and prints it with `\n`, stopping at the first error.
pub fn eval_lines<'v, F>(input: &[u8], strict: bool, lookup: F) -> LinesOutcome
where
    F: Fn(&str) -> Option<&'v [u8]>,
{
    let mut output = Vec::with_capacity(input.len() + 1);
    let mut rest = input;
    while !rest.is_empty() {
        let (line, next) = match rest.iter().position(|&b| b == b'\n') {
            Some(i) if i < MAX_LINE => (&rest[..i], &rest[i + 1..]),
            Some(_) => break,
            None if rest.len() < MAX_LINE => (rest, &rest[rest.len()..]),
            None => break,
        };
        rest = next;
        let line = line.strip_suffix(b"\r").unwrap_or(line);
        match eval(line, strict, &lookup) {
            Ok(v) => {
                output.extend_from_slice(&v);
                output.push(b'\n');
            }
            Err(e) => {
                return LinesOutcome {
                    output,
                    error: Some(e),
                };
            }
        }
    }
    LinesOutcome {
        output,
        error: None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    fn run(input: &str, vars: &[(&str, &str)], strict: bool) -> Result<String, EnvsubstError> {
        let vars: HashMap<&str, &[u8]> = vars.iter().map(|(k, v)| (*k, v.as_bytes())).collect();
        eval(input.as_bytes(), strict, |k| vars.get(k).copied())
            .map(|o| String::from_utf8_lossy(&o).into_owned())
    }

    #[test]
    fn plain_escapes_and_defaults() {
        let v = [("A", "x"), ("E", "")];
        assert_eq!(
            run("a ${A} $A $$ $${A} $$$", &v, false).as_deref(),
            Ok("a x $A $ ${A} $$")
        );
        assert_eq!(
            run("${E:-d} ${U:=d} ${A:+alt} ${E=d}", &v, false).as_deref(),
            Ok("d d x d")
        );
        assert_eq!(run("${U:-${A:-z}}", &v, false).as_deref(), Ok("x"));
        assert_eq!(run("${U:-$$}", &v, false).as_deref(), Ok("$$"));
        assert_eq!(run("${A}}", &v, false).as_deref(), Ok("x}"));
        assert_eq!(run("${名前}", &[("名前", "n")], false).as_deref(), Ok("n"));
    }

    #[test]
    fn errors_as_the_reference() {
        assert_eq!(
            run("${A-w}", &[], false),
            Err(EnvsubstError::MissingClosingBrace)
        );
        assert_eq!(
            run("${}", &[], false),
            Err(EnvsubstError::ParseVariableName)
        );
        assert_eq!(
            run("${A:-x", &[], false),
            Err(EnvsubstError::ParseFuncSubstitution)
        );
        assert_eq!(
            run("${A#}", &[], false),
            Err(EnvsubstError::ParseFuncSubstitution)
        );
        assert_eq!(
            run("${A/p}", &[], false),
            Err(EnvsubstError::BadSubstitution)
        );
        assert_eq!(
            run("${A::3}", &[], false),
            Err(EnvsubstError::ParseFuncSubstitution)
        );
        let e = run("${U}", &[], true).expect_err("strict");
        assert_eq!(e.to_string(), "variable not set (strict mode): \"U\"");
        assert_eq!(run("${U:-d}", &[], true).as_deref(), Ok("d"));
        assert_eq!(
            run("${A:-${U}}", &[("A", "x")], true),
            Err(EnvsubstError::VariableNotSet("U".into()))
        );
    }

    #[test]
    fn operators_parse_their_arguments() {
        let v = [("V", "hello/world"), ("O", "1"), ("L", "3"), ("R", "_")];
        assert_eq!(run("${V:${O}:${L}}", &v, false).as_deref(), Ok("ell"));
        assert_eq!(run("${V//o/${R}}", &v, false).as_deref(), Ok("hell_/w_rld"));
        assert_eq!(run("${V/\\//-}", &v, false).as_deref(), Ok("hello-world"));
        assert_eq!(run("${V#*/}", &v, false).as_deref(), Ok("world"));
        assert_eq!(run("${#V}", &v, false).as_deref(), Ok("11"));
    }

    #[test]
    fn lines_as_the_cli_reads_them() {
        let vars: HashMap<&str, &[u8]> = [("A", b"x".as_slice())].into_iter().collect();
        let get = |k: &str| vars.get(k).copied();
        let o = eval_lines(b"a ${A}\r\nb\n\nlast", false, get);
        assert_eq!(o.output, b"a x\nb\n\nlast\n");
        assert_eq!(o.error, None);
        let o = eval_lines(b"ok\n${A-x}\nnever\n", false, get);
        assert_eq!(o.output, b"ok\n");
        assert_eq!(o.error, Some(EnvsubstError::MissingClosingBrace));
        let long = [b"a\n".as_slice(), &vec![b'x'; MAX_LINE], b"\nb\n"].concat();
        let o = eval_lines(&long, false, get);
        assert_eq!((o.output, o.error), (b"a\n".to_vec(), None));
        let nul = eval_lines(b"a\0${A}\n", false, get);
        assert_eq!(nul.output, b"a\n");
    }

    #[test]
    fn nesting_and_size_are_bounded() {
        let deep = "${A:-".repeat(parse::MAX_DEPTH + 1) + &"}".repeat(parse::MAX_DEPTH + 1);
        assert_eq!(run(&deep, &[], false), Err(EnvsubstError::TooDeep));
        let ok = "${A:-".repeat(100) + "z" + &"}".repeat(100);
        assert_eq!(run(&ok, &[], false).as_deref(), Ok("z"));
        // Each level replaces every position of a 64-byte value with the level below.
        let mut e = String::from("x");
        for _ in 0..6 {
            e = format!("${{V//${{E}}/{e}}}");
        }
        let v = [(
            "V",
            "0123456789012345678901234567890123456789012345678901234567890123",
        )];
        assert_eq!(run(&e, &v, false), Err(EnvsubstError::TooLarge));
    }

    #[test]
    fn random_lines_never_panic() {
        // Lines drawn from the language's own characters, so that most of them reach deep
        // into the parser and the operators.
        const ALPHABET: &[u8] = b"${}:-=?+#%/^,\\*[]!AEN0 1x\xff\xc3\xa9\n\r\0";
        let lookup = |k: &str| match k {
            "A" => Some(b"va/lue$$".as_slice()),
            "E" => Some(b"".as_slice()),
            "N" => Some(b"-2".as_slice()),
            _ => None,
        };
        let mut seed: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for _ in 0..5000 {
            let len = (next() % 40) as usize;
            let line: Vec<u8> = (0..len)
                .map(|_| ALPHABET[(next() % ALPHABET.len() as u64) as usize])
                .collect();
            for strict in [false, true] {
                let a = eval(&line, strict, lookup);
                assert_eq!(a, eval(&line, strict, lookup), "{line:?}");
                let _ = eval_lines(&line, strict, lookup);
            }
        }
    }
}
