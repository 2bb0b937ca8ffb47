//! macOS: vendor `.dylib` modules, mostly under `/usr/local/lib` (Homebrew's
//! `/opt/homebrew` on Apple silicon for SoftHSM2). They are signed by the vendor's
//! team, so the hardened runtime needs `com.apple.security.cs.disable-library-validation`
//! (packaging/macos/entitlements.plist). An arm64 process cannot load an x86_64-only
//! module: those users run the x86_64 build under Rosetta 2.
//!
//! The smart-card service is the system's own CryptoTokenKit PC/SC daemon
//! (`com.apple.ctkpcscd`), started on demand; nothing to install or enable.

use super::{KnownModule, Platform};

pub(super) const PLATFORM: Platform = Platform {
    known_modules: KNOWN,
    smart_card_service: "com.apple.ctkpcscd",
};

const KNOWN: &[KnownModule] = &[
    (
        "Feitian",
        "ePass2003",
        &["/usr/local/lib/libcastle.1.0.0.dylib"],
    ),
    ("Longmai", "GM3000", &["/usr/local/lib/libgm3000.1.0.dylib"]),
    ("SafeNet", "eToken", &["/usr/local/lib/libeTPkcs11.dylib"]),
    (
        "OpenSC",
        "OpenSC",
        &["/Library/OpenSC/lib/opensc-pkcs11.so"],
    ),
    (
        "SoftHSM",
        "SoftHSM2",
        &[
            "/usr/local/lib/softhsm/libsofthsm2.so",
            "/opt/homebrew/lib/softhsm/libsofthsm2.so",
        ],
    ),
];
