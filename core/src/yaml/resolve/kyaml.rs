//! What kyaml's re-encoding does to folded scalars.
//!
//! kustomize turns each resource into JSON by printing its node tree with go-yaml v3's
//! emitter and decoding that text. The emitter keeps a folded (`>`) scalar folded, but
//! its folded writer (a port of libyaml's) looks for the line after a break at the start
//! of the value instead of at the break, so it writes an extra line break after a
//! normal line that is followed by a more-indented line or by trailing blank lines.
//! Read back, each such break is one more `\n` in the string: `"a\n  b\n"` becomes
//! `"a\n\n  b\n"` and `"a\n\n"` (kept trailing lines) becomes `"a\n\n\n"`.
//!
//! This module writes the value the way that emitter does and reads it back with the
//! YAML parser. (Lines longer than the emitter's 80 columns are not re-broken here; that
//! only changes text in more-indented lines of such length.)

use saphyr_parser::Event;

use crate::yaml::goparse::{Dialect, GoParser};

/// libyaml's line breaks.
fn is_break(c: char) -> bool {
    matches!(c, '\n' | '\r' | '\u{85}' | '\u{2028}' | '\u{2029}')
}

/// libyaml's `is_printable`.
fn is_printable(c: char) -> bool {
    matches!(c, '\n' | '\u{20}'..='\u{7E}' | '\u{A0}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}')
        && c != '\u{FEFF}'
}

/// Whether go-yaml's emitter may write the value as a block scalar (`block_allowed`
/// of `yaml_emitter_analyze_scalar`); otherwise it falls back to double quotes, which
/// round-trip exactly.
fn block_allowed(value: &str) -> bool {
    if value.is_empty() || value.ends_with(' ') {
        return false;
    }
    let mut previous_space = false;
    for c in value.chars() {
        if c != '\t' && !is_printable(c) {
            return false;
        }
        if is_break(c) && previous_space {
            return false;
        }
        previous_space = c == ' ';
    }
    true
}

/// The string kustomize ends up with for a folded scalar whose value is `value`, or
/// `None` when the round trip leaves it unchanged.
pub(super) fn folded_round_trip(value: &str) -> Option<String> {
    // Line separators that YAML 1.2 does not treat as breaks are left alone.
    if !block_allowed(value) || value.contains(['\u{2028}', '\u{2029}']) {
        return None;
    }
    // The Go port checks the first non-break character of the whole value.
    let extra_breaks = value
        .chars()
        .find(|&c| !is_break(c))
        .is_some_and(|c| c != ' ' && c != '\t');
    let mut body = String::with_capacity(value.len() + 16);
    let mut breaks = true;
    let mut leading_spaces = true;
    for c in value.chars() {
        if is_break(c) {
            if !breaks && !leading_spaces && c == '\n' && extra_breaks {
                body.push('\n');
            }
            body.push(c);
            breaks = true;
        } else {
            if breaks {
                body.push_str("  ");
                leading_spaces = c == ' ' || c == '\t';
            }
            body.push(c);
            breaks = false;
        }
    }
    let mut chars = value.chars().rev();
    let chomp = match (chars.next(), chars.next()) {
        (Some(last), _) if !is_break(last) => "-",
        (Some(_), None) => "+",
        (Some(_), Some(before)) if is_break(before) => "+",
        _ => "",
    };
    let text = format!(">2{chomp}\n{body}");
    let reread = GoParser::new(&text, Dialect::V3)
        .filter_map(Result::ok)
        .find_map(|(event, _)| match event {
            Event::Scalar(s, ..) => Some(s.into_owned()),
            _ => None,
        })?;
    (reread != value).then_some(reread)
}

#[cfg(test)]
mod tests {
    use super::folded_round_trip;

    fn after(value: &str) -> String {
        folded_round_trip(value).unwrap_or_else(|| value.to_owned())
    }

    #[test]
    fn matches_kustomize() {
        // Each pair: a folded scalar's value, and what `kubectl kustomize` printed for it.
        for (value, printed) in [
            ("a\n\n", "a\n\n\n"),
            ("a\n\n\n", "a\n\n\n\n"),
            ("a b\n\n", "a b\n\n\n"),
            ("a\nb\n\n", "a\nb\n\n\n"),
            ("a\n  b\nc\n", "a\n\n  b\nc\n"),
            ("a\n\n  b\n\nc\n", "a\n\n\n  b\n\nc\n"),
            ("x\n lead\n", "x\n\n lead\n"),
            ("a\n  b\n  c\nd\n", "a\n\n  b\n  c\nd\n"),
            ("a\n\n b\n", "a\n\n\n b\n"),
            ("\nabc\n", "\nabc\n"),
            ("\n\nabc\n", "\n\nabc\n"),
            ("a b c\n", "a b c\n"),
            ("a\nb\n", "a\nb\n"),
            ("a  b\n", "a  b\n"),
            ("a\n", "a\n"),
            ("folded text", "folded text"),
        ] {
            assert_eq!(after(value), printed, "{value:?}");
        }
    }

    #[test]
    fn values_written_in_double_quotes_are_unchanged() {
        // A space before a break, a trailing space, or a character libyaml does not
        // print makes the emitter quote the value.
        for value in ["a \n\n", "a\n\nb ", "a\u{1F600}\n\n", "a\r\n\n", ""] {
            assert_eq!(folded_round_trip(value), None, "{value:?}");
        }
    }
}
