//! Sprig's case functions, ported from what they call: `camelcase`, `snakecase` and
//! `kebabcase` from github.com/huandu/xstrings v1.5.0 (`ToPascalCase`, `ToSnakeCase`,
//! `ToKebabCase`), `swapcase`, `untitle` and `initials` from
//! github.com/Masterminds/goutils v1.1.1, and `title`, `upper`, `lower` from Go's
//! `strings`. Runes are classified and mapped with Go's `unicode` tables
//! ([`crate::go::unicode`]); invalid UTF-8 (raw bytes in an engine string) decodes to
//! U+FFFD one byte at a time, as Go's `utf8.DecodeRuneInString` does.

use crate::go::unicode as u;

const RUNE_ERROR: char = '\u{FFFD}';

/// One Go rune of an engine string: the decoded rune (U+FFFD for an invalid byte) and
/// the text it was decoded from.
#[derive(Clone, Copy)]
struct Unit<'a> {
    r: char,
    text: &'a str,
}

fn units(s: &str) -> Vec<Unit<'_>> {
    s.char_indices()
        .map(|(i, c)| {
            let text = &s[i..i + c.len_utf8()];
            let r = if (0x10FF00..0x110000).contains(&(c as u32)) {
                RUNE_ERROR
            } else {
                c
            };
            Unit { r, text }
        })
        .collect()
}

/// Go's `strings.Map` with a mapping that never drops runes: invalid bytes become U+FFFD.
fn map_runes(s: &str, f: impl Fn(char) -> char) -> String {
    units(s).iter().map(|x| f(x.r)).collect()
}

/// xstrings' `isConnector`.
fn is_connector(r: char) -> bool {
    r == '-' || r == '_' || u::is_space(r)
}

/// xstrings' `isAlphabet`: a letter that is not a CJK ideograph.
fn is_alphabet(r: char) -> bool {
    if !u::is_letter(r) {
        return false;
    }
    let c = r as u32;
    !((0x4E00..=0x9FCC).contains(&c)
        || (0x3400..=0x4D85).contains(&c)
        || (0x20000..=0x2B81D).contains(&c))
}

