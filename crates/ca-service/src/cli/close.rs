//! `certdesk-ca close verify --data DIR`: checks every signed daily close in the data
//! dir (read directly, as `audit verify` does).

use std::path::PathBuf;

use certdesk_ca_service::workflow::close::verify::{CloseVerifyError, verify_all};
use clap::Subcommand;

#[derive(Subcommand)]
pub enum CloseCmd {
    /// Check each close's signature, chain and audit entry; exits non-zero naming the
    /// first close that does not hold.
    Verify {
        #[arg(long)]
        data: PathBuf,
    },
}

pub fn run(cmd: CloseCmd) -> anyhow::Result<()> {
    let CloseCmd::Verify { data } = cmd;
    let (db, _) = super::audit::open(&data)?;
    match db.read(verify_all) {
        Ok(n) => {
            println!("daily closes intact: {n} signed (日结签名完整)");
            Ok(())
        }
        Err(CloseVerifyError::Broken { point, day, why }) => {
            anyhow::bail!("close {point} {day} does not verify: {why} (日结被篡改)")
        }
        Err(CloseVerifyError::Store(e)) => Err(e.into()),
    }
}
