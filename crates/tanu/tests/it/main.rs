//! Integration tests: the real app over HTTP, every story on SQLite and PostgreSQL.
#![allow(clippy::unwrap_used, clippy::expect_used)]

#[macro_use]
mod common;

mod abuse;
mod accounts;
mod applications;
mod audit;
mod authz;
mod authz_pages;
mod backup;
mod browser;
mod cli;
mod commissions;
mod dates;
mod errors;
mod hardening;
mod identity;
mod meetings;
mod messages;
mod notifications;
mod organisations;
mod privacy;
mod protocols;
mod redaction;
mod reports;
mod retention;
mod rule_sets;
mod schema;
mod web;
