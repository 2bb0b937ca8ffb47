//! Human and JSON output of the CLI commands, worded from the app's catalog.

use std::path::PathBuf;

use certdesk_diagnostics::{CaCheck, ClockCheck, EnvironmentReport, ModuleCheck, SmartCardCheck};
use certdesk_token::{CertSummary, Orphans, PinState, TokenInfo, TokenObject};

use crate::catalog::{Catalog, Lang, fmt};

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

fn print_json<T: serde::Serialize>(v: &T) -> Result<(), serde_json::Error> {
    println!("{}", serde_json::to_string_pretty(v)?);
    Ok(())
}

/// Prints in one language.
pub struct Printer {
    t: &'static Catalog,
}

impl Printer {
    pub fn new(lang: Lang) -> Self {
        Self { t: lang.catalog() }
    }

    fn mark(&self, ok: bool) -> &str {
        if ok { &self.t.cli.ok } else { &self.t.cli.fail }
    }

    fn memory(&self, free: Option<usize>, total: Option<usize>) -> String {
        let c = &self.t.cli;
        match (free, total) {
            (Some(f), Some(t)) => fmt(&c.memory_free, &[("free", &f), ("total", &t)]),
            (Some(f), None) => fmt(&c.memory_free_only, &[("free", &f)]),
            _ => c.memory_unknown.clone(),
        }
    }

    fn pin(&self, state: PinState) -> &str {
        let p = &self.t.environment.pin;
        match state {
            PinState::Ok => &p.ok,
            PinState::CountLow => &p.count_low,
            PinState::FinalTry => &p.final_try,
            PinState::Locked => &p.locked,
        }
    }

    fn module_errors(&self, errors: &[ModuleError]) {
        for e in errors {
            println!(
                "{}",
                fmt(
                    &self.t.cli.module_failed,
                    &[("module", &e.module.display()), ("message", &e.message)]
                )
            );
        }
    }

    pub fn tokens(
        &self,
        tokens: &[TokenInfo],
        errors: &[ModuleError],
        json: bool,
    ) -> Result<(), serde_json::Error> {
        if json {
            return print_json(&serde_json::json!({ "tokens": tokens, "module_errors": errors }));
        }
        let c = &self.t.cli;
        if tokens.is_empty() {
            println!("{}", c.no_tokens);
        }
        for t in tokens {
            println!(
                "{}",
                fmt(&c.token_line, &[("label", &t.label), ("serial", &t.serial)])
            );
            println!("  {} {}", c.token_module, t.token.module.display());
            println!("  {} {} / {}", c.token_maker, t.manufacturer, t.model);
            println!("  {} {}", c.token_pin, self.pin(t.pin_state));
            println!(
                "  {} {}",
                c.token_memory,
                self.memory(t.free_public_memory, t.total_public_memory)
            );
        }
        self.module_errors(errors);
        Ok(())
    }

    pub fn certs(
        &self,
        report: &[TokenCerts],
        errors: &[ModuleError],
        json: bool,
    ) -> Result<(), serde_json::Error> {
        if json {
            return print_json(&serde_json::json!({ "tokens": report, "module_errors": errors }));
        }
        let c = &self.t.cli;
        for t in report {
            println!(
                "{}",
                fmt(
                    &c.token_line,
                    &[("label", &t.token.label), ("serial", &t.token.serial)]
                )
            );
            if t.certificates.is_empty() {
                println!("  {}", c.no_certificates);
            }
            for cert in &t.certificates {
                let pairing = match (cert.is_ca, cert.has_private_key) {
                    (true, _) => &c.pair_ca,
                    (false, Some(true)) => &c.pair_ok,
                    (false, Some(false)) => &c.pair_orphan,
                    (false, None) => &c.pair_unknown,
                };
                println!("  [{}] {}", cert.label, cert.subject);
                println!(
                    "      {}",
                    fmt(
                        &c.cert_issuer,
                        &[
                            ("issuer", &cert.issuer),
                            ("serial", &cert.serial),
                            ("from", &cert.not_before),
                            ("to", &cert.not_after),
                            ("algorithm", &cert.key_algorithm),
                        ]
                    )
                );
                println!(
                    "      {}",
                    fmt(&c.cert_id, &[("id", &cert.id), ("pairing", pairing)])
                );
            }
            if let Some(o) = &t.orphans {
                for k in &o.keys_without_certificate {
                    let kind = if k.private {
                        &c.orphan_private
                    } else {
                        &c.orphan_public
                    };
                    println!(
                        "  {}",
                        fmt(
                            &c.orphan_key,
                            &[("kind", kind), ("label", &k.label), ("id", &k.id)]
                        )
                    );
                }
            }
            for o in &t.damaged {
                let what = crate::repair::describe_object(self.t, o);
                println!("  {}", fmt(&c.damaged_object, &[("what", &what)]));
            }
            if !t.damaged.is_empty() {
                println!("  {}", fmt(&c.repair_hint, &[("serial", &t.token.serial)]));
            }
        }
        self.module_errors(errors);
        Ok(())
    }

