//! A team's aggregates: what a manager sees of their region (or a part of it), computed from
//! the members' profiles. Privacy is applied here, where the numbers are made, so no page or
//! export can forget it: an aggregate over fewer than [`MIN_GROUP`] people (the selection, an
//! organisation, a municipality) is `None`, hidden from everyone but admins. People themselves
//! are not aggregates: a manager sees their region's people by name.

use std::collections::BTreeMap;

use super::completion::{Status, percent};
use super::mastery::{Mastery, level_of};
use super::{DAY_MS, Plan, Profile};

/// Aggregates over fewer people than this are hidden from everyone but admins (service spec).
pub const MIN_GROUP: usize = 5;
/// A person is *stuck* on an exercise after this many failed attempts without a pass.
pub const STUCK_FAILURES: u32 = 3;
/// The level the region map and the "at level 3" counts look at.
pub const TARGET_LEVEL: u8 = 3;

/// Whether an aggregate over `people` may be shown.
pub fn shown(people: usize, admin: bool) -> bool {
    admin || people >= MIN_GROUP
}

/// Which mastery a summary looks at: one competence (its index in the plan) or the overall.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Focus {
    #[default]
    Overall,
    Competence(usize),
}

impl Focus {
    pub fn of(self, profile: &Profile) -> Mastery {
        match self {
            Self::Overall => profile.overall,
            Self::Competence(i) => profile
                .competences
                .get(i)
                .copied()
                .unwrap_or(profile.overall),
        }
    }
}

/// One member of the team, as the aggregates need them.
#[derive(Debug, Clone, Copy)]
pub struct Member<'a> {
    pub organisation_id: Option<i64>,
    /// The SCB code of the organisation's municipality, if it is one.
    pub municipality: Option<&'a str>,
    pub profile: &'a Profile,
}

/// A group of members (an organisation, a municipality) and its figures; `None` when hidden.
#[derive(Debug, Clone, PartialEq)]
pub struct GroupRow<K> {
    pub key: K,
    /// `None`: fewer than [`MIN_GROUP`] (and the viewer is not an admin).
    pub people: Option<usize>,
    /// People at [`TARGET_LEVEL`] or above in the focus.
    pub at_target: Option<usize>,
    /// The same as a whole percentage of the group.
    pub share_at_target: Option<u32>,
    /// The mean mastery value of the focus, one decimal.
    pub mean: Option<f64>,
}

/// Completion of one course or module across the team.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GroupCompletion {
    pub completed: usize,
    pub in_progress: usize,
    pub not_started: usize,
    /// Completed people as a whole percentage.
    pub percent: u32,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CourseCompletion {
    pub course: Option<GroupCompletion>,
    pub modules: Vec<Option<GroupCompletion>>,
}

/// A person stuck on an exercise.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stuck {
    /// Index into the members.
    pub member: usize,
    pub slot: usize,
    pub failures: u32,
    pub last_at_ms: i64,
}

/// Everything a team page shows besides the people themselves. Every `Option` is `None` when
/// the group it is over is too small to show.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    pub people: usize,
    /// Whether aggregates over the whole selection are shown.
    pub shown: bool,
    pub active_week: Option<usize>,
    pub active_month: Option<usize>,
    /// Per competence of the plan: the mean mastery value, one decimal.
    pub competence_means: Vec<Option<f64>>,
    /// Per competence: people at [`TARGET_LEVEL`] or above.
    pub competence_at_target: Vec<Option<usize>>,
    pub overall_mean: Option<f64>,
    /// Parallel to the plan's courses.
    pub courses: Vec<CourseCompletion>,
    pub organisations: Vec<GroupRow<Option<i64>>>,
    pub municipalities: Vec<GroupRow<Option<String>>>,
}

fn mean_tenths(values: impl Iterator<Item = f64>) -> Option<f64> {
    let (sum, n) = values.fold((0.0, 0_u32), |(s, n), v| (s + v, n + 1));
    (n > 0).then(|| (sum / f64::from(n) * 10.0).round() / 10.0)
}

