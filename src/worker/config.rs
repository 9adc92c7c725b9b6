//! The Worker's configuration, read from its vars and secrets on every request (reading a
//! binding is cheap, and a redeploy or `wrangler secret put` then takes effect at once).
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `DELIVERY` | `queue` with `ORIGIN_URL` | `queue`, `direct` or `inspect` |
//! | `ORIGIN_URL` | empty | where to POST events (https, or http to a loopback host; WHATWG parsing, no `\`, whitespace or user info) |
//! | `FORWARD_SECRET` | none | `whsec_…` key signing what goes to origin (needed with `ORIGIN_URL`) |
//! | `Provider::config_var` of every provider of the registry (`Provider::ALL`) | none | space-separated secrets; for a provider proven by a client id (`Provider::takes_client_ids`), the allowed client ids |
//! | `ZIGNED_TOLERANCE_SECONDS` | 300 | signed-timestamp tolerance, for every provider of the registry whose proof signs a timestamp (`Provider::signs_timestamp`) |
//! | `MAX_BODY_BYTES` | 10485760 | body size limit |
//! | `ORIGIN_TIMEOUT_MS` | 4000 direct, 15000 queue | how long to wait for origin |
//! | `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_SECONDS`, `RETRY_MAX_DELAY_SECONDS` | 12, 10, 10800 | queue mode's retry schedule |
//! | `LEDGER_RETENTION_HOURS` | 168 | how long the ledger remembers an event key |
//! | `ADMIN_TOKEN` | none | bearer token of the `/admin/` routes (32+ characters); unset = they answer 404 |
//! | `ACROBAT_SIGN_URL_TOKENS` | none | space-separated secret tokens of `/hooks/acrobat-sign/<token>` |
//! | `ACROBAT_SIGN_CLIENT_ID_ONLY` | false | `true`: accept Acrobat Sign with no URL token configured |
//! | `MAX_EVENT_AGE_SECONDS` | 604800 | oldest provider event time accepted where the proof covers it |
//! | `MAX_CLOCK_SKEW_SECONDS` | 300 | how far a provider event time may lie ahead of the edge's clock |
//! | `MAX_EVENTS_PER_DELIVERY` | 100 | most events in one delivery (a `Provider::is_batch` provider's array) |
//! | `TENANT_KEY` | none | base64 of 32 bytes sealing tenants' secrets in D1 (`tenants/`) |
//! | `TENANT_CACHE_SECONDS` | 5 | how long an isolate serves a tenant's settings from memory |
//! | `LOG_RETENTION_DAYS` | 30 | how long the delivery log keeps a record (`journal/`) |

use ::worker::Env;

use crate::{
    Error, ErrorKind, ForwardSecret, Provider, RetryPolicy, Secret, VerifyConfig,
    DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_CLOCK_SKEW_SECONDS, DEFAULT_MAX_EVENTS_PER_DELIVERY,
    DEFAULT_MAX_EVENT_AGE_SECONDS, DEFAULT_TOLERANCE_SECONDS,
};

/// How long origin gets in direct mode before the edge gives up and answers 502. Below the
/// 5 s that Zoho Sign and Acrobat Sign allow, so the edge's own answer reaches the provider.
pub(super) const DEFAULT_ORIGIN_TIMEOUT_MS: u32 = 4_000;
/// In queue mode no provider waits: origin gets what Standard Webhooks suggests (15–30 s).
pub(super) const DEFAULT_QUEUE_ORIGIN_TIMEOUT_MS: u32 = 15_000;
/// How long the ledger remembers an event key: longer than any provider's retry window
/// (Acrobat Sign 72 h, Dropbox Sign about 3 days) and than the retry schedule.
pub(super) const DEFAULT_RETENTION_HOURS: u32 = 168;

/// Where verified events go and how they are signed.
pub(super) struct Origin {
    pub(super) url: String,
    pub(super) secret: ForwardSecret,
    pub(super) timeout_ms: u32,
}

/// Where a verified event goes.
pub(super) enum Mode {
    /// `DELIVERY=inspect`: answer the provider with the event itself.
    Inspect,
    /// `DELIVERY=direct`: POST the event to origin inside the provider's request.
    Direct(Origin),
    /// `DELIVERY=queue` (the default with `ORIGIN_URL`): enqueue, answer at once, and let
    /// the queue consumer deliver once.
    Queue,
}

impl Mode {
    /// `inspect`, `direct` or `queue`, as `DELIVERY` says it.
    pub(super) fn name(&self) -> &'static str {
        match self {
            Mode::Inspect => "inspect",
            Mode::Direct(_) => "direct",
            Mode::Queue => "queue",
        }
    }
}

/// A config value that could not be used; the default was taken instead. Logged, never
/// answered (it says nothing about the sender's request).
pub(super) type Warning = &'static str;

