//! Zoho Sign.
//!
//! Scheme: header `X-ZS-WEBHOOK-SIGNATURE` = standard base64 of HMAC-SHA256(key = the
//! webhook's secret as UTF-8, message = the raw body). No timestamp is signed, so no replay
//! window. Sent only when "HMAC signature" is enabled on the webhook; we require it.
//! <https://help.zoho.com/portal/en/kb/zoho-sign/admin-guide/webhooks/articles/securing-zoho-sign-webhooks-with-hmac-authentication>
//!
//! Payload: `{"requests": {…the request…}, "notifications": {"operation_type", "performed_at"
//! (epoch ms), "performed_by_email", "action_id", "reason", "ip_address", …}}`. Ids come as
//! strings or numbers. No event id: the event id is a hash of the body.
//! <https://help.zoho.com/portal/en/kb/zoho-sign/admin-guide/webhooks/articles/webhooks-management>

use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{
    body_hmac_proof, require_secrets, signature_header, Enc, Fields, MacScheme, Proof, Provider,
    Signed, Spec,
};
use crate::error::Error;
use crate::event::{Document, EnvelopeStatus, EventType, Participant};
use crate::secret::Secret;
use crate::verify::{base64_decode, base64_encode, decode_tag, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "zoho-sign",
    title: "Zoho Sign",
    proof_header: SIGNATURE_HEADER,
    config_var: "ZOHO_SIGN_SECRETS",
    events: EVENTS,
    verify: |headers, body, config, _now| verify(headers, body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| sign(secret, body),
    mac: Some(MacScheme {
        signed: Signed::Body,
        enc: Enc::Base64,
        prefix_ok: false,
        pairs: None,
    }),
    header_note: "Zoho Sign sends it only when \"HMAC signature\" is enabled on the webhook (Settings → Developer settings → Webhooks)",
    name_hints: &["zoho", "xzs"],
    example_secret: "zoho_test_secret",
    secrets_note: "the webhooks' secrets (base64 HMAC of the body in `X-ZS-WEBHOOK-SIGNATURE`)",
    signed_time: Some(SignedTime { paths: &[&["notifications", "performed_at"]], format: TimeFormat::EpochMillis }),
    samples: SAMPLES,
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "RequestSigningSuccess",
        body: r#"{
  "requests": {
    "request_name": "NDA Document",
    "request_id": "1000000000000",
    "request_status": "inprogress",
    "org_id": "9876543210",
    "document_ids": [
      {
        "document_name": "CommonNDA.pdf",
        "document_id": "100000000000050"
      }
    ]
  },
  "notifications": {
    "performed_by_email": "signer@example.com",
    "performed_by_name": "Sam Signer",
    "performed_at": 1731340000000,
    "reason": "",
    "activity": "Document has been signed",
    "operation_type": "RequestSigningSuccess",
    "action_id": "1000000000090",
    "ip_address": "192.0.2.10"
  }
}"#,
    },
    Sample {
        event: "RequestCompleted",
        body: r#"{
  "requests": {
    "request_name": "NDA Document",
    "request_id": "1000000000000",
    "request_status": "completed",
    "document_ids": [
      {
        "document_name": "CommonNDA.pdf",
        "document_id": "100000000000050"
      }
    ]
  },
  "notifications": {
    "performed_by_email": "signer@example.com",
    "performed_at": 1731340100000,
    "operation_type": "RequestCompleted"
  }
}"#,
    },
    Sample {
        event: "RequestRejected",
        body: r#"{
  "requests": {
    "request_name": "NDA Document",
    "request_id": "1000000000000",
    "request_status": "declined"
  },
  "notifications": {
    "performed_by_email": "signer@example.com",
    "performed_at": 1731340200000,
    "operation_type": "RequestRejected",
    "reason": "Wrong company name"
  }
}"#,
    },
];

pub(super) const SIGNATURE_HEADER: &str = "X-ZS-WEBHOOK-SIGNATURE";

