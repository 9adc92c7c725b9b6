//! `signhook`: verify, normalize and sign e-signature webhook deliveries from the shell.
//!
//! Exit codes: 0 success, 1 the delivery failed (`error[<code>]: <message>` on stderr),
//! 2 the command line is wrong.

mod admin;

use std::io::{Read, Write};
use std::process::ExitCode;
use std::time::{SystemTime, UNIX_EPOCH};

use signhook::{
    diagnose, normalize_unverified_all, sign, verify, Error, Event, Headers, ProofAt, Provider,
    Secret, VerifyConfig,
};

/// The usage text; `{providers}` is the registry's list of names.
const USAGE: &str = "\
usage:
  signhook verify --provider <{providers}> --body <file>
                  [--header \"Name: value\"]... [--secret <s>]... [--client-id <id>]...
                  [--now <unix-seconds>] [--tolerance <seconds>] [--max-age <seconds>]
                  [--query <query-string>]
  signhook normalize --provider <p> --body <file>      (no verification)
  signhook sign --provider <p> --secret <s> --body <file> [--timestamp <unix-seconds>]
                [--curl <base-url>] [--url-token <token>]
  {admin}

--body - reads standard input. For a provider proven by its client id ({client_ids}),
sign's --secret is the client id. --query is the request URL's query (or the URL):
{query_providers} puts its proof there (?signature=...), and sign prints it first.
A delivery of several events ({batch_providers}) prints a JSON array. sign dates the
delivery now (or --timestamp): where the signed time is in the body ({time_in_body}) it
rewrites that field first and says so on stderr. --curl prints one command line that sends
the delivery to <base-url> (the route, query, headers and body) and prints the answer;
Acrobat Sign's route needs --url-token. --max-age is the
oldest a signed event time may be (default 604800, 7 days, as the Worker; `none`: no bound).";

/// [`USAGE`] with the providers filled in.
fn usage() -> String {
    let names = |keep: fn(Provider) -> bool| {
        Provider::ALL
            .into_iter()
            .filter(|p| keep(*p))
            .map(Provider::as_str)
            .collect::<Vec<_>>()
    };
    USAGE
        .replace("{admin}", admin::USAGE)
        .replace("{providers}", &names(|_| true).join("|"))
        .replace(
            "{client_ids}",
            &names(Provider::takes_client_ids).join(", "),
        )
        .replace(
            "{query_providers}",
            &names(|p| p.proof_at() == ProofAt::Query).join(", "),
        )
        .replace("{batch_providers}", &names(Provider::is_batch).join(", "))
        .replace("{time_in_body}", &names(signhook::time_in_body).join(", "))
}

/// The events as stdout shows them: one JSON object, or an array for a provider whose
/// deliveries hold several events (always an array for it, so a script reads one shape).
fn print_events(provider: Provider, events: &[Event]) -> String {
    if provider.is_batch() {
        Event::batch_json(events) + "\n"
    } else {
        events.iter().map(|e| e.to_json() + "\n").collect()
    }
}

/// A command-line mistake: exit 2.
struct Usage(String);

#[derive(Default)]
struct Args {
    provider: Option<String>,
    body: Option<String>,
    headers: Vec<String>,
    secrets: Vec<String>,
    client_ids: Vec<String>,
    now: Option<String>,
    tolerance: Option<String>,
    max_age: Option<String>,
    timestamp: Option<String>,
    query: Option<String>,
    curl: Option<String>,
    url_token: Option<String>,
}

fn parse_args(command: &str, rest: &[String]) -> Result<Args, Usage> {
    let allowed: &[&str] = match command {
        "verify" => &[
            "--provider",
            "--body",
            "--header",
            "--secret",
            "--client-id",
            "--now",
            "--tolerance",
            "--max-age",
            "--query",
        ],
        "normalize" => &["--provider", "--body"],
        "sign" => &[
            "--provider",
            "--body",
            "--secret",
            "--timestamp",
            "--curl",
            "--url-token",
        ],
        other => return Err(Usage(format!("unknown command {other:?}"))),
    };
    let mut args = Args::default();
    let mut iter = rest.iter();
    while let Some(flag) = iter.next() {
        let (flag, inline) = match flag.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_owned())),
            _ => (flag.as_str(), None),
        };
        if !allowed.contains(&flag) {
            return Err(Usage(format!("{command} does not take {flag:?}")));
        }
        let value = match inline {
            Some(v) => v,
            None => iter
                .next()
                .cloned()
                .ok_or_else(|| Usage(format!("{flag} needs a value")))?,
        };
        let once = |slot: &mut Option<String>| {
            if slot.replace(value.clone()).is_some() {
                Err(Usage(format!("{flag} given twice")))
            } else {
                Ok(())
            }
        };
        match flag {
            "--provider" => once(&mut args.provider)?,
            "--body" => once(&mut args.body)?,
            "--now" => once(&mut args.now)?,
            "--tolerance" => once(&mut args.tolerance)?,
            "--max-age" => once(&mut args.max_age)?,
            "--query" => once(&mut args.query)?,
            "--timestamp" => once(&mut args.timestamp)?,
            "--curl" => once(&mut args.curl)?,
            "--url-token" => once(&mut args.url_token)?,
            "--header" => args.headers.push(value),
            "--secret" => args.secrets.push(value),
            "--client-id" => args.client_ids.push(value),
            _ => return Err(Usage(format!("{command} does not take {flag:?}"))),
        }
    }
    Ok(args)
}

