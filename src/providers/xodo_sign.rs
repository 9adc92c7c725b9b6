//! Xodo Sign (formerly eversign).
//!
//! Scheme: the proof is in the BODY: the top-level `event_hash` is the lowercase hex of
//! HMAC-SHA256(key = the account's API access key as its UTF-8 text, message =
//! `<event_time>` + `<event_type>`, no separator), each part's JSON text exactly as sent
//! (`event_time` is a string in one copy of the documentation and a number in another).
//! Xodo Sign documents `event_hash` only as "the unique hash of the event"; the
//! construction is a published integration's (docs/providers/xodo-sign.md), UNCONFIRMED by
//! a live capture. Every configured key is tried.
//!
//! **The payload is not authenticated** ([`Covers::EventMetadata`]): as for Dropbox Sign,
//! `event_time` must be 1–18 ASCII digits and `event_type` must not start with a digit, so
//! that the separator-less message splits one way only (security review T3-5), and the
//! event-age bound reads the signed `event_time` (a missing one is `event_too_old`).
//!
//! Payload: `{"event_time", "event_type", "event_hash", "meta": {"related_document_hash",
//! "related_user_id", "related_business_id", "related_app_id"}, "signer": {"id", "name",
//! "email", "role", "order"}}`. No event id: the id is a hash of the proof and what it is
//! about. Answer: any 200; Xodo Sign retries for 24 hours. No handshake.
//!
//! [`Covers::EventMetadata`]: crate::Covers::EventMetadata

use super::spec::{Sample, SignedTime, TimeFormat};
use super::wire::{exact_scalar, parse_object, wire, Loose, Raw, Text};
use super::{metadata_proof, metadata_tag, one_way_split, Fields, Proof, ProofAt, Provider, Spec};
use crate::error::Error;
use crate::event::{EnvelopeStatus, EventType, Participant};
use crate::secret::Secret;
use crate::verify::{hex_encode, sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "xodo-sign",
    title: "Xodo Sign",
    proof_header: PROOF_PATH,
    proof_at: ProofAt::Body,
    config_var: "XODO_SIGN_SECRETS",
    events: EVENTS,
    verify: |_headers, body, config, _now| verify(body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| sign(secret, body),
    header_note: "Xodo Sign puts its proof in the body (event_hash), keyed with the account's API access key",
    name_hints: &["xodo", "eversign"],
    example_secret: "xodo-sign-test-access-key",
    secrets_note: "the account's API access keys as their literal text (they key `event_hash`, in the body; only the event's time and type are covered: `covers` is `event-metadata`)",
    signed_time: Some(SignedTime {
        paths: &[&["event_time"]],
        format: TimeFormat::EpochSecondsText,
    }),
    samples: SAMPLES,
    account_field: Some("meta.related_business_id"),
    delivery_note: Some("Xodo Sign's proof is event_hash, in the body, keyed with the API access key (XODO_SIGN_SECRETS): it covers only the event's time and type, so origin should re-fetch the document before acting on it."),
    ..Spec::DEFAULT
};

/// Where the proof is in the body.
const PROOF_PATH: &str = "event_hash";

/// `event_type` → type: the event list of the published integration (Xodo Sign's own page
/// shows examples only).
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("document_created", EventType::EnvelopeCreated),
    ("document_sent", EventType::EnvelopeSent),
    ("document_viewed", EventType::ParticipantViewed),
    // One signer signed; the document completes with `document_completed`.
    ("document_signed", EventType::ParticipantSigned),
    ("document_declined", EventType::EnvelopeDeclined),
    ("document_forwarded", EventType::ParticipantReassigned),
    ("document_completed", EventType::EnvelopeCompleted),
    ("document_expired", EventType::EnvelopeExpired),
    // The sender revoked or cancelled the document.
    ("document_revoked", EventType::EnvelopeCancelled),
    ("document_cancelled", EventType::EnvelopeCancelled),
    ("signer_bounced", EventType::EmailBounced),
    // No participant-removed type in the taxonomy.
    ("signer_removed", EventType::Other),
    ("email_validation_waived", EventType::Other),
];

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people. `event_hash` is written when signing.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "document_signed",
        body: r#"{
  "event_time": "1773835200",
  "event_type": "document_signed",
  "meta": {
    "related_document_hash": "uXIgmUwHpeFqjI",
    "related_user_id": "40211",
    "related_business_id": "267",
    "related_app_id": ""
  },
  "signer": {
    "id": "1",
    "name": "Ada Linden",
    "email": "ada@example.com",
    "role": "",
    "order": "1"
  }
}"#,
    },
    Sample {
        event: "document_completed",
        body: r#"{
  "event_time": "1773835260",
  "event_type": "document_completed",
  "meta": {
    "related_document_hash": "uXIgmUwHpeFqjI",
    "related_user_id": "40211",
    "related_business_id": "267",
    "related_app_id": ""
  }
}"#,
    },
];

wire! {
    /// Only what the MAC needs.
    struct ProofPayload<'a> {
        time: Raw<'a> = "event_time",
        event_type: Raw<'a> = "event_type",
        hash: Text<'a> = "event_hash",
    }
}

/// What the MAC covers, for errors.
const SIGNED: &str = "\"<event_time><event_type>\"";

