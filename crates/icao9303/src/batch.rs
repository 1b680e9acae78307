//! Verifying many documents at once, as a verification service does: JSON Lines input
//! (`{"id": ..., "files": {"EF.SOD": base64, "DG1": base64, ...}}`), one report per document against one
//! shared [`TrustStore`], on several threads, in input order.
//!
//! [`Ordered`] is the engine: a bounded window of documents in flight, so that neither the queue of inputs
//! nor the buffer that puts results back in input order can grow on an unbounded input, and a JSON line is
//! read up to [`MAX_LINE`] bytes. A bad input (an unparseable line, a missing file, hostile bytes) is an
//! [`Outcome`] saying why, never the end of the batch. `mrtd verify` (many dumps, or `-`) and the Python
//! package's `verify_jsonl` run on it.

use std::collections::BTreeMap;
use std::io::BufRead;
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Condvar, Mutex, PoisonError};

use base64ct::Encoding;

use crate::document::Document;
use crate::lds::LdsFile;
use crate::pki::{Time, TrustStore};
use crate::report::Report;

/// Longest JSON line accepted (a document's files are a few hundred kilobytes at most, base64-encoded).
pub const MAX_LINE: usize = 16 * 1024 * 1024;

/// How many documents the input may run ahead of the consumer, per worker.
pub const WINDOW_PER_JOB: u64 = 8;

/// One document of a batch, as read.
#[derive(Debug)]
pub enum Input {
    /// The files of a document.
    Files {
        /// The document's id (its directory, or the `id` of its JSON line).
        id: String,
        /// Its files.
        files: Vec<(LdsFile, Vec<u8>)>,
    },
    /// An input that could not be read into files.
    Unreadable {
        /// The id (or the JSON line number when there is none).
        id: String,
        /// Why.
        reason: String,
    },
}

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

/// The LDS file a JSON key names: "EF.SOD", "DG1", ... (or a dump name, "EF_SOD.bin").
fn file_named(name: &str) -> Option<LdsFile> {
    LdsFile::all().find(|f| f.name() == name || f.dump_name() == name)
}

/// One JSON line: `{"id": ..., "files": {"EF.SOD": base64, ...}}`. `number` (1-based) names the line when
/// it has no usable id.
pub fn parse_line(line: &[u8], number: usize) -> Input {
    use serde_json::Value;
    let fallback = format!("line {number}");
    let value: Value = match serde_json::from_slice(line) {
        Ok(v) => v,
        Err(e) => {
            return Input::Unreadable {
                id: fallback,
                reason: format!("not a JSON object: {e}"),
            };
        }
    };
    let id = match value.get("id") {
        Some(Value::String(s)) => s.clone(),
        Some(Value::Number(n)) => n.to_string(),
        _ => fallback,
    };
    let unreadable = |reason: String| Input::Unreadable {
        id: id.clone(),
        reason,
    };
    let Some(files) = value.get("files").and_then(Value::as_object) else {
        return unreadable("no \"files\" object".into());
    };
    let mut out = Vec::new();
    for (name, content) in files {
        let Some(file) = file_named(name) else {
            return unreadable(format!("unknown file {name:?}"));
        };
        let Some(text) = content.as_str() else {
            return unreadable(format!("{name}: not a base64 string"));
        };
        match base64ct::Base64::decode_vec(text.trim()) {
            Ok(bytes) => out.push((file, bytes)),
            Err(e) => return unreadable(format!("{name}: invalid base64 ({e})")),
        }
    }
    if out.is_empty() {
        return unreadable("no files".into());
    }
    out.sort_by_key(|(f, _)| *f);
    Input::Files { id, files: out }
}