fn required<'a>(value: &'a Option<String>, flag: &str) -> Result<&'a str, Usage> {
    value
        .as_deref()
        .ok_or_else(|| Usage(format!("{flag} is required")))
}

fn number<T: std::str::FromStr>(value: &Option<String>, flag: &str) -> Result<Option<T>, Usage> {
    value
        .as_deref()
        .map(|v| {
            v.parse()
                .map_err(|_| Usage(format!("{flag} must be a whole number, got {v:?}")))
        })
        .transpose()
}

fn read_body(path: &str) -> Result<Vec<u8>, Usage> {
    let mut body = Vec::new();
    let result = if path == "-" {
        std::io::stdin().read_to_end(&mut body).map(|_| ())
    } else {
        std::fs::read(path).map(|b| body = b)
    };
    result.map_err(|e| Usage(format!("cannot read --body {path}: {e}")))?;
    Ok(body)
}

fn unix_now() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_secs()).unwrap_or(i64::MAX))
}

/// What a command produced: text for stdout, or a delivery failure.
enum Outcome {
    Printed(String),
    /// The error, and what `diagnose` found about it (`hint[<code>]: …` lines).
    Failed(Error, Vec<String>),
}

fn run(argv: &[String]) -> Result<Outcome, Usage> {
    let (command, rest) = argv
        .split_first()
        .ok_or_else(|| Usage("no command given".into()))?;
    let args = parse_args(command, rest)?;
    let provider: Provider = required(&args.provider, "--provider")?
        .parse()
        .map_err(|e: Error| Usage(format!("[{}] {e}", e.code())))?;
    let body = read_body(required(&args.body, "--body")?)?;
    let outcome = match command.as_str() {
        "verify" => {
            let mut headers = Headers::new();
            for line in &args.headers {
                let (name, value) = Headers::parse_line(line)
                    .ok_or_else(|| Usage(format!("--header {line:?} is not \"Name: value\"")))?;
                headers.append(name, value);
            }
            if let Some(query) = &args.query {
                if query.contains('?') {
                    headers.set_query_from_url(query);
                } else {
                    headers.set_query(query);
                }
            }
            let mut secrets = Vec::new();
            for s in &args.secrets {
                secrets.push(Secret::new(s).map_err(|e| Usage(format!("--secret: {e}")))?);
            }
            let mut config = VerifyConfig {
                secrets,
                client_ids: args.client_ids.clone(),
                ..VerifyConfig::default()
            };
            if let Some(t) = number(&args.tolerance, "--tolerance")? {
                config.tolerance_seconds = t;
            }
            if args.max_age.as_deref() == Some("none") {
                config.max_event_age_seconds = None;
            } else if let Some(age) = number(&args.max_age, "--max-age")? {
                config.max_event_age_seconds = Some(age);
            }
            let now = number(&args.now, "--now")?.unwrap_or_else(unix_now);
            match verify(provider, &headers, &body, &config, now).and_then(|v| v.normalize_all()) {
                Ok(events) => Outcome::Printed(print_events(provider, &events)),
                Err(e) => {
                    let diagnosis = diagnose(Some(provider), &headers, &body, &config, now);
                    let hints = diagnosis
                        .findings
                        .iter()
                        .map(|f| format!("hint[{}]: {}", f.code, f.message))
                        .collect();
                    Outcome::Failed(e, hints)
                }
            }
        }
        "normalize" => {
            eprintln!("warning: not verified: {provider} payload normalized without checking any signature");
            match normalize_unverified_all(provider, &body) {
                Ok(events) => Outcome::Printed(print_events(provider, &events)),
                Err(e) => Outcome::Failed(e, Vec::new()),
            }
        }
        _ => {
            let secret = match args.secrets.as_slice() {
                [one] => one,
                [] => return Err(Usage("--secret is required".into())),
                _ => return Err(Usage("sign takes one --secret".into())),
            };
            if args.timestamp.is_some()
                && !provider.signs_timestamp()
                && !signhook::time_in_body(provider)
            {
                return Err(Usage(format!(
                    "--timestamp has no effect for {provider}: its proof signs no time"
                )));
            }
            if args.url_token.is_some() && !provider.takes_client_ids() {
                return Err(Usage(format!(
                    "--url-token has no effect for {provider}: only Acrobat Sign's route carries one"
                )));
            }
            if args.url_token.is_some() && args.curl.is_none() {
                return Err(Usage("--url-token goes with --curl".into()));
            }
            if args.curl.is_some() && provider.takes_client_ids() && args.url_token.is_none() {
                return Err(Usage(format!(
                    "{provider}'s route is /hooks/{provider}/<token>: give --url-token (locally, .dev.vars' ACROBAT_SIGN_URL_TOKENS)"
                )));
            }
            let timestamp = number(&args.timestamp, "--timestamp")?.unwrap_or_else(unix_now);
            // The signed time in the body, dated like the proof (else the Worker's replay
            // bound refuses an old fixture as event_too_old).
            let body = if signhook::time_in_body(provider) {
                match signhook::refresh_times(provider, &body, timestamp) {
                    Some((fresh, fields)) => {
                        eprintln!(
                            "note: {provider}: set {} in the body to {timestamp} ({}) before signing",
                            fields.join(" and "),
                            signhook::format_unix_seconds(timestamp)
                        );
                        fresh
                    }
                    // A --timestamp that cannot reach the body's time changes nothing.
                    None if args.timestamp.is_some() && !provider.signs_timestamp() => {
                        return Err(Usage(format!(
                            "--timestamp has no effect here: {provider} signs no time but the one in the body, and this body holds none"
                        )));
                    }
                    None => {
                        eprintln!("note: {provider}: the body holds no signed event time to date; signed as it is");
                        body
                    }
                }
            } else {
                body
            };
            let signed = sign(provider, secret, &body, timestamp).and_then(|headers| {
                let query = signhook::sign_query(provider, secret, &body, timestamp)?;
                let body = if provider.proof_in_body() {
                    signhook::sign_body(provider, secret, &body, timestamp)?
                } else {
                    body.clone()
                };
                Ok((query, headers, body))
            });
            match (signed, &args.curl) {
                (Err(e), _) => Outcome::Failed(e, Vec::new()),
                (Ok((query, headers, body)), Some(base)) => Outcome::Printed(curl_line(
                    base,
                    provider,
                    args.url_token.as_deref(),
                    &query,
                    &headers,
                    &body,
                )),
                (Ok((query, headers, body)), None) => {
                    // A proof in the URL (PandaDoc's ?signature=): first, as `?<query>`.
                    // A proof in the body (SignWell's event.hash): the headers, a blank
                    // line, then the body to send, as in an HTTP message.
                    let query = if query.is_empty() {
                        String::new()
                    } else {
                        format!("?{query}\n")
                    };
                    let tail = if provider.proof_in_body() || signhook::time_in_body(provider) {
                        format!("\n{}\n", String::from_utf8_lossy(&body))
                    } else {
                        String::new()
                    };
                    Outcome::Printed(
                        std::iter::once(query)
                            .chain(headers.iter().map(|(n, v)| format!("{n}: {v}\n")))
                            .chain(std::iter::once(tail))
                            .collect(),
                    )
                }
            }
        }
    };
    Ok(outcome)
}

