//! Documenso.
//!
//! Scheme: **no MAC, no timestamp**. Every delivery carries `X-Documenso-Secret: <secret>`,
//! the webhook's secret as a plain string ("If you did not configure a secret, the header
//! will be an empty string"). It is compared in constant time (`token_matches`) against
//! every configured secret, with no early exit; an empty or whitespace-only header never
//! matches (`missing_signature`). Only HTTP whitespace is trimmed. The proof says the
//! sender knew the secret (`scheme: "shared-secret"`, `covers: "shared-secret"`): the body
//! has no integrity and there is no freshness, so origin should re-fetch the envelope from
//! Documenso's API before acting on it.
//! <https://docs.documenso.com/docs/developers/webhooks/verification>;
//! `packages/lib/server-only/webhooks/execute-webhook-call.ts` (`'X-Documenso-Secret':
//! secret ?? ''`) in documenso/documenso (docs/providers/documenso.md).
//!
//! Payload: `{"event": "DOCUMENT_COMPLETED", "payload": {…}, "createdAt": "<ISO 8601>",
//! "webhookEndpoint": "<url>"}` (`execute-webhook.handler.ts`); `payload` is the document:
//! `id` (the legacy numeric id), `envelopeId` (`envelope_…`, the canonical id, preferred
//! here), `title`, `status` (DRAFT|PENDING|COMPLETED|REJECTED|CANCELLED), `recipients[]`
//! (and a legacy duplicate `Recipient[]`) with `id`, `email`, `name`, `role`,
//! `signingStatus` (NOT_SIGNED|SIGNED|REJECTED), `rejectionReason`, and **`token`**, the
//! recipient's signing token (docs/providers/documenso.md). `token` is a credential and is
//! redacted from `data.raw` (`redact`), as is `password` (older `documentMeta` carried the
//! document password: documenso/documenso `packages/lib/types/webhook-payload.ts`, earlier
//! versions). No event id: Documenso builds `createdAt` when it sends, so a retry is not
//! byte-identical; the id is a hash of every top-level member but `createdAt` (`event`,
//! `payload`, `webhookEndpoint`), which a retry repeats. The payload does not say which
//! recipient acted: the participant is named only for `DOCUMENT_REJECTED` (the one
//! recipient whose `signingStatus` is REJECTED).
//!
//! Events: `enum WebhookTriggerEvents` in `packages/prisma/schema.prisma`
//! (docs/providers/documenso.md). Left out, [UNCONFIRMED] there: `DOCUMENT_VIEWED`, `DOCUMENT_DOWNLOADED`,
//! `RECIPIENT_AUTHENTICATION_FAILED` (a migration only; they become `esign.other`), the
//! `X-Documenso-Delivery-Id` header and `deliveryId` field (not used as the event id).

use super::spec::Sample;
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{require_secrets, signature_header, Fields, Proof, Provider, Spec};
use crate::error::{Error, ErrorKind};
use crate::event::{Covers, EnvelopeStatus, EventType, Participant, Scheme, Verification};
use crate::headers::Headers;
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "documenso",
    title: "Documenso",
    proof_header: SECRET_HEADER,
    config_var: "DOCUMENSO_SECRETS",
    events: EVENTS,
    verify: |headers, _body, config, _now| verify(headers, &config.secrets),
    normalize,
    // The "proof" is the secret itself.
    sign: |_secret, key, _body, _timestamp| key.to_owned(),
    header_note: "Documenso sends the webhook's secret as is on every delivery, and an empty value when the webhook has no secret (set one in the webhook's settings)",
    name_hints: &["documenso"],
    redact: &["token", "password"],
    example_secret: "documenso_test_secret",
    secrets_note: "the webhooks' secrets, sent as is in `X-Documenso-Secret` (no MAC: no integrity, no freshness)",
    samples: SAMPLES,
    account_field: Some("payload.teamId"),
    bearer: true,
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
/// The recipients' signing tokens are redacted from the event's `data.raw`.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "DOCUMENT_SIGNED",
        body: r#"{
  "event": "DOCUMENT_SIGNED",
  "payload": {
    "id": 123,
    "envelopeId": "envelope_k3m9p2q8r7s6t5u4",
    "title": "Lease agreement",
    "status": "PENDING",
    "recipients": [
      {
        "id": 11,
        "email": "signer@example.com",
        "name": "Sam Signer",
        "token": "sample-signing-token",
        "role": "SIGNER",
        "signingStatus": "SIGNED"
      }
    ]
  },
  "createdAt": "2024-11-11T15:46:40.000Z",
  "webhookEndpoint": "http://127.0.0.1:8787/hooks/documenso"
}"#,
    },
    Sample {
        event: "DOCUMENT_COMPLETED",
        body: r#"{
  "event": "DOCUMENT_COMPLETED",
  "payload": {
    "id": 123,
    "envelopeId": "envelope_k3m9p2q8r7s6t5u4",
    "title": "Lease agreement",
    "status": "COMPLETED",
    "completedAt": "2024-11-11T15:48:19.000Z",
    "recipients": [
      {
        "id": 11,
        "email": "signer@example.com",
        "name": "Sam Signer",
        "token": "sample-signing-token",
        "role": "SIGNER",
        "signingStatus": "SIGNED"
      }
    ]
  },
  "createdAt": "2024-11-11T15:48:20.000Z",
  "webhookEndpoint": "http://127.0.0.1:8787/hooks/documenso"
}"#,
    },
];

