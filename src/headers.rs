//! [`Headers`]: a small, case-insensitive list of request headers, and the request's query
//! string (PandaDoc puts its proof there), with no `http` crate, so the same type serves the
//! CLI, the Worker and JavaScript.

/// Request headers in arrival order. Names compare ASCII-case-insensitively.
///
/// A name given more than once is one field whose values are joined with `", "`, in
/// arrival order (RFC 9110 §5.3), exactly as the Fetch API's `Headers` hands them to the
/// Worker: so a duplicated proof header means the same thing in the Worker, the npm
/// package, the CLI and the library (for the single-valued proofs it is
/// `malformed_signature`; Zigned's `t=,v1=` list merges).
///
/// It also carries the request target's query string, when there is one
/// ([`Headers::set_query`]): the request metadata a proof can live in besides the body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, String)>,
    query: Option<String>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Adds a header; a name already present gets `", "` and this value appended to its
    /// value.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        let name = name.into();
        let value = value.into();
        match self
            .entries
            .iter_mut()
            .find(|(n, _)| n.eq_ignore_ascii_case(&name))
        {
            Some((_, existing)) => {
                existing.push_str(", ");
                existing.push_str(&value);
            }
            None => self.entries.push((name, value)),
        }
    }

    /// The value of `name` (duplicates joined), if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Whether `name` is present.
    pub fn contains(&self, name: &str) -> bool {
        self.get(name).is_some()
    }

    /// Sets the request's query string: what follows `?` in the request target (a leading
    /// `?` is dropped, and anything from `#` on).
    pub fn set_query(&mut self, query: &str) {
        let query = query.strip_prefix('?').unwrap_or(query);
        let query = query.split('#').next().unwrap_or_default();
        self.query = Some(query.to_owned());
    }

    /// Sets the query string from a URL or request target (`https://edge/hooks/x?a=1`,
    /// `/hooks/x?a=1`): what follows its first `?`, if any.
    pub fn set_query_from_url(&mut self, url: &str) {
        if let Some((_, query)) = url.split_once('?') {
            self.set_query(query);
        }
    }

    /// The request's query string, without `?`, if one was set.
    pub fn query(&self) -> Option<&str> {
        self.query.as_deref()
    }

    /// Every value of the query parameter `name` (exact, case-sensitive name), in order,
    /// percent-decoded (`+` stays `+`); a value that does not decode to UTF-8 is kept as is.
    pub fn query_values(&self, name: &str) -> Vec<String> {
        let Some(query) = self.query.as_deref() else {
            return Vec::new();
        };
        query
            .split('&')
            .filter_map(|pair| {
                let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
                (percent_decode(key) == name).then(|| percent_decode(value))
            })
            .collect()
    }

    /// All headers, in arrival order.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.entries.iter().map(|(n, v)| (n.as_str(), v.as_str()))
    }

    /// Parses `Name: value` (as given to the CLI's `--header`). `None` without a colon.
    pub fn parse_line(line: &str) -> Option<(String, String)> {
        let (name, value) = line.split_once(':')?;
        let name = name.trim();
        if name.is_empty() {
            return None;
        }
        Some((name.to_owned(), trim_ows(value).to_owned()))
    }
}

/// `text` without leading and trailing HTTP whitespace (SP and HTAB, RFC 9110 "OWS"); other
/// Unicode spaces (U+00A0, U+3000, …) are part of the value.
pub(crate) fn trim_ows(text: &str) -> &str {
    text.trim_matches([' ', '\t'])
}

/// `%XX` sequences decoded; the text as is when the result is not UTF-8 or a `%` is bare.
fn percent_decode(text: &str) -> String {
    if !text.contains('%') {
        return text.to_owned();
    }
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b == b'%' {
            let hex = bytes
                .get(i + 1..i + 3)
                .and_then(|h| std::str::from_utf8(h).ok())
                .and_then(|h| u8::from_str_radix(h, 16).ok());
            match hex {
                Some(decoded) => {
                    out.push(decoded);
                    i += 3;
                    continue;
                }
                None => return text.to_owned(),
            }
        }
        out.push(b);
        i += 1;
    }
    String::from_utf8(out).unwrap_or_else(|_| text.to_owned())
}

impl<N: Into<String>, V: Into<String>> FromIterator<(N, V)> for Headers {
    fn from_iter<I: IntoIterator<Item = (N, V)>>(iter: I) -> Headers {
        let mut headers = Headers::new();
        for (n, v) in iter {
            headers.append(n, v);
        }
        headers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn query_values() {
        let mut h = Headers::new();
        assert!(h.query_values("signature").is_empty());
        h.set_query_from_url(
            "https://edge.example/hooks/pandadoc?signature=ab%63d&x=1&signature&sig=2#frag",
        );
        assert_eq!(h.query(), Some("signature=ab%63d&x=1&signature&sig=2"));
        assert_eq!(h.query_values("signature"), ["abcd", ""]);
        h.set_query("?a=%zz&a=%E2%82%AC&a=%FF");
        assert_eq!(h.query_values("a"), ["%zz", "€", "%FF"]);
    }

    #[test]
    fn names_are_case_insensitive() {
        let h: Headers = [
            ("X-ZS-WEBHOOK-SIGNATURE", "a"),
            ("x-zs-webhook-signature", "b"),
        ]
        .into_iter()
        .collect();
        assert_eq!(
            h.get("X-Zs-Webhook-Signature"),
            Some("a, b"),
            "joined as fetch does"
        );
        assert_eq!(h.iter().count(), 1);
        assert_eq!(h.get("missing"), None);
    }

    #[test]
    fn parse_line_trims() {
        assert_eq!(
            Headers::parse_line("  X-A :  b: c "),
            Some(("X-A".into(), "b: c".into()))
        );
        assert_eq!(Headers::parse_line("nocolon"), None);
        assert_eq!(
            Headers::parse_line("X-A:\u{a0}b\t"),
            Some(("X-A".into(), "\u{a0}b".into())),
            "only SP and HTAB are HTTP whitespace"
        );
        assert_eq!(Headers::parse_line(": v"), None);
    }
}
