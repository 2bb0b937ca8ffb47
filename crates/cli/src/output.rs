//! Human and JSON output of the CLI commands.

use std::path::{Path, PathBuf};

use certdesk_token::{
    CertSummary, ModuleInfo, Orphans, ReaderStatus, TokenInfo, TokenService, discover,
};

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

#[derive(serde::Serialize)]
pub struct ModuleCheck {
    pub vendor: String,
    pub product: String,
    pub path: PathBuf,
    pub found: bool,
    pub loadable: bool,
    pub info: Option<ModuleInfo>,
    pub error: Option<String>,
    pub tokens: Vec<TokenInfo>,
}

#[derive(serde::Serialize)]
pub struct Doctor {
    pub modules: Vec<ModuleCheck>,
    pub smart_card_service: bool,
    pub smart_card_error: Option<String>,
    pub readers: Vec<ReaderStatus>,
}

pub async fn doctor(svc: &TokenService, user_modules: &[PathBuf]) -> Doctor {
    // With --module, check exactly those; otherwise every candidate found on disk.
    let mut candidates: Vec<_> = discover(user_modules)
        .into_iter()
        .filter(|c| {
            if user_modules.is_empty() {
                c.exists
            } else {
                user_modules.contains(&c.path) && c.source == certdesk_token::ModuleSource::User
            }
        })
        .collect();
    let mut seen = std::collections::HashSet::new();
    candidates.retain(|c| seen.insert(c.path.canonicalize().unwrap_or_else(|_| c.path.clone())));
    let mut modules = Vec::new();
    for c in candidates {
        let mut check = ModuleCheck {
            vendor: c.vendor,
            product: c.product,
            found: c.exists,
            loadable: false,
            info: None,
            error: None,
            tokens: Vec::new(),
            path: c.path.clone(),
        };
        match svc.module_info(c.path.clone()).await {
            Ok(info) => {
                check.loadable = true;
                check.info = Some(info);
                match svc.list_tokens(c.path.clone()).await {
                    Ok(t) => check.tokens = t,
                    Err(e) => check.error = Some(e.to_string()),
                }
            }
            Err(e) => check.error = Some(e.to_string()),
        }
        modules.push(check);
    }
    let (smart_card_service, smart_card_error, readers) = match certdesk_token::pcsc_status() {
        Ok(r) => (true, None, r),
        Err(e) => (false, Some(e.to_string()), Vec::new()),
    };
    Doctor {
        modules,
        smart_card_service,
        smart_card_error,
        readers,
    }
}

fn mark(ok: bool) -> &'static str {
    if ok { "ok  " } else { "FAIL" }
}

pub fn print_doctor(d: &Doctor, json: bool) -> anyhow::Result<()> {
    if json {
        return print_json(d);
    }
    println!("PKCS#11 modules:");
    if d.modules.is_empty() {
        println!("  none found — install your token's driver, or pass --module PATH");
    }
    for m in &d.modules {
        println!(
            "  [{}] {} {} — {}",
            mark(m.loadable),
            m.vendor,
            m.product,
            display(&m.path)
        );
        if let Some(e) = &m.error {
            println!("         {e}");
        }
        for t in &m.tokens {
            if t.token_initialized {
                println!(
                    "         token {} (serial {}), PIN {:?}",
                    t.label, t.serial, t.pin_state
                );
            } else {
                println!(
                    "         uninitialised token in {} (counter staff can initialise it)",
                    t.slot_description
                );
            }
        }
    }
    println!(
        "Smart-card service (PC/SC): [{}]",
        mark(d.smart_card_service)
    );
    if let Some(e) = &d.smart_card_error {
        println!(
            "  {e} — start it with `systemctl start pcscd` (Linux) or the Smart Card service (Windows)"
        );
    }
    for r in &d.readers {
        println!(
            "  reader {}: {}",
            r.name,
            if r.card_present {
                "card present"
            } else {
                "empty"
            }
        );
    }
    Ok(())
}

fn display(p: &Path) -> String {
    p.display().to_string()
}
