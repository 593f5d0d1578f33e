//! Wall-clock times as written into manifests.

/// Now, in UTC, as RFC 3339 to the second (`2026-11-22T03:13:36Z`).
pub fn now_rfc3339() -> String {
    jiff::Timestamp::now()
        .round(jiff::Unit::Second)
        .unwrap_or_else(|_| jiff::Timestamp::now())
        .to_string()
}

/// A time in seconds since the Unix epoch as RFC 3339 UTC, as [`now_rfc3339`] writes it.
pub fn unix_rfc3339(seconds: i64) -> Option<String> {
    jiff::Timestamp::from_second(seconds)
        .ok()
        .map(|t| t.to_string())
}

/// Any RFC 3339 time with an offset, restated in UTC to the second.
pub fn to_utc_rfc3339(time: &str) -> Option<String> {
    let t: jiff::Timestamp = time.trim().parse().ok()?;
    t.round(jiff::Unit::Second).ok().map(|t| t.to_string())
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

    #[test]
    fn unix_and_offset_times_in_utc() {
        assert_eq!(
            super::unix_rfc3339(1_729_200_000).as_deref(),
            Some("2024-10-17T21:20:00Z")
        );
        assert_eq!(
            super::to_utc_rfc3339("2026-03-01T10:00:00+02:00").as_deref(),
            Some("2026-03-01T08:00:00Z")
        );
        assert_eq!(super::to_utc_rfc3339("yesterday"), None);
    }
}
