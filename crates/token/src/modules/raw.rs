//! The module's raw function list, for what cryptoki 0.12 filters out: mechanism numbers
//! it does not know (CKM_AES_KEY_WRAP_KWP, SM2 vendor mechanisms) and unwrapping with
//! them. Every `unsafe` of the crate's module handling is in this file.

use std::path::Path;

use cryptoki::object::ObjectHandle;

use super::Module;
use crate::error::{LoadFailure, Result, TokenError};

pub(super) struct RawFunctions {
    // Keeps the second dlopen handle alive; the function list points into the library.
    _lib: cryptoki_sys::Pkcs11,
    list: *const cryptoki_sys::CK_FUNCTION_LIST,
}

// SAFETY: the function list is immutable static data of the loaded library; PKCS#11
// modules are initialised with CKF_OS_LOCKING_OK, so calls from any thread are allowed.
unsafe impl Send for RawFunctions {}
// SAFETY: as above; the pointer is only read.
unsafe impl Sync for RawFunctions {}

pub(super) fn raw_functions(path: &Path) -> std::result::Result<RawFunctions, LoadFailure> {
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
    ) -> Result<ObjectHandle> {
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
        // SAFETY: the handle was just returned by C_UnwrapKey in this session.
        Ok(unsafe { ObjectHandle::new_from_raw(handle) })
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

/// An object handle recorded earlier (an inventory the user confirmed). A handle is a
/// plain number: the module checks it and answers CKR_OBJECT_HANDLE_INVALID for one
/// that no longer exists, and callers compare the object's fingerprint before acting.
pub(crate) fn recorded_handle(raw: u64) -> ObjectHandle {
    // SAFETY: see above; no memory is reached through the handle on our side.
    unsafe { ObjectHandle::new_from_raw(raw as cryptoki_sys::CK_OBJECT_HANDLE) }
}
