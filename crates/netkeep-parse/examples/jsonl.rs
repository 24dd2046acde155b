//! Parses many (template, input) cases read as JSON lines from standard input, one JSON line
//! out per case: `{"records": [...]}` or `{"error": "..."}` (for `scripts/textfsm_fuzz.py`).
//!
//! ```text
//! echo '{"template": "Value A (\\d+)\n\nStart\n  ^${A} -> Record\n", "input": "1\n2\n"}' \
//!   | cargo run -q -p netkeep-parse --example jsonl
//! ```

use std::io::{BufRead, Write};

use serde_json::{json, Value};

fn main() -> std::io::Result<()> {
    let stdin = std::io::stdin();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    for line in stdin.lock().lines() {
        let case: Value = serde_json::from_str(&line?).unwrap_or(Value::Null);
        let template = case["template"].as_str().unwrap_or_default();
        let input = case["input"].as_str().unwrap_or_default();
        let answer = match netkeep_parse::Template::parse("case", template) {
            Err(e) => json!({ "error": e.to_string(), "stage": "template" }),
            Ok(t) => match t.parse_output(input) {
                Ok(records) => json!({ "records": records }),
                Err(e) => json!({ "error": e.to_string(), "stage": "parse" }),
            },
        };
        writeln!(out, "{answer}")?;
    }
    out.flush()
}
