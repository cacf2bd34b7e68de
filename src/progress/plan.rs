//! The catalogue indexed for progress, and one person's profile computed from it.
//!
//! Exercises become numbered slots so that a person's stats are a plain vector and a region of
//! a thousand people is a thousand small vectors, not a thousand hash maps. An exercise named as
//! another's `accessible_alternative` stands in for it: its attempts count for the exercise it
//! replaces (the better evidence, a pass from either), so a person who cannot draw on a map is
//! not held back. Mastery therefore averages over the *main* exercises of a competence only.

use std::collections::HashMap;

use super::ExerciseStat;
use super::completion::{Counts, Done, Status, lesson_status};
use super::mastery::{self, Mastery};
use crate::content::Catalog;

/// The catalogue as progress needs it. `courses[i].modules[j].lessons[k]` is the lesson at the
/// same indices of the catalogue, `competences[i]` its `competences[i]`.
#[derive(Debug, Clone)]
pub struct Plan {
    ids: Vec<String>,
    index: HashMap<String, usize>,
    /// Per slot: the slots of the exercises that stand in for it.
    alternatives: Vec<Vec<usize>>,
    /// Per slot: whether it stands in for another exercise.
    is_alternative: Vec<bool>,
    pub competences: Vec<CompetencePlan>,
    pub courses: Vec<CoursePlan>,
}

#[derive(Debug, Clone)]
pub struct CompetencePlan {
    pub id: String,
    /// The main exercises tagged with the competence.
    pub exercises: Vec<usize>,
}

#[derive(Debug, Clone)]
pub struct CoursePlan {
    pub slug: String,
    pub modules: Vec<ModulePlan>,
}

#[derive(Debug, Clone)]
pub struct ModulePlan {
    pub slug: String,
    pub lessons: Vec<LessonPlan>,
}

#[derive(Debug, Clone)]
pub struct LessonPlan {
    pub slug: String,
    /// The exercises completion counts, in the order shown.
    pub exercises: Vec<usize>,
}

/// What a person has to show for one exercise, with the attempts at its alternatives merged in.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Credit {
    pub attempts: u32,
    pub failures: u32,
    pub best_score: f64,
    pub passed: bool,
    /// Mastery evidence, 0 to 1 ([`mastery::evidence`]).
    pub evidence: f64,
    pub last_at_ms: i64,
    /// The exercise itself has no attempts: everything here comes from an alternative.
    pub by_alternative: bool,
}

impl Credit {
    pub fn done(credit: Option<&Self>) -> Done {
        credit.map_or_else(Done::default, |c| Done {
            attempted: c.attempts > 0,
            passed: c.passed,
        })
    }
}

/// A lesson's position: course, module and lesson index.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LessonAt {
    pub course: usize,
    pub module: usize,
    pub lesson: usize,
}

/// Where a learner goes next.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum NextStep {
    /// Nothing done yet: the first lesson.
    Start(LessonAt),
    /// Back to the lesson of the latest activity, or on to the next one not completed.
    Continue(LessonAt),
}

/// One person's progress in every course and competence.
#[derive(Debug, Clone)]
pub struct Profile {
    /// Per slot.
    pub credits: Vec<Option<Credit>>,
    /// Parallel to [`Plan::competences`].
    pub competences: Vec<Mastery>,
    /// The mean over the measurable competences.
    pub overall: Mastery,
    /// Parallel to [`Plan::courses`].
    pub courses: Vec<CourseProgress>,
    pub last_at_ms: Option<i64>,
    /// The exercise of the latest activity.
    pub last_slot: Option<usize>,
    /// Exercises passed (main exercises only, alternatives merged in).
    pub passed: usize,
}

#[derive(Debug, Clone)]
pub struct CourseProgress {
    pub lessons: Counts,
    pub modules: Vec<ModuleProgress>,
}

#[derive(Debug, Clone)]
pub struct ModuleProgress {
    pub counts: Counts,
    /// Per lesson; `None` for a lesson without exercises.
    pub lessons: Vec<Option<Status>>,
}

