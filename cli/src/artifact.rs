//! `gitward build artifact`: `flux build artifact` (flux2 v2.9.5), flags parsed as cobra and
//! pflag parse them, the tarball packed by `gitward::source::artifact::build_artifact`.
//!
//! ```text
//! gitward build artifact --path DIR|FILE|- [--output FILE.tgz] [--ignore-paths RULES]... [--resolve-symlinks]
//! ```
//!
//! Differences from flux, on purpose: `--resolve-symlinks` copies link targets only while
//! they stay inside `--path` (a link leaving it is an error instead of being copied), and
//! the tree read is bounded (`source::walk::WalkLimits`).

use std::ffi::{OsStr, OsString};
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{DirBuilderExt, MetadataExt, OpenOptionsExt, PermissionsExt};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use gitward::source::{artifact, ignore, walk};

/// The usage text (cobra's layout, flux's wording).
const HELP: &str = "The build artifact command creates a tgz file with the manifests
from the given directory or a single manifest file.

Usage:
  gitward build artifact [flags]

Examples:
  # Build the given manifests directory into an artifact
  gitward build artifact --path ./path/to/local/manifests --output ./path/to/artifact.tgz

  # Build the given single manifest file into an artifact
  gitward build artifact --path ./path/to/local/manifest.yaml --output ./path/to/artifact.tgz

  # List the files bundled in the artifact
  tar -ztvf ./path/to/artifact.tgz

Flags:
  -h, --help                   help for artifact
      --ignore-paths strings   set paths to ignore in .gitignore format (default [.git/,.gitignore,.gitmodules,.gitattributes,*.jpg,*.jpeg,*.gif,*.png,*.wmv,*.flv,*.tar.gz,*.zip])
  -o, --output string          Path to where the artifact tgz file should be written. (default \"artifact.tgz\")
  -p, --path string            Path to the directory where the Kubernetes manifests are located.
      --resolve-symlinks       resolve symlinks by copying their targets into the artifact (only inside --path)
";

/// The parsed flags.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Flags {
    path: OsString,
    output: OsString,
    ignore_paths: Vec<String>,
    ignore_changed: bool,
    resolve_symlinks: bool,
    help: bool,
}

/// Go's `strconv.Quote`, enough for error messages.
fn go_quote(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\x07' => out.push_str("\\a"),
            '\x08' => out.push_str("\\b"),
            '\x0c' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\x0b' => out.push_str("\\v"),
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                out.push_str(&format!("\\x{:02x}", c as u32));
            }
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Go's `strconv.ParseBool`.
fn parse_bool(v: &str) -> Option<bool> {
    match v {
        "1" | "t" | "T" | "TRUE" | "true" | "True" => Some(true),
        "0" | "f" | "F" | "FALSE" | "false" | "False" => Some(false),
        _ => None,
    }
}

/// Which flag a name or shorthand denotes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flag {
    Path,
    Output,
    IgnorePaths,
    ResolveSymlinks,
    Help,
}

impl Flag {
    fn long(name: &str) -> Option<Flag> {
        Some(match name {
            "path" => Flag::Path,
            "output" => Flag::Output,
            "ignore-paths" => Flag::IgnorePaths,
            "resolve-symlinks" => Flag::ResolveSymlinks,
            "help" => Flag::Help,
            _ => return None,
        })
    }

    fn short(c: u8) -> Option<Flag> {
        Some(match c {
            b'p' => Flag::Path,
            b'o' => Flag::Output,
            b'h' => Flag::Help,
            _ => return None,
        })
    }

    /// pflag's `NoOptDefVal`: boolean flags take no separate argument.
    fn is_bool(self) -> bool {
        matches!(self, Flag::ResolveSymlinks | Flag::Help)
    }

    /// The name as pflag prints it in "invalid argument" errors.
    fn display(self) -> &'static str {
        match self {
            Flag::Path => "-p, --path",
            Flag::Output => "-o, --output",
            Flag::IgnorePaths => "--ignore-paths",
            Flag::ResolveSymlinks => "--resolve-symlinks",
            Flag::Help => "-h, --help",
        }
    }
}

