//! `signhook admin …`: the admin API of a running edge (tenants and their secrets), so
//! that nobody writes curl. The token comes from `SIGNHOOK_ADMIN_TOKEN` (never a flag: a
//! flag lands in shell history and `ps`), the deployment from `--url` or `SIGNHOOK_URL`.
//! A secret is read from standard input when given as `-`.
//!
//! Output: the API's JSON answer, pretty-printed, on stdout. A refusal prints
//! `error[<code>]: <detail>` on stderr and exits 1; a usage mistake exits 2.

use std::io::Read;

/// The usage of `signhook admin`.
pub(crate) const USAGE: &str = "\
  signhook admin tenants add <id>            [--url <base-url>]
  signhook admin tenants list                [--limit <n>] [--cursor <id>]
  signhook admin tenants show <id>
  signhook admin tenants disable <id>
  signhook admin tenants enable <id>
  signhook admin tenants delete <id>
  signhook admin secrets add <tenant> --provider <p> --secret <s|-> [--label <l>] [--kind client_id|url_token]
  signhook admin secrets retire <tenant> <secret-id>

admin: the deployment is --url or SIGNHOOK_URL (e.g. https://edge.example.com); the token is
SIGNHOOK_ADMIN_TOKEN. --secret - reads the secret from standard input.";

/// What `signhook admin` came to: stdout text, or (exit code, stderr text).
#[cfg_attr(target_arch = "wasm32", allow(dead_code))]
pub(crate) enum Done {
    Printed(String),
    Failed(u8, String),
}

fn usage(why: impl Into<String>) -> Done {
    Done::Failed(2, format!("error: {}\n\nusage:\n{USAGE}", why.into()))
}

/// Runs `signhook admin <args>`.
pub(crate) fn run(args: &[String]) -> Done {
    let mut positional = Vec::new();
    let mut flags: Vec<(String, String)> = Vec::new();
    let mut iter = args.iter();
    while let Some(arg) = iter.next() {
        if let Some(flag) = arg.strip_prefix("--") {
            let (name, value) = match flag.split_once('=') {
                Some((n, v)) => (n.to_owned(), v.to_owned()),
                None => match iter.next() {
                    Some(v) => (flag.to_owned(), v.clone()),
                    None => return usage(format!("--{flag} needs a value")),
                },
            };
            if flags.iter().any(|(n, _)| *n == name) {
                return usage(format!("--{name} given twice"));
            }
            flags.push((name, value));
        } else {
            positional.push(arg.as_str());
        }
    }
    let flag = |name: &str| {
        flags
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.clone())
    };
    let allowed: &[&str] = match positional.as_slice() {
        ["tenants", "list"] => &["url", "limit", "cursor"],
        ["secrets", "add", _] => &["url", "provider", "secret", "label", "kind"],
        _ => &["url"],
    };
    if let Some((name, _)) = flags.iter().find(|(n, _)| !allowed.contains(&n.as_str())) {
        return usage(format!("this admin command does not take --{name}"));
    }
    let Some(base) = flag("url").or_else(|| std::env::var("SIGNHOOK_URL").ok()) else {
        return usage("no deployment: give --url <base-url> or set SIGNHOOK_URL");
    };
    let base = base.trim_end_matches('/').to_owned();
    let Ok(token) = std::env::var("SIGNHOOK_ADMIN_TOKEN") else {
        return usage("set SIGNHOOK_ADMIN_TOKEN to the deployment's ADMIN_TOKEN");
    };
    let segment = |s: &str| -> Result<String, Done> {
        if s.is_empty()
            || !s
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            Err(usage(format!("{s:?} is not an id")))
        } else {
            Ok(s.to_owned())
        }
    };
    let request = (|| -> Result<(&str, String, Option<serde_json::Value>), Done> {
        Ok(match positional.as_slice() {
            ["tenants", "add", id] => (
                "POST",
                "/admin/tenants".to_owned(),
                Some(serde_json::json!({ "id": id })),
            ),
            ["tenants", "list"] => {
                let mut query = Vec::new();
                if let Some(limit) = flag("limit") {
                    query.push(format!("limit={}", segment(&limit)?));
                }
                if let Some(cursor) = flag("cursor") {
                    query.push(format!("cursor={}", segment(&cursor)?));
                }
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{}", query.join("&"))
                };
                ("GET", format!("/admin/tenants{query}"), None)
            }
            ["tenants", "show", id] => ("GET", format!("/admin/tenants/{}", segment(id)?), None),
            ["tenants", verb @ ("disable" | "enable"), id] => (
                "PATCH",
                format!("/admin/tenants/{}", segment(id)?),
                Some(serde_json::json!({
                    "state": if *verb == "disable" { "disabled" } else { "active" }
                })),
            ),
            ["tenants", "delete", id] => {
                ("DELETE", format!("/admin/tenants/{}", segment(id)?), None)
            }
            ["secrets", "add", tenant] => {
                let provider = flag("provider").ok_or_else(|| usage("--provider is required"))?;
                let mut secret = flag("secret").ok_or_else(|| usage("--secret is required"))?;
                if secret == "-" {
                    secret.clear();
                    std::io::stdin()
                        .read_to_string(&mut secret)
                        .map_err(|e| usage(format!("cannot read the secret from stdin: {e}")))?;
                    // A trailing newline from `echo` or a file is not part of the secret.
                    let trimmed = secret.trim_end_matches(['\n', '\r']).len();
                    secret.truncate(trimmed);
                }
                let mut body = serde_json::Map::new();
                body.insert("provider".into(), provider.into());
                body.insert("secret".into(), secret.into());
                if let Some(label) = flag("label") {
                    body.insert("label".into(), label.into());
                }
                if let Some(kind) = flag("kind") {
                    body.insert("kind".into(), kind.into());
                }
                let body = serde_json::Value::Object(body);
                (
                    "POST",
                    format!("/admin/tenants/{}/secrets", segment(tenant)?),
                    Some(body),
                )
            }
            ["secrets", "retire", tenant, id] => (
                "DELETE",
                format!(
                    "/admin/tenants/{}/secrets/{}",
                    segment(tenant)?,
                    segment(id)?
                ),
                None,
            ),
            _ => return Err(usage("unknown admin command")),
        })
    })();
    let (method, path, body) = match request {
        Ok(r) => r,
        Err(done) => return done,
    };
    send(&base, &token, method, &path, body.as_ref())
}

