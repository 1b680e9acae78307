//! Reading a document: authenticate, read the files, authenticate the chip, and verify what was read into
//! a [`Document`] and a [`Report`].
//!
//! ```text
//! Reader ─ authenticate (session: EF.CardAccess → PACE / BAC → secure messaging)
//!        ─ read:   EF.SOD, EF.COM → DG14, DG15 → Active / Chip Authentication → Terminal Authentication
//!                  (with the inspection system's credentials) → the other data groups → images
//!        ─ report: Document → passive authentication → PACE-CAM → chip authenticity, read statistics
//! ```
//!
//! Only what is needed is read, and nothing twice: EF.SOD and EF.COM list the data groups, the caller adds
//! its own, and the image data groups come last so a read without them stops early. The reading session (transport, secure messaging, selection, access control,
//! the read plan and its statistics) is in the `session` module; this one only runs its steps in order.

use crate::Error;
use crate::access::Password;
use crate::access::pace::CamData;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::auth::RunOutcome;
use crate::auth::terminal::{self, TaError, TerminalCredentials};
use crate::document::Document;
use crate::lds::LdsFile;
use crate::read_stats::{
    PHASE_ACCESS_CONTROL, PHASE_CHIP_AUTHENTICATION, PHASE_RESUME, PHASE_TERMINAL_AUTHENTICATION,
};
use crate::report::{AccessReport, Check, CheckId, NotCovered, NotCoveredReason, Report, Verdict};
use crate::session::Session;
use crate::transport::Transport;
use rand_core::CryptoRng;
use std::collections::BTreeSet;

pub use crate::options::ReaderOptions;
pub use crate::session::{EMRTD_AID, ProgressHook};

/// What a read does when the link fails: `Ok(true)` after re-establishing access (with the RNG, if any),
/// `Ok(false)` to give up.
type Recover<'a, T, R> =
    dyn FnMut(&mut Session<T>, &Error, Option<&mut R>) -> Result<bool, Error> + 'a;

/// A session with one chip over a [`Transport`].
pub struct Reader<T: Transport> {
    session: Session<T>,
}

/// The steps of a read after access control, in the order they run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Step {
    /// EF.SOD and EF.COM: which data groups the chip holds.
    ReadIndex,
    /// DG14 and DG15: the keys of Chip and Active Authentication.
    ReadKeyFiles,
    /// Active Authentication and Chip Authentication (only with an RNG).
    ChipAuthentication,
    /// Terminal Authentication, when the options carry an inspection system's credentials: opens DG3
    /// and DG4 as far as its certificate chain grants.
    TerminalAuthentication,
    /// The other data groups but the images, under the keys Chip Authentication established.
    ReadDataGroups,
    /// The image data groups, last (or not at all when the caller leaves them out).
    ReadImages,
}

const STEPS: [Step; 6] = [
    Step::ReadIndex,
    Step::ReadKeyFiles,
    Step::ChipAuthentication,
    Step::TerminalAuthentication,
    Step::ReadDataGroups,
    Step::ReadImages,
];

/// What the steps of one read have gathered so far.
struct ReadState<'r, R: CryptoRng + ?Sized> {
    rng: Option<&'r mut R>,
    /// The files read, in order.
    files: Vec<(LdsFile, Vec<u8>)>,
    /// Report lines about the read itself (files missing or refused, resumes, a BAC fallback).
    notes: Vec<Check>,
    /// The data groups to read: those EF.SOD and EF.COM list, DG1, and the caller's extra ones, less
    /// those the caller leaves out.
    wanted: BTreeSet<u8>,
    /// The data groups the caller left out (images without `read_images`, `leave_out`) that EF.SOD or
    /// EF.COM list: not read, "left out by request".
    left_out: BTreeSet<u8>,
    /// Why each data group wanted and not delivered was not read, for the verdict's coverage.
    absent: Vec<NotCovered>,
    /// What Active and Chip Authentication gave, once they ran.
    chip_auth: Option<RunOutcome>,
    /// What Terminal Authentication gave, when the read had credentials for it, and how many times the
    /// read had resumed then (a resumed session has not run it).
    terminal_auth: Option<(Verdict, usize)>,
}

/// DG14 (Chip Authentication) and DG15 (Active Authentication): read before the other data groups so
/// chip authentication can run first.
fn is_key_file(n: u8) -> bool {
    matches!(n, 14 | 15)
}

