//! The admin API over tenants (`/admin/tenants…`): the handlers `admin.rs` dispatches to,
//! behind its token check. Secrets go in sealed under `TENANT_KEY` and come out only as
//! fingerprints (the first 8 hex digits of their SHA-256); every change is written to the
//! `audit` table.

use std::collections::HashMap;

use ::worker::wasm_bindgen::JsValue;
use ::worker::{D1Database, D1PreparedStatement, Env, Request};
use serde::{Deserialize, Serialize};

use super::{bind, db, now_text, store_error, tenant_key};
use crate::worker::reply::{Refusal, Reply, JSON};
use crate::worker::{clip, host};
use crate::{Error, ErrorKind, ForwardSecret, Provider};

/// Whether the admin request came to a loopback host (`wrangler dev`).
fn local(req: &Request) -> bool {
    crate::url_host_is_loopback(&req.inner().url())
}

/// `400` with `kind`: a bad field of the admin request itself.
fn bad(kind: ErrorKind, message: impl Into<String>) -> Refusal {
    Refusal {
        status: Some(400),
        ..Refusal::from(Error::new(kind, message.into()))
    }
}

/// `404 unknown_tenant`.
fn unknown(id: &str) -> Refusal {
    Error::new(
        ErrorKind::UnknownTenant,
        format!("no tenant {:?}", clip(id, 80)),
    )
    .into()
}

/// The request's JSON body (at most 64 KiB) as `T`; `400` when it is not.
async fn body_json<T: for<'de> Deserialize<'de>>(req: &mut Request) -> Result<T, Refusal> {
    let text = req.text().await.map_err(|_| {
        bad(
            ErrorKind::MalformedPayload,
            "the request body could not be read",
        )
    })?;
    if text.len() > 64 * 1024 {
        return Err(Error::new(
            ErrorKind::PayloadTooLarge,
            "the admin API takes at most 64 KiB",
        )
        .into());
    }
    serde_json::from_str(&text).map_err(|e| {
        bad(
            ErrorKind::MalformedPayload,
            format!("the request body is not the JSON this route takes: {e}"),
        )
    })
}

/// A JSON answer of `value`.
fn ok_json<T: Serialize>(status: u16, value: &T) -> Reply {
    Reply::new(
        status,
        JSON,
        serde_json::to_string(value).unwrap_or_default(),
    )
}

/// A tenant as the API shows it: fingerprints, never secrets.
#[derive(Serialize)]
struct Shown {
    id: String,
    state: String,
    origin_url: Option<String>,
    forward_secret: Option<Fingerprint>,
    created_at: String,
    updated_at: String,
    secrets: Vec<ShownSecret>,
    accounts: HashMap<String, Vec<String>>,
}

/// A secret as the API shows it: its fingerprint only.
#[derive(Serialize)]
struct Fingerprint {
    fingerprint: String,
}

/// One of a tenant's secrets as the API shows it.
#[derive(Serialize, Deserialize)]
struct ShownSecret {
    id: String,
    provider: String,
    kind: String,
    label: Option<String>,
    fingerprint: String,
    created_at: String,
    last_used_at: Option<String>,
}

/// `GET /admin/tenants/<id>`.
pub(in crate::worker) async fn read(env: &Env, id: &str) -> Result<Reply, Refusal> {
    show(env, id).await.map(|t| ok_json(200, &t))
}

