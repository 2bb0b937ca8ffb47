//! IPC commands, one-line adapters over the core. The list of names lives in
//! `certdesk_ipc::COMMANDS`; the generated TS wrappers call these. (Tauri's command
//! macro needs the defining module's path, so `lib.rs` names them through it.)

pub mod certificates;
pub mod download;
pub mod environment;
pub mod invoices;
pub mod status;
pub mod system;
pub mod updates;
pub mod workflow;
