//! Broken-down UTC wall-clock time for templates (no time-zone database needed).

use std::time::{SystemTime, UNIX_EPOCH};

/// Broken-down UTC wall clock time for templates.
pub struct Clock {
    /// Year.
    pub year: i64,
    /// Month, 1–12.
    pub month: u32,
    /// Day of the month, 1–31.
    pub day: u32,
    /// Hour.
    pub hour: u32,
    /// Minute.
    pub min: u32,
    /// Second.
    pub sec: u32,
    /// Millisecond.
    pub ms: u32,
    /// Day of the week, 0 = Sunday.
    pub dow: u32,
}

impl Clock {
    /// The time now.
    pub fn now() -> Clock {
        Clock::at(SystemTime::now())
    }

    /// The civil time (UTC) of `t`.
    pub fn at(t: SystemTime) -> Clock {
        let d = t.duration_since(UNIX_EPOCH).unwrap_or_default();
        let secs = d.as_secs() as i64;
        let days = secs.div_euclid(86_400);
        let rem = secs.rem_euclid(86_400);
        // Civil-from-days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let month = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let year = yoe + era * 400 + i64::from(month <= 2);
        Clock {
            year,
            month,
            day,
            hour: (rem / 3600) as u32,
            min: (rem % 3600 / 60) as u32,
            sec: (rem % 60) as u32,
            ms: d.subsec_millis(),
            dow: ((days + 4).rem_euclid(7)) as u32,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clock_is_plausible() {
        let c = Clock::now();
        assert!(c.year >= 2024 && (1..=12).contains(&c.month) && (1..=31).contains(&c.day));
    }
}