/// The tenant `id` as the API shows it; `400 invalid_tenant` when `id` cannot be a tenant
/// id, `404 unknown_tenant` when there is none.
async fn show(env: &Env, id: &str) -> Result<Shown, Refusal> {
    crate::check_tenant_id(id).map_err(|e| bad(e.kind(), e.message().to_owned()))?;
    /// The tenant's row.
    #[derive(Deserialize)]
    struct Row {
        id: String,
        state: String,
        origin_url: Option<String>,
        forward_fingerprint: Option<String>,
        created_at: String,
        updated_at: String,
    }
    /// One registered account id.
    #[derive(Deserialize)]
    struct Account {
        provider: String,
        account_id: String,
    }
    let db = db(env)?;
    let results = db
        .batch(vec![
            bind(
                db.prepare("SELECT id, state, origin_url, forward_fingerprint, created_at, updated_at FROM tenants WHERE id = ?1"),
                &[id],
            )?,
            bind(
                db.prepare("SELECT id, provider, kind, label, fingerprint, created_at, last_used_at FROM tenant_secrets WHERE tenant_id = ?1 ORDER BY provider, created_at, id"),
                &[id],
            )?,
            bind(
                db.prepare("SELECT provider, account_id FROM tenant_accounts WHERE tenant_id = ?1 ORDER BY provider, account_id"),
                &[id],
            )?,
        ])
        .await
        .map_err(store_error)?;
    let mut results = results.into_iter();
    let (Some(tenant), Some(secrets), Some(accounts)) =
        (results.next(), results.next(), results.next())
    else {
        return Err(store_error(::worker::Error::RustError("short batch".into())).into());
    };
    let row = tenant
        .results::<Row>()
        .map_err(store_error)?
        .into_iter()
        .next()
        .ok_or_else(|| unknown(id))?;
    let mut by_provider: HashMap<String, Vec<String>> = HashMap::new();
    for a in accounts.results::<Account>().map_err(store_error)? {
        by_provider
            .entry(a.provider)
            .or_default()
            .push(a.account_id);
    }
    Ok(Shown {
        id: row.id,
        state: row.state,
        origin_url: row.origin_url,
        forward_secret: row
            .forward_fingerprint
            .map(|fingerprint| Fingerprint { fingerprint }),
        created_at: row.created_at,
        updated_at: row.updated_at,
        secrets: secrets.results().map_err(store_error)?,
        accounts: by_provider,
    })
}

/// The `audit` row of `action` on `tenant`, to run in the same batch as the change.
async fn audit(
    db: &D1Database,
    tenant: &str,
    action: &str,
    provider: Option<&str>,
    fingerprint: Option<&str>,
    detail: Option<&str>,
) -> Result<D1PreparedStatement, Error> {
    let values = [
        JsValue::from_str(&now_text()),
        JsValue::from_str(tenant),
        JsValue::from_str(action),
        provider.map_or(JsValue::NULL, JsValue::from_str),
        fingerprint.map_or(JsValue::NULL, JsValue::from_str),
        detail.map_or(JsValue::NULL, JsValue::from_str),
    ];
    db.prepare("INSERT INTO audit(at, tenant_id, action, provider, fingerprint, detail) VALUES(?1, ?2, ?3, ?4, ?5, ?6)")
        .bind(&values)
        .map_err(store_error)
}

/// `POST /admin/tenants`: a new, active tenant.
pub(in crate::worker) async fn create(req: &mut Request, env: &Env) -> Result<Reply, Refusal> {
    /// The body of `POST /admin/tenants`.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Create {
        id: String,
    }
    let body: Create = body_json(req).await?;
    crate::check_tenant_id(&body.id).map_err(|e| bad(e.kind(), e.message().to_owned()))?;
    let db = db(env)?;
    let now = now_text();
    let insert = bind(
        db.prepare("INSERT INTO tenants(id, state, created_at, updated_at) VALUES(?1, 'active', ?2, ?2) ON CONFLICT(id) DO NOTHING"),
        &[&body.id, &now],
    )?;
    // Audited only when the row was new (`changes()` of the insert before it, in the
    // batch's one transaction): a refused duplicate changes nothing.
    let audited = bind(
        db.prepare("INSERT INTO audit(at, tenant_id, action) SELECT ?1, ?2, 'tenant.created' WHERE changes() = 1"),
        &[&now, &body.id],
    )?;
    let results = db.batch(vec![insert, audited]).await.map_err(store_error)?;
    let changed = results
        .first()
        .and_then(|r| r.meta().ok().flatten())
        .and_then(|m| m.changes)
        .unwrap_or(0);
    if changed == 0 {
        return Err(Error::new(
            ErrorKind::TenantExists,
            format!("tenant {:?} exists already", body.id),
        )
        .into());
    }
    Ok(ok_json(201, &show(env, &body.id).await?))
}

