//! Which desktop notifications to give: certificate expiry at 90, 30 and 7 days, each
//! once, for inserted and last-seen certificates. Pure decisions over dates and what was
//! already sent; the shell only delivers (and records through
//! [`crate::certificates::CertificateCache::mark_sent`]).

use crate::settings::Language;
use certdesk_ca_api::application::ApplicationStatus;
use serde::Serialize;

use crate::certificates::MyCertificate;
use crate::workflow::ReviewFinished;

/// Days before expiry at which a reminder is given, widest first.
pub const THRESHOLDS: [i64; 3] = [90, 30, 7];

/// The record kind for a threshold (`expiry-90`, …).
pub fn kind(threshold_days: i64) -> String {
    format!("expiry-{threshold_days}")
}

/// One reminder to give.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExpiryReminder {
    /// The certificate's serial: the key under which reminders are recorded.
    pub serial: String,
    pub subject: String,
    pub token_label: String,
    pub threshold_days: i64,
    pub days_left: i64,
    /// Every threshold this reminder covers (the one given and the wider ones it
    /// supersedes), to record as sent so none of them comes later.
    pub covers: Vec<i64>,
}

/// Reminders due at `now_unix` for `certs`, given `sent(serial, kind)`. Only the tightest
/// threshold crossed is given: a certificate first seen 20 days before expiry gets the
/// 30-day reminder, not the 90-day one as well. Expired and revoked certificates get none. The same
/// certificate seen on two tokens is reminded once.
pub fn due(
    certs: &[MyCertificate],
    now_unix: i64,
    mut sent: impl FnMut(&str, &str) -> bool,
) -> Vec<ExpiryReminder> {
    let mut out: Vec<ExpiryReminder> = Vec::new();
    for c in certs {
        let days_left = c.days_left(now_unix);
        // A revoked certificate (replaced by a reissue or a change) is not renewed.
        let revoked = c.standing.as_ref().is_some_and(|s| s.is_revoked());
        if days_left < 0 || revoked || out.iter().any(|r| r.serial == c.serial) {
            continue;
        }
        let Some(threshold) = THRESHOLDS.iter().copied().filter(|t| days_left < *t).min() else {
            continue;
        };
        if sent(&c.serial, &kind(threshold)) {
            continue;
        }
        out.push(ExpiryReminder {
            serial: c.serial.clone(),
            subject: c.subject.clone(),
            token_label: c.token_label.clone(),
            threshold_days: threshold,
            days_left,
            covers: THRESHOLDS
                .iter()
                .copied()
                .filter(|t| *t >= threshold)
                .collect(),
        });
    }
    out
}

/// The common name of a distinguished name, else the whole name.
fn common_name(dn: &str) -> &str {
    dn.split(',')
        .find_map(|p| p.trim().strip_prefix("CN="))
        .unwrap_or(dn)
}

/// A desktop notification's title and body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// The notification for an expiry reminder, in the user's language.
pub fn expiry_notice(r: &ExpiryReminder, lang: Language) -> Notice {
    let name = common_name(&r.subject);
    match lang {
        Language::ZhCn => Notice {
            title: format!("证书将在 {} 天后到期", r.days_left),
            body: format!(
                "USBKey“{}”中的证书“{name}”将在 {} 天后到期，请在“我的证书”中及时办理更新。",
                r.token_label, r.days_left
            ),
        },
        Language::En => Notice {
            title: format!("Certificate expires in {} days", r.days_left),
            body: format!(
                "The certificate \"{name}\" on USBKey \"{}\" expires in {} days; renew it under My certificates.",
                r.token_label, r.days_left
            ),
        },
    }
}

