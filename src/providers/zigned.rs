//! Zigned (REST API v3).
//!
//! Scheme: header `x-zigned-request-signature: t=<timestamp>,v1=<hex>`, where `v1` is the
//! lowercase hex of HMAC-SHA256(key = the webhook's `secret` as UTF-8, message =
//! `<t>` + `.` + the raw body), the `t` text exactly as sent. Stripe-style: pairs may be
//! padded with spaces, several `v1` may appear (any match passes), and `t` is read as
//! seconds, or as milliseconds when it is too large to be seconds. The timestamp must lie
//! within the tolerance of `now` (default 300 s), checked after the MAC.
//! Zigned's OpenAPI names the header and the secret
//! (<https://docs.zigned.se/api/create-a-webhook>); the format is confirmed by integrators'
//! production traffic (see docs/providers/zigned.md), not by a published vector.
//!
//! Payload: `{"event": "<name>", "data": {…the resource…}}`; some deliveries name the event
//! `event_type`, so both are read. `data` is the agreement for `agreement.*` events, the
//! participant (with `agreement` = agreement id) for `participant.*` events. No event id:
//! the event id is a hash of the body.

use std::borrow::Cow;
use std::collections::BTreeMap;

use super::grammar::{Grammar, TagKeys, Unit};
use super::spec::Sample;
use super::wire::{parse_object, wire, Loose, OneOrMany, Ref, Text};
use super::{pairs_proof, timestamped_tag, Enc, Fields, MacScheme, Provider, Signed, Spec};
use crate::error::Error;
use crate::event::{Document, EnvelopeStatus, EventType};
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "zigned",
    title: "Zigned",
    proof_header: SIGNATURE_HEADER,
    config_var: "ZIGNED_SECRETS",
    signs_timestamp: true,
    events: EVENTS,
    verify: |headers, body, config, now| {
        pairs_proof(&GRAMMAR, Provider::Zigned, headers, body, config, now)
    },
    normalize,
    sign: |secret, _key, body, timestamp| sign(secret, body, timestamp),
    mac: Some(MacScheme {
        signed: Signed::TimestampDotBody,
        enc: Enc::Hex,
        prefix_ok: false,
        pairs: Some(GRAMMAR),
    }),
    header_note: "Zigned signs every delivery with the webhook's secret",
    name_hints: &["zigned"],
    example_secret: "zigned_test_secret",
    secrets_note:
        "the webhooks' secrets (`t=<ts>,v1=<hex>` over `<t>.<body>`, ±`ZIGNED_TOLERANCE_SECONDS`)",
    samples: SAMPLES,
    delivery_note: Some(
        "Zigned signs the time: send it within the Worker's tolerance (300 s by default).",
    ),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "agreement.lifecycle.finalized",
        body: r#"{
  "event": "agreement.lifecycle.finalized",
  "data": {
    "id": "cmhupv03i09q8liy4ht8y67i4",
    "title": "Lease agreement 2025-02-01",
    "test_mode": true,
    "status": "fulfilled",
    "documents": {
      "signed_document": {
        "data": {
          "id": "cmhuxsgh9037hjfvvm1gncn9i",
          "filename": "lease-signed-document.pdf",
          "created_at": "2025-11-11T19:00:50.157Z"
        }
      }
    },
    "updated_at": "2025-11-11T19:00:55.474Z"
  }
}"#,
    },
    Sample {
        event: "participant.lifecycle.fulfilled",
        body: r#"{
  "event": "participant.lifecycle.fulfilled",
  "data": {
    "id": "cmhupv1jl09qfliy49bzyqp0g",
    "name": "Sam Signer",
    "email": "signer@example.com",
    "status": "fulfilled",
    "agreement": "cmhupv03i09q8liy4ht8y67i4",
    "role": "signer",
    "signed_at": "2025-11-11T18:20:30.000Z"
  }
}"#,
    },
    Sample {
        event: "agreement.lifecycle.pending",
        body: r#"{
  "event": "agreement.lifecycle.pending",
  "data": {
    "id": "cmhupv03i09q8liy4ht8y67i4",
    "title": "Lease agreement 2025-02-01",
    "test_mode": true,
    "status": "pending",
    "participants": [
      "cmhupv1jl09qfliy49bzyqp0g"
    ],
    "created_at": "2025-11-11T15:18:51.966Z",
    "updated_at": "2025-11-11T15:18:54.277Z"
  }
}"#,
    },
];

pub(super) const SIGNATURE_HEADER: &str = "x-zigned-request-signature";

