//! Go's `unicode` predicates and simple case mappings, from the generated tables in
//! [`super::unicode_tables`] (the Unicode version of the Go release Helm is built with).
//! Rust's own `char` methods follow a newer Unicode and other definitions (`is_uppercase`
//! is the derived Uppercase property, `to_uppercase` the full mapping `ß` → `SS`), so the
//! Sprig string functions that must agree with Go use these.

use super::unicode_tables as t;

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let cp = c as u32;
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < cp {
                std::cmp::Ordering::Less
            } else if lo > cp {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_ok()
}

/// `unicode.IsUpper`.
pub(crate) fn is_upper(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_uppercase();
    }
    in_table(t::UPPER, c)
}

/// `unicode.IsLower`.
pub(crate) fn is_lower(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_lowercase();
    }
    in_table(t::LOWER, c)
}

/// `unicode.IsTitle`.
pub(crate) fn is_title(c: char) -> bool {
    !c.is_ascii() && in_table(t::TITLE, c)
}

/// `unicode.IsLetter`.
pub(crate) fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(t::LETTER, c)
}

/// `unicode.IsDigit`.
pub(crate) fn is_digit(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(t::DIGIT, c)
}

/// `unicode.IsNumber`.
pub(crate) fn is_number(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_digit();
    }
    in_table(t::NUMBER, c)
}

/// `unicode.IsPunct`.
pub(crate) fn is_punct(c: char) -> bool {
    in_table(t::PUNCT, c)
}

/// `unicode.IsSpace`.
pub(crate) fn is_space(c: char) -> bool {
    in_table(t::SPACE, c)
}

/// `unicode.IsPrint` (= `strconv.IsPrint`).
pub(crate) fn is_print(c: char) -> bool {
    if c.is_ascii() {
        return (' '..='~').contains(&c);
    }
    in_table(t::PRINT, c)
}

/// Go's `unicode.to`: the mapping of `c` for case 0 (upper), 1 (lower) or 2 (title).
fn to_case(case: usize, c: char) -> char {
    let cp = c as u32;
    let ranges = t::CASE_RANGES;
    let (mut lo, mut hi) = (0usize, ranges.len());
    while lo < hi {
        let m = lo + (hi - lo) / 2;
        let (rlo, rhi, delta) = ranges[m];
        if rlo <= cp && cp <= rhi {
            let d = delta[case];
            let mapped = if d == t::UPPER_LOWER {
                // Alternating sequence: even offsets upper, odd lower (title = upper).
                rlo + (((cp - rlo) & !1) | (case as u32 & 1))
            } else {
                (cp as i64 + d as i64) as u32
            };
            return char::from_u32(mapped).unwrap_or(c);
        }
        if cp < rlo {
            hi = m;
        } else {
            lo = m + 1;
        }
    }
    c
}

/// `unicode.ToUpper`.
pub(crate) fn to_upper(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    to_case(0, c)
}

/// `unicode.ToLower`.
pub(crate) fn to_lower(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_lowercase();
    }
    to_case(1, c)
}

/// `unicode.ToTitle`.
pub(crate) fn to_title(c: char) -> char {
    if c.is_ascii() {
        return c.to_ascii_uppercase();
    }
    to_case(2, c)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_follow_go() {
        // Lu only: Other_Uppercase (circled letters) is not upper for Go.
        assert!(is_upper('É') && !is_upper('Ⓐ') && !is_upper('ǅ'));
        assert!(is_title('ǅ') && !is_lower('ǅ'));
        assert!(is_lower('ß') && !is_lower('ª'));
        assert!(is_letter('ª') && is_letter('日') && !is_letter('Ⅷ'));
        assert!(is_number('Ⅷ') && is_number('½') && !is_digit('½') && is_digit('١'));
        assert!(is_punct('!') && is_punct('¿') && !is_punct('$') && !is_punct('+'));
        assert!(
            is_space('\u{85}')
                && is_space('\u{A0}')
                && is_space('\u{3000}')
                && !is_space('\u{200B}')
        );
        assert!(
            is_print('é') && !is_print('\u{A0}') && !is_print('\u{AD}') && !is_print('\u{378}')
        );
    }

    #[test]
    fn simple_case_mappings() {
        assert_eq!(to_upper('ß'), 'ß');
        assert_eq!(to_upper('ǆ'), 'Ǆ');
        assert_eq!(to_title('ǆ'), 'ǅ');
        assert_eq!(to_lower('ǅ'), 'ǆ');
        assert_eq!(to_lower('İ'), 'i');
        assert_eq!(to_upper('ı'), 'I');
        assert_eq!(to_upper('ſ'), 'S');
        assert_eq!(to_lower('Ā'), 'ā');
        assert_eq!(to_upper('ā'), 'Ā');
        assert_eq!(to_upper('𐐨'), '𐐀');
        assert_eq!(to_upper('1'), '1');
    }
}
