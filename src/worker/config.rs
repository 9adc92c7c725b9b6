//! The Worker's configuration, read from its vars and secrets on every request (reading a
//! binding is cheap, and a redeploy or `wrangler secret put` then takes effect at once).
//!
//! | name | default | meaning |
//! |---|---|---|
//! | `ORIGIN_URL` | empty | where to POST events; empty = inspect mode |
//! | `FORWARD_SECRET` | none | `whsec_…` key signing what goes to origin (needed with `ORIGIN_URL`) |
//! | `ZOHO_SIGN_SECRETS`, `YOUSIGN_SECRETS`, `ZIGNED_SECRETS` | none | space-separated secrets |
//! | `ACROBAT_SIGN_CLIENT_IDS` | none | space-separated allowed client ids |
//! | `ZIGNED_TOLERANCE_SECONDS` | 300 | signed-timestamp tolerance |
//! | `MAX_BODY_BYTES` | 10485760 | body size limit |
//! | `ORIGIN_TIMEOUT_MS` | 4000 | how long to wait for origin |

use ::worker::Env;

use crate::{
    Error, ErrorKind, ForwardSecret, Provider, Secret, VerifyConfig, DEFAULT_MAX_BODY_BYTES,
    DEFAULT_TOLERANCE_SECONDS,
};

/// How long origin gets before the edge gives up and answers 502. Below the 5 s that Zoho
/// Sign and Acrobat Sign allow, so the edge's own answer reaches the provider.
pub(super) const DEFAULT_ORIGIN_TIMEOUT_MS: u32 = 4_000;

/// Where a verified event goes.
pub(super) enum Mode {
    /// No origin: answer the provider with the event itself.
    Inspect,
    /// POST the event to origin inside the request.
    Direct {
        origin: String,
        secret: ForwardSecret,
        timeout_ms: u32,
    },
}

impl Mode {
    pub(super) fn name(&self) -> &'static str {
        match self {
            Mode::Inspect => "inspect",
            Mode::Direct { .. } => "direct",
        }
    }
}

/// A config value that could not be used; the default was taken instead. Logged, never
/// answered (it says nothing about the sender's request).
pub(super) type Warning = &'static str;

/// One var or secret as text, `None` when unset or blank.
fn text(env: &Env, name: &str) -> Option<String> {
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

/// The delivery mode: direct when `ORIGIN_URL` is set, inspect otherwise.
///
/// # Errors
/// With an origin but no usable `FORWARD_SECRET`: `no_secret_configured` or
/// `invalid_secret` (503), so nothing unsigned ever leaves the edge and the provider
/// retries until an operator fixes it.
pub(super) fn mode(env: &Env, warnings: &mut Vec<Warning>) -> Result<Mode, Error> {
    let Some(origin) = text(env, "ORIGIN_URL") else {
        return Ok(Mode::Inspect);
    };
    let secret =
        match text(env, "FORWARD_SECRET") {
            Some(secret) => ForwardSecret::parse(&secret)?,
            None => return Err(Error::new(
                ErrorKind::NoSecretConfigured,
                "ORIGIN_URL is set but FORWARD_SECRET is not: refusing to forward unsigned events",
            )),
        };
    let timeout_ms = number(
        env,
        "ORIGIN_TIMEOUT_MS",
        DEFAULT_ORIGIN_TIMEOUT_MS,
        1,
        "ORIGIN_TIMEOUT_MS is not a positive integer; using 4000",
        warnings,
    );
    Ok(Mode::Direct {
        origin,
        secret,
        timeout_ms,
    })
}

/// Splits a space-separated list (several secrets during rotation).
fn list(env: &Env, name: &str) -> Vec<String> {
    text(env, name)
        .map(|value| value.split_whitespace().map(str::to_owned).collect())
        .unwrap_or_default()
}

/// The var holding `provider`'s secrets (or, for Acrobat Sign, its client ids).
pub(super) fn secrets_var(provider: Provider) -> &'static str {
    match provider {
        Provider::ZohoSign => "ZOHO_SIGN_SECRETS",
        Provider::AcrobatSign => "ACROBAT_SIGN_CLIENT_IDS",
        Provider::Zigned => "ZIGNED_SECRETS",
        Provider::Yousign => "YOUSIGN_SECRETS",
    }
}

/// What `provider`'s deliveries are checked against. Empty lists are kept empty: the core
/// then refuses every delivery with `no_secret_configured` (fail closed).
pub(super) fn verify_config(
    env: &Env,
    provider: Provider,
    max_body_bytes: usize,
    warnings: &mut Vec<Warning>,
) -> Result<VerifyConfig, Error> {
    let values = list(env, secrets_var(provider));
    let mut config = VerifyConfig {
        max_body_bytes,
        ..VerifyConfig::default()
    };
    if provider == Provider::AcrobatSign {
        config.client_ids = values;
    } else {
        config.secrets = values
            .iter()
            .map(|s| Secret::new(s))
            .collect::<Result<_, _>>()?;
    }
    if provider == Provider::Zigned {
        config.tolerance_seconds = number(
            env,
            "ZIGNED_TOLERANCE_SECONDS",
            DEFAULT_TOLERANCE_SECONDS,
            0,
            "ZIGNED_TOLERANCE_SECONDS is not a non-negative integer; using 300",
            warnings,
        );
    }
    Ok(config)
}

/// Acrobat Sign's allowed client ids, for the GET handshake.
pub(super) fn acrobat_client_ids(env: &Env) -> Vec<String> {
    list(env, "ACROBAT_SIGN_CLIENT_IDS")
}