/// One POSIX shell command line that sends the delivery to `base` and prints the answer:
/// the body through `printf` (every byte kept, a multipart body's CRLFs too), then curl
/// with the route, the query, the headers.
fn curl_line(
    base: &str,
    provider: Provider,
    url_token: Option<&str>,
    query: &str,
    headers: &[(&'static str, String)],
    body: &[u8],
) -> String {
    let mut url = format!("{}/hooks/{provider}", base.trim_end_matches('/'));
    if let Some(token) = url_token {
        url.push('/');
        url.push_str(token);
    }
    if !query.is_empty() {
        url.push('?');
        url.push_str(query);
    }
    let mut line = format!(
        "printf -- '{}' | curl -sS -w '\\n' -X POST {}",
        printf_format(body),
        quote(&url)
    );
    for (name, value) in headers {
        let value = if name.eq_ignore_ascii_case("content-type") {
            // A multipart body names its boundary.
            multipart_type(body).unwrap_or_else(|| value.clone())
        } else {
            value.clone()
        };
        line.push_str(&format!(" -H {}", quote(&format!("{name}: {value}"))));
    }
    line.push_str(" --data-binary @-\n");
    line
}

/// `multipart/form-data; boundary=…` for a body that starts with a multipart boundary.
fn multipart_type(body: &[u8]) -> Option<String> {
    let first = body.split(|b| *b == b'\r').next()?;
    let boundary = std::str::from_utf8(first.strip_prefix(b"--")?).ok()?;
    (!boundary.is_empty()).then(|| format!("multipart/form-data; boundary={boundary}"))
}

/// A single-quoted POSIX shell word.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', "'\\''"))
}

/// `body` as a `printf` format inside single quotes: `%` doubled, `\\` escaped, control
/// bytes and bytes that are not UTF-8 as octal escapes, `'` closed and reopened; every
/// other character as it is. `printf` writes the body back byte for byte.
fn printf_format(body: &[u8]) -> String {
    let mut out = String::with_capacity(body.len() + 16);
    let octal = |out: &mut String, b: u8| out.push_str(&format!("\\{b:03o}"));
    for chunk in body.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '%' => out.push_str("%%"),
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("'\\''"),
                '\n' => out.push_str("\\n"),
                '\r' => out.push_str("\\r"),
                '\0'..='\x1f' | '\x7f' => octal(&mut out, c as u8),
                _ => out.push(c),
            }
        }
        for &b in chunk.invalid() {
            octal(&mut out, b);
        }
    }
    out
}

