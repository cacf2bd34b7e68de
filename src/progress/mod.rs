//! Progress and competence, computed from the stored attempts and the content catalogue only:
//! pure functions (no I/O, no async), each rule unit-tested beside its code. The database hands
//! in what a person's attempts add up to per exercise ([`ExerciseStat`], a row of the
//! trigger-kept `exercise_progress` table); the web layer turns the results into pages, exports
//! and xAPI statements. `docs/progress.md` documents the rules.
//!
//! - [`Plan`]: the catalogue indexed for progress (exercises as slots, accessible alternatives
//!   merged into the exercise they stand in for); [`Plan::profile`] is one person's [`Profile`].
//! - [`completion`]: lesson, module and course status.
//! - [`mastery`]: the 0–4 mastery of a competence.
//! - [`team`]: a region's aggregates, with groups of fewer than five people hidden.
//! - [`chart`], [`map`]: the geometry of the server-rendered SVG trend chart and region map.
//! - [`csv`], [`xapi`], [`time`]: export formats and the calendar arithmetic they need.

pub mod chart;
pub mod completion;
pub mod csv;
pub mod map;
pub mod mastery;
mod plan;
pub mod team;
pub mod time;
pub mod xapi;

pub use plan::{
    CompetencePlan, CoursePlan, CourseProgress, Credit, LessonAt, LessonPlan, ModulePlan,
    ModuleProgress, NextStep, Plan, Profile,
};

/// What one person's attempts at one exercise add up to: a row of `exercise_progress`, which the
/// database keeps equal to the aggregate of the person's attempts.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ExerciseStat {
    pub attempts: u32,
    /// Attempts that did not pass.
    pub failures: u32,
    pub best_score: f64,
    /// The score of the highest attempt number.
    pub latest_score: f64,
    pub passed: bool,
    pub last_at_ms: i64,
}

/// Milliseconds in a day, for the rules that count days.
pub const DAY_MS: i64 = 24 * 3600 * 1000;
