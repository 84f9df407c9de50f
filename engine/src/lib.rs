//! cavra-engine: the pure decision logic of cavra-recovery.
//!
//! No I/O, no clock, no randomness: evidence rows, parameters and `now` come in as arguments;
//! records and their metadata rows come out. The Spin component, the native runner, the edge
//! component and the browser console all call these functions, so a decision is computed in
//! exactly one place.

pub mod acks;
pub mod alerts;
pub mod approvals;
pub mod audit;
pub mod canonical;
pub mod chain;
pub mod dashboard;
pub mod delivery;
pub mod error;
pub mod escalation;
pub mod executions;
pub mod executive;
pub mod ffi;
pub mod health;
pub mod history;
pub mod input;
pub mod kinds;
pub mod lenient;
pub mod level;
pub mod meta;
pub mod policy;
pub mod provider;
pub mod recovery;
pub mod redact;
pub mod report;
pub mod retry;
pub mod rows;
pub mod schedule;
pub mod time;
pub mod worker;

pub use error::{EngineError, Result};
pub use time::Timestamp;

#[cfg(feature = "wasm")]
mod wasm;