/// `GET /admin/tenants`: a page of tenants, by id.
pub(in crate::worker) async fn list(req: &Request, env: &Env) -> Result<Reply, Refusal> {
    /// One tenant of the page.
    #[derive(Serialize, Deserialize)]
    struct Row {
        id: String,
        state: String,
        origin_url: Option<String>,
        created_at: String,
        updated_at: String,
    }
    let url = req.inner().url();
    let query = url.split_once('?').map(|(_, q)| q).unwrap_or_default();
    let mut cursor = String::new();
    let mut limit = 100_u32;
    for (name, value) in query.split('&').filter_map(|kv| kv.split_once('=')) {
        match name {
            "cursor" => cursor = value.to_owned(),
            "limit" => {
                limit = value
                    .parse::<u32>()
                    .ok()
                    .filter(|n| (1..=1000).contains(n))
                    .ok_or_else(|| bad(ErrorKind::MalformedPayload, "limit must be 1 to 1000"))?;
            }
            _ => {}
        }
    }
    let db = db(env)?;
    let rows: Vec<Row> = db
        .prepare("SELECT id, state, origin_url, created_at, updated_at FROM tenants WHERE id > ?1 ORDER BY id LIMIT ?2")
        .bind(&[JsValue::from_str(&cursor), JsValue::from_f64(f64::from(limit))])
        .map_err(store_error)?
        .all()
        .await
        .map_err(store_error)?
        .results()
        .map_err(store_error)?;
    let next = (rows.len() == limit as usize)
        .then(|| rows.last().map(|r| r.id.clone()))
        .flatten();
    Ok(ok_json(
        200,
        &serde_json::json!({ "tenants": rows, "cursor": next }),
    ))
}

/// `PATCH /admin/tenants/<id>`: its state, origin, forwarding key or account ids.
pub(in crate::worker) async fn patch(
    req: &mut Request,
    env: &Env,
    id: &str,
) -> Result<Reply, Refusal> {
    /// The body of `PATCH /admin/tenants/<id>`: what to change.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Patch {
        state: Option<String>,
        // `Some(None)`: set back to the deployment's.
        #[serde(default, with = "double_option")]
        origin_url: Option<Option<String>>,
        #[serde(default, with = "double_option")]
        forward_secret: Option<Option<String>>,
        accounts: Option<HashMap<String, Vec<String>>>,
    }
    let body: Patch = body_json(req).await?;
    let current = show(env, id).await?;
    let db = db(env)?;
    let now = now_text();
    let mut statements = Vec::new();
    if let Some(state) = &body.state {
        if state != "active" && state != "disabled" {
            return Err(bad(
                ErrorKind::InvalidConfig,
                "state must be active or disabled",
            ));
        }
        statements.push(bind(
            db.prepare("UPDATE tenants SET state = ?1, updated_at = ?2 WHERE id = ?3"),
            &[state, &now, id],
        )?);
        statements.push(audit(&db, id, &format!("tenant.{state}"), None, None, None).await?);
    }
    if let Some(origin) = &body.origin_url {
        let value = match origin {
            Some(url) => {
                crate::check_parsed_url("origin_url", url, host::parse_url(url).as_ref())
                    .map_err(|e| bad(e.kind(), e.message().to_owned()))?;
                JsValue::from_str(url)
            }
            None => JsValue::NULL,
        };
        statements.push(
            db.prepare("UPDATE tenants SET origin_url = ?1, updated_at = ?2 WHERE id = ?3")
                .bind(&[value, JsValue::from_str(&now), JsValue::from_str(id)])
                .map_err(store_error)?,
        );
        statements.push(audit(&db, id, "tenant.origin_url", None, None, None).await?);
    }
    if let Some(secret) = &body.forward_secret {
        let (sealed, fingerprint) = match secret {
            Some(secret) => {
                ForwardSecret::parse(secret)
                    .map_err(|e| bad(ErrorKind::InvalidSecret, e.message().to_owned()))?;
                let key = tenant_key(env, local(req))?;
                let sealed = key.seal(id, "forward", host::random_bytes()?, secret);
                (JsValue::from_str(&sealed), Some(crate::fingerprint(secret)))
            }
            None => (JsValue::NULL, None),
        };
        statements.push(
            db.prepare("UPDATE tenants SET forward_secret = ?1, forward_fingerprint = ?2, updated_at = ?3 WHERE id = ?4")
                .bind(&[
                    sealed,
                    fingerprint.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                    JsValue::from_str(&now),
                    JsValue::from_str(id),
                ])
                .map_err(store_error)?,
        );
        statements.push(
            audit(
                &db,
                id,
                "tenant.forward_secret",
                None,
                fingerprint.as_deref(),
                None,
            )
            .await?,
        );
    }
    if let Some(accounts) = &body.accounts {
        for (provider, ids) in accounts {
            let provider: Provider = provider
                .parse()
                .map_err(|e: Error| bad(ErrorKind::UnknownProvider, e.message().to_owned()))?;
            if ids.iter().any(|a| a.trim().is_empty() || a.len() > 256) {
                return Err(bad(
                    ErrorKind::InvalidConfig,
                    "account ids are 1 to 256 characters",
                ));
            }
            statements.push(bind(
                db.prepare("DELETE FROM tenant_accounts WHERE tenant_id = ?1 AND provider = ?2"),
                &[id, provider.as_str()],
            )?);
            for account in ids {
                statements.push(bind(
                    db.prepare("INSERT OR IGNORE INTO tenant_accounts(tenant_id, provider, account_id) VALUES(?1, ?2, ?3)"),
                    &[id, provider.as_str(), account],
                )?);
            }
            statements.push(
                audit(
                    &db,
                    id,
                    "tenant.accounts",
                    Some(provider.as_str()),
                    None,
                    Some(&ids.join(" ")),
                )
                .await?,
            );
        }
    }
    if !statements.is_empty() {
        db.batch(statements).await.map_err(store_error)?;
    }
    let _ = current;
    Ok(ok_json(200, &show(env, id).await?))
}

