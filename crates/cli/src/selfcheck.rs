//! `certdesk-cli doctor --deep`: the USBKey self-check on one inserted token, printed in
//! the environment check's words and saved for the support bundle.

use certdesk_token::{KeyAlgorithm, Outcome, SelfCheckReport, TokenService};

use crate::catalog::{Catalog, Lang, fmt, wire_name};
use crate::failure::Failure;
use crate::secrets;

/// The one token to check: `--token`, or the only one inserted.
pub fn choose(
    tokens: Vec<certdesk_token::TokenInfo>,
) -> Result<certdesk_token::TokenInfo, Failure> {
    let mut tokens = tokens;
    match tokens.len() {
        0 => Err(Failure::NoToken),
        1 => Ok(tokens.remove(0)),
        _ => Err(Failure::SeveralTokens(
            tokens
                .iter()
                .map(|t| t.serial.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        )),
    }
}

pub async fn run(
    svc: &TokenService,
    info: certdesk_token::TokenInfo,
    secrets: &mut secrets::Source,
    lang: Lang,
) -> Result<SelfCheckReport, Failure> {
    let t = lang.catalog();
    let prompt = fmt(
        &t.cli.prompt_self_check_pin,
        &[("label", &info.label), ("serial", &info.serial)],
    );
    let pin = secrets.get(&prompt)?;
    let report = svc.self_check(info.token, pin).await?;
    if let Ok(paths) = certdesk_core::paths::AppPaths::from_env()
        && paths.create_all().is_ok()
        && let Err(e) = certdesk_diagnostics::self_check::save(&paths.data_dir, &report)
    {
        tracing::warn!(error = %e, "self-check report not saved for the support bundle");
    }
    Ok(report)
}

fn outcome(t: &Catalog, o: &Outcome) -> String {
    let word = |k: &str| t.self_check.outcomes.get(k).cloned().unwrap_or_default();
    match o {
        Outcome::Passed => word("passed"),
        Outcome::NotVerifiable => word("not_verifiable"),
        Outcome::Failed { detail } => format!("{} ({detail})", word("failed")),
        Outcome::NotRun => word("not_run"),
    }
}

/// The catalog's key for an algorithm (the CA's channel names).
fn algorithm_key(a: KeyAlgorithm) -> &'static str {
    match a {
        KeyAlgorithm::Rsa2048 => "rsa2048",
        KeyAlgorithm::Rsa3072 => "rsa3072",
        KeyAlgorithm::EcP256 => "ecdsa_p256",
        KeyAlgorithm::Sm2 => "sm2",
    }
}

pub fn print(r: &SelfCheckReport, lang: Lang) {
    let t = lang.catalog();
    let s = &t.self_check;
    println!("{}", s.title);
    println!(
        "  {}",
        fmt(
            &s.token_line,
            &[
                ("label", &r.label),
                ("serial", &r.token.serial),
                ("maker", &r.manufacturer),
                ("model", &r.model),
            ]
        )
    );
    if r.leftovers_removed > 0 {
        println!("  {}", fmt(&s.leftovers, &[("n", &r.leftovers_removed)]));
    }
    for a in &r.algorithms {
        let name = t
            .algorithms
            .get(algorithm_key(a.algorithm))
            .cloned()
            .unwrap_or_default();
        let verdict = if !a.offered {
            &s.not_offered
        } else if a.confirmed {
            &s.confirmed
        } else {
            &s.unconfirmed
        };
        println!("  {name}: {verdict}");
        if let Some(row) = &a.vendor_row {
            println!("      {}", fmt(&s.vendor_row, &[("row", row)]));
        }
        for step in &a.steps {
            let step_name = s
                .steps
                .get(&wire_name(step.step).unwrap_or_default())
                .cloned()
                .unwrap_or_default();
            println!("      {step_name}: {}", outcome(t, &step.outcome));
        }
    }
    if r.untouched {
        println!("  {}", s.untouched);
    } else {
        println!("  {}", fmt(&s.changed, &[("n", &r.changed.len())]));
    }
    println!(
        "{}",
        if r.passed() {
            &s.passed_all
        } else {
            &s.failed_some
        }
    );
}