/// Every subscription name in Zigned's API (both published versions of the list), → type.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("agreement.draft.created", EventType::EnvelopeCreated),
    ("agreement.draft.updated", EventType::EnvelopeUpdated),
    ("agreement.lifecycle.pending", EventType::EnvelopeSent),
    // Every participant has signed; the signed PDF is not generated yet.
    ("agreement.lifecycle.fulfilled", EventType::EnvelopeUpdated),
    // The signed PDF is ready: the point where "completed" is actionable, as with the
    // other providers' completed events.
    (
        "agreement.lifecycle.finalized",
        EventType::EnvelopeCompleted,
    ),
    (
        "agreement.lifecycle.cancelled",
        EventType::EnvelopeCancelled,
    ),
    ("agreement.lifecycle.opened", EventType::EnvelopeUpdated),
    ("agreement.lifecycle.expired", EventType::EnvelopeExpired),
    (
        "agreement.lifecycle.forwarded",
        EventType::ParticipantReassigned,
    ),
    ("agreement.validation.started", EventType::EnvelopeUpdated),
    ("agreement.validation.completed", EventType::EnvelopeUpdated),
    ("agreement.validation.failed", EventType::EnvelopeFailed),
    ("agreement.generation.restarted", EventType::EnvelopeUpdated),
    ("agreement.generation.started", EventType::EnvelopeUpdated),
    ("agreement.generation.completed", EventType::EnvelopeUpdated),
    ("agreement.generation.failed", EventType::EnvelopeFailed),
    (
        "agreement.audit_trail_verification.started",
        EventType::EnvelopeUpdated,
    ),
    (
        "agreement.audit_trail_verification.completed",
        EventType::EnvelopeUpdated,
    ),
    (
        "agreement.audit_trail_verification.failed",
        EventType::EnvelopeFailed,
    ),
    (
        "agreement.pdf_verification.started",
        EventType::EnvelopeUpdated,
    ),
    (
        "agreement.pdf_verification.completed",
        EventType::EnvelopeUpdated,
    ),
    (
        "agreement.pdf_verification.failed",
        EventType::EnvelopeFailed,
    ),
    ("participant.draft.created", EventType::EnvelopeUpdated),
    ("participant.draft.updated", EventType::EnvelopeUpdated),
    (
        "participant.identity_enforcement.passed",
        EventType::ParticipantIdentityVerified,
    ),
    (
        "participant.identity_enforcement.failed",
        EventType::ParticipantIdentityFailed,
    ),
    (
        "participant.lifecycle.received_invitation",
        EventType::ParticipantNotified,
    ),
    (
        "participant.lifecycle.fulfilled",
        EventType::ParticipantSigned,
    ),
    (
        "participant.lifecycle.forwarded",
        EventType::ParticipantReassigned,
    ),
    ("observer.draft.created", EventType::EnvelopeUpdated),
    ("observer.draft.updated", EventType::EnvelopeUpdated),
    (
        "sign_event.signing_room.entered",
        EventType::ParticipantViewed,
    ),
    // Fine-grained signing-room activity: kept, but not a lifecycle step.
    ("sign_event.signing_room.left", EventType::Other),
    ("sign_event.sign.initiated_sign", EventType::Other),
    ("sign_event.sign.cancelled_sign", EventType::Other),
    // The lifecycle event `participant.lifecycle.fulfilled` is the "signed" one; this
    // activity record would double it.
    ("sign_event.sign.completed_sign", EventType::Other),
    ("sign_event.sign.requested_otp", EventType::Other),
    ("sign_event.sign.received_otp", EventType::Other),
    ("sign_event.sign.failed_to_receive_otp", EventType::Other),
    (
        "sign_event.sign.confirm_otp_failed",
        EventType::ParticipantIdentityFailed,
    ),
    (
        "sign_event.sign.confirmed_otp",
        EventType::ParticipantIdentityVerified,
    ),
    ("sign_event.sign.changed_email_for_otp", EventType::Other),
    (
        "sign_event.sign.forwarded_link",
        EventType::ParticipantReassigned,
    ),
    (
        "sign_event.approval.approved",
        EventType::ParticipantApproved,
    ),
    (
        "sign_event.approval.disapproved",
        EventType::ParticipantDeclined,
    ),
    ("sign_event.document.began_scroll", EventType::Other),
    ("sign_event.document.scrolled_to_bottom", EventType::Other),
    ("sign_event.document.clicked_to_view", EventType::Other),
    ("sign_event.document.loaded", EventType::Other),
    ("sign_event.document.failed_to_load", EventType::Other),
    ("sign_event.document.downloaded", EventType::Other),
    ("sign_event.error.reset", EventType::Other),
    (
        "email_event.agreement_invitation.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_invitation.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_invitation.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_observer_invitation.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_observer_invitation.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_observer_invitation.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_reminder.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_reminder.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_reminder.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_forwarded.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_forwarded.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_forwarded.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_finalized.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_finalized.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_finalized.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_cancelled.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_cancelled.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_cancelled.all_delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_paused.delivery_failed",
        EventType::EmailBounced,
    ),
    (
        "email_event.agreement_paused.delivered",
        EventType::EmailDelivered,
    ),
    (
        "email_event.agreement_paused.all_delivered",
        EventType::EmailDelivered,
    ),
];

