//! The integration tests: one binary, driving the real router against a real database.
//!
//! The database is SQLite (a fresh file per test) unless `KARTSKOLA_TEST_DATABASE_URL` names a
//! PostgreSQL server, in which case every test gets a fresh database there. `.ci/run` runs the
//! suite both ways.

mod access;
mod accounts;
mod attempts;
mod auth;
mod backup;
mod browser;
mod cli;
mod cluster;
mod cohorts;
mod conformance;
mod content;
mod course;
mod db;
mod grading_properties;
mod helpers;
mod live;
mod logs;
mod nav;
mod pages;
mod progress;
mod team;
mod xapi;
