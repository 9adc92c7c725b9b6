//! Signable.
//!
//! Scheme: header `Signature` = standard base64 of HMAC-SHA256(key = the webhook's
//! `webhook_secret` as UTF-8, message = the raw body), as Signable's signed webhooks (early
//! access) send it. `X-Signable-Webhook: <unix seconds>` travels beside it but is not
//! covered by the MAC, so it is not read: the replay bound reads the body's own
//! `action_date`, which the MAC covers. Secrets are per webhook; rotating means creating a
//! new webhook, so old and new secrets are configured together while switching.
//! docs/providers/signable.md has the sources; Signable publishes no vector.
//!
//! Payload ("minimal webhooks", JSON): `{"action": "<event>", "action_date": "<RFC 3339>",
//! "company_id": "<the Signable account>", "envelope_fingerprint", …}`. No event id: the
//! event id is a hash of the body. UNCONFIRMED: whether the classic form-encoded webhooks
//! are signed too (they are not JSON, so they verify but do not normalize:
//! `malformed_payload`).

use super::spec::{Sample, SignedTime, TimeFormat};
use super::wire::{parse_object, wire, Text};
use super::{
    body_hmac_proof, require_secrets, signature_header, Enc, Fields, MacScheme, Proof, Provider,
    Signed, Spec,
};
use crate::error::Error;
use crate::event::{EnvelopeStatus, EventType};
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;
use crate::verify::{base64_decode, base64_encode, decode_tag, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "signable",
    title: "Signable",
    proof_header: SIGNATURE_HEADER,
    config_var: "SIGNABLE_SECRETS",
    events: EVENTS,
    verify: |headers, body, config, _now| verify(headers, body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| base64_encode(&hmac_sha256(secret, &[body])),
    mac: Some(MacScheme {
        signed: Signed::Body,
        enc: Enc::Base64,
        prefix_ok: false,
        pairs: None,
    }),
    header_note: "Signable signs deliveries of webhooks created with signing enabled (early access), with the webhook_secret returned when the webhook was created",
    name_hints: &["signable"],
    example_secret: "signable_test_secret",
    secrets_note: "the webhooks' `webhook_secret`s (base64 HMAC of the body in `Signature`)",
    signed_time: Some(SignedTime {
        paths: &[&["action_date"]],
        format: TimeFormat::Rfc3339 { fraction_digits: 0 },
    }),
    samples: SAMPLES,
    account_field: Some("company_id"),
    ..Spec::DEFAULT
};

pub(super) const SIGNATURE_HEADER: &str = "Signature";

/// `action` → type: the envelope events of Signable's webhook list, and the minimal
/// webhooks' account events.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("send-envelope", EventType::EnvelopeSent),
    ("opened-envelope", EventType::ParticipantViewed),
    // One party signed; the envelope completes with `signed-envelope-complete`.
    ("signed-envelope", EventType::ParticipantSigned),
    ("signed-envelope-complete", EventType::EnvelopeCompleted),
    ("rejected-envelope", EventType::EnvelopeDeclined),
    ("cancelled-envelope", EventType::EnvelopeCancelled),
    ("expired-envelope", EventType::EnvelopeExpired),
    ("bounced-envelope", EventType::EmailBounced),
    ("add-template", EventType::TemplateCreated),
    // Contacts and users are account settings, not envelopes.
    ("add-contact", EventType::Other),
    ("add-user", EventType::Other),
];

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "signed-envelope-complete",
        body: r#"{
  "action": "signed-envelope-complete",
  "action_date": "2026-03-18T12:00:00+00:00",
  "company_id": "196735",
  "envelope_fingerprint": "e0b3a9cbd4a6ff2cb57cfca161a38309",
  "envelope_title": "Lease agreement"
}"#,
    },
    Sample {
        event: "rejected-envelope",
        body: r#"{
  "action": "rejected-envelope",
  "action_date": "2026-03-18T12:05:00+00:00",
  "company_id": "196735",
  "envelope_fingerprint": "e0b3a9cbd4a6ff2cb57cfca161a38309",
  "envelope_title": "Lease agreement"
}"#,
    },
];

fn verify(headers: &crate::Headers, body: &[u8], secrets: &[Secret]) -> Result<Proof, Error> {
    require_secrets(Provider::Signable, secrets)?;
    let value = signature_header(headers, SIGNATURE_HEADER)?;
    let tag = decode_tag(value, base64_decode, SIGNATURE_HEADER, "base64")?;
    body_hmac_proof(
        secrets,
        body,
        &[tag],
        &format!("{SIGNATURE_HEADER} does not match the body"),
    )
}

wire! {
    struct Payload<'a> {
        action: Text<'a> = "action",
        action_date: Text<'a> = "action_date",
        envelope_fingerprint: Text<'a> = "envelope_fingerprint",
        envelope_title: Text<'a> = "envelope_title",
    }
}

/// The envelope's state after `action`, where the action says it.
fn envelope_status(action: &str) -> EnvelopeStatus {
    match action {
        "send-envelope" | "opened-envelope" | "signed-envelope" => EnvelopeStatus::Sent,
        "signed-envelope-complete" => EnvelopeStatus::Completed,
        "rejected-envelope" => EnvelopeStatus::Declined,
        "cancelled-envelope" => EnvelopeStatus::Cancelled,
        "expired-envelope" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let mut fields = Fields {
        provider_event: payload.action.owned(),
        time_millis: payload.action_date.get().and_then(parse_rfc3339_millis),
        ..Fields::default()
    };
    fields.envelope.id = payload.envelope_fingerprint.owned();
    fields.envelope.name = payload.envelope_title.owned();
    fields.envelope.status = payload
        .action
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Computed with Python's hmac (Signable publishes no vector): docs/providers/signable.md.
    #[test]
    fn the_local_vector_verifies() {
        let body = br#"{"action":"signed-envelope-complete","action_date":"2026-03-18T12:00:00+00:00","company_id":"196735","envelope_fingerprint":"e0b3a9cbd4a6ff2cb57cfca161a38309"}"#;
        let secret = Secret::new("signable-webhook-secret").unwrap();
        assert_eq!(
            (SPEC.sign)(&secret, "", body, 0),
            "dw1g79AFM+fLQ95ttzpwg1EgISRPJnpCwmlr2avolco="
        );
        let headers: crate::Headers = [(
            SIGNATURE_HEADER,
            "dw1g79AFM+fLQ95ttzpwg1EgISRPJnpCwmlr2avolco=",
        )]
        .into_iter()
        .collect();
        assert!(verify(&headers, body, &[secret]).is_ok());
    }
}
