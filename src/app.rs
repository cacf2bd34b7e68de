//! Start-up: load and check the content, connect and migrate the database, bind the listener;
//! then serve until a shutdown signal, letting requests in flight finish within the drain time.

use std::net::SocketAddr;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::content::{self, ContentErrors};
use crate::db::{Db, DbError};
use crate::web::{self, AppParts, AppState, DemoFlag};

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("the content has errors:\n{0}")]
    Content(ContentErrors),
    #[error(transparent)]
    Db(#[from] DbError),
    #[error("cannot listen on {addr}: {source}")]
    Bind {
        addr: SocketAddr,
        source: std::io::Error,
    },
}

/// A server that is bound and ready to run; `local_addr` tells the port (tests bind port 0).
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    state: AppState,
}

impl Application {
    pub async fn build(config: Config) -> Result<Self, StartError> {
        let catalog = content::load(&config.content_root).map_err(StartError::Content)?;
        let db = Db::connect(&config.database).await?;
        db.migrate().await?;
        let listener = TcpListener::bind(config.bind)
            .await
            .map_err(|source| StartError::Bind {
                addr: config.bind,
                source,
            })?;
        crate::auth::password::warm_up().await;
        let demo = DemoFlag::default();
        demo.refresh(&db).await;
        let state = AppState::new(AppParts::new(db, catalog, config, demo));
        Ok(Self { listener, state })
    }

    pub fn local_addr(&self) -> std::io::Result<SocketAddr> {
        self.listener.local_addr()
    }

    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or Ctrl-C, then drains for at most the configured time.
    pub async fn run(self) -> std::io::Result<()> {
        let drain = self.state.config.drain;
        let db = self.state.db.clone();
        let housekeeping = tokio::spawn(housekeeping(self.state.clone()));
        let router = web::router(self.state).into_make_service_with_connect_info::<SocketAddr>();
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let server = axum::serve(self.listener, router).with_graceful_shutdown(async move {
            shutdown_signal().await;
            tracing::info!(
                drain_secs = drain.as_secs(),
                "shutting down; finishing requests in flight"
            );
            let _ = stop_tx.send(true);
        });
        let deadline = async move {
            let _ = stop_rx.wait_for(|stopped| *stopped).await;
            tokio::time::sleep(drain).await;
        };
        let result = tokio::select! {
            result = server.into_future() => result,
            () = deadline => {
                tracing::warn!("drain time over; closing the remaining connections");
                Ok(())
            }
        };
        housekeeping.abort();
        db.close().await;
        result
    }
}

/// How often the demo flag is refreshed; the purge runs every [`PURGE_EVERY`] of these.
const TICK: std::time::Duration = std::time::Duration::from_secs(60);
const PURGE_EVERY: u32 = 10;

/// The periodic work of a server (service spec, "Storage"): every minute the demo banner's
/// flag, every ten minutes the purge of expired sessions, throttle rows, idempotency keys and
/// links. Each process runs it; the deletes are idempotent, so several processes may overlap.
async fn housekeeping(state: AppState) {
    let mut ticks = tokio::time::interval(TICK);
    let mut count: u32 = 0;
    loop {
        ticks.tick().await;
        state.demo.refresh(&state.db).await;
        if count.is_multiple_of(PURGE_EVERY) {
            let policy = purge_policy(&state.config);
            match state.db.purge(crate::db::now_ms(), policy).await {
                Ok(purged) => tracing::debug!(?purged, "purged expired rows"),
                Err(e) => tracing::warn!(error = %e, "the purge failed; trying again later"),
            }
        }
        count = count.wrapping_add(1);
    }
}

/// The purge's limits from the settings.
pub fn purge_policy(config: &Config) -> crate::db::PurgePolicy {
    let ms = |d: std::time::Duration| i64::try_from(d.as_millis()).unwrap_or(i64::MAX);
    crate::db::PurgePolicy {
        session_idle_ms: ms(config.session_idle),
        session_max_ms: ms(config.session_max),
        throttle_window_ms: crate::auth::throttle::EMAIL_WINDOW_MS,
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        if tokio::signal::ctrl_c().await.is_err() {
            std::future::pending::<()>().await;
        }
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
}
