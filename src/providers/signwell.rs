//! SignWell.
//!
//! Scheme: the proof is in the BODY, not a header: `event.hash` is the lowercase hex of
//! HMAC-SHA256(key = the webhook's **id** as UTF-8, message = `<event.type>` + `@` +
//! `<event.time>`), compared in constant time
//! (<https://developers.signwell.com/reference/event-hash-verification>; the Ruby SDK's
//! `Webhook.verify_event` does the same; docs/providers/signwell.md). `<event.type>` is the
//! string's value, `<event.time>` the string's value or, for a number (Unix seconds, as
//! SignWell sends), its JSON text exactly as sent. The proof is still checked on the exact
//! bytes received: only `event.type`, `event.time` and `event.hash` are read first.
//!
//! **The payload is not authenticated** ([`Covers::EventMetadata`]): anyone who captured
//! one delivery can send its `event` with another `data`. `event.time` is inside the MAC,
//! so the event-age bound (`max_event_age_seconds`) limits how long a captured proof can be
//! replayed; within it, origin must re-fetch the document before acting.
//!
//! Payload: `{"event": {"type", "time", "hash"}, "data": {…}}`. UNCONFIRMED
//! (docs/providers/signwell.md): the `data` shape (read here as `data.object` = the document, with
//! `data.id` as a fallback for the id), whether `event.time` is always a number, SignWell's
//! expected answer and its retries. No event id: the event id is a hash of the body.

use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{exact_scalar, parse_object, wire, Loose, Raw, Text};
use super::{metadata_proof, metadata_tag, Fields, Proof, ProofAt, Provider, Spec};
use crate::error::Error;
use crate::event::{EnvelopeStatus, EventType};
use crate::secret::Secret;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "signwell",
    title: "SignWell",
    proof_header: PROOF_PATH,
    proof_at: ProofAt::Body,
    config_var: "SIGNWELL_SECRETS",
    events: EVENTS,
    verify: |_headers, body, config, _now| verify(body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| sign(secret, body),
    header_note: "SignWell puts its proof in the body (event.hash), keyed with the webhook's id",
    name_hints: &["signwell"],
    example_secret: "signwell-test-webhook-id",
    secrets_note: "the webhooks' **ids** (they key `event.hash`, in the body; only the event's type and time are covered: `covers` is `event-metadata`)",
    signed_time: Some(SignedTime { paths: &[&["event", "time"]], format: TimeFormat::EpochSeconds }),
    samples: SAMPLES,
    delivery_note: Some("SignWell's proof is event.hash, in the body, keyed with the webhook id (SIGNWELL_SECRETS): it covers only the event's type and time, so origin should re-fetch the document before acting on it."),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
/// `event.hash` (written when signing) covers only `event.type` and `event.time`; the data
/// shape is unconfirmed (`data.object` is the document).
const SAMPLES: &[Sample] = &[
    Sample {
        event: "document_signed",
        body: r#"{
  "event": {
    "type": "document_signed",
    "time": 1731340000
  },
  "data": {
    "object": {
      "id": "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09",
      "name": "NDA Document",
      "status": "Pending",
      "test_mode": true
    }
  }
}"#,
    },
    Sample {
        event: "document_completed",
        body: r#"{
  "event": {
    "type": "document_completed",
    "time": 1731340100
  },
  "data": {
    "object": {
      "id": "7f3c2b1a-0e9d-4c8b-a7f6-5e4d3c2b1a09",
      "name": "NDA Document",
      "status": "Completed",
      "test_mode": true
    }
  }
}"#,
    },
];

/// Where the proof is: a dotted path into the JSON body.
pub(super) const PROOF_PATH: &str = "event.hash";

/// `event.type` → type: every event SignWell's events reference lists.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("document_created", EventType::EnvelopeCreated),
    ("document_sent", EventType::EnvelopeSent),
    ("document_viewed", EventType::ParticipantViewed),
    // A first recipient signed; others are pending.
    ("document_in_progress", EventType::EnvelopeUpdated),
    ("document_recipients_updated", EventType::EnvelopeUpdated),
    ("document_signed", EventType::ParticipantSigned),
    ("document_completed", EventType::EnvelopeCompleted),
    ("document_expired", EventType::EnvelopeExpired),
    ("document_canceled", EventType::EnvelopeCancelled),
    ("document_declined", EventType::EnvelopeDeclined),
    ("document_bounced", EventType::EmailBounced),
    ("document_error", EventType::EnvelopeFailed),
    ("template_created", EventType::TemplateCreated),
    ("template_error", EventType::TemplateFailed),
];

wire! {
    /// Only what the MAC needs.
    struct ProofPayload<'a> {
        event: Loose<ProofEvent<'a>> = "event",
    }
}

wire! {
    struct ProofEvent<'a> {
        event_type: Raw<'a> = "type",
        time: Raw<'a> = "time",
        hash: Text<'a> = "hash",
    }
}

