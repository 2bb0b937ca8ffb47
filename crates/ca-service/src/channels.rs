//! Channel (渠道) configuration loaded from TOML.

use std::collections::BTreeMap;
use std::path::Path;

use certdesk_ca_api::channel::Channel;
use serde::Deserialize;

/// The sandbox default, used when `--channels` is not given.
pub const SANDBOX_CHANNELS: &str = include_str!("sandbox-channels.toml");

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
}

#[derive(Deserialize)]
struct ChannelsFile {
    channels: Vec<Channel>,
}

#[derive(Debug, Clone)]
pub struct Channels {
    by_id: BTreeMap<String, Channel>,
    order: Vec<String>,
}

impl Channels {
    pub fn parse(text: &str) -> Result<Self, ChannelsError> {
        let file: ChannelsFile = toml::from_str(text)?;
        if file.channels.is_empty() {
            return Err(ChannelsError::Empty);
        }
        let mut by_id = BTreeMap::new();
        let mut order = Vec::new();
        for c in file.channels {
            if by_id.contains_key(&c.id) {
                return Err(ChannelsError::Duplicate(c.id));
            }
            order.push(c.id.clone());
            by_id.insert(c.id.clone(), c);
        }
        Ok(Self { by_id, order })
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

    pub fn get(&self, id: &str) -> Option<&Channel> {
        self.by_id.get(id)
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
}
