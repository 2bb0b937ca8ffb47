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
pub fn suggestions(text: &str) -> Vec<OcrSuggestion> {
    let mut out = Vec::new();
    let compact: String = text.chars().filter(|c| !c.is_whitespace()).collect();
    let chars: Vec<char> = compact.chars().collect();
    let mut seen = std::collections::BTreeSet::new();
    for w in chars.windows(18) {
        if w.iter().all(|c| c.is_ascii_alphanumeric())
            && w.iter().filter(|c| c.is_ascii_digit()).count() >= 10
        {
            let s: String = w.iter().map(|c| c.to_ascii_uppercase()).collect();
            if seen.insert(s.clone()) {
                let valid = certdesk_ident::uscc(&s).is_ok();
                out.push(OcrSuggestion {
                    field: "uscc".into(),
                    value: s,
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
}
