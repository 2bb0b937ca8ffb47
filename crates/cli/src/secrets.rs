//! Secrets from a prompt (no echo) or from stdin, one per line.

use std::io::BufRead;

use anyhow::{Context, bail};
use certdesk_token::SecretString;

pub struct Source {
    stdin: bool,
}

impl Source {
    pub fn new(stdin: bool) -> Self {
        Self { stdin }
    }

    pub fn get(&mut self, prompt: &str) -> anyhow::Result<SecretString> {
        let line = if self.stdin {
            let mut line = String::new();
            std::io::stdin()
                .lock()
                .read_line(&mut line)
                .context("reading a secret from stdin")?;
            if line.is_empty() {
                bail!("stdin ended before all secrets were read");
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        } else {
            rpassword::prompt_password(prompt).context("reading a secret from the terminal")?
        };
        Ok(SecretString::from(line))
    }
}