/// `DELETE /admin/tenants/<id>`: the tenant, its secrets and account ids (its audit stays).
pub(in crate::worker) async fn delete(env: &Env, id: &str) -> Result<Reply, Refusal> {
    show(env, id).await?;
    let db = db(env)?;
    db.batch(vec![
        bind(
            db.prepare("DELETE FROM tenant_secrets WHERE tenant_id = ?1"),
            &[id],
        )?,
        bind(
            db.prepare("DELETE FROM tenant_accounts WHERE tenant_id = ?1"),
            &[id],
        )?,
        bind(db.prepare("DELETE FROM tenants WHERE id = ?1"), &[id])?,
        audit(&db, id, "tenant.deleted", None, None, None).await?,
    ])
    .await
    .map_err(store_error)?;
    Ok(Reply::new(204, JSON, String::new()))
}

/// `POST /admin/tenants/<id>/secrets`: one more secret (client id, URL token), sealed.
pub(in crate::worker) async fn add_secret(
    req: &mut Request,
    env: &Env,
    id: &str,
) -> Result<Reply, Refusal> {
    /// The body of `POST /admin/tenants/<id>/secrets`.
    #[derive(Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Add {
        provider: String,
        secret: String,
        label: Option<String>,
        kind: Option<String>,
    }
    let body: Add = body_json(req).await?;
    show(env, id).await?;
    let provider: Provider = body
        .provider
        .parse()
        .map_err(|e: Error| bad(ErrorKind::UnknownProvider, e.message().to_owned()))?;
    let kind = match (provider.takes_client_ids(), body.kind.as_deref()) {
        (false, None | Some("secret")) => "secret",
        (true, Some("client_id")) => "client_id",
        (true, Some("url_token")) => "url_token",
        (true, _) => {
            return Err(bad(
                ErrorKind::InvalidSecret,
                format!("{provider} takes kind client_id (an allowed X-AdobeSign-ClientId) or url_token (the secret token of /t/<tenant>/hooks/{provider}/<token>)"),
            ))
        }
        (false, Some(other)) => {
            return Err(bad(
                ErrorKind::InvalidSecret,
                format!("{provider} takes secrets only, not kind {:?}", clip(other, 40)),
            ))
        }
    };
    let secret = body.secret.as_str();
    if secret.trim().is_empty() || secret.len() > 4096 {
        return Err(bad(
            ErrorKind::InvalidSecret,
            "the secret is empty, only whitespace, or over 4096 bytes",
        ));
    }
    if kind == "url_token"
        && (secret.len() < 16
            || !secret
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'))
    {
        return Err(bad(
            ErrorKind::InvalidSecret,
            "a URL token is 16 or more of A-Z a-z 0-9 - _",
        ));
    }
    crate::Secret::new(secret)
        .map_err(|e| bad(ErrorKind::InvalidSecret, e.message().to_owned()))?;
    if let Some(label) = &body.label {
        if label.len() > 200 {
            return Err(bad(
                ErrorKind::InvalidSecret,
                "a label is at most 200 bytes",
            ));
        }
    }
    let key = tenant_key(env, local(req))?;
    let sealed = key.seal(id, provider.as_str(), host::random_bytes()?, secret);
    let fingerprint = crate::fingerprint(secret);
    let secret_id = format!(
        "sec_{}",
        crate::verify::hex_encode(&host::random_bytes::<8>()?)
    );
    let now = now_text();
    let db = db(env)?;
    db.batch(vec![
        db.prepare("INSERT INTO tenant_secrets(id, tenant_id, provider, kind, sealed, fingerprint, label, created_at) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)")
            .bind(&[
                JsValue::from_str(&secret_id),
                JsValue::from_str(id),
                JsValue::from_str(provider.as_str()),
                JsValue::from_str(kind),
                JsValue::from_str(&sealed),
                JsValue::from_str(&fingerprint),
                body.label.as_deref().map_or(JsValue::NULL, JsValue::from_str),
                JsValue::from_str(&now),
            ])
            .map_err(store_error)?,
        audit(&db, id, "secret.added", Some(provider.as_str()), Some(&fingerprint), Some(&secret_id)).await?,
    ])
    .await
    .map_err(store_error)?;
    Ok(ok_json(
        201,
        &ShownSecret {
            id: secret_id,
            provider: provider.as_str().to_owned(),
            kind: kind.to_owned(),
            label: body.label,
            fingerprint,
            created_at: now,
            last_used_at: None,
        },
    ))
}

