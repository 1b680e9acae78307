//! Verifying many documents at once, as a verification service does: one report per document against one
//! shared [`TrustStore`], on several threads, in input order. The inputs are [`crate::jsonl`]'s (JSON Lines
//! documents, decoded and bounded there) or anything else that yields [`Input`]s (dump directories).
//!
//! [`Ordered`] is the engine: a bounded window of documents in flight, so that neither the queue of inputs
//! nor the buffer that puts results back in input order can grow on an unbounded input. A bad input is an
//! [`Outcome`] saying why, never the end of the batch. `mrtd verify` (many dumps, or `-`) and the Python
//! package's `verify_jsonl` run on it.

use std::collections::BTreeMap;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use crate::document::Document;
pub use crate::jsonl::Input;
use crate::lds::LdsFile;
use crate::pki::{Time, TrustStore};
use crate::report::Report;

/// How many documents the input may run ahead of the consumer, per worker.
pub const WINDOW_PER_JOB: u64 = 8;

/// What became of one input.
#[derive(Debug)]
pub enum Outcome {
    /// The document was verified: its report (whatever the verdict).
    Verified {
        /// The input's id.
        id: String,
        /// The report, as [`verify_files`] makes it.
        report: Box<Report>,
    },
    /// The input could not be read into files.
    Unreadable {
        /// The input's id.
        id: String,
        /// Why.
        reason: String,
    },
    /// Verification panicked (a bug): the batch goes on, this document has no report.
    InternalError {
        /// The input's id.
        id: String,
    },
}

impl Outcome {
    /// The input's id.
    pub fn id(&self) -> &str {
        match self {
            Outcome::Verified { id, .. }
            | Outcome::Unreadable { id, .. }
            | Outcome::InternalError { id } => id,
        }
    }
}

/// The report of one document's files, verified offline (no chip present): what `mrtd verify DIR` and
/// each document of a batch get.
pub fn verify_files(
    files: Vec<(LdsFile, Vec<u8>)>,
    store: Option<&TrustStore>,
    at: Time,
) -> (Document, Report) {
    let document = Document::from_files(files);
    let report = crate::verify::report(
        &document,
        None,
        Vec::new(),
        &crate::verify::Scope::default(),
        store,
        at,
        crate::verify::Chip::NotPresent,
    );
    (document, report)
}

/// Verifies one input; a panic inside verification is caught and becomes [`Outcome::InternalError`] (it
/// would be a bug, but one document must not end the batch).
pub fn verify_input(input: Input, store: Option<&TrustStore>, at: Time) -> Outcome {
    match input {
        Input::Unreadable { id, reason } => Outcome::Unreadable { id, reason },
        Input::Files { id, files } => {
            let run = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                verify_files(files, store, at).1
            }));
            match run {
                Ok(report) => Outcome::Verified {
                    id,
                    report: Box::new(report),
                },
                Err(_) => Outcome::InternalError { id },
            }
        }
    }
}

/// How far the consumer has got, shared with the thread reading the input.
#[derive(Default)]
struct Progress {
    /// Results handed out so far.
    consumed: u64,
    /// The consumer went away: stop reading.
    cancelled: bool,
}

/// `work` applied to every input on `jobs` threads, the results handed out in input order.
///
/// A thread reads the inputs at most `WINDOW_PER_JOB × jobs` ahead of the consumer, so memory stays
/// bounded whatever the input's length. Dropping the iterator stops the batch: the reader stops after the
/// input it is reading, the workers after the document in their hands (the threads are not joined, so a
/// drop never waits for an input that blocks).
pub struct Ordered<O> {
    done: Receiver<(u64, O)>,
    pending: BTreeMap<u64, O>,
    next: u64,
    progress: Arc<(Mutex<Progress>, Condvar)>,
}

impl<O: Send + 'static> Ordered<O> {
    /// Starts the threads: one reading `inputs`, `jobs` (at least one) applying `work`.
    pub fn new<I, W>(inputs: I, jobs: usize, work: W) -> Ordered<O>
    where
        I: Iterator<Item = Input> + Send + 'static,
        W: Fn(Input) -> O + Send + Sync + 'static,
    {
        let jobs = jobs.max(1);
        let window = WINDOW_PER_JOB * jobs as u64;
        let progress = Arc::new((Mutex::new(Progress::default()), Condvar::new()));
        let (work_tx, work_rx) = sync_channel::<(u64, Input)>(jobs * 2);
        let work_rx = Arc::new(Mutex::new(work_rx));
        let (done_tx, done_rx) = sync_channel::<(u64, O)>(jobs * 2);
        let feeder_progress = Arc::clone(&progress);
        std::thread::spawn(move || feed(inputs, &work_tx, &feeder_progress, window));
        let work = Arc::new(work);
        for _ in 0..jobs {
            let rx = Arc::clone(&work_rx);
            let tx = done_tx.clone();
            let work = Arc::clone(&work);
            std::thread::spawn(move || run_worker(&rx, &tx, &*work));
        }
        Ordered {
            done: done_rx,
            pending: BTreeMap::new(),
            next: 0,
            progress,
        }
    }
}

