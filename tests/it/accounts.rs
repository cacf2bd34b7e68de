//! Accounts as admins and people use them (issue #5): creating a person with an invitation
//! link, single-use expiring links, capabilities and their audit, self-protection, read-only
//! API tokens, the GDPR download and pseudonymisation, and the demo banner.

use axum::http::StatusCode;
use kartskola::db::{Capability, LinkPurpose, NewPerson, Scope};
use serde_json::Value;

use crate::helpers::{PASSWORD, TestApp, TestResponse, session_cookie, test_hash};

/// An admin's session cookie and CSRF token.
async fn admin(app: &TestApp) -> (String, String) {
    app.add_person("admin@example.se", "norrbotten", &[Capability::Admin])
        .await;
    let cookie = app.login_existing("admin@example.se").await;
    let csrf = app.csrf_for(&cookie).await;
    (cookie, csrf)
}

/// The link or token an admin page shows once.
fn secret(page: &TestResponse) -> String {
    let selector = scraper::Selector::parse("input#secret").expect("selector");
    page.html()
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
        .expect("a secret on the page")
}

/// `/set-password?token=…` of a full link.
fn local(link: &str) -> &str {
    link.find("/set-password").map_or(link, |at| &link[at..])
}

async fn set_password(app: &TestApp, link: &str, password: &str, confirm: &str) -> TestResponse {
    let form = app.get(local(link)).await;
    assert_eq!(form.status, StatusCode::OK, "{}", form.body);
    assert_eq!(form.header("referrer-policy"), Some("no-referrer"));
    let pre = crate::helpers::cookie_pair(&form, "kartskola_pre").expect("pre-login cookie");
    let token = link.split("token=").nth(1).unwrap_or_default();
    let csrf = form.csrf().expect("csrf");
    app.post_form(
        "/set-password",
        Some(&pre),
        &[
            ("csrf", &csrf),
            ("token", token),
            ("password", password),
            ("confirm_password", confirm),
        ],
    )
    .await
}

#[tokio::test]
async fn an_admin_creates_a_person_who_sets_their_own_password_through_a_single_use_link() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = admin(&app).await;
    let created = app
        .post_form(
            "/admin/people",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "Ny.Person@Kommun.se"),
                ("display_name", "Ny Person"),
                ("region_id", "vasterbotten"),
                ("capability", "trainer"),
                ("capability", "manager"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let link = secret(&created);
    assert!(
        link.starts_with("http://127.0.0.1:8080/set-password?token="),
        "{link}"
    );
    assert_eq!(
        app.log_in("ny.person@kommun.se", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "no password yet"
    );
    let form = app.get(local(&link)).await;
    assert_eq!(
        form.texts("main p strong"),
        ["Ny Person <ny.person@kommun.se>"]
    );
    for (password, confirm, message) in [
        ("kort", "kort", "Lösenordet måste ha minst 12 tecken."),
        (
            "ny.person-2026",
            "ny.person-2026",
            "Lösenordet är för vanligt eller för lätt att gissa. Pröva en mening av några ord.",
        ),
        (
            "qwerty123456789",
            "qwerty123456789",
            "Lösenordet är för vanligt eller för lätt att gissa. Pröva en mening av några ord.",
        ),
        (
            &"å".repeat(129),
            &"å".repeat(129),
            "Lösenordet får ha högst 128 tecken.",
        ),
        (
            "en mening om fjäll",
            "en mening om hav",
            "De två nya lösenorden är inte lika.",
        ),
    ] {
        let refused = set_password(&app, &link, password, confirm).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.texts("#password-error"), [message]);
    }
    // The longest password allowed: 128 characters (not bytes).
    let long: String = "fjällbjörk i motvind, ".chars().cycle().take(128).collect();
    let done = set_password(&app, &link, &long, &long).await;
    assert_eq!(done.status, StatusCode::SEE_OTHER, "{}", done.body);
    assert_eq!(done.header("location"), Some("/login?done=password_set"));
    assert_eq!(
        app.get("/login?done=password_set").await.texts(".notice"),
        ["Lösenordet är sparat. Logga in med det."]
    );
    let login = app.log_in("ny.person@kommun.se", &long).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let me: Value = app
        .get_with(
            "/api/me",
            &[("cookie", &session_cookie(&login).expect("cookie"))],
        )
        .await
        .json();
    assert_eq!(me["region"], "vasterbotten");
    assert_eq!(
        me["capabilities"],
        serde_json::json!(["trainer", "manager"])
    );
    // Single use.
    let again = app.get(local(&link)).await;
    assert_eq!(again.status, StatusCode::NOT_FOUND);
    assert_eq!(again.texts(".form-error").len(), 1);
    let audit = app.state.db.audit_events(None, 100).await.expect("audit");
    for action in ["person_create", "link_issue", "password_set"] {
        assert!(audit.iter().any(|e| e.action == action), "{action}");
    }
}

