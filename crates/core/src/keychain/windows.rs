//! Windows: the user's Credential Manager (generic credentials, `windows-native`),
//! roaming with the profile on domain PCs. A credential holds at most 2,560 bytes; the
//! secrets kept here (a data key, a session token) are far below that.

pub(super) const BACKEND: &str = "Windows Credential Manager";
