//! Prometheus metrics (text exposition format 0.0.4) at `/metrics`. Labels are routes (the path template,
//! never the path with its ids), status codes and verdicts: no personal data, no tenant names.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};

/// Upper bounds (seconds) of the verification-time histogram.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

/// Counters of a running service.
#[derive(Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<(String, String, u16), u64>>,
    verdicts: Mutex<BTreeMap<&'static str, u64>>,
    unreadable: AtomicU64,
    rate_limited: AtomicU64,
    overloaded: AtomicU64,
    database_errors: AtomicU64,
    trust_reloads_ok: AtomicU64,
    trust_reloads_failed: AtomicU64,
    verify_buckets: [AtomicU64; BUCKETS.len()],
    verify_count: AtomicU64,
    verify_micros: AtomicU64,
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

impl Metrics {
    /// One HTTP request answered.
    pub fn request(&self, method: &str, route: &str, status: u16) {
        *lock(&self.requests)
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default() += 1;
    }

    /// One document verified and stored, with its verdict and verification time.
    pub fn verified(&self, verdict: &'static str, seconds: f64) {
        *lock(&self.verdicts).entry(verdict).or_default() += 1;
        for (i, bound) in BUCKETS.iter().enumerate() {
            if seconds <= *bound {
                self.verify_buckets[i].fetch_add(1, Ordering::Relaxed);
            }
        }
        self.verify_count.fetch_add(1, Ordering::Relaxed);
        self.verify_micros
            .fetch_add((seconds * 1e6) as u64, Ordering::Relaxed);
    }

    /// An input that could not be read as a document.
    pub fn unreadable(&self) {
        self.unreadable.fetch_add(1, Ordering::Relaxed);
    }

    /// A request refused by the tenant's rate (429).
    pub fn rate_limited(&self) {
        self.rate_limited.fetch_add(1, Ordering::Relaxed);
    }

    /// A request refused because the service was at its limit (503).
    pub fn overloaded(&self) {
        self.overloaded.fetch_add(1, Ordering::Relaxed);
    }

    /// A database operation failed.
    pub fn database_error(&self) {
        self.database_errors.fetch_add(1, Ordering::Relaxed);
    }

    /// A trust store reload ended.
    pub fn trust_reload(&self, ok: bool) {
        if ok {
            self.trust_reloads_ok.fetch_add(1, Ordering::Relaxed);
        } else {
            self.trust_reloads_failed.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The exposition text; `anchors` is the current trust store's number of CSCAs.
    pub fn render(&self, anchors: usize, in_flight: usize) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# HELP mrtd_http_requests_total HTTP requests answered.\n# TYPE mrtd_http_requests_total counter"
        );
        for ((method, route, status), n) in lock(&self.requests).iter() {
            let _ = writeln!(
                out,
                "mrtd_http_requests_total{{method=\"{method}\",route=\"{route}\",status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP mrtd_verifications_total Documents verified and stored, by verdict.\n# TYPE mrtd_verifications_total counter"
        );
        for (verdict, n) in lock(&self.verdicts).iter() {
            let _ = writeln!(out, "mrtd_verifications_total{{verdict=\"{verdict}\"}} {n}");
        }
        let counters = [
            (
                "mrtd_unreadable_inputs_total",
                "Inputs that were not a readable document.",
                &self.unreadable,
            ),
            (
                "mrtd_rate_limited_total",
                "Requests refused by a tenant's rate (429).",
                &self.rate_limited,
            ),
            (
                "mrtd_overloaded_total",
                "Requests refused at the in-flight limit (503).",
                &self.overloaded,
            ),
            (
                "mrtd_database_errors_total",
                "Database operations that failed.",
                &self.database_errors,
            ),
        ];
        for (name, help, value) in counters {
            let _ = writeln!(
                out,
                "# HELP {name} {help}\n# TYPE {name} counter\n{name} {}",
                value.load(Ordering::Relaxed)
            );
        }
        let _ = writeln!(
            out,
            "# HELP mrtd_trust_reloads_total Trust store reloads.\n# TYPE mrtd_trust_reloads_total counter\n\
             mrtd_trust_reloads_total{{result=\"ok\"}} {}\nmrtd_trust_reloads_total{{result=\"failed\"}} {}",
            self.trust_reloads_ok.load(Ordering::Relaxed),
            self.trust_reloads_failed.load(Ordering::Relaxed)
        );
        let _ = writeln!(
            out,
            "# HELP mrtd_trust_anchors CSCAs in the trust store in use.\n# TYPE mrtd_trust_anchors gauge\n\
             mrtd_trust_anchors {anchors}\n# HELP mrtd_verifications_in_flight Verification requests in \
             progress.\n# TYPE mrtd_verifications_in_flight gauge\nmrtd_verifications_in_flight {in_flight}"
        );
        let _ = writeln!(
            out,
            "# HELP mrtd_verification_seconds Time to verify one document.\n# TYPE mrtd_verification_seconds histogram"
        );
        for (i, bound) in BUCKETS.iter().enumerate() {
            let _ = writeln!(
                out,
                "mrtd_verification_seconds_bucket{{le=\"{bound}\"}} {}",
                self.verify_buckets[i].load(Ordering::Relaxed)
            );
        }
        let count = self.verify_count.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "mrtd_verification_seconds_bucket{{le=\"+Inf\"}} {count}\nmrtd_verification_seconds_sum {}\n\
             mrtd_verification_seconds_count {count}",
            self.verify_micros.load(Ordering::Relaxed) as f64 / 1e6
        );
        out
    }
}
