//! Answers, before they become a `worker::Response`: [`Reply`], and [`Refusal`] written as
//! RFC 9457 problem details ([`problem`]). Every answer carries `cache-control: no-store`
//! and `x-content-type-options: nosniff`.

use ::worker::{Response, ResponseBuilder};
use serde::Serialize;

use super::clip;
use crate::{Error, ErrorKind};

/// `application/json`.
pub(super) const JSON: &str = "application/json";
/// `text/plain`, for a provider that requires an exact plain-text answer.
pub(super) const TEXT: &str = "text/plain; charset=utf-8";
/// RFC 9457 problem details.
const PROBLEM_JSON: &str = "application/problem+json";

/// An answer, before it becomes a `worker::Response`.
pub(super) struct Reply {
    status: u16,
    content_type: &'static str,
    headers: Vec<(&'static str, String)>,
    body: String,
}

impl Reply {
    /// An answer with no header of its own.
    pub(super) fn new(status: u16, content_type: &'static str, body: String) -> Reply {
        Reply {
            status,
            content_type,
            headers: Vec::new(),
            body,
        }
    }

    /// The answer with one more header.
    pub(super) fn with_header(mut self, name: &'static str, value: String) -> Reply {
        self.headers.push((name, value));
        self
    }

    /// Its HTTP status.
    pub(super) fn status(&self) -> u16 {
        self.status
    }

    /// The `worker::Response`, with the headers every answer carries.
    pub(super) fn into_response(self) -> ::worker::Result<Response> {
        let mut builder = ResponseBuilder::new()
            .with_status(self.status)
            .with_header("content-type", self.content_type)?
            .with_header("cache-control", "no-store")?
            .with_header("x-content-type-options", "nosniff")?;
        for (name, value) in &self.headers {
            builder = builder.with_header(name, value)?;
        }
        Ok(builder.fixed(self.body.into_bytes()))
    }
}

/// A failure, and for `405` the methods the route does accept.
pub(super) struct Refusal {
    /// What failed: its kind gives the code, the status and the title.
    pub(super) error: Error,
    /// `405`: the `Allow` header.
    pub(super) allow: Option<&'static str>,
    /// `401` of the admin routes: say which scheme they take.
    pub(super) www_authenticate: bool,
    /// Another status than the kind's: the admin API answers a bad field of its own
    /// request (`unknown_provider`, `invalid_secret`) with 400.
    pub(super) status: Option<u16>,
}

impl From<Error> for Refusal {
    fn from(error: Error) -> Refusal {
        Refusal {
            error,
            allow: None,
            www_authenticate: false,
            status: None,
        }
    }
}

/// `405 method_not_allowed`, with `Allow: <allow>`.
pub(super) fn method_not_allowed(method: &str, allow: &'static str) -> Refusal {
    Refusal {
        error: Error::new(
            ErrorKind::MethodNotAllowed,
            format!("{} is not accepted here; use {allow}", clip(method, 16)),
        ),
        allow: Some(allow),
        www_authenticate: false,
        status: None,
    }
}

/// RFC 9457 problem details of `refusal`.
pub(super) fn problem(refusal: &Refusal) -> Reply {
    /// RFC 9457's members, and the stable `code`.
    #[derive(Serialize)]
    struct Problem<'a> {
        #[serde(rename = "type")]
        problem_type: String,
        title: &'static str,
        status: u16,
        detail: &'a str,
        code: &'static str,
    }
    let kind = refusal.error.kind();
    let status = refusal.status.unwrap_or_else(|| kind.http_status());
    let body = serde_json::to_string(&Problem {
        problem_type: format!("urn:signhook:error:{}", kind.code()),
        title: kind.title(),
        status,
        // Bounded whatever went into the message (a path, a sender's value).
        detail: clip(refusal.error.message(), 512),
        code: kind.code(),
    })
    .unwrap_or_default();
    let mut reply = Reply::new(status, PROBLEM_JSON, body);
    if let Some(allow) = refusal.allow {
        reply = reply.with_header("allow", allow.to_owned());
    }
    if refusal.www_authenticate {
        reply = reply.with_header(
            "www-authenticate",
            "Bearer realm=\"signhook admin\"".to_owned(),
        );
    }
    reply
}
