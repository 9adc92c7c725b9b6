//! The policy of once-only delivery to origin, without any I/O: event keys, the origin URL
//! rule, how an origin's answer is classified, the retry schedule, and the attributes the
//! edge adds to what it forwards. The Worker (`src/worker/`) runs it on Cloudflare Queues and
//! a Durable Object ledger; everything here is pure, so native tests cover it.

use crate::error::{Error, ErrorKind};
use crate::verify::{hex_encode, sha256};

/// Hex digits of the SHA-256 kept in keys: 128 bits.
const KEY_HEX: usize = 32;

fn digest_key(prefix: &str, provider: &str, id: &str) -> String {
    // NUL separates the provider from the id, so no (provider, id) pair can be spelled as
    // another's concatenation.
    let digest = sha256(&[provider.as_bytes(), b"\0", id.as_bytes()]);
    let mut key = String::with_capacity(prefix.len() + KEY_HEX);
    key.push_str(prefix);
    key.push_str(&hex_encode(digest.get(..KEY_HEX / 2).unwrap_or_default()));
    key
}

/// The event key, sent to origin as `webhook-id`: `msg_` and 32 lowercase hex digits of
/// SHA-256 over the provider's name ([`Provider::as_str`](crate::Provider::as_str)), NUL,
/// and the event's `id`.
///
/// Fixed length and ASCII whatever the id holds (a provider's id is the sender's to choose,
/// and may carry spaces, control characters or megabytes), and one namespace per provider,
/// so an event of one provider can never be taken for another's at origin's dedupe.
pub fn webhook_id(provider: &str, id: &str) -> String {
    digest_key("msg_", provider, id)
}

/// The ledger shard of an event: `env_` and 32 hex digits of SHA-256 over provider, NUL and
/// the envelope id (`subject`). Every event of one envelope meets in one shard, where its
/// `sequence` is counted and status regressions are seen.
pub fn envelope_key(provider: &str, subject: &str) -> String {
    digest_key("env_", provider, subject)
}

/// [`webhook_id`] for an event received on a tenant's route (`/t/<tenant>/hooks/…`):
/// `msg_` and 32 hex digits of SHA-256 over `t`, NUL, the tenant id, NUL, the provider's
/// name, NUL and the event's `id`. Every tenant has its own namespace: the same provider
/// event id under two tenants is two events, and neither the single-tenant routes' keys
/// (which hash a provider's name first, and no provider is named `t`) nor another tenant's
/// can meet it.
pub fn tenant_webhook_id(tenant: &str, provider: &str, id: &str) -> String {
    tenant_digest_key("msg_", tenant, provider, id)
}

/// [`envelope_key`] for a tenant's route: each tenant's envelopes are its own (their own
/// `sequence`, their own `stale`).
pub fn tenant_envelope_key(tenant: &str, provider: &str, subject: &str) -> String {
    tenant_digest_key("env_", tenant, provider, subject)
}

fn tenant_digest_key(prefix: &str, tenant: &str, provider: &str, id: &str) -> String {
    let digest = sha256(&[
        b"t\0",
        tenant.as_bytes(),
        b"\0",
        provider.as_bytes(),
        b"\0",
        id.as_bytes(),
    ]);
    let mut key = String::with_capacity(prefix.len() + KEY_HEX);
    key.push_str(prefix);
    key.push_str(&hex_encode(digest.get(..KEY_HEX / 2).unwrap_or_default()));
    key
}

/// A URL as a WHATWG parser (the one `fetch` follows) read it: what
/// [`check_parsed_url`] decides on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedUrl {
    /// The scheme, lowercase, without `:` (`https`).
    pub scheme: String,
    /// The host as the parser serializes it: a domain in lowercase ASCII, an IPv4 address
    /// in dotted decimal, an IPv6 address in brackets (`[::1]`).
    pub host: String,
    /// Whether the URL carries a user name or a password.
    pub userinfo: bool,
}

/// Checks that `ORIGIN_URL` is `https://…`, or `http://` to a loopback host (`localhost`,
/// `127.0.0.0/8`, `[::1]`) for local runs and tests: events carry personal data and the
/// signature over them is replayable, so they never travel in clear over a network.
///
/// The URL is read with the WHATWG URL rules (the `url` crate here; the Worker asks the
/// runtime's own `URL`, which its `fetch` uses, and calls [`check_parsed_url`]), and the
/// loopback exception is decided on the host that parse gives.
///
/// # Errors
/// `invalid_config` naming what is wrong (see [`check_parsed_url`]); the URL itself is not
/// repeated (it may carry a credential).
#[cfg(not(target_arch = "wasm32"))]
pub fn check_origin_url(url: &str) -> Result<(), Error> {
    check_url("ORIGIN_URL", url)
}

