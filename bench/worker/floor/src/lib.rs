//! The cold-start floor Workers of `bench/worker/startup.mjs` (`FLOOR=1`): see Cargo.toml.
use worker::{event, Context, Env, Request, Response, Result};

#[event(fetch)]
async fn fetch(mut req: Request, env: Env, _ctx: Context) -> Result<Response> {
    let body = req.bytes().await?;
    let secrets = env
        .var("ZOHO_SIGN_SECRETS")
        .map(|v| v.to_string())
        .unwrap_or_default();
    answer(&req, &body, &secrets)
}

/// workers-rs alone: a JSON answer that names the event type startup.mjs checks for.
#[cfg(not(feature = "core"))]
fn answer(_req: &Request, body: &[u8], secrets: &str) -> Result<Response> {
    Response::ok(format!(
        "{{\"type\":\"esign.envelope.completed\",\"bytes\":{},\"secrets\":{}}}",
        body.len(),
        secrets.len()
    ))
}

/// signhook's verify + normalize for Zoho Sign, the event as the answer (inspect mode).
#[cfg(feature = "core")]
fn answer(req: &Request, body: &[u8], secrets: &str) -> Result<Response> {
    use signhook::{verify, Headers, Provider, Secret, VerifyConfig};
    let mut headers = Headers::new();
    for (name, value) in req.headers().entries() {
        headers.append(name, value);
    }
    let secrets = secrets
        .split_whitespace()
        .filter_map(|s| Secret::new(s).ok())
        .collect();
    let config = VerifyConfig {
        max_event_age_seconds: Some(signhook::DEFAULT_MAX_EVENT_AGE_SECONDS),
        ..VerifyConfig::with_secrets(secrets)
    };
    let now = (worker::Date::now().as_millis() / 1000) as i64;
    let event = verify(Provider::ZohoSign, &headers, body, &config, now)
        .and_then(|verified| verified.normalize());
    match event {
        Ok(event) => {
            let mut res = Response::ok(event.to_json())?;
            res.headers_mut().set("content-type", "application/json")?;
            Ok(res)
        }
        Err(e) => Response::error(e.message().to_string(), 401),
    }
}
