//! Texts written in Swedish and, optionally, English, and the identifiers content may use.

use serde::Deserialize;

use crate::i18n::Lang;

/// `{ sv = "…", en = "…" }`: Swedish is required, English falls back to Swedish.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize, serde::Serialize)]
#[serde(deny_unknown_fields)]
pub struct Localized {
    pub sv: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl Localized {
    /// The text in `lang`, or the Swedish text when there is none in that language.
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Sv => &self.sv,
            Lang::En => self
                .en
                .as_deref()
                .filter(|t| !t.trim().is_empty())
                .unwrap_or(&self.sv),
        }
    }

    /// Problems with the text itself: an empty Swedish text.
    pub(crate) fn problem(&self) -> Option<&'static str> {
        self.sv
            .trim()
            .is_empty()
            .then_some("the Swedish text (sv) is empty; Swedish is always required")
    }
}

/// Identifiers and slugs: lowercase ASCII letters, digits and `-`, not starting or ending with `-`.
pub fn is_identifier(id: &str) -> bool {
    !id.is_empty()
        && !id.starts_with('-')
        && !id.ends_with('-')
        && id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn english_falls_back_to_swedish() {
        let t = Localized {
            sv: "Karta".into(),
            en: None,
        };
        assert_eq!(t.get(Lang::En), "Karta");
        let t = Localized {
            sv: "Karta".into(),
            en: Some("Map".into()),
        };
        assert_eq!(t.get(Lang::En), "Map");
        assert_eq!(t.get(Lang::Sv), "Karta");
    }

    #[test]
    fn identifiers_are_lowercase_ascii() {
        assert!(is_identifier("m1-place-lulea"));
        assert!(is_identifier("2030"));
        assert!(!is_identifier("Luleå"));
        assert!(!is_identifier("a_b"));
        assert!(!is_identifier("-a"));
        assert!(!is_identifier(""));
    }
}
