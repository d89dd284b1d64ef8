//! The error type of Sprig's crypto functions.

use crate::template::funcs::FnError;

/// A crypto function failure, displayed with the text Go (Sprig, `crypto/x509`) gives.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub(crate) enum CryptoError {
    /// An error with Go's wording.
    #[error("{0}")]
    Go(String),
    /// Key generation failed.
    #[error("{0}")]
    KeyGen(String),
    /// Encoding a key failed.
    #[error("{0}")]
    Encode(String),
}

impl From<CryptoError> for FnError {
    fn from(e: CryptoError) -> FnError {
        FnError::msg(e.to_string())
    }
}
