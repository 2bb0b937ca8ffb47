//! PKCS#11 modules: the table of known vendor modules, p11-kit registrations, user
//! additions, and loading (once per process) with failures explained in words.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use crate::error::{LoadFailure, Result, TokenError};

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

/// Library-level information reported by `C_GetInfo`.
#[derive(Debug, Clone, serde::Serialize)]
pub struct ModuleInfo {
    pub path: PathBuf,
    pub manufacturer: String,
    pub description: String,
    pub library_version: String,
    pub cryptoki_version: String,
}

/// A loaded module. The library is mapped once per process (see [`load`]); the worker
/// may finalise and re-initialise it to rescan slots.
pub(crate) struct Module {
    pub path: PathBuf,
    pub ctx: Pkcs11,
    /// The raw function list, for what cryptoki 0.12 filters out: mechanism numbers it
    /// does not know (CKM_AES_KEY_WRAP_KWP, SM2 vendor mechanisms) and unwrapping with them.
    raw: RawFunctions,
}

struct RawFunctions {
    // Keeps the second dlopen handle alive; the function list points into the library.
    _lib: cryptoki_sys::Pkcs11,
    list: *const cryptoki_sys::CK_FUNCTION_LIST,
}

// SAFETY: the function list is immutable static data of the loaded library; PKCS#11
// modules are initialised with CKF_OS_LOCKING_OK, so calls from any thread are allowed.
unsafe impl Send for RawFunctions {}
// SAFETY: as above; the pointer is only read.
unsafe impl Sync for RawFunctions {}

fn registry() -> &'static Mutex<HashMap<PathBuf, Arc<Module>>> {
    static LOADED: OnceLock<Mutex<HashMap<PathBuf, Arc<Module>>>> = OnceLock::new();
    LOADED.get_or_init(|| Mutex::new(HashMap::new()))
}

/// Loads and initialises a module, once per process per (canonical) path.
pub(crate) fn load(path: &Path) -> Result<Arc<Module>> {
    let fail = |reason| TokenError::ModuleLoad {
        path: path.to_path_buf(),
        reason,
    };
    let canonical = path
        .canonicalize()
        .map_err(|_| fail(LoadFailure::FileMissing))?;
    let mut reg = registry().lock().map_err(|_| TokenError::WorkerGone)?;
    if let Some(m) = reg.get(&canonical) {
        return Ok(m.clone());
    }
    check_binary_format(&canonical).map_err(fail)?;
    let ctx = Pkcs11::new(&canonical).map_err(|e| fail(not_pkcs11(e)))?;
    initialize(&ctx).map_err(|rv| fail(LoadFailure::InitFailed { rv }))?;
    let raw = raw_functions(&canonical).map_err(fail)?;
    let module = Arc::new(Module {
        path: canonical.clone(),
        ctx,
        raw,
    });
    reg.insert(canonical, module.clone());
    Ok(module)
}

fn not_pkcs11(e: CkError) -> LoadFailure {
    LoadFailure::NotPkcs11 {
        detail: match e {
            CkError::MissingSymbol(s) => format!("no {s} symbol"),
            other => other.to_string(),
        },
    }
}

/// `C_Initialize`; "already initialised" counts as success (another library in the
/// process may have initialised it first).
pub(crate) fn initialize(ctx: &Pkcs11) -> std::result::Result<(), String> {
    match ctx.initialize(CInitializeArgs::new(CInitializeFlags::OS_LOCKING_OK)) {
        Ok(()) => Ok(()),
        Err(CkError::Pkcs11(RvError::CryptokiAlreadyInitialized, _)) => Ok(()),
        Err(e) => Err(match e {
            CkError::Pkcs11(rv, _) => format!("{rv:?}"),
            other => other.to_string(),
        }),
    }
}