fn main() -> ExitCode {
    let argv: Vec<String> = std::env::args().skip(1).collect();
    if argv
        .first()
        .is_some_and(|a| a == "--help" || a == "-h" || a == "help")
    {
        println!("{}", usage());
        return ExitCode::SUCCESS;
    }
    if argv.first().is_some_and(|a| a == "--version" || a == "-V") {
        println!("signhook {}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    if argv.first().is_some_and(|a| a == "admin") {
        return match admin::run(argv.get(1..).unwrap_or_default()) {
            admin::Done::Printed(text) => {
                print!("{text}");
                ExitCode::SUCCESS
            }
            admin::Done::Failed(code, text) => {
                eprintln!("{text}");
                ExitCode::from(code)
            }
        };
    }
    match run(&argv) {
        Ok(Outcome::Printed(text)) => {
            let mut out = std::io::stdout().lock();
            if out
                .write_all(text.as_bytes())
                .and_then(|()| out.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Ok(Outcome::Failed(e, hints)) => {
            eprintln!("error[{}]: {}", e.code(), e.message());
            for hint in hints {
                eprintln!("{hint}");
            }
            ExitCode::from(1)
        }
        Err(Usage(why)) => {
            eprintln!("error: {why}\n\n{}", usage());
            ExitCode::from(2)
        }
    }
}
