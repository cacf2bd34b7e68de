//! Two `kartskola serve` processes on one PostgreSQL database (docs/live.md, "Fan-out"): a
//! participant answers on one, and the trainer's event stream on the other hears of it through
//! `LISTEN`/`NOTIFY`. The streams also re-read the database every 5 s, which would deliver the
//! answer late even without a notification; so four answers are sent 1.7 s apart and each must
//! arrive within 1.5 s. Answers spread over 5 s cannot all fall within 1.5 s before a 5-second
//! poll, so only the notification can pass this test. The first answer may be posted before
//! B's lazily made `LISTEN` connection is up: B then re-reads as soon as it is (`listen` in
//! src/web/live.rs), well within the 1.5 s.
//!
//! PostgreSQL only: on SQLite one process serves live sessions (there is nothing to fan out),
//! and the test says so and returns. The CI runs the PostgreSQL pass too.

use std::net::SocketAddr;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use kartskola::db::Capability;
use serde_json::{Value, json};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, fixture};

/// A server process, killed when dropped.
struct Server {
    child: Child,
    addr: SocketAddr,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn serve(database_url: &str) -> Server {
    let addr: SocketAddr = format!("127.0.0.1:{}", free_port())
        .parse()
        .expect("address");
    let child = Command::new(env!("CARGO_BIN_EXE_kartskola"))
        .args([
            "serve",
            "--bind",
            &addr.to_string(),
            "--database-url",
            database_url,
        ])
        .arg("--content-dir")
        .arg(fixture("valid"))
        .env("RUST_LOG", "warn")
        .env("KARTSKOLA_DRAIN", "1s")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("the kartskola binary starts");
    let server = Server { child, addr };
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        if let Ok((200, _)) = request(addr, "GET", "/healthz", &[], None).await {
            return server;
        }
        assert!(
            Instant::now() < deadline,
            "{addr} did not start within 60 s"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// One HTTP/1.1 request (`Connection: close`); the status and the body.
async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<&str>,
) -> std::io::Result<(u16, String)> {
    let mut stream = TcpStream::connect(addr).await?;
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    for (k, v) in headers {
        head.push_str(&format!("{k}: {v}\r\n"));
    }
    if let Some(body) = body {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    head.push_str(body.unwrap_or_default());
    stream.write_all(head.as_bytes()).await?;
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let status = text
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_owned())
        .unwrap_or_default();
    Ok((status, body))
}

/// The JSON object in a response body (a `Content-Length` body is the object itself).
fn json_of(body: &str) -> Value {
    let start = body.find('{').unwrap_or(0);
    let end = body.rfind('}').map_or(body.len(), |e| e + 1);
    serde_json::from_str(&body[start..end]).unwrap_or_else(|e| panic!("not JSON ({e}): {body}"))
}

/// An open event stream: the raw text read so far.
struct Stream {
    socket: TcpStream,
    text: String,
}

impl Stream {
    async fn open(addr: SocketAddr, path: &str, cookie: &str) -> Self {
        let mut socket = TcpStream::connect(addr).await.expect("connect");
        let head = format!(
            "GET {path} HTTP/1.1\r\nHost: {addr}\r\nAccept: text/event-stream\r\nCookie: {cookie}\r\n\r\n"
        );
        socket.write_all(head.as_bytes()).await.expect("write");
        Self {
            socket,
            text: String::new(),
        }
    }

    /// Reads until `needle` has appeared `times` times in the stream, or `wait` has passed.
    async fn until(&mut self, needle: &str, times: usize, wait: Duration) -> bool {
        let deadline = tokio::time::Instant::now() + wait;
        let mut buf = [0_u8; 4096];
        while self.text.matches(needle).count() < times {
            match tokio::time::timeout_at(deadline, self.socket.read(&mut buf)).await {
                Ok(Ok(n)) if n > 0 => self.text.push_str(&String::from_utf8_lossy(&buf[..n])),
                _ => return false,
            }
        }
        true
    }
}

#[tokio::test]
async fn an_answer_on_one_process_reaches_the_trainers_stream_on_the_other() {
    if std::env::var("KARTSKOLA_TEST_DATABASE_URL").map_or(true, |v| v.trim().is_empty()) {
        eprintln!(
            "cluster test skipped: it needs PostgreSQL (KARTSKOLA_TEST_DATABASE_URL); on SQLite \
             one process serves live sessions, so there is no fan-out between processes to test"
        );
        return;
    }
    let app = TestApp::spawn().await;
    app.add_person("t@example.se", "norrbotten", &[Capability::Trainer])
        .await;
    // Sessions live in the database: a login through the in-process router is valid on both
    // server processes.
    let trainer = app.login_existing("t@example.se").await;
    let mut learners = Vec::new();
    for n in 0..4 {
        learners.push(app.login_as(&format!("elev{n}@example.se")).await);
    }
    let url = app.database_url();
    let (a, b) = tokio::join!(serve(&url), serve(&url));

    let (status, body) = request(
        a.addr,
        "POST",
        "/api/live",
        &[("Cookie", &trainer)],
        Some(&json!({"exercise_id": "prov-place-lulea"}).to_string()),
    )
    .await
    .expect("start");
    assert_eq!(status, 201, "{body}");
    let code = json_of(&body)["code"]
        .as_str()
        .expect("a join code")
        .to_owned();

    // The trainer follows the session on B; its first event is the session's state.
    let mut stream = Stream::open(b.addr, &format!("/api/live/{code}/events"), &trainer).await;
    assert!(
        stream
            .until("event: state", 1, Duration::from_secs(10))
            .await,
        "the stream on B opens: {}",
        stream.text
    );

    let mut latencies = Vec::new();
    for (n, learner) in learners.iter().enumerate() {
        if n > 0 {
            tokio::time::sleep(Duration::from_millis(1700)).await;
        }
        let sent = Instant::now();
        let (status, body) = request(
            a.addr,
            "POST",
            &format!("/api/live/{code}/answers"),
            &[("Cookie", learner)],
            Some(r#"{"geometry": {"type": "Point", "coordinates": [22.16, 65.58]}}"#),
        )
        .await
        .expect("answer");
        assert_eq!(status, 201, "answer on A: {body}");
        let arrived = stream
            .until("event: answer", n + 1, Duration::from_secs(15))
            .await;
        assert!(arrived, "answer {n} reached B: {}", stream.text);
        latencies.push(sent.elapsed());
    }
    eprintln!("answer on A → event on B: {latencies:?}");
    assert!(
        latencies.iter().all(|l| *l < Duration::from_millis(1500)),
        "every answer arrives by NOTIFY, not by the 5 s poll: {latencies:?}"
    );
    // The events carry the answers: all four counted.
    assert!(stream.text.contains("\"count\":4"), "{}", stream.text);
}
