//! Adobe Acrobat Sign (REST v6 webhooks).
//!
//! Scheme: no MAC. Every notification (POST) and the "verification of intent" (GET) carry
//! `X-ADOBESIGN-CLIENTID`, the client id of the API application that created the webhook.
//! The receiver accepts only allow-listed ids and MUST echo the id back, in the response
//! header `X-AdobeSign-ClientId` or as `{"xAdobeSignClientId": "<id>"}`, with a 2xx; an
//! unknown id MUST NOT get a success answer. This is an allow-list, not authentication:
//! the body is not covered (`covers: "client-id"`). Mutual TLS and OAuth 2.0 bearer tokens
//! are optional extras configured at Adobe and checked outside this crate.
//! <https://developer.adobe.com/acrobat-sign/docs/overview/acrobat_sign_events/>
//!
//! Payload: `webhookNotificationId` (the event id), `event`, `subEvent`, `eventDate`
//! (ISO-8601), `participantUserEmail`, `actingUserEmail`, … and one resource object:
//! `agreement`, `megaSign`, `widget` or `libraryDocument`.
//! <https://developer.adobe.com/acrobat-sign/docs/overview/acrobat_sign_events/webhookeventsagreements>

use super::spec::{Echo, Sample};
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{Fields, Keys, Proof, Spec};
use crate::error::{Error, ErrorKind};
use crate::event::{Covers, Document, EnvelopeStatus, EventType, Scheme, Verification};
use crate::headers::Headers;
use crate::time::parse_rfc3339_millis;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "acrobat-sign",
    title: "Acrobat Sign",
    proof_header: CLIENT_ID_HEADER,
    config_var: "ACROBAT_SIGN_CLIENT_IDS",
    keys: Keys::ClientIds,
    events: EVENTS,
    verify: |headers, _body, config, _now| verify(headers, &config.client_ids),
    normalize,
    // No MAC: the "proof" is the client id itself.
    sign: |_secret, key, _body, _timestamp| key.to_owned(),
    header_note:
        "Acrobat Sign sends it on every notification and on the GET verification of intent",
    name_hints: &["adobe", "acrobat"],
    example_secret: "CBJCHBCAABAAtestclientid0000",
    secrets_note: "the allowed client (application) ids; a client id is public, so the route also takes a URL token (`ACROBAT_SIGN_URL_TOKENS`)",
    samples: SAMPLES,
    delivery_note: Some("Acrobat Sign sends no MAC and its client id is public: the Worker also requires the secret token at the end of the URL (ACROBAT_SIGN_URL_TOKENS; this one is .dev.vars.example's, refused outside localhost). Even then the body is not authenticated: origin should re-fetch the agreement before acting on it."),
    echo: Some(Echo {
        header: "X-AdobeSign-ClientId",
        field: "xAdobeSignClientId",
    }),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "AGREEMENT_WORKFLOW_COMPLETED",
        body: r#"{
  "webhookId": "9b7fc222-0c74-478b-9bde-8ac70a2dd163",
  "webhookNotificationId": "d20d758a-f8b2-41b7-8c20-016312de7978",
  "event": "AGREEMENT_WORKFLOW_COMPLETED",
  "eventDate": "2024-11-11T15:46:40Z",
  "eventResourceType": "agreement",
  "participantUserEmail": "sender@example.com",
  "actingUserEmail": "signer@example.com",
  "agreement": {
    "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
    "name": "Master services agreement",
    "status": "SIGNED"
  }
}"#,
    },
    Sample {
        event: "AGREEMENT_ACTION_COMPLETED",
        body: r#"{
  "webhookNotificationId": "5c1f0b8e-2a7d-4c3e-9f10-6b2d8e4a7c11",
  "event": "AGREEMENT_ACTION_COMPLETED",
  "actionType": "ESIGNED",
  "eventDate": "2024-11-11T15:40:00Z",
  "participantUserEmail": "signer@example.com",
  "participantRole": "SIGNER",
  "agreement": {
    "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
    "name": "Master services agreement",
    "status": "OUT_FOR_SIGNATURE"
  }
}"#,
    },
    Sample {
        event: "AGREEMENT_REJECTED",
        body: r#"{
  "webhookNotificationId": "0e9d8c7b-6a5f-4e3d-8c2b-1a0f9e8d7c6b",
  "event": "AGREEMENT_REJECTED",
  "eventDate": "2024-11-11T15:50:00Z",
  "participantUserEmail": "signer@example.com",
  "agreement": {
    "id": "CBJCHBCAABAA2XhaLGV0pKssKU03QXTcTXS4ebPyoSL_",
    "name": "Master services agreement",
    "status": "CANCELLED"
  }
}"#,
    },
];

