//! [`Secret`]: a provider's webhook secret, kept out of logs.

use std::fmt;

use crate::error::{Error, ErrorKind};

/// A shared secret, used as its UTF-8 bytes (as Zoho Sign, Yousign and Zigned do).
///
/// It has a redacted `Debug`, and no `Display` or `Serialize`, so it cannot leak through
/// `{:?}`, a log line or a serialized event.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Box<[u8]>);

impl Secret {
    /// A secret from its text. Fails with `invalid_secret` when empty: an empty HMAC key
    /// would make every signature computable by anyone.
    pub fn new(secret: &str) -> Result<Secret, Error> {
        Secret::from_bytes(secret.as_bytes())
    }

    /// A secret from raw key bytes (e.g. a decoded `whsec_` secret).
    pub fn from_bytes(bytes: &[u8]) -> Result<Secret, Error> {
        if bytes.is_empty() {
            return Err(Error::new(ErrorKind::InvalidSecret, "secret is empty"));
        }
        Ok(Secret(bytes.into()))
    }

    pub(crate) fn expose(&self) -> &[u8] {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Secret([redacted])")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_is_redacted() {
        let secret = Secret::new("hunter2").unwrap();
        assert_eq!(format!("{secret:?}"), "Secret([redacted])");
    }

    #[test]
    fn empty_is_refused() {
        assert_eq!(
            Secret::new("").unwrap_err().kind(),
            ErrorKind::InvalidSecret
        );
    }
}
