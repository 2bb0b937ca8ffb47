//! Tells a library built for another system from one that is not a library at all,
//! before the dynamic loader gives its less helpful message.

use std::path::Path;

use crate::error::LoadFailure;

/// Reads the file header so "wrong architecture" is told apart from "not a library"
/// before the dynamic loader gives its less helpful message.
pub(super) fn check_binary_format(path: &Path) -> std::result::Result<(), LoadFailure> {
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
    use crate::error::TokenError;

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
            super::super::load(&dir.path().join("absent.so")),
            Err(TokenError::ModuleLoad {
                reason: LoadFailure::FileMissing,
                ..
            })
        ));
    }
}
