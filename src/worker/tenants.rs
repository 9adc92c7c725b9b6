//! Tenants in Cloudflare D1 (binding `TENANTS_DB`, schema in `migrations/`): what a tenant
//! route needs on the hook path (one batched lookup, cached per isolate for at most
//! `TENANT_CACHE_SECONDS`), what the queue consumer needs to reach a tenant's own origin,
//! and the admin API over them (`/admin/tenants…`, routed by `admin.rs`).
//!
//! Secrets are stored sealed (`crate::TenantKey`, AES-256-GCM under `TENANT_KEY`, the tenant
//! id and the provider bound as associated data, a fresh nonce from the runtime's CSPRNG
//! for every write). No route, log line or error returns a secret: the API shows the first
//! 8 hex digits of its SHA-256.

use std::cell::RefCell;
use std::collections::HashMap;

use ::worker::wasm_bindgen::JsValue;
use ::worker::{D1Database, D1PreparedStatement, Env, Request};
use serde::{Deserialize, Serialize};

use super::{config, host, Refusal, Reply, JSON};
use crate::{Error, ErrorKind, ForwardSecret, Provider, TenantKey};

const BINDING: &str = "TENANTS_DB";

/// Most entries a isolate's cache holds; past it the cache starts over (a lookup is one D1
/// round trip, the bound only keeps an isolate's memory small).
const CACHE_MAX_ENTRIES: usize = 4_096;

/// One of a tenant's secrets for one provider, still sealed.
#[derive(Clone, Deserialize)]
pub(super) struct SealedSecret {
    pub(super) id: String,
    pub(super) kind: String,
    pub(super) sealed: String,
}

/// What a tenant route needs of one tenant and one provider.
#[derive(Clone)]
pub(super) struct TenantView {
    pub(super) active: bool,
    pub(super) origin_url: Option<String>,
    pub(super) forward_secret: Option<String>,
    /// This provider's secrets, in the order they were added (the `key` index).
    pub(super) secrets: Vec<SealedSecret>,
    /// This provider's registered account ids (empty: not bound).
    pub(super) accounts: Vec<String>,
}

/// `(tenant, provider)` → (until when, Unix ms; the lookup's answer, `None`: no such
/// tenant).
type Cache = HashMap<(String, String), (i64, Option<TenantView>)>;

thread_local! {
    static CACHE: RefCell<Cache> = RefCell::new(HashMap::new());
}

fn db(env: &Env) -> Result<D1Database, Error> {
    env.d1(BINDING).map_err(|_| {
        Error::new(
            ErrorKind::InvalidConfig,
            "the TENANTS_DB D1 binding is missing (wrangler.toml [[d1_databases]])",
        )
    })
}

fn store_error(e: ::worker::Error) -> Error {
    ::worker::console_error!("tenants: {}", super::clip(&e.to_string(), 300));
    Error::new(
        ErrorKind::EnqueueFailed,
        "the tenant store is unavailable; retry later",
    )
}

fn bind(statement: D1PreparedStatement, values: &[&str]) -> Result<D1PreparedStatement, Error> {
    let values: Vec<JsValue> = values.iter().map(|v| JsValue::from_str(v)).collect();
    statement.bind(&values).map_err(store_error)
}

/// `TENANT_KEY`, required wherever a tenant's secret is sealed or opened; its public
/// example value (`.dev.vars.example`) only on a loopback host (`local`).
pub(super) fn tenant_key(env: &Env, local: bool) -> Result<TenantKey, Error> {
    let value = config::text(env, "TENANT_KEY").ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidConfig,
            "TENANT_KEY is not set: tenants' secrets are stored only sealed under it (openssl rand -base64 32; wrangler secret put TENANT_KEY)",
        )
    })?;
    if !local && crate::is_public_example(&value) {
        return Err(Error::new(
            ErrorKind::InvalidConfig,
            "TENANT_KEY holds the public example value of .dev.vars.example; set your own with `wrangler secret put TENANT_KEY` (example values work only on localhost)",
        ));
    }
    TenantKey::parse(&value)
}

