//! The admin API, off the hook path: its door (`ADMIN_TOKEN`) and its whole router, JSON
//! in and out (the metrics in Prometheus' text format). The handlers stay with what they
//! handle:
//!
//! | route | handler |
//! |---|---|
//! | `GET /admin/dead-letters` | `dead_letters::api::list` |
//! | `POST /admin/dead-letters/replay` | `dead_letters::api::replay_matching` |
//! | `POST /admin/dead-letters/<id>/replay` | `dead_letters::api::replay_one` |
//! | `POST /admin/tenants`, `GET /admin/tenants` | `tenants::api::{create, list}` |
//! | `GET`, `PATCH`, `DELETE /admin/tenants/<id>` | `tenants::api::{read, patch, delete}` |
//! | `POST /admin/tenants/<id>/secrets` | `tenants::api::add_secret` |
//! | `DELETE /admin/tenants/<id>/secrets/<secret>` | `tenants::api::retire_secret` |
//! | `GET /admin/tenants/<id>/audit` | `tenants::api::audit_log` |
//! | `GET /admin/events`, `GET /admin/events/<webhook-id>` | `journal::api::{list, journey}` |
//! | `GET /admin/stats`, `GET /admin/metrics` | `journal::api::{stats, metrics}` |
//!
//! All behind `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. With no
//! `ADMIN_TOKEN` the routes do not exist (404); a token shorter than 32 characters, or a
//! public example value away from a loopback host, is `503 invalid_config`; a missing or
//! wrong token is `401 unauthorized`. A known path with another method is `405` with
//! `Allow`; anything else under `/admin/` is `404`.

use super::query::query_value;
use ::worker::{Env, Request};

use super::reply::{method_not_allowed, Refusal, Reply};
use super::{config, dead_letters, journal, tenants};
use crate::{Error, ErrorKind};

/// The shortest `ADMIN_TOKEN` accepted.
const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// The admin API's paths.
const ADMIN_PREFIX: &str = "/admin/";

/// Whether `path` is one of the admin API's (`/admin/…`): [`route`] answers it.
pub(super) fn is_admin_path(path: &str) -> bool {
    path.starts_with(ADMIN_PREFIX)
}

/// `/admin/…`, or `None` when the path is not an admin route.
pub(super) async fn route(
    req: &mut Request,
    env: &Env,
    method: &str,
    path: &str,
) -> Option<Result<Reply, Refusal>> {
    let rest = path.strip_prefix(ADMIN_PREFIX)?;
    Some(dispatch(req, env, method, rest).await)
}

/// The token first, then the area the first segment names.
async fn dispatch(
    req: &mut Request,
    env: &Env,
    method: &str,
    rest: &str,
) -> Result<Reply, Refusal> {
    authorize(req, env)?;
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.first().copied() {
        Some("dead-letters") => dead_letter_routes(req, env, method, &segments).await,
        Some("tenants") => tenant_routes(req, env, method, &segments).await,
        Some("events" | "stats" | "metrics") => journal_routes(req, env, method, &segments).await,
        _ => Err(no_such_route()),
    }
}

/// `404 not_found` for a path under `/admin/` that names nothing.
fn no_such_route() -> Refusal {
    Error::new(ErrorKind::NotFound, "no such admin route").into()
}

/// `400 invalid_tenant` unless `id` is a tenant id.
fn tenant_id(id: &str) -> Result<(), Refusal> {
    crate::check_tenant_id(id).map_err(|e| Refusal {
        status: Some(400),
        ..Refusal::from(e)
    })
}

/// `?tenant=`, when given: a tenant id, else `400 invalid_tenant`.
fn tenant_param(url: &str) -> Result<Option<String>, Refusal> {
    let tenant = query_value(url, "tenant");
    if let Some(tenant) = &tenant {
        tenant_id(tenant)?;
    }
    Ok(tenant)
}

/// `/admin/dead-letters…`: `?tenant=`, when given, must be a tenant id (400) before
/// anything else.
async fn dead_letter_routes(
    req: &mut Request,
    env: &Env,
    method: &str,
    segments: &[&str],
) -> Result<Reply, Refusal> {
    let tenant = tenant_param(&req.inner().url())?;
    let tenant = tenant.as_deref();
    match (method, segments) {
        ("GET", ["dead-letters"]) => dead_letters::api::list(env, tenant).await,
        ("POST", ["dead-letters", "replay"]) => {
            dead_letters::api::replay_matching(req, env, tenant).await
        }
        ("POST", ["dead-letters", id, "replay"]) => {
            dead_letters::api::replay_one(env, id, tenant).await
        }
        (_, ["dead-letters"]) => Err(method_not_allowed(method, "GET")),
        (_, ["dead-letters", "replay"] | ["dead-letters", _, "replay"]) => {
            Err(method_not_allowed(method, "POST"))
        }
        _ => Err(no_such_route()),
    }
}

