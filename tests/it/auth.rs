//! Logging in and staying safe (issue #5): session rotation, logout, idle and absolute limits,
//! CSRF and origin checks, the throttle (across a restart), security headers and cookies, the
//! timing of unknown e-mails, the purge, and that no secret reaches a log.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::ConnectInfo;
use axum::http::{Request, StatusCode};
use kartskola::db::{Capability, Scope, now_ms};

use crate::helpers::{PASSWORD, TestApp, TestResponse, cookie_pair, session_cookie};

async fn me(app: &TestApp, cookie: &str) -> StatusCode {
    app.get_with("/api/me", &[("cookie", cookie)]).await.status
}

#[tokio::test]
async fn a_login_makes_a_new_session_id_and_ends_the_browsers_old_ones() {
    let app = TestApp::spawn().await;
    app.add_person("a@example.se", "norrbotten", &[]).await;
    let (pre, csrf) = app.login_form().await;
    // The pre-login session is not a login.
    assert_eq!(
        me(&app, &pre.replace("kartskola_pre", "kartskola_session")).await,
        StatusCode::UNAUTHORIZED
    );
    let first = app
        .post_form(
            "/login",
            Some(&pre),
            &[
                ("csrf", &csrf),
                ("email", "a@example.se"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(first.status, StatusCode::SEE_OTHER, "{}", first.body);
    let first_cookie = session_cookie(&first).expect("session cookie");
    assert!(
        first
            .headers
            .get_all("set-cookie")
            .iter()
            .any(|c| c.to_str().is_ok_and(|c| c.starts_with("kartskola_pre=;")))
    );
    assert_eq!(me(&app, &first_cookie).await, StatusCode::OK);
    // The used pre-login token is gone: a second submission of the same form is refused.
    let replayed = app
        .post_form(
            "/login",
            Some(&pre),
            &[
                ("csrf", &csrf),
                ("email", "a@example.se"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(replayed.status, StatusCode::FORBIDDEN);
    // Logging in again from the same browser: a new id, and the old one is dead.
    let (pre2, csrf2) = app.login_form().await;
    let cookies = format!("{pre2}; {first_cookie}");
    let second = app
        .post_form(
            "/login",
            Some(&cookies),
            &[
                ("csrf", &csrf2),
                ("email", "a@example.se"),
                ("password", PASSWORD),
            ],
        )
        .await;
    let second_cookie = session_cookie(&second).expect("session cookie");
    assert_ne!(second_cookie, first_cookie);
    assert_eq!(me(&app, &first_cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(me(&app, &second_cookie).await, StatusCode::OK);
    let set = second.header("set-cookie").unwrap_or_default().to_owned();
    assert!(
        set.contains("HttpOnly") && set.contains("SameSite=Lax") && set.contains("Path=/"),
        "{set}"
    );
}

#[tokio::test]
async fn logout_is_a_post_with_the_token_and_a_replay_changes_nothing() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let csrf = app.csrf_for(&cookie).await;
    let get = app.get_with("/logout", &[("cookie", &cookie)]).await;
    assert_eq!(get.status, StatusCode::METHOD_NOT_ALLOWED);
    let no_token = app.post_form("/logout", Some(&cookie), &[]).await;
    assert_eq!(no_token.status, StatusCode::FORBIDDEN);
    assert_eq!(
        me(&app, &cookie).await,
        StatusCode::OK,
        "a refused logout leaves the session"
    );
    let logout = app
        .post_form("/logout", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    assert!(
        logout
            .header("set-cookie")
            .is_some_and(|c| c.starts_with("kartskola_session=;") && c.contains("Max-Age=0"))
    );
    assert_eq!(
        logout.header("clear-site-data"),
        Some("\"storage\""),
        "drafts kept in localStorage leave with the person"
    );
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
    let replay = app
        .post_form("/logout", Some(&cookie), &[("csrf", &csrf)])
        .await;
    assert_eq!(
        replay.status,
        StatusCode::FORBIDDEN,
        "the token died with the session"
    );
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
    assert_eq!(
        app.get_with("/account", &[("cookie", &cookie)])
            .await
            .header("location"),
        Some("/login?next=/account")
    );
}

#[tokio::test]
async fn sessions_end_after_the_idle_time_and_the_absolute_lifetime() {
    let app = TestApp::spawn_with(|c| {
        c.session_idle = Duration::from_secs(1);
        c.session_max = Duration::from_secs(3);
    })
    .await;
    let idle = app.login_as("idle@example.se").await;
    tokio::time::sleep(Duration::from_millis(1300)).await;
    assert_eq!(
        me(&app, &idle).await,
        StatusCode::UNAUTHORIZED,
        "idle for longer than 1 s"
    );

    let busy = app.login_as("busy@example.se").await;
    // `last_seen` is written at most once a minute, so keep the row fresh as a busy browser
    // would and let only the absolute lifetime end it.
    let started = Instant::now();
    while started.elapsed() < Duration::from_millis(2500) {
        app.execute_sql("update session set last_seen_ms = created_at_ms + 100000000 where person_id is not null").await;
        assert_eq!(me(&app, &busy).await, StatusCode::OK);
        tokio::time::sleep(Duration::from_millis(400)).await;
    }
    tokio::time::sleep(Duration::from_millis(800)).await;
    app.execute_sql(
        "update session set last_seen_ms = created_at_ms + 100000000 where person_id is not null",
    )
    .await;
    assert_eq!(
        me(&app, &busy).await,
        StatusCode::UNAUTHORIZED,
        "older than the 3 s lifetime"
    );
}

#[tokio::test]
async fn disabling_a_person_or_changing_their_password_ends_their_sessions() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let id = app
        .state
        .db
        .login_candidate("a@example.se")
        .await
        .ok()
        .flatten()
        .map(|c| c.0)
        .expect("id");
    assert!(
        app.state
            .db
            .set_disabled(&Scope::operator(), id, true)
            .await
            .expect("disable")
    );
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
    assert!(
        app.state
            .db
            .set_disabled(&Scope::operator(), id, false)
            .await
            .expect("enable")
    );
    assert_eq!(
        me(&app, &cookie).await,
        StatusCode::UNAUTHORIZED,
        "re-enabling does not revive a session"
    );

    let phone = app.login_existing("a@example.se").await;
    let laptop = app.login_existing("a@example.se").await;
    let csrf = app.csrf_for(&laptop).await;
    let new_password = "tre kråkor på ett staket";
    let changed = app
        .post_form(
            "/account/password",
            Some(&laptop),
            &[
                ("csrf", &csrf),
                ("current_password", PASSWORD),
                ("new_password", new_password),
                ("confirm_password", new_password),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER, "{}", changed.body);
    assert_eq!(
        me(&app, &phone).await,
        StatusCode::UNAUTHORIZED,
        "the other device is logged out"
    );
    assert_eq!(
        me(&app, &laptop).await,
        StatusCode::UNAUTHORIZED,
        "even this session's old id"
    );
    let renewed = session_cookie(&changed).expect("a new session for this browser");
    assert_eq!(me(&app, &renewed).await, StatusCode::OK);
    assert_eq!(
        app.log_in("a@example.se", new_password).await.status,
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        app.log_in("a@example.se", PASSWORD).await.status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn a_password_change_needs_the_current_password_and_a_strong_new_one() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("anna.lindqvist@example.se").await;
    let csrf = app.csrf_for(&cookie).await;
    let cases = [
        (
            "fel lösenord helt",
            "en lång mening om fjäll",
            "en lång mening om fjäll",
            "Det nuvarande lösenordet stämmer inte.",
        ),
        (
            PASSWORD,
            "kort",
            "kort",
            "Lösenordet måste ha minst 12 tecken.",
        ),
        (
            PASSWORD,
            "kartskola2026!",
            "kartskola2026!",
            "Lösenordet är för vanligt eller för lätt att gissa. Pröva en mening av några ord.",
        ),
        (
            PASSWORD,
            "lindqvist-1234",
            "lindqvist-1234",
            "Lösenordet är för vanligt eller för lätt att gissa. Pröva en mening av några ord.",
        ),
        (
            PASSWORD,
            "en lång mening om fjäll",
            "en annan mening om fjäll",
            "De två nya lösenorden är inte lika.",
        ),
    ];
    for (current, new, confirm, message) in cases {
        let response = app
            .post_form(
                "/account/password",
                Some(&cookie),
                &[
                    ("csrf", &csrf),
                    ("current_password", current),
                    ("new_password", new),
                    ("confirm_password", confirm),
                ],
            )
            .await;
        assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY, "{new}");
        assert_eq!(response.texts("#password-error"), [message], "{new}");
    }
    assert_eq!(me(&app, &cookie).await, StatusCode::OK, "nothing changed");
}

#[tokio::test]
async fn forms_need_the_sessions_token_and_requests_our_origin() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let other = app.login_as("b@example.se").await;
    let csrf = app.csrf_for(&cookie).await;
    let other_csrf = app.csrf_for(&other).await;
    let name = |token: &str| {
        vec![
            ("csrf", token.to_owned()),
            ("display_name", "Ny".to_owned()),
        ]
    };
    for (label, fields) in [
        ("no token", vec![("display_name", "Ny".to_owned())]),
        ("another session's", name(&other_csrf)),
        ("empty", name("")),
    ] {
        let fields: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let refused = app.post_form("/account/name", Some(&cookie), &fields).await;
        assert_eq!(refused.status, StatusCode::FORBIDDEN, "{label}");
        assert_eq!(
            refused.texts("main h1"),
            ["Något gick fel (403)"],
            "{label}"
        );
    }
    let json_body = app
        .request(
            Request::post("/account/name")
                .header("content-type", "application/json")
                .header("cookie", &cookie)
                .body(Body::from(format!(
                    r#"{{"csrf": "{csrf}", "display_name": "Ny"}}"#
                )))
                .expect("request"),
        )
        .await;
    assert_eq!(
        json_body.status,
        StatusCode::FORBIDDEN,
        "HTML routes take forms only"
    );
    let cross = app
        .request(
            Request::post("/account/name")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .header("origin", "https://evil.example")
                .header("host", "127.0.0.1:8080")
                .body(Body::from(format!("csrf={csrf}&display_name=Ny")))
                .expect("request"),
        )
        .await;
    assert_eq!(cross.status, StatusCode::FORBIDDEN);
    let same = app
        .request(
            Request::post("/account/name")
                .header("content-type", "application/x-www-form-urlencoded")
                .header("cookie", &cookie)
                .header("origin", "http://127.0.0.1:8080")
                .header("sec-fetch-site", "same-origin")
                .body(Body::from(format!("csrf={csrf}&display_name=Ny%20Namn")))
                .expect("request"),
        )
        .await;
    assert_eq!(same.status, StatusCode::SEE_OTHER, "{}", same.body);
    let page = app.get_with("/account", &[("cookie", &cookie)]).await;
    assert_eq!(page.texts("#account-name"), ["Ny Namn"]);
    let api_text = app
        .request(
            Request::post("/api/exercises/prov-place-lulea/attempts")
                .header("content-type", "text/plain")
                .header("cookie", &cookie)
                .body(Body::from("{}"))
                .expect("request"),
        )
        .await;
    assert_eq!(
        api_text.status,
        StatusCode::UNSUPPORTED_MEDIA_TYPE,
        "a cross-site form cannot post to the API"
    );
    let denials = app.state.db.audit_events(None, 100).await.expect("audit");
    assert!(
        denials
            .iter()
            .filter(|e| e.action == "csrf" && e.outcome == "denied")
            .count()
            >= 4
    );
    assert!(
        denials.iter().any(
            |e| e.action == "cross_origin" && e.target.as_deref() == Some("POST /account/name")
        )
    );
}

#[tokio::test]
async fn the_login_form_is_protected_against_login_csrf() {
    let app = TestApp::spawn().await;
    app.add_person("a@example.se", "norrbotten", &[]).await;
    // An attacker's own pre-login token, submitted from the victim's browser (which has
    // another pre-login cookie, or none), does not log the victim in as the attacker.
    let (_attacker_cookie, attacker_csrf) = app.login_form().await;
    let (victim_cookie, _) = app.login_form().await;
    let fields = [
        ("csrf", attacker_csrf.as_str()),
        ("email", "a@example.se"),
        ("password", PASSWORD),
    ];
    let forged = app.post_form("/login", Some(&victim_cookie), &fields).await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    assert!(session_cookie(&forged).is_none());
    let cookieless = app.post_form("/login", None, &fields).await;
    assert_eq!(cookieless.status, StatusCode::FORBIDDEN);
    let form = app.get("/login").await;
    assert_eq!(form.texts("form input[type=hidden][name=csrf]").len(), 1);
    assert!(
        form.html()
            .select(&scraper::Selector::parse("input[name=csrf]").expect("selector"))
            .next()
            .is_some()
    );
}

/// A login POST from a given client address, with extra headers.
async fn login_from(
    app: &TestApp,
    peer: &str,
    headers: &[(&str, &str)],
    email: &str,
    password: &str,
) -> TestResponse {
    let (pre, csrf) = app.login_form().await;
    let body = format!(
        "csrf={csrf}&email={}&password={}",
        crate::helpers::urlencode(email),
        crate::helpers::urlencode(password)
    );
    let mut builder = Request::post("/login")
        .header("content-type", "application/x-www-form-urlencoded")
        .header("cookie", &pre);
    for (k, v) in headers {
        builder = builder.header(*k, *v);
    }
    let mut request = builder.body(Body::from(body)).expect("request");
    if let Ok(peer) = peer.parse::<SocketAddr>() {
        request.extensions_mut().insert(ConnectInfo(peer));
    }
    app.request(request).await
}

#[tokio::test]
async fn five_failures_then_a_growing_delay_that_survives_a_restart_and_reveals_nothing() {
    let mut app = TestApp::spawn().await;
    app.add_person("a@example.se", "norrbotten", &[]).await;
    for email in ["a@example.se", "nobody@example.se"] {
        for n in 1..=5 {
            let failed = app.log_in(email, "wrong password here").await;
            assert_eq!(
                failed.status,
                StatusCode::UNPROCESSABLE_ENTITY,
                "{email} failure {n}"
            );
        }
        let blocked = app.log_in(email, "wrong password here").await;
        assert_eq!(blocked.status, StatusCode::TOO_MANY_REQUESTS, "{email}");
        let retry: i64 = blocked
            .header("retry-after")
            .and_then(|v| v.parse().ok())
            .expect("Retry-After");
        assert!((25..=30).contains(&retry), "{retry}");
        assert_eq!(blocked.texts(".form-error").len(), 1);
    }
    // The right password does not help while blocked, and the block outlives the process.
    app.restart().await;
    let right = app.log_in("a@example.se", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert!(session_cookie(&right).is_none());
    // When the block has passed, one more failure blocks for twice as long.
    app.execute_sql("update throttle set blocked_until_ms = 0 where throttle_key like 'email:%'")
        .await;
    assert_eq!(
        app.log_in("nobody@example.se", "wrong again here")
            .await
            .status,
        StatusCode::UNPROCESSABLE_ENTITY
    );
    let longer = app.log_in("nobody@example.se", "wrong again here").await;
    let retry: i64 = longer
        .header("retry-after")
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!((55..=60).contains(&retry), "{retry}");
    // Never a permanent lock: the right password works once the delay is over, and resets it.
    assert_eq!(
        app.log_in("a@example.se", PASSWORD).await.status,
        StatusCode::SEE_OTHER
    );
    for _ in 1..=4 {
        assert_eq!(
            app.log_in("a@example.se", "wrong password here")
                .await
                .status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
    }
    let audit = app.state.db.audit_events(None, 200).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.action == "login" && e.outcome == "throttled")
    );
    assert!(
        audit
            .iter()
            .any(|e| e.action == "login" && e.outcome == "failure" && e.actor_person_id.is_none())
    );
}

#[tokio::test]
async fn an_address_is_limited_by_a_high_ceiling_of_failures_only_and_forged_forwarding_is_ignored()
{
    let app = TestApp::spawn_with(|c| {
        c.login_addr_limit = 10;
        c.trusted_proxies = vec!["10.0.0.1".parse().expect("ip")];
    })
    .await;
    app.add_person("ok@example.se", "norrbotten", &[]).await;
    // Successful logins from a meeting room do not count.
    for _ in 0..12 {
        let ok = login_from(&app, "203.0.113.7:4000", &[], "ok@example.se", PASSWORD).await;
        assert_eq!(ok.status, StatusCode::SEE_OTHER);
    }
    // Ten failures (two per e-mail, below each e-mail's limit), each claiming another address.
    for n in 0..10 {
        let forged = format!("198.51.100.{n}");
        let failed = login_from(
            &app,
            "203.0.113.7:4000",
            &[("x-forwarded-for", &forged)],
            &format!("user{}@example.se", n / 2),
            "wrong password here",
        )
        .await;
        assert_eq!(
            failed.status,
            StatusCode::UNPROCESSABLE_ENTITY,
            "failure {n}"
        );
    }
    let blocked = login_from(
        &app,
        "203.0.113.7:4000",
        &[("x-forwarded-for", "192.0.2.99")],
        "ok@example.se",
        PASSWORD,
    )
    .await;
    assert_eq!(
        blocked.status,
        StatusCode::TOO_MANY_REQUESTS,
        "the forged header changed nothing"
    );
    assert!(blocked.header("retry-after").is_some());
    let elsewhere = login_from(&app, "203.0.113.8:4000", &[], "ok@example.se", PASSWORD).await;
    assert_eq!(
        elsewhere.status,
        StatusCode::SEE_OTHER,
        "another address is not blocked"
    );
    // Behind the trusted proxy, each client address counts on its own.
    for n in 0..10 {
        let client = format!("192.0.2.{n}");
        let failed = login_from(
            &app,
            "10.0.0.1:5000",
            &[("x-forwarded-for", &client)],
            &format!("p{n}@example.se"),
            "wrong password here",
        )
        .await;
        assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let proxied = login_from(
        &app,
        "10.0.0.1:5000",
        &[("x-forwarded-for", "192.0.2.50")],
        "ok@example.se",
        PASSWORD,
    )
    .await;
    assert_eq!(proxied.status, StatusCode::SEE_OTHER);
    let audit = app.state.db.audit_events(None, 500).await.expect("audit");
    assert!(
        audit
            .iter()
            .any(|e| e.client_addr.as_deref() == Some("192.0.2.50"))
    );
}

#[tokio::test]
async fn an_unknown_email_takes_as_long_and_reads_the_same_as_a_wrong_password() {
    let app = TestApp::spawn().await;
    kartskola::auth::password::warm_up().await;
    let mut known = Vec::new();
    let mut unknown = Vec::new();
    let mut bodies = Vec::new();
    for round in 0..6 {
        let known_email = format!("known{round}@example.se");
        app.add_person(&known_email, "norrbotten", &[]).await;
        let ghost = format!("ghost{round}@example.se");
        for (email, times) in [(&known_email, &mut known), (&ghost, &mut unknown)] {
            let (pre, csrf) = app.login_form().await;
            let started = Instant::now();
            let response = app
                .post_form(
                    "/login",
                    Some(&pre),
                    &[
                        ("csrf", &csrf),
                        ("email", email),
                        ("password", "wrong password here"),
                    ],
                )
                .await;
            times.push(started.elapsed().as_secs_f64());
            assert_eq!(response.status, StatusCode::UNPROCESSABLE_ENTITY);
            bodies.push(response.texts(".form-error"));
        }
    }
    assert!(bodies.windows(2).all(|w| w[0] == w[1]), "{bodies:?}");
    // The fastest of each is the least disturbed by other tests sharing the machine.
    let fastest = |times: &[f64]| times.iter().copied().fold(f64::INFINITY, f64::min);
    let (k, u) = (fastest(&known), fastest(&unknown));
    assert!(
        u > 0.5 * k && u < 2.0 * k,
        "known {known:?} unknown {unknown:?}"
    );
}

#[tokio::test]
async fn every_response_carries_the_security_headers_and_personal_ones_are_not_stored() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let check = |r: &TestResponse, what: &str| {
        let csp = r.header("content-security-policy").unwrap_or_default();
        assert!(
            csp.contains("script-src 'self'")
                && !csp.contains("unsafe-inline")
                && csp.contains("frame-ancestors 'none'"),
            "{what}: {csp}"
        );
        assert_eq!(
            r.header("x-content-type-options"),
            Some("nosniff"),
            "{what}"
        );
        assert_eq!(r.header("referrer-policy"), Some("same-origin"), "{what}");
        assert!(r.header("server").is_none(), "{what}");
        assert!(
            r.header("strict-transport-security").is_none(),
            "{what}: plain http"
        );
    };
    for uri in [
        "/",
        "/courses/prov-kurs/forsta/hej",
        "/nope",
        "/api/nope",
        "/login",
        "/healthz",
    ] {
        check(&app.get(uri).await, uri);
    }
    assert!(
        app.get("/courses/prov-kurs/forsta/hej")
            .await
            .header("cache-control")
            .is_none(),
        "public pages may be cached"
    );
    assert_eq!(
        app.get("/login").await.header("cache-control"),
        Some("no-store")
    );
    for uri in [
        "/account",
        "/api/me",
        "/account/export.json",
        "/courses/prov-kurs",
    ] {
        let r = app.get_with(uri, &[("cookie", &cookie)]).await;
        check(&r, uri);
        assert_eq!(r.header("cache-control"), Some("no-store"), "{uri}");
    }
    let refused = app.post_form("/account/name", Some(&cookie), &[]).await;
    check(&refused, "a 403");
}

#[tokio::test]
async fn over_https_cookies_are_host_prefixed_and_secure() {
    let app =
        TestApp::spawn_with(|c| c.public_url = "https://kartskola.example.se".to_owned()).await;
    app.add_person("a@example.se", "norrbotten", &[]).await;
    let form = app.get("/login").await;
    assert!(
        form.header("strict-transport-security")
            .is_some_and(|h| h.contains("max-age="))
    );
    let pre = cookie_pair(&form, "__Host-kartskola_pre").expect("__Host- pre-login cookie");
    let set = form.header("set-cookie").unwrap_or_default();
    assert!(
        set.contains("; Secure")
            && set.contains("HttpOnly")
            && set.contains("Path=/")
            && !set.contains("Domain"),
        "{set}"
    );
    let csrf = form.csrf().expect("csrf");
    let login = app
        .post_form(
            "/login",
            Some(&pre),
            &[
                ("csrf", &csrf),
                ("email", "a@example.se"),
                ("password", PASSWORD),
            ],
        )
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    let session = cookie_pair(&login, "__Host-kartskola_session").expect("__Host- session cookie");
    assert_eq!(me(&app, &session).await, StatusCode::OK);
    assert_eq!(
        me(&app, &session.replace("__Host-", "")).await,
        StatusCode::UNAUTHORIZED,
        "the unprefixed name is not read"
    );
}

#[tokio::test]
async fn the_purge_removes_what_has_expired_and_keeps_the_rest() {
    let app = TestApp::spawn().await;
    let cookie = app.login_as("a@example.se").await;
    let _ = app.log_in("nobody@example.se", "wrong password here").await;
    let answer = r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#;
    let created = app
        .post_json(
            "/api/exercises/prov-place-lulea/attempts",
            answer,
            &[("cookie", &cookie), ("idempotency-key", "k-1")],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let id = app
        .state
        .db
        .login_candidate("a@example.se")
        .await
        .ok()
        .flatten()
        .map(|c| c.0)
        .expect("id");
    kartskola::auth::links::issue(
        &app.state.db,
        "http://x",
        id,
        kartskola::db::LinkPurpose::Reset,
        None,
    )
    .await
    .expect("link");
    let policy = kartskola::app::purge_policy(&app.state.config);
    let now = app.state.db.purge(now_ms(), policy).await.expect("purge");
    assert_eq!(
        now,
        kartskola::db::Purged::default(),
        "nothing has expired yet"
    );
    assert_eq!(me(&app, &cookie).await, StatusCode::OK);
    let later = app
        .state
        .db
        .purge(now_ms() + 8 * 24 * 3_600_000, policy)
        .await
        .expect("purge");
    assert!(later.sessions >= 2, "{later:?}");
    assert!(later.throttles >= 2, "{later:?}");
    assert_eq!(later.idempotency_keys, 1, "{later:?}");
    assert_eq!(later.invitations, 1, "{later:?}");
    assert_eq!(me(&app, &cookie).await, StatusCode::UNAUTHORIZED);
}

#[tokio::test]
async fn capability_extractors_answer_404_and_the_denial_is_audited() {
    let app = TestApp::spawn().await;
    let learner = app.login_as("a@example.se").await;
    let page = app.get_with("/admin/people", &[("cookie", &learner)]).await;
    assert_eq!(page.status, StatusCode::NOT_FOUND);
    assert_eq!(page.texts("main h1"), ["Något gick fel (404)"]);
    let audit = app.state.db.audit_events(None, 10).await.expect("audit");
    let denial = audit
        .iter()
        .find(|e| e.action == "access")
        .expect("a denial");
    assert_eq!(denial.outcome, "denied");
    assert_eq!(denial.target.as_deref(), Some("GET /admin/people"));
    assert!(denial.actor_person_id.is_some());
    let id = app
        .add_person("admin@example.se", "vasterbotten", &[Capability::Admin])
        .await;
    let admin = app.login_existing("admin@example.se").await;
    assert_eq!(
        app.get_with("/admin/people", &[("cookie", &admin)])
            .await
            .status,
        StatusCode::OK
    );
    assert!(id > 0);
}
