//! Which provider account an event belongs to, where the payload says: what a tenant's
//! registered account ids are checked against, so that a key shared by many customers (an
//! integrator's app key: DocuSign with an integrator-managed Connect configuration, Dropbox
//! Sign app callbacks) only delivers a customer's events to that customer's tenant. Where
//! a provider's payload names its account is its [`Spec::account_field`](super::Spec)
//! (docs/worker.md's table is generated from it); the other providers' secrets are per webhook or
//! per account, so the signature itself tells tenants apart.

use super::{multipart, Provider};
use crate::json::Reader;

/// The payload path of `provider`'s account id, dotted (`data.accountId`); `None` when its
/// payloads name no account.
pub fn account_field(provider: Provider) -> Option<&'static str> {
    provider.spec().account_field
}

/// The account id `body` names (a string, or a number's digits), read as the provider's
/// normalizer reads the payload (the last of repeated keys; a multipart body's `json`
/// field); `None` when the provider's payloads name no account or this one does not.
pub fn account_id(provider: Provider, body: &[u8]) -> Option<String> {
    let field = account_field(provider)?;
    let json = if multipart::is_multipart(body) {
        multipart::field(body, "json").ok()?
    } else {
        body
    };
    let path: Vec<&str> = field.split('.').collect();
    value_at(std::str::from_utf8(json).ok()?, &path)
}

/// The scalar at `path` in the JSON object `text`.
fn value_at(text: &str, path: &[&str]) -> Option<String> {
    let (start, end) = super::wire::span_at(text, path)?;
    let value = text.get(start..end)?;
    match value.as_bytes().first()? {
        b'"' => Reader::new(value)
            .string()
            .ok()
            .flatten()
            .map(|s| s.into_owned()),
        b'-' | b'0'..=b'9' => Some(value.to_owned()),
        _ => None,
    }
    .filter(|id| !id.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_ids() {
        let docusign =
            br#"{"event":"envelope-sent","data":{"accountId":"acct-1","envelopeId":"e"}}"#;
        assert_eq!(
            account_id(Provider::DocuSign, docusign).as_deref(),
            Some("acct-1")
        );
        let repeated = br#"{"data":{"accountId":"a"},"data":{"accountId":"b"}}"#;
        assert_eq!(
            account_id(Provider::DocuSign, repeated).as_deref(),
            Some("b")
        );
        let documenso = br#"{"event":"DOCUMENT_SENT","payload":{"id":1,"teamId":42}}"#;
        assert_eq!(
            account_id(Provider::Documenso, documenso).as_deref(),
            Some("42")
        );
        let dropbox = br#"{"event":{"event_type":"x","event_metadata":{"reported_for_account_id":"63522885f9261e2b04eea043933ee7313eb674fd"}}}"#;
        assert_eq!(
            account_id(Provider::DropboxSign, dropbox).as_deref(),
            Some("63522885f9261e2b04eea043933ee7313eb674fd")
        );
        for (provider, body) in [
            (Provider::DocuSign, &br#"{"data":{}}"#[..]),
            (Provider::DocuSign, br#"{"data":{"accountId":null}}"#),
            (Provider::DocuSign, br#"{"data":{"accountId":""}}"#),
            (Provider::DocuSign, br#"{"data":"x"}"#),
            (Provider::DocuSign, b"not json"),
            (Provider::ZohoSign, br#"{"data":{"accountId":"a"}}"#),
        ] {
            assert_eq!(account_id(provider, body), None);
        }
    }
}
