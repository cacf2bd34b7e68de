//! The caller's scope: whose people, attempts and answers a query may return. Every query that
//! reads other people's data takes a [`Scope`] and applies the one SQL predicate below, so a
//! handler cannot forget the rule (service spec, "People, regions, roles, scopes").
//!
//! | caller | sees | answers |
//! |---|---|---|
//! | everyone | themselves | yes |
//! | trainer | members of the cohorts they run | yes |
//! | manager | every person of their region | no (scores only) |
//! | admin | everyone | yes |

use super::people::Capability;

/// Who is asking, reduced to what decides visibility. Built from a session or an API token.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    person_id: i64,
    region_id: String,
    trainer: bool,
    manager: bool,
    admin: bool,
}

impl Scope {
    pub fn new(person_id: i64, region_id: &str, capabilities: &[Capability]) -> Self {
        Self {
            person_id,
            region_id: region_id.to_owned(),
            trainer: capabilities.contains(&Capability::Trainer),
            manager: capabilities.contains(&Capability::Manager),
            admin: capabilities.contains(&Capability::Admin),
        }
    }

    /// The operator at the server's shell (`kartskola user …`, `seed-demo`): an admin who is no
    /// person (id 0 matches no row).
    pub fn operator() -> Self {
        Self {
            person_id: 0,
            region_id: String::new(),
            trainer: false,
            manager: false,
            admin: true,
        }
    }

    pub fn person_id(&self) -> i64 {
        self.person_id
    }

    pub fn region_id(&self) -> &str {
        &self.region_id
    }

    pub fn is_admin(&self) -> bool {
        self.admin
    }

    pub fn is_manager(&self) -> bool {
        self.manager
    }

    pub fn is_trainer(&self) -> bool {
        self.trainer
    }

    /// Whether the caller may look at other people at all (a team of some kind).
    pub fn has_team(&self) -> bool {
        self.admin || self.manager || self.trainer
    }

    /// The five bind values of [`visible_person!`] and [`answers_visible!`], in order `$1`..`$5`.
    pub(super) fn binds(&self) -> (i64, String, i64, i64, i64) {
        (
            self.person_id,
            self.region_id.clone(),
            i64::from(self.admin),
            i64::from(self.manager),
            i64::from(self.trainer),
        )
    }
}

/// Binds a scope's five values as `$1`..`$5` of a query built with [`visible_person!`].
macro_rules! bind_scope {
    ($query:expr, $scope:expr) => {{
        let (me, region, admin, manager, trainer) = $scope.binds();
        $query
            .bind(me)
            .bind(region)
            .bind(admin)
            .bind(manager)
            .bind(trainer)
    }};
}

/// Whether person `p` is visible to the scope bound as `$1`..`$5` (me, region, admin, manager,
/// trainer). One text for every scoped query, so the rule lives in one place.
macro_rules! visible_person {
    () => {
        "($3 = 1 or p.person_id = $1 \
          or ($4 = 1 and p.region_id = $2) \
          or ($5 = 1 and exists (select 1 from cohort_member cm join cohort c on c.cohort_id = cm.cohort_id \
                                 where cm.person_id = p.person_id and c.trainer_person_id = $1)))"
    };
}

/// Whether the scope bound as `$1`..`$5` may see person `p`'s raw answers: a manager who is not
/// also their trainer (or an admin) sees scores only.
macro_rules! answers_visible {
    () => {
        "(case when $3 = 1 or p.person_id = $1 \
               or ($5 = 1 and exists (select 1 from cohort_member cm join cohort c on c.cohort_id = cm.cohort_id \
                                      where cm.person_id = p.person_id and c.trainer_person_id = $1)) \
          then 1 else 0 end)"
    };
}

pub(super) use {answers_visible, bind_scope, visible_person};
