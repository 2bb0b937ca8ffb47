//! My certificates (我的证书): the certificates on the inserted tokens, joined with the
//! ones seen before on tokens that are not inserted now (a last-seen cache in SQLite).
//!
//! The cache holds only public data — the certificate itself, its token's module path,
//! serial and label — so reminders can be given and the list shown while the token is in
//! a drawer. Never a PIN, never a key.

use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

use certdesk_token::{CertSummary, TokenInfo, TokenRef, TokenService};
use rusqlite::{Connection, params};
use serde::Serialize;

use crate::db::{self, StoreError};

/// The schema step appended to `db::migrations`.
pub const MIGRATION: &str = r#"
-- Certificates last seen on a token (public data only: no PIN, no key material).
CREATE TABLE seen_certificates (
    token_module   TEXT NOT NULL,
    token_serial   TEXT NOT NULL,
    token_label    TEXT NOT NULL,
    -- CKA_ID (hex) of the certificate object, shared with its key pair.
    key_id         TEXT NOT NULL,
    serial         TEXT NOT NULL,
    subject        TEXT NOT NULL,
    issuer         TEXT NOT NULL,
    not_before     TEXT NOT NULL,
    not_after      TEXT NOT NULL,
    not_after_unix INTEGER NOT NULL,
    key_algorithm  TEXT NOT NULL,
    -- Issuer subjects from the leaf upwards, as found on the same token (JSON array).
    chain          TEXT NOT NULL,
    der            BLOB NOT NULL,
    last_seen      TEXT NOT NULL,
    PRIMARY KEY (token_module, token_serial, serial)
);
-- Reminders already given (expiry thresholds), so each is given once.
CREATE TABLE reminders_sent (
    subject_key TEXT NOT NULL,
    kind        TEXT NOT NULL,
    sent_at     TEXT NOT NULL,
    PRIMARY KEY (subject_key, kind)
);
"#;

/// One end-entity certificate as the "My certificates" page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MyCertificate {
    pub token: TokenRef,
    pub token_label: String,
    /// The token is inserted now (else: from the last-seen cache).
    pub inserted: bool,
    pub key_id: String,
    pub serial: String,
    pub subject: String,
    pub issuer: String,
    /// Issuer subjects from the leaf's issuer upwards, as far as the token holds them.
    pub chain: Vec<String>,
    pub not_before: String,
    pub not_after: String,
    pub not_after_unix: i64,
    pub key_algorithm: String,
    /// The matching private key is on the token (`None`: not logged in, or not inserted).
    pub has_private_key: Option<bool>,
    pub last_seen: String,
    /// What the CA last said about it (`None`: never asked, or another CA's).
    pub standing: Option<crate::standing::Standing>,
    #[serde(skip)]
    pub der: Vec<u8>,
}

impl MyCertificate {
    /// Whole days until expiry (negative once expired), counted from `now_unix`.
    pub fn days_left(&self, now_unix: i64) -> i64 {
        (self.not_after_unix - now_unix).div_euclid(86_400)
    }
}

/// The issuer chain of `leaf` among the certificates on the same token: follows issuer →
/// subject upwards, stopping at a self-signed certificate or a missing link.
fn chain_of(leaf: &CertSummary, all: &[CertSummary]) -> Vec<String> {
    let mut out = vec![leaf.issuer.clone()];
    let mut current = leaf.issuer.clone();
    // A bound: a malicious token could hold a loop of certificates.
    for _ in 0..8 {
        let Some(up) = all
            .iter()
            .find(|c| c.is_ca && c.subject == current && c.subject != c.issuer)
        else {
            break;
        };
        out.push(up.issuer.clone());
        current = up.issuer.clone();
    }
    out
}

