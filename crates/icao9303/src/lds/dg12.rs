//! DG12: additional document details.
