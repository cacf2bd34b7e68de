//! Start-up: load and check the content, connect and migrate the database, bind the listener;
//! then serve until a shutdown signal, letting requests in flight finish within the drain time.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::net::TcpListener;

use crate::config::Config;
use crate::content::{self, ContentErrors};
use crate::db::{Db, DbError};
use crate::web::{self, AppState};

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
        let state = AppState {
            db,
            catalog: Arc::new(catalog),
            config: Arc::new(config),
        };
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
        db.close().await;
        result
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
