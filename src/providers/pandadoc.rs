//! PandaDoc.
//!
//! Scheme: the proof travels in the **URL**: PandaDoc posts to `<your url>?signature=<hex>`,
//! the lowercase hex of HMAC-SHA256(key = the webhook's shared key, message = the raw
//! body) ("the signature is always sent"; Python sample `hmac.new(shared_key, body,
//! sha256).hexdigest()` and a timing-safe compare,
//! <https://developers.pandadoc.com/docs/webhook-verification>, docs/providers/pandadoc.md). The
//! query reaches the core through [`Headers::set_query`] (the Worker passes the request
//! URL's; CLI `--query`, npm `url`, the page's request line). No timestamp is signed: the
//! event-age bound (`max_event_age_seconds`) applies to the signed body's `date_modified`
//! (`action_date` for `recipient_completed`).
//!
//! Several events per delivery: "Webhook data is provided in the form of an array and may
//! contain multiple notification objects simultaneously" (docs/providers/pandadoc.md). Each element becomes its
//! own event ([`Spec::batch`]); a bare object is accepted as one. Ids: the body's hash +
//! `:` + the element's index. PandaDoc also sends `X-PandaDoc-Webhook-Event-Id` ("a stable
//! ID you can use to de-duplicate retries"), but the MAC does not cover it: whoever holds
//! one signed delivery could replay it under fresh ids, or take a later genuine delivery's
//! id in advance. So it names nothing here; a retry, byte-identical, gets the same ids.
//!
//! Element: `{"event": "<name>", "data": {"id", "name", "status": "document.completed",
//! "date_created", "date_modified", "recipients": […], "action_by", "action_date",
//! "metadata", …}}` (docs/providers/pandadoc.md; reference pages `handledocumentstatechanged`). The type of
//! `document_state_changed` comes from `data.status` (`document.sent` → sent, …). Answer:
//! 2xx within 20 s. UNCONFIRMED (docs/providers/pandadoc.md): the automatic retry schedule (the two doc copies
//! conflict). `shared_link` (a recipient's link into the document, in PandaDoc's
//! document API; whether webhooks carry it is unconfirmed) is redacted wherever it appears.

use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{
    body_hmac_proof, query_proof, require_secrets, Fields, Proof, ProofAt, Provider, Spec,
};
use crate::error::Error;
use crate::event::{EnvelopeStatus, EventType, Participant, Scheme};
use crate::headers::Headers;
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;
use crate::verify::{decode_tag, hex_decode, hex_encode, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "pandadoc",
    title: "PandaDoc",
    proof_header: QUERY_PARAM,
    proof_at: ProofAt::Query,
    config_var: "PANDADOC_SECRETS",
    events: EVENTS,
    verify: |headers, body, config, _now| verify(headers, body, &config.secrets),
    normalize,
    sign: |secret, _key, body, _timestamp| hex_encode(&hmac_sha256(secret, &[body])),
    // The diagnosis explains header proofs; this one is in the query.
    header_note: "PandaDoc appends ?signature=<hex> to the webhook URL on every delivery (keyed with the webhook's shared key): give the request URL",
    name_hints: &["pandadoc"],
    redact: &["shared_link"],
    batch: true,
    example_secret: "pandadoc-test-shared-key",
    secrets_note: "the webhooks' shared keys (hex HMAC of the body, sent in the URL's `?signature=`)",
    signed_time: Some(SignedTime { paths: &[&["data", "date_modified"], &["data", "action_date"]], format: TimeFormat::Rfc3339 { fraction_digits: 0 } }),
    samples: SAMPLES,
    delivery_note: Some("PandaDoc's proof is ?signature= in the URL, a hex HMAC of the body under the webhook's shared key (PANDADOC_SECRETS). Its body is an array: each element becomes its own event."),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
/// The body is an array of notifications (several events per delivery); the proof is
/// `?signature=` in the URL.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "document_state_changed",
        body: r#"[
  {
    "event": "document_state_changed",
    "data": {
      "id": "msFYActMfJHqNTKH8YSvF1",
      "name": "NDA Document",
      "status": "document.completed",
      "date_created": "2024-11-11T15:00:00.000Z",
      "date_modified": "2024-11-11T15:20:00.000Z",
      "recipients": []
    }
  }
]"#,
    },
    Sample {
        event: "recipient_completed",
        body: r#"[
  {
    "event": "recipient_completed",
    "data": {
      "id": "msFYActMfJHqNTKH8YSvF1",
      "name": "NDA Document",
      "status": "document.sent",
      "date_modified": "2024-11-11T15:15:00.000Z",
      "action_by": {
        "id": "hS7wP5tYkLsQ9mZ3vB2nXc",
        "email": "signer@example.com",
        "first_name": "Sam",
        "last_name": "Signer"
      },
      "recipients": [
        {
          "id": "hS7wP5tYkLsQ9mZ3vB2nXc",
          "email": "signer@example.com",
          "first_name": "Sam",
          "last_name": "Signer",
          "recipient_type": "signer",
          "has_completed": true
        }
      ]
    }
  }
]"#,
    },
];

