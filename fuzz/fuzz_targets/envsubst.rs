//! Fuzzes Flux's variable substitution (`gitward::envsubst`): arbitrary lines, strict or
//! not, with a few variables set; it must never panic, and a line that substitutes
//! without error must substitute the same way again (the engine keeps no state).
//!
//! Input: the first byte picks strict mode; the rest is the text.

#![no_main]

use gitward::envsubst::{eval, eval_lines};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, text)) = data.split_first() else {
        return;
    };
    let strict = mode & 1 == 1;
    let lookup = |k: &str| match k {
        "A" => Some(b"value/with $$ and ${B}".as_slice()),
        "E" => Some(b"".as_slice()),
        "N" => Some(b"12".as_slice()),
        _ => None,
    };
    let first = eval(text, strict, lookup);
    assert_eq!(first, eval(text, strict, lookup));
    let _ = eval_lines(text, strict, lookup);
});
