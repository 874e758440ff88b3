//! Sign-in throttling (and the same limits on requests that send account mail): a few failed attempts per client address in a short window, and a
//! bounded number of failures per account over a longer one, answered with how long to wait.
//! Successful sign-ins do not count, so an office behind one address is not locked out by its
//! own colleagues.
//!
//! Counts live in this process. Behind a load balancer each node keeps its own, so the
//! effective limit is per node; the per-account limit still caps guessing at
//! `nodes × ACCOUNT_FAILURES` per window.

use std::{
    collections::{HashMap, VecDeque},
    sync::Mutex,
    time::{Duration, Instant},
};

pub const ADDRESS_FAILURES: usize = 5;
pub const ADDRESS_WINDOW: Duration = Duration::from_secs(20);
pub const ACCOUNT_FAILURES: usize = 20;
pub const ACCOUNT_WINDOW: Duration = Duration::from_secs(300);
/// Beyond this many tracked keys the oldest are dropped, so a flood of addresses cannot grow
/// memory without bound.
const MAX_KEYS: usize = 100_000;

#[derive(Debug, Default)]
pub struct LoginThrottle {
    addresses: Mutex<Window>,
    accounts: Mutex<Window>,
}

#[derive(Debug, Default)]
struct Window {
    hits: HashMap<String, VecDeque<Instant>>,
}

impl Window {
    /// Seconds to wait before another hit under `key` is allowed, if it is over `limit`.
    fn wait(&mut self, key: &str, limit: usize, window: Duration, now: Instant) -> Option<u64> {
        let hits = self.hits.get_mut(key)?;
        while hits.front().is_some_and(|t| now.duration_since(*t) >= window) {
            hits.pop_front();
        }
        if hits.len() < limit {
            return None;
        }
        let oldest = *hits.front()?;
        Some((window - now.duration_since(oldest)).as_secs().max(1))
    }

    fn hit(&mut self, key: &str, now: Instant) {
        if self.hits.len() >= MAX_KEYS && !self.hits.contains_key(key) {
            let stalest = self
                .hits
                .iter()
                .min_by_key(|(_, hits)| hits.back().copied())
                .map(|(key, _)| key.clone());
            if let Some(stalest) = stalest {
                self.hits.remove(&stalest);
            }
        }
        self.hits.entry(key.to_owned()).or_default().push_back(now);
    }
}

impl LoginThrottle {
    /// Whether `address` may try to sign in to `account` now; if not, the seconds to wait.
    pub fn check(&self, address: &str, account: &str) -> Result<(), u64> {
        self.check_at(address, account, Instant::now())
    }

    fn check_at(&self, address: &str, account: &str, now: Instant) -> Result<(), u64> {
        let mut accounts = self.accounts.lock().expect("throttle lock");
        if let Some(wait) = accounts.wait(account, ACCOUNT_FAILURES, ACCOUNT_WINDOW, now) {
            return Err(wait);
        }
        drop(accounts);
        let mut addresses = self.addresses.lock().expect("throttle lock");
        match addresses.wait(address, ADDRESS_FAILURES, ADDRESS_WINDOW, now) {
            Some(wait) => Err(wait),
            None => Ok(()),
        }
    }

    pub fn failed(&self, address: &str, account: &str) {
        self.failed_at(address, account, Instant::now());
    }

    fn failed_at(&self, address: &str, account: &str, now: Instant) {
        self.accounts.lock().expect("throttle lock").hit(account, now);
        self.addresses.lock().expect("throttle lock").hit(address, now);
    }

    /// For requests that send mail (registering, asking for a reset link): every one counts,
    /// whatever its outcome, so neither an address nor a mailbox can be flooded.
    pub fn counted(&self, address: &str, account: &str) -> Result<(), u64> {
        let now = Instant::now();
        self.check_at(address, account, now)?;
        self.failed_at(address, account, now);
        Ok(())
    }

    pub fn succeeded(&self, account: &str) {
        self.accounts.lock().expect("throttle lock").hits.remove(account);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_address_gets_five_failures_per_twenty_seconds() {
        let throttle = LoginThrottle::default();
        let start = Instant::now();
        for n in 0..ADDRESS_FAILURES {
            let account = format!("user{n}");
            assert!(throttle.check_at("10.0.0.1", &account, start).is_ok());
            throttle.failed_at("10.0.0.1", &account, start);
        }
        let wait = throttle.check_at("10.0.0.1", "another", start + Duration::from_secs(5));
        assert_eq!(wait, Err(15));
        assert!(throttle.check_at("10.0.0.2", "another", start).is_ok(), "other addresses are not affected");
        assert!(throttle.check_at("10.0.0.1", "another", start + ADDRESS_WINDOW).is_ok());
    }

    #[test]
    fn successful_sign_ins_do_not_count() {
        let throttle = LoginThrottle::default();
        for _ in 0..50 {
            assert!(throttle.check("10.0.0.1", "ana@example.com").is_ok());
            throttle.succeeded("ana@example.com");
        }
    }

    #[test]
    fn an_account_gets_twenty_failures_per_five_minutes_from_anywhere() {
        let throttle = LoginThrottle::default();
        for n in 0..ACCOUNT_FAILURES {
            throttle.failed(&format!("192.0.2.{n}"), "ana@example.com");
        }
        let refused = throttle.check("198.51.100.7", "ana@example.com");
        assert!(matches!(refused, Err(wait) if wait > 290), "{refused:?}");
        throttle.succeeded("ana@example.com");
        assert!(throttle.check("198.51.100.7", "ana@example.com").is_ok());
    }
}
