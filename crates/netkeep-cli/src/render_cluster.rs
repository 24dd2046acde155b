//! The cluster's `netkeep status`: the nodes with their shards, then every device with its
//! owner.

use netkeep_keeper::wire::ClusterStatus;

/// Left-aligned columns, the last one unpadded.
fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut width: Vec<usize> = header.iter().map(|h| h.len()).collect();
    for r in rows {
        for (w, c) in width.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    let mut line = |cells: Vec<&str>| {
        let n = cells.len();
        for (i, (c, w)) in cells.into_iter().zip(&width).enumerate() {
            if i + 1 == n {
                out.push_str(c);
            } else {
                out.push_str(&format!("{c:<w$}  "));
            }
        }
        out.push('\n');
    };
    line(header.to_vec());
    for r in rows {
        line(r.iter().map(String::as_str).collect());
    }
    out
}

/// Renders the nodes, then the devices.
pub fn cluster_tables(s: &ClusterStatus) -> String {
    let nodes: Vec<Vec<String>> = s
        .nodes
        .iter()
        .map(|n| {
            vec![
                n.node.clone(),
                n.state.as_str().to_string(),
                n.shards.to_string(),
                n.devices.to_string(),
                n.sessions.to_string(),
                n.heartbeat_age_s
                    .map(|a| format!("{a:.1}s ago"))
                    .unwrap_or_else(|| "-".into()),
            ]
        })
        .collect();
    let devices: Vec<Vec<String>> = s
        .devices
        .iter()
        .map(|d| {
            let err = d.status.last_error.clone().unwrap_or_else(|| "-".into());
            vec![
                d.status.device.clone(),
                d.owner.clone().unwrap_or_else(|| "-".into()),
                d.status.state.to_string(),
                d.status.sessions.to_string(),
                err.chars().take(80).collect(),
            ]
        })
        .collect();
    format!(
        "{}\n{}",
        table(
            &[
                "NODE",
                "STATE",
                "SHARDS",
                "DEVICES",
                "SESSIONS",
                "HEARTBEAT"
            ],
            &nodes
        ),
        table(
            &["DEVICE", "OWNER", "STATE", "SESSIONS", "LAST ERROR"],
            &devices
        )
    )
}
