//! The protocol under both Durable Objects (`Ledger`, `DeadLetters`): each operation is
//! declared once, on its request type ([`Operation`]: the path it is posted to and the type
//! of its answer). The typed clients (`ledger::LedgerClient`, `dead_letters::Store`) post
//! through [`call`]; each object's router matches a request's path on the same `PATH`
//! constants and reads and writes the bodies through [`request`] and [`answer`]. No path
//! string is written anywhere else.

use ::worker::wasm_bindgen::JsValue;
use ::worker::{Env, Method, Request, RequestInit};
use serde::de::DeserializeOwned;
use serde::Serialize;

/// One operation of a Durable Object, declared on the JSON body it takes.
pub(super) trait Operation: Serialize + DeserializeOwned {
    /// The path the request is posted to (`/claim`), and the object's route.
    const PATH: &'static str;
    /// The JSON body the object answers.
    type Answer: Serialize + DeserializeOwned;
}

/// The answer of an operation that only confirms: `{}`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(super) struct Noted {}

/// Posts `request` to the Durable Object `name` of namespace `binding` and parses its JSON
/// answer. Any failure (binding missing, object unreachable, non-2xx, unexpected answer)
/// is an `Err`: callers treat the object as unavailable.
pub(super) async fn call<O: Operation>(
    env: &Env,
    binding: &str,
    name: &str,
    request: &O,
) -> ::worker::Result<O::Answer> {
    let stub = env.durable_object(binding)?.get_by_name(name)?;
    let body = serde_json::to_string(request)?;
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_body(Some(JsValue::from_str(&body)));
    // Durable Object stubs need an absolute URL; the host is never resolved.
    let url = format!("https://signhook.internal{}", O::PATH);
    let mut response = stub
        .fetch_with_request(Request::new_with_init(&url, &init)?)
        .await?;
    if response.status_code() != 200 {
        let text = response.text().await.unwrap_or_default();
        return Err(::worker::Error::RustError(format!(
            "{binding} {} answered {}: {}",
            O::PATH,
            response.status_code(),
            text.chars().take(200).collect::<String>()
        )));
    }
    response.json().await
}

/// In the object: the request body of operation `O`.
///
/// # Errors
/// When `body` is not `O`'s JSON (the caller then gets an error answer).
pub(super) fn request<O: Operation>(body: &str) -> ::worker::Result<O> {
    Ok(serde_json::from_str(body)?)
}

/// In the object: the JSON text of operation `O`'s answer.
///
/// # Errors
/// Only if serialization fails, which these plain types never do.
pub(super) fn answer<O: Operation>(answer: &O::Answer) -> ::worker::Result<String> {
    Ok(serde_json::to_string(answer)?)
}