impl Summary {
    pub fn compute(
        plan: &Plan,
        members: &[Member<'_>],
        focus: Focus,
        now_ms: i64,
        admin: bool,
    ) -> Self {
        let people = members.len();
        let show = shown(people, admin);
        let active_since = |days: i64| {
            members
                .iter()
                .filter(|m| {
                    m.profile
                        .last_at_ms
                        .is_some_and(|at| at >= now_ms - days * DAY_MS)
                })
                .count()
        };
        let competence_means = (0..plan.competences.len())
            .map(|i| {
                let m = mean_tenths(
                    members
                        .iter()
                        .filter_map(|m| m.profile.competences.get(i).map(|c| c.value)),
                );
                m.filter(|_| show)
            })
            .collect();
        let competence_at_target = (0..plan.competences.len())
            .map(|i| {
                guard(
                    show,
                    members
                        .iter()
                        .filter(|m| {
                            m.profile
                                .competences
                                .get(i)
                                .is_some_and(|c| c.level >= TARGET_LEVEL)
                        })
                        .count(),
                )
            })
            .collect();
        let courses = plan
            .courses
            .iter()
            .enumerate()
            .map(|(c, course)| CourseCompletion {
                course: guard(
                    show,
                    completion(
                        members
                            .iter()
                            .map(|m| m.profile.courses.get(c).and_then(|p| p.lessons.status())),
                    ),
                ),
                modules: (0..course.modules.len())
                    .map(|i| {
                        guard(
                            show,
                            completion(members.iter().map(|m| {
                                m.profile
                                    .courses
                                    .get(c)
                                    .and_then(|p| p.modules.get(i))
                                    .and_then(|p| p.counts.status())
                            })),
                        )
                    })
                    .collect(),
            })
            .collect();
        Self {
            people,
            shown: show,
            active_week: guard(show, active_since(7)),
            active_month: guard(show, active_since(30)),
            competence_means,
            competence_at_target,
            overall_mean: mean_tenths(members.iter().map(|m| m.profile.overall.value))
                .filter(|_| show),
            courses,
            organisations: groups(members, |m| m.organisation_id, focus, admin),
            municipalities: groups(members, |m| m.municipality.map(str::to_owned), focus, admin),
        }
    }
}

/// `value` when an aggregate may be shown, else `None`.
fn guard<T>(show: bool, value: T) -> Option<T> {
    show.then_some(value)
}

fn completion(statuses: impl Iterator<Item = Option<Status>>) -> GroupCompletion {
    let mut c = GroupCompletion {
        completed: 0,
        in_progress: 0,
        not_started: 0,
        percent: 0,
    };
    for status in statuses {
        match status {
            Some(Status::Completed) => c.completed += 1,
            Some(Status::InProgress) => c.in_progress += 1,
            Some(Status::NotStarted) | None => c.not_started += 1,
        }
    }
    c.percent = percent(c.completed, c.completed + c.in_progress + c.not_started);
    c
}

/// Members grouped by `key`, each group with its figures (hidden below [`MIN_GROUP`]).
pub fn groups<K: Ord + Clone>(
    members: &[Member<'_>],
    key: impl Fn(&Member<'_>) -> K,
    focus: Focus,
    admin: bool,
) -> Vec<GroupRow<K>> {
    let mut by_key: BTreeMap<K, Vec<Mastery>> = BTreeMap::new();
    for m in members {
        by_key.entry(key(m)).or_default().push(focus.of(m.profile));
    }
    by_key
        .into_iter()
        .map(|(key, masteries)| {
            let n = masteries.len();
            if !shown(n, admin) {
                return GroupRow {
                    key,
                    people: None,
                    at_target: None,
                    share_at_target: None,
                    mean: None,
                };
            }
            let at = masteries.iter().filter(|m| m.level >= TARGET_LEVEL).count();
            GroupRow {
                key,
                people: Some(n),
                at_target: Some(at),
                share_at_target: Some(percent(at, n)),
                mean: mean_tenths(masteries.iter().map(|m| m.value)),
            }
        })
        .collect()
}

/// Who is stuck where: failed attempts at or above [`STUCK_FAILURES`] on an exercise not passed
/// (an alternative's pass counts), the most failures first.
pub fn stuck(plan: &Plan, members: &[Member<'_>]) -> Vec<Stuck> {
    let mut out: Vec<Stuck> = members
        .iter()
        .enumerate()
        .flat_map(|(member, m)| {
            plan.main_slots().filter_map(move |slot| {
                let c = m.profile.credits.get(slot).copied().flatten()?;
                (!c.passed && c.failures >= STUCK_FAILURES).then_some(Stuck {
                    member,
                    slot,
                    failures: c.failures,
                    last_at_ms: c.last_at_ms,
                })
            })
        })
        .collect();
    out.sort_by(|a, b| {
        b.failures
            .cmp(&a.failures)
            .then(b.last_at_ms.cmp(&a.last_at_ms))
    });
    out
}

/// The CSS class of a mastery value's cell (its level), for the heat map.
pub fn level_class(value: f64) -> &'static str {
    match level_of(value) {
        0 => "lvl-0",
        1 => "lvl-1",
        2 => "lvl-2",
        3 => "lvl-3",
        _ => "lvl-4",
    }
}

/// The class of a share (0–100 %) on the region map: five steps.
pub fn share_class(share: Option<u32>) -> &'static str {
    match share {
        None => "share-hidden",
        Some(0..20) => "share-0",
        Some(20..40) => "share-1",
        Some(40..60) => "share-2",
        Some(60..80) => "share-3",
        Some(_) => "share-4",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::progress::completion::Counts;
    use crate::progress::{CourseProgress, ModuleProgress};

    fn profile(value: f64, last_at_ms: Option<i64>, module: Option<Status>) -> Profile {
        let m = Mastery::from_evidence([value / 4.0], 1);
        let lessons = vec![module];
        Profile {
            credits: Vec::new(),
            competences: vec![m],
            overall: m,
            courses: vec![CourseProgress {
                lessons: Counts::of(lessons.iter().copied()),
                modules: vec![ModuleProgress {
                    counts: Counts::of(lessons.iter().copied()),
                    lessons,
                }],
            }],
            last_at_ms,
            last_slot: None,
            passed: 0,
        }
    }

    fn plan() -> Plan {
        let catalog = crate::content::load(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("tests/fixtures/content/valid"),
        )
        .unwrap_or_else(|e| panic!("fixture content: {e}"));
        Plan::new(&catalog)
    }

    const NOW: i64 = 2_000_000_000_000;

    #[test]
    fn small_groups_are_hidden_from_managers_but_not_from_admins() {
        let plan = plan();
        let profiles: Vec<Profile> = (0..4)
            .map(|_| profile(3.0, Some(NOW), Some(Status::Completed)))
            .collect();
        let members: Vec<Member<'_>> = profiles
            .iter()
            .map(|p| Member {
                organisation_id: Some(1),
                municipality: Some("2580"),
                profile: p,
            })
            .collect();
        let manager = Summary::compute(&plan, &members, Focus::Overall, NOW, false);
        assert_eq!(manager.people, 4);
        assert!(!manager.shown);
        assert_eq!(manager.active_week, None);
        assert_eq!(manager.competence_means, vec![None]);
        assert_eq!(manager.overall_mean, None);
        assert_eq!(manager.courses[0].course, None);
        assert_eq!(manager.municipalities[0].people, None);
        assert_eq!(manager.municipalities[0].share_at_target, None);
        let admin = Summary::compute(&plan, &members, Focus::Overall, NOW, true);
        assert_eq!(admin.active_week, Some(4));
        assert_eq!(admin.municipalities[0].share_at_target, Some(100));
        assert_eq!(admin.competence_at_target, vec![Some(4)]);
    }

    #[test]
    fn groups_of_five_show_their_shares_and_means() {
        let profiles: Vec<Profile> = [4.0, 3.0, 2.5, 1.0, 0.0, 2.0]
            .iter()
            .enumerate()
            .map(|(i, &v)| {
                let days = if i < 2 { 1 } else { 20 };
                profile(
                    v,
                    Some(NOW - days * DAY_MS),
                    if i == 0 {
                        Some(Status::Completed)
                    } else {
                        Some(Status::NotStarted)
                    },
                )
            })
            .collect();
        let members: Vec<Member<'_>> = profiles
            .iter()
            .enumerate()
            .map(|(i, p)| Member {
                organisation_id: Some(if i < 5 { 1 } else { 2 }),
                municipality: (i < 5).then_some("2580"),
                profile: p,
            })
            .collect();
        let s = Summary::compute(&plan(), &members, Focus::Competence(0), NOW, false);
        assert!(s.shown);
        assert_eq!((s.active_week, s.active_month), (Some(2), Some(6)));
        assert_eq!(
            s.competence_at_target,
            vec![Some(3)],
            "4.0, 3.0 and 2.5 are level 3 or more"
        );
        assert_eq!(s.competence_means, vec![Some(2.1)], "12.5 / 6");
        let c = s.courses[0].modules[0].unwrap_or_else(|| panic!("shown"));
        assert_eq!((c.completed, c.not_started, c.percent), (1, 5, 17));
        // Municipality 2580 has five people: shown; the person without one is a group of one.
        let lulea = &s
            .municipalities
            .iter()
            .find(|g| g.key.as_deref() == Some("2580"));
        let lulea = lulea.unwrap_or_else(|| panic!("a row for 2580"));
        assert_eq!(
            (lulea.people, lulea.at_target, lulea.share_at_target),
            (Some(5), Some(3), Some(60))
        );
        assert_eq!(lulea.mean, Some(2.1));
        let none = s
            .municipalities
            .iter()
            .find(|g| g.key.is_none())
            .unwrap_or_else(|| panic!("row"));
        assert_eq!(none.people, None);
        assert_eq!(s.organisations.len(), 2);
    }

    #[test]
    fn classes_step_by_level_and_share() {
        assert_eq!(level_class(0.2), "lvl-0");
        assert_eq!(level_class(2.5), "lvl-3");
        assert_eq!(level_class(4.0), "lvl-4");
        assert_eq!(share_class(None), "share-hidden");
        assert_eq!(share_class(Some(0)), "share-0");
        assert_eq!(share_class(Some(59)), "share-2");
        assert_eq!(share_class(Some(100)), "share-4");
    }
}