impl Plan {
    pub fn new(catalog: &Catalog) -> Self {
        let ids: Vec<String> = catalog.exercises.keys().cloned().collect();
        let index: HashMap<String, usize> = ids
            .iter()
            .enumerate()
            .map(|(i, id)| (id.clone(), i))
            .collect();
        let mut alternatives = vec![Vec::new(); ids.len()];
        let mut is_alternative = vec![false; ids.len()];
        for (slot, exercise) in catalog.exercises.values().enumerate() {
            let alt = exercise.accessible_alternative.as_deref();
            if let Some(&alt) = alt.and_then(|a| index.get(a))
                && alt != slot
            {
                alternatives[slot].push(alt);
                is_alternative[alt] = true;
            }
        }
        let slots = |list: &[String]| -> Vec<usize> {
            list.iter()
                .filter_map(|id| index.get(id).copied())
                .collect()
        };
        let competences = catalog
            .competences
            .iter()
            .map(|c| CompetencePlan {
                id: c.id.clone(),
                exercises: catalog
                    .exercises
                    .values()
                    .enumerate()
                    .filter(|(slot, e)| !is_alternative[*slot] && e.competences.contains(&c.id))
                    .map(|(slot, _)| slot)
                    .collect(),
            })
            .collect();
        let courses = catalog
            .courses
            .iter()
            .map(|c| CoursePlan {
                slug: c.slug.clone(),
                modules: c
                    .modules
                    .iter()
                    .map(|m| ModulePlan {
                        slug: m.slug.clone(),
                        lessons: m
                            .lessons
                            .iter()
                            .map(|l| LessonPlan {
                                slug: l.slug.clone(),
                                exercises: slots(&l.exercises),
                            })
                            .collect(),
                    })
                    .collect(),
            })
            .collect();
        Self {
            ids,
            index,
            alternatives,
            is_alternative,
            competences,
            courses,
        }
    }

    /// How many exercise slots there are.
    pub fn len(&self) -> usize {
        self.ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ids.is_empty()
    }

    pub fn slot(&self, exercise_id: &str) -> Option<usize> {
        self.index.get(exercise_id).copied()
    }

    pub fn exercise_id(&self, slot: usize) -> &str {
        self.ids.get(slot).map_or("", String::as_str)
    }

    /// Whether the exercise in `slot` stands in for another one.
    pub fn is_alternative(&self, slot: usize) -> bool {
        self.is_alternative.get(slot).copied().unwrap_or(false)
    }

