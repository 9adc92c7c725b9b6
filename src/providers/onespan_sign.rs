//! OneSpan Sign.
//!
//! Scheme: **no MAC, no timestamp**. With "Basic" callback authentication, every callback
//! carries `Authorization: Basic <callbackKey>`, the callback key registered at OneSpan,
//! as is: "The callback key you registered is passed through the Authorization header as
//! 'Basic {callbackKey}'" (not base64 of `user:password`). The scheme word is matched
//! case-insensitively (RFC 9110), the key compared in constant time (`token_matches`)
//! against every configured key, with no early exit. A missing or empty header, or a bare
//! `Basic`, is `missing_signature`; another scheme (`Bearer …`) is `malformed_signature`.
//! Only HTTP whitespace is trimmed. The proof says the sender knew the key (`scheme:
//! "shared-secret"`, `covers: "shared-secret"`): the body has no integrity and there is no
//! freshness, so origin should re-fetch the package from OneSpan's API before acting on
//! it. OAuth 2.0 callback authentication is not supported here.
//! <https://docs.onespan.com/docs/managing-event-notifications>,
//! <https://www.onespan.com/blog/onespan-sign-developer-callback-event-notification-part-2>,
//! KB0014510 (docs/providers/onespan-sign.md).
//!
//! Payload (KB0014510): `{"@class": "com.silanis.esl.packages.event.ESLProcessEvent",
//! "name": "PACKAGE_ACTIVATE", "sessionUser": "…", "packageId": "…", "message": null,
//! "documentId": null, "createdDate": "<ISO 8601>"}`. No credential in it. No event id: the
//! id is a hash of the body (OneSpan does not resend; a failure e-mails the sender).
//!
//! Events: only `PACKAGE_ACTIVATE`, `PACKAGE_COMPLETE` and `COBROWSE_REQUEST` are
//! confirmed; the rest of OneSpan's table is [UNCONFIRMED] (its stored copy is truncated)
//! and those names become `esign.other`, with the name kept. What `sessionUser` names is
//! [UNCONFIRMED]: it is left in `data.raw`, not mapped to a participant.

use super::documenso::shared_secret_proof;
use super::spec::Sample;
use super::wire::{parse_object, wire, Text};
use super::{require_secrets, signature_header, Fields, Proof, Provider, Spec};
use crate::error::{Error, ErrorKind};
use crate::event::{Document, EventType};
use crate::headers::{trim_ows, Headers};
use crate::secret::Secret;
use crate::time::parse_rfc3339_millis;

/// The registry entry (`src/providers/mod.rs`).
pub(super) const SPEC: Spec = Spec {
    name: "onespan-sign",
    title: "OneSpan Sign",
    proof_header: AUTHORIZATION,
    config_var: "ONESPAN_SIGN_SECRETS",
    events: EVENTS,
    verify: |headers, _body, config, _now| verify(headers, &config.secrets),
    normalize,
    sign: |_secret, key, _body, _timestamp| format!("Basic {key}"),
    header_note: "OneSpan Sign sends \"Basic <callback key>\" when the callback's authentication is Basic with a callback key",
    name_hints: &["onespan", "silanis"],
    example_secret: "onespan_test_callback_key",
    secrets_note: "the callback keys, sent as `Authorization: Basic <key>` (no MAC: no integrity, no freshness)",
    samples: SAMPLES,
    bearer: true,
    ..Spec::DEFAULT
};

/// The validator page's sample deliveries (its test-delivery panel), one per event shown:
/// documented shapes, made-up ids and people.
const SAMPLES: &[Sample] = &[
    Sample {
        event: "PACKAGE_ACTIVATE",
        body: r#"{
  "@class": "com.silanis.esl.packages.event.ESLProcessEvent",
  "name": "PACKAGE_ACTIVATE",
  "sessionUser": "8QS1yr3q8DEZ",
  "packageId": "xT9OeZ-j2jIynQBaLeLdgp9CtZk=",
  "message": null,
  "documentId": null,
  "createdDate": "2024-11-11T15:46:40.255Z"
}"#,
    },
    Sample {
        event: "PACKAGE_COMPLETE",
        body: r#"{
  "@class": "com.silanis.esl.packages.event.ESLProcessEvent",
  "name": "PACKAGE_COMPLETE",
  "sessionUser": "8QS1yr3q8DEZ",
  "packageId": "xT9OeZ-j2jIynQBaLeLdgp9CtZk=",
  "message": null,
  "documentId": null,
  "createdDate": "2024-11-11T15:48:20.002Z"
}"#,
    },
];