pub(super) const SECRET_HEADER: &str = "X-Documenso-Secret";

/// `event` → type: every value of Documenso's `WebhookTriggerEvents`.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("DOCUMENT_CREATED", EventType::EnvelopeCreated),
    ("DOCUMENT_SENT", EventType::EnvelopeSent),
    ("DOCUMENT_OPENED", EventType::ParticipantViewed),
    // A recipient signed.
    ("DOCUMENT_SIGNED", EventType::ParticipantSigned),
    // A recipient completed their part (signer, approver, viewer).
    ("DOCUMENT_RECIPIENT_COMPLETED", EventType::ParticipantSigned),
    ("DOCUMENT_COMPLETED", EventType::EnvelopeCompleted),
    // A recipient's rejection rejects the whole document (status REJECTED).
    ("DOCUMENT_REJECTED", EventType::EnvelopeDeclined),
    ("DOCUMENT_CANCELLED", EventType::EnvelopeCancelled),
    // One recipient's signing window ran out; the document stays open for the others,
    // and the taxonomy has no participant expiry type.
    ("RECIPIENT_EXPIRED", EventType::Other),
    ("DOCUMENT_REMINDER_SENT", EventType::EnvelopeReminderSent),
    ("TEMPLATE_CREATED", EventType::TemplateCreated),
    ("TEMPLATE_UPDATED", EventType::TemplateUpdated),
    // No template removal or use type in the taxonomy: kept as esign.other.
    ("TEMPLATE_DELETED", EventType::Other),
    ("TEMPLATE_USED", EventType::Other),
];

/// The bearer-secret check shared with OneSpan Sign: which configured secret `presented`
/// is, compared in constant time against every one (no early exit).
pub(super) fn shared_secret_proof(
    secrets: &[Secret],
    presented: &str,
    header: &str,
) -> Result<Proof, Error> {
    let mut matched = None;
    for (index, secret) in secrets.iter().enumerate() {
        let hit = crate::token_matches(secret.expose(), presented.as_bytes());
        if hit && matched.is_none() {
            matched = Some(index);
        }
    }
    let key = matched.ok_or_else(|| {
        Error::new(
            ErrorKind::SignatureMismatch,
            format!("{header} is not any configured secret"),
        )
    })?;
    Ok(Proof {
        verification: Verification {
            scheme: Scheme::SharedSecret,
            covers: Covers::SharedSecret,
            key,
        },
        signed_at: None,
        client_id: None,
    })
}

pub(super) fn verify(headers: &Headers, secrets: &[Secret]) -> Result<Proof, Error> {
    require_secrets(Provider::Documenso, secrets)?;
    // Empty, or only HTTP whitespace (what Documenso sends without a secret): missing.
    let presented = signature_header(headers, SECRET_HEADER)?;
    shared_secret_proof(secrets, presented, SECRET_HEADER)
}