/// One var or secret as text, `None` when unset or blank.
pub(super) fn text(env: &Env, name: &str) -> Option<String> {
    let value = env.var(name).ok()?.to_string();
    let value = value.trim();
    (!value.is_empty()).then(|| value.to_owned())
}

/// A numeric var; its default when unset, and a warning when it is not a number in range.
fn number<T: std::str::FromStr + PartialOrd + Copy>(
    env: &Env,
    name: &str,
    default: T,
    min: T,
    warning: Warning,
    warnings: &mut Vec<Warning>,
) -> T {
    match text(env, name) {
        None => default,
        Some(value) => match value.parse::<T>() {
            Ok(n) if n >= min => n,
            _ => {
                warnings.push(warning);
                default
            }
        },
    }
}

/// `MAX_BODY_BYTES` (default 10 MiB).
pub(super) fn max_body_bytes(env: &Env, warnings: &mut Vec<Warning>) -> usize {
    number(
        env,
        "MAX_BODY_BYTES",
        DEFAULT_MAX_BODY_BYTES,
        1,
        "MAX_BODY_BYTES is not a positive integer; using 10485760",
        warnings,
    )
}

/// The delivery mode, from `DELIVERY` and `ORIGIN_URL`.
///
/// # Errors
/// All 503, so that the provider keeps retrying until an operator fixes the deploy and
/// nothing is lost: `invalid_config` for an unknown `DELIVERY` or an `ORIGIN_URL` that is
/// not https (nor loopback); `no_origin_configured` with neither `ORIGIN_URL` nor
/// `DELIVERY=inspect` (an edge that acknowledged events and forwarded nothing would lose
/// them silently); `no_secret_configured` / `invalid_secret` without a usable
/// `FORWARD_SECRET`, so nothing unsigned ever leaves the edge.
pub(super) fn mode(env: &Env, local: bool, warnings: &mut Vec<Warning>) -> Result<Mode, Error> {
    mode_for(env, local, None, warnings)
}

/// A tenant's own origin, where it has one (a tenant route's settings over the
/// deployment's `ORIGIN_URL` / `FORWARD_SECRET`).
#[derive(Default)]
pub(super) struct TenantOrigin {
    pub(super) url: Option<String>,
    /// The tenant's `whsec_…` key, opened.
    pub(super) forward_secret: Option<String>,
}

/// [`mode`] for a tenant route: the tenant's origin and forwarding key where it set them.
pub(super) fn mode_for(
    env: &Env,
    local: bool,
    tenant: Option<&TenantOrigin>,
    warnings: &mut Vec<Warning>,
) -> Result<Mode, Error> {
    let delivery = text(env, "DELIVERY");
    let queue = match delivery.as_deref() {
        Some("inspect") => return Ok(Mode::Inspect),
        None | Some("queue") => true,
        Some("direct") => false,
        Some(_) => {
            return Err(Error::new(
                ErrorKind::InvalidConfig,
                "DELIVERY must be queue, direct or inspect",
            ))
        }
    };
    let origin = origin(env, queue, tenant, warnings)?;
    let own_key = tenant.is_some_and(|t| t.forward_secret.is_some());
    if !local
        && !own_key
        && crate::is_public_example(&text(env, "FORWARD_SECRET").unwrap_or_default())
    {
        return Err(public_example("FORWARD_SECRET"));
    }
    Ok(if queue {
        Mode::Queue
    } else {
        Mode::Direct(origin)
    })
}

/// Where events go and how they are signed: the tenant's own origin and key where it set
/// them, else the deployment's `ORIGIN_URL` and `FORWARD_SECRET`.
pub(super) fn origin(
    env: &Env,
    queue: bool,
    tenant: Option<&TenantOrigin>,
    warnings: &mut Vec<Warning>,
) -> Result<Origin, Error> {
    let tenant_url = tenant.and_then(|t| t.url.clone());
    let Some(url) = tenant_url.clone().or_else(|| text(env, "ORIGIN_URL")) else {
        return Err(Error::new(
            ErrorKind::NoOriginConfigured,
            "ORIGIN_URL is not set: set it (https) to deliver events, or DELIVERY=inspect to answer with them",
        ));
    };
    // Read by the runtime's own URL parser, the one its `fetch` will use.
    let var = if tenant_url.is_some() {
        "the tenant's origin_url"
    } else {
        "ORIGIN_URL"
    };
    crate::check_parsed_url(var, &url, super::host::parse_url(&url).as_ref())?;
    let secret =
        match tenant
            .and_then(|t| t.forward_secret.clone())
            .or_else(|| text(env, "FORWARD_SECRET"))
        {
            Some(secret) => ForwardSecret::parse(&secret)?,
            None => return Err(Error::new(
                ErrorKind::NoSecretConfigured,
                "ORIGIN_URL is set but FORWARD_SECRET is not: refusing to forward unsigned events",
            )),
        };
    let timeout_ms = if queue {
        number(
            env,
            "ORIGIN_TIMEOUT_MS",
            DEFAULT_QUEUE_ORIGIN_TIMEOUT_MS,
            1,
            "ORIGIN_TIMEOUT_MS is not a positive integer; using 15000",
            warnings,
        )
    } else {
        number(
            env,
            "ORIGIN_TIMEOUT_MS",
            DEFAULT_ORIGIN_TIMEOUT_MS,
            1,
            "ORIGIN_TIMEOUT_MS is not a positive integer; using 4000",
            warnings,
        )
    };
    Ok(Origin {
        url,
        secret,
        timeout_ms,
    })
}

