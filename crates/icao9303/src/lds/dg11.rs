//! DG11: additional personal details.
