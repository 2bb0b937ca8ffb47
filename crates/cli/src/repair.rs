//! Damaged objects on a token (what a token pulled in the middle of a write leaves):
//! how `certs` and `doctor` show them, and `certdesk-cli repair`, which lists them after
//! the PIN (private keys are visible only then) and deletes exactly those, only after
//! confirmation or `--yes`. Nothing else on the token is touched.

use std::io::BufRead;
use std::path::PathBuf;

use anyhow::{Context, bail};
use certdesk_token::{Damage, ObjectKind, TokenObject, TokenRef, TokenService};
use clap::Args;

use crate::secrets;

#[derive(Args, Clone)]
pub struct RepairArgs {
    /// PKCS#11 module (repeatable); default: every known module found.
    #[arg(long = "module", value_name = "PATH")]
    modules: Vec<PathBuf>,
    /// The token's serial number.
    #[arg(long = "token", value_name = "SERIAL")]
    token: String,
    /// Delete without asking.
    #[arg(long)]
    yes: bool,
    /// Read the PIN (and the confirmation) from stdin, one per line.
    #[arg(long)]
    secrets_stdin: bool,
    /// Machine-readable result.
    #[arg(long)]
    json: bool,
}

impl RepairArgs {
    pub fn modules_given(&self) -> Vec<PathBuf> {
        self.modules.clone()
    }
}

fn kind(k: ObjectKind) -> &'static str {
    match k {
        ObjectKind::Certificate => "证书 certificate",
        ObjectKind::PublicKey => "公钥 public key",
        ObjectKind::PrivateKey => "私钥 private key",
        ObjectKind::SecretKey => "对称密钥 secret key",
        ObjectKind::Data => "数据 data",
    }
}

/// What is wrong, Chinese first.
pub fn explain(d: Damage) -> &'static str {
    match d {
        Damage::EmptyCertificate => {
            "空的证书对象（写入证书时 USBKey 被拔出所留），不能使用 / an empty certificate object, left when the USBKey was pulled while a certificate was written; it holds nothing usable"
        }
        Damage::UnreadableCertificate => {
            "证书对象内容不完整，无法读取 / a certificate object whose content is incomplete and cannot be read"
        }
        Damage::KeyWithoutId => {
            "没有标识（CKA_ID）的密钥，无法与任何证书配对（生成密钥时中断所留） / a key without an id (CKA_ID): no certificate can be paired with it (left by an interrupted key generation)"
        }
        Damage::Unreadable => "驱动无法读取的对象 / an object the token's driver cannot read",
    }
}

/// As [`describe`], for the environment report's form of a damaged object.
pub fn describe_found(o: &certdesk_ipc::DamagedObject) -> String {
    use certdesk_ipc::{DamageKind, ObjectClassName};
    describe(&TokenObject {
        handle: o.handle,
        kind: match o.kind {
            ObjectClassName::Certificate => ObjectKind::Certificate,
            ObjectClassName::PublicKey => ObjectKind::PublicKey,
            ObjectClassName::PrivateKey => ObjectKind::PrivateKey,
            ObjectClassName::SecretKey => ObjectKind::SecretKey,
            ObjectClassName::Data => ObjectKind::Data,
        },
        id: o.id.clone(),
        label: o.label.clone(),
        fingerprint: o.fingerprint.clone(),
        damage: Some(match o.damage {
            DamageKind::EmptyCertificate => Damage::EmptyCertificate,
            DamageKind::UnreadableCertificate => Damage::UnreadableCertificate,
            DamageKind::KeyWithoutId => Damage::KeyWithoutId,
            DamageKind::Unreadable => Damage::Unreadable,
        }),
    })
}

/// One line per damaged object: class, handle, id and label if any, and what is wrong.
pub fn describe(o: &TokenObject) -> String {
    let id = if o.id.is_empty() {
        "无 id / no id".to_string()
    } else {
        format!("id {}", o.id)
    };
    let label = if o.label.is_empty() {
        "无标签 / no label".to_string()
    } else {
        format!("标签 label [{}]", o.label)
    };
    format!(
        "{} (handle {}), {id}, {label}: {}",
        kind(o.kind),
        o.handle,
        o.damage.map(explain).unwrap_or_default()
    )
}

fn confirmed(stdin: bool) -> anyhow::Result<bool> {
    eprint!("删除以上对象？Delete these objects? [y/N]: ");
    let mut line = String::new();
    if stdin {
        std::io::stdin()
            .lock()
            .read_line(&mut line)
            .context("reading the confirmation")?;
    } else {
        std::io::stdin()
            .read_line(&mut line)
            .context("reading the confirmation")?;
    }
    Ok(matches!(line.trim(), "y" | "Y" | "yes" | "是"))
}

pub async fn run(
    svc: &TokenService,
    args: RepairArgs,
    modules: Vec<PathBuf>,
) -> anyhow::Result<()> {
    let mut found = None;
    for m in modules {
        let _ = svc.rescan(m.clone()).await;
        if let Ok(list) = svc.list_tokens(m.clone()).await
            && let Some(t) = list.into_iter().find(|t| t.serial == args.token)
        {
            found = Some(t);
            break;
        }
    }
    let Some(info) = found else {
        bail!(
            "未找到序列号为 {} 的 USBKey / no token with serial {} is inserted",
            args.token,
            args.token
        );
    };
    let token: TokenRef = info.token.clone();
    let pin = secrets::Source::new(args.secrets_stdin)
        .get(&format!("PIN for token {} ({}): ", info.label, info.serial))?;
    svc.login(token.clone(), pin, false).await?;
    let damaged: Vec<TokenObject> = svc
        .inventory(token.clone())
        .await?
        .damaged()
        .cloned()
        .collect();
    if damaged.is_empty() {
        if args.json {
            println!("{}", serde_json::json!({ "damaged": [], "deleted": 0 }));
        } else {
            println!(
                "USBKey {} 上没有损坏的对象 / no damaged objects on token {}",
                info.serial, info.serial
            );
        }
        return Ok(());
    }
    if !args.json {
        println!(
            "USBKey {} 上有 {} 个损坏的对象 / {} damaged object(s) on token {}:",
            info.serial,
            damaged.len(),
            damaged.len(),
            info.serial
        );
        for o in &damaged {
            println!("  {}", describe(o));
        }
        println!(
            "只删除以上对象，USBKey 上的其他证书和密钥不受影响 / only these objects are deleted; the token's other certificates and keys stay"
        );
    }
    let go = args.yes || confirmed(args.secrets_stdin)?;
    let deleted = if go {
        svc.destroy_objects(token.clone(), damaged.clone()).await?
    } else {
        0
    };
    let _ = svc.logout(token).await;
    if args.json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "damaged": damaged, "deleted": deleted })
            )?
        );
    } else if go {
        println!("已删除 {deleted} 个对象 / deleted {deleted} object(s)");
    } else {
        println!("未删除任何对象 / nothing deleted");
    }
    Ok(())
}