/// The header's grammar (`src/providers/grammar.rs`): `v1` tags, `t` in seconds or
/// milliseconds.
const GRAMMAR: Grammar = Grammar {
    header: SIGNATURE_HEADER,
    tags: TagKeys::Named("v1"),
    unit: Unit::SecondsOrMillis,
};

pub(super) fn sign(secret: &Secret, body: &[u8], timestamp: i64) -> String {
    let (t, tag) = timestamped_tag(secret, body, timestamp);
    format!("t={t},v1={tag}")
}

wire! {
    struct Payload<'a> {
        event: Text<'a> = "event",
        event_type: Text<'a> = "event_type",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Data<'a> {
        id: Text<'a> = "id",
        title: Text<'a> = "title",
        name: Text<'a> = "name",
        email: Text<'a> = "email",
        role: Text<'a> = "role",
        status: Text<'a> = "status",
        test_mode: Text<'a> = "test_mode",
        agreement: Ref<'a> = "agreement",
        participant: Ref<'a> = "participant",
        cancellation_reason: Text<'a> = "cancellation_reason",
        updated_at: Text<'a> = "updated_at",
        created_at: Text<'a> = "created_at",
        documents: Loose<BTreeMap<Cow<'a, str>, Loose<DocumentSlot<'a>>>> = "documents",
    }
}

wire! {
    struct DocumentSlot<'a> {
        data: OneOrMany<DocumentData<'a>> = "data",
    }
}

wire! {
    struct DocumentData<'a> {
        id: Text<'a> = "id",
        filename: Text<'a> = "filename",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "draft" => EnvelopeStatus::Draft,
        "pending" | "open" | "opened" => EnvelopeStatus::Sent,
        "fulfilled" | "finalized" | "completed" => EnvelopeStatus::Completed,
        "cancelled" | "canceled" => EnvelopeStatus::Cancelled,
        "expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let data = payload.data.0.unwrap_or_default();
    let event = payload.event.owned().or_else(|| payload.event_type.owned());
    let about_agreement = event
        .as_deref()
        .is_some_and(|e| e.starts_with("agreement."));
    let updated = data.updated_at.get().or(data.created_at.get());
    let mut fields = Fields {
        time_millis: match signed_at {
            Some(s) => s.checked_mul(1000),
            None => updated.and_then(parse_rfc3339_millis),
        },
        testmode: data.test_mode.get() == Some("true"),
        reason: data.cancellation_reason.owned(),
        ..Fields::default()
    };
    if about_agreement || (data.agreement.0.get().is_none() && data.participant.0.get().is_none()) {
        fields.envelope.id = data.id.owned();
        fields.envelope.name = data.title.owned();
        fields.envelope.provider_status = data.status.owned();
        fields.envelope.status = data
            .status
            .get()
            .map_or(EnvelopeStatus::Unknown, envelope_status);
    } else {
        fields.envelope.id = data.agreement.0.owned();
        if event
            .as_deref()
            .is_some_and(|e| e.starts_with("participant."))
        {
            fields.participant.id = data.id.owned();
            fields.participant.name = data.name.owned();
            fields.participant.email = data.email.owned();
            fields.participant.role = data.role.owned();
            fields.participant.status = data.status.owned();
        } else {
            fields.participant.id = data.participant.0.owned();
            fields.participant.email = data.email.owned();
        }
    }
    if let Some(slots) = data.documents.as_ref() {
        fields.documents = slots
            .values()
            .filter_map(|slot| slot.as_ref())
            .flat_map(|slot| slot.data.0.iter())
            .map(|d| Document {
                id: d.id.owned(),
                name: d.filename.owned(),
            })
            .collect();
    }
    fields.provider_event = event;
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    #[test]
    fn timestamp_units_and_extremes() {
        assert_eq!(GRAMMAR.seconds("1731340000").unwrap(), 1_731_340_000);
        assert_eq!(GRAMMAR.seconds("1731340000123").unwrap(), 1_731_340_000);
        for bad in ["-1731340000", "99999999999999999999", "1e9"] {
            assert_eq!(
                GRAMMAR.seconds(bad).unwrap_err().kind(),
                ErrorKind::MalformedSignature
            );
        }
    }

    #[test]
    fn header_tolerates_spaces_and_unknown_parts() {
        let v1 = "ab".repeat(32);
        let value = format!(" t = 5 , v0=zz,v1={v1} ,");
        let h = GRAMMAR.parse(&value).unwrap();
        assert_eq!((h.t, h.tags.len()), ("5", 1));
        for bad in ["t=5".to_owned(), format!("v1={v1}"), "garbage".to_owned()] {
            assert!(GRAMMAR.parse(&bad).is_err(), "{bad}");
        }
        // One rule for repeats, every provider's: a second t is refused.
        assert!(GRAMMAR.parse(&format!("t=5,t=6,v1={v1}")).is_err());
    }

    #[test]
    fn every_event_name_is_unique() {
        let mut names: Vec<_> = EVENTS.iter().map(|(n, _)| n).collect();
        names.sort();
        names.dedup();
        assert_eq!(names.len(), EVENTS.len());
    }
}
