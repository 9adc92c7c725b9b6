//! DocuSign Connect (HMAC).
//!
//! Scheme: one header per active Connect HMAC key, `X-DocuSign-Signature-1`,
//! `X-DocuSign-Signature-2`, …, each the standard base64 of HMAC-SHA256(key = the Connect
//! key as its literal UTF-8 string, never base64-decoded although it looks like base64,
//! message = the entire raw body, line endings included). A delivery verifies when any
//! present header matches under any configured secret. `X-DocuSign-Signature-1` must be
//! present; headers `-1` to `-100` are read (DocuSign's own maximum is not confirmed: the
//! "up to 100" figure is third-party, so the cap is ours, and numbers beyond it are
//! ignored). `x-authorization-digest`, when sent, must be `HMACSHA256`. No timestamp is
//! signed, so no replay window beyond the body's own `generatedDateTime`.
//! <https://developers.docusign.com/platform/webhooks/connect/validate>,
//! <https://www.docusign.com/blog/developers/manually-authenticating-hmac-signatures-docusign-connect-webhook-configurations>
//! (and DocuSign's code examples, `validateWebhookMessage.js`); no published vector.
//!
//! Payload: JSON SIM (Connect 2.0), `{"event": "envelope-sent", "apiVersion", "uri",
//! "retryCount", "configurationId", "generatedDateTime", "data": {"accountId", "userId",
//! "envelopeId", "recipientId", "envelopeSummary": {…}}}`. DocuSign's field table could not
//! be read: the shape comes from third-party captures; `data.envelopeSummary` (status,
//! `emailSubject`, `sender`, `recipients`, `envelopeDocuments`) is present only when the
//! Connect configuration includes data, and the event name list is third-party
//! (consistent configurations calling the official SDK): both unconfirmed. Legacy XML (and
//! legacy aggregate) messages verify, since the MAC covers any body, but fail normalization
//! with `malformed_payload`: a JSON object is required; configure JSON SIM.
//! <https://developers.docusign.com/platform/webhooks/connect/json-sim-event-model>
//!
//! No event id is documented (an `eventId` seen once in third-party code is unconfirmed).
//! DocuSign's retries carry a new `retryCount`, so a retry is not byte-identical: the id is
//! a hash of every top-level member but `retryCount` (`event`, `apiVersion`, `uri`,
//! `configurationId`, `generatedDateTime`, `data`), all covered by the MAC. Template events: whether `data`
//! names the template (and how) is unconfirmed; `subject` is `data.envelopeId` only.

use super::spec::Sample;
use super::spec::{SignedTime, TimeFormat};
use super::wire::{parse_object, wire, List, Loose, Text};
use super::{
    body_hmac_proof, require_secrets, signature_header, Enc, Fields, MacScheme, Proof, Provider,
    Signed, Spec,
};
use crate::error::{Error, ErrorKind};
use crate::event::{Actor, Document, EnvelopeStatus, EventType, Participant};
use crate::headers::trim_ows;
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;
use crate::verify::{base64_decode, base64_encode, decode_tag, hmac_sha256};

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "docusign",
    title: "DocuSign",
    proof_header: SIGNATURE_HEADER,
    config_var: "DOCUSIGN_SECRETS",
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
    header_note: "DocuSign Connect sends one X-DocuSign-Signature-<n> per active key only when \"Include HMAC Signature\" is enabled on the Connect configuration and a Connect key exists (Admin → Connect → Connect Keys)",
    name_hints: &["docusign"],
    example_secret: "docusign_test_secret",
    secrets_note: "the Connect HMAC keys as their literal text (they look like base64: do not decode them)",
    signed_time: Some(SignedTime { paths: &[&["generatedDateTime"]], format: TimeFormat::Rfc3339 { fraction_digits: 7 } }),
    samples: SAMPLES,
    account_field: Some("data.accountId"),
    matched_header: Some(matched_header),
    ..Spec::DEFAULT
};

