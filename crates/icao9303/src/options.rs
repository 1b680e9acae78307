//! What a caller can choose about a read: how files are read, which checks run, and what they trust.

/// Choices a caller can make about a session.
#[derive(Debug, Clone)]
pub struct ReaderOptions {
    /// Read with short file identifiers (READ BINARY with SFI) instead of SELECT + READ BINARY. The reader
    /// falls back to SELECT on its own when a chip refuses SFI reads.
    pub use_short_file_ids: bool,
    /// An upper bound on the plaintext bytes asked for by one READ BINARY (the reader may go lower when the
    /// chip answers 6700 or 6Cxx).
    pub max_read_block: Option<usize>,
    /// The largest file the reader accepts, in bytes (TLV header included): a file whose header declares
    /// more ends the read with [`crate::Error::ReadLimit`]. Default 1 MiB, enough for real DG2 and DG3.
    pub max_file_len: usize,
    /// The most READ BINARY commands one file may take (retries after 6700 / 6Cxx included): a chip that
    /// has not delivered the file by then ends the read with [`crate::Error::ReadLimit`]. Default 8192.
    pub max_read_rounds: usize,
    /// Data groups to read besides those EF.COM and EF.SOD list.
    pub extra_data_groups: Vec<u8>,
    /// Trust anchors (CSCAs, CRLs) for passive authentication. Without them the EF.SOD signature is still
    /// verified and the certificate chain is reported as not checked.
    pub trust: Option<std::sync::Arc<crate::pki::TrustStore>>,
    /// Reference time for certificate validity; the system clock when `None`.
    pub at: Option<crate::pki::Time>,
    /// Run Chip Authentication when DG14 offers it ([`crate::reader::Reader::read_document_with_rng`]).
    pub chip_authentication: bool,
    /// Run Active Authentication when DG15 is present ([`crate::reader::Reader::read_document_with_rng`]).
    pub active_authentication: bool,
    /// The Active Authentication challenge to send (so a remote verifier can bind the session); a fresh
    /// one from the RNG when `None`.
    pub aa_challenge: Option<[u8; 8]>,
    /// Use BAC when PACE fails for a reason other than a wrong password. Off by default: a silent
    /// downgrade from PACE to BAC is an attack; the report marks a fallback.
    pub allow_bac_fallback: bool,
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            use_short_file_ids: true,
            max_read_block: None,
            max_file_len: crate::read_plan::DEFAULT_MAX_FILE_LEN,
            max_read_rounds: crate::read_plan::DEFAULT_MAX_READ_ROUNDS,
            extra_data_groups: Vec::new(),
            trust: None,
            at: None,
            chip_authentication: true,
            active_authentication: true,
            aa_challenge: None,
            allow_bac_fallback: false,
        }
    }
}
