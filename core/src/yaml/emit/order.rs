//! go-yaml v2's map-key order (`keyList.Less` in sorter.go) for string keys.
//!
//! Keys compare rune by rune; at the first difference letters sort after non-letters,
//! two letters compare by code point, and otherwise the runs of digits starting there
//! compare as numbers (`a2 < a10`). Letter and digit mean Go's `unicode.IsLetter` and
//! `unicode.IsDigit`.
//!
//! The relation is not transitive for some key sets (`a10 < a1b < a2 < a10`); Go then
//! sorts a randomly ordered `MapKeys()` with it and its output varies from run to run.
//! A merge sort gives one of those outputs deterministically, and the only one when the
//! keys are consistently ordered.

use std::cmp::Ordering;

use crate::go::unicode_tables::{DIGIT, LETTER};

fn in_table(table: &[(u32, u32)], c: char) -> bool {
    let c = u32::from(c);
    table
        .binary_search_by(|&(lo, hi)| {
            if hi < c {
                Ordering::Less
            } else if lo > c {
                Ordering::Greater
            } else {
                Ordering::Equal
            }
        })
        .is_ok()
}

/// Go's `unicode.IsLetter`.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    in_table(LETTER, c)
}

/// Go's `unicode.IsDigit`.
fn is_digit(c: char) -> bool {
    if u32::from(c) <= 0xFF {
        return c.is_ascii_digit();
    }
    in_table(DIGIT, c)
}

/// Go's `int64(r - '0')` for a digit rune (non-ASCII digits give large values, as in Go).
fn digit_value(c: char) -> i64 {
    i64::from(u32::from(c)) - i64::from(u32::from('0'))
}