/// The image data groups (DG2 face, DG3 fingerprints, DG4 iris, DG5 displayed portrait, DG6 reserved,
/// DG7 displayed signature): the bulk of a read, read last.
fn is_image(n: u8) -> bool {
    (2..=7).contains(&n)
}

impl<T: Transport> Reader<T> {
    /// A session over `transport` with default options.
    pub fn new(transport: T) -> Self {
        Self::with_options(transport, ReaderOptions::default())
    }

    /// A session over `transport` with the given options.
    pub fn with_options(transport: T, options: ReaderOptions) -> Self {
        Reader {
            session: Session::new(transport, options),
        }
    }

    /// Reports reading progress to `hook` (e.g. a progress bar): once a file's length is known and after every
    /// block read.
    pub fn set_progress(&mut self, hook: ProgressHook) {
        self.session.set_progress(hook);
    }

    /// The PACE-CAM chip authentication data of this session, if PACE-CAM was used.
    pub fn chip_auth_data(&self) -> Option<&CamData> {
        self.session.chip_auth_data()
    }

    /// EF.CardAccess as read before access control, if the chip has one.
    pub fn card_access(&self) -> Option<&[u8]> {
        self.session.card_access()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        self.session.transport()
    }

    /// The transport, mutably (e.g. to read a link model's counters between steps).
    pub fn transport_mut(&mut self) -> &mut T {
        self.session.transport_mut()
    }

    /// The transport, for callers that need it back.
    pub fn into_transport(self) -> T {
        self.session.into_transport()
    }

    /// How access was gained, once [`Reader::authenticate`] succeeded.
    pub fn access(&self) -> Option<&AccessReport> {
        self.session.access()
    }

