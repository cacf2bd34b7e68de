//! Completion: a lesson is *completed* when every exercise it lists is passed (an accessible
//! alternative's pass counts for the exercise it stands in for), *in progress* when at least one
//! of them has an attempt, and *not started* otherwise. A lesson that lists no exercises has no
//! status: nothing a learner does is recorded for it, so it counts neither way. A module or a
//! course is completed when all of its lessons with a status are, in progress when any of them
//! is started, and not started otherwise.

use serde::Serialize;

/// Where a person stands in a lesson, module or course.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    NotStarted,
    InProgress,
    Completed,
}

impl Status {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::NotStarted => "not_started",
            Self::InProgress => "in_progress",
            Self::Completed => "completed",
        }
    }
}

/// One exercise as completion sees it: attempted at all, and passed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Done {
    pub attempted: bool,
    pub passed: bool,
}

/// The status of a lesson from its exercises; `None` when it lists none.
pub fn lesson_status(exercises: impl IntoIterator<Item = Done>) -> Option<Status> {
    let mut any = false;
    let mut all_passed = true;
    let mut started = false;
    for done in exercises {
        any = true;
        all_passed &= done.passed;
        started |= done.attempted || done.passed;
    }
    if !any {
        None
    } else if all_passed {
        Some(Status::Completed)
    } else if started {
        Some(Status::InProgress)
    } else {
        Some(Status::NotStarted)
    }
}

/// How many of a group's parts (lessons of a module or course) are completed or started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct Counts {
    pub completed: usize,
    /// In progress, not completed.
    pub in_progress: usize,
    /// Parts that have a status.
    pub total: usize,
}

impl Counts {
    pub fn of(parts: impl IntoIterator<Item = Option<Status>>) -> Self {
        let mut counts = Self::default();
        for status in parts.into_iter().flatten() {
            counts.total += 1;
            match status {
                Status::Completed => counts.completed += 1,
                Status::InProgress => counts.in_progress += 1,
                Status::NotStarted => {}
            }
        }
        counts
    }

    /// The status of the group: `None` when none of its parts has a status.
    pub fn status(self) -> Option<Status> {
        if self.total == 0 {
            None
        } else if self.completed == self.total {
            Some(Status::Completed)
        } else if self.completed + self.in_progress > 0 {
            Some(Status::InProgress)
        } else {
            Some(Status::NotStarted)
        }
    }

    /// Completed parts as a whole percentage (0 when there are none).
    pub fn percent(self) -> u32 {
        percent(self.completed, self.total)
    }
}

/// `part` of `whole` as a whole percentage, rounded half up; 0 of 0 is 0.
pub fn percent(part: usize, whole: usize) -> u32 {
    if whole == 0 {
        return 0;
    }
    let p = (part.min(whole) * 200 + whole) / (2 * whole);
    u32::try_from(p).unwrap_or(100)
}

#[cfg(test)]
mod tests {
    use super::*;

    const NONE: Done = Done {
        attempted: false,
        passed: false,
    };
    const TRIED: Done = Done {
        attempted: true,
        passed: false,
    };
    const PASSED: Done = Done {
        attempted: true,
        passed: true,
    };

    #[test]
    fn a_lesson_is_completed_when_every_exercise_is_passed() {
        assert_eq!(lesson_status([PASSED, PASSED]), Some(Status::Completed));
        assert_eq!(lesson_status([PASSED, TRIED]), Some(Status::InProgress));
        assert_eq!(lesson_status([PASSED, NONE]), Some(Status::InProgress));
        assert_eq!(lesson_status([TRIED]), Some(Status::InProgress));
        assert_eq!(lesson_status([NONE, NONE]), Some(Status::NotStarted));
        assert_eq!(lesson_status([]), None, "nothing to record, no status");
    }

    #[test]
    fn groups_complete_when_all_their_lessons_do() {
        use Status::*;
        let c = Counts::of([Some(Completed), None, Some(Completed)]);
        assert_eq!((c.completed, c.total, c.status()), (2, 2, Some(Completed)));
        let c = Counts::of([Some(Completed), Some(NotStarted)]);
        assert_eq!(c.status(), Some(InProgress));
        let c = Counts::of([Some(NotStarted), Some(InProgress)]);
        assert_eq!((c.in_progress, c.status()), (1, Some(InProgress)));
        assert_eq!(Counts::of([Some(NotStarted)]).status(), Some(NotStarted));
        assert_eq!(Counts::of([None, None]).status(), None);
    }

    #[test]
    fn percentages_round_half_up_and_never_divide_by_zero() {
        assert_eq!(percent(0, 0), 0);
        assert_eq!(percent(1, 3), 33);
        assert_eq!(percent(2, 3), 67);
        assert_eq!(percent(1, 8), 13, "12.5 rounds up");
        assert_eq!(percent(5, 5), 100);
        assert_eq!(percent(7, 5), 100, "never above the whole");
        assert_eq!(
            Counts::of([Some(Status::Completed), Some(Status::NotStarted)]).percent(),
            50
        );
    }
}
