//! `kartskola seed-demo` / `seed-demo --remove`: the demo organisation of the service spec, for
//! trying the product and for end-to-end tests. Every password is `kartskola-demo`, written as a
//! hash directly (the weak-password rules are for people, not the seed). While demo accounts
//! exist every page shows a banner and `kartskola user add` refuses; the seed refuses to run
//! beside real accounts.
//!
//! The history is believable: each learner works through the exercises in course order (the
//! first course's, then the rest of the catalogue's) over the last months, at a pace and skill that differ by person and by region (Norrbotten
//! strongest, Västernorrland weakest), and every attempt is an answer really graded by the
//! engine (the exercises' own examples and keys), so results, feedback and dashboards are real.

use std::path::Path;
use std::process::ExitCode;

use serde::Deserialize;

use crate::auth::password;
use crate::config::{CommonArgs, ServeArgs};
use crate::content::{self, Catalog, Exercise};
use crate::db::{
    AuditEvent, Capability, Db, NewCohort, NewOrganisation, NewPerson, Scope, SeedAttempt, now_ms,
};
use crate::grading::{self, GRADER_VERSION, GradeResult};

use super::shell::Shell;

/// The one password of every demo account (public: it is in the service spec).
pub(super) const DEMO_PASSWORD: &str = "kartskola-demo";

