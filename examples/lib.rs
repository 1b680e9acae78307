//! Examples live in this folder's `[[example]]` targets.