/// The `X-DocuSign-Signature-<n>` (one per active Connect key) whose tag, base64 or hex,
/// is the body's under `secret`.
fn matched_header(headers: &crate::Headers, body: &[u8], secret: &Secret) -> Option<String> {
    let tag = hmac_sha256(secret, &[body]);
    let stem = SIGNATURE_HEADER.strip_suffix('1')?;
    (1..=100).map(|n| format!("{stem}{n}")).find(|name| {
        headers.get(name).is_some_and(|value| {
            let value = trim_ows(value);
            base64_decode(value).as_deref() == Some(&tag[..])
                || crate::verify::hex_decode(value).as_deref() == Some(&tag[..])
        })
    })
}

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "recipient-completed",
        body: r#"{
  "event": "recipient-completed",
  "apiVersion": "v2.1",
  "uri": "/restapi/v2.1/accounts/8f2d6a10-0000-4000-8000-000000000001/envelopes/4b7e1c2d-0000-4000-8000-00000000e001",
  "retryCount": 0,
  "configurationId": 10476521,
  "generatedDateTime": "2024-11-11T15:46:40.1234567Z",
  "data": {
    "accountId": "8f2d6a10-0000-4000-8000-000000000001",
    "userId": "24b7d0ca-0000-4000-8000-000000000002",
    "envelopeId": "4b7e1c2d-0000-4000-8000-00000000e001",
    "recipientId": "1",
    "envelopeSummary": {
      "status": "sent",
      "emailSubject": "Please sign: Lease",
      "recipients": {
        "signers": [
          {
            "recipientId": "1",
            "name": "Sam Signer",
            "email": "signer@example.com",
            "status": "completed"
          }
        ]
      },
      "envelopeDocuments": [
        {
          "documentId": "1",
          "name": "lease.pdf"
        }
      ]
    }
  }
}"#,
    },
    Sample {
        event: "envelope-completed",
        body: r#"{
  "event": "envelope-completed",
  "apiVersion": "v2.1",
  "uri": "/restapi/v2.1/accounts/8f2d6a10-0000-4000-8000-000000000001/envelopes/4b7e1c2d-0000-4000-8000-00000000e001",
  "retryCount": 0,
  "configurationId": 10476521,
  "generatedDateTime": "2024-11-11T15:48:20.7654321Z",
  "data": {
    "accountId": "8f2d6a10-0000-4000-8000-000000000001",
    "userId": "24b7d0ca-0000-4000-8000-000000000002",
    "envelopeId": "4b7e1c2d-0000-4000-8000-00000000e001"
  }
}"#,
    },
];

/// The first signature header; the others are numbered on.
pub(super) const SIGNATURE_HEADER: &str = "X-DocuSign-Signature-1";
/// What every numbered signature header starts with (compared case-insensitively).
const SIGNATURE_PREFIX: &str = "x-docusign-signature-";
/// The highest header number read.
pub(super) const MAX_SIGNATURES: u32 = 100;
/// Names the MAC algorithm; optional, and then only `HMACSHA256`.
const DIGEST_HEADER: &str = "x-authorization-digest";

/// `event` → type: every JSON SIM event name the provider's documentation lists.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    ("envelope-created", EventType::EnvelopeCreated),
    ("envelope-sent", EventType::EnvelopeSent),
    // The sender sent the notifications again: a manual reminder.
    ("envelope-resent", EventType::EnvelopeReminderSent),
    // Every recipient has opened it: no envelope-level "viewed" type.
    ("envelope-delivered", EventType::EnvelopeUpdated),
    ("envelope-completed", EventType::EnvelopeCompleted),
    ("envelope-declined", EventType::EnvelopeDeclined),
    ("envelope-voided", EventType::EnvelopeCancelled),
    ("envelope-corrected", EventType::EnvelopeUpdated),
    // The envelope's documents were purged (as Acrobat's AGREEMENT_DOCUMENTS_DELETED).
    ("envelope-purge", EventType::EnvelopeDeleted),
    ("envelope-deleted", EventType::EnvelopeDeleted),
    // A draft thrown away.
    ("envelope-discard", EventType::EnvelopeDeleted),
    ("recipient-sent", EventType::ParticipantNotified),
    ("recipient-resent", EventType::ParticipantNotified),
    // The notification e-mail came back (DocuSign's AutoResponded status).
    ("recipient-autoresponded", EventType::EmailBounced),
    ("recipient-delivered", EventType::ParticipantViewed),
    ("recipient-completed", EventType::ParticipantSigned),
    ("recipient-declined", EventType::ParticipantDeclined),
    (
        "recipient-authenticationfailed",
        EventType::ParticipantIdentityFailed,
    ),
    ("recipient-delegate", EventType::ParticipantReassigned),
    ("recipient-reassign", EventType::ParticipantReassigned),
    // The signer left to finish later: no lifecycle change.
    ("recipient-finish-later", EventType::Other),
    ("template-created", EventType::TemplateCreated),
    ("template-modified", EventType::TemplateUpdated),
    // No template deletion type in the taxonomy: kept as esign.other.
    ("template-deleted", EventType::Other),
    // DocuSign Click (clickwraps): outside any envelope.
    ("click-agreed", EventType::Other),
    ("click-declined", EventType::Other),
];