/// `xstrings.ToPascalCase` (Sprig's `camelcase`).
pub(crate) fn to_pascal_case(s: &str) -> String {
    let us = units(s);
    if us.is_empty() {
        return String::new();
    }
    let mut buf = String::with_capacity(s.len());
    let mut first_upper = false;
    let mut r0 = RUNE_ERROR;
    let mut i = 0;
    // Leading connectors are kept.
    while i < us.len() {
        r0 = us[i].r;
        i += 1;
        if !is_connector(r0) {
            first_upper = u::is_upper(r0);
            r0 = u::to_upper(r0);
            break;
        }
        buf.push(r0);
    }
    if i >= us.len() {
        // A string of one rune (or only connectors: the last one is written twice).
        buf.push(r0);
        return buf;
    }
    while i < us.len() {
        let r1 = r0;
        r0 = us[i].r;
        i += 1;
        if is_connector(r0) && is_connector(r1) {
            buf.push(r1);
            continue;
        }
        if is_connector(r1) {
            first_upper = u::is_upper(r0);
            r0 = u::to_upper(r0);
        } else {
            if first_upper {
                if u::is_upper(r0) {
                    r0 = u::to_lower(r0);
                } else {
                    first_upper = false;
                }
            }
            buf.push(r1);
        }
    }
    buf.push(r0);
    buf
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Word {
    Invalid,
    Number,
    Upper,
    Alphabet,
    Connector,
    Punct,
    Other,
}

/// xstrings' `nextValidRune`: the next rune that is not U+FFFD and how many units were
/// read to reach it (all of them, with `prev`, when there is none).
fn next_valid_rune(us: &[Unit<'_>], prev: char) -> (char, usize) {
    for (k, x) in us.iter().enumerate() {
        if x.r != RUNE_ERROR {
            return (x.r, k + 1);
        }
    }
    (prev, us.len())
}

/// xstrings' `nextWord`: the kind of the word at the start of `us` and its length in
/// units (the rest is `us[len..]`, except for "HTTPStatus" where the last capital starts
/// the next word).
fn next_word(us: &[Unit<'_>]) -> (Word, usize) {
    if us.is_empty() {
        return (Word::Invalid, 0);
    }
    let (mut r, mut size) = next_valid_rune(us, RUNE_ERROR);
    let mut offset = size;
    if r == RUNE_ERROR {
        return (Word::Invalid, offset);
    }
    // `rem` is the start of `remaining`.
    let mut rem;
    let wt;
    // Extends the word while `keep(r)` holds for the next valid rune.
    let extend =
        |rem: &mut usize, offset: &mut usize, r: &mut char, keep: &dyn Fn(char) -> bool| {
            while *rem < us.len() {
                let (nr, sz) = next_valid_rune(&us[*rem..], *r);
                *r = nr;
                if !keep(nr) {
                    break;
                }
                *offset += sz;
                *rem += sz;
            }
        };
    if is_connector(r) {
        wt = Word::Connector;
        rem = size;
        extend(&mut rem, &mut offset, &mut r, &is_connector);
    } else if u::is_punct(r) {
        wt = Word::Punct;
        rem = size;
        extend(&mut rem, &mut offset, &mut r, &u::is_punct);
    } else if u::is_upper(r) {
        wt = Word::Upper;
        rem = size;
        if rem < us.len() {
            (r, size) = next_valid_rune(&us[rem..], r);
            if u::is_upper(r) {
                let mut prev_size = size;
                offset += size;
                rem += size;
                while rem < us.len() {
                    let (nr, sz) = next_valid_rune(&us[rem..], r);
                    r = nr;
                    if !u::is_upper(r) {
                        break;
                    }
                    prev_size = sz;
                    offset += sz;
                    rem += sz;
                }
                // "HTTPStatus": "S" starts the next word.
                if rem < us.len() && is_alphabet(r) {
                    offset -= prev_size;
                }
            } else if is_alphabet(r) {
                offset += size;
                rem += size;
                extend(&mut rem, &mut offset, &mut r, &|c| {
                    is_alphabet(c) && !u::is_upper(c)
                });
            }
        }
    } else if is_alphabet(r) {
        wt = Word::Alphabet;
        rem = size;
        extend(&mut rem, &mut offset, &mut r, &|c| {
            is_alphabet(c) && !u::is_upper(c)
        });
    } else if u::is_number(r) {
        wt = Word::Number;
        rem = size;
        extend(&mut rem, &mut offset, &mut r, &u::is_number);
    } else {
        wt = Word::Other;
        rem = size;
        while rem < us.len() {
            let (nr, sz) = next_valid_rune(&us[rem..], r);
            r = nr;
            if sz == 0 || is_connector(r) || is_alphabet(r) || u::is_number(r) || u::is_punct(r) {
                break;
            }
            offset += sz;
            rem += sz;
        }
    }
    (wt, offset)
}

/// xstrings' `toLower`: upper-case and connector words are lowered rune by rune
/// (connectors become `connector`), others are copied as they are.
fn to_lower_word(buf: &mut String, wt: Word, word: &[Unit<'_>], connector: char) {
    if wt != Word::Upper && wt != Word::Connector {
        for x in word {
            buf.push_str(x.text);
        }
        return;
    }
    for x in word {
        if is_connector(x.r) {
            buf.push(connector);
        } else if u::is_upper(x.r) {
            buf.push(u::to_lower(x.r));
        } else {
            buf.push(x.r);
        }
    }
}

/// The word at `us[*pos..]`; moves `pos` past it.
fn take_word<'a, 'b>(us: &'b [Unit<'a>], pos: &mut usize) -> (Word, &'b [Unit<'a>]) {
    let start = *pos;
    let (wt, n) = next_word(&us[start..]);
    *pos = start + n;
    (wt, &us[start..start + n])
}

/// xstrings' `camelCaseToLowerCase` (`ToSnakeCase` with `_`, `ToKebabCase` with `-`).
fn camel_case_to_lower_case(s: &str, connector: char) -> String {
    let us = units(s);
    if us.is_empty() {
        return String::new();
    }
    let mut buf = String::with_capacity(s.len() + 8);
    // A cursor over the words: `pos` is where `remaining` starts.
    let mut pos = 0usize;
    let next = |pos: &mut usize| take_word(&us, pos);
    let (mut wt, mut word) = next(&mut pos);
    while pos < us.len() {
        if wt != Word::Connector {
            to_lower_word(&mut buf, wt, word, connector);
        }
        let prev = wt;
        let last = word;
        (wt, word) = next(&mut pos);
        match prev {
            Word::Number => {
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower_word(&mut buf, wt, word, connector);
                    (wt, word) = next(&mut pos);
                }
                if wt != Word::Invalid && wt != Word::Punct && wt != Word::Connector {
                    buf.push(connector);
                }
            }
            Word::Connector => to_lower_word(&mut buf, prev, last, connector),
            Word::Punct => {}
            _ => {
                if wt != Word::Number {
                    if wt != Word::Connector && wt != Word::Punct {
                        buf.push(connector);
                    }
                    continue;
                }
                if pos >= us.len() {
                    continue;
                }
                let last = word;
                (wt, word) = next(&mut pos);
                // A number followed by something other than letters belongs to the
                // previous word: "Bld4Floor" → "bld4_floor".
                if wt != Word::Alphabet {
                    to_lower_word(&mut buf, Word::Number, last, connector);
                    if wt != Word::Connector && wt != Word::Punct {
                        buf.push(connector);
                    }
                    continue;
                }
                // Lower-case letters after a number: "HTTP2xx" → "http_2xx".
                buf.push(connector);
                to_lower_word(&mut buf, Word::Number, last, connector);
                while wt == Word::Alphabet || wt == Word::Number {
                    to_lower_word(&mut buf, wt, word, connector);
                    (wt, word) = next(&mut pos);
                }
                if wt != Word::Invalid && wt != Word::Connector && wt != Word::Punct {
                    buf.push(connector);
                }
            }
        }
    }
    to_lower_word(&mut buf, wt, word, connector);
    buf
}

/// `xstrings.ToSnakeCase`.
pub(crate) fn to_snake_case(s: &str) -> String {
    camel_case_to_lower_case(s, '_')
}

/// `xstrings.ToKebabCase`.
pub(crate) fn to_kebab_case(s: &str) -> String {
    camel_case_to_lower_case(s, '-')
}

/// goutils' `SwapCase`: upper and title case become lower; lower case becomes title case
/// at the start of a word (after white space), upper case elsewhere.
pub(crate) fn swap_case(s: &str) -> String {
    let mut whitespace = true;
    let mut out = String::with_capacity(s.len());
    for x in units(s) {
        let ch = x.r;
        if u::is_upper(ch) || u::is_title(ch) {
            out.push(u::to_lower(ch));
            whitespace = false;
        } else if u::is_lower(ch) {
            if whitespace {
                out.push(u::to_title(ch));
                whitespace = false;
            } else {
                out.push(u::to_upper(ch));
            }
        } else {
            out.push(ch);
            whitespace = u::is_space(ch);
        }
    }
    out
}

/// goutils' `Uncapitalize` (Sprig's `untitle`): the first rune of each white-space
/// separated word lowered.
pub(crate) fn uncapitalize(s: &str) -> String {
    let mut next = true;
    let mut out = String::with_capacity(s.len());
    for x in units(s) {
        let ch = x.r;
        if u::is_space(ch) {
            next = true;
            out.push(ch);
        } else if next {
            out.push(u::to_lower(ch));
            next = false;
        } else {
            out.push(ch);
        }
    }
    out
}

/// goutils' `Initials`: it walks the string byte by byte, so a word's first byte is
/// written as the rune of that value (a multi-byte letter gives its Latin-1 reading).
pub(crate) fn initials(s: &str) -> String {
    let mut gap = true;
    let mut out = String::new();
    for b in super::gostr_to_bytes(s) {
        let ch = char::from(b);
        if u::is_space(ch) {
            gap = true;
        } else if gap {
            out.push(ch);
            gap = false;
        }
    }
    out
}

/// `strings.Title`'s `isSeparator`.
fn is_separator(r: char) -> bool {
    if r.is_ascii() {
        return !(r.is_ascii_alphanumeric() || r == '_');
    }
    if u::is_letter(r) || u::is_digit(r) {
        return false;
    }
    u::is_space(r)
}

/// `strings.Title`: title case for the first rune after a separator.
pub(crate) fn title(s: &str) -> String {
    let mut prev = ' ';
    let mut out = String::with_capacity(s.len());
    for x in units(s) {
        out.push(if is_separator(prev) {
            u::to_title(x.r)
        } else {
            x.r
        });
        prev = x.r;
    }
    out
}

/// `strings.ToUpper`.
pub(crate) fn to_upper(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_uppercase();
    }
    map_runes(s, u::to_upper)
}

