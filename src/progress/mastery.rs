//! Mastery of a competence, 0 to 4, matching the `levels` 1–4 of `competences.toml` (0: no
//! evidence yet). The rule, also in `docs/progress.md`:
//!
//! 1. Each exercise tagged with the competence gives evidence between 0 and 1:
//!    `(2 × best score + latest score) / 3 × recency`. The best attempt counts twice, the latest
//!    once, so a good result is not lost to one careless retry, yet a recent result moves the
//!    figure. `recency` is 1 while the latest attempt is at most a year old, then falls linearly
//!    to 0.5 at three years and stays there: skills fade, but knowledge shown once still counts.
//!    An exercise without attempts gives 0; an accessible alternative's evidence counts for the
//!    exercise it stands in for (the better of the two).
//! 2. The mastery value is `4 ×` the mean evidence over *all* exercises tagged with the
//!    competence, rounded to one decimal: doing a few exercises well is not yet mastery.
//! 3. The level is the value rounded to the nearest whole level (half up): 3 needs a value of
//!    at least 2.5, i.e. a mean evidence of 62.5 %, which passing every exercise at a typical
//!    pass mark of 0.7 within the last year reaches.

use super::{DAY_MS, ExerciseStat};

/// Evidence keeps its full weight this long after the latest attempt.
pub const FULL_WEIGHT_DAYS: i64 = 365;
/// Then it fades linearly until this age ...
pub const FADED_AT_DAYS: i64 = 3 * 365;
/// ... to this weight, where it stays.
pub const FADED_WEIGHT: f64 = 0.5;
/// The highest level of `competences.toml`.
pub const MAX_LEVEL: u8 = 4;

/// The weight of evidence whose latest attempt is `age_ms` old (a future time counts as now).
pub fn recency(age_ms: i64) -> f64 {
    let full = FULL_WEIGHT_DAYS * DAY_MS;
    let faded = FADED_AT_DAYS * DAY_MS;
    if age_ms <= full {
        1.0
    } else if age_ms >= faded {
        FADED_WEIGHT
    } else {
        #[expect(clippy::cast_precision_loss, reason = "ages in ms are far below 2^52")]
        let through = (age_ms - full) as f64 / (faded - full) as f64;
        1.0 - (1.0 - FADED_WEIGHT) * through
    }
}

/// The evidence (0 to 1) one exercise's attempts give, at time `now_ms`.
pub fn evidence(stat: &ExerciseStat, now_ms: i64) -> f64 {
    if stat.attempts == 0 {
        return 0.0;
    }
    let blended = (2.0 * stat.best_score.clamp(0.0, 1.0) + stat.latest_score.clamp(0.0, 1.0)) / 3.0;
    blended * recency(now_ms.saturating_sub(stat.last_at_ms))
}

/// A person's mastery of one competence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mastery {
    /// 0.0 to 4.0, one decimal.
    pub value: f64,
    /// 0 to 4: the value rounded to the nearest level, half up.
    pub level: u8,
    /// How many of the competence's exercises have attempts.
    pub evidenced: usize,
    /// How many exercises are tagged with the competence (0: it cannot be measured here).
    pub exercises: usize,
}

impl Mastery {
    /// From the evidence of the exercises that have any (the others count as 0) and the number
    /// of exercises tagged with the competence.
    pub fn from_evidence(evidence: impl IntoIterator<Item = f64>, exercises: usize) -> Self {
        let mut sum = 0.0;
        let mut evidenced = 0;
        for e in evidence {
            sum += e.clamp(0.0, 1.0);
            evidenced += 1;
        }
        if exercises == 0 {
            return Self::from_value(0.0, 0, 0);
        }
        #[expect(clippy::cast_precision_loss, reason = "exercise counts are tiny")]
        let mean = sum / exercises as f64;
        Self::from_value(4.0 * mean, evidenced.min(exercises), exercises)
    }

    /// The overall mastery of a person: the mean value over the competences that can be
    /// measured, rounded and levelled like one competence.
    pub fn overall(masteries: &[Self]) -> Self {
        let measured: Vec<&Self> = masteries.iter().filter(|m| m.exercises > 0).collect();
        if measured.is_empty() {
            return Self::from_value(0.0, 0, 0);
        }
        #[expect(clippy::cast_precision_loss, reason = "competence counts are tiny")]
        let mean = measured.iter().map(|m| m.value).sum::<f64>() / measured.len() as f64;
        Self::from_value(
            mean,
            measured.iter().map(|m| m.evidenced).sum(),
            measured.iter().map(|m| m.exercises).sum(),
        )
    }

    fn from_value(raw: f64, evidenced: usize, exercises: usize) -> Self {
        let tenths = tenths(raw.clamp(0.0, f64::from(MAX_LEVEL)));
        Self {
            value: f64::from(tenths) / 10.0,
            level: level_of_tenths(tenths),
            evidenced,
            exercises,
        }
    }
}

