//! The reading session with one chip: the transport, the secure messaging state, the selected application
//! and elementary file, and the steps that change them.
//!
//! ```text
//! Transport → Session ─ access control (EF.CardAccess, PACE or BAC) → secure messaging
//!                     └ SELECT / READ BINARY, sized by the read plan → file bytes
//! ```
//!
//! The protocols ([`crate::access`], [`crate::auth`]) talk to the chip through the session's [`Link`],
//! which implements [`Channel`] and [`SecureChannel`]; they do not know the session.

mod access_control;
mod files;

use crate::Error;
use crate::access::pace::CamData;
use crate::apdu::{CommandApdu, ResponseApdu, StatusWord};
use crate::channel::{Channel, SecureChannel};
use crate::lds::LdsFile;
use crate::options::ReaderOptions;
use crate::read_plan::{LinkState, ReadPlanner};
use crate::read_stats::{ReadStats, StatsRecorder};
use crate::report::{AccessReport, Check};
use crate::sm::SecureMessaging;
use crate::transport::Transport;

/// The eMRTD application identifier (ICAO 9303-10 section 4.1).
pub const EMRTD_AID: [u8; 7] = [0xA0, 0x00, 0x00, 0x02, 0x47, 0x10, 0x01];

const STEP_SELECT_APP: &str = "SELECT eMRTD application";
const STEP_SELECT_MF: &str = "SELECT master file";
const STEP_SELECT_EF: &str = "SELECT EF";

/// Called while a file is read with the file, the bytes read so far and the file's total length (see
/// [`crate::reader::Reader::set_progress`]).
pub type ProgressHook = Box<dyn FnMut(LdsFile, usize, usize) + Send>;

/// A session with one chip over a [`Transport`]: what is selected, the secure messaging state, what access
/// control gave, and the read plan.
pub(crate) struct Session<T: Transport> {
    transport: T,
    sm: Option<SecureMessaging>,
    options: ReaderOptions,
    /// How access was gained, once access control succeeded.
    access: Option<AccessReport>,
    /// The eMRTD application was selected in this session (a new access control first re-selects the MF).
    app_selected: bool,
    /// The elementary file currently selected (by SELECT or a READ BINARY with SFI).
    current_ef: Option<LdsFile>,
    /// How large a READ BINARY may be.
    planner: ReadPlanner,
    /// The chip just refused the extended-length probe: some chips end secure messaging then, and show it
    /// by answering the next protected command with 6987, 6988 or 6982 ([`Error::SessionDropped`]).
    after_refused_probe: bool,
    /// What the session's exchanges cost.
    stats: StatsRecorder,
    /// The master file's files were read in this session (a resumed access control does not read them
    /// again).
    master_files_read: bool,
    /// EF.CardAccess as read before access control, if the chip has one.
    card_access: Option<Vec<u8>>,
    /// EF.ATR/INFO as read before access control, if the chip has one and the link could use it.
    atr_info: Option<Vec<u8>>,
    /// The chip authentication data of PACE-CAM, kept for verification against EF.CardSecurity.
    cam: Option<CamData>,
    /// EF.CardSecurity, read from the master file under PACE-CAM's secure messaging.
    card_security: Option<Vec<u8>>,
    /// Report lines access control left for the read (a BAC fallback).
    notes: Vec<Check>,
    /// ID_PICC of Terminal Authentication, from the last access control: the document number and its
    /// check digit after BAC, Comp() of the chip's ephemeral PACE key after PACE.
    id_picc: Option<Vec<u8>>,
    /// The last response was a bare status word: no secure messaging, or an error without DO'99' and
    /// DO'8E' — the chip's or a man in the middle's, which cannot be told apart.
    last_answer_plain: bool,
    progress: Option<ProgressHook>,
}

/// The link a protocol step talks through: the transport plus secure messaging when active, counting
/// every exchange into the session's statistics.
pub(crate) struct Link<'a, T: Transport> {
    transport: &'a mut T,
    sm: &'a mut Option<SecureMessaging>,
    stats: &'a mut StatsRecorder,
    last_answer_plain: &'a mut bool,
}

impl<T: Transport> SecureChannel for Link<'_, T> {
    fn restart_secure_messaging(&mut self, sm: SecureMessaging) {
        if let Some(old) = self.sm.as_mut() {
            old.end();
        }
        *self.sm = Some(sm);
    }
}