#[tokio::test]
async fn links_expire_and_a_new_one_voids_the_old() {
    let app = TestApp::spawn().await;
    let id = app.add_person("a@example.se", "norrbotten", &[]).await;
    let db = &app.state.db;
    let first = kartskola::auth::links::issue(db, "http://x", id, LinkPurpose::Reset, None)
        .await
        .expect("link");
    let second = kartskola::auth::links::issue(db, "http://x", id, LinkPurpose::Reset, None)
        .await
        .expect("link");
    assert_eq!(
        app.get(local(&first)).await.status,
        StatusCode::NOT_FOUND,
        "voided by the new one"
    );
    assert_eq!(app.get(local(&second)).await.status, StatusCode::OK);
    app.execute_sql("update invitation set expires_at_ms = 1")
        .await;
    assert_eq!(
        app.get(local(&second)).await.status,
        StatusCode::NOT_FOUND,
        "expired"
    );
    let third = kartskola::auth::links::issue(db, "http://x", id, LinkPurpose::Reset, None)
        .await
        .expect("link");
    assert!(
        db.set_disabled(&Scope::operator(), id, true)
            .await
            .expect("disable")
    );
    assert_eq!(
        app.get(local(&third)).await.status,
        StatusCode::NOT_FOUND,
        "a disabled person's link does nothing"
    );
}