/// `strings.ToLower`.
pub(crate) fn to_lower(s: &str) -> String {
    if s.is_ascii() {
        return s.to_ascii_lowercase();
    }
    map_runes(s, u::to_lower)
}
#[cfg(test)]
mod tests {
    use super::*;

    /// Input, then what helm v4.1.4 prints for camelcase, snakecase, kebabcase, swapcase,
    /// title, untitle, initials, upper and lower.
    const HELM: &[[&str; 10]] = &[
        [
            "HTTPServer",
            "Httpserver",
            "http_server",
            "http-server",
            "httpsERVER",
            "HTTPServer",
            "hTTPServer",
            "H",
            "HTTPSERVER",
            "httpserver",
        ],
        [
            "http2xx", "Http2xx", "http_2xx", "http-2xx", "HTTP2XX", "Http2xx", "http2xx", "h",
            "HTTP2XX", "http2xx",
        ],
        [
            "HTTP20xOK",
            "Http20xOK",
            "http_20x_ok",
            "http-20x-ok",
            "http20Xok",
            "HTTP20xOK",
            "hTTP20xOK",
            "H",
            "HTTP20XOK",
            "http20xok",
        ],
        [
            "Duration2m3s",
            "Duration2m3s",
            "duration_2m3s",
            "duration-2m3s",
            "dURATION2M3S",
            "Duration2m3s",
            "duration2m3s",
            "D",
            "DURATION2M3S",
            "duration2m3s",
        ],
        [
            "Bld4Floor3rd",
            "Bld4Floor3rd",
            "bld4_floor_3rd",
            "bld4-floor-3rd",
            "bLD4fLOOR3RD",
            "Bld4Floor3rd",
            "bld4Floor3rd",
            "B",
            "BLD4FLOOR3RD",
            "bld4floor3rd",
        ],
        [
            "_complex__case_",
            "_Complex_Case_",
            "_complex__case_",
            "-complex--case-",
            "_COMPLEX__CASE_",
            "_complex__case_",
            "_complex__case_",
            "_",
            "_COMPLEX__CASE_",
            "_complex__case_",
        ],
        ["_", "__", "_", "-", "_", "_", "_", "_", "_", "_"],
        ["--", "---", "__", "--", "--", "--", "--", "-", "--", "--"],
        ["a", "A", "a", "a", "A", "A", "a", "a", "A", "a"],
        [
            "GOLANG_IS_GREAT",
            "GolangIsGreat",
            "golang_is_great",
            "golang-is-great",
            "golang_is_great",
            "GOLANG_IS_GREAT",
            "gOLANG_IS_GREAT",
            "G",
            "GOLANG_IS_GREAT",
            "golang_is_great",
        ],
        [
            "some words",
            "SomeWords",
            "some_words",
            "some-words",
            "SOME WORDS",
            "Some Words",
            "some words",
            "sw",
            "SOME WORDS",
            "some words",
        ],
        [
            "FirstName",
            "FirstName",
            "first_name",
            "first-name",
            "fIRSTnAME",
            "FirstName",
            "firstName",
            "F",
            "FIRSTNAME",
            "firstname",
        ],
        [
            "NoHTTPS", "NoHTTPS", "no_https", "no-https", "nOhttps", "NoHTTPS", "noHTTPS", "N",
            "NOHTTPS", "nohttps",
        ],
        [
            "straße_STRASSE",
            "StraßeStrasse",
            "straße_strasse",
            "straße-strasse",
            "STRAßE_strasse",
            "Straße_STRASSE",
            "straße_STRASSE",
            "s",
            "STRAßE_STRASSE",
            "straße_strasse",
        ],
        [
            "ǆungla ǅ",
            "ǄunglaǄ",
            "ǆungla_ǅ",
            "ǆungla-ǅ",
            "ǅUNGLA ǆ",
            "ǅungla ǅ",
            "ǆungla ǆ",
            "ÇÇ",
            "ǄUNGLA Ǆ",
            "ǆungla ǆ",
        ],
        [
            "İstanbul ıi",
            "İstanbulIi",
            "istanbul_ıi",
            "istanbul-ıi",
            "iSTANBUL II",
            "İstanbul Ii",
            "istanbul ıi",
            "ÄÄ",
            "İSTANBUL II",
            "istanbul ıi",
        ],
        [
            "Σοφία σς",
            "ΣοφίαΣς",
            "σοφία_σς",
            "σοφία-σς",
            "σΟΦΊΑ ΣΣ",
            "Σοφία Σς",
            "σοφία σς",
            "ÎÏ",
            "ΣΟΦΊΑ ΣΣ",
            "σοφία σς",
        ],
        [
            "日本語Word",
            "日本語Word",
            "日本語_word",
            "日本語-word",
            "日本語wORD",
            "日本語Word",
            "日本語Word",
            "æ",
            "日本語WORD",
            "日本語word",
        ],
        [
            "x1Y2z3", "X1Y2z3", "x1_y_2z3", "x1-y-2z3", "X1y2Z3", "X1Y2z3", "x1Y2z3", "x",
            "X1Y2Z3", "x1y2z3",
        ],
        [
            "__init__", "__Init__", "__init__", "--init--", "__INIT__", "__init__", "__init__",
            "_", "__INIT__", "__init__",
        ],
        [
            "a-b c_d", "ABCD", "a_b_c_d", "a-b-c-d", "A-B C_D", "A-B C_d", "a-b c_d", "ac",
            "A-B C_D", "a-b c_d",
        ],
        [
            "café au lait",
            "CaféAuLait",
            "café_au_lait",
            "café-au-lait",
            "CAFÉ AU LAIT",
            "Café Au Lait",
            "café au lait",
            "cal",
            "CAFÉ AU LAIT",
            "café au lait",
        ],
        [
            "ⅧⅨ roman",
            "ⅧⅨRoman",
            "ⅧⅨ_roman",
            "ⅧⅨ-roman",
            "ⅧⅨ ROMAN",
            "ⅧⅨ Roman",
            "ⅷⅨ roman",
            "â§¨r",
            "ⅧⅨ ROMAN",
            "ⅷⅸ roman",
        ],
        [
            "A.B.C", "A.B.C", "a.b.c", "a.b.c", "a.b.c", "A.B.C", "a.B.C", "A", "A.B.C", "a.b.c",
        ],
        [
            "hello, World!",
            "Hello,World!",
            "hello,_world!",
            "hello,-world!",
            "HELLO, wORLD!",
            "Hello, World!",
            "hello, world!",
            "hW",
            "HELLO, WORLD!",
            "hello, world!",
        ],
        ["ǲ", "Ǳ", "ǲ", "ǲ", "ǳ", "ǲ", "ǳ", "Ç", "Ǳ", "ǳ"],
        [
            "  lead", "  Lead", "__lead", "--lead", "  LEAD", "  Lead", "  lead", "l", "  LEAD",
            "  lead",
        ],
    ];

