//! Secrets from a prompt (no echo) or from stdin, one per line.

use std::io::BufRead;

use certdesk_token::SecretString;

use crate::failure::InputError;

pub struct Source {
    stdin: bool,
}

impl Source {
    pub fn new(stdin: bool) -> Self {
        Self { stdin }
    }

    pub fn get(&mut self, prompt: &str) -> Result<SecretString, InputError> {
        let line = if self.stdin {
            let mut line = String::new();
            std::io::stdin().lock().read_line(&mut line)?;
            if line.is_empty() {
                return Err(InputError::StdinEnded);
            }
            line.trim_end_matches(['\r', '\n']).to_string()
        } else {
            rpassword::prompt_password(prompt)?
        };
        Ok(SecretString::from(line))
    }

    /// A yes/no answer (echoed: it is no secret), from the same place as the secrets so a
    /// script can give both on stdin. Anything but yes is no.
    pub fn answer(&mut self, prompt: &str) -> Result<bool, InputError> {
        eprint!("{prompt}");
        let mut line = String::new();
        std::io::stdin().lock().read_line(&mut line)?;
        Ok(matches!(
            line.trim().to_lowercase().as_str(),
            "y" | "yes" | "是" | "是的"
        ))
    }
}
