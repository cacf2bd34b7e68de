//! The one application state every handler shares: cheap to clone, no globals.

use std::sync::Arc;

use axum::extract::FromRef;
use axum::http::HeaderValue;

use super::nav::{DemoFlag, HeaderCache};
use super::pages::PageCache;
use crate::config::Config;
use crate::content::Catalog;
use crate::db::Db;

/// The state, behind one `Arc`: axum clones the state for every middleware layer and extractor
/// of every request, and cloning (then dropping) seven reference counts each time, contended
/// between cores, was about a tenth of a lesson request's CPU time (perf, docs/performance.md).
#[derive(Debug, Clone)]
pub struct AppState(Arc<AppParts>);

impl AppState {
    pub fn new(parts: AppParts) -> Self {
        Self(Arc::new(parts))
    }
}

impl std::ops::Deref for AppState {
    type Target = AppParts;

    fn deref(&self) -> &AppParts {
        &self.0
    }
}

/// What the state holds.
#[derive(Debug)]
pub struct AppParts {
    pub db: Db,
    pub catalog: Arc<Catalog>,
    pub config: Arc<Config>,
    /// Whether demo accounts exist (the banner); refreshed by `app`'s periodic task.
    pub demo: DemoFlag,
    /// Rendered lesson pages (public, the same for everyone with the same language and flags).
    pub pages: PageCache,
    /// The header's links of recently seen sessions (`nav`).
    pub header: HeaderCache,
    /// The Content-Security-Policy header (`security`), built from the configuration.
    pub csp: HeaderValue,
}

impl AppParts {
    /// The state of one application, with empty caches.
    pub fn new(
        db: Db,
        catalog: impl Into<Arc<Catalog>>,
        config: impl Into<Arc<Config>>,
        demo: DemoFlag,
    ) -> Self {
        let config = config.into();
        Self {
            csp: super::security::csp_header(&config),
            db,
            catalog: catalog.into(),
            config,
            demo,
            pages: PageCache::default(),
            header: HeaderCache::default(),
        }
    }
}

impl FromRef<AppState> for PageCache {
    fn from_ref(state: &AppState) -> Self {
        state.pages.clone()
    }
}

impl FromRef<AppState> for Db {
    fn from_ref(state: &AppState) -> Self {
        state.db.clone()
    }
}

impl FromRef<AppState> for Arc<Catalog> {
    fn from_ref(state: &AppState) -> Self {
        state.catalog.clone()
    }
}