/// The query parameter carrying the proof.
pub(super) const QUERY_PARAM: &str = "signature";

/// `event` → type: every name PandaDoc's webhook events page lists (docs/providers/pandadoc.md);
/// `document_state_changed` is refined by `data.status` ([`state_type`]).
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("document_state_changed", EventType::EnvelopeUpdated),
    // The completed document's PDF can be downloaded.
    ("document_completed_pdf_ready", EventType::EnvelopeUpdated),
    ("document_updated", EventType::EnvelopeUpdated),
    // A recipient finished their part (signed, approved or filled in).
    ("recipient_completed", EventType::ParticipantSigned),
    ("document_deleted", EventType::EnvelopeDeleted),
    ("document_creation_failed", EventType::EnvelopeFailed),
    ("document_section_added", EventType::EnvelopeUpdated),
    ("quote_updated", EventType::EnvelopeUpdated),
    ("template_created", EventType::TemplateCreated),
    ("template_updated", EventType::TemplateUpdated),
    // No deleted-template type: `esign.other`, with `providerevent` saying which.
    ("template_deleted", EventType::Other),
    // Content library items are not envelopes (names from the API schema's enum [3P]).
    ("content_library_item_created", EventType::Other),
    ("content_library_item_creation_failed", EventType::Other),
];

/// `document_state_changed`'s type from the new `data.status`.
fn state_type(status: &str) -> Option<EventType> {
    Some(match status {
        "document.draft" => EventType::EnvelopeCreated,
        "document.sent" => EventType::EnvelopeSent,
        "document.viewed" => EventType::ParticipantViewed,
        "document.completed" => EventType::EnvelopeCompleted,
        "document.declined" => EventType::EnvelopeDeclined,
        "document.cancelled" => EventType::EnvelopeCancelled,
        "document.expired" => EventType::EnvelopeExpired,
        // Approval and payment steps: the document moved on, not a terminal state.
        "document.waiting_approval"
        | "document.approved"
        | "document.rejected"
        | "document.waiting_pay"
        | "document.paid" => EventType::EnvelopeUpdated,
        _ => return None,
    })
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "document.draft" | "document.uploaded" => EnvelopeStatus::Draft,
        "document.sent"
        | "document.viewed"
        | "document.waiting_approval"
        | "document.approved"
        | "document.rejected"
        | "document.waiting_pay"
        | "document.paid" => EnvelopeStatus::Sent,
        "document.completed" => EnvelopeStatus::Completed,
        "document.declined" => EnvelopeStatus::Declined,
        "document.cancelled" | "document.voided" => EnvelopeStatus::Cancelled,
        "document.expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn verify(headers: &Headers, body: &[u8], secrets: &[Secret]) -> Result<Proof, Error> {
    require_secrets(Provider::PandaDoc, secrets)?;
    let value = query_proof(headers, QUERY_PARAM)?;
    let tag = decode_tag(value.trim(), hex_decode, "?signature=", "hex")?;
    let proof = body_hmac_proof(secrets, body, &[tag], "?signature= does not match the body")?;
    debug_assert_eq!(proof.verification.scheme, Scheme::HmacSha256);
    Ok(proof)
}

wire! {
    struct Element<'a> {
        event: Text<'a> = "event",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Data<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        status: Text<'a> = "status",
        date_created: Text<'a> = "date_created",
        date_modified: Text<'a> = "date_modified",
        action_date: Text<'a> = "action_date",
        action_by: Loose<Person<'a>> = "action_by",
        recipients: List<Recipient<'a>> = "recipients",
    }
}

