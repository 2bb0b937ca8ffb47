//! Linux (and other Unix): vendor `.so` modules under `/usr/lib` or the vendor's `/opt`
//! tree, Debian's multiarch directories for OpenSC and SoftHSM2, and `/usr/lib64` for
//! rpm-based systems. Modules registered with p11-kit are found separately.
//!
//! The smart-card service is pcscd (socket-activated by systemd on most distributions;
//! `systemctl enable --now pcscd.socket` where it is not).

use super::{KnownModule, Platform};

pub(super) const PLATFORM: Platform = Platform {
    known_modules: KNOWN,
    smart_card_service: "pcscd",
};

const KNOWN: &[KnownModule] = &[
    (
        "Feitian",
        "ePass2003",
        &[
            "/usr/lib/libcastle.so.1.0.0",
            "/opt/ePass2003-Linux/x86_64/redist/libcastle.so.1.0.0",
        ],
    ),
    (
        "Longmai",
        "GM3000",
        &[
            "/opt/LongmaiGM3000/lib/libgm3000_pkcs11.so",
            "/usr/lib/libgm3000_pkcs11.so",
        ],
    ),
    (
        "Watchdata",
        "TimeCOS",
        &["/usr/lib/libwdpkcs.so", "/opt/watchdata/lib/libwdpkcs.so"],
    ),
    (
        "SafeNet",
        "eToken",
        &["/usr/lib/libeTPkcs11.so", "/usr/lib64/libeTPkcs11.so"],
    ),
    (
        "OpenSC",
        "OpenSC",
        &[
            "/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib/aarch64-linux-gnu/opensc-pkcs11.so",
            "/usr/lib64/opensc-pkcs11.so",
        ],
    ),
    (
        "SoftHSM",
        "SoftHSM2",
        &[
            "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
            "/usr/lib/softhsm/libsofthsm2.so",
            "/usr/lib64/pkcs11/libsofthsm2.so",
        ],
    ),
];