    /// The main exercises (those that are nobody's alternative), in slot order.
    pub fn main_slots(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.len()).filter(|&s| !self.is_alternative(s))
    }

    /// Every lesson in reading order, with its position.
    pub fn lessons(&self) -> impl Iterator<Item = (LessonAt, &LessonPlan)> {
        self.courses.iter().enumerate().flat_map(|(c, course)| {
            course
                .modules
                .iter()
                .enumerate()
                .flat_map(move |(m, module)| {
                    module.lessons.iter().enumerate().map(move |(l, lesson)| {
                        (
                            LessonAt {
                                course: c,
                                module: m,
                                lesson: l,
                            },
                            lesson,
                        )
                    })
                })
        })
    }

    /// The profile of a person whose stats per slot are `stats` (shorter is fine: missing slots
    /// have no attempts), at time `now_ms`.
    pub fn profile(&self, stats: &[Option<ExerciseStat>], now_ms: i64) -> Profile {
        let stat = |slot: usize| stats.get(slot).copied().flatten();
        let credits: Vec<Option<Credit>> = (0..self.len())
            .map(|slot| {
                let own = stat(slot).filter(|s| s.attempts > 0);
                let mut credit = own.map(|s| Credit {
                    attempts: s.attempts,
                    failures: s.failures,
                    best_score: s.best_score,
                    passed: s.passed,
                    evidence: mastery::evidence(&s, now_ms),
                    last_at_ms: s.last_at_ms,
                    by_alternative: false,
                });
                for alt in self.alternatives[slot].iter().filter_map(|&a| stat(a)) {
                    if alt.attempts == 0 {
                        continue;
                    }
                    let c = credit.get_or_insert(Credit {
                        attempts: 0,
                        failures: 0,
                        best_score: 0.0,
                        passed: false,
                        evidence: 0.0,
                        last_at_ms: alt.last_at_ms,
                        by_alternative: true,
                    });
                    c.attempts += alt.attempts;
                    c.failures += alt.failures;
                    c.best_score = c.best_score.max(alt.best_score);
                    c.passed |= alt.passed;
                    c.evidence = c.evidence.max(mastery::evidence(&alt, now_ms));
                    c.last_at_ms = c.last_at_ms.max(alt.last_at_ms);
                }
                credit
            })
            .collect();
        let competences: Vec<Mastery> = self
            .competences
            .iter()
            .map(|c| {
                Mastery::from_evidence(
                    c.exercises
                        .iter()
                        .filter_map(|&s| credits[s].as_ref().map(|c| c.evidence)),
                    c.exercises.len(),
                )
            })
            .collect();
        let courses = self
            .courses
            .iter()
            .map(|course| {
                let modules: Vec<ModuleProgress> = course
                    .modules
                    .iter()
                    .map(|module| {
                        let lessons: Vec<Option<Status>> = module
                            .lessons
                            .iter()
                            .map(|l| {
                                lesson_status(
                                    l.exercises
                                        .iter()
                                        .map(|&s| Credit::done(credits[s].as_ref())),
                                )
                            })
                            .collect();
                        ModuleProgress {
                            counts: Counts::of(lessons.iter().copied()),
                            lessons,
                        }
                    })
                    .collect();
                CourseProgress {
                    lessons: Counts::of(modules.iter().flat_map(|m| m.lessons.iter().copied())),
                    modules,
                }
            })
            .collect();
        // The latest activity is the person's own, on any exercise (alternatives included).
        let last = (0..self.len())
            .filter_map(|s| {
                stat(s)
                    .filter(|st| st.attempts > 0)
                    .map(|st| (st.last_at_ms, s))
            })
            .max();
        let passed = self
            .main_slots()
            .filter(|&s| credits[s].is_some_and(|c| c.passed))
            .count();
        Profile {
            overall: Mastery::overall(&competences),
            credits,
            competences,
            courses,
            last_at_ms: last.map(|(at, _)| at),
            last_slot: last.map(|(_, s)| s),
            passed,
        }
    }

    /// The lesson to go on with: that of the latest activity while it is not completed; else the
    /// next lesson of that course that is not completed (one without exercises included: it is
    /// the next thing to read); else the first lesson before it still to do. `None` when nothing
    /// is left, or there are no lessons.
    pub fn next_step(&self, profile: &Profile) -> Option<NextStep> {
        let status = |at: LessonAt| {
            profile
                .courses
                .get(at.course)
                .and_then(|c| c.modules.get(at.module))
                .and_then(|m| m.lessons.get(at.lesson))
                .copied()
                .flatten()
        };
        let Some(last) = profile.last_slot else {
            return self.lessons().next().map(|(at, _)| NextStep::Start(at));
        };
        // The lesson that lists the exercise, or, for an alternative, the exercise it replaces.
        let lists = |lesson: &LessonPlan| {
            lesson
                .exercises
                .iter()
                .any(|&s| s == last || self.alternatives[s].contains(&last))
        };
        let Some((here, _)) = self.lessons().find(|(_, l)| lists(l)) else {
            return self
                .lessons()
                .find(|(at, _)| status(*at) != Some(Status::Completed))
                .map(|(at, _)| NextStep::Continue(at));
        };
        if status(here) != Some(Status::Completed) {
            return Some(NextStep::Continue(here));
        }
        let course: Vec<LessonAt> = self
            .lessons()
            .map(|(at, _)| at)
            .filter(|at| at.course == here.course)
            .collect();
        let position = course.iter().position(|&at| at == here).unwrap_or(0);
        let after = course
            .iter()
            .skip(position + 1)
            .find(|&&at| status(at) != Some(Status::Completed));
        let before = course
            .iter()
            .take(position)
            .find(|&&at| matches!(status(at), Some(Status::NotStarted | Status::InProgress)));
        after.or(before).map(|&at| NextStep::Continue(at))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::DAY_MS;

    const NOW: i64 = 2_000_000_000_000;

    fn catalog() -> Catalog {
        crate::content::load(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/content/valid"),
        )
        .unwrap_or_else(|e| panic!("fixture content: {e}"))
    }

    fn stat(score: f64, passed: bool, days_ago: i64) -> Option<ExerciseStat> {
        Some(ExerciseStat {
            attempts: 1,
            failures: u32::from(!passed),
            best_score: score,
            latest_score: score,
            passed,
            last_at_ms: NOW - days_ago * DAY_MS,
        })
    }

    #[test]
    fn alternatives_count_for_the_exercise_they_replace() {
        let plan = Plan::new(&catalog());
        let main = plan.slot("prov-place-lulea").unwrap_or(usize::MAX);
        let alt = plan.slot("prov-choice").unwrap_or(usize::MAX);
        assert!(plan.is_alternative(alt) && !plan.is_alternative(main));
        // The competence averages over main exercises only.
        let orientation = &plan.competences[0];
        assert!(orientation.exercises.contains(&main) && !orientation.exercises.contains(&alt));

        let mut stats = vec![None; plan.len()];
        stats[alt] = stat(1.0, true, 1);
        let profile = plan.profile(&stats, NOW);
        let credit = profile.credits[main].unwrap_or_else(|| panic!("credited"));
        assert!(credit.passed && credit.by_alternative && (credit.evidence - 1.0).abs() < 1e-12);
        assert_eq!(
            profile.courses[0].modules[0].lessons[0],
            Some(Status::Completed)
        );
        assert_eq!(profile.last_slot, Some(alt));
        // The pass counts for every exercise the alternative stands in for, never for itself.
        let replaced = (0..plan.len())
            .filter(|&s| plan.alternatives[s].contains(&alt))
            .count();
        assert!(replaced >= 1);
        assert_eq!(profile.passed, replaced);
    }

    #[test]
    fn the_better_of_an_exercise_and_its_alternative_counts() {
        let plan = Plan::new(&catalog());
        let main = plan.slot("prov-place-lulea").unwrap_or(usize::MAX);
        let alt = plan.slot("prov-choice").unwrap_or(usize::MAX);
        let mut stats = vec![None; plan.len()];
        stats[main] = stat(0.4, false, 3);
        stats[alt] = stat(0.9, true, 2);
        let credit = plan.profile(&stats, NOW).credits[main].unwrap_or_else(|| panic!("credited"));
        assert_eq!((credit.attempts, credit.failures), (2, 1));
        assert!(credit.passed && !credit.by_alternative);
        assert!((credit.evidence - 0.9).abs() < 1e-12 && (credit.best_score - 0.9).abs() < 1e-12);
    }

    #[test]
    fn lessons_without_exercises_have_no_status_and_the_next_step_follows_the_latest_activity() {
        let plan = Plan::new(&catalog());
        let empty = vec![None; plan.len()];
        let profile = plan.profile(&empty, NOW);
        assert_eq!(
            profile.courses[0].modules[0].lessons,
            vec![Some(Status::NotStarted), None]
        );
        assert_eq!(profile.courses[0].lessons.total, 1);
        let first = LessonAt {
            course: 0,
            module: 0,
            lesson: 0,
        };
        assert_eq!(plan.next_step(&profile), Some(NextStep::Start(first)));
        assert_eq!(profile.competences[0].value, 0.0);

        let main = plan.slot("prov-place-lulea").unwrap_or(usize::MAX);
        let mut stats = empty;
        stats[main] = stat(0.2, false, 0);
        let profile = plan.profile(&stats, NOW);
        assert_eq!(plan.next_step(&profile), Some(NextStep::Continue(first)));

        stats[main] = stat(1.0, true, 0);
        let profile = plan.profile(&stats, NOW);
        // The lesson is completed: on to the next lesson of the course.
        assert_eq!(
            plan.next_step(&profile),
            Some(NextStep::Continue(LessonAt {
                course: 0,
                module: 0,
                lesson: 1
            }))
        );
        assert_eq!(profile.courses[0].lessons.status(), Some(Status::Completed));
    }
}
