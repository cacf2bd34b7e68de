//! xAPI (Experience API 1.0.3) statements derived from attempts, so a region's Learning Record
//! Store can ingest Kartskola's data. Nothing is stored twice: a statement is a function of its
//! attempt, and its id a UUIDv5 of the attempt's IRI, so serving it again (or overlapping
//! polls) yields the very same statement, which an LRS recognises by id. The mapping is
//! documented in `docs/progress.md`:
//!
//! - actor: an account `{homePage: <public URL>, name: <person id>}`, never the e-mail;
//! - verb: `passed` when the attempt passed, `failed` when it did not and was the last one
//!   allowed, `answered` otherwise (the learner may still try again);
//! - object: the exercise, `<public URL>/exercises/<id>`, with its title in both languages;
//! - result: the score (scaled 0–1), success, completion;
//! - context: the lesson as parent and the course as grouping, the attempt number;
//! - timestamp and stored: when the attempt was graded and stored.

use serde_json::{Value, json};
use uuid::Uuid;

use super::time::rfc3339;
use crate::content::Localized;

/// The xAPI version served (`X-Experience-API-Version`).
pub const VERSION: &str = "1.0.3";

/// What an attempt says about the learner.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verb {
    Answered,
    Passed,
    Failed,
}

impl Verb {
    /// `limit` 0 is unlimited: a failed attempt is then never final.
    pub fn of(passed: bool, attempt_no: i64, limit: u32) -> Self {
        if passed {
            Self::Passed
        } else if limit > 0 && attempt_no >= i64::from(limit) {
            Self::Failed
        } else {
            Self::Answered
        }
    }

    pub fn iri(self) -> &'static str {
        match self {
            Self::Answered => "http://adlnet.gov/expapi/verbs/answered",
            Self::Passed => "http://adlnet.gov/expapi/verbs/passed",
            Self::Failed => "http://adlnet.gov/expapi/verbs/failed",
        }
    }

    fn display(self) -> Value {
        let (en, sv) = match self {
            Self::Answered => ("answered", "svarade"),
            Self::Passed => ("passed", "klarade"),
            Self::Failed => ("failed", "klarade inte"),
        };
        json!({ "en-US": en, "sv-SE": sv })
    }
}

/// The attempt a statement is about.
#[derive(Debug, Clone, Copy)]
pub struct Attempt<'a> {
    pub attempt_id: i64,
    pub person_id: i64,
    pub exercise_id: &'a str,
    pub attempt_no: i64,
    pub score: f64,
    pub passed: bool,
    pub created_at_ms: i64,
}

/// What the catalogue says about the exercise (it may be gone from the content by now).
#[derive(Debug, Clone, Copy, Default)]
pub struct Activity<'a> {
    pub title: Option<&'a Localized>,
    /// 0 = unlimited.
    pub attempt_limit: u32,
    /// The lesson's path, e.g. `/courses/c/m/l`.
    pub lesson_path: Option<&'a str>,
    /// The course's path, e.g. `/courses/c`.
    pub course_path: Option<&'a str>,
}

/// The statement id of an attempt: a UUIDv5 (SHA-1, URL namespace) of the attempt's IRI.
pub fn statement_id(public_url: &str, attempt_id: i64) -> Uuid {
    Uuid::new_v5(
        &Uuid::NAMESPACE_URL,
        attempt_iri(public_url, attempt_id).as_bytes(),
    )
}

fn attempt_iri(public_url: &str, attempt_id: i64) -> String {
    format!(
        "{}/api/attempts/{attempt_id}",
        public_url.trim_end_matches('/')
    )
}

