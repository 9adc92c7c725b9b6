//! [`Headers`]: a small, case-insensitive list of request headers (no `http` crate, so
//! the same type serves the CLI, the Worker and JavaScript).

/// Request headers in arrival order. Names compare ASCII-case-insensitively.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Headers {
    entries: Vec<(String, String)>,
}

impl Headers {
    /// No headers.
    pub fn new() -> Headers {
        Headers::default()
    }

    /// Adds a header, keeping any earlier one of the same name.
    pub fn append(&mut self, name: impl Into<String>, value: impl Into<String>) {
        self.entries.push((name.into(), value.into()));
    }

    /// The first value of `name`, if any.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    /// Every value of `name`, in arrival order.
    pub fn get_all<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a str> + 'a {
        self.entries
            .iter()
            .filter(move |(n, _)| n.eq_ignore_ascii_case(name))
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
        Some((name.to_owned(), value.trim().to_owned()))
    }
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
        assert_eq!(h.get("X-Zs-Webhook-Signature"), Some("a"));
        assert_eq!(h.get_all("x-ZS-webhook-signature").count(), 2);
        assert_eq!(h.get("missing"), None);
    }

    #[test]
    fn parse_line_trims() {
        assert_eq!(
            Headers::parse_line("  X-A :  b: c "),
            Some(("X-A".into(), "b: c".into()))
        );
        assert_eq!(Headers::parse_line("nocolon"), None);
        assert_eq!(Headers::parse_line(": v"), None);
    }
}