impl Flags {
    fn new() -> Self {
        Flags {
            path: OsString::new(),
            output: OsString::from("artifact.tgz"),
            ignore_paths: ignore::build_artifact_default_rules(),
            ignore_changed: false,
            resolve_symlinks: false,
            help: false,
        }
    }

    /// `Flag.Value.Set(value)`, with pflag's `InvalidValueError` wording.
    fn set(&mut self, flag: Flag, value: &OsStr) -> Result<(), String> {
        let text = value.to_string_lossy();
        let invalid = |cause: String| {
            format!(
                "invalid argument {} for {} flag: {cause}",
                go_quote(&text),
                go_quote(flag.display())
            )
        };
        match flag {
            Flag::Path => self.path = value.to_owned(),
            Flag::Output => self.output = value.to_owned(),
            Flag::IgnorePaths => {
                let v = ignore::string_slice_value(&text).map_err(|e| invalid(e.to_string()))?;
                if self.ignore_changed {
                    self.ignore_paths.extend(v);
                } else {
                    self.ignore_paths = v;
                }
                self.ignore_changed = true;
            }
            Flag::ResolveSymlinks | Flag::Help => {
                let b = parse_bool(&text).ok_or_else(|| {
                    invalid(format!(
                        "strconv.ParseBool: parsing {}: invalid syntax",
                        go_quote(&text)
                    ))
                })?;
                if flag == Flag::Help {
                    self.help = b;
                } else {
                    self.resolve_symlinks = b;
                }
            }
        }
        Ok(())
    }
}

/// pflag's `FlagSet.Parse` with interspersed arguments (positional arguments are accepted
/// and ignored, as cobra does for this command).
fn parse(args: &[OsString]) -> Result<Flags, String> {
    let mut f = Flags::new();
    let mut i = 0;
    while i < args.len() {
        let s = args[i].as_bytes();
        i += 1;
        if s.len() < 2 || s[0] != b'-' {
            continue; // a positional argument
        }
        if s[1] == b'-' {
            if s.len() == 2 {
                break; // "--" terminates the flags
            }
            let body = &s[2..];
            if body[0] == b'-' || body[0] == b'=' {
                return Err(format!("bad flag syntax: {}", String::from_utf8_lossy(s)));
            }
            let (name, value) = match body.iter().position(|&b| b == b'=') {
                Some(eq) => (&body[..eq], Some(&body[eq + 1..])),
                None => (body, None),
            };
            let name = String::from_utf8_lossy(name).into_owned();
            let Some(flag) = Flag::long(&name) else {
                return Err(format!("unknown flag: --{name}"));
            };
            let value: OsString = match value {
                Some(v) => OsStr::from_bytes(v).to_owned(),
                None if flag.is_bool() => "true".into(),
                None if i < args.len() => {
                    i += 1;
                    args[i - 1].clone()
                }
                None => return Err(format!("flag needs an argument: --{name}")),
            };
            f.set(flag, &value)?;
            continue;
        }
        // Shorthands: "-o file", "-ofile", "-o=file", "-hp dir".
        let shorthands = &s[1..];
        let mut j = 0;
        let mut next = i;
        while j < shorthands.len() {
            let c = shorthands[j];
            let rest = &shorthands[j..];
            let Some(flag) = Flag::short(c) else {
                return Err(format!(
                    "unknown shorthand flag: {} in -{}",
                    go_char_quote(c),
                    String::from_utf8_lossy(rest)
                ));
            };
            let value: OsString = if rest.len() > 2 && rest[1] == b'=' {
                j = shorthands.len();
                OsStr::from_bytes(&rest[2..]).to_owned()
            } else if flag.is_bool() {
                j += 1;
                "true".into()
            } else if rest.len() > 1 {
                j = shorthands.len();
                OsStr::from_bytes(&rest[1..]).to_owned()
            } else if i < args.len() {
                // pflag hands every shorthand of the group the same remaining arguments.
                j += 1;
                next = i + 1;
                args[i].clone()
            } else {
                return Err(format!(
                    "flag needs an argument: {} in -{}",
                    go_char_quote(c),
                    String::from_utf8_lossy(rest)
                ));
            };
            f.set(flag, &value)?;
        }
        i = next;
    }
    Ok(f)
}

