//! Human and JSON output of the CLI commands.

use std::path::PathBuf;

use certdesk_ipc::{CaCheck, ClockCheck, EnvironmentReport, ModuleCheck, SmartCardCheck};
use certdesk_token::{CertSummary, Orphans, TokenInfo, TokenObject};

#[derive(serde::Serialize)]
pub struct ModuleError {
    pub module: PathBuf,
    pub code: &'static str,
    pub message: String,
}

#[derive(serde::Serialize)]
pub struct TokenCerts {
    pub token: TokenInfo,
    pub certificates: Vec<CertSummary>,
    pub orphans: Option<Orphans>,
    /// Half-written objects (private ones only when logged in).
    pub damaged: Vec<TokenObject>,
    pub logged_in: bool,
}

fn print_json<T: serde::Serialize>(v: &T) -> anyhow::Result<()> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

fn memory(free: Option<usize>, total: Option<usize>) -> String {
    match (free, total) {
        (Some(f), Some(t)) => format!("{f}/{t} bytes free"),
        (Some(f), None) => format!("{f} bytes free"),
        _ => "not reported".into(),
    }
}

pub fn tokens(tokens: &[TokenInfo], errors: &[ModuleError], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::json!({ "tokens": tokens, "module_errors": errors }));
    }
    if tokens.is_empty() {
        println!("No tokens found.");
    }
    for t in tokens {
        println!("{} — serial {}", t.label, t.serial);
        println!("  module:       {}", t.token.module.display());
        println!("  maker/model:  {} / {}", t.manufacturer, t.model);
        println!("  PIN:          {:?}", t.pin_state);
        println!(
            "  memory:       {}",
            memory(t.free_public_memory, t.total_public_memory)
        );
    }
    for e in errors {
        println!("module {}: {}", e.module.display(), e.message);
    }
    Ok(())
}

pub fn certs(report: &[TokenCerts], errors: &[ModuleError], json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(&serde_json::json!({ "tokens": report, "module_errors": errors }));
    }
    for t in report {
        println!("{} — serial {}", t.token.label, t.token.serial);
        if t.certificates.is_empty() {
            println!("  no certificates");
        }
        for c in &t.certificates {
            let pairing = match (c.is_ca, c.has_private_key) {
                (true, _) => "CA certificate",
                (false, Some(true)) => "paired with its private key",
                (false, Some(false)) => "NO private key (orphan)",
                (false, None) => "pairing unknown (use --login)",
            };
            println!("  [{}] {}", c.label, c.subject);
            println!(
                "      issuer {}, serial {}, {} → {}, {}",
                c.issuer, c.serial, c.not_before, c.not_after, c.key_algorithm
            );
            println!("      id {}: {pairing}", c.id);
        }
        for d in &t.damaged {
            println!(
                "  损坏的对象 damaged object: {}",
                crate::repair::describe(d)
            );
        }
        if !t.damaged.is_empty() {
            println!(
                "  修复 repair: certdesk-cli repair --token {} (asks the PIN, lists, deletes only after confirmation)",
                t.token.serial
            );
        }
        if let Some(o) = &t.orphans {
            for k in &o.keys_without_certificate {
                println!(
                    "  orphan {} key [{}] id {}",
                    if k.private { "private" } else { "public" },
                    k.label,
                    k.id
                );
            }
        }
    }
    for e in errors {
        println!("module {}: {}", e.module.display(), e.message);
    }
    Ok(())
}

fn mark(ok: bool) -> &'static str {
    if ok { "ok  " } else { "FAIL" }
}

pub fn print_doctor(d: &EnvironmentReport, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(d);
    }
    println!("PKCS#11 modules:");
    if d.modules.is_empty() {
        println!("  none found — install your token's driver, or pass --module PATH");
    }
    for m in &d.modules {
        match m {
            ModuleCheck::Loaded {
                path,
                vendor,
                library,
                version,
                tokens,
            } => {
                println!("  [{}] {vendor} — {path} ({library} {version})", mark(true));
                for t in tokens {
                    if t.initialized {
                        println!(
                            "         token {} (serial {}), PIN {:?}",
                            t.label, t.serial, t.pin
                        );
                        for o in &t.damaged {
                            println!(
                                "         [{}] 损坏的对象 damaged object: {}",
                                mark(false),
                                crate::repair::describe_found(o)
                            );
                        }
                        if !t.damaged.is_empty() {
                            println!(
                                "         修复 repair: certdesk-cli repair --token {}",
                                t.serial
                            );
                        }
                    } else {
                        println!(
                            "         uninitialised token {} (counter staff can initialise it)",
                            t.serial
                        );
                    }
                }
            }
            ModuleCheck::Broken {
                path,
                vendor,
                detail,
            } => {
                println!("  [{}] {vendor} — {path}", mark(false));
                println!("         {detail}");
            }
        }
    }
    match &d.smart_card {
        SmartCardCheck::Running { readers } => {
            println!("Smart-card service (PC/SC): [{}]", mark(true));
            for r in readers {
                let card = if r.card_present {
                    "card present"
                } else {
                    "empty"
                };
                println!("  reader {}: {card}", r.name);
            }
        }
        SmartCardCheck::NotRunning { detail } => {
            println!("Smart-card service (PC/SC): [{}]", mark(false));
            println!(
                "  {detail} — start it with `systemctl start pcscd` (Linux) or the Smart Card service (Windows)"
            );
        }
    }
    match &d.ca {
        CaCheck::NotConfigured => println!("CA service: not checked (pass --ca URL)"),
        CaCheck::Online {
            url,
            latency_ms,
            tls,
        } => println!(
            "CA service: [{}] {url}, {latency_ms} ms, {}",
            mark(true),
            if *tls { "TLS verified" } else { "plain HTTP" }
        ),
        CaCheck::Unreachable { url } => println!("CA service: [{}] {url} unreachable", mark(false)),
        CaCheck::TlsFailed { url, detail } => {
            println!("CA service: [{}] {url} TLS failed: {detail}", mark(false))
        }
        CaCheck::BadAnswer { url, status } => println!(
            "CA service: [{}] {url} answered HTTP {status}, not a CA health document",
            mark(false)
        ),
    }
    match d.clock {
        ClockCheck::Unknown => {}
        ClockCheck::InSync { skew_seconds } => {
            println!("Clock: [{}] {skew_seconds:+} s from the CA", mark(true))
        }
        ClockCheck::Skewed { skew_seconds } => println!(
            "Clock: [{}] {skew_seconds:+} s from the CA — turn on automatic time",
            mark(false)
        ),
    }
    Ok(())
}
