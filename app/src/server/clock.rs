//! The current time, at the precision both databases store.

use chrono::{DateTime, SubsecRound, Utc};

/// Now, truncated to microseconds: PostgreSQL keeps no more, and a timestamp that round-trips
/// unchanged can serve as a pagination cursor on either backend.
pub fn now() -> DateTime<Utc> {
    Utc::now().trunc_subsecs(6)
}
