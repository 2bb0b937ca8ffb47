//! Channel (渠道) configuration loaded from TOML.

use std::collections::BTreeMap;
use std::path::Path;

use certdesk_ca_api::agreement::{AcceptedAgreement, Agreement};
use certdesk_ca_api::channel::Channel;
use serde::Deserialize;

/// The sandbox default, used when `--channels` is not given.
pub const SANDBOX_CHANNELS: &str = include_str!("sandbox-channels.toml");

/// The shipped sandbox agreements of `channel_id`, as accepted: what sandbox flows,
/// demos and tests send when they create an application.
pub fn sandbox_accepted(channel_id: &str) -> Vec<AcceptedAgreement> {
    static SANDBOX: std::sync::LazyLock<Option<Channels>> =
        std::sync::LazyLock::new(|| Channels::parse(SANDBOX_CHANNELS).ok());
    SANDBOX
        .as_ref()
        .map(|c| {
            c.agreements_for(channel_id)
                .iter()
                .map(Agreement::accepted)
                .collect()
        })
        .unwrap_or_default()
}

/// The operator certificates' channels, built in whatever `--channels` says.
const OPERATOR_CHANNELS: &str = include_str!("operator-channels.toml");

/// Whether `id` is a built-in operator channel (its certificates get the operator profile).
pub fn is_operator(id: &str) -> bool {
    id.starts_with("operator-")
}

#[derive(Debug, thiserror::Error)]
pub enum ChannelsError {
    #[error("reading {path}: {source}")]
    Read {
        path: String,
        source: std::io::Error,
    },
    #[error("parsing channels TOML: {0}")]
    Parse(#[from] toml::de::Error),
    #[error("duplicate channel id {0}")]
    Duplicate(String),
    #[error("no channels defined")]
    Empty,
    #[error("agreement {kind:?} {version} names unknown channel {channel}")]
    AgreementChannel {
        kind: certdesk_ca_api::agreement::AgreementKind,
        version: String,
        channel: String,
    },
    #[error("channel {0} has two agreements of the same kind")]
    AgreementTwice(String),
}

#[derive(Deserialize)]
struct ChannelsFile {
    channels: Vec<Channel>,
    #[serde(default)]
    agreements: Vec<AgreementEntry>,
}

/// An agreement and the channels it applies to (none listed: every channel).
#[derive(Debug, Clone, Deserialize)]
struct AgreementEntry {
    #[serde(flatten)]
    agreement: Agreement,
    #[serde(default)]
    channels: Vec<String>,
}

impl AgreementEntry {
    fn applies_to(&self, channel_id: &str) -> bool {
        self.channels.is_empty() || self.channels.iter().any(|c| c == channel_id)
    }
}

#[derive(Debug, Clone)]
pub struct Channels {
    by_id: BTreeMap<String, Channel>,
    order: Vec<String>,
    agreements: Vec<AgreementEntry>,
    /// Operator channels: resolved for issuance, never offered.
    internal: BTreeMap<String, Channel>,
}

impl Channels {
    pub fn parse(text: &str) -> Result<Self, ChannelsError> {
        let file: ChannelsFile = toml::from_str(text)?;
        if file.channels.is_empty() {
            return Err(ChannelsError::Empty);
        }
        let internal: ChannelsFile = toml::from_str(OPERATOR_CHANNELS)?;
        let internal: BTreeMap<String, Channel> = internal
            .channels
            .into_iter()
            .map(|c| (c.id.clone(), c))
            .collect();
        let mut by_id = BTreeMap::new();
        let mut order = Vec::new();
        for c in file.channels {
            if by_id.contains_key(&c.id) || is_operator(&c.id) {
                return Err(ChannelsError::Duplicate(c.id));
            }
            order.push(c.id.clone());
            by_id.insert(c.id.clone(), c);
        }
        let channels = Self {
            by_id,
            order,
            agreements: file.agreements,
            internal,
        };
        channels.check_agreements()?;
        Ok(channels)
    }

    fn check_agreements(&self) -> Result<(), ChannelsError> {
        for entry in &self.agreements {
            if let Some(unknown) = entry.channels.iter().find(|c| !self.by_id.contains_key(*c)) {
                return Err(ChannelsError::AgreementChannel {
                    kind: entry.agreement.kind,
                    version: entry.agreement.version.clone(),
                    channel: unknown.clone(),
                });
            }
        }
        for id in &self.order {
            let mut kinds: Vec<_> = self.agreements_for(id).iter().map(|a| a.kind).collect();
            kinds.sort();
            if kinds.windows(2).any(|w| w[0] == w[1]) {
                return Err(ChannelsError::AgreementTwice(id.clone()));
            }
        }
        Ok(())
    }

    /// The agreements an applicant of this channel reads and accepts, current versions.
    pub fn agreements_for(&self, channel_id: &str) -> Vec<Agreement> {
        self.agreements
            .iter()
            .filter(|e| e.applies_to(channel_id))
            .map(|e| e.agreement.clone())
            .collect()
    }

