//! One POST of a signed CloudEvent to origin, bounded by a timeout. Used inside the
//! provider's request in direct mode, and by the queue consumer in queue mode.

use ::worker::wasm_bindgen::JsValue;
use ::worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

use crate::{Delivery, Error, ErrorKind, OriginAnswer};

/// Sends `delivery` (plus `extra` headers) to `url` and says what came of it. Redirects are
/// not followed: a 3xx is an answer like any other, never a silent resend elsewhere.
///
/// # Errors
/// Only when the request cannot be built (a bad `ORIGIN_URL` or header value); the
/// messages never include the URL, which may carry a credential.
pub(super) async fn send(
    url: &str,
    delivery: &Delivery,
    extra: &[(&'static str, String)],
    timeout_ms: u32,
) -> Result<OriginAnswer, Error> {
    let headers = Headers::new();
    for (name, value) in delivery.headers.iter().chain(extra) {
        headers
            .set(name, value)
            .map_err(|_| failed("an outgoing header could not be set"))?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(&delivery.body)));
    let request = Request::new_with_init(url, &init)
        .map_err(|_| failed("ORIGIN_URL is not a valid http(s) URL"))?;
    let signal = AbortSignal::from(::worker::web_sys::AbortSignal::timeout_with_u32(timeout_ms));
    Ok(
        match Fetch::Request(request).send_with_signal(&signal).await {
            Ok(response) => OriginAnswer::Status(response.status_code()),
            Err(_) if signal.aborted() => OriginAnswer::Timeout,
            Err(_) => OriginAnswer::Unreachable,
        },
    )
}

/// Direct mode: `Ok` only for a 2xx answer within `timeout_ms`.
///
/// # Errors
/// `delivery_failed` (502) for a bad `ORIGIN_URL`, an unreachable origin, a timeout or a
/// non-2xx answer, so that the provider retries.
pub(super) async fn post(
    url: &str,
    delivery: &Delivery,
    extra: &[(&'static str, String)],
    timeout_ms: u32,
) -> Result<u16, Error> {
    match send(url, delivery, extra, timeout_ms).await? {
        OriginAnswer::Status(status) if (200..300).contains(&status) => Ok(status),
        OriginAnswer::Timeout => Err(failed(format!(
            "origin did not answer within {timeout_ms} ms"
        ))),
        answer => Err(failed(answer.describe())),
    }
}

/// `502 delivery_failed`.
fn failed(message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::DeliveryFailed, message)
}
