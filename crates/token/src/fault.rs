//! **Deliberate fault injector for the crash tests**, inside the token writes: aborts
//! the process (no destructors, no flushing: as close to a pulled token plus `kill -9`
//! as a process can do to itself) at the point named by [`FAULT_ENV`]. The points sit
//! between the PKCS#11 calls of one write, e.g. `keygen:generated` (after
//! `C_GenerateKeyPair`, before the final `CKA_ID` is set), so a test can stop a download
//! in the middle of a write. Unset, it does nothing.

/// Environment variable naming the fault-injection point (tests only). The core's step
/// boundaries use the same variable.
pub const FAULT_ENV: &str = "CERTDESK_FAULT_AFTER";

/// Every point inside the token writes, in the order a download passes them.
pub const WRITE_POINTS: &[&str] = &[
    "keygen:generated",
    "keygen:public-id",
    "write-certificate:leaf-created",
    "write-certificate:private-subject",
    "write-certificate:public-subject",
    "write-certificate:chain-1",
    "import-envelope:private-unwrapped",
    "import-envelope:public-created",
];

/// Aborts the process when [`FAULT_ENV`] names `here`.
pub fn point(here: &str) {
    if let Some(want) = std::env::var_os(FAULT_ENV)
        && want.to_string_lossy() == here
    {
        eprintln!("certdesk: fault injected after {here}: aborting");
        std::process::abort();
    }
}
