//! What a hook request is checked against and where its events go, decided before a byte
//! of the body is read: the deployment's vars (`/hooks/…`) or a tenant's row
//! (`/t/<tenant>/hooks/…`, its sealed secrets opened under `TENANT_KEY`).

use ::worker::Env;

use super::Target;
use crate::worker::config::{self, Mode};
use crate::worker::reply::Refusal;
use crate::worker::tenants::{self, TenantView};
use crate::worker::{clip, now_ms};
use crate::{Error, ErrorKind, Provider, TenantKey, VerifyConfig};

/// What a delivery is checked against and where it goes: the deployment's vars, or a
/// tenant's row.
pub(super) struct Setup {
    /// The secrets (or client ids) and bounds of the provider.
    pub(super) verify_config: VerifyConfig,
    /// Which URL token matched (Acrobat Sign's real authenticator), by index.
    pub(super) url_token: Option<usize>,
    /// Where verified events go.
    pub(super) mode: Mode,
    /// A tenant route's own part.
    pub(super) tenant: Option<TenantSetup>,
}

/// A tenant route's own part of [`Setup`].
pub(super) struct TenantSetup {
    /// The tenant's id.
    pub(super) id: String,
    /// The provider accounts the tenant registered (empty: not bound).
    pub(super) accounts: Vec<String>,
    /// The secrets' ids, by the index `data.verification.key` gives (URL tokens for
    /// Acrobat Sign), to record their last use.
    pub(super) key_ids: Vec<String>,
}

/// The deployment's setup (`/hooks/…`) or a tenant's (`/t/<tenant>/hooks/…`): everything
/// that is decided before a byte of the body is read. An unknown or disabled tenant is
/// `404 unknown_tenant`; `TENANT_KEY` missing or wrong is `503 invalid_config`.
pub(super) async fn setup(
    env: &Env,
    target: &Target<'_>,
    local: bool,
    max_body_bytes: usize,
    warnings: &mut Vec<config::Warning>,
) -> Result<Setup, Refusal> {
    match target.tenant {
        None => deployment_setup(env, target, local, max_body_bytes, warnings),
        Some(id) => {
            crate::worker::apart(tenant_setup(
                env,
                target,
                id,
                local,
                max_body_bytes,
                warnings,
            ))
            .await
        }
    }
}

/// `/hooks/…`: the deployment's vars.
fn deployment_setup(
    env: &Env,
    target: &Target<'_>,
    local: bool,
    max_body_bytes: usize,
    warnings: &mut Vec<config::Warning>,
) -> Result<Setup, Refusal> {
    let provider = target.provider;
    let mode = config::mode(env, local, warnings)?;
    let verify_config = config::verify_config(env, provider, max_body_bytes, local, warnings)?;
    let url_token = match provider {
        p if p.takes_client_ids() => config::acrobat_url_token(env, target.token, local)?,
        _ => None,
    };
    Ok(Setup {
        verify_config,
        url_token,
        mode,
        tenant: None,
    })
}

/// A tenant's secrets for one provider, opened, by what they are.
#[derive(Default)]
struct Opened {
    /// The ids of the HMAC secrets, in `verify_config.secrets`' order.
    secret_ids: Vec<String>,
    /// The URL tokens (Acrobat Sign).
    tokens: Vec<String>,
    /// The URL tokens' ids, in the same order.
    token_ids: Vec<String>,
}

/// `/t/<id>/hooks/…`: the tenant's secrets, account ids and origin.
async fn tenant_setup(
    env: &Env,
    target: &Target<'_>,
    id: &str,
    local: bool,
    max_body_bytes: usize,
    warnings: &mut Vec<config::Warning>,
) -> Result<Setup, Refusal> {
    let provider = target.provider;
    let unknown = || -> Refusal {
        Error::new(
            ErrorKind::UnknownTenant,
            format!("no active tenant {:?}", clip(id, 64)),
        )
        .into()
    };
    crate::check_tenant_id(id).map_err(|_| unknown())?;
    let cache_ms = config::tenant_cache_ms(env, warnings);
    let view = tenants::view(env, id, provider, cache_ms, now_ms())
        .await?
        .filter(|v| v.active)
        .ok_or_else(unknown)?;
    let key = tenants::tenant_key(env, local)?;
    let mut verify_config = config::bounds(env, provider, max_body_bytes, warnings);
    let opened = open_secrets(&key, id, provider, &view, &mut verify_config)?;
    let url_token = if provider.takes_client_ids() {
        Some(tenant_url_token(
            id,
            provider,
            target.token,
            &opened.tokens,
        )?)
    } else {
        None
    };
    let forward_secret = view
        .forward_secret
        .as_deref()
        .map(|sealed| key.open(id, "forward", sealed))
        .transpose()?;
    let origin = config::TenantOrigin {
        url: view.origin_url.clone(),
        forward_secret,
    };
    let mode = config::mode_for(env, local, Some(&origin), warnings)?;
    Ok(Setup {
        verify_config,
        url_token,
        mode,
        tenant: Some(TenantSetup {
            id: id.to_owned(),
            accounts: view.accounts,
            key_ids: if provider.takes_client_ids() {
                opened.token_ids
            } else {
                opened.secret_ids
            },
        }),
    })
}

/// Opens the tenant's sealed secrets for `provider` into `verify_config` (secrets,
/// client ids); the URL tokens and the ids apart.
fn open_secrets(
    key: &TenantKey,
    id: &str,
    provider: Provider,
    view: &TenantView,
    verify_config: &mut VerifyConfig,
) -> Result<Opened, Error> {
    let mut opened = Opened::default();
    for sealed in &view.secrets {
        let value = key.open(id, provider.as_str(), &sealed.sealed)?;
        match sealed.kind.as_str() {
            "client_id" => verify_config.client_ids.push(value),
            "url_token" => {
                opened.tokens.push(value);
                opened.token_ids.push(sealed.id.clone());
            }
            _ => {
                verify_config.secrets.push(crate::Secret::new(&value)?);
                opened.secret_ids.push(sealed.id.clone());
            }
        }
    }
    Ok(opened)
}

/// Which of the tenant's URL tokens the path's `token` is (every one compared, with no
/// early exit).
///
/// # Errors
/// `no_secret_configured` when the tenant has none; `not_found` for a missing or wrong
/// token (a wrong token looks like any unknown path).
fn tenant_url_token(
    id: &str,
    provider: Provider,
    token: Option<&str>,
    tokens: &[String],
) -> Result<usize, Error> {
    if tokens.is_empty() {
        return Err(Error::new(
            ErrorKind::NoSecretConfigured,
            format!("tenant {id} has no url_token for {provider}: add one (POST /admin/tenants/{id}/secrets, kind url_token) and register /t/{id}/hooks/{provider}/<token>"),
        ));
    }
    let token = token.ok_or_else(|| {
        Error::new(
            ErrorKind::NotFound,
            format!("{provider} takes deliveries at /t/{id}/hooks/{provider}/<token> only"),
        )
    })?;
    let mut found = None;
    for (index, expected) in tokens.iter().enumerate() {
        if crate::token_matches(expected.as_bytes(), token.as_bytes()) && found.is_none() {
            found = Some(index);
        }
    }
    found.ok_or_else(|| Error::new(ErrorKind::NotFound, "no route for this path"))
}
