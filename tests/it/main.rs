//! The integration tests: one binary, driving the real router against a real database.
//!
//! The database is SQLite (a fresh file per test) unless `KARTSKOLA_TEST_DATABASE_URL` names a
//! PostgreSQL server, in which case every test gets a fresh database there. `.ci/run` runs the
//! suite both ways.

mod attempts;
mod content;
mod course;
mod db;
mod helpers;
mod pages;
