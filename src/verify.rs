//! The cryptography every provider shares: HMAC-SHA256, hex and base64, the constant-time
//! check and the timestamp window. It knows no provider.

use base64::engine::general_purpose::{GeneralPurpose, GeneralPurposeConfig, STANDARD};
use base64::engine::DecodePaddingMode;
use base64::Engine as _;
use ctutils::CtEq;
use hmac::{Hmac, KeyInit, Mac};
use sha2::{Digest, Sha256};

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

type HmacSha256 = Hmac<Sha256>;

/// Length of an HMAC-SHA256 tag in bytes.
pub(crate) const TAG_LEN: usize = 32;

/// Standard alphabet, padding optional on input: some senders strip the `=`.
const STANDARD_LENIENT: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::STANDARD,
    GeneralPurposeConfig::new().with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

/// A host's own SHA-256 and HMAC-SHA256 (`node:crypto` in Node, Deno, Bun and workerd:
/// native, SHA-NI accelerated, where the wasm one is software): `key` (`None` for a plain
/// SHA-256), the message's parts in order, and the digest, or `None` when the host could
/// not compute it (then the software one is used). Registered by the npm boundary
/// (`js.rs`) and the Worker (`worker/host.rs`); the core itself never calls out, and the
/// result is the same bit for bit, so only speed differs.
#[cfg(any(feature = "js", feature = "worker"))]
pub(crate) type HostDigest = fn(Option<&[u8]>, &[&[u8]]) -> Option<[u8; TAG_LEN]>;

#[cfg(any(feature = "js", feature = "worker"))]
thread_local! {
    static HOST_DIGEST: std::cell::Cell<Option<(HostDigest, usize)>> =
        const { std::cell::Cell::new(None) };
}

/// Uses `host` for every SHA-256 and HMAC over `min_bytes` or more from now on (`None`: the
/// software one again). Below [`HOST_MIN_BYTES`] the software one is faster: crossing into
/// JavaScript and creating a `node:crypto` object costs more than hashing a few KiB in wasm
/// (`bench/npm/run.mjs` with and without `BENCH_WASM_HMAC=1`); tests pass 0 to run every
/// fixture through the host.
#[cfg(any(feature = "js", feature = "worker"))]
pub(crate) fn set_host_digest(host: Option<HostDigest>, min_bytes: usize) {
    HOST_DIGEST.with(|cell| cell.set(host.map(|host| (host, min_bytes))));
}

/// The default threshold of [`set_host_digest`].
#[cfg(any(feature = "js", feature = "worker"))]
pub(crate) const HOST_MIN_BYTES: usize = 4096;

/// The host's digest over `parts` (keyed with `key`, or plain), when a host digest is
/// registered, the message is long enough to gain from it, and the host answers.
fn host_digest(key: Option<&[u8]>, parts: &[&[u8]]) -> Option<[u8; TAG_LEN]> {
    #[cfg(any(feature = "js", feature = "worker"))]
    {
        let (host, min_bytes) = HOST_DIGEST.with(std::cell::Cell::get)?;
        if parts.iter().map(|p| p.len()).sum::<usize>() < min_bytes {
            return None;
        }
        host(key, parts)
    }
    #[cfg(not(any(feature = "js", feature = "worker")))]
    {
        let _ = (key, parts);
        None
    }
}

/// The host's tag over `parts`, when [`host_digest`] answers.
fn host_tag(secret: &Secret, parts: &[&[u8]]) -> Option<[u8; TAG_LEN]> {
    host_digest(Some(secret.expose()), parts)
}

/// A signed timestamp's text as Unix seconds when it is digits only (at most 18, so any
/// value fits an i64; DocuSeal's and BoldSign's grammar): the signed text is the one sent.
/// `None` otherwise.
pub(crate) fn digit_seconds(t: &str) -> Option<i64> {
    if t.is_empty() || t.len() > 18 || !t.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    t.parse().ok()
}

