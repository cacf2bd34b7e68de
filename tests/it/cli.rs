//! The account commands of the `kartskola` binary against the test database: the first admin
//! from the shell, invitations, roles, tokens, and `seed-demo` with its rules.

use std::io::Write;
use std::process::{Command, Output, Stdio};

use axum::http::StatusCode;
use kartskola::db::{Capability, PeopleQuery, Scope};

use crate::helpers::{TestApp, fixture, session_cookie};

/// Runs `kartskola ARGS` on the app's database, with `stdin` as standard input.
fn kartskola(app: &TestApp, args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_kartskola"))
        .args(args)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("DATABASE_URL", app.database_url())
        .env("KARTSKOLA_CONTENT", fixture("valid"))
        .env("KARTSKOLA_PUBLIC_URL", "https://kartskola.example.se")
        .env("RUST_LOG", "warn")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    if let Some(mut input) = child.stdin.take() {
        input.write_all(stdin.as_bytes()).expect("stdin");
    }
    child.wait_with_output().expect("exit")
}

fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[tokio::test]
async fn the_first_admin_comes_from_the_shell_and_others_by_invitation() {
    let app = TestApp::spawn().await;
    let password = "norrsken över älven i mars";
    let add = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "Chef@Region.se",
            "--name",
            "Första Admin",
            "--region",
            "norrbotten",
            "--capability",
            "admin",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    assert!(add.status.success(), "{}", stderr(&add));
    assert!(stdout(&add).contains("created person"));
    let login = app.log_in("chef@region.se", password).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    let cookie = session_cookie(&login).expect("cookie");
    assert_eq!(
        app.get_with("/admin/people", &[("cookie", &cookie)])
            .await
            .status,
        StatusCode::OK
    );

    let weak = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "b@region.se",
            "--name",
            "B",
            "--region",
            "norrbotten",
            "--password-stdin",
        ],
        "kartskola12345\n",
    );
    assert_eq!(weak.status.code(), Some(1));
    assert!(stderr(&weak).contains("too common"), "{}", stderr(&weak));
    let taken = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "chef@region.se",
            "--name",
            "Again",
            "--region",
            "norrbotten",
            "--password-stdin",
        ],
        &format!("{password}\n"),
    );
    assert_eq!(taken.status.code(), Some(1));
    let bad_region = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "c@region.se",
            "--name",
            "C",
            "--region",
            "lappland",
        ],
        "",
    );
    assert!(stderr(&bad_region).contains("--region"));

    let invited = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "ny@kommun.se",
            "--name",
            "Ny",
            "--region",
            "vasterbotten",
        ],
        "",
    );
    assert!(invited.status.success(), "{}", stderr(&invited));
    let out = stdout(&invited);
    let link = out
        .lines()
        .find(|l| l.starts_with("https://kartskola.example.se/set-password?token="))
        .expect("a link");
    let local = &link["https://kartskola.example.se".len()..];
    assert_eq!(app.get(local).await.status, StatusCode::OK);

    let role = kartskola(
        &app,
        &[
            "user",
            "set-role",
            "--email",
            "ny@kommun.se",
            "--capability",
            "trainer",
            "--capability",
            "manager",
        ],
        "",
    );
    assert!(role.status.success(), "{}", stderr(&role));
    let moved = kartskola(
        &app,
        &[
            "user",
            "set-region",
            "--email",
            "ny@kommun.se",
            "--region",
            "norrbotten",
        ],
        "",
    );
    assert!(moved.status.success(), "{}", stderr(&moved));
    let person = app
        .state
        .db
        .person_by_email_in_scope(&Scope::operator(), "ny@kommun.se")
        .await
        .expect("query")
        .expect("found");
    assert_eq!(
        person.capabilities(),
        [Capability::Trainer, Capability::Manager]
    );
    assert_eq!(person.region_id, "norrbotten");
    let reset = kartskola(&app, &["user", "reset-link", "--email", "ny@kommun.se"], "");
    assert!(stdout(&reset).contains("/set-password?token="));
    assert_eq!(
        app.get(local).await.status,
        StatusCode::NOT_FOUND,
        "the new link voids the invitation"
    );
    let list = kartskola(&app, &["user", "list"], "");
    assert!(
        stdout(&list).contains("ny@kommun.se") && stdout(&list).contains("2 person(s)"),
        "{}",
        stdout(&list)
    );

    let disabled = kartskola(&app, &["user", "disable", "--email", "chef@region.se"], "");
    assert!(disabled.status.success());
    assert_eq!(
        app.get_with("/api/me", &[("cookie", &cookie)]).await.status,
        StatusCode::UNAUTHORIZED
    );
    let unconfirmed = kartskola(
        &app,
        &["user", "pseudonymise", "--email", "ny@kommun.se"],
        "",
    );
    assert_eq!(unconfirmed.status.code(), Some(1));
    let gone = kartskola(
        &app,
        &["user", "pseudonymise", "--email", "ny@kommun.se", "--yes"],
        "",
    );
    assert!(gone.status.success(), "{}", stderr(&gone));
    let audit = app.state.db.audit_events(None, 50).await.expect("audit");
    assert!(audit.iter().any(|e| e.action == "capability_change"
        && e.detail.as_deref() == Some("shell:  -> trainer,manager")));
    // Nothing secret was printed beyond the one link or password the operator asked for.
    assert!(!stdout(&add).contains(password) && !stdout(&add).contains("$argon2"));
}