    /// Sends one command through secure messaging when active.
    pub fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        self.session.exchange(step, command)
    }

    /// Selects the eMRTD application by its AID (no Le, as field lesson 1 says).
    pub fn select_application(&mut self) -> Result<(), Error> {
        self.session.select_application()
    }

    /// Gains access to the chip with `password` and establishes secure messaging: PACE when EF.CardAccess
    /// offers it, else BAC.
    ///
    /// The random values of the protocol are drawn from `rng` (see each protocol for the order), so a
    /// session replays deterministically from a recorded trace.
    pub fn authenticate<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
    ) -> Result<&AccessReport, Error> {
        self.session.enter_phase(PHASE_ACCESS_CONTROL);
        let result = self.session.authenticate(password, rng).map(|_| ());
        self.session.leave_phase();
        result?;
        self.session
            .access()
            .ok_or_else(|| Error::protocol("access control", "no access report"))
    }

    /// What the session's exchanges cost so far: APDUs, bytes, block sizes, the extended-length probe,
    /// resumes and the time of each phase (also in the report of a read).
    pub fn read_stats(&self) -> crate::read_stats::ReadStats {
        self.session.read_stats()
    }

    /// Reads a whole file in the current dedicated file. Returns `None` when the chip has no such file.
    pub fn read_file(&mut self, file: LdsFile) -> Result<Option<Vec<u8>>, Error> {
        self.session.read_file(file)
    }

    /// Reads EF.SOD, EF.COM and every data group they list (plus those asked for; the images last,
    /// unless left out), then verifies them. Runs no chip authentication (it needs randomness): see
    /// [`Reader::read_document_with_rng`].
    pub fn read_document(&mut self) -> Result<(Document, Report), Error> {
        self.read_all(
            None::<&mut dyn CryptoRng>,
            &mut |_: &mut Session<T>, _: &Error, _| Ok(false),
        )
    }

    /// As [`Reader::read_document`], and runs Active Authentication (DG15) and Chip Authentication (DG14)
    /// with random values from `rng`, as the options allow; the data groups after DG14 and DG15 are read
    /// under the keys Chip Authentication established. The report gets `chip_authenticity`.
    pub fn read_document_with_rng<R: CryptoRng + ?Sized>(
        &mut self,
        rng: &mut R,
    ) -> Result<(Document, Report), Error> {
        self.read_all(
            Some(rng),
            &mut |_: &mut Session<T>, _: &Error, _: Option<&mut R>| Ok(false),
        )
    }

    /// Like [`Reader::read_document`], but when the card is lost mid-read (the link fails), or the chip
    /// ends secure messaging after refusing the extended-length probe ([`Error::SessionDropped`]), it
    /// reconnects, re-establishes access with the same password (a new PACE or BAC run drawing from
    /// `rng`) and continues from the offset reached, up to `max_resumes` times. The report says how often
    /// it resumed.
    /// Chip and Active Authentication run as in [`Reader::read_document_with_rng`].
    pub fn read_document_resuming<R: CryptoRng + ?Sized>(
        &mut self,
        password: &Password,
        rng: &mut R,
        max_resumes: usize,
    ) -> Result<(Document, Report), Error> {
        let mut left = max_resumes;
        self.read_all(
            Some(rng),
            &mut |session: &mut Session<T>, lost: &Error, rng: Option<&mut R>| {
                if left == 0 {
                    return Ok(false);
                }
                left -= 1;
                tracing::info!(error = %lost, "reconnecting to resume the read");
                session.enter_phase(PHASE_RESUME);
                session.reconnect()?;
                let rng = rng.ok_or_else(|| Error::Usage("no RNG to re-authenticate".into()))?;
                session.reauthenticate(password, rng)?;
                Ok(true)
            },
        )
    }

    /// Runs the steps of a read, then verifies what was read.
    fn read_all<R: CryptoRng + ?Sized>(
        &mut self,
        rng: Option<&mut R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<(Document, Report), Error> {
        let mut wanted: BTreeSet<u8> = self
            .session
            .options()
            .extra_data_groups
            .iter()
            .copied()
            .collect();
        wanted.insert(1);
        let mut state = ReadState {
            rng,
            files: Vec::new(),
            notes: self.session.take_notes(),
            wanted,
            left_out: BTreeSet::new(),
            absent: Vec::new(),
            chip_auth: None,
            terminal_auth: None,
        };
        for step in STEPS {
            let result = self.run_step(step, &mut state, recover);
            self.session.leave_phase();
            result?;
        }
        Ok(self.report(state))
    }

    fn run_step<R: CryptoRng + ?Sized>(
        &mut self,
        step: Step,
        state: &mut ReadState<'_, R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<(), Error> {
        match step {
            Step::ReadIndex => {
                self.read_index(state, recover)?;
                self.leave_out(state);
                Ok(())
            }
            Step::ReadKeyFiles => {
                let key_files: Vec<u8> = state
                    .wanted
                    .iter()
                    .copied()
                    .filter(|n| is_key_file(*n))
                    .collect();
                self.read_data_groups(&key_files, state, recover)
            }
            Step::ChipAuthentication => {
                if let Some(rng) = state.rng.as_deref_mut() {
                    self.session.enter_phase(PHASE_CHIP_AUTHENTICATION);
                    let options = self.session.options().clone();
                    state.chip_auth = Some(crate::auth::run(
                        &mut self.session.link(),
                        &options,
                        &state.files,
                        rng,
                    ));
                }
                Ok(())
            }
            Step::TerminalAuthentication => {
                let Some(credentials) = self.session.options().terminal.clone() else {
                    return Ok(());
                };
                let verdict = self.terminal_authentication(&credentials, state, recover)?;
                state
                    .notes
                    .push(Check::new(CheckId::TerminalAuthentication, verdict.clone()));
                state.terminal_auth = Some((verdict, self.session.read_stats().resumes));
                Ok(())
            }
            Step::ReadDataGroups => {
                let others: Vec<u8> = state
                    .wanted
                    .iter()
                    .copied()
                    .filter(|n| (1..=16).contains(n) && !is_key_file(*n) && !is_image(*n))
                    .collect();
                self.read_data_groups(&others, state, recover)
            }
            Step::ReadImages => {
                let images: Vec<u8> = state
                    .wanted
                    .iter()
                    .copied()
                    .filter(|n| is_image(*n))
                    .collect();
                self.read_data_groups(&images, state, recover)
            }
        }
    }

    /// Takes the data groups the caller leaves out (the images without `read_images`, and
    /// `leave_out`; never DG1) out of those to read, with a note each: the verdict names them "left out
    /// by request" ([`crate::verify::Scope::left_out`]).
    fn leave_out<R: CryptoRng + ?Sized>(&self, state: &mut ReadState<'_, R>) {
        let options = self.session.options();
        let left: Vec<u8> = state
            .wanted
            .iter()
            .copied()
            .filter(|n| {
                *n != 1 && (options.leave_out.contains(n) || (!options.read_images && is_image(*n)))
            })
            .collect();
        for n in left {
            state.wanted.remove(&n);
            state.left_out.insert(n);
            let reason = if is_image(n) && !options.read_images {
                "not read: left out by request (the read leaves out images)"
            } else {
                "not read: left out by request"
            };
            state.notes.push(Check::not_checked(
                CheckId::FileRead(LdsFile::Dg(n)),
                reason,
            ));
        }
    }

    /// Notes that data group `n` was not read, and why, for the checks and the verdict's coverage.
    fn not_read<R: CryptoRng + ?Sized>(
        state: &mut ReadState<'_, R>,
        n: u8,
        reason: NotCoveredReason,
        detail: String,
    ) {
        state.notes.push(Check::not_checked(
            CheckId::FileRead(LdsFile::Dg(n)),
            detail.clone(),
        ));
        state.absent.push(NotCovered::new(n, reason, detail));
    }

    /// Why DG3 or DG4 cannot be read in this session, as far as Terminal Authentication goes: `None`
    /// when it succeeded in this very session (a refusal then is the chip's own answer).
    fn terminal_authentication_missing<R: CryptoRng + ?Sized>(
        &self,
        state: &ReadState<'_, R>,
    ) -> Option<String> {
        let resumes = self.session.read_stats().resumes;
        match &state.terminal_auth {
            None => Some(
                "protected by Extended Access Control: it needs Terminal Authentication, and the read had no inspection system credentials"
                    .into(),
            ),
            Some((_, then)) if *then != resumes => Some(
                "the card was lost after Terminal Authentication and the resumed session did not repeat it"
                    .into(),
            ),
            Some((ta, _)) if ta.is_valid() => None,
            Some((ta, _)) => Some(format!(
                "Terminal Authentication did not succeed ({})",
                ta.reason
            )),
        }
    }

    /// EF.SOD, then EF.COM, and the data groups they list. EF.SOD comes first: it is the large one, so
    /// an extended-length probe happens on it and everything after benefits. EF.COM is one short read; a
    /// data group it lists that EF.SOD does not is read too, so its hash check fails (unsigned data on the
    /// chip). Malformed files list none; the report says why.
    fn read_index<R: CryptoRng + ?Sized>(
        &mut self,
        state: &mut ReadState<'_, R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<(), Error> {
        for file in [LdsFile::Sod, LdsFile::Com] {
            match self.read_resilient(file, state, recover)? {
                Some(bytes) => state.files.push((file, bytes)),
                None if file == LdsFile::Com => state.notes.push(Check::not_checked(
                    CheckId::FileRead(LdsFile::Com),
                    "the chip has no EF.COM; the data groups come from EF.SOD",
                )),
                None => {}
            }
        }
        for (file, bytes) in &state.files {
            match file {
                LdsFile::Com => {
                    if let Ok(com) = crate::lds::com::Com::parse(bytes) {
                        state
                            .wanted
                            .extend(com.data_groups.iter().filter_map(|f| match f {
                                LdsFile::Dg(n) => Some(*n),
                                _ => None,
                            }));
                    }
                }
                LdsFile::Sod => {
                    if let Ok(sod) = crate::lds::sod::Sod::parse(bytes) {
                        state.wanted.extend(sod.data_group_hashes.keys().copied());
                    }
                }
                _ => {}
            }
        }
        Ok(())
    }

    /// Reads the data groups `numbers`, noting those the chip does not have or refuses, and why: a status
    /// word without a MAC is never taken for the chip's answer (a man in the middle can send one), and
    /// DG3/DG4 without Terminal Authentication are not readable by design.
    fn read_data_groups<R: CryptoRng + ?Sized>(
        &mut self,
        numbers: &[u8],
        state: &mut ReadState<'_, R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<(), Error> {
        for &n in numbers {
            let file = LdsFile::Dg(n);
            if state.chip_auth.as_ref().is_some_and(|c| c.session_lost) {
                Self::not_read(
                    state,
                    n,
                    NotCoveredReason::NotRead,
                    "not read: secure messaging ended when Chip Authentication failed".into(),
                );
                continue;
            }
            let sw = match self.read_resilient(file, state, recover) {
                Ok(Some(bytes)) => {
                    state.files.push((file, bytes));
                    continue;
                }
                Ok(None) => StatusWord::FILE_NOT_FOUND,
                Err(Error::Status { sw, .. })
                    if sw == StatusWord::SECURITY_STATUS_NOT_SATISFIED =>
                {
                    sw
                }
                Err(e) => return Err(e),
            };
            let plain = self.session.last_answer_plain();
            let ta_missing = matches!(n, 3 | 4)
                .then(|| self.terminal_authentication_missing(state))
                .flatten();
            let refused = sw == StatusWord::SECURITY_STATUS_NOT_SATISFIED;
            let (reason, detail) = match ta_missing {
                // Without Terminal Authentication DG3 and DG4 are not readable: the hash line says so.
                Some(why) if state.terminal_auth.is_none() => {
                    state.absent.push(NotCovered::new(
                        n,
                        NotCoveredReason::NeedsTerminalAuthentication,
                        why,
                    ));
                    continue;
                }
                Some(why) => (
                    NotCoveredReason::NeedsTerminalAuthentication,
                    format!("not read ({sw}): {why}"),
                ),
                None if plain => (
                    NotCoveredReason::UnauthenticatedAnswer,
                    format!(
                        "answered {sw} without a MAC: a bare status word may come from a man in the middle as well as the chip, so it does not count as the chip's answer"
                    ),
                ),
                None if refused && matches!(n, 3 | 4) => (
                    NotCoveredReason::NeedsTerminalAuthentication,
                    format!(
                        "the chip refused to read it ({sw}) after Terminal Authentication: what the terminal's chain asks for, narrowed by the chip's trust point, does not grant DG{n}"
                    ),
                ),
                None if refused => (
                    NotCoveredReason::Refused,
                    format!("the chip refused to read it ({sw}) after access control"),
                ),
                None => (
                    NotCoveredReason::NotFound,
                    format!("listed but not present on the chip: it answered {sw} under its MAC"),
                ),
            };
            Self::not_read(state, n, reason, detail);
        }
        Ok(())
    }

    /// Terminal Authentication version 1 with `credentials`: reads EF.CVCA, picks the chain that starts
    /// at one of the chip's trust points, and runs [`terminal::authenticate`] with ID_PICC from access
    /// control and Comp() of the ephemeral key of the Chip Authentication that just ran. The verdict:
    /// valid when the chip accepted chain and signature; invalid, naming the certificate (CHR) or the
    /// signature and the status word, when it refused; not checked, with why, when it could not run. Only
    /// a lost link ends the read.
    fn terminal_authentication<R: CryptoRng + ?Sized>(
        &mut self,
        credentials: &TerminalCredentials,
        state: &mut ReadState<'_, R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<Verdict, Error> {
        let comp_pk_pcd = match &state.chip_auth {
            None => {
                return Ok(Verdict::not_checked(
                    "not performed: it needs Chip Authentication, which runs only in a read with randomness",
                ));
            }
            Some(outcome) => match &outcome.comp_pk_pcd {
                Some(comp) => comp.clone(),
                None => {
                    return Ok(Verdict::not_checked(
                        "not performed: Terminal Authentication version 1 runs after a successful Chip Authentication (DG14), which this read did not have",
                    ));
                }
            },
        };
        let Some(id_picc) = self.session.id_picc().map(<[u8]>::to_vec) else {
            return Ok(Verdict::not_checked(
                "not performed: access control gave no ID_PICC",
            ));
        };
        let ef_cvca = match self.read_resilient(LdsFile::Cvca, state, recover) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                return Ok(Verdict::not_checked(
                    "not performed: the chip has no EF.CVCA, so it names no trust point",
                ));
            }
            Err(Error::Status { sw, .. }) => {
                return Ok(Verdict::not_checked(format!(
                    "not performed: the chip refused to read EF.CVCA ({sw})"
                )));
            }
            // A lost link is for the read to handle; an EF.CVCA that cannot be read (empty, a header
            // without its data) names no trust point, and the rest of the read goes on (TR-03105-5.1
            // LDS_G_02).
            Err(e @ Error::Transport { .. }) => return Err(e),
            Err(e) => {
                return Ok(Verdict::not_checked(format!(
                    "not performed: EF.CVCA cannot be read ({e})"
                )));
            }
        };
        let chain = match terminal::chain_for_chip(credentials, &ef_cvca) {
            Ok(chain) => chain,
            Err(e) => return Ok(Verdict::not_checked(format!("not performed: {e}"))),
        };
        let Some(rng) = state.rng.as_deref_mut() else {
            return Ok(Verdict::not_checked(
                "not performed: the read has no randomness",
            ));
        };
        self.session.enter_phase(PHASE_TERMINAL_AUTHENTICATION);
        let mut rng = rng;
        match terminal::authenticate(
            &mut self.session.link(),
            &chain,
            credentials.signer.as_ref(),
            &id_picc,
            &comp_pk_pcd,
            &mut rng,
        ) {
            Ok(outcome) => Ok(Verdict::valid(format!(
                "the chip accepted {} and the terminal's signature; the chain asks for {}",
                outcome
                    .sent
                    .iter()
                    .map(ToString::to_string)
                    .collect::<Vec<_>>()
                    .join(" → "),
                outcome.requested_rights().describe()
            ))),
            Err(TaError::Channel(e @ Error::Transport { .. })) => Err(e),
            Err(e) => Ok(Verdict::invalid(e.to_string())),
        }
    }

    /// Reads one file, handing link failures to `recover` and continuing where the read stopped.
    fn read_resilient<R: CryptoRng + ?Sized>(
        &mut self,
        file: LdsFile,
        state: &mut ReadState<'_, R>,
        recover: &mut Recover<'_, T, R>,
    ) -> Result<Option<Vec<u8>>, Error> {
        let mut data = Vec::new();
        loop {
            self.session.enter_phase(&file.name());
            match self.session.read_file_into(file, &mut data) {
                Ok(true) => return Ok(Some(data)),
                Ok(false) => return Ok(None),
                // The card was lost, or the chip ended secure messaging after the refused probe: access
                // control again, and on from where the read stopped.
                Err(e @ (Error::Transport { .. } | Error::SessionDropped { .. })) => {
                    if !recover(&mut self.session, &e, state.rng.as_deref_mut())? {
                        return Err(e);
                    }
                }
                Err(e) => return Err(e),
            }
        }
    }

    /// The document from the files read, and its report: the files' own checks, passive authentication,
    /// PACE-CAM against EF.CardSecurity, and the chip authenticity verdict.
    fn report<R: CryptoRng + ?Sized>(&self, state: ReadState<'_, R>) -> (Document, Report) {
        let ReadState {
            files,
            mut notes,
            chip_auth,
            left_out,
            absent,
            ..
        } = state;
        let read_stats = self.session.read_stats();
        let resumes = read_stats.resumes;
        if resumes > 0 {
            let drops = read_stats.session_drops.min(resumes);
            let mut why = Vec::new();
            if resumes > drops {
                why.push(format!("the card was lost {} time(s)", resumes - drops));
            }
            if drops > 0 {
                why.push(
                    "the chip ended secure messaging after refusing the extended-length probe"
                        .into(),
                );
            }
            notes.push(Check::valid_with_warning(
                CheckId::ReadResumed,
                format!(
                    "{}; access was re-established and the read resumed where it stopped",
                    why.join(", and ")
                ),
            ));
        }
        let session = &self.session;
        let options = session.options();
        // The master file's files as read before access control (the last run, after a resume).
        let mut all = Vec::new();
        if let Some(card_access) = session.card_access() {
            all.push((LdsFile::CardAccess, card_access.to_vec()));
        }
        if let Some(atr_info) = session.atr_info() {
            all.push((LdsFile::AtrInfo, atr_info.to_vec()));
        }
        if let Some(card_security) = session.card_security() {
            all.push((LdsFile::CardSecurity, card_security.to_vec()));
        }
        all.extend(files);
        let document = Document::from_files(all);
        let at = options.at.unwrap_or_else(crate::pki::Time::now);
        let mechanisms = chip_auth.map(|c| c.results).unwrap_or_default();
        let mut report = crate::verify::report(
            &document,
            session.access().cloned(),
            notes,
            &crate::verify::Scope { left_out, absent },
            options.trust.as_deref(),
            at,
            crate::verify::Chip::Present {
                mechanisms: &mechanisms,
                cam: session.chip_auth_data(),
            },
        );
        report.read_stats = Some(read_stats);
        // A recording's answers prove nothing about a chip now, whoever replays it.
        if session.transport().replayed() {
            crate::verify::mark_replayed(&mut report);
        }
        (document, report)
    }
}