/// An HMAC keyed with `secret`, fed with `parts` in order.
fn keyed(secret: &Secret, parts: &[&[u8]]) -> HmacSha256 {
    // HMAC accepts keys of any length (long keys are hashed), so this cannot fail;
    // the fallback keeps the no-panic rule without an unwrap.
    let mut mac = match HmacSha256::new_from_slice(secret.expose()) {
        Ok(mac) => mac,
        Err(_) => HmacSha256::new(&Default::default()),
    };
    for part in parts {
        mac.update(part);
    }
    mac
}

/// HMAC-SHA256 of the concatenated `parts`.
pub(crate) fn hmac_sha256(secret: &Secret, parts: &[&[u8]]) -> [u8; TAG_LEN] {
    host_tag(secret, parts).unwrap_or_else(|| keyed(secret, parts).finalize().into_bytes().into())
}

/// An HMAC over fixed input, computed once and compared with any number of presented tags,
/// each through `Mac::verify_slice` (constant time).
pub(crate) struct Tagger(HmacSha256);

impl Tagger {
    pub(crate) fn new(secret: &Secret, parts: &[&[u8]]) -> Tagger {
        Tagger(keyed(secret, parts))
    }

    pub(crate) fn matches(&self, tag: &[u8]) -> bool {
        self.0.clone().verify_slice(tag).is_ok()
    }
}

/// Which of `secrets` produces one of the `tags` over `parts`, by index.
///
/// Every comparison is constant time: through `Mac::verify_slice` on the software path
/// (the MAC state computed once per secret and cloned per candidate tag), through
/// `ctutils::CtEq` (the crate `Mac::verify_slice` itself uses) when the host computed the
/// tag.
pub(crate) fn find_key(secrets: &[Secret], parts: &[&[u8]], tags: &[Vec<u8>]) -> Option<usize> {
    secrets
        .iter()
        .position(|secret| match host_tag(secret, parts) {
            Some(expected) => tags
                .iter()
                .any(|tag| expected.as_slice().ct_eq(tag.as_slice()).to_bool()),
            None => {
                let mac = keyed(secret, parts);
                tags.iter().any(|tag| mac.clone().verify_slice(tag).is_ok())
            }
        })
}

/// Whether `given` equals `expected` (a bearer token, e.g. the Worker's `ADMIN_TOKEN`),
/// in time independent of where they differ and of their lengths: both are first MACed
/// under the same fixed label, and the tags compared through `Mac::verify_slice`.
pub fn token_matches(expected: &[u8], given: &[u8]) -> bool {
    const LABEL: &[u8] = b"signhook token comparison";
    let tag = |key: &[u8]| {
        let mut mac = match HmacSha256::new_from_slice(LABEL) {
            Ok(mac) => mac,
            Err(_) => HmacSha256::new(&Default::default()),
        };
        mac.update(key);
        mac
    };
    let expected_tag = tag(expected).finalize().into_bytes();
    !expected.is_empty() && tag(given).verify_slice(&expected_tag).is_ok()
}

/// SHA-256 of the concatenated `parts`.
pub(crate) fn sha256(parts: &[&[u8]]) -> [u8; 32] {
    if let Some(digest) = host_digest(None, parts) {
        return digest;
    }
    let mut hasher = Sha256::new();
    for part in parts {
        hasher.update(part);
    }
    hasher.finalize().into()
}

/// Lowercase hex.
pub(crate) fn hex_encode(bytes: &[u8]) -> String {
    let digit = |n: u8| char::from_digit(u32::from(n), 16).unwrap_or('0');
    let mut out = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        out.push(digit(b >> 4));
        out.push(digit(b & 0x0f));
    }
    out
}

