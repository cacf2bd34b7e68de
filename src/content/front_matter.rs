//! Splits a lesson file into its TOML front matter (between `+++` lines) and its Markdown body.

/// The front matter text, the body, and the 1-based line the body starts on.
#[derive(Debug, PartialEq, Eq)]
pub(super) struct Split<'a> {
    pub front_matter: &'a str,
    pub body: &'a str,
    pub body_first_line: usize,
}

/// `None` when the file does not open with a `+++` line or the closing `+++` is missing.
pub(super) fn split(text: &str) -> Result<Split<'_>, &'static str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    let Some(rest) = text
        .strip_prefix("+++\n")
        .or_else(|| text.strip_prefix("+++\r\n"))
    else {
        return Err("a lesson must begin with a line '+++', then TOML front matter, then '+++'");
    };
    let mut offset = 0;
    for line in rest.split_inclusive('\n') {
        if line.trim_end() == "+++" {
            let front_matter = &rest[..offset];
            let body = &rest[offset + line.len()..];
            let body_first_line = 2 + front_matter.matches('\n').count() + 1;
            return Ok(Split {
                front_matter,
                body,
                body_first_line,
            });
        }
        offset += line.len();
    }
    Err("the front matter is not closed: add a line '+++' after it")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_front_matter_and_body() {
        let s = split("+++\ntitle = \"A\"\n+++\n# Body\n");
        assert_eq!(
            s,
            Ok(Split {
                front_matter: "title = \"A\"\n",
                body: "# Body\n",
                body_first_line: 4
            })
        );
    }

    #[test]
    fn missing_delimiters_are_explained() {
        assert!(split("title = 1\n").is_err());
        assert!(split("+++\ntitle = 1\n").is_err());
    }
}
