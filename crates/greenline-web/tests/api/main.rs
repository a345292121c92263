//! API tests over real HTTP on loopback: each test starts the server on a fresh store, on
//! SQLite and (with `--ignored`, as `.ci/run` does) on PostgreSQL. A test is written once,
//! `#[backend_test] async fn name(backend: Backend)`, and runs as `name::sqlite` and
//! `name::postgres` (see `greenline-test-macros`).

#[macro_use]
extern crate greenline_test_macros;

mod accounts;
mod air;
mod answers;
mod approval;
mod attachments;
mod authorisation;
mod dashboard;
mod desk;
mod disclosure;
mod dispatch;
mod eia;
mod evidence;
mod feeds;
mod helpers;
mod intake;
mod lifecycle;
mod masking;
mod notices;
mod open311;
mod operations;
mod pages;
mod place;
mod published;
mod queue;
mod reporter;
mod review;
mod same_source;
mod search;
mod sessions;
mod stats;
mod topics;
mod tracking;
mod transfers;