pub(super) const CLIENT_ID_HEADER: &str = "X-AdobeSign-ClientId";

/// `event` → type: every event of Acrobat Sign's agreement, MegaSign, web form (widget)
/// and library document catalogue. `*_ALL` are subscription wildcards, never sent.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("AGREEMENT_CREATED", EventType::EnvelopeCreated),
    ("AGREEMENT_RESTARTED", EventType::EnvelopeSent),
    ("AGREEMENT_SHARED", EventType::EnvelopeUpdated),
    ("AGREEMENT_UNSHARED", EventType::EnvelopeUpdated),
    ("AGREEMENT_UNSHARED_AUTO", EventType::EnvelopeUpdated),
    ("AGREEMENT_MODIFIED", EventType::EnvelopeUpdated),
    (
        "AGREEMENT_PARTICIPANT_COMPLETED",
        EventType::ParticipantSigned,
    ),
    (
        "AGREEMENT_PARTICIPANT_REPLACED",
        EventType::ParticipantReassigned,
    ),
    (
        "AGREEMENT_ACTION_REPLACED_SIGNER",
        EventType::ParticipantReassigned,
    ),
    (
        "AGREEMENT_ACTION_DELEGATED",
        EventType::ParticipantReassigned,
    ),
    ("AGREEMENT_ACTION_REQUESTED", EventType::ParticipantNotified),
    // `approved` when `actionType` is APPROVED (see `refine`).
    ("AGREEMENT_ACTION_COMPLETED", EventType::ParticipantSigned),
    (
        "AGREEMENT_AUTO_CANCELLED_CONVERSION_PROBLEM",
        EventType::EnvelopeFailed,
    ),
    ("AGREEMENT_DOCUMENTS_DELETED", EventType::EnvelopeDeleted),
    ("AGREEMENT_EMAIL_BOUNCED", EventType::EmailBounced),
    ("AGREEMENT_EMAIL_VIEWED", EventType::ParticipantViewed),
    (
        "AGREEMENT_EMAIL_OTP_AUTHENTICATED",
        EventType::ParticipantIdentityVerified,
    ),
    (
        "AGREEMENT_RECALLED_MAX_SIGNING_EMAIL_OTP_ATTEMPTS",
        EventType::EnvelopeCancelled,
    ),
    ("AGREEMENT_REMINDER_INITIATED", EventType::EnvelopeUpdated),
    ("AGREEMENT_REMINDER_SENT", EventType::EnvelopeReminderSent),
    ("AGREEMENT_OFFLINE_SYNC", EventType::EnvelopeUpdated),
    (
        "AGREEMENT_WEB_IDENTITY_AUTHENTICATED",
        EventType::ParticipantIdentityVerified,
    ),
    (
        "AGREEMENT_KBA_AUTHENTICATED",
        EventType::ParticipantIdentityVerified,
    ),
    ("AGREEMENT_READY_TO_NOTARIZE", EventType::EnvelopeUpdated),
    (
        "AGREEMENT_USER_ACK_AGREEMENT_MODIFIED",
        EventType::EnvelopeUpdated,
    ),
    ("AGREEMENT_READY_TO_VAULT", EventType::EnvelopeUpdated),
    ("AGREEMENT_VAULTED", EventType::EnvelopeUpdated),
    (
        "AGREEMENT_SIGNER_NAME_CHANGED_BY_SIGNER",
        EventType::EnvelopeUpdated,
    ),
    ("AGREEMENT_WORKFLOW_COMPLETED", EventType::EnvelopeCompleted),
    ("AGREEMENT_DELETED", EventType::EnvelopeDeleted),
    ("AGREEMENT_RECALLED", EventType::EnvelopeCancelled),
    ("AGREEMENT_REJECTED", EventType::EnvelopeDeclined),
    ("AGREEMENT_EXPIRED", EventType::EnvelopeExpired),
    ("AGREEMENT_EXPIRATION_UPDATED", EventType::EnvelopeUpdated),
    ("AGREEMENT_DOCUMENTS_VIEWED", EventType::ParticipantViewed),
    (
        "AGREEMENT_DOCUMENTS_VIEWED_PASSWORD_PROTECTED",
        EventType::ParticipantViewed,
    ),
    ("AGREEMENT_UPLOADED_BY_SENDER", EventType::EnvelopeUpdated),
    ("MEGASIGN_CREATED", EventType::EnvelopeCreated),
    ("MEGASIGN_RECALLED", EventType::EnvelopeCancelled),
    ("MEGASIGN_SHARED", EventType::EnvelopeUpdated),
    ("MEGASIGN_REMINDER_INITIATED", EventType::EnvelopeUpdated),
    ("MEGASIGN_REMINDER_SENT", EventType::EnvelopeReminderSent),
    ("WIDGET_CREATED", EventType::EnvelopeCreated),
    (
        "WIDGET_AUTO_CANCELLED_CONVERSION_PROBLEM",
        EventType::EnvelopeFailed,
    ),
    ("WIDGET_DISABLED", EventType::EnvelopeUpdated),
    ("WIDGET_ENABLED", EventType::EnvelopeUpdated),
    ("WIDGET_MODIFIED", EventType::EnvelopeUpdated),
    ("WIDGET_SHARED", EventType::EnvelopeUpdated),
    ("LIBRARY_DOCUMENT_CREATED", EventType::TemplateCreated),
    ("LIBRARY_DOCUMENT_MODIFIED", EventType::TemplateUpdated),
    (
        "LIBRARY_DOCUMENT_AUTO_CANCELLED_CONVERSION_PROBLEM",
        EventType::TemplateFailed,
    ),
];

