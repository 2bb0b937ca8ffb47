//! What differs per OS for the token layer, one file per OS: where vendors install
//! their PKCS#11 modules, and the name of the smart-card service PC/SC goes through.
//! Every OS's file is compiled everywhere (so each is type-checked and linted on every
//! build); only the running OS's values are used.

mod linux;
mod macos;
mod windows;

/// A vendor, a product and the paths its module is usually installed at.
pub(crate) type KnownModule = (&'static str, &'static str, &'static [&'static str]);

/// One OS's facts.
pub(crate) struct Platform {
    /// Known vendor modules and their usual install paths. Paths for the Chinese
    /// vendors come from their published driver packages and are not verified on
    /// hardware here; a missing file simply does not show up.
    pub known_modules: &'static [KnownModule],
    /// The smart-card service, as the user's OS names it (in messages that tell the
    /// user to start it).
    pub smart_card_service: &'static str,
}

pub(crate) const CURRENT: &Platform = if cfg!(target_os = "windows") {
    &windows::PLATFORM
} else if cfg!(target_os = "macos") {
    &macos::PLATFORM
} else {
    &linux::PLATFORM
};