/// The tenant `id` as the hook path sees it for `provider`, from the isolate's cache when
/// the entry is younger than `cache_ms`; `None` when there is no such tenant.
pub(super) async fn view(
    env: &Env,
    id: &str,
    provider: Provider,
    cache_ms: i64,
    now_ms: i64,
) -> Result<Option<TenantView>, Error> {
    let key = (id.to_owned(), provider.as_str().to_owned());
    if cache_ms > 0 {
        let cached = CACHE.with(|c| {
            c.borrow()
                .get(&key)
                .filter(|(until, _)| *until > now_ms)
                .map(|(_, view)| view.clone())
        });
        if let Some(view) = cached {
            return Ok(view);
        }
    }
    let found = lookup(env, id, provider).await?;
    if cache_ms > 0 {
        CACHE.with(|c| {
            let mut c = c.borrow_mut();
            if c.len() >= CACHE_MAX_ENTRIES {
                c.clear();
            }
            c.insert(key, (now_ms.saturating_add(cache_ms), found.clone()));
        });
    }
    Ok(found)
}

async fn lookup(env: &Env, id: &str, provider: Provider) -> Result<Option<TenantView>, Error> {
    #[derive(Deserialize)]
    struct Row {
        state: String,
        origin_url: Option<String>,
        forward_secret: Option<String>,
    }
    #[derive(Deserialize)]
    struct Account {
        account_id: String,
    }
    let db = db(env)?;
    let p = provider.as_str();
    let results = db
        .batch(vec![
            bind(
                db.prepare("SELECT state, origin_url, forward_secret FROM tenants WHERE id = ?1"),
                &[id],
            )?,
            bind(
                db.prepare(
                    "SELECT id, kind, sealed FROM tenant_secrets WHERE tenant_id = ?1 AND provider = ?2 ORDER BY created_at, id",
                ),
                &[id, p],
            )?,
            bind(
                db.prepare(
                    "SELECT account_id FROM tenant_accounts WHERE tenant_id = ?1 AND provider = ?2 ORDER BY account_id",
                ),
                &[id, p],
            )?,
        ])
        .await
        .map_err(store_error)?;
    let mut results = results.into_iter();
    let (Some(tenant), Some(secrets), Some(accounts)) =
        (results.next(), results.next(), results.next())
    else {
        return Err(store_error(::worker::Error::RustError(
            "the batch answered fewer results".into(),
        )));
    };
    let Some(row) = tenant
        .results::<Row>()
        .map_err(store_error)?
        .into_iter()
        .next()
    else {
        return Ok(None);
    };
    Ok(Some(TenantView {
        active: row.state == "active",
        origin_url: row.origin_url,
        forward_secret: row.forward_secret,
        secrets: secrets.results().map_err(store_error)?,
        accounts: accounts
            .results::<Account>()
            .map_err(store_error)?
            .into_iter()
            .map(|a| a.account_id)
            .collect(),
    }))
}

thread_local! {
    /// When this isolate last recorded a secret's use: at most once a minute each.
    static TOUCHED: RefCell<HashMap<String, i64>> = RefCell::new(HashMap::new());
}

/// Whether secret `id`'s last use is worth writing now (not in the last minute here).
pub(super) fn due_for_touch(id: &str, now_ms: i64) -> bool {
    TOUCHED.with(|t| {
        let mut t = t.borrow_mut();
        if t.get(id)
            .is_some_and(|at| now_ms.saturating_sub(*at) < 60_000)
        {
            return false;
        }
        if t.len() >= CACHE_MAX_ENTRIES {
            t.clear();
        }
        t.insert(id.to_owned(), now_ms);
        true
    })
}

/// Records that secret `id` verified a delivery (off the answer's path).
pub(super) async fn touch(env: Env, secret_id: String) {
    let Ok(db) = db(&env) else { return };
    let now = now_text();
    if let Ok(statement) = bind(
        db.prepare("UPDATE tenant_secrets SET last_used_at = ?1 WHERE id = ?2"),
        &[&now, &secret_id],
    ) {
        let _ = statement.run().await;
    }
}

