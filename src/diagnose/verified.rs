//! A delivery that verified: what its proof covers (a client id, a shared secret, event
//! metadata, the body, or a timestamp and the body), which configured entry matched, and
//! the event it normalizes to (or why a verified delivery is still refused: a replay, a
//! clock or an event-count bound; a body that is no event).

use std::borrow::Cow;

use super::{mapping_of, title, Diagnosis, Finding, Verdict};
use crate::error::ErrorKind;
use crate::event::Covers;
use crate::headers::Headers;
use crate::providers::{Provider, Verified, VerifyConfig};
use crate::time::format_unix_millis;

/// The diagnosis of a delivery [`crate::providers::verify`] accepted.
pub(super) fn verified_diagnosis(
    verified: &Verified<'_>,
    headers: &Headers,
    config: &VerifyConfig,
) -> Diagnosis {
    let provider = verified.provider();
    let verification = verified.verification();
    let key = verification.key + 1;
    let spec = provider.spec();
    // Where the proof comes in several headers, the one that matched.
    let matched = spec.matched_header.and_then(|find| {
        let secret = config.secrets.get(verification.key)?;
        find(headers, verified.body(), secret)
    });
    let header: Cow<'_, str> = matched.map_or(Cow::Borrowed(provider.proof_header()), Cow::Owned);
    let mut findings = Vec::new();
    let message = match verification.covers {
        Covers::ClientId => {
            findings.push(Finding::new(
                "client_id_only",
                "Acrobat Sign proves the sender only by its client id, which is public (it is in \
                 every OAuth link): the body is not signed, and anyone who knows the id can send \
                 this. The signhook Worker also requires a secret URL token \
                 (/hooks/acrobat-sign/<token>); even then, treat the content as a hint and fetch \
                 the agreement from the Acrobat Sign API before acting on it. Answer with the \
                 client id echoed back.",
            ));
            format!(
                "{header} {:?} is allowed client id #{key}",
                verified.client_id().unwrap_or_default()
            )
        }
        Covers::TimestampAndBody => {
            let at = verified
                .signed_at()
                .and_then(|s| s.checked_mul(1000))
                .and_then(format_unix_millis)
                .unwrap_or_default();
            let window = match spec.time_window {
                Some(window) => {
                    format!("{window} and at most {} s ahead", config.tolerance_seconds)
                }
                None => format!("within the {} s tolerance", config.tolerance_seconds),
            };
            format!(
                "{header} matches {} under secret #{key}, signed at {at}, {window}",
                spec.signed_message
            )
        }
        Covers::Body => format!("{header} matches the body under secret #{key}"),
        // A bearer secret sent as is (Documenso, OneSpan Sign); the Worker also sets it
        // after Acrobat Sign's URL token.
        Covers::SharedSecret => {
            findings.push(Finding::new(
                "shared_secret_only",
                format!(
                    "{} sends a shared secret, not a signature: the body has no integrity \
                     protection and no timestamp, so whoever holds the secret (or captured one \
                     delivery) can send any content. Treat the content as a hint and fetch the \
                     resource from the {} API before acting on it.",
                    title(provider),
                    title(provider)
                ),
            ));
            format!("{header} holds configured secret #{key}")
        }
        // SignWell, Dropbox Sign: an HMAC of the event's type and time, in the body.
        Covers::EventMetadata => {
            findings.push(Finding::new(
                "event_metadata_only",
                format!(
                    "{} signs only the event's type and time ({header} in the body), not the \
                     payload: whoever captured one delivery can send its proof with any other \
                     content. Treat the content as a hint and fetch the document from the {} \
                     API before acting on it.",
                    title(provider),
                    title(provider)
                ),
            ));
            format!("{header} matches the event's type and time under key #{key}")
        }
    };
    if config.secrets.len() + config.client_ids.len() > 1 && headers.contains(&header) {
        // Rotation is normal; say which entry matched so the old one can be retired.
        findings.push(Finding::new(
            "matched_key",
            format!(
                "entry #{key} of the {} given matched",
                count_keys(provider, config)
            ),
        ));
    }
    // What the Worker would refuse the verified delivery with, if anything.
    let mut refusal: Option<crate::Error> = None;
    let mut events = Vec::new();
    let (event, body_finding) = match verified.normalize_all() {
        Ok(all) => {
            let first = all.first().cloned();
            if provider.is_batch() {
                events = all;
            }
            (first, None)
        }
        // The delivery is refused as `verify` + `normalize` would refuse it, although the
        // proof checks out: a replay bound, a clock bound, the events' count.
        Err(err)
            if matches!(
                err.kind(),
                ErrorKind::EventTooOld | ErrorKind::EventTooNew | ErrorKind::TooManyEvents
            ) =>
        {
            refusal = Some(err.clone());
            let advice = match err.kind() {
                ErrorKind::EventTooOld => "A captured delivery replayed later fails by design: send a fresh one, or raise the maximum age only for testing.",
                ErrorKind::EventTooNew => "The event's own time is ahead of this clock by more than the allowed skew: check the clock (or `now`) of whoever signed it; a future time would mark every later event of its envelope stale.",
                _ => "The delivery holds more events than one delivery may: the edge refuses it rather than build them all.",
            };
            (
                None,
                Some(Finding::new(
                    err.code(),
                    format!("the proof checks out, but {}. {advice}", err.message()),
                )),
            )
        }
        Err(err) => (
            None,
            Some(Finding::new(
                "body_not_json",
                format!(
                    "the proof checks out, but no event can be made: {}",
                    err.message()
                ),
            )),
        ),
    };
    findings.extend(body_finding);
    // Refused although verified: the headline says so first, and why.
    let message = match &refusal {
        Some(err) => format!(
            "The signhook Worker would refuse this delivery ({} {}): {}. The proof itself checks out: {message}",
            err.kind().http_status(),
            err.code(),
            err.message()
        ),
        None => message,
    };
    let mapping = event.as_ref().map(|e| mapping_of(provider, e));
    Diagnosis {
        provider: Some(provider),
        detected: None,
        // A replay bound refuses the delivery as `verify` + `normalize` would.
        verdict: if refusal.is_some() {
            Verdict::NotVerified
        } else {
            Verdict::Verified
        },
        code: refusal.map(|err| err.code()),
        message,
        findings,
        event_verified: true,
        event,
        events,
        mapping,
    }
}

