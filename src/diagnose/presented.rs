//! The signatures a request presents: every HMAC-SHA256-sized tag in a header value,
//! decoded leniently (hex or base64, a `sha256=` prefix, `t=…,v1=…` pairs, DocuSeal's
//! `<t>.<hex>`), and the headers that hold one.

use super::detect::owner_of;
use crate::headers::Headers;
use crate::providers::grammar;
use crate::providers::Enc;
use crate::verify::{base64_decode, hex_decode, TAG_LEN};

/// One signature as presented in a header, decoded leniently.
#[derive(Debug, Clone)]
pub(super) struct Presented {
    /// The tag's bytes.
    pub(super) tag: Vec<u8>,
    /// Its encoding.
    pub(super) enc: Enc,
    /// Whether it came after `sha256=`.
    pub(super) prefixed: bool,
    /// The `t` of a `t=…,v1=…` header, as sent.
    pub(super) t: Option<String>,
}

/// `text` as one HMAC-SHA256 tag: hex first, then base64.
fn decode_any(text: &str) -> Option<(Vec<u8>, Enc)> {
    let text = text.trim();
    if let Some(tag) = hex_decode(text).filter(|t| t.len() == TAG_LEN) {
        return Some((tag, Enc::Hex));
    }
    base64_decode(text)
        .filter(|t| t.len() == TAG_LEN)
        .map(|tag| (tag, Enc::Base64))
}

/// `value` after `prefix`, compared ASCII case-insensitively.
pub(super) fn strip_prefix_ci<'v>(value: &'v str, prefix: &str) -> Option<&'v str> {
    let head = value.get(..prefix.len())?;
    head.eq_ignore_ascii_case(prefix)
        .then(|| value.get(prefix.len()..))
        .flatten()
}

/// Every HMAC-SHA256-sized tag in a header value: a bare tag (hex or base64, optionally
/// after `sha256=`), or the tags of `t=<ts>,v1=<tag>,…` pairs.
pub(super) fn parse_presented(value: &str) -> Vec<Presented> {
    let value = value.trim();
    // The pairs grammar's own tokenizer (`providers::grammar`), read leniently: every part
    // with a tag-sized value is a candidate, whatever its key.
    let pairs: Vec<(&str, &str)> = grammar::parts(value).filter_map(Result::ok).collect();
    if let Some((_, t)) = pairs.iter().find(|(k, _)| *k == "t") {
        return pairs
            .iter()
            .filter(|(k, _)| *k != "t")
            .filter_map(|(_, v)| {
                let (v, prefixed) = match strip_prefix_ci(v, "sha256=") {
                    Some(rest) => (rest, true),
                    None => (*v, false),
                };
                let (tag, enc) = decode_any(v)?;
                Some(Presented {
                    tag,
                    enc,
                    prefixed,
                    t: Some((*t).to_owned()),
                })
            })
            .collect();
    }
    // DocuSeal's `<unix seconds>.<hex>`: the stamp, then the tag.
    if let Some((t, tag)) = value.split_once('.') {
        if !t.is_empty() && t.len() <= 18 && t.bytes().all(|b| b.is_ascii_digit()) {
            if let Some((tag, enc)) = decode_any(tag) {
                return vec![Presented {
                    tag,
                    enc,
                    prefixed: false,
                    t: Some(t.to_owned()),
                }];
            }
        }
    }
    let (bare, prefixed) = match strip_prefix_ci(value, "sha256=") {
        Some(rest) => (rest, true),
        None => (value, false),
    };
    decode_any(bare)
        .map(|(tag, enc)| Presented {
            tag,
            enc,
            prefixed,
            t: None,
        })
        .into_iter()
        .collect()
}

/// A header whose value holds at least one signature-sized tag.
pub(super) struct Source {
    /// The header's name, as sent.
    pub(super) header: String,
    /// Its tags.
    pub(super) presented: Vec<Presented>,
}

/// The headers whose values hold a signature-sized tag.
pub(super) fn signature_sources(headers: &Headers) -> Vec<Source> {
    // The providers' proof headers first, then other names in arrival order.
    let mut sources: Vec<Source> = headers
        .iter()
        .filter_map(|(name, value)| {
            let presented = parse_presented(value);
            (!presented.is_empty()).then(|| Source {
                header: name.to_owned(),
                presented,
            })
        })
        .collect();
    sources.sort_by_key(|s| owner_of(&s.header).is_none());
    sources
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{diagnose, Verdict};
    use crate::verify::{base64_encode, hex_encode};

    #[test]
    fn hex_where_base64_expected() {
        let tag = hex_encode(&mac("k", &[ZOHO_BODY]));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_hex_not_base64"]);
    }

    #[test]
    fn base64_where_hex_expected() {
        let tag = format!("sha256={}", base64_encode(&mac("k", &[YOUSIGN_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-Yousign-Signature-256", &tag)]),
            YOUSIGN_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_base64_not_hex"]);
    }

    #[test]
    fn sha256_prefix_on_zoho() {
        let tag = format!("sha256={}", base64_encode(&mac("k", &[ZOHO_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
        assert_eq!(codes(&d), ["unexpected_sha256_prefix"]);
        // Hex with a prefix in Zoho's header: both deviations.
        let tag = format!("sha256={}", hex_encode(&mac("k", &[ZOHO_BODY])));
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", &tag)]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(
            codes(&d),
            ["signature_hex_not_base64", "unexpected_sha256_prefix"]
        );
    }

    #[test]
    fn unparseable_signature() {
        let d = diagnose(
            None,
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", "not a mac")]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("malformed_signature"));
        assert_eq!(codes(&d), ["signature_unparseable"]);
    }
}
