//! OpenSC's `pkcs11-spy` in front of a real module, to count the PKCS#11 calls that
//! write token objects. The spy is a pass-through module (Debian package `opensc`):
//! every call reaches the real module unchanged and is logged to a file, so what is
//! counted is exactly what the module was asked to write.
//!
//! The spy reads `PKCS11SPY` (the real module) and `PKCS11SPY_OUTPUT` (the log) from the
//! environment when it is loaded: install them before any module is loaded.

use std::path::{Path, PathBuf};

use anyhow::Context;

const SPY_PATHS: &[&str] = &[
    "/usr/lib/x86_64-linux-gnu/pkcs11-spy.so",
    "/usr/lib/aarch64-linux-gnu/pkcs11-spy.so",
    "/usr/lib/pkcs11-spy.so",
];

/// Object writes asked of the module, counted from the spy's log (successful calls only).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WriteCalls {
    /// `C_GenerateKeyPair` (two objects each).
    pub generate_key_pair: usize,
    /// `C_CreateObject` and `C_CopyObject`.
    pub create_object: usize,
    /// `C_SetAttributeValue`.
    pub set_attribute_value: usize,
    /// The attribute types (`CKA_ID`, …) of every `C_GenerateKeyPair` template, public
    /// then private.
    pub generated_with: Vec<String>,
    /// The attribute types every `C_SetAttributeValue` changed, in order.
    pub set: Vec<String>,
}

impl WriteCalls {
    /// Object writes: each object created (a key pair is two) plus each change of one.
    pub fn object_writes(&self) -> usize {
        2 * self.generate_key_pair + self.create_object + self.set_attribute_value
    }
}

/// A spy log and where the last count ended.
pub struct Spy {
    real: PathBuf,
    log: PathBuf,
    read_to: usize,
}

impl Spy {
    /// The installed spy module.
    pub fn module() -> anyhow::Result<PathBuf> {
        SPY_PATHS
            .iter()
            .map(PathBuf::from)
            .find(|p| p.exists())
            .context("pkcs11-spy is not installed (apt-get install opensc)")
    }

    /// A spy in front of `real`, logging to `log`.
    pub fn new(real: &Path, log: &Path) -> Self {
        Self {
            real: real.to_path_buf(),
            log: log.to_path_buf(),
            read_to: 0,
        }
    }

    /// The environment the spy module needs, for child processes.
    pub fn env(&self) -> [(&'static str, PathBuf); 2] {
        [
            ("PKCS11SPY", self.real.clone()),
            ("PKCS11SPY_OUTPUT", self.log.clone()),
        ]
    }

    /// Installs [`Self::env`] in this process's environment.
    ///
    /// # Safety
    /// As [`std::env::set_var`]: no other thread may read or write the environment.
    pub unsafe fn install_env(&self) {
        for (k, v) in self.env() {
            // SAFETY: the caller guarantees no concurrent environment access.
            unsafe { std::env::set_var(k, v) };
        }
    }

    /// The object writes logged since the previous call.
    pub fn take(&mut self) -> anyhow::Result<WriteCalls> {
        let text = match std::fs::read(&self.log) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Vec::new(),
            Err(e) => return Err(e).context("reading the pkcs11-spy log"),
        };
        // A process that opened the log anew may have truncated it.
        let from = if text.len() < self.read_to {
            0
        } else {
            self.read_to
        };
        let new = text.get(from..).unwrap_or_default();
        self.read_to = text.len();
        Ok(count(&String::from_utf8_lossy(new)))
    }
}

/// Counts the successful object-writing calls of a spy log: a call is a line
/// `N: C_Name`, its outcome the next `Returned:` line.
pub fn count(log: &str) -> WriteCalls {
    let mut calls = WriteCalls::default();
    let mut current: Option<&str> = None;
    // The attribute types of the current call's input templates.
    let mut types: Vec<String> = Vec::new();
    let mut in_template = false;
    for line in log.lines() {
        if let Some((n, name)) = line.split_once(": C_")
            && n.chars().all(|c| c.is_ascii_digit())
        {
            current = Some(name.split_whitespace().next().unwrap_or_default());
            types.clear();
            in_template = false;
        } else if line.starts_with("Returned:") {
            if line.contains("CKR_OK") {
                match current {
                    Some("GenerateKeyPair") => {
                        calls.generate_key_pair += 1;
                        calls.generated_with.append(&mut types);
                    }
                    Some("CreateObject" | "CopyObject") => calls.create_object += 1,
                    Some("SetAttributeValue") => {
                        calls.set_attribute_value += 1;
                        calls.set.append(&mut types);
                    }
                    _ => {}
                }
            }
            current = None;
        } else if line.starts_with("[in] ") {
            in_template = line.contains("Template[");
        } else if line.starts_with('[') {
            in_template = false;
        } else if in_template
            && let Some(t) = line.split_whitespace().next()
            && t.starts_with("CKA_")
        {
            types.push(t.to_string());
        }
    }
    calls
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn counts_successful_write_calls_only() {
        let log = "\
0: C_GetFunctionList\nReturned:  0 CKR_OK\n\
7: C_GenerateKeyPair\n2026-12-06 02:17:38.793\n[in] hSession = 0x1\n\
[in] pPublicKeyTemplate[1]: \n    CKA_LABEL             00007fff0fe26a52 / 1\n    7A\n\
[in] pPrivateKeyTemplate[1]: \n    CKA_ID                000056507fb7d700 / 1\n\
    00000000  03                                               .\n\
[out] hPublicKey = 0x2\nReturned:  0 CKR_OK\n\
8: C_SetAttributeValue\n[in] hObject = 0x3\n[in] pTemplate[1]: \n    CKA_ID   0000 / 20\nReturned:  0 CKR_OK\n\
9: C_SetAttributeValue\nReturned:  18 CKR_ATTRIBUTE_VALUE_INVALID\n\
10: C_CreateObject\nReturned:  0 CKR_OK\n";
        let c = count(log);
        assert_eq!(
            (c.generate_key_pair, c.create_object, c.set_attribute_value),
            (1, 1, 1)
        );
        assert_eq!(c.object_writes(), 4);
        assert_eq!(c.generated_with, ["CKA_LABEL", "CKA_ID"]);
        assert_eq!(c.set, ["CKA_ID"]);
    }
}
