//! A deterministic random generator for the emulated chip and for tests: SHA-256 over a seed and a
//! counter. Same seed, same bytes — so emulated sessions and recorded traces are reproducible.
//!
//! It is a test tool, not a production RNG: real readers draw from the operating system.

use rand_core::{TryCryptoRng, TryRng};
use sha2::{Digest, Sha256};
use std::convert::Infallible;

/// SHA-256(seed ‖ counter) blocks, concatenated.
#[derive(Clone)]
pub struct SeededRng {
    seed: [u8; 32],
    counter: u64,
    buffer: Vec<u8>,
}

impl std::fmt::Debug for SeededRng {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SeededRng(counter {})", self.counter)
    }
}

impl SeededRng {
    /// A generator for `seed` (any bytes, e.g. a label).
    pub fn new(seed: &[u8]) -> Self {
        SeededRng {
            seed: Sha256::digest(seed).into(),
            counter: 0,
            buffer: Vec::new(),
        }
    }

    fn refill(&mut self) {
        let block = Sha256::new()
            .chain_update(self.seed)
            .chain_update(self.counter.to_be_bytes())
            .finalize();
        self.counter += 1;
        self.buffer.extend_from_slice(&block);
    }
}

impl TryRng for SeededRng {
    type Error = Infallible;
    fn try_next_u32(&mut self) -> Result<u32, Infallible> {
        let mut b = [0u8; 4];
        self.try_fill_bytes(&mut b)?;
        Ok(u32::from_be_bytes(b))
    }
    fn try_next_u64(&mut self) -> Result<u64, Infallible> {
        let mut b = [0u8; 8];
        self.try_fill_bytes(&mut b)?;
        Ok(u64::from_be_bytes(b))
    }
    fn try_fill_bytes(&mut self, dst: &mut [u8]) -> Result<(), Infallible> {
        while self.buffer.len() < dst.len() {
            self.refill();
        }
        dst.copy_from_slice(&self.buffer[..dst.len()]);
        self.buffer.drain(..dst.len());
        Ok(())
    }
}

impl TryCryptoRng for SeededRng {}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_core::Rng;

    #[test]
    fn deterministic_and_seed_dependent() {
        let mut a = SeededRng::new(b"x");
        let mut b = SeededRng::new(b"x");
        let mut c = SeededRng::new(b"y");
        let (mut x, mut y, mut z) = ([0u8; 100], [0u8; 100], [0u8; 100]);
        a.fill_bytes(&mut x);
        b.fill_bytes(&mut y[..30]);
        b.fill_bytes(&mut y[30..]);
        c.fill_bytes(&mut z);
        assert_eq!(x, y);
        assert_ne!(x, z);
    }
}
