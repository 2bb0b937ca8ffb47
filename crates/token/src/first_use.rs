//! "Change the PIN at first use" for a USBKey made without its holder (batch making,
//! issue 14 item 1): the token got a random initial PIN printed on a PIN mailer, and
//! its holder must replace it before anything else.
//!
//! PKCS#11 has a flag for this (`CKF_USER_PIN_TO_BE_CHANGED`), but a module sets it
//! only by its own rules and no call lets an application raise it (SoftHSM2 and
//! Kryoptic never do). So CertDesk also leaves its own record **on the token**: a public
//! data object that travels with the key to whichever PC it is used on, read without a
//! PIN, and removed after a successful PIN change. Either one means "change the PIN".

use cryptoki::object::{Attribute, ObjectClass};

use crate::error::Result;
use crate::worker::{TokenRef, TokenService, Worker};

/// `CKA_APPLICATION` and `CKA_LABEL` of the record.
const APPLICATION: &[u8] = b"CertDesk";
const LABEL: &[u8] = b"CertDesk: change the PIN at first use";

fn template() -> [Attribute; 3] {
    [
        Attribute::Class(ObjectClass::DATA),
        Attribute::Application(APPLICATION.to_vec()),
        Attribute::Label(LABEL.to_vec()),
    ]
}

fn marked(w: &mut Worker, token: &TokenRef) -> Result<bool> {
    let s = w.session(token)?;
    Ok(!s.session.find_objects(&template())?.is_empty())
}

impl TokenService {
    /// Leaves the "change the PIN at first use" record on the token (logged in as the
    /// user; idempotent).
    pub async fn require_pin_change(&self, token: TokenRef) -> Result<()> {
        self.call(move |w| {
            if marked(w, &token)? {
                return Ok(());
            }
            let session = w.user_session(&token)?;
            let mut attributes = template().to_vec();
            attributes.extend([
                Attribute::Token(true),
                Attribute::Private(false),
                Attribute::Modifiable(true),
                Attribute::Value(b"1".to_vec()),
            ]);
            session.create_object(&attributes)?;
            Ok(())
        })
        .await
    }

    /// Whether the token's holder must change the PIN before using it: the module says
    /// so (`CKF_USER_PIN_TO_BE_CHANGED`) or CertDesk's record is on it. No PIN needed.
    pub async fn pin_change_required(&self, token: TokenRef) -> Result<bool> {
        self.call(move |w| {
            let (m, slot) = w.find_slot(&token)?;
            if m.ctx.get_token_info(slot)?.user_pin_to_be_changed() {
                return Ok(true);
            }
            marked(w, &token)
        })
        .await
    }

    /// Removes the record after the PIN was changed (logged in as the user). A token
    /// without it is left as it is.
    pub async fn clear_pin_change(&self, token: TokenRef) -> Result<()> {
        self.call(move |w| {
            let session = w.user_session(&token)?;
            for h in session.find_objects(&template())? {
                session.destroy_object(h)?;
            }
            Ok(())
        })
        .await
    }
}