pub(super) fn verify(headers: &Headers, client_ids: &[String]) -> Result<Proof, Error> {
    if client_ids.is_empty() {
        return Err(Error::new(
            ErrorKind::NoSecretConfigured,
            "no client id configured for acrobat-sign: refusing every delivery",
        ));
    }
    let presented = match headers.get(CLIENT_ID_HEADER).map(crate::headers::trim_ows) {
        Some(id) if !id.is_empty() => id,
        _ => {
            return Err(Error::new(
                ErrorKind::MissingClientId,
                format!("{CLIENT_ID_HEADER} header is missing or empty"),
            ))
        }
    };
    // Client ids are application identifiers, not secrets; still, compare without an
    // early exit so the allow-list's content does not show in response times.
    let key = client_ids
        .iter()
        .position(|allowed| same_bytes(allowed.as_bytes(), presented.as_bytes()))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::UnknownClientId,
                format!("{CLIENT_ID_HEADER} is not one of the configured client ids"),
            )
        })?;
    Ok(Proof {
        verification: Verification {
            scheme: Scheme::ClientId,
            covers: Covers::ClientId,
            key,
        },
        signed_at: None,
        client_id: Some(presented.to_owned()),
    })
}

fn same_bytes(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

wire! {
    struct Payload<'a> {
        webhook_notification_id: Text<'a> = "webhookNotificationId",
        event: Text<'a> = "event",
        event_date: Text<'a> = "eventDate",
        participant_user_id: Text<'a> = "participantUserId",
        participant_user_email: Text<'a> = "participantUserEmail",
        participant_role: Text<'a> = "participantRole",
        action_type: Text<'a> = "actionType",
        acting_user_email: Text<'a> = "actingUserEmail",
        acting_user_ip_address: Text<'a> = "actingUserIpAddress",
        agreement_cancellation_info: Loose<Cancellation<'a>> = "agreementCancellationInfo",
        agreement: Loose<Resource<'a>> = "agreement",
        mega_sign: Loose<Resource<'a>> = "megaSign" | "megasign",
        widget: Loose<Resource<'a>> = "widget",
        library_document: Loose<Resource<'a>> = "libraryDocument" | "library_document",
    }
}

