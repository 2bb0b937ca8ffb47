//! macOS: the user's login keychain through Security.framework (`apple-native`). The
//! first access by a differently signed build (an update signed by another team, a
//! local build) asks the user to allow it; choosing "Always Allow" keeps it quiet.

pub(super) const BACKEND: &str = "macOS Keychain";
