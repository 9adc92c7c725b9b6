//! Test deliveries: the headers ([`sign`]), body ([`sign_body`]) and query ([`sign_query`])
//! a provider would send.

use crate::error::{Error, ErrorKind};
use crate::secret::Secret;

use super::{multipart, ProofAt, Provider};

/// The headers `provider` would send with `body`, for producing test deliveries. For a
/// provider whose proof is in the body (SignWell) only `Content-Type`: send the body
/// [`sign_body`] returns.
/// `key` is the secret, or for Acrobat Sign the client id. `timestamp` (Unix seconds)
/// is signed by Zigned, DocuSeal and BoldSign and ignored by the others.
///
/// # Errors
/// `invalid_secret` for an empty key.
pub fn sign(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<(&'static str, String)>, Error> {
    let secret = Secret::new(key)?;
    let mut headers = vec![("Content-Type", "application/json".to_owned())];
    if provider.proof_at() == ProofAt::Header {
        match provider.spec().sign_headers {
            Some(sign_headers) => headers.extend(sign_headers(&secret, key, body, timestamp)),
            None => {
                let proof = (provider.spec().sign)(&secret, key, body, timestamp);
                headers.push((provider.proof_header(), proof));
            }
        }
    }
    Ok(headers)
}

/// The body to send with [`sign`]'s headers: for a provider whose proof is in the body
/// (SignWell), `body` with the proof written at [`Provider::proof_header`]'s path
/// (`event.hash`, the JSON re-serialized compactly); for the others, `body` unchanged.
///
/// # Errors
/// `invalid_secret` for an empty key; `malformed_payload` when the proof goes in the body
/// and the body is not a JSON object whose `event` is an object.
pub fn sign_body(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<Vec<u8>, Error> {
    let secret = Secret::new(key)?;
    if provider.proof_at() != ProofAt::Body {
        return Ok(body.to_vec());
    }
    let malformed = || {
        Error::new(
            ErrorKind::MalformedPayload,
            format!(
                "the body must be a JSON object with an object at {}'s parent to carry the proof",
                provider.proof_header()
            ),
        )
    };
    if multipart::is_multipart(body) {
        // Dropbox Sign's form: the proof goes into the `json` field, every other byte kept.
        let json = multipart::field(body, "json")?;
        let start = json.as_ptr() as usize - body.as_ptr() as usize;
        let signed = sign_body(provider, key, json, timestamp)?;
        let mut out = body.get(..start).ok_or_else(malformed)?.to_vec();
        out.extend_from_slice(&signed);
        out.extend_from_slice(body.get(start + json.len()..).ok_or_else(malformed)?);
        return Ok(out);
    }
    let proof = (provider.spec().sign)(&secret, key, body, timestamp);
    let mut value: serde_json::Value = serde_json::from_slice(body).map_err(|_| malformed())?;
    let mut path: Vec<&str> = provider.proof_header().split('.').collect();
    let last = path.pop().ok_or_else(malformed)?;
    let mut at = &mut value;
    for step in path {
        at = at.get_mut(step).ok_or_else(malformed)?;
    }
    at.as_object_mut()
        .ok_or_else(malformed)?
        .insert(last.to_owned(), serde_json::Value::String(proof));
    serde_json::to_vec(&value).map_err(|_| malformed())
}

/// The query string to append to the URL a provider posts `body` to, for a provider whose
/// proof travels in the query (PandaDoc: `signature=<hex>`); empty for the others. Send
/// [`sign`]'s headers to `<url>?<this>`.
///
/// # Errors
/// `invalid_secret` for an empty key.
pub fn sign_query(
    provider: Provider,
    key: &str,
    body: &[u8],
    timestamp: i64,
) -> Result<String, Error> {
    let secret = Secret::new(key)?;
    if provider.proof_at() != ProofAt::Query {
        return Ok(String::new());
    }
    let proof = (provider.spec().sign)(&secret, key, body, timestamp);
    Ok(format!("{}={proof}", provider.proof_header()))
}
