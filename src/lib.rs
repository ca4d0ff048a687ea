//! DevInterview: a self-hosted, real-time technical interview platform.
//!
//! `startup` assembles the pieces; `api` is the REST surface; `store` the
//! database; `auth` who is calling; `realtime` the rooms over Socket.IO;
//! `sandbox` runs code in WebAssembly; `telemetry` logs and metrics.

pub mod api;
pub mod auth;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod grading;
pub mod realtime;
pub mod sandbox;
pub mod startup;
pub mod state;
pub mod store;
pub mod telemetry;
pub mod web;
