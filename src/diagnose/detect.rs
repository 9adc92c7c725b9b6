//! Which provider a request is from, by its header names: the proof headers, the
//! registry's name hints for near misses (`X-Zoho-Signature`, `x-zigned-signature`, …),
//! and the facts about a missing or empty proof header (similarly named headers, another
//! provider's proof header).

use super::{title, Finding};
use crate::headers::Headers;
use crate::providers::Provider;

/// Lowercase ASCII letters and digits of a header name: `X_ZS_Webhook-Signature` and
/// `x-zs-webhook-signature` squash alike.
fn squash(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

/// The provider a header name points at, if any (its registry `name_hints`).
pub(super) fn hinted_provider(name: &str) -> Option<Provider> {
    let n = squash(name);
    Provider::ALL
        .into_iter()
        .find(|p| p.spec().name_hints.iter().any(|hint| n.contains(hint)))
}

/// Whether a header name looks like it could carry a proof.
fn looks_like_proof_header(name: &str) -> bool {
    let n = squash(name);
    ["signature", "sig", "hmac", "clientid", "digest", "token"]
        .iter()
        .any(|w| n.contains(w))
        || hinted_provider(name).is_some()
}

/// The provider whose proof header `name` is, exactly (case-insensitively).
pub(super) fn owner_of(name: &str) -> Option<Provider> {
    Provider::ALL
        .into_iter()
        .find(|p| p.proof_header().eq_ignore_ascii_case(name))
}

/// Facts about a missing or empty proof header: what is there instead.
pub(super) fn header_absent_facts(
    provider: Provider,
    headers: &Headers,
    empty: bool,
) -> Vec<Finding> {
    let proof = provider.proof_header();
    let why = provider.spec().header_note;
    let similar: Vec<&str> = headers
        .iter()
        .map(|(name, _)| name)
        .filter(|name| !name.eq_ignore_ascii_case(proof))
        .filter(|name| owner_of(name).is_none())
        .filter(|name| {
            squash(name) == squash(proof)
                || (looks_like_proof_header(name)
                    && hinted_provider(name).is_none_or(|p| p == provider))
        })
        .collect();
    let mut out = vec![Finding::new(
        if empty {
            "header_empty"
        } else {
            "header_missing"
        },
        format!(
            "{proof} is {} ({why}).{}",
            if empty { "empty" } else { "not in the request" },
            if similar.is_empty() {
                String::new()
            } else {
                format!(" Similarly named: {}.", similar.join(", "))
            }
        ),
    )];
    for other in Provider::ALL {
        if other != provider && headers.contains(other.proof_header()) {
            out.push(Finding::new(
                "header_of_other_provider",
                format!(
                    "the request carries {}, {}'s proof header: is this a {} delivery?",
                    other.proof_header(),
                    title(other),
                    title(other)
                ),
            ));
        }
    }
    out
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{detect_provider, diagnose, Verdict};
    use crate::providers::sign;
    use crate::verify::base64_encode;

    #[test]
    fn detects_exact_and_near_miss_headers() {
        let cases: &[(&str, Option<Provider>)] = &[
            ("x-zs-webhook-signature", Some(Provider::ZohoSign)),
            ("X-ZS-WEBHOOK-SIGNATURE", Some(Provider::ZohoSign)),
            ("X_ZS_WEBHOOK_SIGNATURE", Some(Provider::ZohoSign)),
            ("X-Zoho-Signature", Some(Provider::ZohoSign)),
            ("x-yousign-signature-256", Some(Provider::Yousign)),
            ("X-Yousign-Signature", Some(Provider::Yousign)),
            ("x-zigned-request-signature", Some(Provider::Zigned)),
            ("x-zigned-signature", Some(Provider::Zigned)),
            ("x-adobesign-clientid", Some(Provider::AcrobatSign)),
            ("X-Adobe-Sign-Client-Id", Some(Provider::AcrobatSign)),
            ("X-Signature", None),
            ("Content-Type", None),
        ];
        for (name, want) in cases {
            assert_eq!(detect_provider(&headers(&[(name, "v")])), *want, "{name}");
        }
        // An exact proof header wins over a hint that comes first.
        let h = headers(&[
            ("X-Yousign-Issued-At", "1"),
            ("x-zs-webhook-signature", "v"),
        ]);
        assert_eq!(detect_provider(&h), Some(Provider::ZohoSign));
        // A `Signature` header is Signable's; PandaDoc's `signature` is in the URL.
        let h = headers(&[("Signature", "v")]);
        assert_eq!(detect_provider(&h), Some(Provider::Signable));
        let mut h = headers(&[("Content-Type", "application/json")]);
        h.set_query("signature=abc");
        assert_eq!(detect_provider(&h), Some(Provider::PandaDoc));
    }

    #[test]
    fn header_missing_is_a_fact() {
        let d = diagnose(
            Some(Provider::ZohoSign),
            &Headers::new(),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::NotVerified);
        assert_eq!(d.code, Some("missing_signature"));
        assert_eq!(codes(&d), ["header_missing"]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &headers(&[("X-ZS-WEBHOOK-SIGNATURE", " ")]),
            ZOHO_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(codes(&d), ["header_empty"]);
    }

    #[test]
    fn misnamed_header_is_tested() {
        let tag = base64_encode(&mac("k", &[ZOHO_BODY]));
        for name in ["X-Zoho-Signature", "X-Signature", "X_ZS_WEBHOOK_SIGNATURE"] {
            let h = headers(&[(name, &tag)]);
            let d = diagnose(
                Some(Provider::ZohoSign),
                &h,
                ZOHO_BODY,
                &secrets(&["k"]),
                NOW,
            );
            assert_eq!(d.code, Some("missing_signature"));
            assert_eq!(codes(&d), ["header_missing", "header_misnamed"], "{name}");
            assert!(
                d.findings[0].message.contains(name),
                "{}",
                d.findings[0].message
            );
        }
        // The same header with a wrong secret: only the fact, and the search says so.
        let h = headers(&[("X-Zoho-Signature", &tag)]);
        let d = diagnose(
            Some(Provider::ZohoSign),
            &h,
            ZOHO_BODY,
            &secrets(&["other"]),
            NOW,
        );
        assert_eq!(codes(&d), ["header_missing", "no_variant_matched"]);
    }

    #[test]
    fn zigned_misnamed_header() {
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let d = diagnose(
            None,
            &headers(&[("x-zigned-signature", &value)]),
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.provider, Some(Provider::Zigned));
        assert_eq!(codes(&d), ["header_missing", "header_misnamed"]);
    }

    #[test]
    fn secret_of_another_provider_scheme() {
        // A Zigned delivery checked as Yousign.
        let value = sign(Provider::Zigned, "k", ZIGNED_BODY, NOW).unwrap()[1]
            .1
            .clone();
        let h = headers(&[("x-zigned-request-signature", &value)]);
        let d = diagnose(
            Some(Provider::Yousign),
            &h,
            ZIGNED_BODY,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.detected, Some(Provider::Zigned));
        assert_eq!(d.code, Some("missing_signature"));
        assert_eq!(
            codes(&d),
            [
                "header_missing",
                "header_of_other_provider",
                "secret_matches_other_provider"
            ]
        );
        // A Zigned t=,v1= signature placed in Yousign's header.
        let h = headers(&[("X-Yousign-Signature-256", &value)]);
        let d = diagnose(None, &h, ZIGNED_BODY, &secrets(&["k"]), NOW);
        assert_eq!(codes(&d), ["unexpected_timestamp_scheme"]);
    }
}
