//! Where PKCS#11 modules may be found: the vendor table of the running OS, p11-kit
//! registrations and the user's own additions.

use std::path::{Path, PathBuf};

/// Where a module candidate came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModuleSource {
    /// The built-in vendor table.
    KnownVendor,
    /// Registered with p11-kit (`*.module` files).
    P11Kit,
    /// Added by the user in settings or on the command line.
    User,
}

/// One place a PKCS#11 module may be found.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleCandidate {
    pub vendor: String,
    pub product: String,
    pub path: PathBuf,
    pub source: ModuleSource,
    pub exists: bool,
}

/// Every candidate: the vendor table, p11-kit registrations, then user modules.
pub fn discover(user_modules: &[PathBuf]) -> Vec<ModuleCandidate> {
    let mut out: Vec<ModuleCandidate> = Vec::new();
    for (vendor, product, paths) in crate::platform::CURRENT.known_modules {
        for p in *paths {
            let path = PathBuf::from(p);
            out.push(ModuleCandidate {
                vendor: (*vendor).into(),
                product: (*product).into(),
                exists: path.exists(),
                path,
                source: ModuleSource::KnownVendor,
            });
        }
    }
    for (name, path) in p11kit_modules(&[
        Path::new("/usr/share/p11-kit/modules"),
        Path::new("/etc/pkcs11/modules"),
    ]) {
        // p11-kit's proxy and trust modules are not tokens a user plugs in.
        if name == "p11-kit-trust" || out.iter().any(|c| c.path == path) {
            continue;
        }
        out.push(ModuleCandidate {
            vendor: "p11-kit".into(),
            product: name,
            exists: path.exists(),
            path,
            source: ModuleSource::P11Kit,
        });
    }
    for path in user_modules {
        out.push(ModuleCandidate {
            vendor: "user".into(),
            product: path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default(),
            exists: path.exists(),
            path: path.clone(),
            source: ModuleSource::User,
        });
    }
    out
}

/// Reads `module: <path>` from p11-kit `*.module` files. Relative paths are relative to
/// p11-kit's module directory.
pub fn p11kit_modules(dirs: &[&Path]) -> Vec<(String, PathBuf)> {
    let base = if cfg!(target_arch = "aarch64") {
        Path::new("/usr/lib/aarch64-linux-gnu/pkcs11")
    } else {
        Path::new("/usr/lib/x86_64-linux-gnu/pkcs11")
    };
    let mut out = Vec::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let path = entry.path();
            if path.extension().and_then(|e| e.to_str()) != Some("module") {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            for line in text.lines() {
                if let Some(rest) = line.trim().strip_prefix("module:") {
                    let m = PathBuf::from(rest.trim());
                    let m = if m.is_absolute() { m } else { base.join(m) };
                    let name = path
                        .file_stem()
                        .map(|s| s.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    out.push((name, m));
                }
            }
        }
    }
    out.sort();
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The table of the running OS is the one searched: on the Linux test machines
    /// (softhsm2 installed by `cargo xtask deps`) it finds SoftHSM2 where Debian puts it.
    #[test]
    #[cfg(target_os = "linux")]
    fn the_running_os_table_finds_the_installed_softhsm2() {
        let found = discover(&[]);
        let hit = found
            .iter()
            .find(|c| c.product == "SoftHSM2" && c.exists && c.source == ModuleSource::KnownVendor);
        assert!(
            hit.is_some(),
            "no SoftHSM2 from the Linux table in {found:?}"
        );
        assert!(
            found
                .iter()
                .all(|c| !c.path.to_string_lossy().ends_with(".dll"))
        );
    }

    #[test]
    fn p11kit_files_are_parsed_with_relative_paths() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("opensc.module"),
            "module: opensc-pkcs11.so\n",
        )
        .unwrap();
        std::fs::write(
            dir.path().join("abs.module"),
            "# c\nmodule: /opt/x/libx.so\ncritical: no\n",
        )
        .unwrap();
        std::fs::write(dir.path().join("ignored.txt"), "module: nope.so\n").unwrap();
        let got = p11kit_modules(&[dir.path()]);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0], ("abs".to_string(), PathBuf::from("/opt/x/libx.so")));
        assert!(got[1].1.ends_with("pkcs11/opensc-pkcs11.so"));
    }
}
