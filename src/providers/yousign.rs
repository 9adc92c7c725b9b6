//! Yousign (API v3).
//!
//! Scheme: header `X-Yousign-Signature-256` = `sha256=` + lowercase hex of
//! HMAC-SHA256(key = the subscription's `secret_key` as UTF-8, message = the raw body). No
//! timestamp is signed (`X-Yousign-Issued-At` is not covered). The bare hex, without the
//! prefix, is accepted too.
//! <https://developers.yousign.com/docs/security>
//!
//! Payload: `{"event_id", "event_name", "event_time" (Unix seconds as a string),
//! "subscription_id", "sandbox", "data": {"signature_request": {…}, "signer": {…}}}`;
//! signer events add `data.signer`, approver events `data.approver`, electronic seal events
//! carry `data.electronic_seal` alone.
//! <https://developers.yousign.com/docs/webhook-messages>,
//! <https://developers.yousign.com/docs/subscription>

use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{
    body_hmac_proof, require_secrets, signature_header, Enc, Fields, MacScheme, Proof, Provider,
    Signed, Spec,
};
use crate::error::{Error, ErrorKind};
use crate::event::{Document, EnvelopeStatus, EventType, Participant};
use crate::secret::Secret;
use crate::verify::{decode_tag, hex_decode, hex_encode, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "yousign",
    title: "Yousign",
    proof_header: SIGNATURE_HEADER,
    config_var: "YOUSIGN_SECRETS",
    events: EVENTS,
    verify: |headers, body, config, _now| verify(headers, body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| sign(secret, body),
    mac: Some(MacScheme {
        signed: Signed::Body,
        enc: Enc::Hex,
        prefix_ok: true,
        pairs: None,
    }),
    header_note: "Yousign signs every delivery with the webhook subscription's secret",
    name_hints: &["yousign"],
    example_secret: "yousign_test_secret",
    secrets_note: "the webhook subscriptions' secrets (`sha256=<hex>` of the body)",
    signed_time: Some(SignedTime {
        paths: &[&["event_time"]],
        format: TimeFormat::EpochSecondsText,
    }),
    samples: SAMPLES,
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "signer.done",
        body: r#"{
  "event_id": "b6c63685-c556-4a30-8fe9-b6f2b187d936",
  "event_name": "signer.done",
  "event_time": "1731340000",
  "subscription_id": "3f1b2c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d",
  "subscription_description": "Signed leases",
  "sandbox": true,
  "data": {
    "signature_request": {
      "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
      "name": "Lease",
      "status": "ongoing"
    },
    "signer": {
      "id": "6f2b1c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
      "status": "signed",
      "info": {
        "first_name": "Sam",
        "last_name": "Signer",
        "email": "signer@example.com"
      }
    }
  }
}"#,
    },
    Sample {
        event: "signature_request.done",
        body: r#"{
  "event_id": "c7d8e9f0-1a2b-4c3d-8e4f-5a6b7c8d9e0f",
  "event_name": "signature_request.done",
  "event_time": "1731340100",
  "sandbox": true,
  "data": {
    "signature_request": {
      "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
      "name": "Lease",
      "status": "done",
      "documents": [
        {
          "id": "d1e2f3a4-b5c6-4d7e-8f9a-0b1c2d3e4f5a",
          "nature": "signable_document",
          "filename": "lease.pdf"
        }
      ]
    }
  }
}"#,
    },
    Sample {
        event: "signer.declined",
        body: r#"{
  "event_id": "0c5e7c43-3ba6-4b7e-9a44-3f3a2c1a9b10",
  "event_name": "signer.declined",
  "event_time": "1731340200",
  "sandbox": true,
  "data": {
    "signature_request": {
      "id": "9a2b1c3d-0e4f-4a5b-8c6d-7e8f9a0b1c2d",
      "name": "Lease",
      "status": "declined",
      "decline_information": {
        "reason": "Wrong rent",
        "declined_at": "2024-11-11T15:50:00+00:00"
      }
    },
    "signer": {
      "id": "6f2b1c3d-4e5f-4a6b-9c7d-8e9f0a1b2c3d",
      "status": "declined",
      "info": {
        "first_name": "Sam",
        "last_name": "Signer",
        "email": "signer@example.com"
      }
    }
  }
}"#,
    },
];