/// [`check_origin_url`] for any setting that names where the edge sends events (`var`
/// names it in the errors).
///
/// # Errors
/// `invalid_config`, as [`check_origin_url`].
#[cfg(not(target_arch = "wasm32"))]
pub fn check_url(var: &str, url: &str) -> Result<(), Error> {
    let parsed = url::Url::parse(url).ok().map(|u| ParsedUrl {
        scheme: u.scheme().to_owned(),
        host: u.host().map(|h| h.to_string()).unwrap_or_default(),
        userinfo: !u.username().is_empty() || u.password().is_some(),
    });
    check_parsed_url(var, url, parsed.as_ref())
}

/// The policy of [`check_origin_url`] over `raw` (the setting as written) and `parsed`
/// (what a WHATWG parser made of it; `None` when it failed). Refused before the parse is
/// looked at: a `\` (WHATWG reads it as `/` in http(s) URLs, so `http://host\@127.0.0.1/`
/// goes to `host`), whitespace and control characters anywhere (WHATWG strips some
/// silently); after it, user info (a credential in a URL ends up in logs; origin
/// authenticates the edge by its signature), a scheme other than http(s), and plain http to
/// a host that is not loopback.
///
/// # Errors
/// `invalid_config` naming what is wrong, never repeating the URL.
pub fn check_parsed_url(var: &str, raw: &str, parsed: Option<&ParsedUrl>) -> Result<(), Error> {
    let invalid = |why: &str| Error::new(ErrorKind::InvalidConfig, format!("{var} {why}"));
    if raw.contains('\\') {
        return Err(invalid("holds a backslash, which URL parsers read as `/`"));
    }
    if raw.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(invalid("holds whitespace or a control character"));
    }
    let parsed = parsed.ok_or_else(|| invalid("is not an absolute http(s) URL"))?;
    if parsed.userinfo {
        return Err(invalid(
            "holds user info (user:password@); origin authenticates the edge by its signature",
        ));
    }
    if parsed.host.is_empty() {
        return Err(invalid("has no valid host"));
    }
    let loopback = parsed.host == "localhost"
        || parsed.host == "[::1]"
        || parsed
            .host
            .parse::<std::net::Ipv4Addr>()
            .is_ok_and(|ip| ip.is_loopback());
    match parsed.scheme.as_str() {
        "https" => Ok(()),
        "http" if loopback => Ok(()),
        "http" => Err(invalid(
            "must be https (plain http is accepted only for a loopback host)",
        )),
        _ => Err(invalid("is not an http(s) URL")),
    }
}

/// The provider time that orders an event in its envelope (the ledger's `stale` check),
/// in Unix ms: none when it lies more than `max_skew_seconds` after `received_ms` (a
/// forged or broken clock orders nothing), and never later than `received_ms`.
pub fn ordering_time(time_ms: Option<i64>, received_ms: i64, max_skew_seconds: u64) -> Option<i64> {
    let time_ms = time_ms?;
    let skew_ms = i64::try_from(max_skew_seconds.saturating_mul(1000)).unwrap_or(i64::MAX);
    (time_ms <= received_ms.saturating_add(skew_ms)).then(|| time_ms.min(received_ms))
}

/// Whether the host of the absolute URL `url` is a loopback one (`localhost`, `127.x.y.z`,
/// `[::1]`): the Worker's test of a request made to `wrangler dev`, from the request's URL
/// as the runtime serializes it (without the `url` crate: its size in the Worker is in
/// docs/benchmarks.md).
pub fn url_host_is_loopback(url: &str) -> bool {
    url.split_once("://")
        .and_then(|(_, rest)| host_of(authority_of(rest)))
        .is_some_and(is_loopback)
}

/// The authority of what follows `scheme://`, without user info: up to the first `/`, `?`
/// or `#`, after the last `@`.
fn authority_of(rest: &str) -> &str {
    rest.split(['/', '?', '#'])
        .next()
        .unwrap_or_default()
        .rsplit('@')
        .next()
        .unwrap_or_default()
}