/// Go's `%q` of a rune (shorthand letters are ASCII).
fn go_char_quote(c: u8) -> String {
    match c {
        b'\'' => "'\\''".to_owned(),
        b'\\' => "'\\\\'".to_owned(),
        0x20..=0x7e => format!("'{}'", char::from(c)),
        _ => format!("'\\x{c:02x}'"),
    }
}

/// `filepath.Abs`: joined to the working directory and cleaned lexically.
fn go_abs(p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        std::env::current_dir().map_or_else(|_| p.to_path_buf(), |d| d.join(p))
    };
    let mut parts: Vec<&OsStr> = Vec::new();
    for c in joined.components() {
        match c {
            std::path::Component::ParentDir => {
                parts.pop();
            }
            std::path::Component::Normal(x) => parts.push(x),
            _ => {}
        }
    }
    let mut out = PathBuf::from("/");
    for p in parts {
        out.push(p);
    }
    out
}

/// A name Go's `os.CreateTemp`/`MkdirTemp` would pick: the prefix and a random number.
fn temp_name(prefix: &OsStr, attempt: u32) -> OsString {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.subsec_nanos());
    let n = (u64::from(nanos) ^ (u64::from(std::process::id()) << 20))
        .wrapping_mul(0x9E37_79B9_7F4A_7C15)
        .wrapping_add(u64::from(attempt))
        % 4_294_967_296;
    let mut s = prefix.to_owned();
    s.push(n.to_string());
    s
}

/// `os.CreateTemp(dir, prefix)`: a new file, mode 0600.
fn create_temp(dir: &Path, prefix: &OsStr) -> Result<(PathBuf, fs::File), String> {
    for attempt in 0..10_000 {
        let p = dir.join(temp_name(prefix, attempt));
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&p)
        {
            Ok(f) => return Ok((p, f)),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("open {}: {}", p.display(), go_io_text(&e))),
        }
    }
    Err(format!(
        "pattern {}: too many tries",
        prefix.to_string_lossy()
    ))
}

/// `os.MkdirTemp("", prefix)`: a new directory in `$TMPDIR`, mode 0700.
fn mkdir_temp(prefix: &str) -> Result<PathBuf, String> {
    let dir = std::env::temp_dir();
    for attempt in 0..10_000 {
        let p = dir.join(temp_name(OsStr::new(prefix), attempt));
        match fs::DirBuilder::new().mode(0o700).create(&p) {
            Ok(()) => return Ok(p),
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => return Err(format!("mkdir {}: {}", p.display(), go_io_text(&e))),
        }
    }
    Err(format!("pattern {prefix}: too many tries"))
}

/// The operating system's message as Go prints it (lower case, no "(os error N)").
fn go_io_text(e: &std::io::Error) -> String {
    let s = e.to_string();
    let s = match s.find(" (os error") {
        Some(i) => s[..i].to_owned(),
        None => s,
    };
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_lowercase().chain(c).collect(),
        None => s,
    }
}

/// Removes a directory tree made by this command, making its directories writable first
/// (copies keep modes such as 0500); links are not followed.
fn remove_tree(p: &Path) {
    let mut stack = vec![p.to_path_buf()];
    while let Some(d) = stack.pop() {
        let is_dir = fs::symlink_metadata(&d).is_ok_and(|m| m.is_dir());
        if !is_dir {
            continue;
        }
        let _ = fs::set_permissions(&d, fs::Permissions::from_mode(0o700));
        if let Ok(rd) = fs::read_dir(&d) {
            stack.extend(rd.flatten().map(|e| e.path()));
        }
    }
    let _ = fs::remove_dir_all(p);
}

/// Temporary paths to remove when the command ends.
#[derive(Default)]
struct Cleanup {
    files: Vec<PathBuf>,
    dirs: Vec<PathBuf>,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        for f in &self.files {
            let _ = fs::remove_file(f);
        }
        for d in &self.dirs {
            remove_tree(d);
        }
    }
}