fn raw_functions(path: &Path) -> std::result::Result<RawFunctions, LoadFailure> {
    // SAFETY: the same library was just loaded and initialised by cryptoki; loading it
    // again only bumps the loader's reference count and runs no new initialisers.
    let lib = unsafe { cryptoki_sys::Pkcs11::new(path) }.map_err(|e| LoadFailure::NotPkcs11 {
        detail: e.to_string(),
    })?;
    let mut list: *mut cryptoki_sys::CK_FUNCTION_LIST = std::ptr::null_mut();
    // SAFETY: C_GetFunctionList writes one pointer to a static table.
    let rv = unsafe { lib.C_GetFunctionList(&mut list) };
    if rv != cryptoki_sys::CKR_OK || list.is_null() {
        return Err(LoadFailure::NotPkcs11 {
            detail: format!("C_GetFunctionList returned {rv:#x}"),
        });
    }
    Ok(RawFunctions { _lib: lib, list })
}

impl Module {
    /// Every mechanism number the slot reports, including ones cryptoki does not name.
    pub fn raw_mechanisms(&self, slot: u64) -> Result<Vec<u64>> {
        // SAFETY: `list` points to the module's function table (see RawFunctions).
        let f = unsafe { (*self.raw.list).C_GetMechanismList }
            .ok_or_else(missing("C_GetMechanismList"))?;
        let mut count: cryptoki_sys::CK_ULONG = 0;
        // SAFETY: size query with a null buffer, per PKCS#11.
        let rv = unsafe { f(slot, std::ptr::null_mut(), &mut count) };
        check(rv, "C_GetMechanismList")?;
        let mut buf = vec![0 as cryptoki_sys::CK_MECHANISM_TYPE; count as usize];
        // SAFETY: buffer holds `count` entries.
        let rv = unsafe { f(slot, buf.as_mut_ptr(), &mut count) };
        check(rv, "C_GetMechanismList")?;
        buf.truncate(count as usize);
        Ok(buf)
    }

    /// `C_UnwrapKey` with a parameterless mechanism given by number (KWP/PAD).
    pub fn raw_unwrap(
        &self,
        session: cryptoki_sys::CK_SESSION_HANDLE,
        mechanism: u64,
        unwrapping_key: cryptoki_sys::CK_OBJECT_HANDLE,
        wrapped: &[u8],
        template: &[cryptoki::object::Attribute],
    ) -> Result<cryptoki_sys::CK_OBJECT_HANDLE> {
        // SAFETY: see raw_mechanisms.
        let f = unsafe { (*self.raw.list).C_UnwrapKey }.ok_or_else(missing("C_UnwrapKey"))?;
        let mut mech = cryptoki_sys::CK_MECHANISM {
            mechanism,
            pParameter: std::ptr::null_mut(),
            ulParameterLen: 0,
        };
        let mut attrs: Vec<cryptoki_sys::CK_ATTRIBUTE> = template.iter().map(Into::into).collect();
        let mut wrapped = wrapped.to_vec();
        let mut handle: cryptoki_sys::CK_OBJECT_HANDLE = 0;
        // SAFETY: all pointers reference live local buffers for the duration of the call;
        // the attribute values point into `template`, which outlives the call.
        let rv = unsafe {
            f(
                session,
                &mut mech,
                unwrapping_key,
                wrapped.as_mut_ptr(),
                wrapped.len() as cryptoki_sys::CK_ULONG,
                attrs.as_mut_ptr(),
                attrs.len() as cryptoki_sys::CK_ULONG,
                &mut handle,
            )
        };
        check(rv, "C_UnwrapKey")?;
        Ok(handle)
    }

    pub fn info(&self) -> Result<ModuleInfo> {
        let i = self.ctx.get_library_info()?;
        Ok(ModuleInfo {
            path: self.path.clone(),
            manufacturer: i.manufacturer_id().trim().to_string(),
            description: i.library_description().trim().to_string(),
            library_version: i.library_version().to_string(),
            cryptoki_version: i.cryptoki_version().to_string(),
        })
    }
}

fn missing(name: &'static str) -> impl FnOnce() -> TokenError {
    move || TokenError::Unsupported {
        what: format!("{name} (missing from the module's function list)"),
    }
}

