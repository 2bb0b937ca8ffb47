//! Update rules: the administrator's policy (managed PCs may turn update checks off or fix
//! the channel), and where each channel's signed feed lives.
//!
//! The policy is a JSON file only an administrator can write:
//! Linux `/etc/certdesk/policy.json`, macOS `/Library/Application Support/CertDesk/policy.json`,
//! Windows `%ProgramData%\CertDesk\policy.json` (`CERTDESK_POLICY_FILE` names another, for
//! tests and support). Example: `{"updates": {"enabled": false}}` or
//! `{"updates": {"channel": "stable", "feed": "https://mirror.example.cn/certdesk"}}`.

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

/// Which releases this installation follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(rename_all = "snake_case")]
pub enum UpdateChannel {
    #[default]
    Stable,
    Beta,
}

/// Where the release feeds are served: `<base>/<channel>/latest.json`.
pub const DEFAULT_FEED_BASE: &str = "https://updates.certdesk.cn";

/// What the administrator decided for this computer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UpdatePolicy {
    pub checks_allowed: bool,
    pub fixed_channel: Option<UpdateChannel>,
    /// A feed base of the organisation's own (an internal mirror).
    pub feed_base: Option<String>,
}

impl Default for UpdatePolicy {
    fn default() -> Self {
        Self {
            checks_allowed: true,
            fixed_channel: None,
            feed_base: None,
        }
    }
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct PolicyFile {
    #[serde(default)]
    updates: Option<UpdatesSection>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct UpdatesSection {
    enabled: Option<bool>,
    channel: Option<UpdateChannel>,
    feed: Option<String>,
}

fn policy_path() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("CERTDESK_POLICY_FILE") {
        return Some(PathBuf::from(p));
    }
    if cfg!(target_os = "windows") {
        std::env::var_os("ProgramData").map(|d| PathBuf::from(d).join("CertDesk/policy.json"))
    } else if cfg!(target_os = "macos") {
        Some(PathBuf::from(
            "/Library/Application Support/CertDesk/policy.json",
        ))
    } else {
        Some(PathBuf::from("/etc/certdesk/policy.json"))
    }
}

impl UpdatePolicy {
    /// The policy in force. No file: checks allowed. A file that cannot be read or
    /// understood turns checks off (a managed PC fails closed) and says so in the log.
    pub fn load() -> Self {
        let Some(path) = policy_path() else {
            return Self::default();
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Self::default(),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "update policy unreadable: update checks off");
                return Self::closed();
            }
        };
        match Self::parse(&text) {
            Some(p) => p,
            None => {
                tracing::warn!(path = %path.display(), "update policy not understood: update checks off");
                Self::closed()
            }
        }
    }

    fn closed() -> Self {
        Self {
            checks_allowed: false,
            ..Self::default()
        }
    }

    /// `None` for a file that is not a valid policy.
    pub fn parse(text: &str) -> Option<Self> {
        let file: PolicyFile = serde_json::from_str(text).ok()?;
        let Some(u) = file.updates else {
            return Some(Self::default());
        };
        let feed_base = match u.feed {
            Some(f) => {
                let url = url::Url::parse(&f).ok()?;
                if url.scheme() != "https" || url.host_str().is_none() {
                    return None;
                }
                Some(f.trim_end_matches('/').to_owned())
            }
            None => None,
        };
        Some(Self {
            checks_allowed: u.enabled.unwrap_or(true),
            fixed_channel: u.channel,
            feed_base,
        })
    }

    /// The channel in force: the administrator's, else the user's.
    pub fn channel(&self, chosen: UpdateChannel) -> UpdateChannel {
        self.fixed_channel.unwrap_or(chosen)
    }

    /// The feed of a channel. `CERTDESK_UPDATE_FEED` (a URL with `{channel}`) serves
    /// development and the tests; the administrator's mirror comes before the default.
    pub fn feed_url(&self, channel: UpdateChannel) -> String {
        let name = match channel {
            UpdateChannel::Stable => "stable",
            UpdateChannel::Beta => "beta",
        };
        if let Ok(t) = std::env::var("CERTDESK_UPDATE_FEED")
            && !t.is_empty()
        {
            return t.replace("{channel}", name);
        }
        let base = self.feed_base.as_deref().unwrap_or(DEFAULT_FEED_BASE);
        format!("{base}/{name}/latest.json")
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn no_section_allows_checks() {
        assert_eq!(UpdatePolicy::parse("{}").unwrap(), UpdatePolicy::default());
    }

    #[test]
    fn administrator_turns_checks_off_or_fixes_the_channel() {
        let p = UpdatePolicy::parse(r#"{"updates":{"enabled":false}}"#).unwrap();
        assert!(!p.checks_allowed);
        let p = UpdatePolicy::parse(r#"{"updates":{"channel":"stable"}}"#).unwrap();
        assert!(p.checks_allowed);
        assert_eq!(p.channel(UpdateChannel::Beta), UpdateChannel::Stable);
    }

    #[test]
    fn a_mirror_must_be_https_and_unknown_keys_are_refused() {
        let p = UpdatePolicy::parse(r#"{"updates":{"feed":"https://m.example.cn/cd/"}}"#).unwrap();
        assert_eq!(p.feed_base.as_deref(), Some("https://m.example.cn/cd"));
        assert!(UpdatePolicy::parse(r#"{"updates":{"feed":"http://m.example.cn"}}"#).is_none());
        assert!(UpdatePolicy::parse(r#"{"updates":{"enable":false}}"#).is_none());
        assert!(UpdatePolicy::parse("not json").is_none());
    }
}
