//! Tenants in Cloudflare D1 (binding `TENANTS_DB`, schema in `migrations/`): what a tenant
//! route needs on the hook path (one batched lookup, cached per isolate for at most
//! `TENANT_CACHE_SECONDS`), what the queue consumer needs to reach a tenant's own origin,
//! and (`api.rs`) the handlers of the admin API over them (`/admin/tenants…`, routed by
//! `admin.rs`).
//!
//! Secrets are stored sealed (`crate::TenantKey`, AES-256-GCM under `TENANT_KEY`, the tenant
//! id and the provider bound as associated data, a fresh nonce from the runtime's CSPRNG
//! for every write). No route, log line or error returns a secret: the API shows the first
//! 8 hex digits of its SHA-256.

/// The admin API's handlers.
pub(super) mod api;

use std::cell::RefCell;
use std::collections::HashMap;

use ::worker::wasm_bindgen::JsValue;
use ::worker::{D1Database, D1PreparedStatement, Env};
use serde::Deserialize;

use super::config;
use crate::{Error, ErrorKind, Provider, TenantKey};

/// The D1 binding holding the tenants.
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
    /// This isolate's tenant views.
    static CACHE: RefCell<Cache> = RefCell::new(HashMap::new());
}

/// The tenants' database; `503 invalid_config` when it is not bound.
fn db(env: &Env) -> Result<D1Database, Error> {
    env.d1(BINDING).map_err(|_| {
        Error::new(
            ErrorKind::InvalidConfig,
            "the TENANTS_DB D1 binding is missing (wrangler.toml [[d1_databases]])",
        )
    })
}

/// The store failed: logged, and `503` to the caller (retry later).
fn store_error(e: ::worker::Error) -> Error {
    ::worker::console_error!("tenants: {}", super::clip(&e.to_string(), 300));
    Error::new(
        ErrorKind::EnqueueFailed,
        "the tenant store is unavailable; retry later",
    )
}

/// `statement` with `values` bound as text.
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

/// One batched read of the tenant `id`, its `provider` secrets and account ids.
async fn lookup(env: &Env, id: &str, provider: Provider) -> Result<Option<TenantView>, Error> {
    /// The tenant's row.
    #[derive(Deserialize)]
    struct Row {
        state: String,
        origin_url: Option<String>,
        forward_secret: Option<String>,
    }
    /// One registered account id.
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

/// Now, as the API writes times (RFC 3339 UTC).
fn now_text() -> String {
    crate::time::format_unix_millis(super::now_ms()).unwrap_or_default()
}