#[tokio::test]
async fn tokens_are_made_listed_and_revoked_from_the_shell() {
    let app = TestApp::spawn().await;
    app.add_person("chef@region.se", "vasterbotten", &[Capability::Manager])
        .await;
    let made = kartskola(
        &app,
        &[
            "token",
            "add",
            "--email",
            "chef@region.se",
            "--name",
            "LRS Västerbotten",
            "--expires",
            "90d",
        ],
        "",
    );
    assert!(made.status.success(), "{}", stderr(&made));
    let token = stdout(&made)
        .lines()
        .find(|l| l.starts_with("kst_"))
        .expect("the token")
        .to_owned();
    let bearer = format!("Bearer {token}");
    let me = app.get_with("/api/me", &[("authorization", &bearer)]).await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.json()["region"], "vasterbotten");
    let list = kartskola(&app, &["token", "list"], "");
    assert!(stdout(&list).contains("LRS Västerbotten") && !stdout(&list).contains(&token));
    let id = app.state.db.api_tokens(None).await.expect("tokens")[0]
        .api_token_id
        .to_string();
    let revoked = kartskola(&app, &["token", "revoke", "--id", &id], "");
    assert!(revoked.status.success());
    assert_eq!(
        app.get_with("/api/me", &[("authorization", &bearer)])
            .await
            .status,
        StatusCode::UNAUTHORIZED
    );
    let none = kartskola(
        &app,
        &["token", "add", "--email", "nobody@region.se", "--name", "x"],
        "",
    );
    assert_eq!(none.status.code(), Some(1));
}

