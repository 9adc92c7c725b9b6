//! Independent reference implementations the targets compare the crate against.
//!
//! Nothing here calls into signhook: HMAC is written out over `sha2` (RFC 2104), hex and
//! base64 are hand-rolled, and the RFC 3339 reference takes its calendar from `chrono`.

use chrono::{Datelike, NaiveDate, Timelike};
use sha2::{Digest, Sha256};

/// HMAC-SHA256 (RFC 2104), written out.
pub fn hmac_sha256(key: &[u8], parts: &[&[u8]]) -> [u8; 32] {
    let mut block = [0u8; 64];
    if key.len() > 64 {
        block[..32].copy_from_slice(&Sha256::digest(key));
    } else {
        block[..key.len()].copy_from_slice(key);
    }
    let mut inner = Sha256::new();
    inner.update(block.map(|b| b ^ 0x36));
    for p in parts {
        inner.update(p);
    }
    let inner = inner.finalize();
    let mut outer = Sha256::new();
    outer.update(block.map(|b| b ^ 0x5c));
    outer.update(inner);
    outer.finalize().into()
}

pub fn hex_lower(bytes: &[u8]) -> String {
    const DIGITS: &[u8; 16] = b"0123456789abcdef";
    let mut s = String::with_capacity(bytes.len() * 2);
    for b in bytes {
        s.push(DIGITS[usize::from(b >> 4)] as char);
        s.push(DIGITS[usize::from(b & 15)] as char);
    }
    s
}

/// Hex of either case; `None` on odd length or another character.
pub fn hex_decode(text: &str) -> Option<Vec<u8>> {
    let b = text.as_bytes();
    if !b.len().is_multiple_of(2) {
        return None;
    }
    let nib = |c: u8| (c as char).to_digit(16).map(|d| d as u8);
    b.chunks(2)
        .map(|p| Some(nib(p[0])? * 16 + nib(p[1])?))
        .collect()
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Standard base64 with `=` padding.
pub fn base64_padded(bytes: &[u8]) -> String {
    let mut s = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk.len();
        let v = (u32::from(chunk[0]) << 16)
            | (u32::from(*chunk.get(1).unwrap_or(&0)) << 8)
            | u32::from(*chunk.get(2).unwrap_or(&0));
        for i in 0..4 {
            if i <= n {
                s.push(B64[((v >> (18 - 6 * i)) & 63) as usize] as char);
            } else {
                s.push('=');
            }
        }
    }
    s
}

/// The reference for the crate's lenient decoder: standard alphabet, canonical padding
/// optional (any number of `=` up to the canonical count, only at the end), no whitespace,
/// and the unused low bits of the last symbol must be zero (canonical encodings only).
pub fn base64_decode_lenient(text: &str) -> Option<Vec<u8>> {
    let body = text.trim_end_matches('=');
    let pad = text.len() - body.len();
    let rem = body.len() % 4;
    if rem == 1 {
        return None;
    }
    let canonical_pad = (4 - rem) % 4;
    if pad > canonical_pad {
        return None;
    }
    let mut vals = Vec::with_capacity(body.len());
    for c in body.bytes() {
        vals.push(B64.iter().position(|&x| x == c)? as u32);
    }
    let mut out = Vec::new();
    for chunk in vals.chunks(4) {
        let mut v = 0u32;
        for (i, s) in chunk.iter().enumerate() {
            v |= s << (18 - 6 * i);
        }
        let bytes = [(v >> 16) as u8, (v >> 8) as u8, v as u8];
        let keep = chunk.len() - 1; // 4 → 3 bytes, 3 → 2, 2 → 1
                                    // Unused bits of a short final chunk must be zero.
        let mask = match keep {
            1 => 0x00ffff,
            2 => 0x0000ff,
            _ => 0,
        };
        if v & mask != 0 {
            return None;
        }
        out.extend_from_slice(&bytes[..keep]);
    }
    Some(out)
}