#[cfg(target_arch = "wasm32")]
fn send(_: &str, _: &str, _: &str, _: &str, _: Option<&serde_json::Value>) -> Done {
    Done::Failed(
        1,
        "error: signhook admin needs the native CLI (it speaks HTTPS)".into(),
    )
}

#[cfg(not(target_arch = "wasm32"))]
fn send(
    base: &str,
    token: &str,
    method: &str,
    path: &str,
    body: Option<&serde_json::Value>,
) -> Done {
    let agent = ureq::AgentBuilder::new()
        .timeout(std::time::Duration::from_secs(30))
        .redirects(0)
        .build();
    let request = agent
        .request(method, &format!("{base}{path}"))
        .set("authorization", &format!("Bearer {token}"));
    let result = match body {
        Some(body) => request
            .set("content-type", "application/json")
            .send_string(&body.to_string()),
        None => request.call(),
    };
    let (status, text) = match result {
        Ok(response) => (
            response.status(),
            response.into_string().unwrap_or_default(),
        ),
        Err(ureq::Error::Status(status, response)) => {
            (status, response.into_string().unwrap_or_default())
        }
        Err(ureq::Error::Transport(e)) => {
            // The transport's words never carry the token (it is a header).
            return Done::Failed(1, format!("error: cannot reach {base}: {e}"));
        }
    };
    let json: Option<serde_json::Value> = serde_json::from_str(&text).ok();
    if (200..300).contains(&status) {
        return Done::Printed(match json {
            Some(value) => serde_json::to_string_pretty(&value).unwrap_or_default() + "\n",
            None => String::new(),
        });
    }
    let code = json
        .as_ref()
        .and_then(|j| j.get("code"))
        .and_then(|c| c.as_str())
        .unwrap_or("http_error")
        .to_owned();
    let detail = json
        .as_ref()
        .and_then(|j| j.get("detail"))
        .and_then(|d| d.as_str())
        .map_or_else(
            || format!("the deployment answered {status}"),
            str::to_owned,
        );
    Done::Failed(1, format!("error[{code}]: {detail}"))
}
