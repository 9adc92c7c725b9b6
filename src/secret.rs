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

/// The fake values published in `.dev.vars.example` and on the validator page (secrets,
/// the Acrobat client id, the forwarding key): anyone can read them, so the Worker refuses
/// them outside local development (security review I-5). `tests/docs.rs` checks that every
/// value of those files is listed here.
pub const PUBLIC_EXAMPLE_VALUES: &[&str] = &[
    "zoho_test_secret",
    "yousign_test_secret",
    "zigned_test_secret",
    "docusign_test_secret",
    "whsec_ZG9jdXNlYWxfdGVzdF9zZWNyZXRfMDAwMDAw",
    "documenso_test_secret",
    "onespan_test_callback_key",
    "boldsign_test_secret",
    "signwell-test-webhook-id",
    "dropbox-sign-test-api-key-0123456789abcdef",
    "pandadoc-test-shared-key",
    "CBJCHBCAABAAtestclientid0000",
    "local-dev-acrobat-url-token",
    "whsec_c2lnbmhvb2stbG9jYWwtZGV2LW9ubHktbm90LXNlY3JldCE=",
    "c2lnbmhvb2stbG9jYWwtZGV2LXRlbmFudC1rZXktMDE=",
    "local-dev-admin-token-0123456789abcdef",
];

/// Whether `value` is one of the [`PUBLIC_EXAMPLE_VALUES`].
pub fn is_public_example(value: &str) -> bool {
    PUBLIC_EXAMPLE_VALUES.contains(&value.trim())
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
