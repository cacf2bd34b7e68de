//! User-interface strings in Swedish (first) and English. Every string is a field of [`Strings`],
//! so a string missing in one language is a compile error, and each language lives in one file.

mod account;
mod cohorts;
mod en;
mod live;
mod player;
pub mod progress;
mod sv;

pub use account::{AccountStrings, AdminStrings};
pub use cohorts::CohortStrings;
pub use live::LiveStrings;
pub use player::PlayerStrings;
pub use progress::ProgressStrings;

use std::fmt;

/// The two languages Kartskola speaks. Swedish is the default.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, Default, serde::Serialize, serde::Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Sv,
    En,
}

impl Lang {
    pub const ALL: [Self; 2] = [Self::Sv, Self::En];

    pub fn code(self) -> &'static str {
        match self {
            Self::Sv => "sv",
            Self::En => "en",
        }
    }

    /// `sv`, `en`, and regional forms such as `en-GB` or `sv_SE`; anything else is `None`.
    pub fn from_code(code: &str) -> Option<Self> {
        let primary = code.trim().split(['-', '_']).next().unwrap_or_default();
        if primary.eq_ignore_ascii_case("sv") {
            Some(Self::Sv)
        } else if primary.eq_ignore_ascii_case("en") {
            Some(Self::En)
        } else {
            None
        }
    }

    /// The language an `Accept-Language` header prefers among ours, by quality, then order.
    pub fn from_accept_language(header: &str) -> Option<Self> {
        let mut best: Option<(f32, Self)> = None;
        for part in header.split(',') {
            let mut pieces = part.split(';');
            let Some(lang) = pieces.next().and_then(Self::from_code) else {
                continue;
            };
            let quality = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            if quality > 0.0 && best.is_none_or(|(q, _)| quality > q) {
                best = Some((quality, lang));
            }
        }
        best.map(|(_, lang)| lang)
    }

    /// The UI strings of this language.
    pub fn strings(self) -> &'static Strings {
        match self {
            Self::Sv => &sv::STRINGS,
            Self::En => &en::STRINGS,
        }
    }

    /// The other language, for the language switch.
    pub fn other(self) -> Self {
        match self {
            Self::Sv => Self::En,
            Self::En => Self::Sv,
        }
    }
}

impl fmt::Display for Lang {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// Every text of the user interface, in one language.
#[derive(Debug)]
pub struct Strings {
    pub site_name: &'static str,
    pub tagline: &'static str,
    pub skip_to_content: &'static str,
    pub nav_label: &'static str,
    pub nav_courses: &'static str,
    pub nav_accessibility: &'static str,
    pub nav_privacy: &'static str,
    /// The label of the link to the other language, written in that language.
    pub switch_language: &'static str,
    pub footer: &'static str,
    pub courses_heading: &'static str,
    pub courses_empty: &'static str,
    pub course_modules: &'static str,
    pub lessons_count: &'static str,
    pub minutes_short: &'static str,
    pub minutes_total: &'static str,
    pub breadcrumb_label: &'static str,
    pub exercises_heading: &'static str,
    pub exercise_label: &'static str,
    pub previous_lesson: &'static str,
    pub next_lesson: &'static str,
    pub back_to_course: &'static str,
    pub fallback_notice: &'static str,
    pub competences: &'static str,
    pub accessibility_title: &'static str,
    pub accessibility_body: &'static [&'static str],
    pub privacy_title: &'static str,
    pub privacy_body: &'static [&'static str],
    pub login_title: &'static str,
    pub login_email: &'static str,
    pub login_password: &'static str,
    pub login_submit: &'static str,
    pub login_failed: &'static str,
    pub logout: &'static str,
    pub logged_in_as: &'static str,
    pub error_title: &'static str,
    pub back_home: &'static str,
    /// The interactive map player's texts, embedded in exercise pages as JSON.
    pub player: PlayerStrings,
    /// Accounts: the account page, setting a password, login messages, the demo banner.
    pub account: AccountStrings,
    /// The admin pages.
    pub admin: AdminStrings,
    /// Progress: the learner's own page and the manager's team view.
    pub progress: ProgressStrings,
    /// Live class sessions: the trainer's view and the participant page.
    pub live: &'static LiveStrings,
    /// Cohorts: the trainer's pages, and what members see of them.
    pub cohorts: &'static CohortStrings,
    pub errors: ErrorTexts,
}

/// The message of each error code of the service spec's error table.
#[derive(Debug)]
pub struct ErrorTexts {
    pub not_found: &'static str,
    pub bad_request: &'static str,
    pub malformed_json: &'static str,
    pub unauthenticated: &'static str,
    pub cross_origin: &'static str,
    pub csrf: &'static str,
    pub attempts_exhausted: &'static str,
    pub session_closed: &'static str,
    pub live_closed: &'static str,
    pub already_answered: &'static str,
    pub live_conflict: &'static str,
    pub body_too_large: &'static str,
    pub unsupported_media_type: &'static str,
    pub idempotency_key_reused: &'static str,
    pub too_many_requests: &'static str,
    pub unavailable: &'static str,
    /// Grading is saturated: the answer was not stored (503 `unavailable`, `Retry-After: 1`).
    pub busy: &'static str,
    pub internal: &'static str,
}

/// The `{name}` placeholders of a text, sorted: the language tables' tests check that Swedish
/// and English fill the same ones.
#[cfg(test)]
fn placeholders(text: &str) -> Vec<&str> {
    let mut out: Vec<&str> = text
        .split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect();
    out.sort_unstable();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accept_language_picks_the_preferred_known_language() {
        assert_eq!(
            Lang::from_accept_language("en-GB,en;q=0.9,sv;q=0.8"),
            Some(Lang::En)
        );
        assert_eq!(
            Lang::from_accept_language("de,sv;q=0.5,en;q=0.4"),
            Some(Lang::Sv)
        );
        assert_eq!(Lang::from_accept_language("fi,de"), None);
        assert_eq!(
            Lang::from_accept_language("en;q=0,sv;q=0.1"),
            Some(Lang::Sv)
        );
        assert_eq!(Lang::from_accept_language(""), None);
    }

    #[test]
    fn codes_round_trip() {
        for lang in Lang::ALL {
            assert_eq!(Lang::from_code(lang.code()), Some(lang));
        }
        assert_eq!(Lang::from_code("sv_SE"), Some(Lang::Sv));
        assert_eq!(Lang::from_code("xx"), None);
    }

    #[test]
    fn no_ui_string_is_empty() {
        for lang in Lang::ALL {
            let s = lang.strings();
            let texts = [
                s.site_name,
                s.tagline,
                s.skip_to_content,
                s.nav_label,
                s.nav_courses,
                s.nav_accessibility,
                s.nav_privacy,
                s.switch_language,
                s.footer,
                s.courses_heading,
                s.courses_empty,
                s.course_modules,
                s.lessons_count,
                s.minutes_short,
                s.minutes_total,
                s.breadcrumb_label,
                s.exercises_heading,
                s.exercise_label,
                s.previous_lesson,
                s.next_lesson,
                s.back_to_course,
                s.fallback_notice,
                s.competences,
                s.accessibility_title,
                s.privacy_title,
                s.error_title,
                s.back_home,
                s.errors.not_found,
                s.errors.internal,
            ];
            assert!(texts.iter().all(|t| !t.trim().is_empty()), "{lang}");
            assert!(!s.accessibility_body.is_empty() && !s.privacy_body.is_empty());
        }
    }
}
