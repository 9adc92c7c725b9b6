//! What the diagnosis's tests share: sample payloads, a fixed `now`, and small builders.

#![allow(clippy::unwrap_used)]

use super::Diagnosis;
use crate::headers::Headers;
use crate::providers::VerifyConfig;
use crate::secret::Secret;
use crate::verify::hmac_sha256;

/// A Zoho Sign payload.
pub(super) const ZOHO_BODY: &[u8] = br#"{"requests":{"request_name":"NDA","request_id":"2000000123","request_status":"inprogress"},"notifications":{"operation_type":"RequestSigningSuccess","performed_at":1700000000000,"performed_by_email":"ann@example.com"}}"#;
/// A Yousign payload.
pub(super) const YOUSIGN_BODY: &[u8] = br#"{"event_id":"d2d9d1e5-5c3e-4f59-9c0e-3f3b2a7b8c11","event_name":"signer.done","event_time":"1700000000","sandbox":false,"data":{"signature_request":{"id":"sr-1","name":"Lease","status":"ongoing"},"signer":{"id":"s-1","status":"signed","info":{"email":"bo@example.com","first_name":"Bo","last_name":"Lind"}}}}"#;
/// A Zigned payload (its documented sample).
pub(super) const ZIGNED_BODY: &[u8] = br#"{"event":"agreement.lifecycle.finalized","data":{"id":"cm0testagreement000000000","test_mode":true}}"#;
/// An Acrobat Sign payload.
pub(super) const ACROBAT_BODY: &[u8] = br#"{"webhookNotificationId":"n-1","event":"AGREEMENT_WORKFLOW_COMPLETED","eventDate":"2024-05-30T22:57:28Z","agreement":{"id":"CBJCHBCAABAA","name":"MSA","status":"SIGNED"}}"#;
/// The tests' `now`, Unix seconds.
pub(super) const NOW: i64 = 1_731_340_000;

/// Headers from name, value pairs.
pub(super) fn headers(pairs: &[(&str, &str)]) -> Headers {
    pairs.iter().copied().collect()
}

/// A configuration with these secrets and no age bound: the bodies here are dated long
/// before `NOW` (a test that wants a bound sets one).
pub(super) fn secrets(list: &[&str]) -> VerifyConfig {
    VerifyConfig {
        max_event_age_seconds: None,
        ..VerifyConfig::with_secrets(list.iter().map(|s| Secret::new(s).unwrap()).collect())
    }
}

/// HMAC-SHA256 of `parts` under `secret`.
pub(super) fn mac(secret: &str, parts: &[&[u8]]) -> [u8; 32] {
    hmac_sha256(&Secret::new(secret).unwrap(), parts)
}

/// The findings' codes, in order.
pub(super) fn codes(d: &Diagnosis) -> Vec<&'static str> {
    d.findings.iter().map(|f| f.code).collect()
}