/// The notification for a finished review (issue 6), in the user's language.
pub fn review_notice(r: &ReviewFinished, lang: Language) -> Notice {
    let passed = r.status != ApplicationStatus::Rejected;
    match (lang, passed) {
        (Language::ZhCn, true) => Notice {
            title: "审核已通过".into(),
            body: if r.downloadable {
                format!(
                    "订单 {} 的材料审核已通过。收到密码卡后，插入 USBKey，在“订单管理”中打开这个订单，点击“下载证书”。",
                    r.application_id
                )
            } else {
                format!(
                    "订单 {} 的材料审核已通过。受理点将寄出 USBKey，运单号会以短信通知。",
                    r.application_id
                )
            },
        },
        (Language::ZhCn, false) => Notice {
            title: "审核未通过".into(),
            body: format!(
                "订单 {} 的材料审核未通过，请在“订单管理”中查看原因并修改。",
                r.application_id
            ),
        },
        (Language::En, true) => Notice {
            title: "Review passed".into(),
            body: if r.downloadable {
                format!(
                    "Order {} passed review. When the password card arrives, plug in the USBKey, open the order under Orders and choose \"Download the certificate\".",
                    r.application_id
                )
            } else {
                format!(
                    "Order {} passed review. The acceptance point will mail the USBKey; the tracking number comes by SMS.",
                    r.application_id
                )
            },
        },
        (Language::En, false) => Notice {
            title: "Review not passed".into(),
            body: format!(
                "The documents of order {} did not pass review; see the reasons under Orders.",
                r.application_id
            ),
        },
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use certdesk_token::TokenRef;

    use super::*;

    const DAY: i64 = 86_400;

    include!("../tests/fixtures/listed.rs");

    #[test]
    fn a_revoked_certificate_is_not_reminded() {
        let mut c = listed("aa", 20 * DAY);
        c.standing = Some(crate::standing::Standing::Revoked {
            revoked_at: "2026-11-21T00:00:00Z".into(),
            reason: None,
            checked_at: "2026-11-21T00:00:00Z".into(),
        });
        assert!(due(&[c], 0, |_, _| false).is_empty());
    }

    /// Runs `due` then records what it gave, as the shell does.
    fn step(certs: &[MyCertificate], now: i64, sent: &mut HashSet<(String, String)>) -> Vec<i64> {
        let r = due(certs, now, |s, k| sent.contains(&(s.into(), k.into())));
        for x in &r {
            for t in &x.covers {
                sent.insert((x.serial.clone(), kind(*t)));
            }
        }
        r.iter().map(|x| x.threshold_days).collect()
    }

    #[test]
    fn each_threshold_once_as_time_passes() {
        let expiry = 200 * DAY;
        let certs = [listed("aa", expiry)];
        let mut sent = HashSet::new();
        let mut given = Vec::new();
        for day in 0..=210 {
            // Several looks a day: still once each.
            for hour in [0, 8, 16] {
                given.extend(step(&certs, day * DAY + hour * 3600, &mut sent));
            }
        }
        assert_eq!(given, vec![90, 30, 7]);
    }

    #[test]
    fn far_from_expiry_nothing() {
        assert!(due(&[listed("aa", 120 * DAY)], 0, |_, _| false).is_empty());
        // Exactly 90 whole days left is not yet inside the window.
        assert!(due(&[listed("aa", 90 * DAY)], 0, |_, _| false).is_empty());
        assert_eq!(due(&[listed("aa", 90 * DAY - 1)], 0, |_, _| false).len(), 1);
    }

    #[test]
    fn first_seen_late_gives_only_the_tightest_and_not_the_wider_later() {
        let certs = [listed("aa", 20 * DAY)];
        let mut sent = HashSet::new();
        assert_eq!(step(&certs, 0, &mut sent), vec![30]);
        assert!(sent.contains(&("aa".to_string(), kind(90))));
        assert_eq!(step(&certs, DAY, &mut sent), Vec::<i64>::new());
        assert_eq!(step(&certs, 14 * DAY, &mut sent), vec![7]);
    }

    /// The shell's loop over the real cache: what was given is remembered across a
    /// restart (the database reopened), so a reminder is never given twice.
    #[test]
    #[allow(clippy::unwrap_used)]
    fn given_reminders_survive_a_restart() {
        use crate::certificates::CertificateCache;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("core.sqlite");
        let c = listed("aa", 20 * DAY);
        let give = |cache: &CertificateCache, now: i64| {
            let r = due(std::slice::from_ref(&c), now, |s, k| {
                cache.sent(s, k).unwrap()
            });
            for x in &r {
                for t in &x.covers {
                    cache.mark_sent(&x.serial, &kind(*t), "t").unwrap();
                }
            }
            r.len()
        };
        assert_eq!(give(&CertificateCache::open(&path).unwrap(), 0), 1);
        let reopened = CertificateCache::open(&path).unwrap();
        assert_eq!(give(&reopened, DAY), 0);
        assert_eq!(give(&reopened, 14 * DAY), 1, "the 7-day one");
        assert_eq!(give(&CertificateCache::open(&path).unwrap(), 15 * DAY), 0);
    }

    #[test]
    fn notices_in_both_languages() {
        let r = due(&[listed("aa", 5 * DAY)], 0, |_, _| false).remove(0);
        let mut c = r.clone();
        c.subject = "CN=北京某某科技有限公司,O=x".into();
        let zh = expiry_notice(&c, Language::ZhCn);
        assert!(zh.title.contains("5 天"), "{zh:?}");
        assert!(zh.body.contains("北京某某科技有限公司") && !zh.body.contains("O=x"));
        let en = expiry_notice(&c, Language::En);
        assert!(en.title.contains("5 days"));
        let review = |status| ReviewFinished {
            application_id: "app_1".into(),
            status,
            downloadable: status == ApplicationStatus::Approved,
        };
        assert_eq!(
            review_notice(&review(ApplicationStatus::Approved), Language::ZhCn).title,
            "审核已通过"
        );
        // A passed review says what to do next: download, or wait for the parcel.
        let passed = review_notice(&review(ApplicationStatus::Approved), Language::ZhCn);
        assert!(passed.body.contains("下载证书"), "{passed:?}");
        let mailed = ReviewFinished {
            downloadable: false,
            ..review(ApplicationStatus::Issued)
        };
        assert!(
            review_notice(&mailed, Language::En)
                .body
                .contains("mail the USBKey")
        );
        assert_eq!(
            review_notice(&review(ApplicationStatus::Rejected), Language::ZhCn).title,
            "审核未通过"
        );
        assert_eq!(
            review_notice(&review(ApplicationStatus::Rejected), Language::En).title,
            "Review not passed"
        );
    }

    #[test]
    fn expired_gets_none_and_duplicates_once() {
        assert!(due(&[listed("aa", 10)], 20, |_, _| false).is_empty());
        let r = due(
            &[listed("bb", 5 * DAY), listed("bb", 5 * DAY)],
            0,
            |_, _| false,
        );
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].days_left, 5);
        assert_eq!(r[0].covers, vec![90, 30, 7]);
    }
}
