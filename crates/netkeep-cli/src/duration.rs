//! Durations on the command line: the one parser of every duration flag (humantime: `3s`,
//! `500ms`, `1m30s`; `0` is zero) and of timeouts (a duration or plain seconds, never zero).

use std::time::Duration;

/// Parses `3s`, `500ms`, `10m`, `1m30s` (humantime); `0` means zero (off).
pub fn parse_duration(s: &str) -> Result<Duration, String> {
    let s = s.trim();
    if s == "0" {
        return Ok(Duration::ZERO);
    }
    humantime::parse_duration(s)
        .map_err(|e| format!("bad duration `{s}` ({e}); expected e.g. 3s, 500ms, 10m"))
}

/// Parses a timeout flag: a duration like [`parse_duration`] (`5s`, `500ms`, `2m`) or a plain
/// number of seconds (`5`, `0.5`); zero is refused (a timeout must leave time to answer).
pub fn parse_timeout(s: &str) -> Result<Duration, String> {
    let d = match s.trim().parse::<f64>() {
        Ok(secs) => Duration::try_from_secs_f64(secs)
            .map_err(|_| format!("bad timeout `{s}`; expected e.g. 5s, 500ms, 2m"))?,
        Err(_) => parse_duration(s)?,
    };
    if d.is_zero() {
        return Err(format!(
            "timeout `{s}` must be positive (e.g. 5s, 500ms, 2m)"
        ));
    }
    Ok(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_units_and_zero() {
        assert_eq!(parse_duration("1m30s").unwrap().as_secs(), 90);
        assert_eq!(parse_duration(" 1500ms ").unwrap().as_millis(), 1500);
        assert!(parse_duration("0").unwrap().is_zero());
        assert!(parse_duration("soon")
            .unwrap_err()
            .contains("expected e.g. 3s"));
    }

    #[test]
    fn timeouts_take_seconds_too_but_never_zero() {
        assert_eq!(parse_timeout("5s").unwrap().as_secs(), 5);
        assert_eq!(parse_timeout("1.5").unwrap().as_millis(), 1500);
        assert!(parse_timeout("0").unwrap_err().contains("positive"));
        assert!(parse_timeout("0s").is_err() && parse_timeout("soon").is_err());
        assert!(parse_timeout("-1").is_err());
    }
}
