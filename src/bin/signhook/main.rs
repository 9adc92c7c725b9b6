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
{admin}

--body - reads standard input. For a provider proven by its client id ({client_ids}),
sign's --secret is the client id. --query is the request URL's query (or the URL):
{query_providers} puts its proof there (?signature=...), and sign prints it first.
A delivery of several events ({batch_providers}) prints a JSON array. --max-age is the
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
        "sign" => &["--provider", "--body", "--secret", "--timestamp"],
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
            let timestamp = number(&args.timestamp, "--timestamp")?.unwrap_or_else(unix_now);
            let signed = sign(provider, secret, &body, timestamp).and_then(|headers| {
                // A proof in the body (SignWell's event.hash): the headers, a blank line,
                // then the body to send, as in an HTTP message.
                // A proof in the URL (PandaDoc's ?signature=): first, as `?<query>`.
                let query = signhook::sign_query(provider, secret, &body, timestamp)?;
                let query = if query.is_empty() {
                    String::new()
                } else {
                    format!("?{query}\n")
                };
                let body = if provider.proof_in_body() {
                    let signed = signhook::sign_body(provider, secret, &body, timestamp)?;
                    format!("\n{}\n", String::from_utf8_lossy(&signed))
                } else {
                    String::new()
                };
                Ok((query, headers, body))
            });
            match signed {
                Ok((query, headers, body)) => Outcome::Printed(
                    std::iter::once(query)
                        .chain(headers.iter().map(|(n, v)| format!("{n}: {v}\n")))
                        .chain(std::iter::once(body))
                        .collect(),
                ),
                Err(e) => Outcome::Failed(e, Vec::new()),
            }
        }
    };
    Ok(outcome)
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