/// Whether the admin request came to a loopback host (`wrangler dev`).
fn local(req: &Request) -> bool {
    crate::url_host_is_loopback(&req.inner().url())
}

fn now_text() -> String {
    crate::time::format_unix_millis(super::ledger::now_ms()).unwrap_or_default()
}

// ---- the admin API ----

fn bad(kind: ErrorKind, message: impl Into<String>) -> Refusal {
    Refusal {
        status: Some(400),
        ..Refusal::from(Error::new(kind, message.into()))
    }
}

fn unknown(id: &str) -> Refusal {
    Error::new(
        ErrorKind::UnknownTenant,
        format!("no tenant {:?}", super::clip(id, 80)),
    )
    .into()
}

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

/// `/admin/tenants…` (the admin token already checked).
pub(super) async fn admin(
    req: &mut Request,
    env: &Env,
    method: &str,
    segments: &[&str],
) -> Result<Reply, Refusal> {
    match (method, segments) {
        ("POST", ["tenants"]) => create(req, env).await,
        ("GET", ["tenants"]) => list(req, env).await,
        ("GET", ["tenants", id]) => show(env, id).await.map(|t| ok_json(200, &t)),
        ("PATCH", ["tenants", id]) => patch(req, env, id).await,
        ("DELETE", ["tenants", id]) => delete(env, id).await,
        ("POST", ["tenants", id, "secrets"]) => add_secret(req, env, id).await,
        ("DELETE", ["tenants", id, "secrets", secret]) => retire_secret(env, id, secret).await,
        ("GET", ["tenants", id, "audit"]) => audit_log(env, id).await,
        (_, ["tenants"]) => Err(super::method_not_allowed(method, "GET, POST")),
        (_, ["tenants", _]) => Err(super::method_not_allowed(method, "GET, PATCH, DELETE")),
        (_, ["tenants", _, "secrets"]) => Err(super::method_not_allowed(method, "POST")),
        (_, ["tenants", _, "secrets", _]) => Err(super::method_not_allowed(method, "DELETE")),
        (_, ["tenants", _, "audit"]) => Err(super::method_not_allowed(method, "GET")),
        _ => Err(Error::new(ErrorKind::NotFound, "no such admin route").into()),
    }
}

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

#[derive(Serialize)]
struct Fingerprint {
    fingerprint: String,
}

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

async fn show(env: &Env, id: &str) -> Result<Shown, Refusal> {
    crate::check_tenant_id(id)
        .map_err(|e| Refusal::from(Error::new(ErrorKind::UnknownTenant, e.message().to_owned())))?;
    #[derive(Deserialize)]
    struct Row {
        id: String,
        state: String,
        origin_url: Option<String>,
        forward_fingerprint: Option<String>,
        created_at: String,
        updated_at: String,
    }
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

async fn create(req: &mut Request, env: &Env) -> Result<Reply, Refusal> {
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

async fn list(req: &Request, env: &Env) -> Result<Reply, Refusal> {
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

async fn patch(req: &mut Request, env: &Env, id: &str) -> Result<Reply, Refusal> {
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

async fn delete(env: &Env, id: &str) -> Result<Reply, Refusal> {
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

async fn add_secret(req: &mut Request, env: &Env, id: &str) -> Result<Reply, Refusal> {
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
                format!("{provider} takes secrets only, not kind {:?}", super::clip(other, 40)),
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

async fn retire_secret(env: &Env, id: &str, secret_id: &str) -> Result<Reply, Refusal> {
    let tenant = show(env, id).await?;
    let Some(secret) = tenant.secrets.iter().find(|s| s.id == secret_id) else {
        return Err(Error::new(
            ErrorKind::NotFound,
            format!(
                "tenant {id:?} has no secret {:?}",
                super::clip(secret_id, 40)
            ),
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
async fn audit_log(env: &Env, id: &str) -> Result<Reply, Refusal> {
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

    pub(super) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<String>>, D::Error> {
        Option::<String>::deserialize(deserializer).map(Some)
    }
}