/// Hex, either case. `None` on odd length or a non-hex digit.
pub(crate) fn hex_decode(text: &str) -> Option<Vec<u8>> {
    fn nibble(c: u8) -> Option<u8> {
        match c {
            b'0'..=b'9' => Some(c - b'0'),
            b'a'..=b'f' => Some(c - b'a' + 10),
            b'A'..=b'F' => Some(c - b'A' + 10),
            _ => None,
        }
    }
    let bytes = text.as_bytes();
    if bytes.len() % 2 != 0 {
        return None;
    }
    bytes
        .chunks_exact(2)
        .map(|pair| match pair {
            [hi, lo] => Some(nibble(*hi)? << 4 | nibble(*lo)?),
            _ => None,
        })
        .collect()
}

/// Standard base64 with padding.
pub(crate) fn base64_encode(bytes: &[u8]) -> String {
    STANDARD.encode(bytes)
}

/// Standard base64, padding optional. `None` on anything else (URL-safe, whitespace).
pub(crate) fn base64_decode(text: &str) -> Option<Vec<u8>> {
    STANDARD_LENIENT.decode(text).ok()
}

/// Decodes a presented tag and checks it has the length of an HMAC-SHA256.
pub(crate) fn decode_tag(
    text: &str,
    decode: fn(&str) -> Option<Vec<u8>>,
    header: &str,
    encoding: &str,
) -> Result<Vec<u8>, Error> {
    match decode(text) {
        Some(tag) if tag.len() == TAG_LEN => Ok(tag),
        Some(tag) => Err(Error::new(
            ErrorKind::MalformedSignature,
            format!(
                "{header} decodes to {} bytes, an HMAC-SHA256 has {TAG_LEN}",
                tag.len()
            ),
        )),
        None => Err(Error::new(
            ErrorKind::MalformedSignature,
            format!("{header} is not {encoding}"),
        )),
    }
}

/// Checks that `signed_at` lies within `tolerance` seconds of `now`, either side.
pub(crate) fn check_window(signed_at: i64, now: i64, tolerance: u64) -> Result<(), Error> {
    let skew = now.abs_diff(signed_at);
    if skew > tolerance {
        let direction = if signed_at < now {
            "old"
        } else {
            "in the future"
        };
        return Err(Error::new(
            ErrorKind::TimestampOutOfTolerance,
            format!("signed timestamp {signed_at} is {skew} s {direction} (now {now}, tolerance {tolerance} s)"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    // RFC 4231 test case 2: key "Jefe", data "what do ya want for nothing?".
    #[test]
    fn rfc4231_case_2() {
        let key = Secret::new("Jefe").unwrap();
        let tag = hmac_sha256(&key, &[b"what do ya ", b"want for nothing?"]);
        assert_eq!(
            hex_encode(&tag),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }

    #[test]
    fn tokens() {
        assert!(token_matches(b"s3cret-token", b"s3cret-token"));
        assert!(!token_matches(b"s3cret-token", b"s3cret-tokem"));
        assert!(!token_matches(b"s3cret-token", b"s3cret-token "));
        assert!(!token_matches(b"s3cret-token", b""));
        assert!(!token_matches(b"", b""), "an empty token never matches");
    }

    #[test]
    fn hex_round_trip_and_rejects() {
        assert_eq!(hex_decode("00fFa0").unwrap(), vec![0, 255, 160]);
        assert_eq!(hex_decode("abc"), None);
        assert_eq!(hex_decode("zz"), None);
        assert_eq!(hex_encode(&[0, 255, 160]), "00ffa0");
    }

    #[test]
    fn base64_padding_optional() {
        assert_eq!(base64_decode("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode("YQ").unwrap(), b"a");
        assert_eq!(base64_decode("Y Q=="), None);
    }

    #[test]
    fn window_both_sides() {
        assert!(check_window(1000, 1300, 300).is_ok());
        assert!(check_window(1300, 1000, 300).is_ok());
        let err = check_window(1000, 1301, 300).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::TimestampOutOfTolerance);
        assert!(err.message().contains("301 s old"));
        assert!(check_window(i64::MIN, i64::MAX, u64::MAX).is_ok());
    }
}
