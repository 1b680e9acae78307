//! Passwords for access control: the MRZ key and the Card Access Number (CAN).