/// How many entries of the configuration `provider` checks against: its client ids, or
/// its secrets.
fn count_keys(provider: Provider, config: &VerifyConfig) -> usize {
    if provider.takes_client_ids() {
        config.client_ids.len()
    } else {
        config.secrets.len()
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::diagnose::fixtures::*;
    use crate::diagnose::{detect_provider, diagnose};
    use crate::event::EventType;
    use crate::providers::sign;
    use crate::verify::base64_encode;

    #[test]
    fn shared_secrets_are_detected_verified_and_said_to_cover_no_body() {
        assert_eq!(
            detect_provider(&headers(&[("authorization", "Basic k")])),
            Some(Provider::OneSpanSign)
        );
        assert_eq!(
            detect_provider(&headers(&[("Authorization", "Bearer k")])),
            None
        );
        let body = br#"{"event":"DOCUMENT_SIGNED","payload":{"recipients":[{"token":"tok-123"}]}}"#;
        let h = headers(&[("X-Documenso-Secret", "k")]);
        let d = diagnose(None, &h, body, &secrets(&["old", "k"]), NOW);
        assert_eq!(d.provider, Some(Provider::Documenso));
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["shared_secret_only", "matched_key"]);
        let event = d.event.unwrap().to_json();
        assert!(
            !event.contains("tok-123") && event.contains("[redacted]"),
            "{event}"
        );
        let d = diagnose(
            None,
            &headers(&[("X-Documenso-Secret", "")]),
            body,
            &secrets(&["k"]),
            NOW,
        );
        assert_eq!(d.code, Some("missing_signature"));
        // The unverified event shown beside a failure is redacted too.
        assert!(!d.event.unwrap().to_json().contains("tok-123"));
    }

    #[test]
    fn docusign_rotated_headers_verify_and_a_decoded_key_is_explained() {
        let body = br#"{"event":"envelope-sent","data":{"envelopeId":"e"}}"#;
        let old = base64_encode(&mac("old", &[body]));
        let new = base64_encode(&mac("new", &[body]));
        let h = headers(&[
            ("X-DocuSign-Signature-1", &old),
            ("X-DocuSign-Signature-2", &new),
        ]);
        let d = diagnose(None, &h, body, &secrets(&["new"]), NOW);
        assert_eq!(d.provider, Some(Provider::DocuSign));
        assert_eq!(d.verdict, Verdict::Verified);
        // A base64-looking key decoded before use: DocuSign uses its text.
        let key = "dGVzdC1kb2N1c2lnbi1obWFjLWtleQ==";
        let decoded = base64_encode(&mac("test-docusign-hmac-key", &[body]));
        let h = headers(&[("X-DocuSign-Signature-1", &decoded)]);
        let d = diagnose(None, &h, body, &secrets(&[key]), NOW);
        assert_eq!(d.code, Some("signature_mismatch"));
        assert_eq!(codes(&d), ["secret_decoded"]);
    }

    #[test]
    fn zoho_published_vector_verifies() {
        let body = br#"{{"requests":{"request_name":"Test Name"},"notifications":{"operation_type":"RequestSigningSuccess"}}"#;
        let h = headers(&[(
            "X-ZS-WEBHOOK-SIGNATURE",
            "drbSrM4H816RYKpZiRBLddUa0yHaTrwjtY04sIZFZus=",
        )]);
        let d = diagnose(
            None,
            &h,
            body,
            &secrets(&["thisisthesamplekeyfortestingpurposes"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(d.provider, Some(Provider::ZohoSign));
        assert_eq!(d.code, None);
        // Verified but not JSON: said, and no event.
        assert_eq!(codes(&d), ["body_not_json"]);
        assert!(d.event.is_none());
    }

    #[test]
    fn verified_deliveries_of_each_provider_normalize() {
        for (provider, body) in [
            (Provider::ZohoSign, ZOHO_BODY),
            (Provider::Yousign, YOUSIGN_BODY),
            (Provider::Zigned, ZIGNED_BODY),
        ] {
            let h: Headers = sign(provider, "s3cret", body, NOW)
                .unwrap()
                .into_iter()
                .collect();
            let d = diagnose(None, &h, body, &secrets(&["s3cret"]), NOW + 10);
            assert_eq!(d.verdict, Verdict::Verified, "{provider}: {}", d.message);
            assert!(d.event_verified);
            assert!(d.findings.is_empty(), "{provider}: {:?}", d.findings);
            let event = d.event.as_ref().unwrap();
            assert!(event.data.verification.is_some());
            assert!(d.mapping.as_ref().unwrap().known);
        }
        let h = headers(&[("X-AdobeSign-ClientId", "CLIENT123")]);
        let config = VerifyConfig::with_client_ids(vec!["CLIENT123".into()]);
        let d = diagnose(None, &h, ACROBAT_BODY, &config, NOW);
        assert_eq!(d.verdict, Verdict::Verified);
        assert_eq!(codes(&d), ["client_id_only"]);
        let m = d.mapping.unwrap();
        assert_eq!(
            m.provider_event.as_deref(),
            Some("AGREEMENT_WORKFLOW_COMPLETED")
        );
        assert_eq!(m.event_type, EventType::EnvelopeCompleted);
    }

    #[test]
    fn docusign_names_the_numbered_header_that_matched() {
        let body = br#"{"event":"envelope-sent","data":{"envelopeId":"e"}}"#;
        let good = base64_encode(&mac("current-key", &[body]));
        let old = base64_encode(&mac("retired-key", &[body]));
        let h = headers(&[
            ("X-DocuSign-Signature-1", &old),
            ("X-DocuSign-Signature-2", &good),
        ]);
        let d = diagnose(
            Some(Provider::DocuSign),
            &h,
            body,
            &secrets(&["current-key"]),
            NOW,
        );
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(
            d.message
                .starts_with("X-DocuSign-Signature-2 matches the body"),
            "{}",
            d.message
        );
    }

    #[test]
    fn box_sign_names_the_key_header_that_matched_and_what_it_signs() {
        // Box's SDK vector, with only the secondary key configured.
        let dir = concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/tests/fixtures/box-sign/sdk-vector-1-file-uploaded"
        );
        let body = std::fs::read(format!("{dir}/body")).unwrap();
        let case: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(format!("{dir}/case.json")).unwrap())
                .unwrap();
        let h: Headers = case["headers"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| (k.clone(), v.as_str().unwrap().to_owned()))
            .collect();
        let now = case["now"].as_i64().unwrap();
        for (keys, header) in [
            (["SamplePrimaryKey", "x"], "BOX-SIGNATURE-PRIMARY"),
            (["x", "SampleSecondaryKey"], "BOX-SIGNATURE-SECONDARY"),
        ] {
            let d = diagnose(Some(Provider::BoxSign), &h, &body, &secrets(&keys), now);
            assert_eq!(d.verdict, Verdict::Verified, "{}", d.message);
            assert!(
                d.message.starts_with(&format!(
                    "{header} matches the body followed by BOX-DELIVERY-TIMESTAMP under secret #"
                )),
                "{}",
                d.message
            );
            assert!(d.message.contains("at most 600 s old"), "{}", d.message);
        }
    }

    #[test]
    fn a_verified_delivery_the_worker_refuses_says_so_first() {
        let h: Headers = sign(Provider::Yousign, "s3cret", YOUSIGN_BODY, NOW)
            .unwrap()
            .into_iter()
            .collect();
        let config = VerifyConfig {
            max_event_age_seconds: Some(60),
            ..secrets(&["s3cret"])
        };
        // Long after the event's own time: a replay.
        let d = diagnose(None, &h, YOUSIGN_BODY, &config, i64::from(u32::MAX));
        assert_eq!(d.verdict, Verdict::NotVerified);
        assert_eq!(d.code, Some("event_too_old"));
        assert!(
            d.message.starts_with(
                "The signhook Worker would refuse this delivery (401 event_too_old): "
            ),
            "{}",
            d.message
        );
        assert!(
            d.message.contains("The proof itself checks out: "),
            "{}",
            d.message
        );
    }

    #[test]
    fn rotation_reports_matching_secret() {
        let h: Headers = sign(Provider::Yousign, "new", YOUSIGN_BODY, 0)
            .unwrap()
            .into_iter()
            .collect();
        let d = diagnose(None, &h, YOUSIGN_BODY, &secrets(&["old", "new"]), NOW);
        assert_eq!(d.verdict, Verdict::Verified);
        assert!(d.message.contains("secret #2"));
        assert_eq!(codes(&d), ["matched_key"]);
    }
}