pub(super) const AUTHORIZATION: &str = "Authorization";

/// `name` → type: the confirmed callback events.
pub(super) const EVENTS: &[(&str, EventType)] = &[
    // The package (envelope) went out for signing.
    ("PACKAGE_ACTIVATE", EventType::EnvelopeSent),
    ("PACKAGE_COMPLETE", EventType::EnvelopeCompleted),
    // A co-browsing session was requested: no lifecycle step.
    ("COBROWSE_REQUEST", EventType::Other),
];

pub(super) fn verify(headers: &Headers, secrets: &[Secret]) -> Result<Proof, Error> {
    require_secrets(Provider::OneSpanSign, secrets)?;
    let value = signature_header(headers, AUTHORIZATION)?;
    let (scheme, key) = value.split_once([' ', '\t']).unwrap_or((value, ""));
    if !scheme.eq_ignore_ascii_case("Basic") {
        return Err(Error::new(
            ErrorKind::MalformedSignature,
            format!("{AUTHORIZATION} is not \"Basic <callback key>\""),
        ));
    }
    let key = trim_ows(key);
    if key.is_empty() {
        return Err(Error::new(
            ErrorKind::MissingSignature,
            format!("{AUTHORIZATION} is \"Basic\" with no callback key"),
        ));
    }
    shared_secret_proof(secrets, key, AUTHORIZATION)
}

wire! {
    struct Payload<'a> {
        name: Text<'a> = "name",
        package_id: Text<'a> = "packageId",
        document_id: Text<'a> = "documentId",
        created_date: Text<'a> = "createdDate",
    }
}

pub(super) fn normalize(body: &[u8], _signed_at: Option<i64>) -> Result<(Fields, &str), Error> {
    let (payload, raw) = parse_object::<Payload>(body)?;
    let mut fields = Fields {
        provider_event: payload.name.owned(),
        time_millis: payload.created_date.get().and_then(parse_rfc3339_millis),
        ..Fields::default()
    };
    fields.envelope.id = payload.package_id.owned();
    if let Some(id) = payload.document_id.owned() {
        fields.documents.push(Document {
            id: Some(id),
            name: None,
        });
    }
    Ok((fields, raw))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::event::Covers;

    fn check(value: &str) -> Result<usize, ErrorKind> {
        let h: Headers = [(AUTHORIZATION, value)].into_iter().collect();
        let secrets = [
            Secret::new("old-key").unwrap(),
            Secret::new("new-key").unwrap(),
        ];
        verify(&h, &secrets)
            .map(|p| {
                assert_eq!(p.verification.covers, Covers::SharedSecret);
                p.verification.key
            })
            .map_err(|e| e.kind())
    }

    #[test]
    fn basic_with_the_raw_key() {
        assert_eq!(check("Basic new-key"), Ok(1));
        assert_eq!(check(" basic  old-key\t"), Ok(0));
        assert_eq!(check("Basic"), Err(ErrorKind::MissingSignature));
        assert_eq!(check("Basic   "), Err(ErrorKind::MissingSignature));
        assert_eq!(check(""), Err(ErrorKind::MissingSignature));
        assert_eq!(check("Bearer new-key"), Err(ErrorKind::MalformedSignature));
        assert_eq!(check("new-key"), Err(ErrorKind::MalformedSignature));
        // base64("new-key") is not the key: OneSpan sends it raw.
        assert_eq!(
            check("Basic bmV3LWtleQ=="),
            Err(ErrorKind::SignatureMismatch)
        );
        assert_eq!(check("Basic new-key2"), Err(ErrorKind::SignatureMismatch));
    }
}
