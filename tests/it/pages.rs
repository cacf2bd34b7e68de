//! The public pages, checked with an HTML parser: catalogue, course, lesson, languages,
//! accessibility and privacy links, errors, health, assets and layers.

use axum::http::StatusCode;

use crate::helpers::TestApp;

#[tokio::test]
async fn the_course_list_shows_each_course_with_its_size() {
    let app = TestApp::spawn().await;
    let page = app.get("/").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("h1"), ["Kurser"]);
    assert_eq!(page.texts(".course-card h2"), ["Provkurs"]);
    assert_eq!(
        page.texts(".course-card .meta"),
        ["2 moduler · 3 lektioner · 45 min"]
    );
}

#[tokio::test]
async fn a_course_page_lists_modules_and_lessons_in_order_with_minutes() {
    let app = TestApp::spawn().await;
    let page = app.get("/courses/prov-kurs").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(
        page.texts(".module h3"),
        ["Första modulen", "Andra modulen"]
    );
    assert_eq!(
        page.texts(".lesson a"),
        ["Hej kartan", "Mer om kartor", "Avslutning"]
    );
    assert_eq!(page.texts(".lesson .meta"), ["15 min", "20 min", "10 min"]);
}

#[tokio::test]
async fn a_lesson_renders_its_markdown_and_links_its_neighbours() {
    let app = TestApp::spawn().await;
    let page = app.get("/courses/prov-kurs/forsta/hej").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("article h1"), ["Hej kartan"]);
    assert_eq!(page.texts(".lesson-body > h2"), ["Lärandemål"]);
    assert_eq!(page.texts(".exercise-card h2"), ["Övning: Placera Luleå"]);
    assert_eq!(page.texts(".exercise-card a.button"), ["Placera Luleå"]);
    assert_eq!(page.texts(".lesson-body strong"), ["läsa"]);
    assert_eq!(page.texts("a[rel=next]"), ["Nästa lektion: Mer om kartor"]);
    assert!(page.texts("a[rel=prev]").is_empty());
}

#[tokio::test]
async fn english_is_chosen_by_query_cookie_or_accept_language() {
    let app = TestApp::spawn().await;
    let by_query = app.get("/courses/prov-kurs?lang=en").await;
    assert_eq!(by_query.texts("h1"), ["Sample course"]);
    assert!(
        by_query
            .header("set-cookie")
            .is_some_and(|c| c.starts_with("lang=en"))
    );
    let by_cookie = app
        .get_with("/courses/prov-kurs", &[("cookie", "lang=en")])
        .await;
    assert_eq!(by_cookie.texts("h1"), ["Sample course"]);
    let by_header = app
        .get_with(
            "/courses/prov-kurs",
            &[("accept-language", "en-GB,en;q=0.8")],
        )
        .await;
    assert_eq!(by_header.texts("h1"), ["Sample course"]);
    let default = app
        .get_with("/courses/prov-kurs", &[("accept-language", "fi")])
        .await;
    assert_eq!(default.texts("h1"), ["Provkurs"]);
    let html = by_header.html();
    let root = html.root_element();
    assert_eq!(root.value().attr("lang"), Some("en"));
}

#[tokio::test]
async fn a_lesson_missing_in_english_falls_back_to_swedish_with_a_notice() {
    let app = TestApp::spawn().await;
    let page = app.get("/courses/prov-kurs/forsta/mer?lang=en").await;
    assert_eq!(page.status, StatusCode::OK);
    assert_eq!(page.texts("article h1"), ["Mer om kartor"]);
    assert_eq!(page.texts(".notice").len(), 1);
    assert_eq!(page.texts("h1[lang=sv]"), ["Mer om kartor"]);
}

#[tokio::test]
async fn every_page_links_accessibility_and_privacy() {
    let app = TestApp::spawn().await;
    for uri in [
        "/",
        "/courses/prov-kurs",
        "/courses/prov-kurs/andra/slut",
        "/accessibility",
        "/privacy",
        "/no-such-page",
    ] {
        let page = app.get(uri).await;
        let links = page.texts("footer a");
        assert!(
            links.contains(&"Tillgänglighet".to_owned())
                && links.contains(&"Personuppgifter".to_owned()),
            "{uri}: {links:?}"
        );
    }
    let statement = app.get("/accessibility?lang=en").await;
    assert_eq!(statement.status, StatusCode::OK);
    assert_eq!(statement.texts("h1"), ["Accessibility statement"]);
    assert_eq!(
        app.get("/privacy").await.texts("h1"),
        ["Behandling av personuppgifter"]
    );
}

#[tokio::test]
async fn unknown_pages_are_404_html_and_unknown_api_routes_404_json() {
    let app = TestApp::spawn().await;
    for uri in [
        "/courses/nope",
        "/courses/prov-kurs/forsta/nope",
        "/nothing/here",
    ] {
        let page = app.get(uri).await;
        assert_eq!(page.status, StatusCode::NOT_FOUND, "{uri}");
        assert!(
            page.header("content-type")
                .is_some_and(|c| c.starts_with("text/html"))
        );
        assert_eq!(page.texts("main h1"), ["Något gick fel (404)"]);
    }
    let api = app
        .get_with("/api/nothing", &[("accept-language", "en")])
        .await;
    assert_eq!(api.status, StatusCode::NOT_FOUND);
    let body = api.json();
    assert_eq!(body["error"]["code"], "not_found");
    assert_eq!(
        body["error"]["message"],
        "The page or resource does not exist."
    );
}

