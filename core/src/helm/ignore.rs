//! `.helmignore` rules, evaluated exactly as Helm's `pkg/ignore` does.

use super::glob;

#[derive(Debug, Clone)]
enum Scope {
    /// `/pattern`: matched against the whole path.
    Root,
    /// A pattern with a `/`: matched against the whole path.
    Path,
    /// No `/`: matched against the base name only.
    Base,
}

#[derive(Debug, Clone)]
struct Pattern {
    rule: String,
    scope: Scope,
    negate: bool,
    must_dir: bool,
}

impl Pattern {
    fn matches(&self, path: &str) -> bool {
        let name = match self.scope {
            Scope::Root | Scope::Path => path,
            Scope::Base => path.rsplit('/').next().unwrap_or(path),
        };
        glob::matches(&self.rule, name).unwrap_or(false)
    }
}

/// A parsed `.helmignore`.
#[derive(Debug, Clone, Default)]
pub(crate) struct Rules {
    patterns: Vec<Pattern>,
}

impl Rules {
    /// Parses a `.helmignore` text; the error is Helm's text.
    pub(crate) fn parse(text: &[u8]) -> Result<Rules, String> {
        let mut r = Rules::default();
        let text = text.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(text);
        let text = String::from_utf8_lossy(text);
        // bufio.Scanner's ScanLines: split on \n, drop a trailing \r.
        for line in text.split('\n') {
            let line = line.strip_suffix('\r').unwrap_or(line);
            r.add(line)?;
        }
        Ok(r)
    }

    /// `AddDefaults`: dot files directly in `templates/` are ignored.
    pub(crate) fn add_defaults(&mut self) {
        let _ = self.add("templates/.?*");
    }

    fn add(&mut self, rule: &str) -> Result<(), String> {
        let rule = rule.trim();
        if rule.is_empty() || rule.starts_with('#') {
            return Ok(());
        }
        if rule.contains("**") {
            return Err("double-star (**) syntax is not supported".into());
        }
        if let Err(e) = glob::matches(rule, "abc") {
            return Err(e.to_string());
        }
        let mut rule = rule.to_string();
        let mut negate = false;
        if let Some(r) = rule.strip_prefix('!') {
            negate = true;
            rule = r.to_string();
        }
        let mut must_dir = false;
        if let Some(r) = rule.strip_suffix('/') {
            must_dir = true;
            rule = r.to_string();
        }
        let scope = if let Some(r) = rule.strip_prefix('/') {
            rule = r.to_string();
            Scope::Root
        } else if rule.contains('/') {
            Scope::Path
        } else {
            Scope::Base
        };
        self.patterns.push(Pattern {
            rule,
            scope,
            negate,
            must_dir,
        });
        Ok(())
    }

    /// Whether `path` (relative to the chart root) is ignored.
    pub(crate) fn ignore(&self, path: &str, is_dir: bool) -> bool {
        if path.is_empty() || path == "." || path == "./" {
            return false;
        }
        for p in &self.patterns {
            if p.negate {
                if p.must_dir && !is_dir {
                    return true;
                }
                if !p.matches(path) {
                    return true;
                }
                continue;
            }
            if p.must_dir && !is_dir {
                continue;
            }
            if p.matches(path) {
                return true;
            }
        }
        false
    }
}

#[cfg(test)]
mod tests {
    use super::Rules;

    #[test]
    fn rules() {
        let mut r = Rules::parse(b"# c\n*.tgz\n.git/\n/root.txt\nci/*.yaml\n").expect("parse");
        r.add_defaults();
        assert!(r.ignore("charts/x.tgz", false));
        assert!(r.ignore(".git", true));
        assert!(!r.ignore(".git", false));
        assert!(r.ignore("root.txt", false));
        assert!(!r.ignore("a/root.txt", false));
        assert!(r.ignore("ci/x.yaml", false));
        assert!(r.ignore("templates/.x", false));
        assert!(!r.ignore("templates/x.yaml", false));
        assert!(Rules::parse(b"a/**/b").is_err());
    }
}
