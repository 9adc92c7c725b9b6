//! DocuSeal.
//!
//! Scheme: header `X-Docuseal-Signature: <timestamp>.<hex>`, where `<timestamp>` is Unix
//! seconds and `<hex>` the lowercase hex of HMAC-SHA256(key = the webhook URL's HMAC
//! signing secret, the whole `whsec_…` string as UTF-8, never base64-decoded, message =
//! `<timestamp>` + `.` + the raw body), the timestamp text exactly as sent (digits only).
//! The header splits on its first `.`. The timestamp must lie within the tolerance of `now`
//! (default 300 s, DocuSeal's own five minutes), checked after the MAC. Recent DocuSeal
//! versions sign every delivery; the older "Secret" tab is a static custom header, not a
//! signature, and is not accepted here. A custom header named `X-Docuseal-Signature`
//! replaces the real one (DocuSeal's own warning): it then fails as malformed.
//! <https://github.com/docusealco/docuseal/blob/master/docs/webhooks/webhook-signature.md>,
//! `lib/webhook_urls/signatures.rb`; no published vector.
//!
//! Payload: `{"event_type": "form.completed", "timestamp": "<RFC 3339>", "data": {…}}`.
//! `form.*` events carry the submitter (`id`, `submission_id`, `submission: {id, status}`,
//! `email`, `name`, `role`, `status`, `ip`, `decline_reason`, `template`, `documents`);
//! `submission.*` events the submission (`id`, `status`, `submitters`, `template`,
//! `documents`); `template.*` events the template (`id`, `name`, `documents`).
//! The form, submission and template webhook pages of the same repository's `docs/webhooks/`
//! (<https://github.com/docusealco/docuseal/tree/master/docs/webhooks>); the event
//! names are `app/models/webhook_url.rb`'s (docs/providers/docuseal.md). No event id: the event id
//! is a hash of the body (a retry re-sends the same `timestamp`, the event's creation).

use super::spec::Sample;
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{
    require_secrets, signature_header, timestamped_proof, timestamped_tag, Enc, Fields, MacScheme,
    Proof, Provider, Signed, Spec,
};
use crate::error::{Error, ErrorKind};
use crate::event::{Document, EnvelopeStatus, EventType, Participant};
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;
use crate::verify::{decode_tag, digit_seconds, hex_decode};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "docuseal",
    title: "DocuSeal",
    proof_header: SIGNATURE_HEADER,
    config_var: "DOCUSEAL_SECRETS",
    signs_timestamp: true,
    events: EVENTS,
    verify: |headers, body, config, now| {
        verify(headers, body, &config.secrets, now, config.tolerance_seconds)
    },
    normalize,
    sign: |secret, _key, body, timestamp| sign(secret, body, timestamp),
    mac: Some(MacScheme {
        signed: Signed::TimestampDotBody,
        enc: Enc::Hex,
        prefix_ok: false,
        pairs: None,
    }),
    header_note: "DocuSeal signs every delivery with the webhook URL's HMAC signing secret (Settings → Webhooks → Security → HMAC), in versions that have it",
    name_hints: &["docuseal"],
    example_secret: "whsec_ZG9jdXNlYWxfdGVzdF9zZWNyZXRfMDAwMDAw",
    secrets_note: "the webhook URLs' HMAC signing secrets, the whole `whsec_…` text",
    samples: SAMPLES,
    delivery_note: Some("DocuSeal signs the time: send it within the Worker's tolerance (300 s by default)."),
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "form.completed",
        body: r#"{
  "event_type": "form.completed",
  "timestamp": "2024-11-11T15:46:40Z",
  "data": {
    "id": 1042,
    "submission_id": 771,
    "email": "signer@example.com",
    "ip": "192.0.2.10",
    "name": "Sam Signer",
    "role": "First Party",
    "status": "completed",
    "completed_at": "2024-11-11T15:46:39.000Z",
    "submission": {
      "id": 771,
      "status": "pending",
      "url": "https://docuseal.com/e/abc"
    },
    "template": {
      "id": 55,
      "name": "Lease agreement"
    },
    "documents": [
      {
        "name": "lease",
        "url": "https://docuseal.com/file/lease.pdf"
      }
    ]
  }
}"#,
    },
    Sample {
        event: "submission.completed",
        body: r#"{
  "event_type": "submission.completed",
  "timestamp": "2024-11-11T15:48:20Z",
  "data": {
    "id": 771,
    "source": "invite",
    "status": "completed",
    "submitters": [
      {
        "id": 1042,
        "submission_id": 771,
        "email": "signer@example.com",
        "name": "Sam Signer",
        "status": "completed"
      }
    ],
    "template": {
      "id": 55,
      "name": "Lease agreement"
    },
    "documents": [
      {
        "name": "lease",
        "url": "https://docuseal.com/file/lease-signed.pdf"
      }
    ],
    "completed_at": "2024-11-11T15:48:19.000Z"
  }
}"#,
    },
];

