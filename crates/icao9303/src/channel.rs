//! The channel a protocol step talks to the chip through: a command goes out through secure messaging
//! when a session is active, and the response comes back checked and decrypted.
//!
//! Access control ([`crate::access`]) and chip authentication ([`crate::auth`]) depend only on these
//! traits; the reading session behind [`crate::reader::Reader`] implements them on top of a
//! [`crate::transport::Transport`], and tests implement them on recorded exchanges.

use crate::apdu::{CommandApdu, ResponseApdu};
use crate::sm::SecureMessaging;

/// Exchanges command APDUs for responses during a protocol step, through secure messaging when a session
/// is active. `step` names the step for error messages ("BAC: EXTERNAL AUTHENTICATE").
pub trait Channel {
    /// Sends `command` and returns the (unprotected) response. A status word other than success is not an
    /// error here: the protocol step decides.
    fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, crate::Error>;
}

/// A channel whose secure messaging session can be replaced (Chip Authentication restarts it).
pub trait SecureChannel: Channel {
    /// Ends the current session and continues with `sm`.
    fn restart_secure_messaging(&mut self, sm: SecureMessaging);
}
