//! The `gitward` command line.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::io::Write;
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// GitOps sync as a library: sources, kustomize and helm builds, diff, plan, apply.
#[derive(Parser)]
#[command(name = "gitward", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Print the version.
    Version,
    /// Parse YAML files and print their objects as kustomize prints them.
    Fmt {
        /// Files to read (`-` for standard input).
        #[arg(required = true)]
        files: Vec<PathBuf>,
    },
}

/// A failure to report on stderr, with exit code 1.
struct Failure(String);

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Version => {
            println!("gitward {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Fmt { files } => fmt(&files),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure(msg)) => {
            eprintln!("Error: {msg}");
            ExitCode::from(1)
        }
    }
}

fn fmt(files: &[PathBuf]) -> Result<(), Failure> {
    let mut docs = Vec::new();
    for f in files {
        let shown = f.display().to_string();
        let text = if shown == "-" {
            std::io::read_to_string(std::io::stdin())
                .map_err(|e| Failure(format!("<stdin>: {e}")))?
        } else {
            std::fs::read_to_string(f).map_err(|e| Failure(format!("{shown}: {e}")))?
        };
        let parsed = gitward::yaml::parse_kustomize_docs(&text)
            .map_err(|e| Failure(format!("{shown}:{}:{}: {}", e.line, e.column, e.message)))?;
        docs.extend(parsed);
    }
    let out = gitward::yaml::dump_kustomize_docs(&docs);
    let mut stdout = std::io::stdout().lock();
    stdout
        .write_all(out.as_bytes())
        .and_then(|()| stdout.flush())
        .map_err(|e| Failure(format!("writing output: {e}")))
}
