//! Damaged objects on a token (what a token pulled in the middle of a write leaves):
//! how `certs` and `doctor` show them, and `certdesk-cli repair`, which lists them after
//! the PIN (private keys are visible only then) and deletes exactly those, only after
//! confirmation or `--yes`. Nothing else on the token is touched.

use certdesk_token::{TokenInfo, TokenObject, TokenService};
use clap::Args;

use crate::catalog::{Catalog, Lang, fmt, wire_name};
use crate::failure::Failure;
use crate::{Common, secrets};

#[derive(Args, Clone)]
pub struct RepairArgs {
    /// `--token SERIAL` chooses the token when several are inserted.
    #[command(flatten)]
    pub common: Common,
    /// Delete without asking.
    #[arg(long)]
    yes: bool,
    /// Read the PIN (and the confirmation) from stdin, one per line.
    #[arg(long)]
    secrets_stdin: bool,
}

/// One damaged object in words: class, handle, id and label if any, and what is wrong.
/// Takes the wire names (`private_key`, `key_without_id`) so the token's and the
/// environment report's forms of an object read the same.
pub fn describe(
    t: &Catalog,
    kind: impl serde::Serialize,
    handle: u64,
    id: &str,
    label: &str,
    damage: Option<impl serde::Serialize>,
) -> String {
    let r = &t.repair;
    let word = |map: &std::collections::HashMap<String, String>, key: Option<String>| {
        key.and_then(|k| map.get(&k).cloned().or(Some(k)))
            .unwrap_or_default()
    };
    let id = if id.is_empty() {
        r.no_id.clone()
    } else {
        fmt(&r.id, &[("id", &id)])
    };
    let label = if label.is_empty() {
        r.no_label.clone()
    } else {
        fmt(&r.label, &[("label", &label)])
    };
    fmt(
        &t.cli.damaged_object_line,
        &[
            ("kind", &word(&r.kind, wire_name(kind))),
            ("handle", &handle),
            ("id", &id),
            ("label", &label),
            ("damage", &word(&r.damage, damage.and_then(wire_name))),
        ],
    )
}

pub fn describe_object(t: &Catalog, o: &TokenObject) -> String {
    describe(t, o.kind, o.handle, &o.id, &o.label, o.damage)
}

pub async fn run(
    svc: &TokenService,
    info: TokenInfo,
    args: RepairArgs,
    lang: Lang,
) -> Result<(), Failure> {
    let t = lang.catalog();
    let json = args.common.json;
    let token = info.token.clone();
    let mut input = secrets::Source::new(args.secrets_stdin);
    let prompt = fmt(
        &t.cli.prompt_token_pin,
        &[("label", &info.label), ("serial", &info.serial)],
    );
    svc.login(token.clone(), input.get(&prompt)?, false).await?;
    let damaged: Vec<TokenObject> = svc
        .inventory(token.clone())
        .await?
        .damaged()
        .cloned()
        .collect();
    if !json {
        if damaged.is_empty() {
            println!("{}", t.repair.none);
        } else {
            println!(
                "{}",
                fmt(&t.repair.list_intro, &[("count", &damaged.len())])
            );
            for o in &damaged {
                println!("  {}", describe_object(t, o));
            }
            println!("{}", t.repair.only_these);
        }
    }
    let go = !damaged.is_empty() && (args.yes || input.answer(&t.cli.repair_confirm)?);
    let deleted = if go {
        svc.destroy_objects(token.clone(), damaged.clone()).await?
    } else {
        0
    };
    let _ = svc.logout(token).await;
    if json {
        println!(
            "{}",
            serde_json::to_string_pretty(
                &serde_json::json!({ "damaged": damaged, "deleted": deleted })
            )?
        );
    } else if go {
        println!("{}", fmt(&t.repair.done, &[("count", &deleted)]));
    } else if !damaged.is_empty() {
        println!("{}", t.cli.nothing_deleted);
    }
    Ok(())
}