struct DemoRegion {
    id: &'static str,
    organisation: &'static str,
    /// The municipality where five learners work.
    main: (&'static str, &'static str),
    /// The municipality of the sixth learner: fewer than 5 people, so its aggregates are hidden.
    small: (&'static str, &'static str),
    /// How well the region's learners do (0 to 1): regions differ, so dashboards do.
    skill: f64,
    /// How far through the course the region's learners get (0 to 1).
    reach: f64,
    manager: &'static str,
    trainer: &'static str,
    learners: [&'static str; 6],
}

const DEMO_REGIONS: [DemoRegion; 4] = [
    DemoRegion {
        id: "norrbotten",
        organisation: "Region Norrbotten",
        main: ("Luleå kommun", "2580"),
        small: ("Kiruna kommun", "2584"),
        skill: 0.8,
        reach: 0.9,
        manager: "Maria Lindqvist",
        trainer: "Johan Nilsson",
        learners: [
            "Anna Berg",
            "Erik Öberg",
            "Sara Lundström",
            "Mikael Holmgren",
            "Lina Forsberg",
            "Per Niemi",
        ],
    },
    DemoRegion {
        id: "vasterbotten",
        organisation: "Region Västerbotten",
        main: ("Umeå kommun", "2480"),
        small: ("Skellefteå kommun", "2482"),
        skill: 0.65,
        reach: 0.75,
        manager: "Karin Sandberg",
        trainer: "Anders Wikström",
        learners: [
            "Elin Marklund",
            "Jonas Burman",
            "Frida Lindberg",
            "Oskar Nordin",
            "Hanna Vikström",
            "Nils Åström",
        ],
    },
    DemoRegion {
        id: "jamtland-harjedalen",
        organisation: "Region Jämtland Härjedalen",
        main: ("Östersunds kommun", "2380"),
        small: ("Åre kommun", "2321"),
        skill: 0.5,
        reach: 0.6,
        manager: "Ingrid Olofsson",
        trainer: "Lars Jonsson",
        learners: [
            "Maja Persson",
            "Gustav Hallberg",
            "Emma Sjöberg",
            "Viktor Ek",
            "Ida Håkansson",
            "Olof Bergström",
        ],
    },
    DemoRegion {
        id: "vasternorrland",
        organisation: "Region Västernorrland",
        main: ("Sundsvalls kommun", "2281"),
        small: ("Härnösands kommun", "2280"),
        skill: 0.35,
        reach: 0.45,
        manager: "Birgitta Norberg",
        trainer: "Fredrik Eklund",
        learners: [
            "Julia Strömberg",
            "David Westin",
            "Klara Edlund",
            "Simon Hägglund",
            "Moa Nyberg",
            "Axel Sundqvist",
        ],
    },
];

const ADMIN: (&str, &str) = ("admin@demo.kartskola.se", "Eva Lindgren");

/// Every organisation the seed makes, as `(name, region)` (for `--remove`).
fn demo_organisations() -> Vec<(&'static str, &'static str)> {
    DEMO_REGIONS
        .iter()
        .flat_map(|r| [(r.organisation, r.id), (r.main.0, r.id), (r.small.0, r.id)])
        .collect()
}

pub(super) async fn run(common: &CommonArgs, serve: &ServeArgs, remove: bool) -> ExitCode {
    let result = async {
        let shell = Shell::open(common, serve).await?;
        let result = if remove {
            remove_demo(&shell.db).await
        } else {
            seed(&shell.db, &common.content_root()).await
        };
        shell.db.close().await;
        result
    }
    .await;
    match result {
        Ok(message) => {
            println!("{message}");
            ExitCode::SUCCESS
        }
        Err(message) => {
            eprintln!("error: {message}");
            ExitCode::FAILURE
        }
    }
}

async fn audit(db: &Db, action: &str, detail: &str) {
    let event = AuditEvent {
        actor: None,
        action,
        target: None,
        outcome: "success",
        detail: Some(detail),
        client_addr: None,
    };
    if let Err(e) = db.audit(event).await {
        eprintln!("warning: cannot write the audit log: {e}");
    }
}

async fn remove_demo(db: &Db) -> Result<String, String> {
    let (people, organisations) = db
        .remove_demo(&demo_organisations())
        .await
        .map_err(|e| e.to_string())?;
    let detail = format!("{people} demo account(s) and {organisations} organisation(s) removed");
    audit(db, "seed_demo_remove", &detail).await;
    Ok(detail)
}

async fn organisation(
    db: &Db,
    name: &str,
    kind: &str,
    region: &str,
    code: Option<&str>,
) -> Result<i64, String> {
    let new = NewOrganisation {
        name,
        kind,
        region_id: region,
        municipality_code: code,
    };
    match db
        .insert_organisation(&new)
        .await
        .map_err(|e| e.to_string())?
    {
        Ok(id) => Ok(id),
        Err(_) => db
            .organisations(Some(region))
            .await
            .map_err(|e| e.to_string())?
            .into_iter()
            .find(|o| o.name == name)
            .map(|o| o.organisation_id)
            .ok_or_else(|| format!("cannot make the organisation {name}")),
    }
}

async fn person(
    db: &Db,
    email: &str,
    name: &str,
    region: &str,
    organisation_id: i64,
    hash: &str,
    capabilities: &[Capability],
) -> Result<i64, String> {
    let new = NewPerson {
        email,
        display_name: name,
        region_id: region,
        organisation_id: Some(organisation_id),
        password_hash: Some(hash),
        capabilities,
    };
    db.insert_person(&new)
        .await
        .map_err(|e| e.to_string())?
        .map_err(|refused| format!("cannot add {email}: {refused:?}"))
}

async fn seed(db: &Db, content_root: &Path) -> Result<String, String> {
    if db.non_demo_accounts().await.map_err(|e| e.to_string())? > 0 {
        return Err(
            "the database holds accounts outside @demo.kartskola.se: the demo is only for a database of its own"
                .to_owned(),
        );
    }
    if db.demo_accounts_exist().await.map_err(|e| e.to_string())? {
        return Err(
            "the demo organisation exists already (`kartskola seed-demo --remove` removes it)"
                .to_owned(),
        );
    }
    let catalog = content::load(content_root)
        .map_err(|errors| format!("the content has errors (run `kartskola check`):\n{errors}"))?;
    let course = catalog
        .courses
        .first()
        .ok_or("the content has no course to write a history for")?;
    let exercises = course_exercises(&catalog, content_root, &course.slug);
    let hash = password::hash_blocking(DEMO_PASSWORD).map_err(|e| e.to_string())?;
    let now = now_ms();
    let mut accounts = 0;
    let mut attempts = 0;
    let mut admin_org = None;
    let mut cohorts = Vec::new();
    for (region_index, region) in DEMO_REGIONS.iter().enumerate() {
        let region_org = organisation(db, region.organisation, "region", region.id, None).await?;
        let main = organisation(
            db,
            region.main.0,
            "municipality",
            region.id,
            Some(region.main.1),
        )
        .await?;
        let small = organisation(
            db,
            region.small.0,
            "municipality",
            region.id,
            Some(region.small.1),
        )
        .await?;
        if region.id == "norrbotten" {
            admin_org = Some(region_org);
        }
        let manager = format!("chef.{}@demo.kartskola.se", region.id);
        person(
            db,
            &manager,
            region.manager,
            region.id,
            region_org,
            &hash,
            &[Capability::Manager],
        )
        .await?;
        let trainer_email = format!("utbildare.{}@demo.kartskola.se", region.id);
        let trainer = person(
            db,
            &trainer_email,
            region.trainer,
            region.id,
            region_org,
            &hash,
            &[Capability::Trainer],
        )
        .await?;
        accounts += 2;
        let mut members = Vec::new();
        for (i, name) in region.learners.iter().enumerate() {
            let email = format!("deltagare{}.{}@demo.kartskola.se", i + 1, region.id);
            let organisation_id = if i < 5 { main } else { small };
            let learner = person(db, &email, name, region.id, organisation_id, &hash, &[]).await?;
            accounts += 1;
            members.push(learner);
            let seed = u64::try_from(region_index * 10 + i + 1).unwrap_or(1);
            let history = history(&exercises, region, i, learner, seed, now);
            attempts += history.len();
            let rows: Vec<SeedAttempt<'_>> = history.iter().map(HistoryAttempt::row).collect();
            db.insert_seed_attempts(&rows)
                .await
                .map_err(|e| e.to_string())?;
        }
        cohorts.push((trainer, region, members));
    }
    let admin_org = admin_org.ok_or("no Norrbotten organisation")?;
    person(
        db,
        ADMIN.0,
        ADMIN.1,
        "norrbotten",
        admin_org,
        &hash,
        &[Capability::Admin],
    )
    .await?;
    accounts += 1;
    // Each trainer runs one cohort of their region's learners; Norrbotten's also has a member
    // from Västernorrland (trainers add people from other regions by exact e-mail).
    let day = 24 * 3_600_000;
    let cross_region = cohorts
        .last()
        .and_then(|(_, _, members)| members.last().copied());
    for (index, (trainer, region, members)) in cohorts.iter().enumerate() {
        let new = NewCohort {
            name: &format!("Grundkurs GIS – {}", region.organisation),
            course: &course.slug,
            region_id: region.id,
            trainer_person_id: *trainer,
            starts_at_ms: Some(now - 120 * day),
            ends_at_ms: Some(now + 30 * day),
        };
        let cohort = db
            .create_cohort(&Scope::operator(), &new)
            .await
            .map_err(|e| e.to_string())?
            .ok_or("cannot make a cohort")?;
        let extra = if index == 0 { cross_region } else { None };
        for member in members.iter().copied().chain(extra) {
            db.add_cohort_member(&Scope::operator(), cohort, member)
                .await
                .map_err(|e| e.to_string())?;
        }
        // A due date per module, a fortnight apart from six weeks ago: the first ones have
        // passed, so the cohort page shows overdue modules and members see their dates.
        for (m, module) in course.modules.iter().enumerate() {
            let weeks = i64::try_from(m).unwrap_or(0) * 2 - 6;
            let due = (now + weeks * 7 * day).div_euclid(day) * day;
            db.set_cohort_due(&Scope::operator(), cohort, &module.slug, Some(due))
                .await
                .map_err(|e| e.to_string())?;
        }
    }
    let detail = format!("{accounts} demo account(s), {attempts} attempt(s)");
    audit(db, "seed_demo", &detail).await;
    Ok(format!(
        "{detail} over the last four months in course {}.\nEvery password is {DEMO_PASSWORD:?}: {}, chef.<region>@…, utbildare.<region>@…, deltagare1..6.<region>@… (regions: {}).\nRemove it all with `kartskola seed-demo --remove`.",
        course.slug,
        ADMIN.0,
        DEMO_REGIONS
            .iter()
            .map(|r| r.id)
            .collect::<Vec<_>>()
            .join(", ")
    ))
}

/// An exercise of the course with the answers a learner may give, graded, worst first.
struct Gradable<'a> {
    exercise: &'a Exercise,
    answers: Vec<(String, GradeResult)>,
}

