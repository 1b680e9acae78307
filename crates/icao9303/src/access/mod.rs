//! Access control: the password a terminal proves it knows (MRZ or CAN), BAC and PACE.

pub mod bac;
pub mod pace;
pub mod password;
pub use password::Password;
