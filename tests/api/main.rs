//! Integration tests: the real server on a random port, a fresh database per
//! test, spoken to over HTTP. Each test runs on SQLite, and on PostgreSQL too
//! when `TEST_DATABASE_URL` is set.

mod helpers;

mod auth;
mod corpus;
mod deployment;
mod errors;
mod invites;
mod node_client;
mod ops;
mod problems;
mod realtime;
mod sandbox;
mod sessions;
mod storage;
