use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::CoreError;
use crate::updates::UpdateChannel;

/// UI language. Chinese first: it is the default.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub enum Language {
    #[default]
    #[serde(rename = "zh-CN")]
    ZhCn,
    #[serde(rename = "en")]
    En,
}

/// User settings kept in the app's config dir.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
pub struct Settings {
    pub language: Language,
    /// Overrides the CA service address; `None` uses the built-in default.
    pub ca_url: Option<String>,
    /// PKCS#11 modules the user added beyond the known vendor table.
    pub extra_modules: Vec<String>,
    /// The release channel this installation follows (an administrator may fix it).
    #[serde(default)]
    pub update_channel: UpdateChannel,
    /// Counter mode (受理台): this workstation serves walk-ins at an acceptance point.
    #[serde(default)]
    pub counter: CounterSettings,
}

/// Counter mode's settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ts", derive(ts_rs::TS))]
#[serde(default)]
pub struct CounterSettings {
    /// The 受理台 section and operator sign-in are shown.
    pub enabled: bool,
    /// Minutes without activity before a signed-in counter locks (1 to 480).
    pub idle_minutes: u32,
}

impl Default for CounterSettings {
    fn default() -> Self {
        Self {
            enabled: false,
            idle_minutes: crate::counter::DEFAULT_IDLE_MINUTES,
        }
    }
}

/// Settings kept as JSON in the config dir, written atomically (temp file + rename)
/// so a crash mid-write never leaves a half file behind.
#[derive(Debug, Clone)]
pub struct SettingsStore {
    path: PathBuf,
}

impl SettingsStore {
    pub fn new(config_dir: &Path) -> Self {
        Self {
            path: config_dir.join("settings.json"),
        }
    }

    /// A missing file means defaults; a corrupt one is an error rather than silently
    /// replaced, so the user's choices are not lost without a word.
    pub fn load(&self) -> Result<Settings, CoreError> {
        match std::fs::read(&self.path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| CoreError::CorruptSettings {
                    path: self.path.clone(),
                    source,
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(Settings::default()),
            Err(e) => Err(CoreError::io(&self.path, e)),
        }
    }

    pub fn save(&self, settings: &Settings) -> Result<(), CoreError> {
        let tmp = self.path.with_extension("json.tmp");
        let bytes =
            serde_json::to_vec_pretty(settings).map_err(|source| CoreError::CorruptSettings {
                path: self.path.clone(),
                source,
            })?;
        std::fs::write(&tmp, bytes).map_err(|e| CoreError::io(&tmp, e))?;
        std::fs::rename(&tmp, &self.path).map_err(|e| CoreError::io(&self.path, e))
    }
}

#[derive(Debug, thiserror::Error)]
pub enum CaUrlError {
    #[error("not a URL")]
    NotUrl,
    #[error("only http and https are allowed")]
    Scheme,
}

/// A CA address must be an absolute http(s) URL with a host.
pub fn validate_ca_url(url: &str) -> Result<(), CaUrlError> {
    let parsed = url::Url::parse(url).map_err(|_| CaUrlError::NotUrl)?;
    if !matches!(parsed.scheme(), "http" | "https") {
        return Err(CaUrlError::Scheme);
    }
    if parsed.host_str().is_none_or(str::is_empty) {
        return Err(CaUrlError::NotUrl);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ca_url_validation() {
        assert!(validate_ca_url("https://ca.example.cn/api").is_ok());
        assert!(validate_ca_url("http://127.0.0.1:8443").is_ok());
        assert!(matches!(
            validate_ca_url("ftp://ca.example.cn"),
            Err(CaUrlError::Scheme)
        ));
        assert!(matches!(
            validate_ca_url("ca.example.cn"),
            Err(CaUrlError::NotUrl)
        ));
        assert!(matches!(
            validate_ca_url("file:///etc/passwd"),
            Err(CaUrlError::Scheme)
        ));
    }

    #[test]
    fn defaults_to_chinese_and_round_trips() {
        let dir = tempfile::tempdir().unwrap();
        let store = SettingsStore::new(dir.path());
        assert_eq!(store.load().unwrap().language, Language::ZhCn);
        let s = Settings {
            language: Language::En,
            ..Settings::default()
        };
        store.save(&s).unwrap();
        assert_eq!(store.load().unwrap(), s);
    }

    #[test]
    fn counter_mode_is_off_with_a_ten_minute_idle_lock_by_default() {
        // A settings file from before counter mode reads as counter mode off.
        let old: Settings =
            serde_json::from_str(r#"{"language":"en","ca_url":null,"extra_modules":[]}"#).unwrap();
        assert_eq!(
            old.counter,
            CounterSettings {
                enabled: false,
                idle_minutes: 10
            }
        );
        let partial: Settings = serde_json::from_str(
            r#"{"language":"en","ca_url":null,"extra_modules":[],"counter":{"enabled":true}}"#,
        )
        .unwrap();
        assert_eq!(
            partial.counter,
            CounterSettings {
                enabled: true,
                idle_minutes: 10
            }
        );
    }

    #[test]
    fn corrupt_file_is_reported_not_replaced() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("settings.json"), b"{not json").unwrap();
        let err = SettingsStore::new(dir.path()).load().unwrap_err();
        assert!(matches!(err, CoreError::CorruptSettings { .. }), "{err}");
    }
}
