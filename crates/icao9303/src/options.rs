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
    /// Data groups not to read although EF.COM or EF.SOD lists them (DG1, which the report needs, is read
    /// regardless). The verdict names them "left out by request" and does not hold their absence against
    /// the document ([`crate::verify::Scope::left_out`]); without Chip or Active Authentication's key
    /// file left out, that mechanism cannot run.
    pub leave_out: Vec<u8>,
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
    /// When to use extended-length READ BINARY (see [`ExtendedLengthPolicy`]).
    pub extended_length: ExtendedLengthPolicy,
    /// Read the image data groups (DG2 face, DG3 fingerprints, DG4 iris, DG5 portrait, DG6, DG7
    /// signature). They are read last, so a read without them (the MRZ and an authenticity check) stops
    /// early; the report names them "left out by request", as with [`ReaderOptions::leave_out`].
    pub read_images: bool,
    /// The inspection system's certificates and key for Terminal Authentication (EAC), which opens DG3
    /// (fingerprints) and DG4 (iris). It runs after a successful Chip Authentication
    /// ([`crate::reader::Reader::read_document_with_rng`]); without credentials DG3/DG4 are not read and
    /// the report says why.
    pub terminal: Option<crate::auth::terminal::TerminalCredentials>,
}

/// The default bound on a file's declared length ([`ReaderOptions::max_file_len`]): large enough for a
/// real DG2 or DG3 (tens to a few hundred kilobytes).
pub const DEFAULT_MAX_FILE_LEN: usize = 1 << 20;

/// The default bound on READ BINARY commands per file ([`ReaderOptions::max_read_rounds`]): a file of
/// [`DEFAULT_MAX_FILE_LEN`] bytes in blocks of 0xDF bytes takes 4,703, with room for the retries of a chip
/// that refuses sizes.
pub const DEFAULT_MAX_READ_ROUNDS: usize = 8192;

/// When the reader uses extended-length READ BINARY under secure messaging.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExtendedLengthPolicy {
    /// When the link and the chip announce it; when the link may carry it but the chip announced
    /// nothing, one probe: the first file larger than a short block asks for its whole remainder in one
    /// extended READ BINARY, and the chip's answer decides the rest of the session (data: extended
    /// length; an error: short blocks; no answer: resume with short blocks).
    #[default]
    Auto,
    /// Always, as far as the link carries it (the user knows the chip takes it).
    On,
    /// Never: short blocks only, no probe.
    Off,
}

impl ExtendedLengthPolicy {
    /// `auto`, `on` or `off`.
    pub fn as_str(self) -> &'static str {
        match self {
            ExtendedLengthPolicy::Auto => "auto",
            ExtendedLengthPolicy::On => "on",
            ExtendedLengthPolicy::Off => "off",
        }
    }
}

impl Default for ReaderOptions {
    fn default() -> Self {
        ReaderOptions {
            use_short_file_ids: true,
            max_read_block: None,
            max_file_len: DEFAULT_MAX_FILE_LEN,
            max_read_rounds: DEFAULT_MAX_READ_ROUNDS,
            extra_data_groups: Vec::new(),
            leave_out: Vec::new(),
            trust: None,
            at: None,
            chip_authentication: true,
            active_authentication: true,
            aa_challenge: None,
            allow_bac_fallback: false,
            extended_length: ExtendedLengthPolicy::Auto,
            read_images: true,
            terminal: None,
        }
    }
}
