//! Wall-clock times as written into manifests.

/// Now, in UTC, as RFC 3339 to the second (`2026-11-22T03:13:36Z`).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

#[cfg(test)]
mod tests {
    #[test]
    fn seconds_in_utc() {
        let t = super::now_rfc3339();
        assert!(t.ends_with('Z'), "{t}");
        assert!(!t.contains('.'), "{t}");
        assert!(t.parse::<jiff::Timestamp>().is_ok(), "{t}");
    }
}
