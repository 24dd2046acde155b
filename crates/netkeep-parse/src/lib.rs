//! TextFSM templates in, records out.
//!
//! netkeep sessions return command output as text; this crate is the face on top of that text
//! that turns it into records, the way Netmiko's `use_textfsm=True` does with Google's TextFSM
//! and the ntc-templates collection — record for record the same as Python textfsm 2.1.0.
//!
//! - [`Template`]: one TextFSM template (Values, states, rules), compiled once, run on output.
//! - [`Index`]: the CliTable index mapping a platform and a command to templates
//!   (`sh[[ow]] ver[[sion]]` abbreviations, several templates merged on their Key values).
//! - [`template_dir`]: where the templates are (`NET_TEXTFSM`, else the ntc-templates Python
//!   package).
//! - [`Templates`]: where one parse's templates come from (that index, another, or the user's
//!   own files), each loaded and compiled once per process ([`shared_index`], [`template_file`]).
//! - [`pyre`]: Python `re` patterns on Rust regex engines, as templates are written in them.
//!
//! It sits beside the session, not under it: it reads text and knows nothing of devices.
//!
//! ```
//! use netkeep_parse::{Field, Template};
//!
//! let template = "Value Required INTERFACE (\\S+)\nValue STATUS (up|down)\n\n\
//!                 Start\n  ^${INTERFACE}\\s+is\\s+${STATUS} -> Record\n";
//! let t = Template::parse("intf.textfsm", template).unwrap();
//! let records = t.parse_output("Gi0/1 is up\nGi0/2 is down\n").unwrap();
//! assert_eq!(records.len(), 2);
//! assert_eq!(records[1]["interface"], Field::Text("Gi0/2".into()));
//! assert_eq!(serde_json::to_string(&records[0]).unwrap(), r#"{"interface":"Gi0/1","status":"up"}"#);
//! ```
#![warn(missing_docs)]

mod discover;
mod engine;
mod error;
#[cfg(feature = "fuzz")]
pub mod fuzz;
mod index;
mod merge;
pub mod pyre;
mod pytext;
mod record;
mod shared;
mod template;

pub use discover::template_dir;
pub use error::{Error, ErrorKind};
pub use index::{expand_completion, Index, IndexRow};
pub use merge::parse_merged;
pub use record::{Field, Item, Record, Records};
pub use shared::{shared_index, template_file, Templates};
pub use template::{Opt, Template};
