//! Linux: the freedesktop Secret Service on the session D-Bus (GNOME Keyring, KWallet
//! 5.97+, KeePassXC), through `keyring`'s `sync-secret-service` with its own crypto.
//! Entries go into the default collection, which the desktop unlocks at login. Without
//! a session bus or a running service (a bare X session, SSH) every call fails with
//! `Unavailable`; the app then says the keychain is missing instead of writing the
//! secrets to a file. A locked collection raises the desktop's unlock prompt.

pub(super) const BACKEND: &str = "Secret Service (D-Bus)";
