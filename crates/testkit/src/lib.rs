//! Test harness shared by the CertDesk test suites: private token stores and a private
//! smart-card service, started and stopped by PID, never touching system-wide state.

pub mod ca;
pub mod issuer;
pub mod kryoptic;
pub mod pcsc;
pub mod process;
pub mod softhsm;