#[tokio::test]
async fn responses_carry_the_security_headers() {
    let app = TestApp::spawn().await;
    let page = app.get("/").await;
    let csp = page.header("content-security-policy").unwrap_or_default();
    assert!(
        csp.contains("script-src 'self'")
            && !csp.contains("unsafe-inline")
            && csp.contains("frame-ancestors 'none'")
    );
    assert_eq!(page.header("x-content-type-options"), Some("nosniff"));
    assert!(page.header("referrer-policy").is_some());
    assert!(page.header("server").is_none());
}

#[tokio::test]
async fn healthz_follows_the_database() {
    let app = TestApp::spawn().await;
    assert_eq!(app.get("/healthz").await.status, StatusCode::OK);
    app.state.db.close().await;
    let down = app.get("/healthz").await;
    assert_eq!(down.status, StatusCode::SERVICE_UNAVAILABLE);
}

#[tokio::test]
async fn assets_are_versioned_and_cached_for_a_year() {
    let app = TestApp::spawn().await;
    let page = app.get("/").await;
    let stylesheet = scraper::Selector::parse("link[rel=stylesheet]").expect("selector");
    let href = page
        .html()
        .select(&stylesheet)
        .next()
        .and_then(|e| e.value().attr("href"))
        .map(str::to_owned)
        .expect("stylesheet");
    let css = app.get(&href).await;
    assert_eq!(css.status, StatusCode::OK);
    assert!(
        css.header("cache-control")
            .is_some_and(|c| c.contains("immutable"))
    );
    assert!(
        css.header("content-type")
            .is_some_and(|c| c.starts_with("text/css"))
    );
    for vendor in ["vendor/ol.js", "vendor/ol.css", "vendor/proj4.js"] {
        let asset = app.get(&kartskola::web::assets::asset_url(vendor)).await;
        assert_eq!(asset.status, StatusCode::OK, "{vendor}");
        assert!(asset.body.len() > 1000, "{vendor} is the real library");
    }
    assert_eq!(
        app.get("/assets/0000/css/kartskola.css").await.status,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn layers_are_served_as_geojson() {
    let app = TestApp::spawn().await;
    let layer = app.get("/api/layers/towns").await;
    assert_eq!(layer.status, StatusCode::OK);
    assert_eq!(layer.header("content-type"), Some("application/geo+json"));
    assert_eq!(layer.json()["features"][0]["properties"]["id"], "lulea");
    assert_eq!(
        app.get("/api/layers/nope").await.status,
        StatusCode::NOT_FOUND
    );
}

/// Lesson pages are rendered once per variant (`PageCache`): a cached page is the one a fresh
/// render gives, per language and log-in state, and other spellings of the path still work.
#[tokio::test]
async fn cached_lesson_pages_are_the_pages_for_that_language_and_reader() {
    let app = TestApp::spawn().await;
    let sv = app.get("/courses/prov-kurs/forsta/hej").await;
    let en = app.get("/courses/prov-kurs/forsta/hej?lang=en").await;
    assert_eq!(sv.status, StatusCode::OK);
    assert_eq!(en.status, StatusCode::OK);
    assert_ne!(sv.body, en.body);
    assert!(sv.body.contains("lang=\"sv\""), "{}", sv.body);
    assert!(en.body.contains("lang=\"en\""), "{}", en.body);
    // Served again (now from the cache): the same bytes, and the language cookie still set.
    assert_eq!(app.get("/courses/prov-kurs/forsta/hej").await.body, sv.body);
    let en_again = app.get("/courses/prov-kurs/forsta/hej?lang=en").await;
    assert_eq!(en_again.body, en.body);
    assert!(en_again.header("set-cookie").is_some());
    // A reader with a session cookie gets the account link, not the cached anonymous header.
    let cookie = app.login_as("cache@example.se").await;
    let personal = app
        .get_with("/courses/prov-kurs/forsta/hej", &[("cookie", &cookie)])
        .await;
    assert_eq!(personal.status, StatusCode::OK);
    assert_ne!(personal.body, sv.body);
    // Signed-in readers with other header links (a manager's "Mitt team") get their own
    // variant, not the learner's cached one, and the learner's stays without it.
    let manager = crate::progress::person(
        &app,
        "chef-cache@example.se",
        "Chef",
        "norrbotten",
        None,
        &[kartskola::db::Capability::Manager],
    )
    .await;
    let manager_cookie = crate::progress::session(&app, manager).await;
    let managers = app
        .get_with(
            "/courses/prov-kurs/forsta/hej",
            &[("cookie", &manager_cookie)],
        )
        .await;
    assert!(
        managers.body.contains("href=\"/team\""),
        "{}",
        managers.body
    );
    let learners = app
        .get_with("/courses/prov-kurs/forsta/hej", &[("cookie", &cookie)])
        .await;
    assert!(!learners.body.contains("href=\"/team\""));
    assert_eq!(learners.body, personal.body);
    // A percent-encoded spelling of the path is served (rendered, not cached).
    let encoded = app.get("/courses/prov-kurs/forsta/h%65j").await;
    assert_eq!(encoded.status, StatusCode::OK);
    assert!(encoded.body.contains("lang=\"sv\""));
}