    /// Whether `accepted` names exactly the channel's current agreements.
    pub fn accepts_current(&self, channel_id: &str, accepted: &[AcceptedAgreement]) -> bool {
        let mut current: Vec<_> = self
            .agreements_for(channel_id)
            .iter()
            .map(Agreement::accepted)
            .collect();
        let mut given = accepted.to_vec();
        current.sort();
        given.sort();
        given.dedup();
        current == given
    }

    pub fn load(path: Option<&Path>) -> Result<Self, ChannelsError> {
        match path {
            None => Self::parse(SANDBOX_CHANNELS),
            Some(p) => {
                let text = std::fs::read_to_string(p).map_err(|source| ChannelsError::Read {
                    path: p.display().to_string(),
                    source,
                })?;
                Self::parse(&text)
            }
        }
    }

    /// A channel applicants may see and apply on.
    pub fn get(&self, id: &str) -> Option<&Channel> {
        self.by_id.get(id)
    }

    /// Any channel an application may be on, the operator channels included.
    pub fn get_any(&self, id: &str) -> Option<&Channel> {
        self.by_id.get(id).or_else(|| self.internal.get(id))
    }

    pub fn all(&self) -> Vec<Channel> {
        self.order
            .iter()
            .filter_map(|id| self.by_id.get(id).cloned())
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use certdesk_ca_api::channel::{CertificateSet, IssuanceMode, KeyAlgorithm};

    #[test]
    fn sandbox_default_has_the_required_channels() {
        let c = Channels::parse(SANDBOX_CHANNELS).unwrap().all();
        assert!(c.iter().any(|c| c.key_algorithm == KeyAlgorithm::Rsa2048
            && c.certificate_set == CertificateSet::Single
            && c.issuance == IssuanceMode::Download));
        assert!(c.iter().any(|c| c.key_algorithm == KeyAlgorithm::EcdsaP256));
        assert!(c.iter().any(|c| c.certificate_set == CertificateSet::Dual));
        assert!(c.iter().any(|c| c.paper.is_some()));
        assert!(c.iter().any(|c| c.key_algorithm == KeyAlgorithm::Sm2));
    }

    #[test]
    fn duplicate_ids_refused() {
        let one = SANDBOX_CHANNELS.split("[[channels]]").nth(1).unwrap();
        let text = format!("[[channels]]{one}[[channels]]{one}");
        assert!(matches!(
            Channels::parse(&text),
            Err(ChannelsError::Duplicate(_))
        ));
    }

    fn with_agreements(agreements: &str) -> String {
        let one = SANDBOX_CHANNELS.split("[[channels]]").nth(1).unwrap();
        let one = one.split("[[agreements]]").next().unwrap();
        let two = one.replacen("id = \"sandbox-rsa\"", "id = \"other\"", 1);
        format!("[[channels]]{one}[[channels]]{two}{agreements}")
    }

    const SERVICE: &str = "[[agreements]]\nkind = \"service\"\nversion = \"1\"\n\
        title = { zh = \"服务协议\", en = \"Service\" }\nbody = { zh = \"正文\", en = \"Text\" }\n";

    #[test]
    fn agreements_apply_to_all_channels_or_the_ones_named() {
        let scoped = SERVICE.replace("version = \"1\"", "version = \"2\"\nchannels = [\"other\"]");
        let privacy = scoped.replace("service", "privacy");
        let c = Channels::parse(&with_agreements(&format!("{SERVICE}{privacy}"))).unwrap();
        assert_eq!(c.agreements_for("sandbox-rsa").len(), 1);
        assert_eq!(c.agreements_for("other").len(), 2);
        let accepted: Vec<_> = c
            .agreements_for("other")
            .iter()
            .map(Agreement::accepted)
            .collect();
        assert!(c.accepts_current("other", &accepted));
        assert!(!c.accepts_current("sandbox-rsa", &accepted), "one too many");
        assert!(!c.accepts_current("other", &accepted[..1]), "one missing");
    }

    #[test]
    fn agreements_naming_an_unknown_channel_or_twice_the_same_kind_are_refused() {
        let unknown = SERVICE.replace("version = \"1\"", "version = \"1\"\nchannels = [\"nope\"]");
        assert!(matches!(
            Channels::parse(&with_agreements(&unknown)),
            Err(ChannelsError::AgreementChannel { .. })
        ));
        assert!(matches!(
            Channels::parse(&with_agreements(&format!("{SERVICE}{SERVICE}"))),
            Err(ChannelsError::AgreementTwice(_))
        ));
    }

    #[test]
    fn the_sandbox_channels_all_carry_both_agreements() {
        let c = Channels::parse(SANDBOX_CHANNELS).unwrap();
        for ch in c.all() {
            assert_eq!(sandbox_accepted(&ch.id).len(), 2, "{}", ch.id);
        }
    }
}