/// `<event_time><event_type>`; `None` when a part is missing or not a string or number.
fn message(payload: &ProofPayload<'_>) -> Option<String> {
    let time = exact_scalar(payload.time)?;
    let event_type = exact_scalar(payload.event_type)?;
    Some(format!("{time}{event_type}"))
}

fn verify(body: &[u8], secrets: &[Secret]) -> Result<Proof, Error> {
    metadata_proof(Provider::XodoSign, secrets, SIGNED, || {
        let (payload, _) = parse_object::<ProofPayload>(body)?;
        let hash = payload.hash.owned();
        if hash.is_some() {
            unambiguous(&payload)?;
        }
        Ok((hash, message(&payload)))
    })
}

/// The one-way split of `<event_time><event_type>` ([`one_way_split`], T3-5).
fn unambiguous(payload: &ProofPayload<'_>) -> Result<(), Error> {
    one_way_split(
        exact_scalar(payload.time).as_deref(),
        exact_scalar(payload.event_type).as_deref(),
        ("event_time", "event_type"),
        SIGNED,
    )
}

/// The proof's value (`event_hash`) for `body`: over empty parts when they are missing.
fn sign(secret: &Secret, body: &[u8]) -> String {
    let message = parse_object::<ProofPayload>(body)
        .ok()
        .and_then(|(p, _)| message(&p))
        .unwrap_or_default();
    metadata_tag(secret, &message)
}

wire! {
    struct Payload<'a> {
        time: Text<'a> = "event_time",
        event_type: Text<'a> = "event_type",
        hash: Text<'a> = "event_hash",
        meta: Loose<Meta<'a>> = "meta",
        signer: Loose<Signer<'a>> = "signer",
    }
}

wire! {
    struct Meta<'a> {
        document: Text<'a> = "related_document_hash",
        user: Text<'a> = "related_user_id",
        business: Text<'a> = "related_business_id",
        app: Text<'a> = "related_app_id",
    }
}

wire! {
    struct Signer<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        email: Text<'a> = "email",
        role: Text<'a> = "role",
    }
}

/// The document's state after `event_type`, where the event says it.
fn envelope_status(event_type: &str) -> EnvelopeStatus {
    match event_type {
        "document_sent" | "document_viewed" | "document_signed" => EnvelopeStatus::Sent,
        "document_completed" => EnvelopeStatus::Completed,
        "document_declined" => EnvelopeStatus::Declined,
        "document_revoked" | "document_cancelled" => EnvelopeStatus::Cancelled,
        "document_expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

/// The event id: the proof and what it is about, hashed (`event_hash` alone is the same
/// for two events of one type in one second).
fn event_id(parts: [Option<&str>; 8]) -> String {
    let mut joined = String::from("xodo-sign");
    for part in parts {
        joined.push('\n');
        joined.push_str(part.unwrap_or_default());
    }
    let digest = sha256(&[joined.as_bytes()]);
    hex_encode(digest.get(..16).unwrap_or(&digest))
}

fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let Payload {
        time,
        event_type,
        hash,
        meta,
        signer,
        ..
    } = payload;
    let meta = meta.0.unwrap_or_default();
    let signer = signer.0.unwrap_or_default();
    let id = event_id([
        hash.get(),
        time.get(),
        event_type.get(),
        meta.document.get(),
        signer.id.get(),
        meta.business.get(),
        meta.user.get(),
        meta.app.get(),
    ]);
    let mut fields = Fields {
        id: Some(id),
        provider_event: event_type.owned(),
        // `event_time` is Unix seconds (a string or a number).
        time_millis: time.as_i64().and_then(|s| s.checked_mul(1000)),
        ..Fields::default()
    };
    fields.envelope.id = meta.document.owned();
    fields.envelope.status = event_type
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    if signer.id.get().is_some() || signer.email.get().is_some() {
        fields.participant = Participant {
            id: signer.id.owned(),
            email: signer.email.owned(),
            name: signer.name.owned(),
            role: signer.role.owned().filter(|r| !r.is_empty()),
            status: None,
        };
    }
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// A locally computed vector (docs/providers/xodo-sign.md): Xodo Sign publishes none
    /// with its key.
    #[test]
    fn the_local_vector_verifies_and_splits_one_way() {
        let key = Secret::new("eversign-access-key").unwrap();
        let body = br#"{"event_time":"1509020237","event_type":"document_sent","event_hash":"00c91aa451a63e6c32bd54ab3936245ad211d39c9ff55fd2714a5c96a7e954ef"}"#;
        assert!(verify(body, std::slice::from_ref(&key)).is_ok());
        assert_eq!(
            sign(&key, body),
            "00c91aa451a63e6c32bd54ab3936245ad211d39c9ff55fd2714a5c96a7e954ef"
        );
        // The same MACed text split another way: refused before the MAC.
        let moved = br#"{"event_time":"150902023","event_type":"7document_sent","event_hash":"00c91aa451a63e6c32bd54ab3936245ad211d39c9ff55fd2714a5c96a7e954ef"}"#;
        assert_eq!(
            verify(moved, &[key]).err().map(|e| e.kind()),
            Some(ErrorKind::MalformedSignature)
        );
    }
}