/// `LOG_RETENTION_DAYS` (default 30; fractions of a day allowed): how long the delivery
/// log keeps a record, in ms.
pub(super) fn log_retention_ms(env: &Env) -> i64 {
    let days = text(env, "LOG_RETENTION_DAYS")
        .and_then(|v| v.parse::<f64>().ok())
        .filter(|d| d.is_finite() && *d >= 0.0)
        .unwrap_or(30.0);
    (days * 86_400_000.0).min(i64::MAX as f64) as i64
}

/// `TENANT_CACHE_SECONDS`: how long an isolate may serve a tenant's settings from memory
/// (a retired secret or a disabled tenant stops verifying within it); 0 reads D1 on every
/// request.
pub(super) fn tenant_cache_ms(env: &Env, warnings: &mut Vec<Warning>) -> i64 {
    let seconds: u32 = number(
        env,
        "TENANT_CACHE_SECONDS",
        5,
        0,
        "TENANT_CACHE_SECONDS is not a non-negative integer; using 5",
        warnings,
    );
    i64::from(seconds) * 1000
}

/// Queue mode's retry schedule: `RETRY_MAX_ATTEMPTS`, `RETRY_BASE_SECONDS`,
/// `RETRY_MAX_DELAY_SECONDS` (the library's defaults where unset or unusable).
pub(super) fn retry_policy(env: &Env, warnings: &mut Vec<Warning>) -> RetryPolicy {
    let d = RetryPolicy::DEFAULT;
    RetryPolicy {
        max_attempts: number(
            env,
            "RETRY_MAX_ATTEMPTS",
            d.max_attempts,
            1,
            "RETRY_MAX_ATTEMPTS is not a positive integer; using 12",
            warnings,
        ),
        base_seconds: number(
            env,
            "RETRY_BASE_SECONDS",
            d.base_seconds,
            0,
            "RETRY_BASE_SECONDS is not a non-negative integer; using 10",
            warnings,
        ),
        max_delay_seconds: number(
            env,
            "RETRY_MAX_DELAY_SECONDS",
            d.max_delay_seconds,
            0,
            "RETRY_MAX_DELAY_SECONDS is not a non-negative integer; using 10800",
            warnings,
        ),
    }
}

/// `MAX_CLOCK_SKEW_SECONDS`: how far a provider's event time may lie ahead of the edge's
/// clock (refused as `event_too_new` where the proof covers it, ignored for ordering
/// where it does not).
pub(super) fn max_clock_skew_seconds(env: &Env, warnings: &mut Vec<Warning>) -> u64 {
    number(
        env,
        "MAX_CLOCK_SKEW_SECONDS",
        DEFAULT_MAX_CLOCK_SKEW_SECONDS,
        0,
        "MAX_CLOCK_SKEW_SECONDS is not a non-negative integer; using 300",
        warnings,
    )
}

/// `LEDGER_RETENTION_HOURS` (default 168) in milliseconds.
pub(super) fn retention_ms(env: &Env) -> i64 {
    let hours = number(
        env,
        "LEDGER_RETENTION_HOURS",
        DEFAULT_RETENTION_HOURS,
        1,
        "",
        &mut Vec::new(),
    );
    i64::from(hours) * 3_600_000
}