    pub fn doctor(&self, d: &EnvironmentReport, json: bool) -> Result<(), serde_json::Error> {
        if json {
            return print_json(d);
        }
        let e = &self.t.environment;
        let c = &self.t.cli;
        let fix = |text: &str| println!("         {}", fmt(&c.fix, &[("text", &text)]));
        println!("{}: {}", e.version, d.app_version);
        println!("{}:", e.modules);
        if d.modules.is_empty() {
            println!("  [{}] {}", self.mark(false), e.modules_none);
            fix(&e.modules_none_fix);
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
                    println!(
                        "  [{}] {vendor} — {path} ({library} {version})",
                        self.mark(true)
                    );
                    for t in tokens {
                        if t.initialized {
                            println!(
                                "         {}",
                                fmt(
                                    &c.doctor_token,
                                    &[
                                        ("label", &t.label),
                                        ("serial", &t.serial),
                                        ("pin", &self.pin(t.pin)),
                                    ]
                                )
                            );
                            match t.pin {
                                PinState::FinalTry => fix(&e.pin_final_try_fix),
                                PinState::Locked => fix(&e.pin_locked_fix),
                                PinState::Ok | PinState::CountLow => {}
                            }
                            for o in &t.damaged {
                                let what = crate::repair::describe(
                                    self.t,
                                    o.kind,
                                    o.handle,
                                    &o.id,
                                    &o.label,
                                    Some(o.damage),
                                );
                                println!(
                                    "         [{}] {}",
                                    self.mark(false),
                                    fmt(&c.damaged_object, &[("what", &what)])
                                );
                            }
                            if !t.damaged.is_empty() {
                                fix(&fmt(&c.repair_hint, &[("serial", &t.serial)]));
                            }
                        } else {
                            println!(
                                "         {}",
                                fmt(
                                    &c.doctor_blank,
                                    &[("blank", &e.token_blank), ("serial", &t.serial)]
                                )
                            );
                            fix(&e.token_blank_fix);
                        }
                    }
                }
                ModuleCheck::Broken {
                    path,
                    vendor,
                    detail,
                } => {
                    println!(
                        "  [{}] {vendor} — {path}: {}",
                        self.mark(false),
                        e.module_broken
                    );
                    println!("         {detail}");
                    fix(&e.module_broken_fix);
                }
            }
        }
        match &d.smart_card {
            SmartCardCheck::Running { readers } => {
                println!(
                    "{}: [{}] {}",
                    e.smart_card,
                    self.mark(true),
                    fmt(
                        &c.doctor_readers,
                        &[("running", &e.smart_card_running), ("n", &readers.len())]
                    )
                );
                for r in readers {
                    let card = if r.card_present {
                        &e.card_present
                    } else {
                        &e.card_absent
                    };
                    println!("  {}: {card}", r.name);
                }
            }
            SmartCardCheck::NotRunning { detail } => {
                println!(
                    "{}: [{}] {}",
                    e.smart_card,
                    self.mark(false),
                    fmt(
                        &c.doctor_detail,
                        &[("what", &e.smart_card_stopped), ("detail", detail)]
                    )
                );
                fix(smart_card_fix(e));
            }
        }
        match &d.ca {
            CaCheck::NotConfigured => println!("{}: {}", e.ca, c.not_checked),
            CaCheck::Online {
                url,
                latency_ms,
                tls,
            } => println!(
                "{}: [{}] {}",
                e.ca,
                self.mark(true),
                fmt(
                    &c.doctor_ca_online,
                    &[
                        ("url", url),
                        ("online", &e.ca_online),
                        ("ms", latency_ms),
                        ("tls", if *tls { &e.ca_tls } else { &e.ca_plain }),
                    ]
                )
            ),
            CaCheck::Unreachable { url } => {
                println!(
                    "{}: [{}] {url} {}",
                    e.ca,
                    self.mark(false),
                    e.ca_unreachable
                );
                fix(&e.fix_ca);
            }
            CaCheck::TlsFailed { url, detail } => {
                println!(
                    "{}: [{}] {url} {}",
                    e.ca,
                    self.mark(false),
                    fmt(
                        &c.doctor_detail,
                        &[("what", &e.ca_tls_failed), ("detail", detail)]
                    )
                );
                fix(&e.ca_tls_fix);
            }
            CaCheck::BadAnswer { url, status } => {
                println!(
                    "{}: [{}] {url} {}",
                    e.ca,
                    self.mark(false),
                    fmt(&e.ca_bad_answer, &[("status", status)])
                );
                fix(&e.ca_bad_answer_fix);
            }
        }
        match d.clock {
            ClockCheck::Unknown => {}
            ClockCheck::InSync { skew_seconds } => println!(
                "{}: [{}] {}",
                e.clock,
                self.mark(true),
                fmt(&e.clock_in_sync, &[("seconds", &skew_seconds)])
            ),
            ClockCheck::Skewed { skew_seconds } => {
                println!(
                    "{}: [{}] {}",
                    e.clock,
                    self.mark(false),
                    fmt(
                        &e.clock_skewed,
                        &[("minutes", &((skew_seconds.unsigned_abs() + 30) / 60))]
                    )
                );
                fix(&e.clock_skewed_fix);
            }
        }
        Ok(())
    }
}

fn smart_card_fix(e: &crate::catalog::Environment) -> &str {
    if cfg!(target_os = "windows") {
        &e.smart_card_fix.windows
    } else if cfg!(target_os = "macos") {
        &e.smart_card_fix.macos
    } else {
        &e.smart_card_fix.linux
    }
}