/// A value 0–4 as whole tenths (0 to 40), so that levels come from integers, not float edges.
fn tenths(value: f64) -> u8 {
    let t = (value * 10.0).round();
    if t.is_nan() || t <= 0.0 {
        0
    } else if t >= 40.0 {
        40
    } else {
        #[expect(
            clippy::cast_possible_truncation,
            clippy::cast_sign_loss,
            reason = "0 < t < 40, a whole number"
        )]
        let t = t as u8;
        t
    }
}

fn level_of_tenths(tenths: u8) -> u8 {
    ((tenths + 5) / 10).min(MAX_LEVEL)
}

/// The level a value 0–4 (one decimal) stands for.
pub fn level_of(value: f64) -> u8 {
    level_of_tenths(tenths(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    const NOW: i64 = 2_000_000_000_000;

    fn stat(best: f64, latest: f64, days_ago: i64) -> ExerciseStat {
        ExerciseStat {
            attempts: 1,
            failures: 0,
            best_score: best,
            latest_score: latest,
            passed: best >= 0.7,
            last_at_ms: NOW - days_ago * DAY_MS,
        }
    }

    #[test]
    fn recency_is_full_for_a_year_then_fades_to_half_at_three_years() {
        assert!((recency(0) - 1.0).abs() < 1e-12);
        assert!(
            (recency(-5 * DAY_MS) - 1.0).abs() < 1e-12,
            "the future is now"
        );
        assert!((recency(365 * DAY_MS) - 1.0).abs() < 1e-12);
        assert!((recency(730 * DAY_MS) - 0.75).abs() < 1e-12, "halfway down");
        assert!((recency(1095 * DAY_MS) - 0.5).abs() < 1e-12);
        assert!((recency(5000 * DAY_MS) - 0.5).abs() < 1e-12);
    }

    #[test]
    fn evidence_weighs_the_best_twice_and_the_latest_once() {
        assert!((evidence(&stat(0.9, 0.3, 10), NOW) - 0.7).abs() < 1e-12);
        assert!((evidence(&stat(1.0, 1.0, 10), NOW) - 1.0).abs() < 1e-12);
        assert!(
            (evidence(&stat(0.6, 0.6, 730), NOW) - 0.45).abs() < 1e-12,
            "faded"
        );
        let none = ExerciseStat {
            attempts: 0,
            ..stat(1.0, 1.0, 0)
        };
        assert!(evidence(&none, NOW).abs() < 1e-12);
        assert!(
            (evidence(&stat(1.7, -1.0, 0), NOW) - 2.0 / 3.0).abs() < 1e-12,
            "clamped"
        );
    }

    #[test]
    fn mastery_averages_over_every_tagged_exercise() {
        // Four exercises, two done perfectly: half the evidence, value 2.0, level 2.
        let m = Mastery::from_evidence([1.0, 1.0], 4);
        assert_eq!((m.value, m.level, m.evidenced, m.exercises), (2.0, 2, 2, 4));
        // Everything passed at a typical pass mark of 0.7: value 2.8, level 3.
        let m = Mastery::from_evidence([0.7; 5], 5);
        assert_eq!((m.value, m.level), (2.8, 3));
        // Nothing done.
        let m = Mastery::from_evidence([], 3);
        assert_eq!((m.value, m.level, m.evidenced), (0.0, 0, 0));
        // A competence without exercises cannot be measured.
        let m = Mastery::from_evidence([], 0);
        assert_eq!((m.value, m.level, m.exercises), (0.0, 0, 0));
    }

    #[test]
    fn levels_round_half_up_on_the_shown_value() {
        assert_eq!(level_of(0.0), 0);
        assert_eq!(level_of(0.4), 0);
        assert_eq!(level_of(0.5), 1);
        assert_eq!(level_of(2.44), 2);
        assert_eq!(level_of(2.45), 3, "shown as 2.5, so level 3");
        assert_eq!(level_of(3.5), 4);
        assert_eq!(level_of(4.0), 4);
        assert_eq!(level_of(f64::NAN), 0);
        // Mean evidence 0.625 is exactly 2.5: level 3.
        let m = Mastery::from_evidence([0.625; 8], 8);
        assert_eq!((m.value, m.level), (2.5, 3));
        let m = Mastery::from_evidence([0.6; 8], 8);
        assert_eq!((m.value, m.level), (2.4, 2));
    }

    #[test]
    fn overall_is_the_mean_of_measurable_competences() {
        let a = Mastery::from_evidence([1.0; 2], 2);
        let b = Mastery::from_evidence([0.5; 2], 2);
        let unmeasurable = Mastery::from_evidence([], 0);
        let o = Mastery::overall(&[a, b, unmeasurable]);
        assert_eq!((o.value, o.level, o.exercises), (3.0, 3, 4));
        assert_eq!(Mastery::overall(&[unmeasurable]).value, 0.0);
    }
}
