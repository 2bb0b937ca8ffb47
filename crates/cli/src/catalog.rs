//! The CLI's words come from the app's own catalog files (`ui/src/lib/i18n/shared/`), so
//! the terminal and the window say the same thing, in the same two languages.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde::Deserialize;

/// The language of the output: `--lang`, else `CERTDESK_LANG`, else the locale
/// (`LC_ALL`, `LC_MESSAGES`, `LANG`); Chinese unless the locale is English.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Lang {
    #[value(name = "zh-CN")]
    ZhCn,
    #[value(name = "en")]
    En,
}

impl Lang {
    pub fn detect(explicit: Option<Lang>) -> Lang {
        if let Some(lang) = explicit {
            return lang;
        }
        if let Ok(v) = std::env::var("CERTDESK_LANG") {
            match v.as_str() {
                "en" => return Lang::En,
                "zh-CN" => return Lang::ZhCn,
                _ => {}
            }
        }
        let locale = ["LC_ALL", "LC_MESSAGES", "LANG"]
            .into_iter()
            .filter_map(|k| std::env::var(k).ok())
            .find(|v| !v.is_empty());
        match locale {
            Some(l) if l.starts_with("en") => Lang::En,
            _ => Lang::ZhCn,
        }
    }

    pub fn catalog(self) -> &'static Catalog {
        match self {
            Lang::ZhCn => &ZH_CN,
            Lang::En => &EN,
        }
    }
}

const ZH_CN_JSON: &str = include_str!("../../../ui/src/lib/i18n/shared/zh-CN.json");
const EN_JSON: &str = include_str!("../../../ui/src/lib/i18n/shared/en.json");

// Both files are parsed by a unit test on every build of the tests, so a broken catalog
// never reaches a user.
#[allow(clippy::expect_used)]
static ZH_CN: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(ZH_CN_JSON).expect("zh-CN catalog (tested)"));
#[allow(clippy::expect_used)]
static EN: LazyLock<Catalog> =
    LazyLock::new(|| serde_json::from_str(EN_JSON).expect("en catalog (tested)"));

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Catalog {
    pub environment: Environment,
    pub problems: HashMap<String, String>,
    pub error_details: ErrorDetails,
    pub errors: HashMap<String, String>,
    pub download_steps: HashMap<String, String>,
    pub download_phases: DownloadPhases,
    /// Key algorithms by the names the CA's channels use (`ecdsa_p256`, …).
    pub algorithms: HashMap<String, String>,
    pub self_check: SelfCheck,
    /// Damaged objects and their repair, as 环境检测's repair dialog words them.
    pub repair: Repair,
    pub cli: Cli,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Repair {
    pub none: String,
    pub list_intro: String,
    pub only_these: String,
    pub done: String,
    pub id: String,
    pub no_id: String,
    pub label: String,
    pub no_label: String,
    /// Object classes by their wire names (`private_key`, …).
    pub kind: HashMap<String, String>,
    /// Damage kinds by their wire names (`key_without_id`, …).
    pub damage: HashMap<String, String>,
}

/// The USBKey self-check (`doctor --deep`), as 环境检测 shows it.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct SelfCheck {
    pub title: String,
    pub steps: HashMap<String, String>,
    pub outcomes: HashMap<String, String>,
    pub not_offered: String,
    pub confirmed: String,
    pub unconfirmed: String,
    pub vendor_row: String,
    pub untouched: String,
    pub changed: String,
    pub leftovers: String,
    pub passed_all: String,
    pub failed_some: String,
    pub token_line: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorDetails {
    pub clock_skewed_by: String,
}

#[derive(Deserialize)]
pub struct DownloadPhases {
    pub started: String,
    pub done: String,
    pub skipped: String,
}

#[derive(Deserialize)]
pub struct SmartCardFix {
    pub linux: String,
    pub windows: String,
    pub macos: String,
}

#[derive(Deserialize)]
pub struct PinWords {
    pub ok: String,
    pub count_low: String,
    pub final_try: String,
    pub locked: String,
}

/// The 环境检测 section: `doctor` prints what the app's environment check shows.
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Environment {
    pub version: String,
    pub modules: String,
    pub modules_none: String,
    pub modules_none_fix: String,
    pub module_broken: String,
    pub module_broken_fix: String,
    pub smart_card: String,
    pub smart_card_running: String,
    pub card_present: String,
    pub card_absent: String,
    pub smart_card_stopped: String,
    pub smart_card_fix: SmartCardFix,
    pub token_blank: String,
    pub token_blank_fix: String,
    pub pin: PinWords,
    pub pin_final_try_fix: String,
    pub pin_locked_fix: String,
    pub ca: String,
    pub ca_online: String,
    pub ca_tls: String,
    pub ca_plain: String,
    pub ca_unreachable: String,
    pub ca_tls_failed: String,
    pub ca_tls_fix: String,
    pub ca_bad_answer: String,
    pub ca_bad_answer_fix: String,
    pub fix_ca: String,
    pub clock: String,
    pub clock_in_sync: String,
    pub clock_skewed: String,
    pub clock_skewed_fix: String,
}

/// Words only the terminal needs (prompts, listings, what to do next).
#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Cli {
    pub error: String,
    pub error_code: String,
    pub next_reinsert: String,
    pub next_rerun: String,
    pub next_fix_input: String,
    pub next_doctor: String,
    pub next_choose_token: String,
    pub next_confirm_final_try: String,
    pub next_contact_ca: String,
    pub card_not_spent: String,
    pub card_kept: String,
    pub prompt_card_password: String,
    pub prompt_pin: String,
    pub prompt_token_pin: String,
    pub prompt_self_check_pin: String,
    pub prompt_captcha: String,
    pub stdin_ended: String,
    pub read_failed: String,
    pub resumed: String,
    pub downloaded: String,
    pub downloaded_subject: String,
    pub downloaded_until: String,
    pub no_tokens: String,
    pub token_line: String,
    pub token_module: String,
    pub token_maker: String,
    pub token_pin: String,
    pub token_memory: String,
    pub memory_free: String,
    pub memory_free_only: String,
    pub memory_unknown: String,
    pub module_failed: String,
    pub no_certificates: String,
    pub pair_ca: String,
    pub pair_ok: String,
    pub pair_orphan: String,
    pub pair_unknown: String,
    pub cert_issuer: String,
    pub cert_id: String,
    pub orphan_key: String,
    pub orphan_private: String,
    pub orphan_public: String,
    pub ok: String,
    pub fail: String,
    pub not_checked: String,
    pub fix: String,
    pub doctor_token: String,
    pub doctor_blank: String,
    pub doctor_readers: String,
    pub doctor_ca_online: String,
    pub doctor_detail: String,
    pub damaged_object: String,
    pub damaged_object_line: String,
    pub repair_hint: String,
    pub repair_confirm: String,
    pub nothing_deleted: String,
    pub already_on_token: String,
}