/// The end-entity certificates of one inserted token.
pub fn from_token(info: &TokenInfo, certs: &[CertSummary], now: &str) -> Vec<MyCertificate> {
    certs
        .iter()
        .filter(|c| !c.is_ca)
        .map(|c| MyCertificate {
            token: info.token.clone(),
            token_label: info.label.clone(),
            inserted: true,
            key_id: c.id.clone(),
            serial: c.serial.clone(),
            subject: c.subject.clone(),
            issuer: c.issuer.clone(),
            chain: chain_of(c, certs),
            not_before: c.not_before.clone(),
            not_after: c.not_after.clone(),
            not_after_unix: i64::try_from(c.not_after_unix).unwrap_or(i64::MAX),
            key_algorithm: c.key_algorithm.clone(),
            has_private_key: c.has_private_key,
            last_seen: now.to_string(),
            standing: None,
            der: c.der.clone(),
        })
        .collect()
}

/// The last-seen cache.
pub struct CertificateCache {
    conn: Mutex<Connection>,
}

impl CertificateCache {
    /// Opens (and migrates) the file at `path`; the app goes through
    /// [`crate::store::Store::certificates`].
    pub fn open(path: &Path) -> Result<Self, StoreError> {
        Ok(Self::on(db::open(path)?))
    }

    pub(crate) fn on(conn: Connection) -> Self {
        Self {
            conn: Mutex::new(conn),
        }
    }

    pub(crate) fn conn(&self) -> MutexGuard<'_, Connection> {
        self.conn.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Replaces what is remembered of `token` by what it holds now (a renewed or deleted
    /// certificate disappears from the cache with it).
    pub fn record(&self, token: &TokenRef, certs: &[MyCertificate]) -> Result<(), StoreError> {
        let mut conn = self.conn();
        let tx = conn.transaction()?;
        let module = token.module.to_string_lossy();
        tx.execute(
            "DELETE FROM seen_certificates WHERE token_module = ?1 AND token_serial = ?2",
            params![module, token.serial],
        )?;
        for c in certs {
            let chain =
                serde_json::to_string(&c.chain).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            tx.execute(
                "INSERT OR REPLACE INTO seen_certificates (token_module, token_serial, token_label,
                    key_id, serial, subject, issuer, not_before, not_after, not_after_unix,
                    key_algorithm, chain, der, last_seen)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
                params![
                    module,
                    token.serial,
                    c.token_label,
                    c.key_id,
                    c.serial,
                    c.subject,
                    c.issuer,
                    c.not_before,
                    c.not_after,
                    c.not_after_unix,
                    c.key_algorithm,
                    chain,
                    c.der,
                    c.last_seen,
                ],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Everything remembered, as not-inserted certificates.
    pub fn all(&self) -> Result<Vec<MyCertificate>, StoreError> {
        let conn = self.conn();
        let mut stmt = conn.prepare(
            "SELECT token_module, token_serial, token_label, key_id, serial, subject, issuer,
                    not_before, not_after, not_after_unix, key_algorithm, chain, der, last_seen
             FROM seen_certificates ORDER BY not_after_unix",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok((
                MyCertificate {
                    token: TokenRef {
                        module: PathBuf::from(r.get::<_, String>(0)?),
                        serial: r.get(1)?,
                    },
                    token_label: r.get(2)?,
                    inserted: false,
                    key_id: r.get(3)?,
                    serial: r.get(4)?,
                    subject: r.get(5)?,
                    issuer: r.get(6)?,
                    chain: Vec::new(),
                    not_before: r.get(7)?,
                    not_after: r.get(8)?,
                    not_after_unix: r.get(9)?,
                    key_algorithm: r.get(10)?,
                    has_private_key: None,
                    der: r.get(12)?,
                    last_seen: r.get(13)?,
                    standing: None,
                },
                r.get::<_, String>(11)?,
            ))
        })?;
        let mut out = Vec::new();
        for row in rows {
            let (mut c, chain) = row?;
            c.chain =
                serde_json::from_str(&chain).map_err(|e| StoreError::Corrupt(e.to_string()))?;
            out.push(c);
        }
        Ok(out)
    }

