//! `gitward envsubst`: Flux's variable substitution on standard input, as `flux envsubst`.

use std::collections::HashMap;
use std::ffi::OsString;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::process::ExitCode;

/// `gitward envsubst [--strict] [--var NAME=VALUE]...`.
#[derive(clap::Args)]
pub(crate) struct EnvsubstArgs {
    /// Fail on a variable that is not set (unless its expression gives a default).
    #[arg(long)]
    strict: bool,
    /// A variable, `NAME=VALUE` (split at the first `=`); repeatable, the last one of a
    /// name wins. Variables come only from these flags, never from the environment.
    #[arg(long = "var", value_name = "NAME=VALUE")]
    vars: Vec<OsString>,
}

/// Substitutes standard input line by line; prints `✗ <message>` and exits 1 at the first
/// line that fails (the lines before it are printed), as `flux envsubst` does.
pub(crate) fn run(args: &EnvsubstArgs) -> ExitCode {
    let mut vars: HashMap<String, Vec<u8>> = HashMap::new();
    for v in &args.vars {
        let b = v.as_bytes();
        let Some(eq) = b.iter().position(|&c| c == b'=') else {
            eprintln!("✗ invalid --var {:?}: expected NAME=VALUE", v);
            return ExitCode::from(1);
        };
        // A name that is not UTF-8 can never be referenced (names are letters, digits, _).
        if let Ok(name) = std::str::from_utf8(&b[..eq]) {
            vars.insert(name.to_string(), b[eq + 1..].to_vec());
        }
    }
    let mut input = Vec::new();
    if let Err(e) = std::io::stdin().lock().read_to_end(&mut input) {
        eprintln!("✗ reading standard input: {e}");
        return ExitCode::from(1);
    }
    let outcome =
        gitward::envsubst::eval_lines(&input, args.strict, |k| vars.get(k).map(Vec::as_slice));
    let mut stdout = std::io::stdout().lock();
    if let Err(e) = stdout
        .write_all(&outcome.output)
        .and_then(|()| stdout.flush())
    {
        eprintln!("✗ writing output: {e}");
        return ExitCode::from(1);
    }
    match outcome.error {
        Some(e) => {
            eprintln!("✗ {e}");
            ExitCode::from(1)
        }
        None => ExitCode::SUCCESS,
    }
}