wire! {
    struct Person<'a> {
        id: Text<'a> = "id",
        email: Text<'a> = "email",
        first_name: Text<'a> = "first_name",
        last_name: Text<'a> = "last_name",
    }
}

wire! {
    struct Recipient<'a> {
        id: Text<'a> = "id",
        email: Text<'a> = "email",
        first_name: Text<'a> = "first_name",
        last_name: Text<'a> = "last_name",
        role: Text<'a> = "role",
        recipient_type: Text<'a> = "recipient_type",
        has_completed: Text<'a> = "has_completed",
    }
}

/// `first last`, or whichever is there.
fn full_name(first: &Text<'_>, last: &Text<'_>) -> Option<String> {
    match (first.get(), last.get()) {
        (Some(f), Some(l)) => Some(format!("{f} {l}")),
        (Some(one), None) | (None, Some(one)) => Some(one.to_owned()),
        (None, None) => None,
    }
}

/// One element of the array.
pub(super) fn normalize(element: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Element>(element)?;
    let data = payload.data.0.unwrap_or_default();
    let time = data
        .action_date
        .get()
        .or(data.date_modified.get())
        .or(data.date_created.get());
    let mut fields = Fields {
        time_millis: time.and_then(parse_rfc3339_millis),
        ..Fields::default()
    };
    fields.envelope.id = data.id.owned();
    fields.envelope.name = data.name.owned();
    fields.envelope.provider_status = data.status.owned();
    fields.envelope.status = data
        .status
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    if payload.event.get() == Some("document_state_changed") {
        fields.event_type = data.status.get().and_then(state_type);
    }
    // Who acted (`recipient_completed`): `action_by`, found among the recipients by email.
    if let Some(by) = data.action_by.as_ref() {
        let recipient = by.email.get().and_then(|email| {
            data.recipients
                .iter()
                .find(|r| r.email.get().is_some_and(|e| e.eq_ignore_ascii_case(email)))
        });
        fields.participant = Participant {
            id: recipient
                .and_then(|r| r.id.owned())
                .or_else(|| by.id.owned()),
            email: by.email.owned(),
            name: full_name(&by.first_name, &by.last_name),
            role: recipient.and_then(|r| r.role.owned().or_else(|| r.recipient_type.owned())),
            status: recipient.and_then(|r| r.has_completed.get()).map(|done| {
                if done == "true" {
                    "completed"
                } else {
                    "pending"
                }
                .to_owned()
            }),
        };
        fields.actor.email = by.email.owned();
        fields.actor.name = full_name(&by.first_name, &by.last_name);
    }
    fields.provider_event = payload.event.owned();
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::ErrorKind;

    /// locally computed vector (docs/providers/pandadoc.md).
    const BODY: &[u8] = br#"[{"event":"document_state_changed","data":{"id":"doc-1","name":"Agreement","status":"document.completed"}}]"#;
    const SIGNATURE: &str = "dce4a4115fef032afd8c96d49801ac4549e73e45ca57007a9b67265b445151b8";

    fn headers(query: &str) -> Headers {
        let mut h = Headers::new();
        h.set_query(query);
        h
    }

    #[test]
    fn the_local_vector() {
        let secrets = [Secret::new("pandadoc-shared-key").unwrap()];
        let proof = verify(&headers(&format!("signature={SIGNATURE}")), BODY, &secrets).unwrap();
        assert_eq!(proof.verification.key, 0);
        assert_eq!(hex_encode(&hmac_sha256(&secrets[0], &[BODY])), SIGNATURE);
        let code = |query: &str| {
            verify(&headers(query), BODY, &secrets)
                .err()
                .map(|e| e.kind())
        };
        assert_eq!(code(""), Some(ErrorKind::MissingSignature));
        assert_eq!(code("signature="), Some(ErrorKind::MissingSignature));
        assert_eq!(code("signature=zz"), Some(ErrorKind::MalformedSignature));
        assert_eq!(
            code(&format!("signature={SIGNATURE}&signature={SIGNATURE}")),
            Some(ErrorKind::MalformedSignature)
        );
        assert_eq!(
            code(&format!("signature={}", "0".repeat(64))),
            Some(ErrorKind::SignatureMismatch)
        );
        assert_eq!(
            verify(&Headers::new(), BODY, &secrets)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::MissingSignature)
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
