//! API key → tenant, without a database round trip on every request: a small cache of the tenants found
//! by the SHA-256 of their key, each entry kept for [`TTL`] at most. A key that is not found is never
//! cached (a new tenant's key works at once), and an entry expires on time, so a key revoked or replaced
//! in the database (on this replica or another) stops working within [`TTL`]. The cache holds at most
//! [`CAPACITY`] entries: when full, expired entries go first, then everything (a flood of valid keys
//! costs database look-ups, never memory).

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use crate::db::Tenant;

/// How long a tenant found by its key is trusted without asking the database again.
pub const TTL: Duration = Duration::from_secs(5);
/// Most keys cached.
pub const CAPACITY: usize = 1024;

/// The cache.
#[derive(Default)]
pub struct TenantCache {
    entries: Mutex<HashMap<String, (Tenant, Instant)>>,
}

impl TenantCache {
    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Tenant, Instant)>> {
        self.entries
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The tenant cached for this key hash, if its entry is younger than [`TTL`].
    pub fn get(&self, key_hash: &str) -> Option<Tenant> {
        let mut entries = self.entries();
        match entries.get(key_hash) {
            Some((tenant, at)) if at.elapsed() < TTL => Some(tenant.clone()),
            Some(_) => {
                entries.remove(key_hash);
                None
            }
            None => None,
        }
    }

    /// Remembers the tenant found for this key hash.
    pub fn put(&self, key_hash: &str, tenant: &Tenant) {
        let mut entries = self.entries();
        if entries.len() >= CAPACITY {
            entries.retain(|_, (_, at)| at.elapsed() < TTL);
            if entries.len() >= CAPACITY {
                entries.clear();
            }
        }
        entries.insert(key_hash.to_owned(), (tenant.clone(), Instant::now()));
    }

    /// Forgets every entry (after a key is revoked through this replica).
    pub fn clear(&self) {
        self.entries().clear();
    }

    /// How many entries are held.
    pub fn len(&self) -> usize {
        self.entries().len()
    }

    /// Whether nothing is cached.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tenant(id: &str) -> Tenant {
        Tenant {
            id: id.into(),
            name: id.into(),
            admin: false,
            store_holder: false,
            retention_days: 1,
            created_at: 0,
        }
    }

    #[test]
    fn entries_expire_and_the_size_is_bounded() {
        let cache = TenantCache::default();
        cache.put("h", &tenant("a"));
        assert_eq!(cache.get("h").map(|t| t.id), Some("a".to_owned()));
        assert!(cache.get("other").is_none());
        // An entry older than the TTL is not used, and is dropped.
        cache.entries().insert(
            "old".into(),
            (
                tenant("b"),
                Instant::now().checked_sub(TTL).unwrap_or_else(Instant::now),
            ),
        );
        assert!(cache.get("old").is_none());
        assert!(!cache.entries().contains_key("old"));
        for i in 0..(CAPACITY * 3) {
            cache.put(&format!("k{i}"), &tenant("c"));
            assert!(cache.len() <= CAPACITY);
        }
    }
}