wire! {
    struct Cancellation<'a> {
        comment: Text<'a> = "comment",
    }
}

wire! {
    struct Resource<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        status: Text<'a> = "status",
        participant_sets_info: Loose<ParticipantSets<'a>> = "participantSetsInfo",
        documents_info: Loose<Documents<'a>> = "documentsInfo",
    }
}

wire! {
    struct ParticipantSets<'a> {
        participant_sets: List<ParticipantSet<'a>> = "participantSets",
    }
}

wire! {
    struct ParticipantSet<'a> {
        member_infos: List<Member<'a>> = "memberInfos",
        role: Text<'a> = "role",
        status: Text<'a> = "status",
    }
}

wire! {
    struct Member<'a> {
        email: Text<'a> = "email",
        name: Text<'a> = "name",
    }
}

wire! {
    struct Documents<'a> {
        documents: List<DocumentInfo<'a>> = "documents",
    }
}

wire! {
    struct DocumentInfo<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        s if s.starts_with("OUT_FOR_") || s.starts_with("WAITING_FOR_") => EnvelopeStatus::Sent,
        "SIGNED" | "APPROVED" | "ACCEPTED" | "DELIVERED" | "FORM_FILLED" | "COMPLETED" => {
            EnvelopeStatus::Completed
        }
        "CANCELLED" | "ABORTED" | "RECALLED" => EnvelopeStatus::Cancelled,
        "EXPIRED" => EnvelopeStatus::Expired,
        "DRAFT" | "AUTHORING" | "PREFILL" | "DOCUMENTS_NOT_YET_PROCESSED" => EnvelopeStatus::Draft,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let event = payload.event.owned();
    let approved = payload.action_type.get() == Some("APPROVED");
    let mut fields = Fields {
        id: payload.webhook_notification_id.owned(),
        event_type: (event.as_deref() == Some("AGREEMENT_ACTION_COMPLETED") && approved)
            .then_some(EventType::ParticipantApproved),
        time_millis: payload.event_date.get().and_then(parse_rfc3339_millis),
        reason: payload
            .agreement_cancellation_info
            .as_ref()
            .and_then(|c| c.comment.owned()),
        ..Fields::default()
    };
    fields.provider_event = event;
    let resource = [
        &payload.agreement,
        &payload.mega_sign,
        &payload.widget,
        &payload.library_document,
    ]
    .into_iter()
    .find_map(Loose::as_ref);
    if let Some(r) = resource {
        fields.envelope.id = r.id.owned();
        fields.envelope.name = r.name.owned();
        fields.envelope.provider_status = r.status.owned();
        fields.envelope.status = r
            .status
            .get()
            .map_or(EnvelopeStatus::Unknown, envelope_status);
        if let Some(docs) = r.documents_info.as_ref() {
            fields.documents = docs
                .documents
                .iter()
                .map(|d| Document {
                    id: d.id.owned(),
                    name: d.name.owned(),
                })
                .collect();
        }
    }
    let email = payload.participant_user_email.get();
    fields.participant.id = payload.participant_user_id.owned();
    fields.participant.email = email.map(str::to_owned);
    fields.participant.role = payload.participant_role.owned();
    // The participant's name and set status live in the agreement's participant sets.
    if let (Some(email), Some(sets)) = (
        email,
        resource.and_then(|r| r.participant_sets_info.as_ref()),
    ) {
        let found = sets.participant_sets.iter().find_map(|set| {
            set.member_infos
                .iter()
                .find(|m| m.email.get().is_some_and(|e| e.eq_ignore_ascii_case(email)))
                .map(|m| (set, m))
        });
        if let Some((set, member)) = found {
            fields.participant.name = member.name.owned();
            fields.participant.status = set.status.owned();
            if fields.participant.role.is_none() {
                fields.participant.role = set.role.owned();
            }
        }
    }
    fields.actor.email = payload.acting_user_email.owned();
    fields.actor.ip = payload.acting_user_ip_address.owned();
    Ok((fields, raw))
}
