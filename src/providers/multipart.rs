//! A minimal `multipart/form-data` reader (RFC 7578 over RFC 2046 §5.1): finds one field's
//! bytes inside the body, borrowed, never copied or decoded. Dropbox Sign posts its
//! payload as the form field `json`.
//!
//! The boundary is read from the body's first line (`--<boundary>`), so the reader needs
//! no `Content-Type` header and reads the same bytes the same way on every surface (the
//! Worker, the CLI, npm, the page). Accepted: CRLF line breaks (the standard) and bare LF;
//! a closing `--<boundary>--` (its absence is tolerated after the last part); part
//! headers in any case. Not accepted (`malformed_payload`): a preamble before the first
//! boundary, a `Content-Transfer-Encoding` other than identity (RFC 7578 §4.7 deprecates
//! it), a boundary longer than 70 characters (RFC 2046's limit).

use crate::error::{Error, ErrorKind};

/// RFC 2046 §5.1.1: 1 to 70 characters.
const MAX_BOUNDARY: usize = 70;

fn malformed(why: impl Into<std::borrow::Cow<'static, str>>) -> Error {
    Error::new(ErrorKind::MalformedPayload, why)
}

/// Whether `body` looks like a multipart body: it opens with a `--` delimiter line.
pub(crate) fn is_multipart(body: &[u8]) -> bool {
    body.starts_with(b"--")
}

/// The line starting at `at`: its bytes without the line break, and where the next line
/// starts (`None` at the end of the body without a line break).
fn line(body: &[u8], at: usize) -> (&[u8], Option<usize>) {
    let rest = body.get(at..).unwrap_or_default();
    match rest.iter().position(|&b| b == b'\n') {
        Some(nl) => {
            let text = rest.get(..nl).unwrap_or_default();
            let text = text.strip_suffix(b"\r").unwrap_or(text);
            (text, Some(at + nl + 1))
        }
        None => (rest, None),
    }
}

/// The bytes of the form field `name` (the first part whose `Content-Disposition` names
/// it), borrowed from `body`.
///
/// # Errors
/// `malformed_payload` when the body is not a well-formed multipart body or has no such
/// field.
pub(crate) fn field<'a>(body: &'a [u8], name: &str) -> Result<&'a [u8], Error> {
    let (first, next) = line(body, 0);
    let boundary = first
        .strip_prefix(b"--")
        .ok_or_else(|| malformed("a multipart body must begin with its boundary line"))?;
    let boundary = trim_trailing_space(boundary);
    if boundary.is_empty() || boundary.len() > MAX_BOUNDARY {
        return Err(malformed(format!(
            "the multipart boundary must have 1 to {MAX_BOUNDARY} characters"
        )));
    }
    // Every delimiter after the first is preceded by a line break.
    let mut delimiter = Vec::with_capacity(boundary.len() + 3);
    delimiter.extend_from_slice(b"\n--");
    delimiter.extend_from_slice(boundary);
    let mut at = next.ok_or_else(|| malformed("the multipart body ends after its boundary"))?;
    loop {
        // The part's headers, up to an empty line.
        let mut disposition_name = None;
        loop {
            let (header, next) = line(body, at);
            let next = next.ok_or_else(|| malformed("a multipart part has no body"))?;
            at = next;
            if header.is_empty() {
                break;
            }
            let Some((key, value)) = header.iter().position(|&b| b == b':').map(|colon| {
                (
                    header.get(..colon).unwrap_or_default(),
                    header.get(colon + 1..).unwrap_or_default(),
                )
            }) else {
                return Err(malformed("a multipart part header has no ':'"));
            };
            let value = std::str::from_utf8(value)
                .map_err(|_| malformed("a multipart part header is not UTF-8"))?
                .trim();
            if key.eq_ignore_ascii_case(b"content-disposition") {
                disposition_name = form_data_name(value);
            } else if key.eq_ignore_ascii_case(b"content-transfer-encoding")
                && !matches!(
                    value.to_ascii_lowercase().as_str(),
                    "7bit" | "8bit" | "binary"
                )
            {
                return Err(malformed(format!(
                    "multipart Content-Transfer-Encoding {value:?} is not supported"
                )));
            }
        }
        // The part's content, up to the next delimiter (and the line break before it).
        let rest = body.get(at..).unwrap_or_default();
        let end = find(rest, &delimiter);
        let content = match end {
            Some(end) => {
                let content = rest.get(..end).unwrap_or_default();
                content.strip_suffix(b"\r").unwrap_or(content)
            }
            None => rest,
        };
        if disposition_name.as_deref() == Some(name) {
            return Ok(content);
        }
        let Some(end) = end else {
            break;
        };
        // After the delimiter: `--` closes the body, else the line break before the next
        // part's headers.
        let after = at + end + delimiter.len();
        if body.get(after..).is_some_and(|r| r.starts_with(b"--")) {
            break;
        }
        let (_, next) = line(body, after);
        at = next.ok_or_else(|| malformed("the multipart body ends after a boundary"))?;
    }
    Err(malformed(format!(
        "the multipart body has no {name:?} field"
    )))
}

