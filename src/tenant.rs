//! Tenants: many customer accounts behind one edge, each with its own secrets, routes,
//! origin and isolation. This module is the pure part (no I/O, no clock, no randomness):
//! tenant ids, the at-rest encryption of their secrets, fingerprints, and the per-tenant
//! event keys. The Worker keeps tenants in Cloudflare D1 (`src/worker/tenants/`).
//!
//! Secrets are sealed with AES-256-GCM under `TENANT_KEY` (32 bytes), with the tenant id and
//! what the secret is for (a provider's name, or `forward`) bound as associated data, so a
//! sealed value copied to another tenant's or provider's row does not open. The nonce is
//! the caller's (the Worker draws 12 fresh bytes from the runtime's CSPRNG for every
//! write). A sealed value is `v1.` + standard base64 of nonce ‖ ciphertext ‖ tag.

use aes_gcm::aead::{Aead, Payload};
use aes_gcm::{Aes256Gcm, Key, KeyInit, Nonce};
use base64::Engine as _;

use crate::error::{Error, ErrorKind};
use crate::verify::{hex_encode, sha256};

/// The longest tenant id: `[a-z0-9][a-z0-9-]{0,62}`.
pub const MAX_TENANT_ID_LEN: usize = 63;

/// Bytes of an AES-GCM nonce.
pub const NONCE_LEN: usize = 12;

const SEALED_PREFIX: &str = "v1.";
const AAD_CONTEXT: &[u8] = b"signhook/tenant-secret/v1";

/// Checks a tenant id: 1 to 63 characters, lowercase ASCII letters, digits and `-`, not
/// starting with `-` (it names a route segment and a D1 key).
///
/// # Errors
/// `invalid_tenant`, quoting at most the first 80 characters.
pub fn check_tenant_id(id: &str) -> Result<(), Error> {
    let ok = !id.is_empty()
        && id.len() <= MAX_TENANT_ID_LEN
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !id.starts_with('-');
    if ok {
        return Ok(());
    }
    let shown: String = id.chars().take(80).collect();
    Err(Error::new(
        ErrorKind::InvalidTenant,
        format!("tenant id {shown:?} is not [a-z0-9][a-z0-9-]{{0,62}}"),
    ))
}

/// `TENANT_KEY`: the 32-byte key that seals tenants' secrets. `Debug` never shows it.
#[derive(Clone)]
pub struct TenantKey(Key<Aes256Gcm>);

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TenantKey([redacted])")
    }
}

impl TenantKey {
    /// Reads the key from standard base64 of exactly 32 bytes (`openssl rand -base64 32`).
    ///
    /// # Errors
    /// `invalid_config` (the value is not repeated).
    pub fn parse(value: &str) -> Result<TenantKey, Error> {
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(value.trim())
            .ok()
            .filter(|b| b.len() == 32)
            .ok_or_else(|| {
                Error::new(
                    ErrorKind::InvalidConfig,
                    "TENANT_KEY must be standard base64 of 32 random bytes (openssl rand -base64 32)",
                )
            })?;
        Ok(TenantKey(*Key::<Aes256Gcm>::from_slice(&bytes)))
    }

    fn aad(tenant: &str, purpose: &str) -> Vec<u8> {
        let mut aad = Vec::with_capacity(AAD_CONTEXT.len() + tenant.len() + purpose.len() + 2);
        aad.extend_from_slice(AAD_CONTEXT);
        aad.push(0);
        aad.extend_from_slice(tenant.as_bytes());
        aad.push(0);
        aad.extend_from_slice(purpose.as_bytes());
        aad
    }

