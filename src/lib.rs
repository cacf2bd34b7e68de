//! Kartskola: a course server for GIS competence building whose map exercises are graded on the
//! server against spatial answer keys.
//!
//! Code tour (dependencies point one way, downwards in this list):
//! - [`grading`]: pure spatial grading (no I/O, no async); depends on nothing of ours.
//! - [`i18n`]: the user-interface strings, one file per language.
//! - [`content`]: loads and checks courses, exercises and layers from files into an immutable
//!   [`content::Catalog`]; uses `grading` to validate answer keys.
//! - [`progress`]: pure progress rules (completion, mastery, team aggregates, CSV, xAPI) over
//!   stored attempts and the catalogue.
//! - [`live`]: pure rules of live class sessions (join codes, controls, histogram).
//! - [`db`]: every SQL statement, for SQLite and PostgreSQL through one query text.
//! - [`web`]: the HTTP layer (axum router, pages, JSON API, assets); nothing depends on it.
//! - [`config`], [`app`], [`cli`]: settings, start-up and the command line.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod content;
pub mod db;
pub mod grading;
pub mod i18n;
pub mod live;
pub mod progress;
pub mod telemetry;
pub mod web;
