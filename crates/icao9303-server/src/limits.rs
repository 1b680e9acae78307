//! Load limits: a global bound on verifications in progress (beyond it: 503 with `Retry-After`), a
//! per-tenant request rate (token bucket; beyond it: 429 with `Retry-After`), and the worker slots that
//! CPU-bound verification runs on (off the async runtime, at most one per slot, the rest wait in a queue
//! that the global bound keeps short).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{OwnedSemaphorePermit, Semaphore};

/// The configured limits.
#[derive(Debug, Clone)]
pub struct Limits {
    /// Largest request body of a single upload (bytes); a JSON Lines batch is read line by line instead,
    /// each line at most [`icao9303::jsonl::MAX_LINE`].
    pub max_body: usize,
    /// Verification requests in progress at once (uploads and batches), over all tenants.
    pub max_in_flight: usize,
    /// Documents verified at once (worker threads).
    pub workers: usize,
    /// Sustained requests (or batch documents) per second per tenant.
    pub rate_per_second: f64,
    /// Burst size of the per-tenant rate.
    pub burst: f64,
}

impl Default for Limits {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        Limits {
            max_body: 16 * 1024 * 1024,
            max_in_flight: 64,
            workers: cores,
            rate_per_second: 50.0,
            burst: 100.0,
        }
    }
}

/// A token bucket per tenant.
#[derive(Debug)]
struct Bucket {
    tokens: f64,
    at: Instant,
}

/// The limiters of a running service.
pub struct Limiter {
    limits: Limits,
    in_flight: Arc<Semaphore>,
    workers: Arc<Semaphore>,
    buckets: Mutex<HashMap<String, Bucket>>,
}

impl Limiter {
    /// Limiters for `limits`.
    pub fn new(limits: Limits) -> Limiter {
        Limiter {
            in_flight: Arc::new(Semaphore::new(limits.max_in_flight.max(1))),
            workers: Arc::new(Semaphore::new(limits.workers.max(1))),
            limits,
            buckets: Mutex::new(HashMap::new()),
        }
    }

    /// The limits.
    pub fn limits(&self) -> &Limits {
        &self.limits
    }

    /// A place among the verifications in progress, or `None` when all are taken (503).
    pub fn try_in_flight(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.in_flight).try_acquire_owned().ok()
    }

    /// How many more verification requests may start now.
    pub fn available_in_flight(&self) -> usize {
        self.in_flight.available_permits()
    }

    /// Waits for a worker slot.
    pub async fn worker(&self) -> Option<OwnedSemaphorePermit> {
        Arc::clone(&self.workers).acquire_owned().await.ok()
    }

    /// Takes one token from the tenant's bucket; `Err(wait)` when it is empty.
    pub fn take(&self, tenant: &str) -> Result<(), Duration> {
        let now = Instant::now();
        let mut buckets = self
            .buckets
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let rate = self.limits.rate_per_second.max(0.001);
        let burst = self.limits.burst.max(1.0);
        let bucket = buckets.entry(tenant.to_owned()).or_insert(Bucket {
            tokens: burst,
            at: now,
        });
        let elapsed = now.duration_since(bucket.at).as_secs_f64();
        bucket.tokens = (bucket.tokens + elapsed * rate).min(burst);
        bucket.at = now;
        if bucket.tokens >= 1.0 {
            bucket.tokens -= 1.0;
            Ok(())
        } else {
            Err(Duration::from_secs_f64((1.0 - bucket.tokens) / rate))
        }
    }

    /// Takes a token, waiting for one (a batch slows down to the tenant's rate instead of failing).
    pub async fn take_waiting(&self, tenant: &str) {
        while let Err(wait) = self.take(tenant) {
            tokio::time::sleep(wait).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bucket_allows_the_burst_then_the_rate() {
        let limiter = Limiter::new(Limits {
            rate_per_second: 1.0,
            burst: 3.0,
            ..Limits::default()
        });
        for _ in 0..3 {
            assert!(limiter.take("a").is_ok());
        }
        let wait = limiter.take("a").err();
        assert!(wait.is_some_and(|w| w > Duration::from_millis(500)));
        // Another tenant has its own bucket.
        assert!(limiter.take("b").is_ok());
    }
}