/// Splits a space-separated list (several secrets during rotation).
fn list(env: &Env, name: &str) -> Vec<String> {
    text(env, name)
        .map(|value| value.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The var holding `provider`'s secrets (or its client ids), from the registry.
pub(super) fn secrets_var(provider: Provider) -> &'static str {
    provider.config_var()
}

/// What `provider`'s deliveries are checked against. Empty lists are kept empty: the core
/// then refuses every delivery with `no_secret_configured` (fail closed).
pub(super) fn verify_config(
    env: &Env,
    provider: Provider,
    max_body_bytes: usize,
    local: bool,
    warnings: &mut Vec<Warning>,
) -> Result<VerifyConfig, Error> {
    let var = secrets_var(provider);
    let values = list(env, var);
    if !local && values.iter().any(|v| crate::is_public_example(v)) {
        return Err(public_example(var));
    }
    let mut config = bounds(env, provider, max_body_bytes, warnings);
    if provider.takes_client_ids() {
        config.client_ids = values;
    } else {
        config.secrets = values
            .iter()
            .map(|s| Secret::new(s))
            .collect::<Result<_, _>>()?;
    }
    Ok(config)
}

/// The deployment's bounds for `provider` (age, clock skew, events per delivery, body
/// size, timestamp tolerance), without any secret: a tenant route adds the tenant's.
pub(super) fn bounds(
    env: &Env,
    provider: Provider,
    max_body_bytes: usize,
    warnings: &mut Vec<Warning>,
) -> VerifyConfig {
    let mut config = VerifyConfig {
        max_body_bytes,
        max_event_age_seconds: Some(number(
            env,
            "MAX_EVENT_AGE_SECONDS",
            DEFAULT_MAX_EVENT_AGE_SECONDS,
            1,
            "MAX_EVENT_AGE_SECONDS is not a positive integer; using 604800",
            warnings,
        )),
        max_clock_skew_seconds: max_clock_skew_seconds(env, warnings),
        max_events_per_delivery: number(
            env,
            "MAX_EVENTS_PER_DELIVERY",
            DEFAULT_MAX_EVENTS_PER_DELIVERY,
            1,
            "MAX_EVENTS_PER_DELIVERY is not a positive integer; using 100",
            warnings,
        ),
        ..VerifyConfig::default()
    };
    if provider.signs_timestamp() {
        config.tolerance_seconds = number(
            env,
            "ZIGNED_TOLERANCE_SECONDS",
            DEFAULT_TOLERANCE_SECONDS,
            0,
            "ZIGNED_TOLERANCE_SECONDS is not a non-negative integer; using 300",
            warnings,
        );
    }
    config
}

/// `invalid_secret`: `var` holds a public example value away from a loopback host.
fn public_example(var: &str) -> Error {
    Error::new(
        ErrorKind::InvalidSecret,
        format!("{var} holds a public example value from .dev.vars.example or the validator page; set your own with `wrangler secret put {var}` (example values work only on localhost)"),
    )
}

/// Acrobat Sign's URL token gate (security review H-1): with `ACROBAT_SIGN_URL_TOKENS`
/// set, the path must end in one of them (compared in constant time), and the event says
/// `url-token` / `shared-secret`, returned here as the token's index. With none set, the
/// route refuses unless `ACROBAT_SIGN_CLIENT_ID_ONLY=true` (then `None`: the event keeps
/// `client-id`).
///
/// # Errors
/// `no_secret_configured` (503) with neither; `not_found` for a missing or wrong token
/// (a wrong token looks like any unknown path).
pub(super) fn acrobat_url_token(
    env: &Env,
    token: Option<&str>,
    local: bool,
) -> Result<Option<usize>, Error> {
    let tokens = list(env, "ACROBAT_SIGN_URL_TOKENS");
    if !local && tokens.iter().any(|v| crate::is_public_example(v)) {
        return Err(public_example("ACROBAT_SIGN_URL_TOKENS"));
    }
    if tokens.is_empty() {
        return if text(env, "ACROBAT_SIGN_CLIENT_ID_ONLY").as_deref() == Some("true") {
            Ok(None)
        } else {
            Err(Error::new(
                ErrorKind::NoSecretConfigured,
                "acrobat-sign needs ACROBAT_SIGN_URL_TOKENS (register https://<edge>/hooks/acrobat-sign/<token> at Acrobat Sign): a client id alone is public and proves nothing; ACROBAT_SIGN_CLIENT_ID_ONLY=true accepts client-id-only deliveries at your own risk",
            ))
        };
    }
    let Some(token) = token else {
        return Err(Error::new(
            ErrorKind::NotFound,
            "acrobat-sign takes deliveries at /hooks/acrobat-sign/<token> only",
        ));
    };
    // Every configured token is compared, with no early exit.
    let mut found = None;
    for (index, expected) in tokens.iter().enumerate() {
        if crate::token_matches(expected.as_bytes(), token.as_bytes()) && found.is_none() {
            found = Some(index);
        }
    }
    found
        .map(Some)
        .ok_or_else(|| Error::new(ErrorKind::NotFound, "no route for this path"))
}

/// Acrobat Sign's allowed client ids, for the GET handshake.
///
/// # Errors
/// `invalid_secret` for a public example id outside local development.
pub(super) fn acrobat_client_ids(env: &Env, local: bool) -> Result<Vec<String>, Error> {
    let var = secrets_var(Provider::AcrobatSign);
    let ids = list(env, var);
    if !local && ids.iter().any(|v| crate::is_public_example(v)) {
        return Err(public_example(var));
    }
    Ok(ids)
}