    #[test]
    fn case_functions_match_helm() {
        type F = fn(&str) -> String;
        let fns: [(&str, F); 9] = [
            ("camelcase", to_pascal_case),
            ("snakecase", to_snake_case),
            ("kebabcase", to_kebab_case),
            ("swapcase", swap_case),
            ("title", title),
            ("untitle", uncapitalize),
            ("initials", initials),
            ("upper", to_upper),
            ("lower", to_lower),
        ];
        for row in HELM {
            for (k, (name, f)) in fns.iter().enumerate() {
                assert_eq!(f(row[0]), row[k + 1], "{name}({:?})", row[0]);
            }
        }
    }

    #[test]
    fn invalid_utf8_decodes_to_replacement_runes() {
        let raw = crate::template::funcs::bytes_to_gostr;
        let s = raw(b"ab\xffCd_\xc3x");
        // What helm v4.1.4 prints.
        assert_eq!(to_pascal_case(&s), "Ab\u{FFFD}Cd\u{FFFD}x");
        assert_eq!(to_upper(&s), "AB\u{FFFD}CD_\u{FFFD}X");
        assert_eq!(initials(&s), "a");
        // A lowered (upper-case) word decodes its bytes, a copied one keeps them.
        assert_eq!(to_snake_case(&s), raw(b"ab_\xef\xbf\xbdcd_\xc3x"));
    }
}
