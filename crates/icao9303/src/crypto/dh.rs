//! Diffie-Hellman groups (RFC 5114) used by PACE and Chip Authentication.
