//! Parsed output in the terminal (`netkeep exec --parse` without `--json`): records as a table
//! (one row per record, a column per value, lists joined with commas), or the output and why
//! it was not parsed.

use netkeep_parse::{Field, Item, Records};

use crate::output::{print_out, report};

/// Prints a command's records as a table, or, when there are none, its output and the note.
pub fn print_parsed(device: &str, command: &str, parsed: Result<&Records, &str>, output: &str) {
    match parsed {
        Ok(records) => print_out(table(records).trim_end_matches('\n')),
        Err(note) => {
            print_out(output);
            report(device, &format!("{command:?} not parsed: {note}"));
        }
    }
}

/// The records as an aligned table, headed by their (upper-cased) keys; `(no records)` for
/// none.
pub fn table(records: &Records) -> String {
    let Some(first) = records.first() else {
        return "(no records)\n".into();
    };
    let header: Vec<String> = first.keys().map(|k| k.to_uppercase()).collect();
    let rows: Vec<Vec<String>> = records
        .iter()
        .map(|r| r.values().map(cell).collect())
        .collect();
    let mut width: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for row in &rows {
        for (w, c) in width.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let mut out = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row
            .iter()
            .zip(&width)
            .map(|(c, w)| format!("{c:<w$}"))
            .collect();
        out.push_str(cells.join("  ").trim_end());
        out.push('\n');
    }
    out
}

fn cell(f: &Field) -> String {
    match f {
        Field::Text(s) => s.clone(),
        Field::List(items) => items
            .iter()
            .map(|i| match i {
                Item::Text(s) => s.clone(),
                Item::Missing => String::new(),
                // Nested named groups: compact JSON, as `--json` shows them.
                Item::Groups(g) => serde_json::to_string(g).unwrap_or_default(),
            })
            .collect::<Vec<_>>()
            .join(","),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_line_up_under_their_keys() {
        let records: Records = serde_json::from_str(
            r#"[{"interface": "GE1/0/1", "link": "UP", "vlans": ["1", "20"]},
                {"interface": "GE1/0/10", "link": "DOWN", "vlans": []}]"#,
        )
        .unwrap();
        let t = table(&records);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines[0], "INTERFACE  LINK  VLANS");
        assert_eq!(lines[1], "GE1/0/1    UP    1,20");
        assert_eq!(lines[2], "GE1/0/10   DOWN");
        assert_eq!(table(&Vec::new()), "(no records)\n");
    }
}
