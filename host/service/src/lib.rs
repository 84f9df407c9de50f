//! cavra-service: the HTTP API of cavra-recovery over an abstract platform.
//!
//! The Spin component adapts spin-sdk to [`platform::Platform`]; this crate does routing,
//! validation, storage layout and connector delivery, and asks `cavra-engine` for every decision.

pub mod api;
pub mod auth;
pub mod config;
pub mod connector;
pub mod error;
pub mod http;
pub mod memory;
pub mod platform;
pub mod store;

pub use api::handle;