/// The statement of one attempt. `public_url` is the service's public URL (no trailing slash
/// needed).
pub fn statement(public_url: &str, attempt: &Attempt<'_>, activity: &Activity<'_>) -> Value {
    let base = public_url.trim_end_matches('/');
    let verb = Verb::of(attempt.passed, attempt.attempt_no, activity.attempt_limit);
    let mut definition = json!({ "type": "http://adlnet.gov/expapi/activities/question" });
    if let Some(title) = activity.title {
        definition["name"] = json!({
            "sv-SE": title.sv,
            "en-US": title.en.as_deref().unwrap_or(&title.sv),
        });
    }
    let scaled = if attempt.score.is_finite() {
        attempt.score.clamp(0.0, 1.0)
    } else {
        0.0
    };
    let mut context = json!({
        "platform": "Kartskola",
        "extensions": { format!("{base}/xapi/attempt-number"): attempt.attempt_no },
    });
    let activity_ref =
        |path: &str| json!([{ "objectType": "Activity", "id": format!("{base}{path}") }]);
    if let Some(path) = activity.lesson_path {
        context["contextActivities"]["parent"] = activity_ref(path);
    }
    if let Some(path) = activity.course_path {
        context["contextActivities"]["grouping"] = activity_ref(path);
    }
    let at = rfc3339(attempt.created_at_ms);
    json!({
        "id": statement_id(public_url, attempt.attempt_id).to_string(),
        "version": VERSION,
        "actor": {
            "objectType": "Agent",
            "account": { "homePage": base, "name": attempt.person_id.to_string() },
        },
        "verb": { "id": verb.iri(), "display": verb.display() },
        "object": {
            "objectType": "Activity",
            "id": format!("{base}/exercises/{}", attempt.exercise_id),
            "definition": definition,
        },
        "result": {
            "score": { "scaled": scaled, "raw": scaled, "min": 0, "max": 1 },
            "success": attempt.passed,
            "completion": true,
        },
        "context": context,
        "timestamp": at,
        "stored": at,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://kartskola.example.se/";

    fn attempt(passed: bool, attempt_no: i64) -> Attempt<'static> {
        Attempt {
            attempt_id: 42,
            person_id: 7,
            exercise_id: "m1-place-lulea",
            attempt_no,
            score: if passed { 0.85 } else { 0.3 },
            passed,
            created_at_ms: 1_709_210_096_789,
        }
    }

    #[test]
    fn verbs_follow_pass_and_the_attempts_left() {
        assert_eq!(Verb::of(true, 1, 3), Verb::Passed);
        assert_eq!(Verb::of(false, 1, 3), Verb::Answered);
        assert_eq!(
            Verb::of(false, 3, 3),
            Verb::Failed,
            "the last allowed attempt"
        );
        assert_eq!(
            Verb::of(false, 99, 0),
            Verb::Answered,
            "unlimited: never final"
        );
    }

    #[test]
    fn ids_are_derived_uuid_v5_of_the_attempt() {
        let id = statement_id(URL, 42);
        assert_eq!(id.get_version_num(), 5);
        assert_eq!(
            id,
            statement_id("https://kartskola.example.se", 42),
            "slash or not"
        );
        assert_ne!(id, statement_id(URL, 43));
        assert_ne!(
            id,
            statement_id("https://other.example.se", 42),
            "per installation"
        );
        assert_eq!(
            id,
            Uuid::new_v5(
                &Uuid::NAMESPACE_URL,
                b"https://kartskola.example.se/api/attempts/42"
            )
        );
    }

    #[test]
    fn a_statement_names_the_account_not_the_person() {
        let title = Localized {
            sv: "Placera Luleå".to_owned(),
            en: Some("Place Luleå".to_owned()),
        };
        let activity = Activity {
            title: Some(&title),
            attempt_limit: 2,
            lesson_path: Some("/courses/gis/m1/l1"),
            course_path: Some("/courses/gis"),
        };
        let s = statement(URL, &attempt(true, 1), &activity);
        assert_eq!(s["id"], statement_id(URL, 42).to_string());
        assert_eq!(
            s["actor"],
            json!({"objectType": "Agent", "account": {"homePage": "https://kartskola.example.se", "name": "7"}})
        );
        assert_eq!(s["verb"]["id"], "http://adlnet.gov/expapi/verbs/passed");
        assert_eq!(
            s["object"]["id"],
            "https://kartskola.example.se/exercises/m1-place-lulea"
        );
        assert_eq!(s["object"]["definition"]["name"]["en-US"], "Place Luleå");
        assert_eq!(s["result"]["score"]["scaled"], 0.85);
        assert_eq!(s["result"]["success"], true);
        assert_eq!(s["timestamp"], "2024-02-29T12:34:56.789Z");
        assert_eq!(
            s["context"]["contextActivities"]["parent"][0]["id"],
            "https://kartskola.example.se/courses/gis/m1/l1"
        );
        assert_eq!(
            s["context"]["extensions"]["https://kartskola.example.se/xapi/attempt-number"],
            1
        );
        let failed = statement(URL, &attempt(false, 2), &activity);
        assert_eq!(
            failed["verb"]["id"],
            "http://adlnet.gov/expapi/verbs/failed"
        );
        assert_eq!(failed["result"]["success"], false);
        // An exercise gone from the content still maps, without a name or context.
        let bare = statement(URL, &attempt(false, 1), &Activity::default());
        assert_eq!(
            bare["verb"]["id"],
            "http://adlnet.gov/expapi/verbs/answered"
        );
        assert!(bare["object"]["definition"].get("name").is_none());
        assert!(bare["context"].get("contextActivities").is_none());
    }
}
