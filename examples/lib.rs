//! Examples live in this folder's `[[example]]` targets. The README's embedding example is compiled and
//! run here as a doctest, so it cannot rot.

#[doc = include_str!("../README.md")]
mod readme {}