#[derive(Deserialize)]
struct ExampleAnswers {
    #[serde(default)]
    example: Vec<ExampleAnswer>,
}

#[derive(Deserialize)]
struct ExampleAnswer {
    answer: toml::Value,
}

/// Every exercise, the course's first in the order its lessons show them, then the rest of the
/// catalogue; each with its authors' example answers and the key's own answer, graded by the
/// engine (an exercise with neither is left out).
fn course_exercises<'a>(catalog: &'a Catalog, root: &Path, course: &str) -> Vec<Gradable<'a>> {
    let mut ids: Vec<&str> = catalog
        .course(course)
        .into_iter()
        .flat_map(|c| {
            c.lessons()
                .flat_map(|(_, l)| l.exercises.iter().map(String::as_str))
        })
        .collect();
    ids.extend(catalog.exercises.keys().map(String::as_str));
    let mut out: Vec<Gradable<'a>> = Vec::new();
    for id in ids {
        if out.iter().any(|g| g.exercise.id == id) {
            continue;
        }
        let Some(exercise) = catalog.exercise(id) else {
            continue;
        };
        let file = root.join("exercises").join(id).join("exercise.toml");
        let examples = std::fs::read_to_string(&file)
            .ok()
            .and_then(|text| toml::from_str::<ExampleAnswers>(&text).ok())
            .map(|e| e.example)
            .unwrap_or_default();
        let mut answers: Vec<(String, GradeResult)> = examples
            .iter()
            .filter_map(|e| serde_json::to_value(&e.answer).ok())
            .chain(exercise.grader.self_answer())
            .filter_map(|answer| {
                let text = answer.to_string();
                let result = grading::grade(&exercise.grader, text.as_bytes()).ok()?;
                Some((text, result))
            })
            .collect();
        answers.sort_by(|a, b| a.1.score.total_cmp(&b.1.score));
        if !answers.is_empty() {
            out.push(Gradable { exercise, answers });
        }
    }
    out
}