fn check(rv: cryptoki_sys::CK_RV, function: &str) -> Result<()> {
    // Map through cryptoki's own table so the kinds match the non-raw paths.
    cryptoki::error::Rv::from(rv)
        .into_result(cryptoki::context::Function::UnwrapKey)
        .map_err(|e| match TokenError::from(e) {
            TokenError::Pkcs11 { rv, .. } => TokenError::Pkcs11 {
                function: function.into(),
                rv,
            },
            other => other,
        })
}

/// Reads the file header so "wrong architecture" is told apart from "not a library"
/// before the dynamic loader gives its less helpful message.
fn check_binary_format(path: &Path) -> std::result::Result<(), LoadFailure> {
    use std::io::Read;
    let mut header = [0u8; 20];
    let n = std::fs::File::open(path)
        .and_then(|mut f| f.read(&mut header))
        .map_err(|e| LoadFailure::NotPkcs11 {
            detail: e.to_string(),
        })?;
    let header = &header[..n];
    let expected = format!("{}-{}", std::env::consts::OS, std::env::consts::ARCH);
    let found = if header.starts_with(b"\x7fELF") && n >= 20 {
        let bits = if header[4] == 1 { 32 } else { 64 };
        let machine = u16::from_le_bytes([header[18], header[19]]);
        let arch = match machine {
            0x03 => "x86",
            0x3e => "x86_64",
            0x28 => "arm",
            0xb7 => "aarch64",
            0xf3 => "riscv64",
            0x102 => "loongarch64",
            0x08 => "mips",
            _ => "unknown",
        };
        let ours = match std::env::consts::ARCH {
            "x86" => 0x03,
            "x86_64" => 0x3e,
            "arm" => 0x28,
            "aarch64" => 0xb7,
            "riscv64" => 0xf3,
            "loongarch64" => 0x102,
            _ => machine,
        };
        if cfg!(target_os = "linux")
            && machine == ours
            && (bits == 64) == cfg!(target_pointer_width = "64")
        {
            return Ok(());
        }
        format!("linux-{arch} ({bits}-bit ELF)")
    } else if header.starts_with(b"MZ") {
        if cfg!(windows) {
            return Ok(());
        }
        "windows (PE DLL)".to_string()
    } else if header.starts_with(&[0xcf, 0xfa, 0xed, 0xfe])
        || header.starts_with(&[0xca, 0xfe, 0xba, 0xbe])
    {
        if cfg!(target_os = "macos") {
            return Ok(());
        }
        "macos (Mach-O)".to_string()
    } else {
        return Err(LoadFailure::NotPkcs11 {
            detail: "not a shared library".into(),
        });
    };
    Err(LoadFailure::WrongArchitecture { found, expected })
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

    #[test]
    fn foreign_binaries_are_reported_as_wrong_architecture() {
        let dir = tempfile::tempdir().unwrap();
        let arm32 = dir.path().join("arm.so");
        let mut elf = b"\x7fELF\x01\x01\x01\0\0\0\0\0\0\0\0\0\x03\0\x28\0".to_vec();
        elf.resize(64, 0);
        std::fs::write(&arm32, &elf).unwrap();
        let dll = dir.path().join("x.dll");
        std::fs::write(&dll, b"MZ\x90\0\x03\0\0\0\x04\0\0\0\xff\xff\0\0\xb8\0\0\0").unwrap();
        let text = dir.path().join("readme.so");
        std::fs::write(&text, b"hello, not a library at all").unwrap();
        assert!(
            matches!(check_binary_format(&arm32), Err(LoadFailure::WrongArchitecture { found, .. }) if found.contains("arm"))
        );
        if !cfg!(windows) {
            assert!(
                matches!(check_binary_format(&dll), Err(LoadFailure::WrongArchitecture { found, .. }) if found.contains("windows"))
            );
        }
        assert!(matches!(
            check_binary_format(&text),
            Err(LoadFailure::NotPkcs11 { .. })
        ));
        assert!(matches!(
            load(&dir.path().join("absent.so")),
            Err(TokenError::ModuleLoad {
                reason: LoadFailure::FileMissing,
                ..
            })
        ));
    }
}