fn trim_trailing_space(bytes: &[u8]) -> &[u8] {
    let end = bytes
        .iter()
        .rposition(|&b| b != b' ' && b != b'\t')
        .map_or(0, |i| i + 1);
    bytes.get(..end).unwrap_or_default()
}

/// `form-data; name="json"` → `json` (quoted or bare; RFC 7578 §4.2).
fn form_data_name(value: &str) -> Option<String> {
    let mut params = value.split(';').map(str::trim);
    if !params.next()?.eq_ignore_ascii_case("form-data") {
        return None;
    }
    params.find_map(|param| {
        let (key, val) = param.split_once('=')?;
        if !key.trim().eq_ignore_ascii_case("name") {
            return None;
        }
        let val = val.trim();
        Some(
            match val.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                Some(quoted) => quoted.replace("\\\"", "\"").replace("\\\\", "\\"),
                None => val.to_owned(),
            },
        )
    })
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() || haystack.len() < needle.len() {
        return None;
    }
    haystack.windows(needle.len()).position(|w| w == needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_field_borrowed() {
        let body = b"--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nnope\r\n--XyZ\r\nContent-Disposition: form-data; name=\"json\"\r\nContent-Type: application/json\r\n\r\n{\"a\":\"--XyZ\"}\r\n--XyZ--\r\n";
        let got = field(body, "json").unwrap();
        assert_eq!(got, b"{\"a\":\"--XyZ\"}");
        let offset = got.as_ptr() as usize - body.as_ptr() as usize;
        assert_eq!(&body[offset..offset + got.len()], got);
        assert_eq!(field(body, "other").unwrap(), b"nope");
    }

    #[test]
    fn bare_lf_bare_name_no_closing_delimiter() {
        let body = b"--b\nCONTENT-DISPOSITION: form-data; name=json\n\n{}\n";
        assert_eq!(field(body, "json").unwrap(), b"{}\n");
        let body = b"--b\r\ncontent-disposition: form-data; name=\"json\"\r\n\r\n{}\r\n--b\r\n";
        assert_eq!(field(body, "json").unwrap(), b"{}");
    }

    #[test]
    fn refuses_what_it_cannot_read() {
        let long = format!("--{}\r\n\r\n", "b".repeat(71));
        for body in [
            &b"preamble\r\n--b\r\n"[..],
            b"--\r\n",
            b"--b",
            b"--b\r\nContent-Disposition: form-data; name=\"json\"",
            b"--b\r\nno colon\r\n\r\n{}\r\n--b--",
            b"--b\r\nContent-Disposition: form-data; name=\"json\"\r\nContent-Transfer-Encoding: base64\r\n\r\ne30=\r\n--b--",
            b"--b\r\nContent-Disposition: form-data; name=\"x\"\r\n\r\n{}\r\n--b--\r\n",
            b"--b\r\nContent-Disposition: attachment; name=\"json\"\r\n\r\n{}\r\n--b--\r\n",
            long.as_bytes(),
        ] {
            assert_eq!(
                field(body, "json").unwrap_err().kind(),
                ErrorKind::MalformedPayload,
                "{}",
                String::from_utf8_lossy(body)
            );
        }
    }
}