/// The numbered signature headers' values, in header order: `X-DocuSign-Signature-<n>` for
/// `n` in 1..=[`MAX_SIGNATURES`] (no leading zeros).
fn signature_values(headers: &crate::Headers) -> Vec<(&str, &str)> {
    headers
        .iter()
        .filter(|(name, _)| {
            let Some(head) = name.get(..SIGNATURE_PREFIX.len()) else {
                return false;
            };
            let number = name.get(SIGNATURE_PREFIX.len()..).unwrap_or_default();
            head.eq_ignore_ascii_case(SIGNATURE_PREFIX)
                && !number.starts_with('0')
                && number.bytes().all(|b| b.is_ascii_digit())
                && number
                    .parse::<u32>()
                    .is_ok_and(|n| (1..=MAX_SIGNATURES).contains(&n))
        })
        .map(|(name, value)| (name, trim_ows(value)))
        .collect()
}

pub(super) fn verify(
    headers: &crate::Headers,
    body: &[u8],
    secrets: &[Secret],
) -> Result<Proof, Error> {
    require_secrets(Provider::DocuSign, secrets)?;
    signature_header(headers, SIGNATURE_HEADER)?;
    if let Some(algo) = headers.get(DIGEST_HEADER).map(trim_ows) {
        if !algo.is_empty() && !algo.eq_ignore_ascii_case("HMACSHA256") {
            return Err(Error::new(
                ErrorKind::MalformedSignature,
                format!("{DIGEST_HEADER} names algorithm {algo:?}, expected HMACSHA256"),
            ));
        }
    }
    // Every present header is decoded; one that does not decode is an error only when no
    // other header gives a tag (a MAC match alone decides).
    let mut tags = Vec::new();
    let mut first_error = None;
    for (name, value) in signature_values(headers) {
        if value.is_empty() {
            continue;
        }
        match decode_tag(value, base64_decode, name, "base64") {
            Ok(tag) => tags.push(tag),
            Err(e) => {
                first_error.get_or_insert(e);
            }
        }
    }
    if tags.is_empty() {
        return Err(first_error.unwrap_or_else(|| {
            Error::new(
                ErrorKind::MissingSignature,
                format!("{SIGNATURE_HEADER} header is empty"),
            )
        }));
    }
    body_hmac_proof(
        secrets,
        body,
        &tags,
        "no X-DocuSign-Signature-<n> header matches the body",
    )
}

pub(super) fn sign(secret: &Secret, body: &[u8]) -> String {
    base64_encode(&hmac_sha256(secret, &[body]))
}

wire! {
    struct Payload<'a> {
        event: Text<'a> = "event",
        generated: Text<'a> = "generatedDateTime",
        data: Loose<Data<'a>> = "data",
    }
}

wire! {
    struct Data<'a> {
        envelope_id: Text<'a> = "envelopeId",
        recipient_id: Text<'a> = "recipientId",
        summary: Loose<Summary<'a>> = "envelopeSummary",
    }
}

