//! Text rendering for the CLI: the `netkeep status` table.

use netkeep_keeper::wire::DeviceStatus;

/// Renders the status table: device, state, session age, keepalives sent, last round trip,
/// reconnects, the path (VIA, when some device is reached through a jump host or a command),
/// last error.
pub fn status_table(rows: &[DeviceStatus]) -> String {
    let with_via = rows.iter().any(|r| r.via.is_some());
    let mut header = vec![
        "DEVICE",
        "STATE",
        "AGE",
        "KEEPALIVES",
        "LAST RTT",
        "RECONNECTS",
        "LAST ERROR",
    ];
    if with_via {
        header.insert(6, "VIA");
    }
    let cells: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            let mut row = vec![
                r.device.clone(),
                if r.max_sessions > 1 {
                    format!("{} {}/{}", r.state, r.sessions, r.max_sessions)
                } else {
                    r.state.to_string()
                },
                r.age_s.map(fmt_age).unwrap_or_else(|| "-".into()),
                r.keepalives_sent.to_string(),
                r.last_rtt_ms
                    .map(|m| format!("{m:.2} ms"))
                    .unwrap_or_else(|| "-".into()),
                r.reconnects.to_string(),
                r.last_error
                    .as_deref()
                    .map(|e| truncate(e, 80))
                    .unwrap_or_else(|| "-".into()),
            ];
            if with_via {
                row.insert(6, r.via.clone().unwrap_or_else(|| "-".into()));
            }
            row
        })
        .collect();
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for row in &cells {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let line = |out: &mut String, row: &[&str]| {
        for (i, (c, w)) in row.iter().zip(width.iter().copied()).enumerate() {
            if i + 1 == row.len() {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push('\n');
    };
    line(&mut out, &header);
    for row in &cells {
        line(
            &mut out,
            &row.iter().map(String::as_str).collect::<Vec<_>>(),
        );
    }
    out
}

fn fmt_age(s: f64) -> String {
    let t = s as u64;
    if s < 60.0 {
        format!("{s:.1}s")
    } else if t < 3600 {
        format!("{}m{:02}s", t / 60, t % 60)
    } else if t < 86400 {
        format!("{}h{:02}m", t / 3600, t % 3600 / 60)
    } else {
        format!("{}d{:02}h", t / 86400, t % 86400 / 3600)
    }
}

fn truncate(s: &str, n: usize) -> String {
    let one_line = s.replace(['\n', '\r'], " ");
    if one_line.chars().count() <= n {
        one_line
    } else {
        format!("{}…", one_line.chars().take(n - 1).collect::<String>())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use netkeep_keeper::wire::DeviceState;

    fn row(device: &str, state: DeviceState, age: Option<f64>, err: Option<&str>) -> DeviceStatus {
        DeviceStatus {
            device: device.into(),
            state,
            age_s: age,
            keepalives_sent: 5,
            last_rtt_ms: Some(0.123),
            reconnects: 2,
            last_error: err.map(Into::into),
            sessions: 1,
            max_sessions: 1,
            in_use: 0,
            queued: 0,
            drops: 0,
            failures: 0,
            retry_in_s: None,
            address: "127.0.0.1:22".into(),
            platform: "hp_comware".into(),
            via: None,
        }
    }

    #[test]
    fn table_aligns_columns_and_formats_values() {
        let t = status_table(&[
            row("kept", DeviceState::Ready, Some(16.04), None),
            row(
                "bare-long-name",
                DeviceState::Idle,
                None,
                Some("closed\nby device"),
            ),
        ]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        let col = lines[0].find("STATE").unwrap();
        assert_eq!(lines[1].find("ready"), Some(col));
        assert_eq!(lines[2].find("idle"), Some(col));
        assert!(lines[1].contains("16.0s") && lines[1].contains("0.12 ms"));
        assert!(lines[2].ends_with("closed by device"));
        assert_eq!(fmt_age(3725.0), "1h02m");
        assert_eq!(fmt_age(125.0), "2m05s");
        assert!(status_table(&[]).starts_with("DEVICE"));
    }

    #[test]
    fn the_path_shows_only_when_some_device_has_one() {
        let mut r = row("sw1", DeviceState::Ready, Some(1.0), None);
        assert!(!status_table(std::slice::from_ref(&r)).contains("VIA"));
        r.via = Some("via ops@198.18.0.1:22 (shared)".into());
        let t = status_table(&[r, row("sw2", DeviceState::Idle, None, Some("boom"))]);
        let lines: Vec<&str> = t.lines().collect();
        let col = lines[0].find("VIA").unwrap();
        assert_eq!(lines[1].find("via ops@"), Some(col));
        assert!(lines[2].ends_with("boom"), "{t}");
    }

    #[test]
    fn several_sessions_show_in_use_of_max() {
        let mut r = row("core", DeviceState::Busy, Some(3.0), None);
        (r.sessions, r.max_sessions) = (2, 4);
        assert!(status_table(&[r])
            .lines()
            .nth(1)
            .unwrap()
            .contains("busy 2/4"));
    }
}