    /// Whether a reminder `kind` was already given for `subject_key`.
    pub fn sent(&self, subject_key: &str, kind: &str) -> Result<bool, StoreError> {
        let n: i64 = self.conn().query_row(
            "SELECT COUNT(*) FROM reminders_sent WHERE subject_key = ?1 AND kind = ?2",
            params![subject_key, kind],
            |r| r.get(0),
        )?;
        Ok(n > 0)
    }

    /// Records that reminder `kind` was given for `subject_key`.
    pub fn mark_sent(&self, subject_key: &str, kind: &str, at: &str) -> Result<(), StoreError> {
        self.conn().execute(
            "INSERT OR IGNORE INTO reminders_sent (subject_key, kind, sent_at) VALUES (?1, ?2, ?3)",
            params![subject_key, kind, at],
        )?;
        Ok(())
    }
}

/// What a scan of the modules found, and what it could not read.
#[derive(Debug, Clone, Default)]
pub struct Scan {
    pub certificates: Vec<MyCertificate>,
    /// Tokens inserted now (by module + serial), also those without certificates.
    pub tokens: Vec<TokenInfo>,
    /// Half-written objects found on the inserted tokens (public ones; private ones too
    /// while logged in), shown with a repair offer, never a failure of the token.
    pub damaged: Vec<(TokenRef, certdesk_token::TokenObject)>,
    /// Inserted tokens whose holder must change the PIN before using them (made in a
    /// batch with a mailed initial PIN, or the module says so).
    pub pin_change: Vec<TokenRef>,
}

/// Reads the certificates of every initialised token in `modules`, records them in the
/// cache, and joins the cached certificates of tokens not inserted now. A token that
/// fails to read is left out of the inserted list (its cached entries stay).
pub async fn scan(
    svc: &TokenService,
    modules: &[PathBuf],
    cache: &CertificateCache,
    now: &str,
) -> Result<Scan, StoreError> {
    let mut scan = Scan::default();
    for m in modules {
        let Ok(tokens) = svc.list_tokens(m.clone()).await else {
            continue;
        };
        for t in tokens.into_iter().filter(|t| t.token_initialized) {
            match svc.list_certificates(t.token.clone()).await {
                Ok(certs) => {
                    let mine = from_token(&t, &certs, now);
                    cache.record(&t.token, &mine)?;
                    scan.certificates.extend(mine);
                }
                Err(e) => {
                    tracing::warn!(error = %e, code = e.code(), token = %t.serial, "cannot read the token's certificates");
                }
            }
            match svc.inventory(t.token.clone()).await {
                Ok(inv) => scan
                    .damaged
                    .extend(inv.damaged().map(|o| (t.token.clone(), o.clone()))),
                Err(e) => {
                    tracing::warn!(error = %e, token = %t.serial, "cannot read the token's objects");
                }
            }
            match svc.pin_change_required(t.token.clone()).await {
                Ok(true) => scan.pin_change.push(t.token.clone()),
                Ok(false) => {}
                Err(e) => {
                    tracing::warn!(error = %e, token = %t.serial, "cannot read the token's PIN record");
                }
            }
            scan.tokens.push(t);
        }
    }
    for c in cache.all()? {
        if !scan.tokens.iter().any(|t| t.token == c.token) {
            scan.certificates.push(c);
        }
    }
    cache.attach_standing(&mut scan.certificates)?;
    scan.certificates
        .sort_by_key(|c| (!c.inserted, c.not_after_unix));
    Ok(scan)
}

/// Now, as the cache records it (RFC 3339, UTC).
pub fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_default()
}

/// Now, in seconds since the Unix epoch.
pub fn now_unix() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