/// `saveReaderToFile(os.Stdin)`: standard input, trailing CR/LF trimmed, in a new
/// `$TMPDIR/<random>.yaml`.
fn save_stdin(cleanup: &mut Cleanup) -> Result<PathBuf, String> {
    let mut b = Vec::new();
    std::io::stdin()
        .read_to_end(&mut b)
        .map_err(|e| go_io_text(&e))?;
    while matches!(b.last(), Some(b'\r' | b'\n')) {
        b.pop();
    }
    let dir = std::env::temp_dir();
    for attempt in 0..10_000 {
        let mut name = temp_name(OsStr::new(""), attempt);
        name.push(".yaml");
        let p = dir.join(name);
        match fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&p)
        {
            Ok(mut f) => {
                cleanup.files.push(p.clone());
                f.write_all(&b)
                    .map_err(|e| format!("error writing stdin to file: {}", go_io_text(&e)))?;
                return Ok(p);
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(_) => return Err("unable to create temp dir for stdin".into()),
        }
    }
    Err("unable to create temp dir for stdin".into())
}

/// Copies `src` (a regular file) to a new file `dst` with `mode` (the umask applies, as it
/// does to Go's `os.OpenFile`).
fn copy_file(src: &Path, dst: &Path, mode: u32) -> Result<(), String> {
    let mut input =
        fs::File::open(src).map_err(|e| format!("open {}: {}", src.display(), go_io_text(&e)))?;
    let mut out = fs::OpenOptions::new()
        .write(true)
        .create(true)
        .truncate(true)
        .mode(mode)
        .open(dst)
        .map_err(|e| format!("open {}: {}", dst.display(), go_io_text(&e)))?;
    std::io::copy(&mut input, &mut out).map_err(|e| go_io_text(&e))?;
    Ok(())
}

/// `resolveSymlinks` of `flux build artifact --resolve-symlinks` for a directory: a copy
/// in a new temporary directory with every link replaced by what it points to, cycles
/// broken (a link to a directory being copied gives an empty directory). Unlike flux, a
/// link whose target is outside `root` is refused.
fn resolve_symlinks_dir(root: &Path, cleanup: &mut Cleanup) -> Result<PathBuf, String> {
    let tmp = mkdir_temp("flux-artifact-")?;
    cleanup.dirs.push(tmp.clone());
    let real_root = fs::canonicalize(root)
        .map_err(|e| format!("resolving symlink {}: {}", root.display(), go_io_text(&e)))?;
    let mut visited: Vec<PathBuf> = Vec::new();
    copy_dir(root, &tmp, &real_root, &mut visited, 0)?;
    Ok(tmp)
}

fn copy_dir(
    src: &Path,
    dst: &Path,
    real_root: &Path,
    visited: &mut Vec<PathBuf>,
    depth: usize,
) -> Result<(), String> {
    if depth > 4096 {
        return Err(format!("resolving symlink {}: too deep", src.display()));
    }
    let real = fs::canonicalize(src)
        .map_err(|e| format!("resolving symlink {}: {}", src.display(), go_io_text(&e)))?;
    if visited.contains(&real) {
        return Ok(()); // break the cycle
    }
    visited.push(real);
    let mut names: Vec<OsString> = fs::read_dir(src)
        .map_err(|e| format!("open {}: {}", src.display(), go_io_text(&e)))?
        .map(|d| d.map(|d| d.file_name()))
        .collect::<Result<_, _>>()
        .map_err(|e| go_io_text(&e))?;
    names.sort_by(|a, b| a.as_bytes().cmp(b.as_bytes()));
    for name in names {
        let src_path = src.join(&name);
        let dst_path = dst.join(&name);
        let real_path = fs::canonicalize(&src_path).map_err(|e| {
            format!(
                "resolving symlink {}: {}",
                src_path.display(),
                go_io_text(&e)
            )
        })?;
        if !real_path.starts_with(real_root) {
            return Err(format!(
                "resolving symlink {}: the target {} is outside {}",
                src_path.display(),
                real_path.display(),
                real_root.display()
            ));
        }
        let meta = fs::metadata(&real_path).map_err(|e| {
            format!(
                "stat resolved path {}: {}",
                real_path.display(),
                go_io_text(&e)
            )
        })?;
        if meta.is_dir() {
            fs::DirBuilder::new()
                .recursive(true)
                .mode(meta.mode() & 0o7777)
                .create(&dst_path)
                .map_err(|e| format!("mkdir {}: {}", dst_path.display(), go_io_text(&e)))?;
            copy_dir(&real_path, &dst_path, real_root, visited, depth + 1)?;
            continue;
        }
        if !meta.is_file() {
            continue;
        }
        copy_file(&real_path, &dst_path, meta.mode() & 0o7777)?;
    }
    visited.pop();
    Ok(())
}