/// go-yaml v2's `keyList.Less` for two string keys.
pub(super) fn key_less(a: &[char], b: &[char]) -> bool {
    for i in 0..a.len().min(b.len()) {
        let (ca, cb) = (a[i], b[i]);
        if ca == cb {
            continue;
        }
        let (al, bl) = (is_letter(ca), is_letter(cb));
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ca == '0' || cb == '0' {
            let mut j = i;
            while j > 0 && is_digit(a[j - 1]) {
                j -= 1;
                if a[j] != '0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && is_digit(a[ai]) {
            an = an.wrapping_mul(10).wrapping_add(digit_value(a[ai]));
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && is_digit(b[bi]) {
            bn = bn.wrapping_mul(10).wrapping_add(digit_value(b[bi]));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ca < cb;
    }
    a.len() < b.len()
}

/// [`key_less`] for ASCII keys, on bytes (the same relation: for ASCII, Go's letters
/// and digits are the ASCII ones).
fn key_less_ascii(a: &[u8], b: &[u8]) -> bool {
    for i in 0..a.len().min(b.len()) {
        let (ca, cb) = (a[i], b[i]);
        if ca == cb {
            continue;
        }
        let (al, bl) = (ca.is_ascii_alphabetic(), cb.is_ascii_alphabetic());
        if al && bl {
            return ca < cb;
        }
        if al || bl {
            return bl;
        }
        let (mut an, mut bn) = (0i64, 0i64);
        if ca == b'0' || cb == b'0' {
            let mut j = i;
            while j > 0 && a[j - 1].is_ascii_digit() {
                j -= 1;
                if a[j] != b'0' {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        let mut ai = i;
        while ai < a.len() && a[ai].is_ascii_digit() {
            an = an.wrapping_mul(10).wrapping_add(i64::from(a[ai] - b'0'));
            ai += 1;
        }
        let mut bi = i;
        while bi < b.len() && b[bi].is_ascii_digit() {
            bn = bn.wrapping_mul(10).wrapping_add(i64::from(b[bi] - b'0'));
            bi += 1;
        }
        if an != bn {
            return an < bn;
        }
        if ai != bi {
            return ai < bi;
        }
        return ca < cb;
    }
    a.len() < b.len()
}

/// Sorts map keys in go-yaml v2's order; returns indices into `keys`.
pub(super) fn sorted_indices(keys: &[&str]) -> Vec<usize> {
    if keys.iter().all(|k| k.is_ascii()) {
        let bytes: Vec<&[u8]> = keys.iter().map(|k| k.as_bytes()).collect();
        // Without digits the relation is a total order (lexicographic, non-letters
        // before letters): keys already in order stay as they are, as the merge sort
        // would leave them. (With digits it may not be transitive, and only the merge
        // sort gives the answer.)
        let digitless = bytes.iter().all(|k| !k.iter().any(u8::is_ascii_digit));
        if digitless && bytes.windows(2).all(|w| !key_less_ascii(w[1], w[0])) {
            return (0..keys.len()).collect();
        }
        return merge_sort(keys.len(), |x, y| key_less_ascii(bytes[x], bytes[y]));
    }
    let runes: Vec<Vec<char>> = keys.iter().map(|k| k.chars().collect()).collect();
    merge_sort(keys.len(), |x, y| key_less(&runes[x], &runes[y]))
}

/// A stable bottom-up merge sort of `0..n` by `less`.
fn merge_sort(n: usize, less: impl Fn(usize, usize) -> bool) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..n).collect();
    // Stable bottom-up merge sort: O(n log n) comparisons and well-defined for any
    // comparison function (the standard library's sorts may panic on inconsistent ones).
    let mut buf = idx.clone();
    let mut width = 1;
    while width < n {
        let mut start = 0;
        while start < n {
            let mid = (start + width).min(n);
            let end = (start + 2 * width).min(n);
            let (mut i, mut j, mut k) = (start, mid, start);
            while i < mid && j < end {
                if less(idx[j], idx[i]) {
                    buf[k] = idx[j];
                    j += 1;
                } else {
                    buf[k] = idx[i];
                    i += 1;
                }
                k += 1;
            }
            buf[k..k + (mid - i)].copy_from_slice(&idx[i..mid]);
            k += mid - i;
            buf[k..k + (end - j)].copy_from_slice(&idx[j..end]);
            start = end;
        }
        std::mem::swap(&mut idx, &mut buf);
        width *= 2;
    }
    idx
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sort(keys: &[&str]) -> Vec<String> {
        sorted_indices(keys)
            .into_iter()
            .map(|i| keys[i].to_owned())
            .collect()
    }

    #[test]
    fn natural_order() {
        assert_eq!(
            sort(&["a10", "a9", "B", "_x", "a", "1", "b"]),
            ["_x", "1", "B", "a", "a9", "a10", "b"]
        );
        // Leading zeros: a shorter digit run of equal value sorts first.
        assert_eq!(sort(&["a01", "a1", "a001"]), ["a1", "a01", "a001"]);
        // A zero after a non-zero digit is compared with the earlier digits counted.
        assert_eq!(
            sort(&["x10", "x1", "x11", "x2"]),
            ["x1", "x2", "x10", "x11"]
        );
        // Letters after non-letters; non-ASCII letters are letters.
        assert_eq!(sort(&["é", "-", "z", "Z"]), ["-", "Z", "z", "é"]);
        assert_eq!(sort(&["ab", "a"]), ["a", "ab"]);
    }

    /// The ASCII path and the shortcut for ordered digit-less keys give what the general
    /// merge sort gives, on many random key sets (digits and inconsistent sets included).
    #[test]
    fn ascii_path_agrees_with_the_general_sort() {
        let alphabet = b"aAzZ09-_.1b2";
        let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
        for _ in 0..20_000 {
            let mut keys: Vec<String> = Vec::new();
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            let n = (seed % 7) as usize;
            for k in 0..n {
                let len = ((seed >> (k * 3)) % 4) as usize;
                let key: String = (0..len)
                    .map(|j| alphabet[((seed >> (k * 5 + j * 4)) % 12) as usize] as char)
                    .collect();
                keys.push(key);
            }
            let refs: Vec<&str> = keys.iter().map(String::as_str).collect();
            let runes: Vec<Vec<char>> = refs.iter().map(|k| k.chars().collect()).collect();
            let general = merge_sort(refs.len(), |x, y| key_less(&runes[x], &runes[y]));
            assert_eq!(sorted_indices(&refs), general, "{refs:?}");
        }
    }

    #[test]
    fn unicode_classes_follow_go() {
        assert!(is_letter('ª') && is_letter('é') && is_letter('日') && !is_letter('1'));
        assert!(!is_letter('\u{2160}')); // Nl (ROMAN NUMERAL ONE) is not a Go letter
        assert!(is_digit('٣') && !is_digit('²') && !is_digit('a'));
    }
}
