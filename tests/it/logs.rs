//! No password, hash, session id, CSRF token, link or API token reaches a log line or the audit
//! log: every log event (at TRACE, sqlx's included) of a whole account life is captured and
//! searched for each secret the flow used.

use std::sync::{Arc, Mutex};

use axum::http::StatusCode;
use kartskola::auth::token::token_hash;
use kartskola::db::Capability;

use crate::helpers::{PASSWORD, TestApp, session_cookie};

/// Everything the log writes, in memory.
#[derive(Clone, Default)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl std::io::Write for Captured {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.lock().expect("log buffer").extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

impl<'a> tracing_subscriber::fmt::MakeWriter<'a> for Captured {
    type Writer = Self;

    fn make_writer(&'a self) -> Self::Writer {
        self.clone()
    }
}

fn value_of(cookie: &str) -> String {
    cookie
        .split_once('=')
        .map(|(_, v)| v.to_owned())
        .unwrap_or_default()
}

#[tokio::test]
async fn no_secret_reaches_the_logs_or_the_audit_log() {
    let captured = Captured::default();
    let subscriber = tracing_subscriber::fmt()
        .with_writer(captured.clone())
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .finish();
    // Global, not thread-local: with a thread-local default, tracing's per-callsite interest
    // cache (shared by every test thread) can mark callsites as disabled while other tests run,
    // and this test would then capture nothing. Other tests' lines land here too; none of them
    // may hold this test's secrets either.
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only global subscriber in the test binary");

    let app = TestApp::spawn().await;
    let mut secrets: Vec<String> = vec![PASSWORD.to_owned()];
    app.add_person("admin@example.se", "norrbotten", &[Capability::Admin])
        .await;
    let admin = app.login_existing("admin@example.se").await;
    let admin_csrf = app.csrf_for(&admin).await;
    secrets.extend([value_of(&admin), admin_csrf.clone()]);

    // An admin invites a person, who sets a password through the link and logs in.
    let created = app
        .post_form(
            "/admin/people",
            Some(&admin),
            &[
                ("csrf", &admin_csrf),
                ("email", "ny@kommun.se"),
                ("display_name", "Ny"),
                ("region_id", "norrbotten"),
            ],
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED);
    let selector = scraper::Selector::parse("input#secret").expect("selector");
    let link = created
        .html()
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
        .expect("link");
    let link_token = link.split("token=").nth(1).unwrap_or_default().to_owned();
    let chosen = "solsken över bottenviken";
    let form = app.get(&format!("/set-password?token={link_token}")).await;
    let pre = crate::helpers::cookie_pair(&form, "kartskola_pre").expect("pre");
    let pre_csrf = form.csrf().expect("csrf");
    let set = app
        .post_form(
            "/set-password",
            Some(&pre),
            &[
                ("csrf", &pre_csrf),
                ("token", &link_token),
                ("password", chosen),
                ("confirm_password", chosen),
            ],
        )
        .await;
    assert_eq!(set.status, StatusCode::SEE_OTHER);
    secrets.extend([
        link_token.clone(),
        chosen.to_owned(),
        value_of(&pre),
        pre_csrf,
    ]);
    let failed = app.log_in("ny@kommun.se", "inte rätt lösenord alls").await;
    assert_eq!(failed.status, StatusCode::UNPROCESSABLE_ENTITY);
    secrets.push("inte rätt lösenord alls".to_owned());
    let login = app.log_in("ny@kommun.se", chosen).await;
    let cookie = session_cookie(&login).expect("cookie");
    let csrf = app.csrf_for(&cookie).await;
    secrets.extend([value_of(&cookie), csrf.clone()]);

    // A password change, a refused form, a token and its use, a logout.
    let changed_to = "norrsken och granskog";
    let changed = app
        .post_form(
            "/account/password",
            Some(&cookie),
            &[
                ("csrf", &csrf),
                ("current_password", chosen),
                ("new_password", changed_to),
                ("confirm_password", changed_to),
            ],
        )
        .await;
    assert_eq!(changed.status, StatusCode::SEE_OTHER);
    let renewed = session_cookie(&changed).expect("cookie");
    secrets.extend([changed_to.to_owned(), value_of(&renewed)]);
    let refused = app
        .post_form(
            "/account/name",
            Some(&renewed),
            &[("csrf", "forged-token-value"), ("display_name", "x")],
        )
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    secrets.push("forged-token-value".to_owned());
    let id = app
        .state
        .db
        .login_candidate("ny@kommun.se")
        .await
        .ok()
        .flatten()
        .map(|c| c.0)
        .expect("id");
    let made = app
        .post_form(
            &format!("/admin/people/{id}/tokens"),
            Some(&admin),
            &[("csrf", &admin_csrf), ("name", "LRS")],
        )
        .await;
    let token = made
        .html()
        .select(&selector)
        .next()
        .and_then(|e| e.value().attr("value"))
        .map(str::to_owned)
        .expect("token");
    assert_eq!(
        app.get_with("/api/me", &[("authorization", &format!("Bearer {token}"))])
            .await
            .status,
        StatusCode::OK
    );
    secrets.push(token);
    let renewed_csrf = app.csrf_for(&renewed).await;
    let logout = app
        .post_form("/logout", Some(&renewed), &[("csrf", &renewed_csrf)])
        .await;
    assert_eq!(logout.status, StatusCode::SEE_OTHER);
    secrets.push(renewed_csrf);

    // What the database keeps of the secrets is secret too.
    let hashes: Vec<String> = secrets.iter().map(|s| token_hash(s)).collect();
    secrets.extend(hashes);
    secrets.push("$argon2id$".to_owned());

    let logs = String::from_utf8_lossy(&captured.0.lock().expect("log buffer")).into_owned();
    assert!(
        logs.contains("request") && logs.len() > 1000,
        "the logs were captured: {} bytes",
        logs.len()
    );
    let audit = format!(
        "{:?}",
        app.state.db.audit_events(None, 1000).await.expect("audit")
    );
    assert!(audit.contains("password_change") && audit.contains("token_create"));
    for secret in secrets.iter().filter(|s| s.len() >= 8) {
        assert!(
            !logs.contains(secret.as_str()),
            "a secret is in the logs: {secret}"
        );
        assert!(
            !audit.contains(secret.as_str()),
            "a secret is in the audit log: {secret}"
        );
    }
}