/// The host of an authority (`host[:port]`, `[v6][:port]`), `None` when empty or when the
/// port is not a number.
fn host_of(authority: &str) -> Option<&str> {
    let (host, port) = if let Some(v6) = authority.strip_prefix('[') {
        let (host, after) = v6.split_once(']')?;
        (host, after.strip_prefix(':'))
    } else {
        match authority.split_once(':') {
            Some((host, port)) => (host, Some(port)),
            None => (authority, None),
        }
    };
    if let Some(port) = port {
        if !port.is_empty() && port.parse::<u16>().is_err() {
            return None;
        }
    }
    (!host.is_empty()).then_some(host)
}

fn is_loopback(host: &str) -> bool {
    if host.eq_ignore_ascii_case("localhost") || host == "::1" {
        return true;
    }
    // Exactly four decimal octets, the first 127: `127.0.0.1.example.com` is not loopback.
    let octets: Vec<&str> = host.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.len() <= 3 && o.parse::<u8>().is_ok())
        && octets.first() == Some(&"127")
}

/// What one attempt to reach origin came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OriginAnswer {
    /// Origin answered with this status.
    Status(u16),
    /// No answer within the timeout.
    Timeout,
    /// No connection (DNS, refused, reset, TLS).
    Unreachable,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Next {
    /// 2xx: origin has the event. Record it delivered.
    Delivered,
    /// Timeout, network error, 408, 429, 5xx (and 3xx: redirects are not followed): try
    /// again later, unless the budget is spent.
    Retry,
    /// Any other 4xx: origin refuses this event for good. Record a dead letter.
    Dead,
}

impl OriginAnswer {
    /// How the consumer treats the answer.
    pub fn next(self) -> Next {
        match self {
            OriginAnswer::Status(200..=299) => Next::Delivered,
            OriginAnswer::Status(408 | 429) => Next::Retry,
            OriginAnswer::Status(400..=499) => Next::Dead,
            OriginAnswer::Status(_) | OriginAnswer::Timeout | OriginAnswer::Unreachable => {
                Next::Retry
            }
        }
    }

    /// A short reason for logs and dead letters (never origin's body or URL).
    pub fn describe(self) -> String {
        match self {
            OriginAnswer::Status(status) => format!("origin answered {status}"),
            OriginAnswer::Timeout => "origin did not answer in time".to_owned(),
            OriginAnswer::Unreachable => "origin is unreachable".to_owned(),
        }
    }
}

/// The retry schedule: attempt `n` (1-based) that failed waits about `base × 2^(n-1)`
/// seconds, capped at `max_delay`, with "equal jitter" (half fixed, half random) so that
/// events that failed together do not come back together.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all, the first included; the one after the last failure is a dead letter.
    pub max_attempts: u32,
    /// Delay after the first failed attempt, in seconds (before jitter).
    pub base_seconds: u32,
    /// Upper bound of one delay, in seconds.
    pub max_delay_seconds: u32,
}

impl RetryPolicy {
    /// 12 attempts, 10 s doubling to at most 3 h: the whole schedule spans at most
    /// 20,470 s (5 h 41 min), inside the 24 h that a Free plan queue keeps a message, and
    /// every delay is under Queues' 12 h cap.
    pub const DEFAULT: RetryPolicy = RetryPolicy {
        max_attempts: 12,
        base_seconds: 10,
        max_delay_seconds: 3 * 3600,
    };

    /// Queues refuses a delay above 12 h (43,200 s).
    pub const QUEUES_MAX_DELAY_SECONDS: u32 = 43_200;

    /// The delay before the attempt after failed attempt `attempt` (1-based); `unit` is a
    /// random number in `[0, 1)` (out-of-range values are clamped).
    pub fn delay_seconds(&self, attempt: u32, unit: f64) -> u32 {
        let exponent = attempt.saturating_sub(1).min(31);
        let full = u64::from(self.base_seconds)
            .saturating_mul(1u64 << exponent)
            .min(u64::from(self.max_delay_seconds))
            .min(u64::from(Self::QUEUES_MAX_DELAY_SECONDS));
        let unit = if unit.is_finite() {
            unit.clamp(0.0, 1.0)
        } else {
            0.0
        };
        let half = full / 2;
        // `full - half` ≥ 0 and ≤ 43,200, so the product fits and the cast is exact enough.
        let jitter = ((full - half) as f64 * unit) as u64;
        u32::try_from((half + jitter).min(full)).unwrap_or(Self::QUEUES_MAX_DELAY_SECONDS)
    }

    /// Whether failed attempt `attempt` was the last one allowed.
    pub fn exhausted(&self, attempt: u32) -> bool {
        attempt >= self.max_attempts
    }

    /// The longest the whole schedule can take, in seconds (every delay at its maximum).
    pub fn horizon_seconds(&self) -> u64 {
        (1..self.max_attempts)
            .map(|n| u64::from(self.delay_seconds(n, 1.0)))
            .sum()
    }
}