    /// Seals `secret` for `tenant` and `purpose` (a provider's name, or `forward`) with a
    /// fresh `nonce`, which must never repeat under this key.
    pub fn seal(
        &self,
        tenant: &str,
        purpose: &str,
        nonce: [u8; NONCE_LEN],
        secret: &str,
    ) -> String {
        let cipher = Aes256Gcm::new(&self.0);
        let aad = TenantKey::aad(tenant, purpose);
        // Encryption of a short string into a Vec cannot fail (the only error is a
        // plaintext beyond GCM's 64 GiB bound).
        let sealed = cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: secret.as_bytes(),
                    aad: &aad,
                },
            )
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + sealed.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&sealed);
        format!(
            "{SEALED_PREFIX}{}",
            base64::engine::general_purpose::STANDARD.encode(bytes)
        )
    }

    /// Opens what [`TenantKey::seal`] made for the same `tenant` and `purpose`.
    ///
    /// # Errors
    /// `invalid_config` when it does not open: another `TENANT_KEY`, another tenant's or
    /// provider's row, or a changed value.
    pub fn open(&self, tenant: &str, purpose: &str, sealed: &str) -> Result<String, Error> {
        let fail = || {
            Error::new(
                ErrorKind::InvalidConfig,
                "a stored tenant secret does not open under TENANT_KEY (was the key changed?)",
            )
        };
        let bytes = sealed
            .strip_prefix(SEALED_PREFIX)
            .and_then(|b64| base64::engine::general_purpose::STANDARD.decode(b64).ok())
            .filter(|b| b.len() > NONCE_LEN)
            .ok_or_else(fail)?;
        let (nonce, ciphertext) = bytes.split_at(NONCE_LEN);
        let aad = TenantKey::aad(tenant, purpose);
        let plain = Aes256Gcm::new(&self.0)
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: &aad,
                },
            )
            .map_err(|_| fail())?;
        String::from_utf8(plain).map_err(|_| fail())
    }
}

/// What the API shows of a secret: the first 8 hex digits of its SHA-256.
pub fn fingerprint(secret: &str) -> String {
    let digest = sha256(&[secret.as_bytes()]);
    hex_encode(digest.get(..4).unwrap_or_default())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TenantKey {
        TenantKey::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=").unwrap()
    }

    #[test]
    fn tenant_ids() {
        for ok in ["a", "acme", "acme-2", "0", &"a".repeat(63), "a-"] {
            assert!(check_tenant_id(ok).is_ok(), "{ok}");
        }
        for bad in [
            "",
            "-a",
            "Acme",
            "a_b",
            "a.b",
            "a/b",
            &"a".repeat(64),
            "é",
            "a b",
        ] {
            let err = check_tenant_id(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidTenant, "{bad}");
        }
    }

    #[test]
    fn seal_and_open_bind_tenant_and_purpose() {
        let k = key();
        let sealed = k.seal("acme", "zoho-sign", [7; 12], "s3cret value");
        assert!(sealed.starts_with("v1."));
        assert!(!sealed.contains("s3cret"));
        assert_eq!(
            k.open("acme", "zoho-sign", &sealed).unwrap(),
            "s3cret value"
        );
        // Another nonce, another ciphertext.
        assert_ne!(sealed, k.seal("acme", "zoho-sign", [8; 12], "s3cret value"));
        for (tenant, purpose) in [
            ("globex", "zoho-sign"),
            ("acme", "yousign"),
            ("acme", "forward"),
        ] {
            let err = k.open(tenant, purpose, &sealed).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig);
        }
        let other =
            TenantKey::parse(&base64::engine::general_purpose::STANDARD.encode([9u8; 32])).unwrap();
        assert!(other.open("acme", "zoho-sign", &sealed).is_err());
        // A flipped byte anywhere fails.
        let mut bytes = sealed.into_bytes();
        let last = bytes.len() - 3;
        bytes[last] = if bytes[last] == b'A' { b'B' } else { b'A' };
        assert!(k
            .open("acme", "zoho-sign", &String::from_utf8(bytes).unwrap())
            .is_err());
        assert!(k.open("acme", "zoho-sign", "v1.").is_err());
        assert!(k.open("acme", "zoho-sign", "plaintext").is_err());
    }

    #[test]
    fn keys_and_fingerprints() {
        for bad in [
            "",
            "short",
            &base64::engine::general_purpose::STANDARD.encode([1u8; 31]),
        ] {
            assert_eq!(
                TenantKey::parse(bad).unwrap_err().kind(),
                ErrorKind::InvalidConfig
            );
        }
        assert_eq!(format!("{:?}", key()), "TenantKey([redacted])");
        // Independent check: Python `hashlib.sha256(b"abc").hexdigest()[:8]`.
        assert_eq!(fingerprint("abc"), "ba7816bf");
    }
}