#[tokio::test]
async fn seed_demo_makes_the_spec_organisation_with_a_history_and_blocks_real_accounts_until_removed()
 {
    let mut app = TestApp::spawn().await;
    let seeded = kartskola(&app, &["seed-demo"], "");
    assert!(seeded.status.success(), "{}", stderr(&seeded));
    let people = app
        .state
        .db
        .people_in_scope(
            &Scope::operator(),
            &PeopleQuery {
                limit: 1000,
                ..PeopleQuery::default()
            },
        )
        .await
        .expect("people");
    assert_eq!(people.len(), 1 + 4 * (1 + 1 + 6));
    let emails: Vec<&str> = people.iter().map(|p| p.email.as_str()).collect();
    for region in kartskola::db::REGIONS {
        for local in ["chef", "utbildare", "deltagare1", "deltagare6"] {
            let email = format!("{local}.{region}@demo.kartskola.se");
            assert!(emails.contains(&email.as_str()), "{email}");
        }
        let in_region: Vec<_> = people.iter().filter(|p| p.region_id == region).collect();
        let learners: Vec<_> = in_region
            .iter()
            .filter(|p| p.capabilities().is_empty())
            .collect();
        assert_eq!(learners.len(), 6, "{region}");
        let mut organisations: Vec<_> = learners
            .iter()
            .filter_map(|p| p.organisation_name.clone())
            .collect();
        organisations.sort();
        organisations.dedup();
        assert_eq!(organisations.len(), 2, "{region}: two municipalities");
        let smallest = organisations
            .iter()
            .map(|o| {
                learners
                    .iter()
                    .filter(|p| p.organisation_name.as_deref() == Some(o))
                    .count()
            })
            .min();
        assert!(
            smallest.is_some_and(|n| n < 5),
            "{region}: one municipality has fewer than 5"
        );
    }
    let admin = people
        .iter()
        .find(|p| p.email == "admin@demo.kartskola.se")
        .expect("admin");
    assert_eq!(admin.capabilities(), [Capability::Admin]);
    assert_eq!(admin.region_id, "norrbotten");
    // Every demo account logs in with the public password.
    let login = app
        .log_in("chef.vasternorrland@demo.kartskola.se", "kartskola-demo")
        .await;
    assert_eq!(login.status, StatusCode::SEE_OTHER);
    // A history: attempts spread over months, better in Norrbotten than in Västernorrland.
    let admin_scope = Scope::new(admin.person_id, "norrbotten", &[Capability::Admin]);
    let statements = app
        .state
        .db
        .statements_in_scope(&admin_scope, 0, 0, 1000)
        .await
        .expect("attempts");
    assert!(statements.len() > 40, "{}", statements.len());
    let now = kartskola::db::now_ms();
    let day = 24 * 3_600_000;
    let first = statements
        .iter()
        .map(|s| s.created_at_ms)
        .min()
        .unwrap_or(now);
    let last = statements
        .iter()
        .map(|s| s.created_at_ms)
        .max()
        .unwrap_or(now);
    assert!(
        first > now - 125 * day && first < now - 80 * day,
        "starts three to four months ago"
    );
    assert!(
        last - first > 30 * day && last < now,
        "spread over months, all in the past"
    );
    let mean = |region: &str| {
        let ids: Vec<i64> = people
            .iter()
            .filter(|p| p.region_id == region)
            .map(|p| p.person_id)
            .collect();
        let scores: Vec<f64> = statements
            .iter()
            .filter(|s| ids.contains(&s.person_id))
            .map(|s| s.score)
            .collect();
        scores.iter().sum::<f64>() / f64::from(u32::try_from(scores.len().max(1)).unwrap_or(1))
    };
    assert!(
        mean("norrbotten") > mean("vasternorrland"),
        "{} vs {}",
        mean("norrbotten"),
        mean("vasternorrland")
    );
    // Each attempt is a real graded result the API can show (here to the region's manager).
    let chef = session_cookie(&login).expect("cookie");
    let own_region: Vec<i64> = people
        .iter()
        .filter(|p| p.region_id == "vasternorrland")
        .map(|p| p.person_id)
        .collect();
    let attempt = statements
        .iter()
        .find(|s| own_region.contains(&s.person_id))
        .expect("an attempt in the region");
    let seen = app
        .get_with(
            &format!("/api/attempts/{}", attempt.attempt_id),
            &[("cookie", &chef)],
        )
        .await;
    assert_eq!(seen.status, StatusCode::OK, "{}", seen.body);
    assert_eq!(seen.json()["score"].as_f64(), Some(attempt.score));
    app.restart().await;
    assert_eq!(app.get("/").await.texts(".demo-banner").len(), 1);
    let refused = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "real@kommun.se",
            "--name",
            "Real",
            "--region",
            "norrbotten",
        ],
        "",
    );
    assert_eq!(refused.status.code(), Some(1));
    assert!(
        stderr(&refused).contains("seed-demo --remove"),
        "{}",
        stderr(&refused)
    );
    let twice = kartskola(&app, &["seed-demo"], "");
    assert_eq!(twice.status.code(), Some(1));
    let removed = kartskola(&app, &["seed-demo", "--remove"], "");
    assert!(removed.status.success(), "{}", stderr(&removed));
    assert!(
        stdout(&removed).contains("33 demo account(s)"),
        "{}",
        stdout(&removed)
    );
    assert!(
        app.state
            .db
            .organisations(None)
            .await
            .expect("organisations")
            .is_empty()
    );
    app.restart().await;
    assert!(app.get("/").await.texts(".demo-banner").is_empty());
    let allowed = kartskola(
        &app,
        &[
            "user",
            "add",
            "--email",
            "real@kommun.se",
            "--name",
            "Real",
            "--region",
            "norrbotten",
        ],
        "",
    );
    assert!(allowed.status.success(), "{}", stderr(&allowed));
    let beside_real = kartskola(&app, &["seed-demo"], "");
    assert_eq!(beside_real.status.code(), Some(1));
    assert!(stderr(&beside_real).contains("outside @demo.kartskola.se"));
}
