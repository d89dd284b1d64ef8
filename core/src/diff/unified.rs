//! Unified line diffs (`diff -u`), as `kubectl diff` prints them between the live and the
//! merged object: `--- FROM` / `+++ TO` headers, then hunks `@@ -a,b +c,d @@` with context
//! lines around each change; optional ANSI colour.
//!
//! The line matching is Myers' O((N+M)·D) algorithm on what is left after the common
//! prefix and suffix are set aside; when more than [`MAX_EDITS`] edits separate the sides,
//! the rest is printed as one replacement (the output stays a correct diff, only longer).

/// The edit distance past which the middle is printed as removed then added.
pub const MAX_EDITS: usize = 2_000;

const RED: &str = "\x1b[31m";
const GREEN: &str = "\x1b[32m";
const CYAN: &str = "\x1b[36m";
const BOLD: &str = "\x1b[1m";
const RESET: &str = "\x1b[0m";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Edit {
    /// Line `a` of the old side equals line `b` of the new side.
    Keep(usize, usize),
    /// Line `a` of the old side is removed.
    Remove(usize),
    /// Line `b` of the new side is added.
    Add(usize),
}

/// Myers' shortest edit script between `a` and `b`, or `None` past `limit` edits.
fn myers(a: &[&str], b: &[&str], limit: usize) -> Option<Vec<Edit>> {
    let n = a.len() as isize;
    let m = b.len() as isize;
    let max = a.len() + b.len();
    let off = max as isize + 1;
    let mut v = vec![0isize; 2 * max + 3];
    // trace[d] holds v[-d-1 ..= d+1] as it was before round d.
    let mut trace: Vec<Vec<isize>> = Vec::new();
    for d in 0..=max as isize {
        if d as usize > limit {
            return None;
        }
        trace.push(v[(off - d - 1) as usize..=(off + d + 1) as usize].to_vec());
        let mut k = -d;
        while k <= d {
            let down = k == -d || (k != d && v[(off + k - 1) as usize] < v[(off + k + 1) as usize]);
            let mut x = if down {
                v[(off + k + 1) as usize]
            } else {
                v[(off + k - 1) as usize] + 1
            };
            let mut y = x - k;
            while x < n && y < m && a[x as usize] == b[y as usize] {
                x += 1;
                y += 1;
            }
            v[(off + k) as usize] = x;
            if x >= n && y >= m {
                return Some(backtrack(&trace, n, m, d));
            }
            k += 2;
        }
    }
    None
}

fn backtrack(trace: &[Vec<isize>], n: isize, m: isize, last: isize) -> Vec<Edit> {
    let (mut x, mut y) = (n, m);
    let mut edits = Vec::new();
    for d in (0..=last).rev() {
        let vd = &trace[d as usize];
        let get = |k: isize| vd[(k + d + 1) as usize];
        let k = x - y;
        let prev_k = if k == -d || (k != d && get(k - 1) < get(k + 1)) {
            k + 1
        } else {
            k - 1
        };
        let prev_x = get(prev_k);
        let prev_y = prev_x - prev_k;
        while x > prev_x && y > prev_y {
            edits.push(Edit::Keep((x - 1) as usize, (y - 1) as usize));
            x -= 1;
            y -= 1;
        }
        if d > 0 {
            if x == prev_x {
                edits.push(Edit::Add((y - 1) as usize));
            } else {
                edits.push(Edit::Remove((x - 1) as usize));
            }
        }
        x = prev_x;
        y = prev_y;
    }
    edits.reverse();
    edits
}

/// The edit script between two line lists: common prefix and suffix kept, Myers in the
/// middle.
fn edits(a: &[&str], b: &[&str]) -> Vec<Edit> {
    let prefix = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let mut out: Vec<Edit> = (0..prefix).map(|i| Edit::Keep(i, i)).collect();
    match myers(am, bm, MAX_EDITS) {
        Some(mid) => out.extend(mid.into_iter().map(|e| match e {
            Edit::Keep(x, y) => Edit::Keep(x + prefix, y + prefix),
            Edit::Remove(x) => Edit::Remove(x + prefix),
            Edit::Add(y) => Edit::Add(y + prefix),
        })),
        None => {
            out.extend((0..am.len()).map(|i| Edit::Remove(i + prefix)));
            out.extend((0..bm.len()).map(|i| Edit::Add(i + prefix)));
        }
    }
    let (ae, be) = (a.len() - suffix, b.len() - suffix);
    out.extend((0..suffix).map(|i| Edit::Keep(ae + i, be + i)));
    out
}

/// `diff -u`'s range: `start,len` (1-based), `start` alone for one line, the line before
/// for none.
fn range(start: usize, len: usize) -> String {
    match len {
        0 => format!("{start},0"),
        1 => format!("{}", start + 1),
        _ => format!("{},{len}", start + 1),
    }
}

fn push_line(out: &mut String, color: Option<&str>, prefix: char, text: &str) {
    if let Some(c) = color {
        out.push_str(c);
    }
    out.push(prefix);
    out.push_str(text);
    if color.is_some() {
        out.push_str(RESET);
    }
    out.push('\n');
}