impl<O> Iterator for Ordered<O> {
    type Item = O;

    fn next(&mut self) -> Option<O> {
        loop {
            if let Some(out) = self.pending.remove(&self.next) {
                self.next += 1;
                let (lock, cv) = &*self.progress;
                lock.lock().unwrap_or_else(PoisonError::into_inner).consumed = self.next;
                cv.notify_all();
                return Some(out);
            }
            // Every worker gone and nothing pending: the input is exhausted.
            let (seq, out) = self.done.recv().ok()?;
            self.pending.insert(seq, out);
        }
    }
}

impl<O> Drop for Ordered<O> {
    fn drop(&mut self) {
        let (lock, cv) = &*self.progress;
        lock.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .cancelled = true;
        cv.notify_all();
    }
}

fn feed(
    inputs: impl Iterator<Item = Input>,
    work: &SyncSender<(u64, Input)>,
    progress: &(Mutex<Progress>, Condvar),
    window: u64,
) {
    let (lock, cv) = progress;
    let may_go_on = |seq: u64| {
        let mut p = lock.lock().unwrap_or_else(PoisonError::into_inner);
        while !p.cancelled && seq >= p.consumed + window {
            p = cv.wait(p).unwrap_or_else(PoisonError::into_inner);
        }
        !p.cancelled
    };
    let mut inputs = inputs;
    for seq in 0u64.. {
        // Wait for room before reading: an input is not consumed for a batch that was dropped.
        if !may_go_on(seq) {
            return;
        }
        let Some(input) = inputs.next() else {
            return;
        };
        if work.send((seq, input)).is_err() {
            return;
        }
    }
}

fn run_worker<O>(
    rx: &Mutex<Receiver<(u64, Input)>>,
    tx: &SyncSender<(u64, O)>,
    work: &(dyn Fn(Input) -> O + Send + Sync),
) {
    loop {
        let next = rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok((seq, input)) = next else {
            return;
        };
        if tx.send((seq, work(input))).is_err() {
            return;
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicU64, Ordering};

    fn unreadable(i: u64) -> Input {
        Input::Unreadable {
            id: format!("doc {i}"),
            reason: "test".into(),
        }
    }

    #[test]
    fn a_long_input_is_read_only_a_window_ahead_of_the_consumer() {
        let produced = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&produced);
        let inputs = (0..20_000u64).map(move |i| {
            counter.fetch_add(1, Ordering::SeqCst);
            unreadable(i)
        });
        let jobs = 3;
        // The window, plus what sits in the two channels and in the workers' hands.
        let bound = WINDOW_PER_JOB * jobs as u64 + 2 * 2 * jobs as u64 + jobs as u64 + 1;
        let mut max_ahead = 0;
        let mut consumed = 0u64;
        for out in Ordered::new(inputs, jobs, |i| {
            verify_input(i, None, Time::from_ymd(2026, 1, 1))
        }) {
            assert_eq!(out.id(), format!("doc {consumed}"));
            consumed += 1;
            let ahead = produced.load(Ordering::SeqCst).saturating_sub(consumed);
            assert!(ahead <= bound, "read {ahead} documents ahead");
            max_ahead = max_ahead.max(ahead);
        }
        assert_eq!(consumed, 20_000);
        assert!(max_ahead > 0);
    }

    #[test]
    fn results_come_in_input_order_on_many_threads() {
        // Later inputs finish first: the results still come in input order.
        let ids: Vec<String> = Ordered::new((0..200).map(unreadable), 4, |input| {
            if let Input::Unreadable { id, .. } = &input
                && id.ends_with('0')
            {
                std::thread::sleep(std::time::Duration::from_millis(2));
            }
            verify_input(input, None, Time::from_ymd(2026, 1, 1))
        })
        .map(|o| o.id().to_string())
        .collect();
        let expected: Vec<String> = (0..200).map(|i| format!("doc {i}")).collect();
        assert_eq!(ids, expected);
    }

    /// Sends on a channel when dropped: tells when the thread reading the input let it go.
    struct DropSignal(std::sync::mpsc::Sender<()>);

    impl Drop for DropSignal {
        fn drop(&mut self) {
            let _ = self.0.send(());
        }
    }

    #[test]
    fn dropping_the_batch_stops_reading_the_input() {
        let produced = Arc::new(AtomicU64::new(0));
        let counter = Arc::clone(&produced);
        let (tx, dropped) = std::sync::mpsc::channel();
        let signal = DropSignal(tx);
        let inputs = (0..u64::MAX).map(move |i| {
            let _keep = &signal;
            counter.fetch_add(1, Ordering::SeqCst);
            unreadable(i)
        });
        let jobs = 2;
        let mut batch = Ordered::new(inputs, jobs, |i| i);
        assert!(batch.next().is_some());
        drop(batch);
        // The reading thread ends, dropping the (endless) input, having read no more than a window.
        dropped
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("the input was never let go");
        let read = produced.load(Ordering::SeqCst);
        assert!(
            read <= WINDOW_PER_JOB * jobs as u64 + 1,
            "read {read} inputs"
        );
    }
}