wire! {
    struct Summary<'a> {
        status: Text<'a> = "status",
        email_subject: Text<'a> = "emailSubject",
        voided_reason: Text<'a> = "voidedReason",
        sender: Loose<Sender<'a>> = "sender",
        recipients: Loose<Recipients<'a>> = "recipients",
        documents: List<EnvelopeDocument<'a>> = "envelopeDocuments",
    }
}

wire! {
    struct Sender<'a> {
        user_name: Text<'a> = "userName",
        email: Text<'a> = "email",
        ip_address: Text<'a> = "ipAddress",
    }
}

wire! {
    struct Recipients<'a> {
        signers: List<Recipient<'a>> = "signers",
        carbon_copies: List<Recipient<'a>> = "carbonCopies",
        certified_deliveries: List<Recipient<'a>> = "certifiedDeliveries",
        in_person_signers: List<Recipient<'a>> = "inPersonSigners",
        agents: List<Recipient<'a>> = "agents",
        editors: List<Recipient<'a>> = "editors",
        intermediaries: List<Recipient<'a>> = "intermediaries",
        witnesses: List<Recipient<'a>> = "witnesses",
    }
}

wire! {
    struct Recipient<'a> {
        recipient_id: Text<'a> = "recipientId",
        email: Text<'a> = "email",
        name: Text<'a> = "name",
        role_name: Text<'a> = "roleName",
        status: Text<'a> = "status",
        declined_reason: Text<'a> = "declinedReason",
    }
}

wire! {
    struct EnvelopeDocument<'a> {
        document_id: Text<'a> = "documentId",
        name: Text<'a> = "name",
    }
}

impl<'a> Recipients<'a> {
    /// Every recipient with its role (the list it is in).
    fn all(&self) -> impl Iterator<Item = (&'static str, &Recipient<'a>)> {
        [
            ("signer", &self.signers),
            ("carbon_copy", &self.carbon_copies),
            ("certified_delivery", &self.certified_deliveries),
            ("in_person_signer", &self.in_person_signers),
            ("agent", &self.agents),
            ("editor", &self.editors),
            ("intermediary", &self.intermediaries),
            ("witness", &self.witnesses),
        ]
        .into_iter()
        .flat_map(|(role, list)| list.iter().map(move |r| (role, r)))
    }
}

fn envelope_status(status: &str) -> EnvelopeStatus {
    match status.to_ascii_lowercase().as_str() {
        "created" => EnvelopeStatus::Draft,
        "sent" | "delivered" | "signed" | "correct" => EnvelopeStatus::Sent,
        "completed" => EnvelopeStatus::Completed,
        "declined" => EnvelopeStatus::Declined,
        "voided" => EnvelopeStatus::Cancelled,
        "timedout" | "expired" => EnvelopeStatus::Expired,
        "deleted" => EnvelopeStatus::Deleted,
        _ => EnvelopeStatus::Unknown,
    }
}

fn participant(role: &str, r: &Recipient) -> Participant {
    Participant {
        id: r.recipient_id.owned(),
        email: r.email.owned(),
        name: r.name.owned(),
        role: r.role_name.owned().or_else(|| Some(role.to_owned())),
        status: r.status.owned(),
    }
}

/// Envelope events done by the sender, whose actor the summary names.
const SENDER_EVENTS: &[&str] = &[
    "envelope-created",
    "envelope-sent",
    "envelope-resent",
    "envelope-corrected",
    "envelope-voided",
    "envelope-deleted",
    "envelope-discard",
];