#[tokio::test]
async fn capability_changes_are_audited_and_an_admin_cannot_lock_themselves_out() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = admin(&app).await;
    let admin_id = app
        .state
        .db
        .login_candidate("admin@example.se")
        .await
        .ok()
        .flatten()
        .map(|c| c.0)
        .expect("id");
    let learner = app.add_person("a@example.se", "norrbotten", &[]).await;
    let learner_cookie = app.login_existing("a@example.se").await;
    let set = app
        .post_form(
            &format!("/admin/people/{learner}/capabilities"),
            Some(&cookie),
            &[("csrf", &csrf), ("capability", "manager")],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    // The change shows on the person's next request (no new login needed).
    assert_eq!(
        app.get_with("/team", &[("cookie", &learner_cookie)])
            .await
            .status,
        StatusCode::OK
    );
    let page = app
        .get_with(
            &format!("/admin/people/{learner}?done=saved"),
            &[("cookie", &cookie)],
        )
        .await;
    assert_eq!(page.texts("#person-capabilities"), ["Chef"]);
    assert_eq!(page.texts(".notice"), ["Ändringen är sparad."]);
    let audit = app
        .state
        .db
        .audit_events(Some(learner), 20)
        .await
        .expect("audit");
    let change = audit
        .iter()
        .find(|e| e.action == "capability_change")
        .expect("audited");
    assert_eq!(change.detail.as_deref(), Some(" -> manager"));
    assert_eq!(change.actor_person_id, Some(admin_id));
    for (path, fields) in [
        (
            format!("/admin/people/{admin_id}/capabilities"),
            vec![("capability", "manager")],
        ),
        (format!("/admin/people/{admin_id}/disable"), vec![]),
        (
            format!("/admin/people/{admin_id}/pseudonymise"),
            vec![("confirm", "yes")],
        ),
    ] {
        let mut all = vec![("csrf", csrf.as_str())];
        all.extend(fields);
        let refused = app.post_form(&path, Some(&cookie), &all).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{path}");
        assert_eq!(refused.texts(".form-error").len(), 1, "{path}");
    }
    let me: Value = app.get_with("/api/me", &[("cookie", &cookie)]).await.json();
    assert_eq!(me["capabilities"], serde_json::json!(["admin"]));
    let bad_org = app
        .post_form(
            "/admin/organisations",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("name", "Luleå kommun"),
                ("kind", "municipality"),
                ("region_id", "norrbotten"),
                ("municipality_code", "2480"),
            ],
        )
        .await;
    assert_eq!(
        bad_org.status,
        StatusCode::UNPROCESSABLE_ENTITY,
        "Umeå's code is not Norrbotten's"
    );
    let placement = app
        .post_form(
            &format!("/admin/people/{learner}/placement"),
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("region_id", "norrbotten"),
                ("organisation_id", "424242"),
            ],
        )
        .await;
    assert_eq!(placement.status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn api_tokens_read_with_their_owners_scope_and_nothing_else() {
    let app = TestApp::spawn().await;
    let (cookie, csrf) = admin(&app).await;
    let manager = app
        .add_person("chef@example.se", "vasterbotten", &[Capability::Manager])
        .await;
    let made = app
        .post_form(
            &format!("/admin/people/{manager}/tokens"),
            Some(&cookie),
            &[("csrf", &csrf), ("name", "Rapportverktyg")],
        )
        .await;
    assert_eq!(made.status, StatusCode::CREATED);
    let token = secret(&made);
    assert!(token.starts_with("kst_"));
    let bearer = format!("Bearer {token}");
    let me = app.get_with("/api/me", &[("authorization", &bearer)]).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["region"], "vasterbotten");
    assert_eq!(me.json()["via_token"], true);
    assert_eq!(
        app.get_with("/api/team/progress", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::OK
    );
    // Read-only: a token is not a session for anything else, and never writes.
    assert_eq!(
        app.get_with("/account", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::SEE_OTHER
    );
    let write = app
        .post_json(
            "/api/exercises/prov-place-lulea/attempts",
            "{}",
            &[("authorization", &bearer)],
        )
        .await;
    assert_eq!(write.status, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_with("/api/me", &[("authorization", "Bearer kst_nonsense")])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    // The stored form is a hash.
    let tokens = app
        .state
        .db
        .api_tokens(Some(manager))
        .await
        .expect("tokens");
    assert_eq!(tokens.len(), 1);
    assert!(!format!("{tokens:?}").contains(&token[4..]));
    // A disabled owner's token stops; so does a revoked one.
    assert!(
        app.state
            .db
            .set_disabled(&Scope::operator(), manager, true)
            .await
            .expect("disable")
    );
    assert_eq!(
        app.get_with("/api/me", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    assert!(
        app.state
            .db
            .set_disabled(&Scope::operator(), manager, false)
            .await
            .expect("enable")
    );
    assert_eq!(
        app.get_with("/api/me", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::OK
    );
    let revoke = app
        .post_form(
            &format!("/admin/tokens/{}/revoke", tokens[0].api_token_id),
            Some(&cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(revoke.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_with("/api/me", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let listed = app.get_with("/admin/tokens", &[("cookie", &cookie)]).await;
    assert_eq!(
        listed.texts("table.tokens tbody td:nth-child(5)"),
        ["Återkallad"]
    );
}

#[tokio::test]
async fn a_person_downloads_all_their_data_as_json_and_their_answers_as_geojson() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let answer = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
    for _ in 0..2 {
        let created = app
            .post_json(
                "/api/exercises/prov-place-lulea/attempts",
                answer,
                &[("cookie", &cookie)],
            )
            .await;
        assert_eq!(created.status, StatusCode::CREATED);
    }
    let other = app.login_as("b@example.se").await;
    app.post_json(
        "/api/exercises/prov-place-lulea/attempts",
        answer,
        &[("cookie", &other)],
    )
    .await;
    let export = app
        .get_with("/account/export.json", &[("cookie", &cookie)])
        .await;
    assert_eq!(export.status, StatusCode::OK);
    assert!(
        export
            .header("content-disposition")
            .is_some_and(|d| d.starts_with("attachment"))
    );
    assert_eq!(export.header("cache-control"), Some("no-store"));
    let data = export.json();
    assert_eq!(data["person"]["email"], "a@example.se");
    assert_eq!(data["attempts"].as_array().map(Vec::len), Some(2));
    assert_eq!(data["attempts"][0]["answer"]["geometry"]["type"], "Point");
    assert!(data["attempts"][0]["result"]["score"].is_number());
    assert_eq!(
        data["sessions"].as_array().map(Vec::len),
        Some(1),
        "a's own session only"
    );
    assert!(
        data["audit_events"]
            .as_array()
            .is_some_and(|e| e.iter().any(|e| e["action"] == "login"))
    );
    let cookie_value = cookie.split('=').nth(1).unwrap_or_default();
    assert!(
        !export.body.contains(cookie_value),
        "no session id in the export"
    );
    assert!(!export.body.contains("$argon2id$"));
    let geo = app
        .get_with("/account/answers.geojson", &[("cookie", &cookie)])
        .await;
    assert_eq!(geo.header("content-type"), Some("application/geo+json"));
    let geo = geo.json();
    assert_eq!(geo["type"], "FeatureCollection");
    assert_eq!(geo["features"].as_array().map(Vec::len), Some(2));
    assert_eq!(
        geo["features"][0]["geometry"]["coordinates"],
        serde_json::json!([22.16, 65.58])
    );
    assert_eq!(
        geo["features"][0]["properties"]["exercise_id"],
        "prov-place-lulea"
    );
    let audit = app.state.db.audit_events(None, 50).await.expect("audit");
    assert_eq!(audit.iter().filter(|e| e.action == "export").count(), 2);
}

#[tokio::test]
async fn pseudonymisation_removes_who_someone_was_and_keeps_their_attempts() {
    let app = TestApp::spawn().await;
    let (admin_cookie, csrf) = admin(&app).await;
    let new = NewPerson {
        email: "karin.stromberg@kommun.se",
        display_name: "Karin Strömberg",
        region_id: "norrbotten",
        organisation_id: None,
        password_hash: Some(&test_hash()),
        capabilities: &[Capability::Trainer],
    };
    let id = app
        .state
        .db
        .insert_person(&new)
        .await
        .expect("insert")
        .expect("new");
    let cookie = app.login_existing("karin.stromberg@kommun.se").await;
    let answer = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
    let attempt = app
        .post_json(
            "/api/exercises/prov-place-lulea/attempts",
            answer,
            &[("cookie", &cookie)],
        )
        .await
        .json()["attempt_id"]
        .as_i64()
        .expect("id");
    let unconfirmed = app
        .post_form(
            &format!("/admin/people/{id}/pseudonymise"),
            Some(&admin_cookie),
            &[("csrf", &csrf)],
        )
        .await;
    assert_eq!(unconfirmed.status, StatusCode::UNPROCESSABLE_ENTITY);
    let done = app
        .post_form(
            &format!("/admin/people/{id}/pseudonymise"),
            Some(&admin_cookie),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(done.status, StatusCode::SEE_OTHER);
    assert_eq!(
        app.get_with("/api/me", &[("cookie", &cookie)]).await.status,
        StatusCode::UNAUTHORIZED
    );
    assert_eq!(
        app.log_in("karin.stromberg@kommun.se", PASSWORD)
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    for page in [
        "/admin/people",
        &format!("/admin/people/{id}"),
        "/admin/audit",
        "/api/team/progress",
        "/team/progress.csv",
        "/api/xapi/statements",
    ] {
        let body = app.get_with(page, &[("cookie", &admin_cookie)]).await.body;
        assert!(
            !body.contains("Karin") && !body.contains("karin") && !body.contains("Strömberg"),
            "{page}"
        );
    }
    let list = app
        .get_with("/admin/people?q=p-", &[("cookie", &admin_cookie)])
        .await;
    assert_eq!(
        list.texts("table.people tbody tr td:nth-child(6)"),
        ["Pseudonymiserad"]
    );
    let seen: Value = app
        .get_with(
            &format!("/api/attempts/{attempt}"),
            &[("cookie", &admin_cookie)],
        )
        .await
        .json();
    assert_eq!(seen["attempt_id"], attempt, "the attempt is kept");
    let row = app
        .state
        .db
        .person_in_scope(&Scope::operator(), id)
        .await
        .expect("query")
        .expect("kept");
    assert!(row.display_name.starts_with("p-") && row.email.ends_with("@pseudonymised.invalid"));
    assert!(row.capabilities().is_empty());
    assert_eq!(app.state.db.session_count(id).await.expect("count"), 0);
    let again = app
        .post_form(
            &format!("/admin/people/{id}/pseudonymise"),
            Some(&admin_cookie),
            &[("csrf", &csrf), ("confirm", "yes")],
        )
        .await;
    assert_eq!(again.status, StatusCode::NOT_FOUND, "once is for good");
}

#[tokio::test]
async fn demo_accounts_bring_a_banner_and_only_demo_accounts_may_join_them() {
    let mut app = TestApp::spawn().await;
    assert!(app.get("/").await.texts(".demo-banner").is_empty());
    let (cookie, csrf) = admin(&app).await;
    app.add_person("deltagare1.norrbotten@demo.kartskola.se", "norrbotten", &[])
        .await;
    app.state.demo.refresh(&app.state.db).await;
    assert_eq!(
        app.get("/courses/prov-kurs")
            .await
            .texts(".demo-banner")
            .len(),
        1
    );
    let refused = app
        .post_form(
            "/admin/people",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "real@kommun.se"),
                ("display_name", "Riktig"),
                ("region_id", "norrbotten"),
            ],
        )
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.texts(".form-error")[0].contains("seed-demo --remove"));
    let demo = app
        .post_form(
            "/admin/people",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("email", "extra@demo.kartskola.se"),
                ("display_name", "Extra"),
                ("region_id", "norrbotten"),
            ],
        )
        .await;
    assert_eq!(demo.status, StatusCode::CREATED);
    app.restart().await;
    assert_eq!(
        app.get("/").await.texts(".demo-banner").len(),
        1,
        "found again at start-up"
    );
    // The header shows the account link only to a browser with a session.
    assert_eq!(app.get("/").await.texts("header a.nav-login"), ["Logga in"]);
    assert_eq!(
        app.get_with("/", &[("cookie", &cookie)])
            .await
            .texts("header a.nav-account"),
        ["Mitt konto"]
    );
}
