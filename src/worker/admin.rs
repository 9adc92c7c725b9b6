//! The admin API, off the hook path: `/admin/dead-letters…` (`dead_letters.rs`),
//! `/admin/tenants…` (`tenants.rs`), `/admin/events…`, `/admin/stats` and `/admin/metrics`
//! (`journal.rs`), JSON in and out (the metrics in Prometheus' text format).
//!
//! All behind `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time. With no
//! `ADMIN_TOKEN` the routes do not exist (404); a token shorter than 32 characters, or a
//! public example value away from a loopback host, is `503 invalid_config`; a missing or
//! wrong token is `401 unauthorized`.

use ::worker::{Env, Request};

use super::{config, dead_letters, journal, tenants, Refusal, Reply};
use crate::{Error, ErrorKind};

/// The shortest `ADMIN_TOKEN` accepted.
const MIN_ADMIN_TOKEN_CHARS: usize = 32;

/// `/admin/…`, or `None` when the path is not an admin route.
pub(super) async fn route(
    req: &mut Request,
    env: &Env,
    method: &str,
    path: &str,
) -> Option<Result<Reply, Refusal>> {
    let rest = path.strip_prefix("/admin/")?;
    Some(admin(req, env, method, rest).await)
}

async fn admin(req: &mut Request, env: &Env, method: &str, rest: &str) -> Result<Reply, Refusal> {
    authorize(req, env)?;
    let segments: Vec<&str> = rest.split('/').collect();
    match segments.first().copied() {
        Some("dead-letters") => {
            let tenant = query_value(&req.inner().url(), "tenant");
            if let Some(tenant) = &tenant {
                crate::check_tenant_id(tenant).map_err(|e| Refusal {
                    status: Some(400),
                    ..Refusal::from(e)
                })?;
            }
            dead_letters::admin(req, env, method, &segments, tenant.as_deref()).await
        }
        Some("tenants") => tenants::admin(req, env, method, &segments).await,
        Some("events" | "stats" | "metrics") => journal::admin(req, env, method, &segments).await,
        _ => Err(Error::new(ErrorKind::NotFound, "no such admin route").into()),
    }
}

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
    let given = req
        .headers()
        .get("authorization")
        .ok()
        .flatten()
        .unwrap_or_default();
    let given = given
        .trim_matches([' ', '\t'])
        .strip_prefix("Bearer ")
        .unwrap_or_default()
        .trim_matches([' ', '\t']);
    if !crate::token_matches(token.as_bytes(), given.as_bytes()) {
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

/// The first value of query parameter `name` in the runtime's serialized `url` (ids and
/// names only: no percent-decoding is needed, and an encoded value simply fails the id
/// check that follows).
pub(super) fn query_value(url: &str, name: &str) -> Option<String> {
    let query = url.split_once('?')?.1;
    query
        .split('&')
        .filter_map(|kv| kv.split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v.to_owned())
}
