//! What leaves the edge: the [`Event`] as `application/cloudevents+json`, signed with the
//! Standard Webhooks scheme so that origin checks one scheme whatever the provider was.
//!
//! Standard Webhooks: `webhook-signature: v1,<base64 HMAC-SHA256(key, "<id>.<ts>.<body>")>`
//! where the key is the base64 part of a `whsec_…` secret.
//! <https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md>

use crate::error::{Error, ErrorKind};
use crate::event::Event;
use crate::secret::Secret;
use crate::verify::{base64_decode, base64_encode, hmac_sha256};

/// The edge's own signing secret, `whsec_<base64>` (the prefix is optional).
#[derive(Debug, Clone)]
pub struct ForwardSecret(Secret);

impl ForwardSecret {
    /// Parses `whsec_<base64 key>`.
    ///
    /// # Errors
    /// `invalid_secret` when the key is not base64 or is shorter than 16 bytes.
    pub fn parse(text: &str) -> Result<ForwardSecret, Error> {
        let text = text.trim();
        let b64 = text.strip_prefix("whsec_").unwrap_or(text);
        let key = base64_decode(b64).ok_or_else(|| {
            Error::new(
                ErrorKind::InvalidSecret,
                "forwarding secret is not whsec_ followed by base64",
            )
        })?;
        // Standard Webhooks asks for 24 to 64 bytes; refuse keys too short to be safe.
        if key.len() < 16 {
            return Err(Error::new(
                ErrorKind::InvalidSecret,
                format!(
                    "forwarding secret has {} bytes, at least 16 are needed",
                    key.len()
                ),
            ));
        }
        Ok(ForwardSecret(Secret::from_bytes(&key)?))
    }
}

/// The request to send to origin.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The CloudEvent, JSON.
    pub body: String,
    /// `content-type`, `webhook-id`, `webhook-timestamp`, `webhook-signature`.
    pub headers: Vec<(&'static str, String)>,
}

/// The `webhook-signature` value for one message.
pub fn standard_webhooks_signature(
    secret: &ForwardSecret,
    msg_id: &str,
    timestamp: i64,
    payload: &[u8],
) -> String {
    let ts = timestamp.to_string();
    let tag = hmac_sha256(
        &secret.0,
        &[msg_id.as_bytes(), b".", ts.as_bytes(), b".", payload],
    );
    format!("v1,{}", base64_encode(&tag))
}

/// The signed request carrying `event` to origin; `timestamp` is Unix seconds (now).
/// `webhook-id` is the event key, [`webhook_id`](crate::webhook_id)`(provider, id)`.
pub fn delivery(event: &Event, secret: &ForwardSecret, timestamp: i64) -> Delivery {
    // A tenant's event (its `tenant` set) lives in the tenant's own namespace.
    let msg_id = match &event.tenant {
        Some(tenant) => crate::delivery::tenant_webhook_id(tenant, event.provider, &event.id),
        None => crate::delivery::webhook_id(event.provider, &event.id),
    };
    signed_delivery(&msg_id, event.to_json(), secret, timestamp)
}

/// The signed request carrying `body` (an event's JSON, as the queue consumer holds it)
/// under `webhook-id` `msg_id`; `timestamp` is Unix seconds (now, one per attempt).
pub fn signed_delivery(
    msg_id: &str,
    body: String,
    secret: &ForwardSecret,
    timestamp: i64,
) -> Delivery {
    let signature = standard_webhooks_signature(secret, msg_id, timestamp, body.as_bytes());
    Delivery {
        headers: vec![
            ("content-type", "application/cloudevents+json".to_owned()),
            ("webhook-id", msg_id.to_owned()),
            ("webhook-timestamp", timestamp.to_string()),
            ("webhook-signature", signature),
        ],
        body,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // The Standard Webhooks spec's own example (the specification linked above, "Signature
    // scheme"): secret, id, timestamp and payload → signature.
    #[test]
    fn standard_webhooks_spec_vector() {
        let secret = ForwardSecret::parse("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw").unwrap();
        let payload = br#"{"test": 2432232314}"#;
        assert_eq!(
            standard_webhooks_signature(
                &secret,
                "msg_p5jXN8AQM9LWM0D4loKWxJek",
                1614265330,
                payload
            ),
            "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="
        );
    }

    #[test]
    fn bad_secrets_are_refused() {
        for bad in ["whsec_!!!", "whsec_", "whsec_c2hvcnQ="] {
            assert_eq!(
                ForwardSecret::parse(bad).unwrap_err().kind(),
                ErrorKind::InvalidSecret
            );
        }
    }
}
