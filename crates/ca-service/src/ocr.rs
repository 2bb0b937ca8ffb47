//! Business-licence OCR through Debian's tesseract with simplified-Chinese data.
//! Results are suggestions only; absence of tesseract never blocks the flow.

use std::path::Path;

use certdesk_ca_api::application::{OcrResult, OcrSuggestion};
use tokio::process::Command;

/// True when `tesseract` runs and lists the `chi_sim` language.
pub async fn available() -> bool {
    match Command::new("tesseract").arg("--list-langs").output().await {
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout).to_string()
                + &String::from_utf8_lossy(&out.stderr);
            text.lines().any(|l| l.trim() == "chi_sim")
        }
        Err(_) => false,
    }
}

pub async fn recognise(image: &Path) -> OcrResult {
    if !available().await {
        return OcrResult {
            available: false,
            suggestions: Vec::new(),
        };
    }
    let out = Command::new("tesseract")
        .arg(image)
        .arg("stdout")
        .args(["-l", "chi_sim+eng"])
        .output()
        .await;
    let text = match out {
        Ok(o) if o.status.success() => String::from_utf8_lossy(&o.stdout).to_string(),
        _ => String::new(),
    };
    OcrResult {
        available: true,
        suggestions: suggestions(&text),
    }
}

/// Extracts USCC candidates and labelled fields from recognised text.
///
/// A USCC is looked for as a whole run of ASCII letters and digits within one line (spaces
/// the OCR put inside it are dropped). Windows inside a longer run are not taken: a
/// misread that adds a glyph would otherwise yield, now and then, a different code whose
/// check character happens to fit, offered as valid. A run one character too long is
/// mended only when exactly one deletion gives a valid code.
pub fn suggestions(text: &str) -> Vec<OcrSuggestion> {
    let mut out = Vec::new();
    let mut seen = std::collections::BTreeSet::new();
    for line in text.lines() {
        let compact: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        for run in compact.split(|c: char| !c.is_ascii_alphanumeric()) {
            if run.chars().filter(char::is_ascii_digit).count() < 10 {
                continue;
            }
            let run = run.to_ascii_uppercase();
            let found = match run.len() {
                18 => Some((certdesk_ident::uscc(&run).is_ok(), run)),
                19 => one_deletion_fix(&run).map(|fixed| (true, fixed)),
                _ => None,
            };
            if let Some((valid, value)) = found
                && seen.insert(value.clone())
            {
                out.push(OcrSuggestion {
                    field: "uscc".into(),
                    value,
                    valid,
                });
            }
        }
    }
    // A valid candidate first; invalid ones stay flagged as such.
    out.sort_by_key(|s| !s.valid);
    for line in text.lines() {
        let l: String = line.chars().filter(|c| !c.is_whitespace()).collect();
        for (label, field) in [("名称", "name"), ("法定代表人", "legal_rep_name")] {
            if let Some(rest) = l.strip_prefix(label) {
                let v = rest.trim_start_matches([':', '：']).to_string();
                if !v.is_empty() {
                    out.push(OcrSuggestion {
                        field: field.into(),
                        value: v,
                        valid: true,
                    });
                }
            }
        }
    }
    out
}

/// The one valid code a single deletion makes of `run`, if exactly one does.
fn one_deletion_fix(run: &str) -> Option<String> {
    let fixes: std::collections::BTreeSet<String> = (0..run.len())
        .map(|i| format!("{}{}", &run[..i], &run[i + 1..]))
        .filter(|c| certdesk_ident::uscc(c).is_ok())
        .collect();
    match fixes.len() {
        1 => fixes.into_iter().next(),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_uscc_is_never_suggested_as_valid() {
        let good = certdesk_ident::testing::uscc(7);
        let bad = certdesk_ident::testing::uscc_bad_check(8);
        let text = format!(
            "营业执照\n统一社会信用代码 {bad}\n名称：北京示例科技有限公司\n法定代表人 张三\n{good}"
        );
        let s = suggestions(&text);
        let u: Vec<_> = s.iter().filter(|s| s.field == "uscc").collect();
        assert!(u.iter().any(|s| s.value == good && s.valid));
        assert!(u.iter().any(|s| s.value == bad && !s.valid));
        assert!(
            u.iter()
                .filter(|s| s.valid)
                .all(|s| certdesk_ident::uscc(&s.value).is_ok())
        );
        assert!(
            s.iter()
                .any(|s| s.field == "name" && s.value == "北京示例科技有限公司")
        );
        assert!(
            s.iter()
                .any(|s| s.field == "legal_rep_name" && s.value == "张三")
        );
    }

    #[test]
    fn a_run_with_a_stray_glyph_is_mended_only_when_unambiguous_and_never_windowed() {
        let good = certdesk_ident::testing::uscc(11);
        // A doubled digit before the check character (seen from tesseract at 300 dpi).
        let stray = format!("{}{}", &good[..17], &good[16..]);
        let s = suggestions(&format!("统一社会信用代码 {stray}\n名称：示例公司"));
        let u: Vec<_> = s.iter().filter(|s| s.field == "uscc").collect();
        assert!(u.iter().all(|s| s.value.len() == 18), "{u:?}");
        let fix = u.first().expect("the doubled digit is mended");
        assert!(fix.valid && fix.value == good, "{u:?}");
        // The code on one line, the next line's Latin text after it: not glued together.
        let s = suggestions(&format!("代码 {good}\nBan: 示例"));
        assert!(
            s.iter()
                .any(|s| s.field == "uscc" && s.valid && s.value == good),
            "{s:?}"
        );
    }
}