impl<T: Transport> Channel for Link<'_, T> {
    fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        let wire = match self.sm.as_mut() {
            Some(sm) => sm
                .protect_command(command)
                .map_err(|source| Error::SecureMessaging { step, source })?,
            None => command.clone(),
        };
        let bytes = wire.to_bytes()?;
        let sent = self.transport.transmit(&bytes);
        self.stats.exchange(
            command.ins,
            wire.is_extended(),
            bytes.len(),
            sent.as_ref().map_or(0, Vec::len),
        );
        let raw = sent.map_err(|source| Error::Transport { step, source })?;
        let resp = ResponseApdu::parse(&raw).map_err(|e| Error::protocol(step, e.to_string()))?;
        // Under secure messaging, a response without data objects carries no MAC (only an error may come
        // so): nothing tells whether the chip sent it.
        *self.last_answer_plain = self.sm.is_none() || resp.data.is_empty();
        match self.sm.as_mut() {
            Some(sm) => sm
                .unprotect_response(&resp)
                .map_err(|source| Error::SecureMessaging { step, source }),
            None => Ok(resp),
        }
    }
}

impl<T: Transport> Session<T> {
    /// A session over `transport`; nothing is sent yet.
    pub fn new(transport: T, options: ReaderOptions) -> Self {
        let stats = StatsRecorder::new(transport.capabilities(), options.extended_length);
        Session {
            transport,
            sm: None,
            planner: ReadPlanner::new(options.max_read_block, options.extended_length),
            after_refused_probe: false,
            stats,
            options,
            access: None,
            app_selected: false,
            current_ef: None,
            master_files_read: false,
            card_access: None,
            atr_info: None,
            cam: None,
            card_security: None,
            notes: Vec::new(),
            id_picc: None,
            last_answer_plain: false,
            progress: None,
        }
    }

    /// The options of the session.
    pub fn options(&self) -> &ReaderOptions {
        &self.options
    }

    /// ID_PICC for Terminal Authentication, once access control succeeded (see
    /// [`crate::auth::terminal`]).
    pub fn id_picc(&self) -> Option<&[u8]> {
        self.id_picc.as_deref()
    }

    /// The transport.
    pub fn transport(&self) -> &T {
        &self.transport
    }

    /// The transport, mutably.
    pub fn transport_mut(&mut self) -> &mut T {
        &mut self.transport
    }

    /// The transport, for callers that need it back.
    pub fn into_transport(self) -> T {
        self.transport
    }

    /// How access was gained, once access control succeeded.
    pub fn access(&self) -> Option<&AccessReport> {
        self.access.as_ref()
    }

    /// EF.CardAccess as read before access control, if the chip has one.
    pub fn card_access(&self) -> Option<&[u8]> {
        self.card_access.as_deref()
    }

    /// EF.ATR/INFO as read before access control, if the chip has one.
    pub fn atr_info(&self) -> Option<&[u8]> {
        self.atr_info.as_deref()
    }

    /// EF.CardSecurity as read under PACE-CAM's secure messaging.
    pub fn card_security(&self) -> Option<&[u8]> {
        self.card_security.as_deref()
    }

    /// The PACE-CAM chip authentication data of this session, if PACE-CAM was used.
    pub fn chip_auth_data(&self) -> Option<&CamData> {
        self.cam.as_ref()
    }

    /// Whether the last response was a bare status word, without secure messaging's MAC: a status word
    /// that cannot be told from a man in the middle's (see [`crate::report::NotCoveredReason`]).
    pub fn last_answer_plain(&self) -> bool {
        self.last_answer_plain
    }

    /// Takes the report lines access control left (a BAC fallback).
    pub fn take_notes(&mut self) -> Vec<Check> {
        std::mem::take(&mut self.notes)
    }

    /// Reports reading progress to `hook`.
    pub fn set_progress(&mut self, hook: ProgressHook) {
        self.progress = Some(hook);
    }

    fn report_progress(&mut self, file: LdsFile, done: usize, total: usize) {
        if let Some(hook) = self.progress.as_mut() {
            hook(file, done.min(total), total);
        }
    }