/// The unified diff of `old` and `new` (texts of lines), labelled `from` and `to`, with
/// `context` lines around each change; empty when the texts are equal. With `color`,
/// removed lines are red, added ones green, hunk headers cyan and file headers bold.
pub fn unified_diff(
    old: &str,
    new: &str,
    from: &str,
    to: &str,
    context: usize,
    color: bool,
) -> String {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    let script = edits(&a, &b);
    let changed: Vec<usize> = script
        .iter()
        .enumerate()
        .filter(|(_, e)| !matches!(e, Edit::Keep(..)))
        .map(|(i, _)| i)
        .collect();
    if changed.is_empty() {
        return String::new();
    }
    let paint = |c: &'static str| color.then_some(c);
    let mut out = String::new();
    for (prefix, label) in [("---", from), ("+++", to)] {
        if let Some(c) = paint(BOLD) {
            out.push_str(c);
        }
        out.push_str(prefix);
        out.push(' ');
        out.push_str(label);
        if color {
            out.push_str(RESET);
        }
        out.push('\n');
    }
    // Hunks: runs of script positions whose changes are at most 2·context apart.
    let mut i = 0;
    while i < changed.len() {
        let mut j = i;
        while j + 1 < changed.len() && changed[j + 1] - changed[j] <= 2 * context + 1 {
            j += 1;
        }
        let start = changed[i].saturating_sub(context);
        let end = (changed[j] + context + 1).min(script.len());
        let hunk = &script[start..end];
        // Where the hunk starts on each side: the first line it shows, or for a side with
        // no line in it, how many lines come before.
        let (mut a_start, mut b_start) = (None, None);
        let (mut a_len, mut b_len) = (0, 0);
        for e in hunk {
            match *e {
                Edit::Keep(x, y) => {
                    a_start.get_or_insert(x);
                    b_start.get_or_insert(y);
                    a_len += 1;
                    b_len += 1;
                }
                Edit::Remove(x) => {
                    a_start.get_or_insert(x);
                    a_len += 1;
                }
                Edit::Add(y) => {
                    b_start.get_or_insert(y);
                    b_len += 1;
                }
            }
        }
        let before = |side_a: bool| {
            script[..start]
                .iter()
                .filter(|e| match e {
                    Edit::Keep(..) => true,
                    Edit::Remove(_) => side_a,
                    Edit::Add(_) => !side_a,
                })
                .count()
        };
        let a_from = a_start.unwrap_or_else(|| before(true));
        let b_from = b_start.unwrap_or_else(|| before(false));
        let header = format!("@@ -{} +{} @@", range(a_from, a_len), range(b_from, b_len));
        match paint(CYAN) {
            Some(c) => {
                out.push_str(c);
                out.push_str(&header);
                out.push_str(RESET);
            }
            None => out.push_str(&header),
        }
        out.push('\n');
        for e in hunk {
            match *e {
                Edit::Keep(x, _) => push_line(&mut out, None, ' ', a[x]),
                Edit::Remove(x) => push_line(&mut out, paint(RED), '-', a[x]),
                Edit::Add(y) => push_line(&mut out, paint(GREEN), '+', b[y]),
            }
        }
        i = j + 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_changed_line_with_context() {
        let old = "a\nb\nc\nd\ne\nf\ng\nh\n";
        let new = "a\nb\nc\nd\nE\nf\ng\nh\n";
        assert_eq!(
            unified_diff(old, new, "live", "merged", 3, false),
            "--- live\n+++ merged\n@@ -2,7 +2,7 @@\n b\n c\n d\n-e\n+E\n f\n g\n h\n"
        );
        assert_eq!(unified_diff(old, old, "l", "m", 3, false), "");
    }

    #[test]
    fn separate_hunks_and_edges() {
        let old: String = (1..=20).map(|i| format!("{i}\n")).collect();
        let new: String = (1..=20)
            .filter(|i| *i != 19)
            .map(|i| {
                if i == 2 {
                    "two\n".to_string()
                } else {
                    format!("{i}\n")
                }
            })
            .collect();
        assert_eq!(
            unified_diff(&old, &new, "a", "b", 1, false),
            "--- a\n+++ b\n@@ -1,3 +1,3 @@\n 1\n-2\n+two\n 3\n@@ -18,3 +18,2 @@\n 18\n-19\n 20\n"
        );
        assert_eq!(
            unified_diff("", "x\n", "a", "b", 3, false),
            "--- a\n+++ b\n@@ -0,0 +1 @@\n+x\n"
        );
        assert_eq!(
            unified_diff("x\ny\n", "y\n", "a", "b", 0, false),
            "--- a\n+++ b\n@@ -1 +0,0 @@\n-x\n"
        );
    }

    #[test]
    fn colour_only_when_asked() {
        let d = unified_diff("a\n", "b\n", "l", "m", 3, true);
        assert!(
            d.contains("\x1b[31m-a\x1b[0m\n") && d.contains("\x1b[32m+b\x1b[0m\n"),
            "{d:?}"
        );
        assert!(!unified_diff("a\n", "b\n", "l", "m", 3, false).contains('\x1b'));
    }

    #[test]
    fn interleaved_changes_are_minimal() {
        let a = ["k", "a", "b", "c", "a", "b", "b", "a"];
        let b = ["k", "c", "b", "a", "b", "a", "c"];
        let e = edits(&a, &b);
        let kept = e.iter().filter(|x| matches!(x, Edit::Keep(..))).count();
        assert_eq!(kept, 5, "LCS of the classic example plus the shared prefix");
        // The script rebuilds both sides.
        let rebuilt_a: Vec<&str> = e
            .iter()
            .filter_map(|x| match x {
                Edit::Keep(i, _) | Edit::Remove(i) => Some(a[*i]),
                Edit::Add(_) => None,
            })
            .collect();
        let rebuilt_b: Vec<&str> = e
            .iter()
            .filter_map(|x| match x {
                Edit::Keep(_, j) | Edit::Add(j) => Some(b[*j]),
                Edit::Remove(_) => None,
            })
            .collect();
        assert_eq!(rebuilt_a, a);
        assert_eq!(rebuilt_b, b);
    }
}