/// `DELETE /admin/tenants/<id>/secrets/<secret>`.
pub(in crate::worker) async fn retire_secret(
    env: &Env,
    id: &str,
    secret_id: &str,
) -> Result<Reply, Refusal> {
    let tenant = show(env, id).await?;
    let Some(secret) = tenant.secrets.iter().find(|s| s.id == secret_id) else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!("tenant {id:?} has no secret {:?}", clip(secret_id, 40)),
        )
        .into());
    };
    let db = db(env)?;
    db.batch(vec![
        bind(
            db.prepare("DELETE FROM tenant_secrets WHERE id = ?1 AND tenant_id = ?2"),
            &[secret_id, id],
        )?,
        audit(
            &db,
            id,
            "secret.retired",
            Some(&secret.provider),
            Some(&secret.fingerprint),
            Some(secret_id),
        )
        .await?,
    ])
    .await
    .map_err(store_error)?;
    Ok(Reply::new(204, JSON, String::new()))
}

/// `GET /admin/tenants/<id>/audit`: the tenant's changes, oldest first (the last 1,000).
pub(in crate::worker) async fn audit_log(env: &Env, id: &str) -> Result<Reply, Refusal> {
    /// One audit row.
    #[derive(Serialize, Deserialize)]
    struct Entry {
        at: String,
        action: String,
        provider: Option<String>,
        fingerprint: Option<String>,
        detail: Option<String>,
    }
    show(env, id).await?;
    let db = db(env)?;
    let mut entries: Vec<Entry> = bind(
        db.prepare("SELECT at, action, provider, fingerprint, detail FROM audit WHERE tenant_id = ?1 ORDER BY id DESC LIMIT 1000"),
        &[id],
    )?
    .all()
    .await
    .map_err(store_error)?
    .results()
    .map_err(store_error)?;
    entries.reverse();
    Ok(ok_json(200, &serde_json::json!({ "audit": entries })))
}

/// `null` (set back to the default) apart from absent (unchanged) in a PATCH body.
mod double_option {
    use serde::{Deserialize, Deserializer};

    /// A present field, `null` or not.
    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}
