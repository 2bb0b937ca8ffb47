//! Which PKCS#11 modules the app uses. `CERTDESK_PKCS11_MODULE` (tests, support) names
//! a module, or several as a path list (`:`-separated; `;` on Windows), or `none` to turn
//! token detection off; otherwise the user's own modules (Settings) and the known vendor
//! modules found on this machine. The app watches and downloads with one module; batch
//! making takes blank tokens from every module (a point may stock two vendors' keys).

use std::path::PathBuf;

/// The environment variable that overrides the choice.
pub const OVERRIDE_ENV: &str = "CERTDESK_PKCS11_MODULE";

#[derive(Debug, Clone, PartialEq, Eq)]
enum Override {
    /// Token detection off.
    Off,
    /// At least one.
    Modules(Vec<PathBuf>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModuleChoice {
    user: Vec<PathBuf>,
    over: Option<Override>,
}

impl ModuleChoice {
    /// The user's modules and the override from the environment.
    pub fn from_env(user_modules: &[String]) -> Self {
        Self::new(user_modules, std::env::var(OVERRIDE_ENV).ok().as_deref())
    }

    fn new(user_modules: &[String], over: Option<&str>) -> Self {
        Self {
            user: user_modules.iter().map(PathBuf::from).collect(),
            over: match over {
                Some("none") => Some(Override::Off),
                Some(v) if !v.is_empty() => {
                    let list: Vec<PathBuf> = std::env::split_paths(v)
                        .filter(|p| !p.as_os_str().is_empty())
                        .collect();
                    (!list.is_empty()).then_some(Override::Modules(list))
                }
                _ => None,
            },
        }
    }

    /// The module the app watches and downloads with: the override, else the first
    /// module present among the user's and the known vendor modules.
    pub fn watched(&self) -> Option<PathBuf> {
        match &self.over {
            Some(Override::Off) => None,
            Some(Override::Modules(list)) => list.first().cloned(),
            None => self.present().into_iter().next(),
        }
    }

    /// The modules batch making takes blank tokens from: every one named, else every
    /// module present among the user's and the known vendor modules.
    pub fn making(&self) -> Vec<PathBuf> {
        match &self.over {
            Some(Override::Off) => Vec::new(),
            Some(Override::Modules(list)) => list.clone(),
            None => self.present(),
        }
    }

    fn present(&self) -> Vec<PathBuf> {
        certdesk_token::discover(&self.user)
            .into_iter()
            .filter(|c| c.exists)
            .map(|c| c.path)
            .collect()
    }

    /// The modules the environment check looks at, and whether only those (an
    /// override narrows the check to it; no known vendor modules are added).
    pub fn checked(&self) -> (Vec<PathBuf>, bool) {
        let mut modules = self.user.clone();
        match &self.over {
            Some(Override::Off) => (modules, true),
            Some(Override::Modules(list)) => {
                modules.extend(list.iter().cloned());
                (modules, true)
            }
            None => (modules, false),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_override_wins_and_none_turns_detection_off() {
        let user = ["/opt/vendor/p11.so".to_string()];
        let off = ModuleChoice::new(&user, Some("none"));
        assert_eq!(off.watched(), None);
        assert_eq!(off.checked(), (vec![PathBuf::from(&user[0])], true));

        let named = ModuleChoice::new(&user, Some("/x/softhsm2.so"));
        assert_eq!(named.watched(), Some(PathBuf::from("/x/softhsm2.so")));
        let (checked, only) = named.checked();
        assert!(only && checked.contains(&PathBuf::from("/x/softhsm2.so")));

        assert_eq!(named.making(), [PathBuf::from("/x/softhsm2.so")]);
        assert!(off.making().is_empty());

        let unset = ModuleChoice::new(&user, Some(""));
        assert_eq!(unset.checked(), (vec![PathBuf::from(&user[0])], false));
    }

    #[test]
    fn a_path_list_names_several_modules_the_first_watched() {
        let list = std::env::join_paths(["/x/softhsm2.so", "/y/kryoptic.so"]).unwrap();
        let both = ModuleChoice::new(&[], list.to_str());
        assert_eq!(both.watched(), Some(PathBuf::from("/x/softhsm2.so")));
        assert_eq!(
            both.making(),
            [
                PathBuf::from("/x/softhsm2.so"),
                PathBuf::from("/y/kryoptic.so")
            ]
        );
        assert_eq!(both.checked().0.len(), 2);
    }
}
