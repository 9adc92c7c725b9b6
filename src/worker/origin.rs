//! Direct delivery: POST the signed CloudEvent to origin inside the provider's request,
//! bounded by a timeout so the provider hears back (502) before it gives up itself.

use ::worker::wasm_bindgen::JsValue;
use ::worker::{AbortSignal, Fetch, Headers, Method, Request, RequestInit, RequestRedirect};

use crate::{Delivery, Error, ErrorKind};

/// Sends `delivery` to `origin`; `Ok` only for a 2xx answer within `timeout_ms`.
///
/// # Errors
/// `delivery_failed` (502) for a bad `ORIGIN_URL`, an unreachable origin, a timeout or a
/// non-2xx answer (redirects are not followed: a 3xx is a failure, never a silent resend).
/// The messages never include the origin's URL or its answer, which may carry credentials.
pub(super) async fn post(origin: &str, delivery: &Delivery, timeout_ms: u32) -> Result<u16, Error> {
    let headers = Headers::new();
    for (name, value) in &delivery.headers {
        headers
            .set(name, value)
            .map_err(|_| failed("an outgoing header could not be set"))?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(&delivery.body)));
    let request = Request::new_with_init(origin, &init)
        .map_err(|_| failed("ORIGIN_URL is not a valid http(s) URL"))?;
    let signal = AbortSignal::from(::worker::web_sys::AbortSignal::timeout_with_u32(timeout_ms));
    let response = Fetch::Request(request)
        .send_with_signal(&signal)
        .await
        .map_err(|_| {
            if signal.aborted() {
                failed(format!("origin did not answer within {timeout_ms} ms"))
            } else {
                failed("origin is unreachable")
            }
        })?;
    let status = response.status_code();
    if (200..300).contains(&status) {
        Ok(status)
    } else {
        Err(failed(format!("origin answered {status}")))
    }
}

fn failed(message: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::DeliveryFailed, message)
}