pub(super) const SIGNATURE_HEADER: &str = "X-Yousign-Signature-256";

/// `event_name` → type: every event of Yousign's subscription page, plus the names
/// Yousign's API enum carries beyond it (`paused`, `resumed`, `rejected`, approver and
/// identification extras).
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("signature_request.activated", EventType::EnvelopeSent),
    ("signature_request.done", EventType::EnvelopeCompleted),
    ("signature_request.expired", EventType::EnvelopeExpired),
    // An expired request made signable again: still the same envelope, out again.
    ("signature_request.reactivated", EventType::EnvelopeSent),
    (
        "signature_request.reminder_executed",
        EventType::EnvelopeReminderSent,
    ),
    // All approvers approved; signers come next. No envelope-level "approved" type.
    ("signature_request.approved", EventType::EnvelopeUpdated),
    ("signature_request.declined", EventType::EnvelopeDeclined),
    ("signature_request.canceled", EventType::EnvelopeCancelled),
    ("signature_request.deleted", EventType::EnvelopeDeleted),
    (
        "signature_request.permanently_deleted",
        EventType::EnvelopeDeleted,
    ),
    ("signature_request.rejected", EventType::EnvelopeDeclined),
    ("signature_request.paused", EventType::EnvelopeUpdated),
    ("signature_request.resumed", EventType::EnvelopeUpdated),
    ("signer.notified", EventType::ParticipantNotified),
    ("signer.link_opened", EventType::ParticipantViewed),
    ("signer.done", EventType::ParticipantSigned),
    // The signer asked the sender for a change: no envelope change yet.
    ("signer.sender_contacted", EventType::Other),
    (
        "signer.identification_blocked",
        EventType::ParticipantIdentityFailed,
    ),
    (
        "signer.identification_succeeded",
        EventType::ParticipantIdentityVerified,
    ),
    (
        "signer.identification_failed",
        EventType::ParticipantIdentityFailed,
    ),
    (
        "signer.identification_expired",
        EventType::ParticipantIdentityFailed,
    ),
    // Yousign cancels the request automatically after a signer error.
    ("signer.error", EventType::EnvelopeFailed),
    ("signer.declined", EventType::ParticipantDeclined),
    // A reusable digital identity was saved; not an identity check of this request.
    ("signer.identity_saved", EventType::Other),
    (
        "signer.notification_delivery_failed",
        EventType::EmailBounced,
    ),
    ("approver.notified", EventType::ParticipantNotified),
    ("approver.approved", EventType::ParticipantApproved),
    ("approver.rejected", EventType::ParticipantDeclined),
    (
        "approver.notification_delivery_failed",
        EventType::EmailBounced,
    ),
    // Seals are signed by the organization itself: the seal is the envelope.
    ("electronic_seal.done", EventType::EnvelopeCompleted),
    ("electronic_seal.error", EventType::EnvelopeFailed),
    // Account events, outside any envelope.
    ("contact.created", EventType::Other),
    ("user.completed", EventType::Other),
];

use crate::headers::trim_ows;

pub(super) fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
) -> Result<Proof, Error> {
    require_secrets(Provider::Yousign, secrets)?;
    let value = signature_header(headers, SIGNATURE_HEADER)?;
    let hex = match value.split_once('=') {
        Some((algo, hex)) if trim_ows(algo).eq_ignore_ascii_case("sha256") => trim_ows(hex),
        Some((algo, _)) => {
            return Err(Error::new(
                ErrorKind::MalformedSignature,
                format!("{SIGNATURE_HEADER} names algorithm {algo:?}, expected sha256"),
            ))
        }
        None => value,
    };
    let tag = decode_tag(hex, hex_decode, SIGNATURE_HEADER, "sha256=<hex>")?;
    body_hmac_proof(
        secrets,
        body,
        &[tag],
        &format!("{SIGNATURE_HEADER} does not match the body"),
    )
}

