//! Sprig's crypto functions. Certificate and key generation need big-number
//! cryptography that this pure module does not carry yet: they report an error.

use super::PT::*;
use super::{Add, Builtin, FnError};
use crate::template::value::Val;

fn unsupported(name: &'static str) -> FnError {
    FnError::msg(format!(
        "{name} is not supported by gitward's template engine"
    ))
}

pub(crate) fn register(add: &mut Add<'_>) {
    add(
        "genPrivateKey",
        &[Str],
        false,
        Builtin::Fn(|_, a| match super::s(&a[0]) {
            "rsa" | "dsa" | "ecdsa" | "ed25519" => Err(unsupported("genPrivateKey")),
            other => Ok(Val::str(format!("Unknown type {other}"))),
        }),
    );
    add(
        "genCA",
        &[Str, Int],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genCA"))),
    );
    add(
        "genCAWithKey",
        &[Str, Int, Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genCAWithKey"))),
    );
    add(
        "genSelfSignedCert",
        &[Str, List, List, Int],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genSelfSignedCert"))),
    );
    add(
        "genSelfSignedCertWithKey",
        &[Str, List, List, Int, Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genSelfSignedCertWithKey"))),
    );
    add(
        "genSignedCert",
        &[Str, List, List, Int, Cert],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genSignedCert"))),
    );
    add(
        "genSignedCertWithKey",
        &[Str, List, List, Int, Cert, Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("genSignedCertWithKey"))),
    );
    add(
        "buildCustomCert",
        &[Str, Str],
        false,
        Builtin::Fn(|_, _| Err(FnError::msg("unable to decode certificate"))),
    );
    add(
        "bcrypt",
        &[Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("bcrypt"))),
    );
    add(
        "htpasswd",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            let user = super::s(&a[0]);
            if user.contains(':') {
                return Ok(Val::str(format!("invalid username: {user}")));
            }
            Err(unsupported("htpasswd"))
        }),
    );
    add(
        "derivePassword",
        &[U32, Str, Str, Str, Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("derivePassword"))),
    );
    add(
        "encryptAES",
        &[Str, Str],
        false,
        Builtin::Fn(|_, _| Err(unsupported("encryptAES"))),
    );
    add(
        "decryptAES",
        &[Str, Str],
        false,
        Builtin::Fn(|_, a| {
            super::encoding::b64dec(super::s(&a[1])).map_err(FnError::msg)?;
            Err(unsupported("decryptAES"))
        }),
    );
}
