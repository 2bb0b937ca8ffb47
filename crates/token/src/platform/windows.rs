//! Windows: vendor PKCS#11 DLLs, usually installed into `C:\Windows\System32` by the
//! vendor's driver package. A 32-bit build (i686, for vendors that ship only a 32-bit
//! DLL) asks for the same paths: WOW64 redirects `System32` to `SysWOW64`, where the
//! 32-bit DLL lives. A 64-bit process can never load a 32-bit DLL (it fails with
//! "not a valid Win32 application"); those users install the x86 build.
//!
//! The smart-card service is "Smart Card" (`SCardSvr`), started on demand when a reader
//! is attached; managed PCs sometimes set it to Disabled, which only an administrator
//! can undo (services.msc).

use super::{KnownModule, Platform};

pub(super) const PLATFORM: Platform = Platform {
    known_modules: KNOWN,
    smart_card_service: "Smart Card (SCardSvr)",
};

const KNOWN: &[KnownModule] = &[
    (
        "Feitian",
        "ePass2003",
        &["C:\\Windows\\System32\\eps2003csp11.dll"],
    ),
    (
        "Feitian",
        "ePass3003",
        &["C:\\Windows\\System32\\ShuttleCsp11_3003.dll"],
    ),
    (
        "Longmai",
        "GM3000",
        &["C:\\Windows\\System32\\mtoken_gm3000.dll"],
    ),
    (
        "Watchdata",
        "TimeCOS",
        &["C:\\Windows\\System32\\WDPKCS.dll"],
    ),
    (
        "SafeNet",
        "eToken",
        &["C:\\Windows\\System32\\eTPKCS11.dll"],
    ),
    (
        "OpenSC",
        "OpenSC",
        &["C:\\Program Files\\OpenSC Project\\OpenSC\\pkcs11\\opensc-pkcs11.dll"],
    ),
    (
        "SoftHSM",
        "SoftHSM2",
        &["C:\\SoftHSM2\\lib\\softhsm2-x64.dll"],
    ),
];
