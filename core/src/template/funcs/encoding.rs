//! Encodings and hashes: base64, base32, sha1/sha256/sha512, adler32.

use sha2::Digest;

use super::PT::*;
use super::{Add, Builtin, FnResult, gostr_to_bytes, s};
use crate::template::value::Val;

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// Standard base64 with padding.
pub(crate) fn b64enc(b: &[u8]) -> String {
    let mut out = String::with_capacity(b.len().div_ceil(3) * 4);
    for chunk in b.chunks(3) {
        let n = chunk.len();
        let v = (chunk[0] as u32) << 16
            | (if n > 1 { chunk[1] as u32 } else { 0 }) << 8
            | (if n > 2 { chunk[2] as u32 } else { 0 });
        out.push(B64[(v >> 18) as usize & 63] as char);
        out.push(B64[(v >> 12) as usize & 63] as char);
        out.push(if n > 1 {
            B64[(v >> 6) as usize & 63] as char
        } else {
            '='
        });
        out.push(if n > 2 {
            B64[v as usize & 63] as char
        } else {
            '='
        });
    }
    out
}

/// Go's `base64.StdEncoding.DecodeString` (strict padding; `\r`/`\n` ignored).
pub(crate) fn b64dec(st: &str) -> Result<Vec<u8>, String> {
    let bytes = st.as_bytes();
    let mut out = Vec::new();
    let mut quad = [0u8; 4];
    let mut qn = 0;
    let mut pos_of = [0usize; 4];
    let mut i = 0;
    let mut done = false;
    while i < bytes.len() {
        let c = bytes[i];
        if c == b'\n' || c == b'\r' {
            i += 1;
            continue;
        }
        if done {
            return Err(format!("illegal base64 data at input byte {i}"));
        }
        if c == b'=' {
            // padding: need qn >= 2
            if qn < 2 {
                return Err(format!("illegal base64 data at input byte {i}"));
            }
            if qn == 2 {
                // expect another '='
                let mut j = i + 1;
                while j < bytes.len() && (bytes[j] == b'\n' || bytes[j] == b'\r') {
                    j += 1;
                }
                if j >= bytes.len() || bytes[j] != b'=' {
                    return Err(format!(
                        "illegal base64 data at input byte {}",
                        j.min(bytes.len())
                    ));
                }
                i = j;
            }
            let v = (quad[0] as u32) << 18 | (quad[1] as u32) << 12 | (quad[2] as u32) << 6;
            out.push((v >> 16) as u8);
            if qn == 3 {
                out.push((v >> 8) as u8);
            }
            qn = 0;
            done = true;
            i += 1;
            continue;
        }
        let Some(d) = B64.iter().position(|&x| x == c) else {
            return Err(format!("illegal base64 data at input byte {i}"));
        };
        quad[qn] = d as u8;
        pos_of[qn] = i;
        qn += 1;
        if qn == 4 {
            let v = (quad[0] as u32) << 18
                | (quad[1] as u32) << 12
                | (quad[2] as u32) << 6
                | quad[3] as u32;
            out.extend_from_slice(&[(v >> 16) as u8, (v >> 8) as u8, v as u8]);
            qn = 0;
        }
        i += 1;
    }
    if qn != 0 {
        // Go reports the position of the first byte of the incomplete quantum... when
        // input ends early it reports len - (qn) style offsets; use Go's rule: the index
        // of the byte that would start the bad quantum.
        let at = pos_of[0];
        return Err(format!("illegal base64 data at input byte {at}"));
    }
    Ok(out)
}

fn b32enc(b: &[u8]) -> String {
    let mut out = String::new();
    for chunk in b.chunks(5) {
        let mut buf = [0u8; 5];
        buf[..chunk.len()].copy_from_slice(chunk);
        let v = buf.iter().fold(0u64, |acc, &x| acc << 8 | x as u64);
        let nchars = match chunk.len() {
            1 => 2,
            2 => 4,
            3 => 5,
            4 => 7,
            _ => 8,
        };
        for k in 0..8 {
            if k < nchars {
                out.push(B32[((v >> (35 - 5 * k)) & 31) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

fn b32dec(st: &str) -> Result<Vec<u8>, String> {
    let clean: Vec<u8> = st.bytes().filter(|c| *c != b'\n' && *c != b'\r').collect();
    if !clean.len().is_multiple_of(8) {
        return Err(format!(
            "illegal base32 data at input byte {}",
            clean.len() / 8 * 8
        ));
    }
    let mut out = vec![];
    for (ci, chunk) in clean.chunks(8).enumerate() {
        let mut v: u64 = 0;
        let mut n = 0;
        for (k, &c) in chunk.iter().enumerate() {
            if c == b'=' {
                break;
            }
            let Some(d) = B32.iter().position(|&x| x == c) else {
                return Err(format!("illegal base32 data at input byte {}", ci * 8 + k));
            };
            v |= (d as u64) << (35 - 5 * k);
            n += 1;
        }
        let nbytes = match n {
            8 => 5,
            7 => 4,
            5 => 3,
            4 => 2,
            2 => 1,
            _ => return Err(format!("illegal base32 data at input byte {}", ci * 8 + n)),
        };
        for k in 0..nbytes {
            out.push((v >> (32 - 8 * k)) as u8);
        }
    }
    Ok(out)
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

fn adler32(b: &[u8]) -> u32 {
    let (mut a, mut c) = (1u32, 0u32);
    for &x in b {
        a = (a + x as u32) % 65521;
        c = (c + a) % 65521;
    }
    c << 16 | a
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "b64enc",
        &[Str],
        false,
        Builtin::Fn(|_, a| Ok(Val::str(b64enc(&gostr_to_bytes(s(&a[0])))))),
    );
    add(
        "b64dec",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(match b64dec(s(&a[0])) {
                Ok(b) => super::bytes_to_gostr(&b),
                Err(e) => e,
            }))
        }),
    );
    add(
        "b32enc",
        &[Str],
        false,
        Builtin::Fn(|_, a| Ok(Val::str(b32enc(&gostr_to_bytes(s(&a[0])))))),
    );
    add(
        "b32dec",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(match b32dec(s(&a[0])) {
                Ok(b) => super::bytes_to_gostr(&b),
                Err(e) => e,
            }))
        }),
    );
    add("sha1sum", &[Str], false, Builtin::Fn(sha1sum));
    add(
        "sha256sum",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(hex(&sha2::Sha256::digest(gostr_to_bytes(s(
                &a[0]
            ))))))
        }),
    );
    add(
        "sha512sum",
        &[Str],
        false,
        Builtin::Fn(|_, a| {
            Ok(Val::str(hex(&sha2::Sha512::digest(gostr_to_bytes(s(
                &a[0]
            ))))))
        }),
    );
    add(
        "adler32sum",
        &[Str],
        false,
        Builtin::Fn(|_, a| Ok(Val::str(adler32(&gostr_to_bytes(s(&a[0]))).to_string()))),
    );
}

fn sha1sum(_: &mut super::Cx<'_>, a: Vec<Val>) -> FnResult {
    use sha1::Digest as _;
    Ok(Val::str(hex(&sha1::Sha1::digest(gostr_to_bytes(s(&a[0]))))))
}
