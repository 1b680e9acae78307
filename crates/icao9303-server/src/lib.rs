//! `mrtd serve`: verification of eMRTD documents over HTTP, with a history that proves what was checked.
//!
//! A caller (a tenant, with its API key) posts a document — a dump's files, a DTC-VC, or a JSON Lines
//! batch — and gets the report the CLI would print, the check's id and a signed receipt. The service keeps
//! what was concluded and against what (verdict, every check result, issuing state, document type, trust
//! store and software versions, keyed fingerprints), never the document's data; appends every change to a
//! hash-chained audit log; and answers history and statistics queries scoped to the tenant.
//!
//! Modules: [`server`] (start, listener, signals, offline commands), [`api`] (routes, authentication,
//! handlers), [`verification`] (document → report → stored check and answer), [`db`] (SQLite and
//! PostgreSQL, one schema), [`audit`] (the chain), [`receipt`] (JWS), [`keys`] (master key, per-tenant
//! fingerprint and sealing keys), [`trust`] (the store, its version, reloads), [`limits`], [`metrics`],
//! [`openapi`], [`clock`].

pub mod api;
pub mod audit;
pub mod clock;
pub mod db;
pub mod keys;
pub mod limits;
pub mod metrics;
pub mod openapi;
pub mod receipt;
pub mod server;
#[cfg(feature = "test-support")]
pub mod test_support;
pub mod trust;
pub mod verification;

pub use limits::Limits;
pub use server::{NewTenant, ServeConfig, StoreConfig, add_tenant, purge, serve, verify_audit};
pub use trust::TrustLoader;