/// The `sequence` attribute for counter value `n`: 16 zero-padded decimal digits, so that
/// the lexicographic order the CloudEvents sequence extension asks for is the numeric one.
pub fn sequence_attribute(n: u64) -> String {
    format!("{n:016}")
}

/// `event_json` (an [`Event`](crate::Event) as [`Event::to_json`](crate::Event::to_json)
/// wrote it) with the delivery attributes added at the front: `sequence` when given, and
/// `stale`. `None` when `event_json` is not a JSON object's text.
pub fn with_delivery_attributes(
    event_json: &str,
    sequence: Option<&str>,
    stale: bool,
) -> Option<String> {
    let rest = event_json.trim_start().strip_prefix('{')?;
    let mut out = String::with_capacity(event_json.len() + 64);
    out.push('{');
    if let Some(sequence) = sequence {
        out.push_str("\"sequence\":");
        out.push_str(&serde_json::to_string(sequence).ok()?);
        out.push(',');
    }
    out.push_str(if stale {
        "\"stale\":true"
    } else {
        "\"stale\":false"
    });
    // An empty object has nothing after the brace but `}`.
    if !rest.trim_start().starts_with('}') {
        out.push(',');
    }
    out.push_str(rest);
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_fixed_length_ascii_and_per_provider() {
        let a = webhook_id("zoho-sign", "86576de39e36403eec2fab42cad1119f");
        let b = webhook_id("acrobat-sign", "86576de39e36403eec2fab42cad1119f");
        assert_ne!(a, b);
        for id in ["", "café-ÿ", "日本", " x\r\n", &"z".repeat(5_000_000)] {
            let key = webhook_id("acrobat-sign", id);
            assert_eq!(key.len(), 36, "{key}");
            assert!(key.starts_with("msg_"));
            assert!(key[4..]
                .bytes()
                .all(|c| c.is_ascii_hexdigit() && !c.is_ascii_uppercase()));
        }
        // Independent check: Python `hashlib.sha256(b"yousign\0abc").hexdigest()[:32]`.
        assert_eq!(
            webhook_id("yousign", "abc"),
            "msg_76f8084a29f7d96788a171861b3d8c3d"
        );
        assert_eq!(
            envelope_key("yousign", "abc")[4..],
            webhook_id("yousign", "abc")[4..]
        );
    }

    #[test]
    #[cfg(not(target_arch = "wasm32"))]
    fn origin_urls() {
        for ok in [
            "https://origin.example.com/hooks",
            "HTTPS://x.example:8443",
            "http://127.0.0.1:3000/events",
            "http://127.1.2.3/",
            "http://localhost:8080",
            "http://[::1]:9000/x",
            "http://127.0.0.1:3000/events?x=1#f",
        ] {
            assert!(check_origin_url(ok).is_ok(), "{ok}");
        }
        for bad in [
            "http://origin.example.com/hooks",
            "http://127.0.0.1.evil.example/x",
            "http://127.0.0.1@evil.example/",
            "http://10.0.0.1/",
            "ftp://127.0.0.1/",
            "origin.example.com",
            "https://",
            "http://127.0.0.1:notaport/",
            "http://1270.0.0.1/",
            // security review T3-6: WHATWG reads `\\` as `/`: the host is 192.0.2.2.
            "http://192.0.2.2:8854\\@127.0.0.1/hooks",
            "http://evil.example\\.127.0.0.1/",
            "http://user:pw@127.0.0.1/x",
            "https://user@origin.example.com/x",
            "http://127.0.0.1 .evil.example/",
            " https://origin.example.com/",
            "https://origin.example.com/\t",
            "http://127.0.0.1\n.evil.example/",
        ] {
            let err = check_origin_url(bad).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::InvalidConfig, "{bad}");
            assert!(!err.message().contains("evil"), "the URL is not echoed");
        }
    }

    #[test]
    fn tenant_keys_are_their_own_namespace() {
        let a = tenant_webhook_id("acme", "zoho-sign", "e-1");
        assert_ne!(a, tenant_webhook_id("globex", "zoho-sign", "e-1"));
        assert_ne!(a, webhook_id("zoho-sign", "e-1"));
        assert_ne!(a, tenant_webhook_id("acme", "yousign", "e-1"));
        assert_eq!(a.len(), 36);
        // Independent check: Python
        // `hashlib.sha256(b"t\0acme\0zoho-sign\0e-1").hexdigest()[:32]`.
        assert_eq!(a, "msg_d066e0712add58256a3f570483d8cdab");
        assert_eq!(tenant_envelope_key("acme", "zoho-sign", "e-1")[4..], a[4..]);
    }

    #[test]
    fn ordering_times() {
        let received = 1_700_000_000_000;
        assert_eq!(ordering_time(None, received, 300), None);
        assert_eq!(
            ordering_time(Some(received - 5), received, 300),
            Some(received - 5)
        );
        // Ahead within the skew: ordered at the moment the edge received it.
        assert_eq!(
            ordering_time(Some(received + 300_000), received, 300),
            Some(received)
        );
        // Beyond it: no time at all (security review T3-3).
        assert_eq!(ordering_time(Some(received + 300_001), received, 300), None);
        assert_eq!(
            ordering_time(Some(i64::MAX), received, u64::MAX),
            Some(received)
        );
        assert_eq!(ordering_time(Some(received + 1), received, 0), None);
    }

    #[test]
    fn loopback_request_urls() {
        for local in [
            "http://127.0.0.1:8787/hooks/zoho-sign",
            "http://localhost:8787/hooks/pandadoc?signature=ab",
            "http://LOCALHOST/",
            "http://[::1]:8787/healthz",
            "http://127.5.6.7/x#y",
        ] {
            assert!(url_host_is_loopback(local), "{local}");
        }
        for remote in [
            "https://signhook.example.workers.dev/hooks/zoho-sign",
            "http://127.0.0.1.evil.example/x",
            "http://127.0.0.1@evil.example/",
            "https://evil.example/?next=http://127.0.0.1/",
            "https://evil.example/#http://localhost/",
            "http://[::2]/",
            "/hooks/zoho-sign",
            "",
        ] {
            assert!(!url_host_is_loopback(remote), "{remote}");
        }
    }

    #[test]
    fn answers() {
        use OriginAnswer::*;
        for (answer, next) in [
            (Status(200), Next::Delivered),
            (Status(204), Next::Delivered),
            (Status(299), Next::Delivered),
            (Status(301), Next::Retry),
            (Status(400), Next::Dead),
            (Status(404), Next::Dead),
            (Status(408), Next::Retry),
            (Status(410), Next::Dead),
            (Status(429), Next::Retry),
            (Status(499), Next::Dead),
            (Status(500), Next::Retry),
            (Status(503), Next::Retry),
            (Timeout, Next::Retry),
            (Unreachable, Next::Retry),
        ] {
            assert_eq!(answer.next(), next, "{answer:?}");
        }
    }

    #[test]
    fn schedule() {
        let p = RetryPolicy::DEFAULT;
        let max: Vec<u32> = (1..p.max_attempts)
            .map(|n| p.delay_seconds(n, 1.0))
            .collect();
        assert_eq!(
            max,
            [10, 20, 40, 80, 160, 320, 640, 1280, 2560, 5120, 10240]
        );
        assert_eq!(p.horizon_seconds(), 20_470);
        assert!(
            p.horizon_seconds() < 24 * 3600,
            "fits the Free plan's retention"
        );
        assert_eq!(p.delay_seconds(1, 0.0), 5, "equal jitter: at least half");
        assert_eq!(p.delay_seconds(200, 1.0), 3 * 3600, "capped");
        assert_eq!(p.delay_seconds(u32::MAX, f64::NAN), 3 * 3600 / 2);
        let big = RetryPolicy {
            max_attempts: u32::MAX,
            base_seconds: u32::MAX,
            max_delay_seconds: u32::MAX,
        };
        assert_eq!(big.delay_seconds(u32::MAX, 1.0), 43_200, "Queues' cap");
        assert!(p.exhausted(12) && !p.exhausted(11));
        let zero = RetryPolicy {
            max_attempts: 3,
            base_seconds: 0,
            max_delay_seconds: 0,
        };
        assert_eq!(zero.delay_seconds(5, 0.7), 0);
    }

    #[test]
    fn attributes() {
        assert_eq!(sequence_attribute(7), "0000000000000007");
        assert!(sequence_attribute(10) > sequence_attribute(9));
        assert_eq!(
            with_delivery_attributes(r#"{"specversion":"1.0"}"#, Some("0000000000000002"), true)
                .unwrap(),
            r#"{"sequence":"0000000000000002","stale":true,"specversion":"1.0"}"#
        );
        assert_eq!(
            with_delivery_attributes("{}", None, false).unwrap(),
            r#"{"stale":false}"#
        );
        assert_eq!(with_delivery_attributes("[1]", None, false), None);
    }
}
