//! DG13: optional details, kept raw.