impl Catalog {
    /// The sentence for an IPC error code (`token_absent`, …); the code itself if the
    /// catalog lacks it, which a test rules out for every code.
    pub fn error<'a>(&'a self, code: &'a str) -> &'a str {
        self.errors.get(code).map_or(code, String::as_str)
    }

    pub fn step<'a>(&'a self, step: &'a str) -> &'a str {
        self.download_steps.get(step).map_or(step, String::as_str)
    }
}

/// A unit enum's name as serde writes it (`token_absent`, `key_pair`), which keys the catalog.
pub fn wire_name(v: impl serde::Serialize) -> Option<String> {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
}

/// Fills `{name}` placeholders, as the UI's `fmt` does.
pub fn fmt(template: &str, vars: &[(&str, &dyn std::fmt::Display)]) -> String {
    let mut out = template.to_owned();
    for (name, value) in vars {
        out = out.replace(&format!("{{{name}}}"), &value.to_string());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(v: &serde_json::Value, prefix: &str, out: &mut Vec<String>) {
        if let Some(map) = v.as_object() {
            for (k, child) in map {
                keys(child, &format!("{prefix}.{k}"), out);
            }
        } else {
            out.push(prefix.to_owned());
        }
    }

    #[test]
    fn both_catalogs_parse_and_have_the_same_keys() {
        let _ = &ZH_CN.cli.error;
        let _ = &EN.cli.error;
        let (mut zh, mut en) = (Vec::new(), Vec::new());
        keys(&serde_json::from_str(ZH_CN_JSON).unwrap(), "", &mut zh);
        keys(&serde_json::from_str(EN_JSON).unwrap(), "", &mut en);
        zh.sort();
        en.sort();
        assert_eq!(zh, en);
    }

    /// The closed set of codes, from the generated TypeScript (checked for drift).
    fn error_codes() -> Vec<String> {
        let ts = include_str!("../../../ui/src/lib/ipc/bindings.ts");
        let line = ts
            .lines()
            .find(|l| l.starts_with("export type ErrorCode ="))
            .unwrap();
        line.split('"')
            .skip(1)
            .step_by(2)
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_error_code_has_a_sentence_in_both_languages() {
        let codes = error_codes();
        assert!(codes.len() > 20 && codes.contains(&"token_failed".to_owned()));
        for code in codes {
            for lang in [Lang::ZhCn, Lang::En] {
                let text = lang.catalog().errors.get(&code);
                assert!(text.is_some_and(|t| !t.is_empty()), "{lang:?} lacks {code}");
            }
        }
    }

    #[test]
    fn chinese_unless_the_locale_or_a_flag_says_english() {
        assert_eq!(Lang::detect(Some(Lang::En)), Lang::En);
        assert_eq!(Lang::detect(Some(Lang::ZhCn)), Lang::ZhCn);
    }

    #[test]
    fn placeholders_are_filled() {
        assert_eq!(fmt("剩余 {n} 天，{n}", &[("n", &3)]), "剩余 3 天，3");
    }
}
