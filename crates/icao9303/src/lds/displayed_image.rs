//! DG5, DG6, DG7: displayed portrait, other displayed image, displayed signature.