pub(super) const SIGNATURE_HEADER: &str = "X-Docuseal-Signature";

/// `event_type` → type: every event DocuSeal's webhook model lists.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("form.viewed", EventType::ParticipantViewed),
    // The submitter began filling in the form: activity, not a lifecycle step.
    ("form.started", EventType::Other),
    // One submitter completed and signed.
    ("form.completed", EventType::ParticipantSigned),
    // A signer's decline declines the whole submission, and DocuSeal has no
    // submission-level decline event (as Zoho's RequestRejected).
    ("form.declined", EventType::EnvelopeDeclined),
    ("submission.created", EventType::EnvelopeCreated),
    ("submission.completed", EventType::EnvelopeCompleted),
    ("submission.expired", EventType::EnvelopeExpired),
    // Archived (DocuSeal's removal) submissions leave the active list.
    ("submission.archived", EventType::EnvelopeDeleted),
    ("template.created", EventType::TemplateCreated),
    ("template.updated", EventType::TemplateUpdated),
    // No template removal type in the taxonomy: kept as esign.other.
    ("template.archived", EventType::Other),
];

/// The parsed header: the timestamp text as sent, its value, and the tag.
fn parse_header(value: &str) -> Result<(&str, i64, Vec<u8>), Error> {
    let malformed = |why: String| Error::new(ErrorKind::MalformedSignature, why);
    let (t, hex) = value.split_once('.').ok_or_else(|| {
        malformed(format!(
            "{SIGNATURE_HEADER} is not \"<timestamp>.<hex>\" (no '.')"
        ))
    })?;
    let seconds = digit_seconds(t).ok_or_else(|| {
        malformed(format!(
            "{SIGNATURE_HEADER} timestamp {t:?} is not Unix seconds"
        ))
    })?;
    let tag = decode_tag(hex, hex_decode, SIGNATURE_HEADER, "<timestamp>.<hex>")?;
    Ok((t, seconds, tag))
}

pub(super) fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
    now: i64,
    tolerance: u64,
) -> Result<Proof, Error> {
    require_secrets(Provider::DocuSeal, secrets)?;
    let (t, signed_at, tag) = parse_header(signature_header(headers, SIGNATURE_HEADER)?)?;
    timestamped_proof(
        secrets,
        t,
        signed_at,
        &[tag],
        body,
        now,
        tolerance,
        &format!("{SIGNATURE_HEADER} does not match \"<timestamp>.<body>\""),
    )
}

pub(super) fn sign(secret: &Secret, body: &[u8], timestamp: i64) -> String {
    let (t, tag) = timestamped_tag(secret, body, timestamp);
    format!("{t}.{tag}")
}

wire! {
    struct Payload<'a> {
        event_type: Text<'a> = "event_type",
        timestamp: Text<'a> = "timestamp",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    /// A submitter (`form.*`), a submission (`submission.*`) or a template (`template.*`).
    struct Data<'a> {
        id: Text<'a> = "id",
        name: Text<'a> = "name",
        email: Text<'a> = "email",
        role: Text<'a> = "role",
        status: Text<'a> = "status",
        ip: Text<'a> = "ip",
        decline_reason: Text<'a> = "decline_reason",
        submission_id: Text<'a> = "submission_id",
        submission: Loose<Submission<'a>> = "submission",
        template: Loose<Template<'a>> = "template",
        documents: List<DocumentData<'a>> = "documents",
    }
}

wire! {
    struct Submission<'a> {
        id: Text<'a> = "id",
        status: Text<'a> = "status",
    }
}

wire! {
    struct Template<'a> {
        name: Text<'a> = "name",
    }
}

wire! {
    struct DocumentData<'a> {
        id: Text<'a> = "id",
        uuid: Text<'a> = "uuid",
        name: Text<'a> = "name",
        filename: Text<'a> = "filename",
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status {
        "pending" => EnvelopeStatus::Sent,
        "completed" => EnvelopeStatus::Completed,
        "declined" => EnvelopeStatus::Declined,
        "expired" => EnvelopeStatus::Expired,
        _ => EnvelopeStatus::Unknown,
    }
}

