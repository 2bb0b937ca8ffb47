//! IPC commands, one-line adapters over the core. Each function's signature is the
//! command's one spelling: the build script grants the registered names and
//! `cargo xtask bindings` writes the TS wrappers from them (`certdesk-command-scan`).
//! (Tauri's command macro needs the defining module's path, so `lib.rs` names them
//! through it.)

pub mod certificates;
pub mod counter;
pub mod counter_audit;
pub mod counter_batch;
pub mod counter_cases;
pub mod counter_close;
pub mod counter_keyed;
pub mod counter_making;
pub mod counter_numbers;
pub mod counter_stock;
pub mod customer;
pub mod download;
pub mod environment;
pub mod invoices;
pub mod status;
pub mod system;
pub mod updates;
pub mod workflow;
