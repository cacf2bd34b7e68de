//! The texts of progress pages: the learner's own progress (`/me/progress`, the course page's
//! lesson status) and the manager's team view (`/team`). `{name}` marks a value filled in by
//! the page; both languages use the same ones (tested below).

use crate::progress::completion::Status;
use crate::progress::time::Ago;

/// A text with a singular and a plural form; `{n}` is the number.
#[derive(Debug, Clone, Copy)]
pub struct Plural {
    pub one: &'static str,
    pub many: &'static str,
}

impl Plural {
    pub fn of(self, n: i64) -> String {
        let text = if n == 1 { self.one } else { self.many };
        text.replace("{n}", &n.to_string())
    }
}

#[derive(Debug)]
pub struct ProgressStrings {
    // The learner
    pub nav_progress: &'static str,
    pub me_title: &'static str,
    pub me_intro: &'static str,
    pub status_not_started: &'static str,
    pub status_in_progress: &'static str,
    pub status_completed: &'static str,
    pub status_label: &'static str,
    pub last_activity: &'static str,
    pub never_active: &'static str,
    pub ago_just_now: &'static str,
    pub ago_hours: Plural,
    pub ago_days: Plural,
    pub ago_weeks: Plural,
    pub ago_months: Plural,
    pub ago_years: Plural,
    pub continue_heading: &'static str,
    pub start_heading: &'static str,
    pub all_done: &'static str,
    /// `{done}` of `{total}` lessons completed.
    pub lessons_done: &'static str,
    /// `{done}` of `{total}` exercises passed.
    pub exercises_done: &'static str,
    pub profile_heading: &'static str,
    pub profile_intro: &'static str,
    pub competence: &'static str,
    pub level: &'static str,
    pub value: &'static str,
    /// `{done}` of `{total}` exercises attempted.
    pub evidence: &'static str,
    pub level_none: &'static str,
    pub how_measured: &'static str,
    pub exercise: &'static str,
    pub best_score: &'static str,
    pub attempts: &'static str,
    pub result: &'static str,
    pub passed: &'static str,
    pub not_passed: &'static str,
    pub not_done: &'static str,
    pub by_alternative: &'static str,
    pub no_exercises: &'static str,
    pub courses_heading: &'static str,
    pub json_link: &'static str,
    /// The course page's link to `/me/progress`.
    pub see_all: &'static str,
    // The manager
    pub nav_team: &'static str,
    pub team_title: &'static str,
    pub team_intro: &'static str,
    pub filter_heading: &'static str,
    pub filter_region: &'static str,
    pub filter_organisation: &'static str,
    pub filter_cohort: &'static str,
    pub filter_focus: &'static str,
    pub filter_all: &'static str,
    pub focus_overall: &'static str,
    pub filter_submit: &'static str,
    pub summary_heading: &'static str,
    pub people: &'static str,
    pub active_week: &'static str,
    pub active_month: &'static str,
    pub fewer_than_five: &'static str,
    pub small_group_note: &'static str,
    pub matrix_heading: &'static str,
    pub matrix_caption: &'static str,
    pub matrix_legend: &'static str,
    pub person: &'static str,
    pub organisation: &'static str,
    pub overall: &'static str,
    pub lessons_completed: &'static str,
    pub mean: &'static str,
    pub nobody: &'static str,
    pub page_nav: &'static str,
    pub page_previous: &'static str,
    pub page_next: &'static str,
    /// Page `{page}` of `{pages}`.
    pub page_of: &'static str,
    pub completion_heading: &'static str,
    pub completion_caption: &'static str,
    pub course_or_module: &'static str,
    pub completed: &'static str,
    pub in_progress: &'static str,
    pub not_started: &'static str,
    pub share_completed: &'static str,
    pub stuck_heading: &'static str,
    pub stuck_intro: &'static str,
    pub failures: &'static str,
    pub stuck_none: &'static str,
    pub trend_heading: &'static str,
    pub trend_intro: &'static str,
    pub trend_passes: &'static str,
    pub trend_active: &'static str,
    pub trend_attempts: &'static str,
    pub week: &'static str,
    /// Before a week number on the chart's axis, e.g. "v. 12".
    pub week_short: &'static str,
    pub map_heading: &'static str,
    pub map_intro: &'static str,
    pub map_missing: &'static str,
    pub municipality: &'static str,
    pub at_target: &'static str,
    pub share_at_target: &'static str,
    pub no_municipality: &'static str,
    pub organisations_heading: &'static str,
    pub no_organisation: &'static str,
    pub exports_heading: &'static str,
    pub export_csv: &'static str,
    pub export_json: &'static str,
    pub exports_note: &'static str,
}

impl ProgressStrings {
    pub fn status(&self, status: Status) -> &'static str {
        match status {
            Status::NotStarted => self.status_not_started,
            Status::InProgress => self.status_in_progress,
            Status::Completed => self.status_completed,
        }
    }

    pub fn ago(&self, ago: Ago) -> String {
        match ago {
            Ago::JustNow => self.ago_just_now.to_owned(),
            Ago::Hours(n) => self.ago_hours.of(n),
            Ago::Days(n) => self.ago_days.of(n),
            Ago::Weeks(n) => self.ago_weeks.of(n),
            Ago::Months(n) => self.ago_months.of(n),
            Ago::Years(n) => self.ago_years.of(n),
        }
    }
}

/// Fills `{name}` placeholders.
pub fn fill(text: &str, values: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = text.to_owned();
    for (name, value) in values {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    use crate::i18n::placeholders;

    #[test]
    fn both_languages_use_the_same_placeholders_and_no_text_is_empty() {
        let (sv, en) = (&Lang::Sv.strings().progress, &Lang::En.strings().progress);
        let pairs = [
            (sv.lessons_done, en.lessons_done),
            (sv.exercises_done, en.exercises_done),
            (sv.evidence, en.evidence),
            (sv.page_of, en.page_of),
            (sv.ago_hours.many, en.ago_hours.many),
            (sv.ago_days.many, en.ago_days.many),
            (sv.ago_weeks.many, en.ago_weeks.many),
            (sv.ago_months.many, en.ago_months.many),
            (sv.ago_years.many, en.ago_years.many),
        ];
        for (a, b) in pairs {
            assert_eq!(placeholders(a), placeholders(b), "{a} / {b}");
            assert!(!a.trim().is_empty() && !b.trim().is_empty());
        }
        for t in [sv, en] {
            for text in [
                t.me_title,
                t.team_title,
                t.fewer_than_five,
                t.map_intro,
                t.stuck_intro,
                t.nav_team,
            ] {
                assert!(!text.trim().is_empty());
            }
        }
    }

    #[test]
    fn plurals_and_placeholders_fill_in() {
        let t = &Lang::En.strings().progress;
        assert_eq!(t.ago(Ago::Days(1)), "1 day ago");
        assert_eq!(t.ago(Ago::Days(3)), "3 days ago");
        assert_eq!(
            fill(t.lessons_done, &[("done", &2), ("total", &5)]),
            "2 of 5 lessons completed"
        );
        let sv = &Lang::Sv.strings().progress;
        assert_eq!(sv.ago(Ago::Weeks(2)), "för 2 veckor sedan");
        assert_eq!(sv.status(Status::Completed), "Klar");
    }
}