/// The top-level members a retry may change, left out of the event id.
pub(crate) const ID_SKIPS: &[&str] = &["retryCount"];

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let data = payload.data.0.unwrap_or_default();
    let event = payload.event.owned();
    let mut fields = Fields {
        time_millis: payload.generated.get().and_then(parse_rfc3339_millis),
        // A retry changes `retryCount` only: the id leaves it out, so a retry keeps it.
        id: super::body_id_without(Provider::DocuSign, raw, ID_SKIPS),
        ..Fields::default()
    };
    fields.envelope.id = data.envelope_id.owned();
    fields.participant.id = data.recipient_id.owned();
    if let Some(summary) = data.summary.as_ref() {
        fields.envelope.name = summary.email_subject.owned();
        fields.envelope.provider_status = summary.status.owned();
        fields.envelope.status = summary
            .status
            .get()
            .map_or(EnvelopeStatus::Unknown, envelope_status);
        fields.documents = summary
            .documents
            .iter()
            .map(|d| Document {
                id: d.document_id.owned(),
                name: d.name.owned(),
            })
            .collect();
        let recipients = summary.recipients.as_ref();
        let is_recipient_event = event
            .as_deref()
            .is_some_and(|e| e.starts_with("recipient-"));
        if let (Some(recipients), Some(id)) = (recipients, data.recipient_id.get()) {
            if let Some((role, r)) = recipients
                .all()
                .find(|(_, r)| r.recipient_id.get() == Some(id))
            {
                fields.participant = participant(role, r);
                if is_recipient_event {
                    fields.actor = Actor {
                        email: r.email.owned(),
                        name: r.name.owned(),
                        ip: None,
                    };
                }
                fields.reason = r.declined_reason.owned();
            }
        }
        if event.as_deref() == Some("envelope-declined") && fields.reason.is_none() {
            // The recipient who declined says why.
            fields.reason = recipients.and_then(|rs| {
                rs.all()
                    .find(|(_, r)| r.declined_reason.get().is_some())
                    .and_then(|(_, r)| r.declined_reason.owned())
            });
        }
        if event.as_deref() == Some("envelope-voided") {
            fields.reason = summary.voided_reason.owned();
        }
        if event.as_deref().is_some_and(|e| SENDER_EVENTS.contains(&e)) {
            if let Some(sender) = summary.sender.as_ref() {
                fields.actor = Actor {
                    email: sender.email.owned(),
                    name: sender.user_name.owned(),
                    ip: sender.ip_address.owned(),
                };
            }
        }
    }
    fields.provider_event = event;
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&str, &str)]) -> crate::Headers {
        pairs.iter().copied().collect()
    }

    #[test]
    fn numbered_headers_only_within_the_cap() {
        let h = headers(&[
            ("X-DocuSign-Signature-1", "a"),
            ("x-docusign-signature-2", "b"),
            ("X-DocuSign-Signature-100", "c"),
            ("X-DocuSign-Signature-101", "d"),
            ("X-DocuSign-Signature-0", "e"),
            ("X-DocuSign-Signature-01", "f"),
            ("X-DocuSign-Signature-", "g"),
            ("X-DocuSign-Signature-1x", "h"),
            ("X-DocuSign-Signature-+3", "i"),
        ]);
        let values: Vec<&str> = signature_values(&h).into_iter().map(|(_, v)| v).collect();
        assert_eq!(values, ["a", "b", "c"]);
    }

    #[test]
    fn the_local_vector_verifies_under_either_header() {
        let body = br#"{"event":"envelope-completed","apiVersion":"v2.1","uri":"/restapi/v2.1/accounts/a/envelopes/e","retryCount":0,"configurationId":10476521,"generatedDateTime":"2024-02-06T02:25:00.3464434Z","data":{"accountId":"a","userId":"u","envelopeId":"e"}}"#;
        let tag = "6EqLrHpacnO8EycItORNKpnt/sYeM+vQKTHMJtKMnKs=";
        let secrets = [Secret::new("dGVzdC1kb2N1c2lnbi1obWFjLWtleQ==").unwrap()];
        assert!(verify(&headers(&[("X-DocuSign-Signature-1", tag)]), body, &secrets).is_ok());
        let h = headers(&[
            ("X-DocuSign-Signature-1", "not base64!"),
            ("X-DocuSign-Signature-2", tag),
        ]);
        assert!(verify(&h, body, &secrets).is_ok());
        let h = headers(&[("X-DocuSign-Signature-2", tag)]);
        assert_eq!(
            verify(&h, body, &secrets).err().map(|e| e.kind()),
            Some(ErrorKind::MissingSignature)
        );
        let h = headers(&[
            ("X-DocuSign-Signature-1", tag),
            ("x-authorization-digest", "HMACSHA1"),
        ]);
        assert_eq!(
            verify(&h, body, &secrets).err().map(|e| e.kind()),
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
