//! Content loading: the real content loads clean, and broken content yields each expected error.

use kartskola::content;

use crate::helpers::{fixture, repo_root};

#[test]
fn the_repository_content_loads_clean() {
    let catalog = content::load(&repo_root()).unwrap_or_else(|e| panic!("{e}"));
    assert!(
        !catalog.courses.is_empty(),
        "the repository ships at least one course"
    );
    for course in &catalog.courses {
        assert!(
            course.lessons().all(|(_, l)| l.en.is_some()),
            "{}: every shipped lesson has English",
            course.slug
        );
    }
}

#[test]
fn the_valid_fixture_loads_in_order() {
    let catalog = content::load(&fixture("valid")).unwrap_or_else(|e| panic!("{e}"));
    let course = catalog.course("prov-kurs").expect("course");
    let order: Vec<_> = course
        .lessons()
        .map(|(m, l)| format!("{}/{}", m.slug, l.slug))
        .collect();
    assert_eq!(order, ["forsta/hej", "forsta/mer", "andra/slut"]);
    assert_eq!(course.minutes(), 45);
    assert_eq!(
        catalog.layer("towns").map(|l| l.features.features.len()),
        Some(2)
    );
}

#[test]
fn broken_content_reports_every_error_with_its_file() {
    let errors = content::load(&fixture("broken")).expect_err("broken content must not load");
    let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
    let expected = [
        "courses/competences.toml: competence[0] (orientation): description: the Swedish text (sv) is empty",
        "courses/competences.toml: competence[0] (orientation): levels.4 is missing",
        "courses/competences.toml: competence[1] (orientation): duplicate competence id",
        "courses/bad-kurs/course.toml:3: unknown field `titel`",
        "courses/bad-kurs/01-m/01-a.sv.md:9: raw HTML is not allowed",
        "courses/bad-kurs/01-m/01-a.sv.md: inline exercise 'not-listed' is missing from the front matter",
        "courses/bad-kurs/01-m/01-a.sv.md: unknown competence 'nonexistent-competence'",
        "courses/bad-kurs/01-m/01-a.sv.md: unknown exercise 'missing-exercise'",
        "courses/bad-kurs/01-m/02-b.en.md: has no Swedish version",
        "courses/bad-kurs/01-m/03-c.sv.md:1: the front matter is not closed",
        "courses/bad-kurs/01-m/04-d.sv.md:4: unknown field `extra_field`",
        "courses/bad-kurs/moduleA: a module folder is named NN-<slug>",
        "exercises/Bad_Id: an exercise folder name (its id) must be lowercase",
        "exercises/e1/exercise.toml: map.extent must be",
        "exercises/e1/exercise.toml: unknown competence 'no-such-competence'",
        "exercises/e1/exercise.toml: map.layers: unknown layer 'no-such-layer'",
        "exercises/e1/exercise.toml: accessible_alternative: unknown exercise 'no-such-exercise'",
        "static/layers/dup.geojson: feature 1: id 'a' is used twice",
        "static/layers/dup.geojson: feature 'b' has no name",
        "static/layers/dup.geojson: feature 'c': coordinate [722899, 7535580] is outside WGS 84",
        "static/layers/notfc.geojson: a layer must be a GeoJSON FeatureCollection",
    ];
    for want in expected {
        assert!(
            lines.iter().any(|l| l.starts_with(want)),
            "missing error: {want}\ngot:\n{}",
            lines.join("\n")
        );
    }
    assert!(
        errors
            .to_string()
            .ends_with(&format!("{} content errors", errors.len()))
    );
}