/// The HMAC key a Standard Webhooks secret stands for (SignatureAPI, as its module
/// documents it): the text without surrounding whitespace, `whsec_` dropped if present, the
/// rest base64-decoded; a secret whose rest is not base64 (or decodes to nothing) keys the
/// MAC as its whole text, untrimmed.
pub fn standard_webhooks_key(secret: &str) -> Vec<u8> {
    let text = secret.trim();
    let b64 = text.strip_prefix("whsec_").unwrap_or(text);
    match base64_decode_lenient(b64) {
        Some(key) if !key.is_empty() => key,
        _ => secret.as_bytes().to_vec(),
    }
}

/// HTTP optional whitespace (SP, HTAB).
pub fn is_ows(c: char) -> bool {
    c == ' ' || c == '\t'
}

pub fn trim_ows(s: &str) -> &str {
    s.trim_matches(is_ows)
}

/// Whether `s` holds whitespace other than SP and HTAB: there the crate's trimming rules
/// have changed over time (`str::trim` vs OWS only), so the references make no claim.
pub fn has_other_whitespace(s: &str) -> bool {
    s.chars().any(|c| c.is_whitespace() && !is_ows(c))
}

/// Zigned's `t`: seconds, or milliseconds when too large to be seconds.
pub fn zigned_seconds(t: i64) -> i64 {
    if t.unsigned_abs() >= 100_000_000_000 {
        t / 1000
    } else {
        t
    }
}

pub fn within(signed_at: i64, now: i64, tolerance: u64) -> bool {
    now.abs_diff(signed_at) <= tolerance
}

/// Reference RFC 3339 parser for the grammar documented in `src/time.rs`: `YYYY-MM-DD`,
/// `T`/`t`/space, `hh:mm:ss`, optional `.` and one or more digits (truncated to
/// milliseconds), then `Z`/`z` or `±hh:mm` or `±hhmm`; surrounding whitespace ignored,
/// second 60 read as 59. Calendar validity and day counts come from chrono.
pub fn rfc3339_millis(text: &str) -> Option<i64> {
    let s = text.trim();
    let b = s.as_bytes();
    let digits = |from: usize, n: usize| -> Option<i64> {
        let d = b.get(from..from + n)?;
        if !d.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(d.iter().fold(0i64, |a, c| a * 10 + i64::from(c - b'0')))
    };
    let year = digits(0, 4)?;
    (b.get(4) == Some(&b'-')).then_some(())?;
    let month = digits(5, 2)?;
    (b.get(7) == Some(&b'-')).then_some(())?;
    let day = digits(8, 2)?;
    matches!(b.get(10), Some(b'T' | b't' | b' ')).then_some(())?;
    let hour = digits(11, 2)?;
    (b.get(13) == Some(&b':')).then_some(())?;
    let minute = digits(14, 2)?;
    (b.get(16) == Some(&b':')).then_some(())?;
    let second = digits(17, 2)?;
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }
    let date = NaiveDate::from_ymd_opt(year as i32, month as u32, day as u32)?;
    let mut i = 19;
    let mut millis = 0i64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        let mut end = start;
        while b.get(end).is_some_and(u8::is_ascii_digit) {
            end += 1;
        }
        if end == start {
            return None;
        }
        let frac = &s[start..end];
        let first3: String = frac.chars().chain("000".chars()).take(3).collect();
        millis = first3.parse().ok()?;
        i = end;
    }
    let rest = &s[i..];
    let offset_minutes = match rest.as_bytes() {
        [b'Z' | b'z'] => 0,
        [sign @ (b'+' | b'-'), h1, h2, b':', m1, m2] | [sign @ (b'+' | b'-'), h1, h2, m1, m2] => {
            let two = |a: &u8, c: &u8| -> Option<i64> {
                (a.is_ascii_digit() && c.is_ascii_digit())
                    .then(|| i64::from(a - b'0') * 10 + i64::from(c - b'0'))
            };
            let (hh, mm) = (two(h1, h2)?, two(m1, m2)?);
            if hh > 23 || mm > 59 {
                return None;
            }
            if *sign == b'+' {
                hh * 60 + mm
            } else {
                -(hh * 60 + mm)
            }
        }
        _ => return None,
    };
    let epoch = NaiveDate::from_ymd_opt(1970, 1, 1)?;
    let days = date.signed_duration_since(epoch).num_days();
    let secs = days * 86_400 + hour * 3600 + minute * 60 + second.min(59) - offset_minutes * 60;
    Some(secs * 1000 + millis)
}