/// The message SignWell MACs, from the body; `None` when a part is missing or not a scalar.
fn message(event: &ProofEvent<'_>) -> Option<String> {
    let t = exact_scalar(event.event_type)?;
    let time = exact_scalar(event.time)?;
    Some(format!("{t}@{time}"))
}

pub(super) fn verify(body: &[u8], secrets: &[Secret]) -> Result<Proof, Error> {
    metadata_proof(Provider::SignWell, secrets, SIGNED, || {
        let (payload, _) = parse_object::<ProofPayload>(body)?;
        let event = payload.event.0.unwrap_or_default();
        Ok((event.hash.owned(), message(&event)))
    })
}

/// What the MAC covers, for errors.
const SIGNED: &str = "\"<event.type>@<event.time>\"";

/// The proof's value (`event.hash`) for `body`: over empty parts when they are missing.
pub(super) fn sign(secret: &Secret, body: &[u8]) -> String {
    let event = parse_object::<ProofPayload>(body)
        .ok()
        .and_then(|(p, _)| p.event.0)
        .unwrap_or_default();
    metadata_tag(secret, &message(&event).unwrap_or_else(|| "@".to_owned()))
}

wire! {
    struct Payload<'a> {
        event: Loose<Meta<'a>> = "event",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Meta<'a> {
        event_type: Text<'a> = "type",
        time: Text<'a> = "time",
    }
}

wire! {
    struct Data<'a> {
        id: Text<'a> = "id",
        object: Loose<Document<'a>> = "object",
    }
}

wire! {
    struct Document<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        status: Text<'a> = "status",
        test_mode: Text<'a> = "test_mode",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status.to_ascii_lowercase().as_str() {
        "draft" => EnvelopeStatus::Draft,
        "pending" | "sent" | "in_progress" | "in progress" => EnvelopeStatus::Sent,
        "completed" => EnvelopeStatus::Completed,
        "declined" => EnvelopeStatus::Declined,
        "canceled" | "cancelled" => EnvelopeStatus::Cancelled,
        "expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let meta = payload.event.0.unwrap_or_default();
    let data = payload.data.0.unwrap_or_default();
    let document = data.object.0.unwrap_or_default();
    let mut fields = Fields {
        // `event.time` is Unix seconds.
        time_millis: meta.time.as_i64().and_then(|s| s.checked_mul(1000)),
        testmode: document.test_mode.get() == Some("true"),
        ..Fields::default()
    };
    fields.envelope.id = document.id.owned().or_else(|| data.id.owned());
    fields.envelope.name = document.name.owned();
    fields.envelope.provider_status = document.status.owned();
    fields.envelope.status = document
        .status
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    fields.provider_event = meta.event_type.owned();
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;
    use crate::event::Covers;

    #[test]
    fn the_local_vector() {
        // a locally computed vector: key `webhook-id-123`, `document_completed@1700000000`.
        let body = br#"{"event":{"type":"document_completed","time":1700000000,"hash":"b4521f404ad26dd08a94dacf6bd9a6cd394d5da30b32b60b2b6361ab19db5e8a"},"data":{"object":{"id":"doc-1"}}}"#;
        let secrets = [Secret::new("webhook-id-123").unwrap()];
        let proof = verify(body, &secrets).unwrap();
        assert_eq!(proof.verification.covers, Covers::EventMetadata);
        assert_eq!(
            sign(&secrets[0], body),
            "b4521f404ad26dd08a94dacf6bd9a6cd394d5da30b32b60b2b6361ab19db5e8a"
        );
        // A time written as a string is signed as its value.
        let quoted = br#"{"event":{"type":"document_completed","time":"1700000000","hash":"b4521f404ad26dd08a94dacf6bd9a6cd394d5da30b32b60b2b6361ab19db5e8a"}}"#;
        assert!(verify(quoted, &secrets).is_ok());
        // Another time fails.
        let moved = br#"{"event":{"type":"document_completed","time":1700000001,"hash":"b4521f404ad26dd08a94dacf6bd9a6cd394d5da30b32b60b2b6361ab19db5e8a"}}"#;
        assert_eq!(
            verify(moved, &secrets).err().map(|e| e.kind()),
            Some(ErrorKind::SignatureMismatch)
        );
        let unsigned = br#"{"event":{"type":"document_completed","time":1700000000}}"#;
        assert_eq!(
            verify(unsigned, &secrets).err().map(|e| e.kind()),
            Some(ErrorKind::MissingSignature)
        );
        let short = br#"{"event":{"type":"document_completed","time":1700000000,"hash":"abcd"}}"#;
        assert_eq!(
            verify(short, &secrets).err().map(|e| e.kind()),
            Some(ErrorKind::MalformedSignature)
        );
    }

    #[test]
    fn every_event_name_is_unique() {
        let mut names: Vec<_> = EVENTS.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len());
    }
}