pub(super) fn sign(secret: &Secret, body: &[u8]) -> String {
    format!("sha256={}", hex_encode(&hmac_sha256(secret, &[body])))
}

wire! {
    struct Payload<'a> {
        event_id: Text<'a> = "event_id",
        event_name: Text<'a> = "event_name",
        event_time: Text<'a> = "event_time",
        sandbox: Text<'a> = "sandbox",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Data<'a> {
        signature_request: Loose<SignatureRequest<'a>> = "signature_request",
        signer: Loose<Person<'a>> = "signer",
        approver: Loose<Person<'a>> = "approver",
        electronic_seal: Loose<Seal<'a>> = "electronic_seal",
    }
}

wire! {
    struct SignatureRequest<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        status: Text<'a> = "status",
        documents: List<SrDocument<'a>> = "documents",
        decline_information: Loose<Decline<'a>> = "decline_information",
    }
}

wire! {
    struct SrDocument<'a> {
        id: Text<'a> = "id",
        filename: Text<'a> = "filename",
        name: Text<'a> = "name",
    }
}

wire! {
    struct Decline<'a> {
        reason: Text<'a> = "reason",
    }
}

wire! {
    struct Person<'a> {
        id: Text<'a> = "id",
        status: Text<'a> = "status",
        info: Loose<PersonInfo<'a>> = "info",
    }
}

wire! {
    struct PersonInfo<'a> {
        email: Text<'a> = "email",
        first_name: Text<'a> = "first_name",
        last_name: Text<'a> = "last_name",
    }
}

wire! {
    struct Seal<'a> {
        id: Text<'a> = "id",
        status: Text<'a> = "status",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "draft" => EnvelopeStatus::Draft,
        "ongoing" | "approval" => EnvelopeStatus::Sent,
        "done" => EnvelopeStatus::Completed,
        "declined" | "rejected" => EnvelopeStatus::Declined,
        "canceled" | "cancelled" => EnvelopeStatus::Cancelled,
        "expired" => EnvelopeStatus::Expired,
        "deleted" => EnvelopeStatus::Deleted,
        _ => EnvelopeStatus::Unknown,
    }
}

fn participant(person: &Person, role: &str) -> Participant {
    let info = person.info.as_ref();
    let name = info.and_then(|i| match (i.first_name.get(), i.last_name.get()) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (f, l) => f.or(l).map(str::to_owned),
    });
    Participant {
        id: person.id.owned(),
        email: info.and_then(|i| i.email.owned()),
        name,
        role: Some(role.to_owned()),
        status: person.status.owned(),
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let data = payload.data.0.unwrap_or_default();
    let mut fields = Fields {
        id: payload.event_id.owned(),
        provider_event: payload.event_name.owned(),
        time_millis: payload
            .event_time
            .as_i64()
            .and_then(|s| s.checked_mul(1000)),
        testmode: payload.sandbox.get() == Some("true"),
        ..Fields::default()
    };
    if let Some(sr) = data.signature_request.as_ref() {
        fields.envelope.id = sr.id.owned();
        fields.envelope.name = sr.name.owned();
        fields.envelope.provider_status = sr.status.owned();
        fields.envelope.status = sr
            .status
            .get()
            .map_or(EnvelopeStatus::Unknown, envelope_status);
        fields.documents = sr
            .documents
            .iter()
            .map(|d| Document {
                id: d.id.owned(),
                name: d.filename.owned().or_else(|| d.name.owned()),
            })
            .collect();
        fields.reason = sr
            .decline_information
            .as_ref()
            .and_then(|d| d.reason.owned());
    } else if let Some(seal) = data.electronic_seal.as_ref() {
        fields.envelope.id = seal.id.owned();
        fields.envelope.provider_status = seal.status.owned();
    }
    if let Some(signer) = data.signer.as_ref() {
        fields.participant = participant(signer, "signer");
    } else if let Some(approver) = data.approver.as_ref() {
        fields.participant = participant(approver, "approver");
    }
    Ok((fields, raw))
}