/// `notifications.operation_type` → type. The eight documented operation types, plus
/// `RequestApproved`, which integrators report for approver actions.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("RequestSubmitted", EventType::EnvelopeSent),
    ("RequestViewed", EventType::ParticipantViewed),
    ("RequestSigningSuccess", EventType::ParticipantSigned),
    ("RequestCompleted", EventType::EnvelopeCompleted),
    ("RequestRejected", EventType::EnvelopeDeclined),
    ("RequestRecalled", EventType::EnvelopeCancelled),
    ("RequestForwarded", EventType::ParticipantReassigned),
    ("RequestExpired", EventType::EnvelopeExpired),
    ("RequestApproved", EventType::ParticipantApproved),
];

pub(super) fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
) -> Result<Proof, Error> {
    require_secrets(Provider::ZohoSign, secrets)?;
    let value = signature_header(headers, SIGNATURE_HEADER)?;
    let tag = decode_tag(value, base64_decode, SIGNATURE_HEADER, "base64")?;
    body_hmac_proof(
        secrets,
        body,
        &[tag],
        &format!("{SIGNATURE_HEADER} does not match the body"),
    )
}

pub(super) fn sign(secret: &Secret, body: &[u8]) -> String {
    base64_encode(&hmac_sha256(secret, &[body]))
}

wire! {
    struct Payload<'a> {
        requests: Loose<Request<'a>> = "requests",
        notifications: Loose<Notification<'a>> = "notifications",
    }
}

wire! {
    struct Request<'a> {
        request_id: Text<'a> = "request_id",
        request_name: Text<'a> = "request_name",
        request_status: Text<'a> = "request_status",
        document_ids: List<RequestDocument<'a>> = "document_ids",
        actions: List<Action<'a>> = "actions",
    }
}

wire! {
    struct RequestDocument<'a> {
        document_id: Text<'a> = "document_id",
        document_name: Text<'a> = "document_name",
    }
}

wire! {
    struct Action<'a> {
        action_id: Text<'a> = "action_id",
        action_type: Text<'a> = "action_type",
        action_status: Text<'a> = "action_status",
        recipient_email: Text<'a> = "recipient_email",
        recipient_name: Text<'a> = "recipient_name",
    }
}

wire! {
    struct Notification<'a> {
        operation_type: Text<'a> = "operation_type",
        performed_at: Text<'a> = "performed_at",
        performed_by_email: Text<'a> = "performed_by_email",
        performed_by_name: Text<'a> = "performed_by_name",
        ip_address: Text<'a> = "ip_address",
        action_id: Text<'a> = "action_id",
        reason: Text<'a> = "reason",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status.to_ascii_lowercase().as_str() {
        "draft" => EnvelopeStatus::Draft,
        "inprogress" | "in_progress" | "sent" => EnvelopeStatus::Sent,
        "completed" => EnvelopeStatus::Completed,
        "declined" | "rejected" => EnvelopeStatus::Declined,
        "recalled" => EnvelopeStatus::Cancelled,
        "expired" => EnvelopeStatus::Expired,
        "deleted" => EnvelopeStatus::Deleted,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let request = payload.requests.0.unwrap_or_default();
    let note = payload.notifications.0.unwrap_or_default();
    let mut fields = Fields {
        provider_event: note.operation_type.owned(),
        time_millis: note.performed_at.as_i64(),
        reason: note.reason.owned(),
        ..Fields::default()
    };
    fields.envelope.id = request.request_id.owned();
    fields.envelope.name = request.request_name.owned();
    fields.envelope.provider_status = request.request_status.owned();
    fields.envelope.status = request
        .request_status
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    fields.documents = request
        .document_ids
        .iter()
        .map(|d| Document {
            id: d.document_id.owned(),
            name: d.document_name.owned(),
        })
        .collect();
    // Signer-related operations carry the signer's `action_id`; the request's `actions`
    // tell who that is.
    if let Some(action_id) = note.action_id.get() {
        let action = request
            .actions
            .iter()
            .find(|a| a.action_id.get() == Some(action_id));
        fields.participant = match action {
            Some(a) => Participant {
                id: Some(action_id.to_owned()),
                email: a.recipient_email.owned(),
                name: a.recipient_name.owned(),
                role: a.action_type.owned(),
                status: a.action_status.owned(),
            },
            None => Participant {
                id: Some(action_id.to_owned()),
                ..Participant::default()
            },
        };
    }
    fields.actor.email = note.performed_by_email.owned();
    fields.actor.name = note.performed_by_name.owned();
    fields.actor.ip = note.ip_address.owned();
    Ok((fields, raw))
}
