//! [`Headers`]: a small, case-insensitive list of request headers (no `http` crate, so
//! the same type serves the CLI, the Worker and JavaScript).

/// Request headers in arrival order. Names compare ASCII-case-insensitively.
///
/// A name given more than once is one field whose values are joined with `", "`, in
/// arrival order (RFC 9110 §5.3), exactly as the Fetch API's `Headers` hands them to the
/// Worker: so a duplicated proof header means the same thing in the Worker, the npm
/// package, the CLI and the library (for the single-valued proofs it is
/// `malformed_signature`; Zigned's `t=,v1=` list merges).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, String)>,
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
