//! CertDesk core: everything the app does, with no knowledge of Tauri. The desktop
//! shell and the CLI are thin front ends over this crate.

pub mod ca_probe;
pub mod certificates;
pub mod counter;
pub mod db;
pub mod drafts;
pub mod enrollment;
pub mod error;
pub mod keychain;
pub mod logging;
pub mod modules;
pub mod paths;
pub mod pin_rules;
pub mod qr;
pub mod reminders;
pub mod sensitive;
pub mod session;
pub mod settings;
pub mod standing;
pub mod store;
pub mod updates;
pub mod window;
pub mod workflow;

pub use error::CoreError;