/// Reference formatter: RFC 3339 UTC, `.sss` only when non-zero, years 0000–9999 only.
pub fn format_millis(ms: i64) -> Option<String> {
    let dt = chrono::DateTime::from_timestamp_millis(ms)?.naive_utc();
    if !(0..=9999).contains(&dt.year()) {
        return None;
    }
    let frac = ms.rem_euclid(1000);
    let base = format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}",
        dt.year(),
        dt.month(),
        dt.day(),
        dt.hour(),
        dt.minute(),
        dt.second()
    );
    Some(if frac == 0 {
        format!("{base}Z")
    } else {
        format!("{base}.{frac:03}Z")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rfc4231_case_2() {
        assert_eq!(
            hex_lower(&hmac_sha256(
                b"Jefe",
                &[b"what do ya want ", b"for nothing?"]
            )),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
        // Keys longer than a block are hashed first (RFC 4231 case 6).
        let key = [0xaau8; 131];
        assert_eq!(
            hex_lower(&hmac_sha256(
                &key,
                &[b"Test Using Larger Than Block-Size Key - Hash Key First"]
            )),
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"
        );
    }

    #[test]
    fn base64_reference() {
        assert_eq!(base64_padded(b"a"), "YQ==");
        assert_eq!(base64_decode_lenient("YQ==").unwrap(), b"a");
        assert_eq!(base64_decode_lenient("YQ=").unwrap(), b"a");
        assert_eq!(base64_decode_lenient("YQ").unwrap(), b"a");
        assert_eq!(base64_decode_lenient("YR"), None, "non-zero trailing bits");
        assert_eq!(base64_decode_lenient("YQ==="), None);
        assert_eq!(base64_decode_lenient("Y"), None);
        assert_eq!(base64_decode_lenient("Y Q=="), None);
    }

    /// The Standard Webhooks specification's published vector (SignatureAPI's scheme).
    #[test]
    fn standard_webhooks_reference() {
        let message = br#"msg_p5jXN8AQM9LWM0D4loKWxJek.1614265330.{"test": 2432232314}"#;
        for secret in [
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        ] {
            assert_eq!(
                base64_padded(&hmac_sha256(&standard_webhooks_key(secret), &[message])),
                "g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
            );
        }
        // Not base64 (or nothing after the prefix): the text keys the MAC.
        assert_eq!(standard_webhooks_key("not base64!"), b"not base64!");
        assert_eq!(standard_webhooks_key("whsec_"), b"whsec_");
    }

    #[test]
    fn rfc3339_reference() {
        assert_eq!(
            rfc3339_millis("2024-05-30T22:57:28Z"),
            Some(1_717_109_848_000)
        );
        assert_eq!(
            rfc3339_millis("2024-05-30T23:57:28+01:00"),
            Some(1_717_109_848_000)
        );
        assert_eq!(
            rfc3339_millis("2024-05-30T21:57:28-0100"),
            Some(1_717_109_848_000)
        );
        assert_eq!(
            rfc3339_millis("2025-11-11T19:00:55.4749Z"),
            Some(1_762_887_655_474)
        );
        assert_eq!(rfc3339_millis("2024-02-30T00:00:00Z"), None);
        assert_eq!(
            format_millis(1_623_138_029_512).unwrap(),
            "2021-06-08T07:40:29.512Z"
        );
        assert_eq!(format_millis(-1).unwrap(), "1969-12-31T23:59:59.999Z");
        assert_eq!(format_millis(i64::MAX), None);
    }
}
