//! The gitward side of the artifact differential tests (`tools/artifact-ref`).
//!
//! ```text
//! artifact_ref sc DIR OUT.tgz [SPEC_IGNORE_FILE]   source-controller's artifact of DIR; prints the digest
//! artifact_ref gz CHUNKS DATA OUT                  GzipWriter (default level), one write per chunk size
//! ```
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;
use std::process::ExitCode;

use gitward::go::gzip::GzipWriter;
use gitward::source::{artifact::Artifact, walk};

fn sc(args: &[String]) -> Result<(), String> {
    let [dir, out, rest @ ..] = args else {
        return Err("usage: sc DIR OUT [SPEC_IGNORE_FILE]".into());
    };
    let entries =
        walk::walk_dir(Path::new(dir), &walk::WalkLimits::default()).map_err(|e| e.to_string())?;
    let ignore = match rest.first() {
        Some(p) => Some(
            String::from_utf8_lossy(&std::fs::read(p).map_err(|e| e.to_string())?).into_owned(),
        ),
        None => None,
    };
    let art =
        Artifact::from_git_checkout(&entries, ignore.as_deref()).map_err(|e| e.to_string())?;
    let packed = art.pack().map_err(|e| e.to_string())?;
    std::fs::write(out, &packed.bytes).map_err(|e| e.to_string())?;
    println!("{}", packed.digest);
    Ok(())
}

fn gz(args: &[String]) -> Result<(), String> {
    let [chunks, data, out] = args else {
        return Err("usage: gz CHUNKS DATA OUT".into());
    };
    let chunks = std::fs::read_to_string(chunks).map_err(|e| e.to_string())?;
    let data = std::fs::read(data).map_err(|e| e.to_string())?;
    let mut w = GzipWriter::new_default();
    let mut rest = &data[..];
    for line in chunks.lines() {
        let n: usize = line
            .parse()
            .map_err(|_| format!("bad chunk size {line:?}"))?;
        let (head, tail) = rest.split_at(n.min(rest.len()));
        w.write(head);
        rest = tail;
    }
    w.write(rest);
    std::fs::write(out, w.finish().map_err(|e| e.to_string())?).map_err(|e| e.to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let result = match args.first().map(String::as_str) {
        Some("sc") => sc(&args[1..]),
        Some("gz") => gz(&args[1..]),
        _ => Err("usage: artifact_ref sc|gz ...".into()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