/// `fs.RenameWithFallback`: rename, or copy and remove across devices.
fn rename_with_fallback(src: &Path, dst: &Path) -> Result<(), String> {
    match fs::rename(src, dst) {
        Ok(()) => Ok(()),
        Err(e) if e.raw_os_error() == Some(18) => {
            // EXDEV: copy, keeping the mode, then remove the source.
            let mode = fs::metadata(src)
                .map(|m| m.mode() & 0o7777)
                .unwrap_or(0o640);
            copy_file(src, dst, mode)?;
            let _ = fs::set_permissions(dst, fs::Permissions::from_mode(mode));
            fs::remove_file(src).map_err(|e| go_io_text(&e))
        }
        Err(e) => Err(format!(
            "rename {} {}: {}",
            src.display(),
            dst.display(),
            go_io_text(&e)
        )),
    }
}

/// `oci.Client.Build(output, path, ignorePaths)`.
fn build(
    output: &Path,
    path: &Path,
    rules: &[String],
    cleanup: &mut Cleanup,
) -> Result<(), String> {
    let abs_src = go_abs(path);
    let info = fs::metadata(&abs_src).map_err(|e| {
        if e.kind() == std::io::ErrorKind::NotFound {
            format!("source path does not exist: {}", abs_src.display())
        } else {
            format!(
                "invalid source path {}: {}",
                abs_src.display(),
                go_io_text(&e)
            )
        }
    })?;
    let parent = abs_src.parent().unwrap_or(Path::new("/"));
    let base = abs_src.file_name().unwrap_or_default();
    let (tmp_name, mut tf) = create_temp(parent, base)?;
    cleanup.files.push(tmp_name.clone());

    // A single file is staged in a temporary directory, as Flux does.
    let tar_dir = if info.is_dir() {
        abs_src.clone()
    } else {
        let stage = mkdir_temp("oci-build-")?;
        cleanup.dirs.push(stage.clone());
        copy_file(&abs_src, &stage.join(base), info.mode() & 0o777)?;
        stage
    };
    let entries =
        walk::walk_dir(&tar_dir, &walk::WalkLimits::default()).map_err(|e| e.to_string())?;
    // The rules' domain is the directory's path: for `/` (split into two empty names) no
    // path can match it, so no rule applies.
    let none: [String; 0] = [];
    let rules = if tar_dir == Path::new("/") {
        &none[..]
    } else {
        rules
    };
    let packed = artifact::build_artifact(&entries, rules).map_err(|e| e.to_string())?;
    tf.write_all(&packed.bytes)
        .and_then(|()| tf.sync_all())
        .map_err(|e| format!("write {}: {}", tmp_name.display(), go_io_text(&e)))?;
    drop(tf);
    fs::set_permissions(&tmp_name, fs::Permissions::from_mode(0o640))
        .map_err(|e| format!("chmod {}: {}", tmp_name.display(), go_io_text(&e)))?;
    rename_with_fallback(&tmp_name, output)?;
    cleanup.files.retain(|f| f != &tmp_name);
    Ok(())
}