pub(super) fn normalize(body: &[u8], signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let data = payload.data.0.unwrap_or_default();
    let event = payload.event_type.owned();
    let kind = event
        .as_deref()
        .and_then(|e| e.split_once('.'))
        .map(|(kind, _)| kind);
    let mut fields = Fields {
        // The event's own time; the signing time when the payload lacks it.
        time_millis: payload
            .timestamp
            .get()
            .and_then(parse_rfc3339_millis)
            .or_else(|| signed_at.and_then(|s| s.checked_mul(1000))),
        ..Fields::default()
    };
    fields.documents = data
        .documents
        .iter()
        .map(|d| Document {
            id: d.id.owned().or_else(|| d.uuid.owned()),
            name: d.name.owned().or_else(|| d.filename.owned()),
        })
        .collect();
    let template_name = data.template.as_ref().and_then(|t| t.name.owned());
    match kind {
        // The submitter: the participant, who acted; the submission is the envelope.
        Some("form") => {
            let submission = data.submission.as_ref();
            fields.envelope.id = submission
                .and_then(|s| s.id.owned())
                .or_else(|| data.submission_id.owned());
            fields.envelope.provider_status = submission.and_then(|s| s.status.owned());
            fields.envelope.status = submission
                .and_then(|s| s.status.get())
                .map_or(EnvelopeStatus::Unknown, envelope_status);
            fields.envelope.name = template_name;
            fields.participant = Participant {
                id: data.id.owned(),
                email: data.email.owned(),
                name: data.name.owned(),
                role: data.role.owned(),
                status: data.status.owned(),
            };
            fields.actor.email = data.email.owned();
            fields.actor.name = data.name.owned();
            fields.actor.ip = data.ip.owned();
            fields.reason = data.decline_reason.owned();
        }
        // A template is the envelope of its own events (as Acrobat's library documents).
        Some("template") => {
            fields.envelope.id = data.id.owned();
            fields.envelope.name = data.name.owned();
        }
        // The submission (and any other or missing kind).
        _ => {
            fields.envelope.id = data.id.owned();
            fields.envelope.name = template_name;
            fields.envelope.provider_status = data.status.owned();
            fields.envelope.status = data
                .status
                .get()
                .map_or(EnvelopeStatus::Unknown, envelope_status);
        }
    }
    fields.provider_event = event;
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn header_shapes() {
        let hex = "ab".repeat(32);
        let value = format!("1767225600.{hex}");
        let (t, s, tag) = parse_header(&value).unwrap();
        assert_eq!((t, s, tag.len()), ("1767225600", 1_767_225_600, 32));
        for bad in [
            hex.clone(),
            format!(".{hex}"),
            format!("-1.{hex}"),
            format!("+1.{hex}"),
            format!("1 .{hex}"),
            format!("{}.{hex}", "9".repeat(19)),
            "1767225600.zz".to_owned(),
            format!("t=1767225600,v1={hex}"),
        ] {
            assert_eq!(
                parse_header(&bad).err().map(|e| e.kind()),
                Some(ErrorKind::MalformedSignature),
                "{bad}"
            );
        }
    }

    #[test]
    fn the_local_vector_verifies_then_ages_out() {
        let body = br#"{"event_type":"form.completed","timestamp":"2026-01-01T00:00:00Z","data":{"id":1,"status":"completed"}}"#;
        let h: crate::Headers = [(
            SIGNATURE_HEADER,
            "1767225600.d9b8d11305c67195ec9d088c3d34f26b24e555c5c1a154b94e7383caa3ae75a9",
        )]
        .into_iter()
        .collect();
        let secrets = [Secret::new("whsec_dGVzdC1kb2N1c2VhbC1zZWNyZXQtYnl0ZXMh").unwrap()];
        let proof = verify(&h, body, &secrets, 1_767_225_600 + 300, 300).unwrap();
        assert_eq!(proof.signed_at, Some(1_767_225_600));
        assert_eq!(
            verify(&h, body, &secrets, 1_767_225_600 + 301, 300)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::TimestampOutOfTolerance)
        );
        // The secret's bytes after `whsec_`, decoded, are not the key.
        let decoded = [Secret::new("test-docuseal-secret-bytes!").unwrap()];
        assert_eq!(
            verify(&h, body, &decoded, 1_767_225_600, 300)
                .err()
                .map(|e| e.kind()),
            Some(ErrorKind::SignatureMismatch)
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