/// `/admin/tenants…`: a tenant id in the path must be one (`400 invalid_tenant`) before
/// anything else, the body included.
async fn tenant_routes(
    req: &mut Request,
    env: &Env,
    method: &str,
    segments: &[&str],
) -> Result<Reply, Refusal> {
    if let Some(id) = segments.get(1) {
        tenant_id(id)?;
    }
    match (method, segments) {
        ("POST", ["tenants"]) => tenants::api::create(req, env).await,
        ("GET", ["tenants"]) => tenants::api::list(req, env).await,
        ("GET", ["tenants", id]) => tenants::api::read(env, id).await,
        ("PATCH", ["tenants", id]) => tenants::api::patch(req, env, id).await,
        ("DELETE", ["tenants", id]) => tenants::api::delete(env, id).await,
        ("POST", ["tenants", id, "secrets"]) => tenants::api::add_secret(req, env, id).await,
        ("DELETE", ["tenants", id, "secrets", secret]) => {
            tenants::api::retire_secret(env, id, secret).await
        }
        ("GET", ["tenants", id, "audit"]) => tenants::api::audit_log(env, id).await,
        (_, ["tenants"]) => Err(method_not_allowed(method, "GET, POST")),
        (_, ["tenants", _]) => Err(method_not_allowed(method, "GET, PATCH, DELETE")),
        (_, ["tenants", _, "secrets"]) => Err(method_not_allowed(method, "POST")),
        (_, ["tenants", _, "secrets", _]) => Err(method_not_allowed(method, "DELETE")),
        (_, ["tenants", _, "audit"]) => Err(method_not_allowed(method, "GET")),
        _ => Err(no_such_route()),
    }
}

/// `/admin/events…`, `/admin/stats`, `/admin/metrics`: read-only (any other method is
/// `405` first), `?tenant=` a tenant id, and the delivery log's database must be bound.
async fn journal_routes(
    req: &Request,
    env: &Env,
    method: &str,
    segments: &[&str],
) -> Result<Reply, Refusal> {
    if method != "GET" {
        return Err(method_not_allowed(method, "GET"));
    }
    let url = req.inner().url();
    tenant_param(&url)?;
    let db = journal::database(env)?;
    match segments {
        ["events"] => journal::api::list(&db, &url).await,
        ["events", webhook_id] => journal::api::journey(&db, webhook_id).await,
        ["stats"] => journal::api::stats(&db, &url).await,
        ["metrics"] => journal::api::metrics(&db).await,
        _ => Err(no_such_route()),
    }
}

/// The `ADMIN_TOKEN` gate.
fn authorize(req: &Request, env: &Env) -> Result<(), Refusal> {
    // No token, no admin surface at all; on a loopback host (`wrangler dev`), a problem
    // that says how to get one.
    let Some(token) = config::text(env, "ADMIN_TOKEN") else {
        let detail = if crate::url_host_is_loopback(&req.inner().url()) {
            "the admin routes need ADMIN_TOKEN, which is not set: add ADMIN_TOKEN=\"<32+ characters>\" to .dev.vars, or run scripts/dev.sh --queue <origin URL> (it sets a local one); deployed: npx wrangler secret put ADMIN_TOKEN"
        } else {
            "no route for this path"
        };
        return Err(Error::new(ErrorKind::NotFound, detail).into());
    };
    // A short token can be guessed: the admin routes replay events and hold tenants.
    if token.chars().count() < MIN_ADMIN_TOKEN_CHARS {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            format!("ADMIN_TOKEN is shorter than {MIN_ADMIN_TOKEN_CHARS} characters; set a random one, e.g. `openssl rand -hex 32`"),
        )
        .into());
    }
    if crate::is_public_example(&token) && !crate::url_host_is_loopback(&req.inner().url()) {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            "ADMIN_TOKEN holds a public example value; set your own with `wrangler secret put ADMIN_TOKEN` (example values work only on localhost)",
        )
        .into());
    }
    if !crate::token_matches(token.as_bytes(), bearer(req).as_bytes()) {
        return Err(Refusal {
            www_authenticate: true,
            ..Refusal::from(Error::new(
                ErrorKind::Unauthorized,
                "the admin routes need Authorization: Bearer <ADMIN_TOKEN>",
            ))
        });
    }
    Ok(())
}

/// The bearer token of the `Authorization` header; empty without one.
fn bearer(req: &Request) -> String {
    let given = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    given
        .trim_matches([' ', '\t'])
        .strip_prefix("Bearer ")
        .unwrap_or_default()
        .trim_matches([' ', '\t'])
        .to_owned()
}