/// SplitMix64: a small deterministic generator, so a seeded demo is the same every time.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// Uniform in [0, 1).
    fn unit(&mut self) -> f64 {
        #[expect(
            clippy::cast_precision_loss,
            reason = "53 random bits fit an f64 exactly"
        )]
        let value = (self.next() >> 11) as f64 / (1_u64 << 53) as f64;
        value
    }

    /// Uniform in [0, n).
    fn below(&mut self, n: usize) -> usize {
        let n64 = u64::try_from(n.max(1)).unwrap_or(1);
        usize::try_from(self.next() % n64).unwrap_or(0)
    }
}

struct HistoryAttempt<'a> {
    person_id: i64,
    exercise: &'a Exercise,
    attempt_no: i64,
    answer: &'a str,
    result: String,
    score: f64,
    passed: bool,
    at_ms: i64,
}

impl HistoryAttempt<'_> {
    fn row(&self) -> SeedAttempt<'_> {
        SeedAttempt {
            person_id: self.person_id,
            exercise_id: &self.exercise.id,
            attempt_no: self.attempt_no,
            answer: self.answer,
            result: &self.result,
            score: self.score,
            passed: self.passed,
            content_hash: &self.exercise.content_hash,
            grader_version: GRADER_VERSION,
            created_at_ms: self.at_ms,
        }
    }
}

/// One learner's attempts: they start some 3 to 4 months ago and work through the course in
/// order, a few exercises a session, retrying what they fail while attempts remain.
fn history<'a>(
    exercises: &'a [Gradable<'a>],
    region: &DemoRegion,
    index: usize,
    person_id: i64,
    seed: u64,
    now: i64,
) -> Vec<HistoryAttempt<'a>> {
    let mut rng = Rng(seed.wrapping_mul(0x2545_F491_4F6C_DD1D));
    let offset = (f64::from(u8::try_from(index).unwrap_or(0)) - 2.5) * 0.06;
    let skill = (region.skill + offset).clamp(0.05, 0.97);
    let reach = (region.reach + offset + (rng.unit() - 0.5) * 0.2).clamp(0.1, 1.0);
    #[expect(
        clippy::cast_possible_truncation,
        clippy::cast_sign_loss,
        reason = "a small non-negative count"
    )]
    let count = ((exercises.len() as f64) * reach).round() as usize;
    let hour = 3_600_000_i64;
    let day = 24 * hour;
    let start = now - (90 + i64::try_from(rng.below(30)).unwrap_or(0)) * day;
    let span = now - hour - start;
    let mut out = Vec::new();
    for (position, gradable) in exercises.iter().take(count).enumerate() {
        // Sessions spread evenly over the period, at office hours, with some jitter.
        let share =
            i64::try_from(position).unwrap_or(0) * span / i64::try_from(count.max(1)).unwrap_or(1);
        let mut at = start + share + i64::try_from(rng.below(6)).unwrap_or(0) * hour;
        let limit = match gradable.exercise.attempts {
            0 => 3,
            n => i64::from(n.min(3)),
        };
        let best = gradable.answers.len() - 1;
        for attempt_no in 1..=limit {
            #[expect(clippy::cast_precision_loss, reason = "attempt numbers are tiny")]
            let chance = (skill + 0.15 * (attempt_no - 1) as f64).min(0.98);
            let pick = if best == 0 || rng.unit() < chance {
                best
            } else {
                rng.below(best)
            };
            let (answer, result) = &gradable.answers[pick];
            out.push(HistoryAttempt {
                person_id,
                exercise: gradable.exercise,
                attempt_no,
                answer,
                result: serde_json::to_string(result).unwrap_or_default(),
                score: result.score,
                passed: result.passed,
                at_ms: at.min(now - hour),
            });
            if result.passed || rng.unit() > 0.7 {
                break;
            }
            at += i64::try_from(2 + rng.below(20)).unwrap_or(2) * 60_000;
        }
    }
    out
}