/// The certificate as PEM (`-----BEGIN CERTIFICATE-----`), for export.
pub fn to_pem(der: &[u8]) -> Result<String, StoreError> {
    use der::pem::LineEnding;
    der::pem::encode_string("CERTIFICATE", LineEnding::LF, der)
        .map_err(|e| StoreError::Corrupt(e.to_string()))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn summary(subject: &str, issuer: &str, is_ca: bool, serial: &str) -> CertSummary {
        CertSummary {
            id: format!("id-{serial}"),
            label: String::new(),
            subject: subject.into(),
            issuer: issuer.into(),
            serial: serial.into(),
            not_before: "2026-01-01".into(),
            not_after: "2027-01-01".into(),
            not_after_unix: 1_800_000_000,
            is_ca,
            key_algorithm: "EC P-256".into(),
            has_public_key: true,
            has_private_key: None,
            der: vec![1, 2, 3],
        }
    }

    fn token_info(serial: &str) -> TokenInfo {
        TokenInfo {
            token: TokenRef {
                module: PathBuf::from("/m.so"),
                serial: serial.into(),
            },
            slot_id: 0,
            slot_description: String::new(),
            label: "Key".into(),
            manufacturer: String::new(),
            model: String::new(),
            serial: serial.into(),
            pin_state: certdesk_token::PinState::Ok,
            so_pin_state: certdesk_token::PinState::Ok,
            user_pin_initialized: true,
            user_pin_to_be_changed: false,
            token_initialized: true,
            login_required: true,
            write_protected: false,
            min_pin_len: 4,
            max_pin_len: 16,
            free_public_memory: None,
            total_public_memory: None,
            free_private_memory: None,
            total_private_memory: None,
            hardware_version: String::new(),
            firmware_version: String::new(),
        }
    }

    #[test]
    fn leaves_only_with_their_chain_from_the_token() {
        let all = vec![
            summary("CN=org", "CN=issuing", false, "01"),
            summary("CN=issuing", "CN=root", true, "02"),
            summary("CN=root", "CN=root", true, "03"),
        ];
        let mine = from_token(&token_info("T1"), &all, "now");
        assert_eq!(mine.len(), 1);
        assert_eq!(mine[0].chain, vec!["CN=issuing", "CN=root"]);
        assert!(mine[0].inserted);
    }

    #[test]
    fn days_left_counts_whole_days_and_goes_negative() {
        let mut c =
            from_token(&token_info("T"), &[summary("CN=a", "CN=b", false, "1")], "").remove(0);
        c.not_after_unix = 10 * 86_400;
        assert_eq!(c.days_left(0), 10);
        assert_eq!(c.days_left(86_400 / 2), 9);
        assert_eq!(c.days_left(11 * 86_400), -1);
    }

    #[test]
    fn cache_replaces_a_tokens_rows_and_keeps_no_secrets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.sqlite");
        let cache = CertificateCache::open(&path).unwrap();
        let t = token_info("T1");
        let first = from_token(&t, &[summary("CN=old", "CN=ca", false, "aa")], "t0");
        cache.record(&t.token, &first).unwrap();
        let second = from_token(&t, &[summary("CN=new", "CN=ca", false, "bb")], "t1");
        cache.record(&t.token, &second).unwrap();
        let all = cache.all().unwrap();
        assert_eq!(all.len(), 1);
        assert_eq!(all[0].serial, "bb");
        assert!(!all[0].inserted);
        assert_eq!(all[0].chain, vec!["CN=ca"]);
        assert!(!cache.sent("bb", "expiry-90").unwrap());
        cache.mark_sent("bb", "expiry-90", "t2").unwrap();
        cache.mark_sent("bb", "expiry-90", "t3").unwrap();
        assert!(cache.sent("bb", "expiry-90").unwrap());
    }

    #[test]
    fn pem_round_trips() {
        let pem = to_pem(&[0x30, 0x03, 0x02, 0x01, 0x05]).unwrap();
        assert!(pem.starts_with("-----BEGIN CERTIFICATE-----\n"), "{pem}");
        assert!(pem.trim_end().ends_with("-----END CERTIFICATE-----"));
    }
}
