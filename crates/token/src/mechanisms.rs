//! Mechanism choice from what the token reports (`C_GetMechanismList`), never from the
//! module's name, plus the per-vendor SM2 table.

use cryptoki_sys as sys;

/// `CKM_AES_KEY_WRAP_KWP` (PKCS#11 3.0), which cryptoki 0.12 has no constant for.
pub const CKM_AES_KEY_WRAP_KWP: u64 = 0x210B;
pub const CKM_AES_KEY_WRAP_PAD: u64 = sys::CKM_AES_KEY_WRAP_PAD;

/// A vendor's SM2 mechanisms. The numbers below were NOT checked against the vendors'
/// SDK headers or tried on hardware (none was available while writing this): they are
/// best-known values to be confirmed. Every row therefore reports
/// `verified_on_hardware: false`, and the UI must show SM2 as unverified.
#[derive(Debug, Clone, Copy, serde::Serialize)]
pub struct Sm2Mechanisms {
    pub vendor: &'static str,
    pub key_pair_gen: u64,
    /// SM2 signature with SM3 hashing on the token (GM/T 0009 with the Z value).
    pub sign_sm3: u64,
    pub verified_on_hardware: bool,
}

const V: u64 = sys::CKM_VENDOR_DEFINED;

/// The table. A row applies to a token only if both of its mechanisms are listed.
pub const SM2_VENDORS: &[Sm2Mechanisms] = &[
    // GM/T 0016-style numbering used by several Chinese vendors (Longmai, Haitai).
    Sm2Mechanisms {
        vendor: "GM/T 0016 (Longmai, Haitai)",
        key_pair_gen: V + 0x0001_0001,
        sign_sm3: V + 0x0001_0301,
        verified_on_hardware: false,
    },
    // Feitian ePass/FT numbering.
    Sm2Mechanisms {
        vendor: "Feitian",
        key_pair_gen: V + 0x0000_a001,
        sign_sm3: V + 0x0000_a003,
        verified_on_hardware: false,
    },
    // Watchdata numbering.
    Sm2Mechanisms {
        vendor: "Watchdata",
        key_pair_gen: V + 0x0000_8001,
        sign_sm3: V + 0x0000_8003,
        verified_on_hardware: false,
    },
];

/// The first SM2 table row whose mechanisms the token lists.
pub fn sm2_for(mechanisms: &[u64]) -> Option<Sm2Mechanisms> {
    SM2_VENDORS
        .iter()
        .find(|v| mechanisms.contains(&v.key_pair_gen) && mechanisms.contains(&v.sign_sm3))
        .copied()
}

/// AES key wrap with padding (RFC 5649): modules call it `_KWP` or `_PAD`. Prefers the
/// standard KWP number when both are listed.
pub fn aes_wrap_pad(mechanisms: &[u64]) -> Option<u64> {
    [CKM_AES_KEY_WRAP_KWP, CKM_AES_KEY_WRAP_PAD]
        .into_iter()
        .find(|m| mechanisms.contains(m))
}

/// Names for mechanism numbers cryptoki does not know.
pub fn name_of(id: u64) -> String {
    if id == CKM_AES_KEY_WRAP_KWP {
        return "CKM_AES_KEY_WRAP_KWP".into();
    }
    if id == CKM_AES_KEY_WRAP_PAD {
        return "CKM_AES_KEY_WRAP_PAD".into();
    }
    if let Some(v) = SM2_VENDORS
        .iter()
        .find(|v| v.key_pair_gen == id || v.sign_sm3 == id)
    {
        let what = if v.key_pair_gen == id {
            "SM2 key pair gen"
        } else {
            "SM2 with SM3"
        };
        return format!("{what} ({}; unverified)", v.vendor);
    }
    if id >= V {
        format!("CKM_VENDOR_DEFINED+{:#x}", id - V)
    } else {
        format!("{id:#x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_mechanism_follows_the_list_not_the_module() {
        // SoftHSM2 lists only _PAD, Kryoptic only KWP (PLATFORM-NOTES).
        assert_eq!(
            aes_wrap_pad(&[0x1, CKM_AES_KEY_WRAP_PAD]),
            Some(CKM_AES_KEY_WRAP_PAD)
        );
        assert_eq!(
            aes_wrap_pad(&[CKM_AES_KEY_WRAP_KWP, 0x2109]),
            Some(CKM_AES_KEY_WRAP_KWP)
        );
        assert_eq!(aes_wrap_pad(&[0x2109]), None);
    }

    #[test]
    fn sm2_row_needs_both_mechanisms() {
        let row = SM2_VENDORS[2];
        assert!(sm2_for(&[row.key_pair_gen]).is_none());
        let got = sm2_for(&[0x1, row.key_pair_gen, row.sign_sm3]).unwrap();
        assert_eq!(got.vendor, row.vendor);
        assert!(!got.verified_on_hardware);
        assert!(name_of(row.sign_sm3).contains("unverified"));
    }
}
