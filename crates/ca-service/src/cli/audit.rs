//! `certdesk-ca audit verify|list --data DIR`: reads the data dir directly (the service
//! may be running: SQLite WAL readers do not block it).

use std::path::{Path, PathBuf};

use anyhow::Context;
use certdesk_ca_service::audit::verify::{VerifyError, verify};
use certdesk_ca_service::clock::rfc3339;
use certdesk_ca_service::store::Db;
use certdesk_ca_service::store::audit::{Filter, list};
use certdesk_ca_service::store::seal::DataKey;
use clap::Subcommand;

#[derive(Subcommand)]
pub enum AuditCmd {
    /// Check the hash chain; exits non-zero naming the first altered, inserted or
    /// missing entry.
    Verify {
        #[arg(long)]
        data: PathBuf,
    },
    /// Entries, newest first.
    List {
        #[arg(long)]
        data: PathBuf,
        /// e.g. `operator:op_…`, `staff:staff-token`, `cli`.
        #[arg(long)]
        actor: Option<String>,
        /// e.g. `review.approve`.
        #[arg(long)]
        action: Option<String>,
        #[arg(long)]
        application: Option<String>,
        #[arg(long, default_value_t = 50)]
        limit: u32,
    },
}

/// Opens an existing data dir (never creates one: a typo must not verify an empty log).
pub fn open(data: &Path) -> anyhow::Result<(Db, DataKey)> {
    let db_path = data.join("ca.sqlite3");
    anyhow::ensure!(db_path.is_file(), "no CA database at {}", db_path.display());
    let secret = std::fs::read_to_string(data.join("data-key"))
        .with_context(|| format!("reading {}", data.join("data-key").display()))?;
    let key = DataKey::derive(secret.trim().as_bytes());
    Ok((Db::open(&db_path, &key)?, key))
}

pub fn run(cmd: AuditCmd) -> anyhow::Result<()> {
    match cmd {
        AuditCmd::Verify { data } => {
            let (db, key) = open(&data)?;
            match db.read(|c| verify(c, &key)) {
                Ok(n) => {
                    println!("audit log intact: {n} entries (审计日志完整)");
                    Ok(())
                }
                Err(VerifyError::Broken(b)) => {
                    anyhow::bail!("audit log broken: {b} (审计日志被篡改)")
                }
                Err(VerifyError::Store(e)) => Err(e.into()),
            }
        }
        AuditCmd::List {
            data,
            actor,
            action,
            application,
            limit,
        } => {
            let (db, _) = open(&data)?;
            let filter = Filter {
                actor,
                action,
                application_id: application,
                ..Filter::default()
            };
            let (rows, _) = db.read(|c| list(c, &filter, limit.clamp(1, 1000)))?;
            for e in rows {
                let dash = |v: &Option<String>| v.clone().unwrap_or_else(|| "-".into());
                println!(
                    "{}\t{}\t{}{}\t{}\t{}\t{}\t{}\t{}\t{}",
                    e.seq,
                    rfc3339(e.at),
                    e.actor,
                    e.actor_serial
                        .map(|s| format!(" ({s})"))
                        .unwrap_or_default(),
                    dash(&e.point),
                    e.action,
                    dash(&e.application_id),
                    dash(&e.certificate_serial),
                    dash(&e.token_serial),
                    e.details
                );
            }
            Ok(())
        }
    }
}
