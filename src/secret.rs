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
    /// A secret from its text, used as is (never trimmed). Fails with `invalid_secret` when
    /// empty or only whitespace: such a key is as guessable as none, and makes every
    /// signature computable by anyone.
    pub fn new(secret: &str) -> Result<Secret, Error> {
        if !secret.is_empty() && secret.trim().is_empty() {
            return Err(Error::new(
                ErrorKind::InvalidSecret,
                "secret is only whitespace",
            ));
        }
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

/// The fake values published in `.dev.vars.example` and on the validator page besides the
/// providers' own (each provider's is its `example_secret`): the Acrobat URL token, the
/// forwarding key, the tenant key, the admin token. Anyone can read them, so the Worker
/// refuses them outside local development (security review I-5). `tests/docs.rs` checks
/// that every value of those files is a public example.
pub const PUBLIC_EXAMPLE_VALUES: &[&str] = &[
    "local-dev-acrobat-url-token",
    "whsec_c2lnbmhvb2stbG9jYWwtZGV2LW9ubHktbm90LXNlY3JldCE=",
    "c2lnbmhvb2stbG9jYWwtZGV2LXRlbmFudC1rZXktMDE=",
    "local-dev-admin-token-0123456789abcdef",
];

/// Whether `value` is one of the [`PUBLIC_EXAMPLE_VALUES`] or a provider's example value
/// ([`Provider::example_secret`](crate::Provider::example_secret)).
pub fn is_public_example(value: &str) -> bool {
    let value = value.trim();
    PUBLIC_EXAMPLE_VALUES.contains(&value)
        || crate::Provider::ALL
            .iter()
            .any(|p| p.example_secret() == value)
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
        for blank in ["", " ", "\t\n", "\u{3000}"] {
            assert_eq!(
                Secret::new(blank).unwrap_err().kind(),
                ErrorKind::InvalidSecret,
                "{blank:?}"
            );
        }
        // Inner and outer spaces of a real secret are kept: they are part of the key.
        assert_eq!(Secret::new(" a ").unwrap().expose(), b" a ");
    }
}
