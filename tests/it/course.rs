//! The starter course "GIS för regional planering" has what the course issue promises: seven
//! modules, at least 18 lessons in Swedish and English, at least 40 exercises covering every
//! kind, self-tests for each, and the accessibility rules for drawing and measuring.

use std::collections::BTreeSet;

use kartskola::content::{self, Tool};
use kartskola::grading::Kind;

use crate::helpers::repo_root;

const DRAWING: [Kind; 5] = [
    Kind::PlacePoint,
    Kind::PlacePoints,
    Kind::DrawPolygon,
    Kind::DrawLine,
    Kind::Site,
];

#[test]
fn the_starter_course_meets_its_counts() {
    let catalog = content::load(&repo_root()).unwrap_or_else(|e| panic!("{e}"));
    let course = catalog
        .course("gis-regional-planering")
        .expect("the starter course");
    assert_eq!(course.modules.len(), 7, "seven modules");
    let lessons: Vec<_> = course.lessons().collect();
    assert!(
        lessons.len() >= 18,
        "at least 18 lessons, got {}",
        lessons.len()
    );
    for (module, lesson) in &lessons {
        let at = format!("{}/{}", module.slug, lesson.slug);
        assert!(lesson.en.is_some(), "{at} has English");
        assert!(
            (15..=25).contains(&lesson.minutes),
            "{at}: {} minutes",
            lesson.minutes
        );
        assert!(!lesson.exercises.is_empty(), "{at} has a map exercise");
    }
    let exercises: BTreeSet<&str> = lessons
        .iter()
        .flat_map(|(_, l)| l.exercises.iter().map(String::as_str))
        .collect();
    assert!(
        exercises.len() >= 40,
        "at least 40 exercises in lessons, got {}",
        exercises.len()
    );

    let kinds: BTreeSet<&str> = catalog
        .exercises
        .values()
        .map(|e| e.grader.kind().as_str())
        .collect();
    for kind in Kind::ALL {
        assert!(kinds.contains(kind.as_str()), "kind {kind} is covered");
    }
    let sites = catalog
        .exercises
        .values()
        .filter(|e| e.grader.kind() == Kind::Site)
        .count();
    assert!(sites >= 2, "site at least twice, got {sites}");

    for exercise in catalog.exercises.values() {
        let kind = exercise.grader.kind();
        assert!(
            exercise.examples >= 3,
            "{}: right, near and wrong examples, got {}",
            exercise.id,
            exercise.examples
        );
        assert!(
            !exercise.competences.is_empty(),
            "{} is tagged",
            exercise.id
        );
        if DRAWING.contains(&kind) {
            assert!(
                exercise.accessible_alternative.is_some(),
                "{} names an accessible alternative",
                exercise.id
            );
        }
        let tools = exercise
            .map
            .as_ref()
            .map(|m| m.tools.clone())
            .unwrap_or_default();
        if matches!(kind, Kind::MeasureLength | Kind::MeasureArea) {
            assert!(
                !tools.contains(&Tool::Measure),
                "{} must not measure for the learner",
                exercise.id
            );
        }
        if kind == Kind::ReadCoordinates {
            assert!(
                !tools.contains(&Tool::Coordinates),
                "{} must not read coordinates for the learner",
                exercise.id
            );
        }
    }
    assert!(
        catalog.competences.len() >= 6,
        "a competence framework of about seven"
    );
}
