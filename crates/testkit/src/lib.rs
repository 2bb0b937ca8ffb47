//! Test harness shared by the CertDesk test suites: private token stores and a private
//! smart-card service, a private D-Bus session with gnome-keyring, started and stopped by
//! PID, never touching system-wide state.

pub mod ca;
pub mod fault_proxy;
pub mod issuer;
pub mod keychain;
pub mod kryoptic;
#[cfg(target_os = "linux")]
pub mod object_files;
pub mod openssl;
pub mod pcsc;
pub mod pkix;
pub mod process;
pub mod softhsm;
pub mod spy;
pub mod tls_proxy;
