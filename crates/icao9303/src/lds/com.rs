//! com