fn run_flags(f: &Flags) -> Result<(), String> {
    if f.path.is_empty() {
        return Err("invalid path \"\"".into());
    }
    let mut cleanup = Cleanup::default();
    let mut path = PathBuf::from(&f.path);
    if f.path == "-" {
        path = save_stdin(&mut cleanup)?;
    }
    let Ok(meta) = fs::metadata(&path) else {
        return Err(format!(
            "invalid path '{}', must point to an existing directory or file",
            path.display()
        ));
    };
    if f.resolve_symlinks {
        let abs = go_abs(&path);
        path = if meta.is_dir() {
            resolve_symlinks_dir(&abs, &mut cleanup)
                .map_err(|e| format!("resolving symlinks failed: {e}"))?
        } else {
            let tmp = mkdir_temp("flux-artifact-")
                .map_err(|e| format!("resolving symlinks failed: {e}"))?;
            cleanup.dirs.push(tmp.clone());
            let resolved = fs::canonicalize(&abs).map_err(|e| {
                format!(
                    "resolving symlinks failed: resolving symlink for {}: {}",
                    abs.display(),
                    go_io_text(&e)
                )
            })?;
            let dst = tmp.join(abs.file_name().unwrap_or_default());
            copy_file(&resolved, &dst, meta.mode() & 0o7777)
                .map_err(|e| format!("resolving symlinks failed: {e}"))?;
            dst
        };
    }
    eprintln!("► building artifact from {}", path.display());
    build(Path::new(&f.output), &path, &f.ignore_paths, &mut cleanup)
        .map_err(|e| format!("building artifact failed, error: {e}"))?;
    eprintln!("✔ artifact created at {}", Path::new(&f.output).display());
    Ok(())
}

/// Runs `gitward build artifact ARGS...`: exit 0 on success, 1 on any error (printed as
/// flux prints it, `✗ message`).
pub fn run(args: &[OsString]) -> ExitCode {
    let flags = match parse(args) {
        Ok(f) => f,
        Err(e) => {
            eprintln!("✗ {e}");
            return ExitCode::FAILURE;
        }
    };
    if flags.help {
        print!("{HELP}");
        return ExitCode::SUCCESS;
    }
    match run_flags(&flags) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("✗ {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::os::unix::ffi::OsStringExt;

    fn p(args: &[&str]) -> Result<Flags, String> {
        let v: Vec<OsString> = args.iter().map(OsString::from).collect();
        parse(&v)
    }

    #[test]
    fn flags_like_pflag() {
        let f = p(&["--path", "d", "-o", "x.tgz"]).unwrap();
        assert_eq!(f.path, "d");
        assert_eq!(f.output, "x.tgz");
        assert_eq!(f.ignore_paths, ignore::build_artifact_default_rules());
        let f = p(&[
            "-pd",
            "--output=y",
            "extra",
            "--ignore-paths=",
            "--ignore-paths",
            "a,b",
        ])
        .unwrap();
        assert_eq!(
            (f.path.as_os_str(), f.output.as_os_str()),
            (OsStr::new("d"), OsStr::new("y"))
        );
        assert_eq!(f.ignore_paths, ["a", "b"]);
        let f = p(&["-p=d", "--ignore-paths", ""]).unwrap();
        assert_eq!(f.path, "d");
        assert!(f.ignore_paths.is_empty());
        let f = p(&["--", "--path", "d"]).unwrap();
        assert_eq!(f.path, "");
        assert!(
            p(&["--resolve-symlinks", "-p", "d"])
                .unwrap()
                .resolve_symlinks
        );
        assert!(!p(&["--resolve-symlinks=false"]).unwrap().resolve_symlinks);
        assert!(p(&["-h"]).unwrap().help);
        assert_eq!(p(&["--nope"]), Err("unknown flag: --nope".into()));
        assert_eq!(p(&["-x"]), Err("unknown shorthand flag: 'x' in -x".into()));
        assert_eq!(p(&["--path"]), Err("flag needs an argument: --path".into()));
        assert_eq!(p(&["-p"]), Err("flag needs an argument: 'p' in -p".into()));
        assert_eq!(p(&["---x"]), Err("bad flag syntax: ---x".into()));
        assert_eq!(
            p(&["--ignore-paths", "a\"b"]),
            Err("invalid argument \"a\\\"b\" for \"--ignore-paths\" flag: parse error on line 1, column 2: bare \" in non-quoted-field".into())
        );
    }

    #[test]
    fn go_abs_cleans() {
        assert_eq!(go_abs(Path::new("/a/b/../c/./d")), PathBuf::from("/a/c/d"));
        assert_eq!(go_abs(Path::new("/")), PathBuf::from("/"));
    }

    #[test]
    fn bytes_args_survive() {
        let v = vec![
            OsString::from("--path"),
            OsString::from_vec(b"d\xff".to_vec()),
        ];
        assert_eq!(parse(&v).unwrap().path.as_bytes(), b"d\xff");
    }
}