wire! {
    struct Payload<'a> {
        event: Text<'a> = "event",
        created_at: Text<'a> = "createdAt",
        payload: Loose<Document<'a>> = "payload",
    }
}

wire! {
    struct Document<'a> {
        id: Text<'a> = "id",
        envelope_id: Text<'a> = "envelopeId",
        title: Text<'a> = "title",
        status: Text<'a> = "status",
        recipients: List<Recipient<'a>> = "recipients",
        legacy_recipients: List<Recipient<'a>> = "Recipient",
    }
}

wire! {
    struct Recipient<'a> {
        id: Text<'a> = "id",
        email: Text<'a> = "email",
        name: Text<'a> = "name",
        role: Text<'a> = "role",
        signing_status: Text<'a> = "signingStatus",
        rejection_reason: Text<'a> = "rejectionReason",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "DRAFT" => EnvelopeStatus::Draft,
        "PENDING" => EnvelopeStatus::Sent,
        "COMPLETED" => EnvelopeStatus::Completed,
        "REJECTED" => EnvelopeStatus::Declined,
        "CANCELLED" => EnvelopeStatus::Cancelled,
        _ => EnvelopeStatus::Unknown,
    }
}

/// The top-level members a retry may change, left out of the event id.
pub(crate) const ID_SKIPS: &[&str] = &["createdAt"];

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let document = payload.payload.0.unwrap_or_default();
    let mut fields = Fields {
        provider_event: payload.event.owned(),
        time_millis: payload.created_at.get().and_then(parse_rfc3339_millis),
        // `createdAt` is written at each attempt: the id leaves it out, so a retry keeps it.
        id: super::body_id_without(Provider::Documenso, raw, ID_SKIPS),
        ..Fields::default()
    };
    fields.envelope.id = document.envelope_id.owned().or_else(|| document.id.owned());
    fields.envelope.name = document.title.owned();
    fields.envelope.provider_status = document.status.owned();
    fields.envelope.status = document
        .status
        .get()
        .map_or(EnvelopeStatus::Unknown, envelope_status);
    let recipients = if document.recipients.0.is_empty() {
        &document.legacy_recipients
    } else {
        &document.recipients
    };
    if fields.provider_event.as_deref() == Some("DOCUMENT_REJECTED") {
        let mut rejected = recipients
            .iter()
            .filter(|r| r.signing_status.get() == Some("REJECTED"));
        if let (Some(r), None) = (rejected.next(), rejected.next()) {
            fields.participant = Participant {
                id: r.id.owned(),
                email: r.email.owned(),
                name: r.name.owned(),
                role: r.role.owned(),
                status: r.signing_status.owned(),
            };
            fields.actor.email = r.email.owned();
            fields.actor.name = r.name.owned();
            fields.reason = r.rejection_reason.owned();
        }
    }
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(value: &str) -> Headers {
        [(SECRET_HEADER, value)].into_iter().collect()
    }

    #[test]
    fn the_secret_matches_by_index_and_blank_never_does() {
        let secrets = [Secret::new("old").unwrap(), Secret::new("new").unwrap()];
        let proof = verify(&headers(" new\t"), &secrets).unwrap();
        assert_eq!(proof.verification.key, 1);
        assert_eq!(proof.verification.covers, Covers::SharedSecret);
        for blank in ["", " ", "\t \t"] {
            assert_eq!(
                verify(&headers(blank), &secrets).err().map(|e| e.kind()),
                Some(ErrorKind::MissingSignature),
                "{blank:?}"
            );
        }
        for wrong in ["ne", "new ", "NEW", "old,new", "\u{a0}new"] {
            let h = headers(wrong);
            // `new ` trims to `new` (HTTP whitespace): that one matches.
            let expected = (wrong == "new ").then_some(1);
            assert_eq!(
                verify(&h, &secrets).ok().map(|p| p.verification.key),
                expected,
                "{wrong:?}"
            );
        }
        assert_eq!(
            verify(&headers("x"), &[]).err().map(|e| e.kind()),
            Some(ErrorKind::NoSecretConfigured)
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