/// Reads one line of at most `max` bytes; a longer line is consumed and reported as `Err(length)`.
/// `Ok(None)` at the end of the input.
fn read_line_bounded(
    reader: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> std::io::Result<Option<Result<(), usize>>> {
    buf.clear();
    let mut total = 0usize;
    let mut seen_any = false;
    loop {
        let chunk = reader.fill_buf()?;
        if chunk.is_empty() {
            return Ok(if seen_any {
                Some(if total > max { Err(total) } else { Ok(()) })
            } else {
                None
            });
        }
        seen_any = true;
        let (used, done) = match chunk.iter().position(|b| *b == b'\n') {
            Some(i) => (i + 1, true),
            None => (chunk.len(), false),
        };
        let data = &chunk[..if done { used - 1 } else { used }];
        total += data.len();
        if total <= max {
            buf.extend_from_slice(data);
        }
        reader.consume(used);
        if done {
            if buf.last() == Some(&b'\r') {
                buf.pop();
            }
            return Ok(Some(if total > max { Err(total) } else { Ok(()) }));
        }
    }
}

/// The inputs of JSON Lines on `reader`, one at a time (blank lines are skipped). `source` names the input
/// in a read error ("standard input", a file name).
pub fn json_lines(
    mut reader: impl BufRead + Send + 'static,
    source: &str,
) -> impl Iterator<Item = Input> + Send + 'static {
    let source = source.to_string();
    let mut number = 0usize;
    let mut buf = Vec::new();
    let mut failed = false;
    std::iter::from_fn(move || {
        if failed {
            return None;
        }
        loop {
            number += 1;
            match read_line_bounded(&mut reader, MAX_LINE, &mut buf) {
                Ok(None) => return None,
                Err(e) => {
                    // An I/O error is not retried: the same read would fail forever.
                    failed = true;
                    return Some(Input::Unreadable {
                        id: format!("line {number}"),
                        reason: format!("reading {source}: {e}"),
                    });
                }
                Ok(Some(Err(len))) => {
                    return Some(Input::Unreadable {
                        id: format!("line {number}"),
                        reason: format!(
                            "line of {len} bytes is longer than the {MAX_LINE}-byte limit"
                        ),
                    });
                }
                Ok(Some(Ok(()))) if buf.iter().all(u8::is_ascii_whitespace) => continue,
                Ok(Some(Ok(()))) => return Some(parse_line(&buf, number)),
            }
        }
    })
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

    #[test]
    fn long_lines_are_consumed_and_reported() {
        let text = b"short\r\nxxxxxxxxxx\nlast".to_vec();
        let mut r = std::io::Cursor::new(text);
        let mut buf = Vec::new();
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Ok(()))
        );
        assert_eq!(buf, b"short");
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Err(10))
        );
        assert_eq!(
            read_line_bounded(&mut r, 6, &mut buf).unwrap(),
            Some(Ok(()))
        );
        assert_eq!(buf, b"last");
        assert_eq!(read_line_bounded(&mut r, 6, &mut buf).unwrap(), None);
    }

    #[test]
    fn json_lines_give_files_or_reasons() {
        let input = "{\"id\": 7, \"files\": {\"EF.SOD\": \"AAEC\", \"DG1.bin\": \"AA==\"}}\n\n\
                     not json\n{\"files\": {\"DG99\": \"AA==\"}}\n{\"id\": \"x\", \"files\": {\"DG1\": \"!!\"}}\n";
        let items: Vec<Input> =
            json_lines(std::io::Cursor::new(input.as_bytes().to_vec()), "test").collect();
        assert_eq!(items.len(), 4);
        match &items[0] {
            Input::Files { id, files } => {
                assert_eq!(id, "7");
                assert_eq!(files[0], (LdsFile::Sod, vec![0, 1, 2]));
                assert_eq!(files[1], (LdsFile::Dg(1), vec![0]));
            }
            Input::Unreadable { reason, .. } => panic!("{reason}"),
        }
        let reasons: Vec<(String, String)> = items[1..]
            .iter()
            .map(|i| match i {
                Input::Unreadable { id, reason } => (id.clone(), reason.clone()),
                Input::Files { .. } => panic!("files"),
            })
            .collect();
        assert_eq!(reasons[0].0, "line 3");
        assert!(reasons[1].1.contains("DG99"));
        assert_eq!(reasons[2].0, "x");
        assert!(reasons[2].1.contains("base64"));
    }

    /// A reader whose every read fails.
    struct Broken;

    impl std::io::Read for Broken {
        fn read(&mut self, _: &mut [u8]) -> std::io::Result<usize> {
            Err(std::io::Error::other("disk on fire"))
        }
    }

    #[test]
    fn a_read_error_is_one_input_then_the_end() {
        let items: Vec<Input> = json_lines(std::io::BufReader::new(Broken), "the file").collect();
        assert_eq!(items.len(), 1);
        match &items[0] {
            Input::Unreadable { reason, .. } => assert!(reason.contains("the file: disk on fire")),
            Input::Files { .. } => panic!("files"),
        }
    }

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
