//! PKCS#11 modules: where they may be found ([`discovery`]), loading them once per
//! process with failures explained in words (here and [`binary`]), and the raw calls
//! cryptoki does not offer ([`raw`]).

mod binary;
mod discovery;
#[allow(unsafe_code)]
mod raw;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use cryptoki::context::{CInitializeArgs, CInitializeFlags, Pkcs11};
use cryptoki::error::{Error as CkError, RvError};

use crate::error::{LoadFailure, Result, TokenError};
pub use discovery::{ModuleCandidate, ModuleSource, discover, p11kit_modules};
pub(crate) use raw::recorded_handle;

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
    raw: raw::RawFunctions,
}

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
    binary::check_binary_format(&canonical).map_err(fail)?;
    let ctx = Pkcs11::new(&canonical).map_err(|e| fail(not_pkcs11(e)))?;
    initialize(&ctx).map_err(|rv| fail(LoadFailure::InitFailed { rv }))?;
    let raw = raw::raw_functions(&canonical).map_err(fail)?;
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

impl Module {
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