    /// The channel protocol steps talk through.
    pub fn link(&mut self) -> Link<'_, T> {
        Link {
            transport: &mut self.transport,
            sm: &mut self.sm,
            stats: &mut self.stats,
            last_answer_plain: &mut self.last_answer_plain,
        }
    }

    /// Starts a phase of the read statistics (access control, a file, chip authentication); the phase
    /// running ends.
    pub fn enter_phase(&mut self, phase: &str) {
        self.stats.enter(phase);
    }

    /// Ends the phase running.
    pub fn leave_phase(&mut self) {
        self.stats.leave();
    }

    /// The read statistics so far, with the extended-length probe's outcome.
    pub fn read_stats(&self) -> ReadStats {
        self.stats.snapshot()
    }

    /// Re-establishes the link after the card was lost: reconnects (the chip is reset, so back in its
    /// master file with nothing selected) and counts the resume. The planner keeps what it learnt.
    pub fn reconnect(&mut self) -> Result<(), Error> {
        self.transport
            .reconnect()
            .map_err(|source| Error::Transport {
                step: "reconnect",
                source,
            })?;
        self.app_selected = false;
        self.current_ef = None;
        self.stats.set_capabilities(self.transport.capabilities());
        self.stats.resumed();
        Ok(())
    }

    /// The link's state for the read plan.
    fn link_state(&self) -> LinkState<'_> {
        LinkState {
            caps: self.transport.capabilities(),
            sm: self.sm.as_ref(),
            in_application: self.app_selected,
        }
    }

    /// Sends one command through secure messaging when active.
    ///
    /// The first command after a refused extended-length probe answered with 6987, 6988 or 6982 means
    /// the chip ended secure messaging on its side: the session's keys are destroyed and
    /// [`Error::SessionDropped`] tells the read to run access control again.
    pub fn exchange(
        &mut self,
        step: &'static str,
        command: &CommandApdu,
    ) -> Result<ResponseApdu, Error> {
        let after_refused_probe = std::mem::take(&mut self.after_refused_probe);
        let resp = self.link().exchange(step, command)?;
        if after_refused_probe
            && self.sm.is_some()
            && matches!(
                resp.sw,
                StatusWord::SM_OBJECTS_MISSING
                    | StatusWord::SM_OBJECTS_INCORRECT
                    | StatusWord::SECURITY_STATUS_NOT_SATISFIED
            )
        {
            tracing::info!(sw = %resp.sw, "the chip ended secure messaging after the refused probe");
            if let Some(sm) = self.sm.as_mut() {
                sm.end();
            }
            self.stats.session_dropped();
            return Err(Error::SessionDropped { step, sw: resp.sw });
        }
        Ok(resp)
    }

    /// Selects the eMRTD application by its AID (no Le, as field lesson 1 says).
    pub fn select_application(&mut self) -> Result<(), Error> {
        let cmd = CommandApdu::new(0x00, 0xA4, 0x04, 0x0C).with_data(EMRTD_AID.to_vec());
        let resp = self.exchange(STEP_SELECT_APP, &cmd)?;
        if resp.sw != StatusWord::OK {
            return Err(Error::Status {
                step: STEP_SELECT_APP,
                sw: resp.sw,
            });
        }
        self.app_selected = true;
        self.current_ef = None;
        Ok(())
    }

    /// Back to the master file when the application was selected: explicit form first, then the
    /// implicit one (field lesson 2). A chip refusing both still finds the master file's files by SFI.
    fn select_master_file(&mut self) -> Result<(), Error> {
        if self.app_selected {
            for data in [vec![0x3F, 0x00], Vec::new()] {
                let cmd = CommandApdu::new(0x00, 0xA4, 0x00, 0x0C).with_data(data);
                if self.exchange(STEP_SELECT_MF, &cmd)?.sw == StatusWord::OK {
                    break;
                }
            }
            self.app_selected = false;
        }
        Ok(())
    }

    /// Selects `file` in the current dedicated file. Returns false when the chip has no such file.
    fn select_ef(&mut self, file: LdsFile) -> Result<bool, Error> {
        let cmd =
            CommandApdu::new(0x00, 0xA4, 0x02, 0x0C).with_data(file.fid().to_be_bytes().to_vec());
        let resp = self.exchange(STEP_SELECT_EF, &cmd)?;
        match resp.sw {
            StatusWord::OK => {
                self.current_ef = Some(file);
                Ok(true)
            }
            StatusWord::FILE_NOT_FOUND => Ok(false),
            sw => Err(Error::Status {
                step: STEP_SELECT_EF,
                sw,
            }),
        }
    }
}
