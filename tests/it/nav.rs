//! The header's menu (issues #7, #8): who sees "Mina framsteg", "Mitt team" and "Kohorter", in
//! both languages, and that the link of the page being shown is marked with
//! `aria-current="page"` (and no other is), so a screen-reader user hears where they are.

use axum::http::StatusCode;
use kartskola::db::Capability;

use crate::helpers::{TestApp, TestResponse};
use crate::progress::{person, session};

/// The header menu's links as (href, text, aria-current).
fn menu(page: &TestResponse) -> Vec<(String, String, Option<String>)> {
    let selector = scraper::Selector::parse("header.site-header nav a").expect("selector");
    page.html()
        .select(&selector)
        .map(|a| {
            let text = a.text().collect::<String>();
            (
                a.value().attr("href").unwrap_or_default().to_owned(),
                text.split_whitespace().collect::<Vec<_>>().join(" "),
                a.value().attr("aria-current").map(str::to_owned),
            )
        })
        .collect()
}

/// The menu's texts in order, the language switch left out (its href carries the page).
fn texts(page: &TestResponse) -> Vec<String> {
    menu(page)
        .into_iter()
        .filter(|(href, _, _)| !href.contains("lang="))
        .map(|(_, text, _)| text)
        .collect()
}

/// The hrefs marked as the current page.
fn current(page: &TestResponse) -> Vec<String> {
    menu(page)
        .into_iter()
        .filter(|(_, _, c)| c.is_some())
        .map(|(href, _, c)| {
            assert_eq!(c.as_deref(), Some("page"), "{href}");
            href
        })
        .collect()
}

/// The header's link to a trainer's cohorts (src/i18n/cohorts.rs).
const COHORTS_SV: &str = "Kohorter";
const COHORTS_EN: &str = "Cohorts";

async fn page_as(app: &TestApp, uri: &str, cookie: &str) -> TestResponse {
    let page = app.get_with(uri, &[("cookie", cookie)]).await;
    assert_eq!(page.status, StatusCode::OK, "{uri}");
    page
}

#[tokio::test]
async fn everyone_signed_in_sees_their_progress_managers_their_team_trainers_their_cohorts() {
    let app = TestApp::spawn().await;
    let learner = person(&app, "elev@nb.se", "Elev", "norrbotten", None, &[]).await;
    let trainer = person(
        &app,
        "larare@nb.se",
        "Lärare",
        "norrbotten",
        None,
        &[Capability::Trainer],
    )
    .await;
    let manager = person(
        &app,
        "chef@nb.se",
        "Chef",
        "norrbotten",
        None,
        &[Capability::Manager],
    )
    .await;
    let admin = person(
        &app,
        "admin@nb.se",
        "Admin",
        "vasterbotten",
        None,
        &[Capability::Admin],
    )
    .await;

    // Nobody signed in: the courses and the login link, nothing of a person's own.
    let anonymous = app.get("/").await;
    assert_eq!(texts(&anonymous), ["Kurser", "Logga in"]);
    assert_eq!(current(&anonymous), ["/"]);

    for (id, team, cohorts) in [
        (learner, false, false),
        (trainer, false, true),
        (manager, true, false),
        (admin, true, true),
    ] {
        let cookie = session(&app, id).await;
        let links = |sv: [&'static str; 5]| -> Vec<&'static str> {
            let [courses, cohort_link, progress, team_link, account] = sv;
            let mut v = vec![courses];
            if cohorts {
                v.push(cohort_link);
            }
            v.push(progress);
            if team {
                v.push(team_link);
            }
            v.push(account);
            v
        };
        let expected = links([
            "Kurser",
            COHORTS_SV,
            "Mina framsteg",
            "Mitt team",
            "Mitt konto",
        ]);
        // The same menu on a public page, a lesson and the person's own pages.
        for uri in ["/", "/courses/prov-kurs", "/me/progress", "/account"] {
            assert_eq!(texts(&page_as(&app, uri, &cookie).await), expected, "{uri}");
        }
        let en = page_as(&app, "/?lang=en", &cookie).await;
        let expected_en = links([
            "Courses",
            COHORTS_EN,
            "My progress",
            "My team",
            "My account",
        ]);
        assert_eq!(texts(&en), expected_en);
        // The links lead somewhere this person may go.
        for (href, _, _) in menu(&en).iter().filter(|(h, _, _)| !h.contains("lang=")) {
            page_as(&app, href, &cookie).await;
        }
        if !team {
            let refused = app.get_with("/team", &[("cookie", &cookie)]).await;
            assert_eq!(refused.status, StatusCode::NOT_FOUND, "no link, no page");
        }
    }
}

#[tokio::test]
async fn the_link_of_the_page_being_shown_is_marked_current() {
    let app = TestApp::spawn().await;
    let manager = person(
        &app,
        "chef@nb.se",
        "Chef",
        "norrbotten",
        None,
        &[Capability::Manager],
    )
    .await;
    let cookie = session(&app, manager).await;
    for (uri, marked) in [
        ("/", vec!["/"]),
        ("/?lang=en", vec!["/"]),
        ("/me/progress", vec!["/me/progress"]),
        ("/team", vec!["/team"]),
        ("/account", vec!["/account"]),
        // Pages the menu does not link to mark nothing.
        ("/courses/prov-kurs", vec![]),
        ("/accessibility", vec![]),
    ] {
        assert_eq!(current(&page_as(&app, uri, &cookie).await), marked, "{uri}");
    }
    let login = app.get("/login").await;
    assert_eq!(current(&login), ["/login"]);
    // Error pages show the same menu (the header flags wrap the error renderer).
    let missing = app.get_with("/no-such-page", &[("cookie", &cookie)]).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    assert!(texts(&missing).contains(&"Mitt team".to_owned()));
}

#[tokio::test]
async fn an_ended_session_shows_the_login_link_not_a_persons_links() {
    let app = TestApp::spawn().await;
    // A cookie whose session does not exist (expired, logged out elsewhere, made up).
    let stale = "kartskola_session=not-a-session";
    let page = app.get_with("/", &[("cookie", stale)]).await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(texts(&page), ["Kurser", "Logga in"]);
}
