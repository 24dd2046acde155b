//! Directories of YAML data files: embedded at build time, listed at run time.
//!
//! netkeep keeps each platform (`netkeep-platform/platforms/NAME.yaml`) and each simulator
//! personality (`netkeep-sim/personalities/NAME.yaml`) in one file. A build script calls
//! [`embed_yaml_dir`], which lists the directory and writes a table of `(name, contents)` rows
//! (one `include_str!` per file) into `OUT_DIR`; the crate `include!`s that table. Dropping a file
//! into the directory is then the whole change: no list to edit. [`yaml_files`] lists a user's
//! directory of the same files at run time. It sits below the data crates and has no dependencies.
//!
//! ```text
//! // build.rs
//! fn main() {
//!     netkeep_embed::embed_yaml_dir("platforms", "builtin_platforms.rs");
//! }
//! // lib.rs
//! const BUILTIN: &[(&str, &str)] = include!(concat!(env!("OUT_DIR"), "/builtin_platforms.rs"));
//! ```
#![warn(missing_docs)]

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// The `*.yaml` / `*.yml` files of `dir`, sorted by name, as `(file stem, path)`.
pub fn yaml_files(dir: &Path) -> std::io::Result<Vec<(String, PathBuf)>> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let is_yaml = matches!(
            path.extension().and_then(|e| e.to_str()),
            Some("yaml" | "yml")
        );
        let stem = path.file_stem().and_then(|s| s.to_str()).map(str::to_owned);
        if let (true, Some(stem)) = (is_yaml, stem) {
            files.push((stem, path));
        }
    }
    files.sort();
    Ok(files)
}

/// Rust source of a `&[(&str, &str)]` expression: one `(stem, include_str!(path))` row per file.
pub fn table_source(files: &[(String, PathBuf)]) -> String {
    let mut src = String::from("&[\n");
    for (stem, path) in files {
        // `{:?}` writes a valid Rust string literal (quotes and backslashes escaped).
        let _ = writeln!(
            src,
            "    ({stem:?}, include_str!({:?})),",
            path.display().to_string()
        );
    }
    src.push(']');
    src
}

/// For build scripts: embed the YAML files of `dir` (relative to the crate's manifest) as a table
/// written to `$OUT_DIR/out_file`, and ask Cargo to rebuild when the directory changes.
///
/// Panics (failing the build with the message) when the directory cannot be read or holds no
/// YAML file: a crate without its data is a build defect.
pub fn embed_yaml_dir(dir: &str, out_file: &str) {
    let manifest =
        std::env::var_os("CARGO_MANIFEST_DIR").expect("CARGO_MANIFEST_DIR is set by Cargo");
    let out_dir = std::env::var_os("OUT_DIR").expect("OUT_DIR is set by Cargo");
    let dir_path = Path::new(&manifest).join(dir);
    // A directory: Cargo rescans it, so an added or removed file triggers a rebuild.
    println!("cargo:rerun-if-changed={}", dir_path.display());
    let files =
        yaml_files(&dir_path).unwrap_or_else(|e| panic!("cannot list {}: {e}", dir_path.display()));
    assert!(
        !files.is_empty(),
        "no *.yaml file in {}",
        dir_path.display()
    );
    let out = Path::new(&out_dir).join(out_file);
    std::fs::write(&out, table_source(&files))
        .unwrap_or_else(|e| panic!("cannot write {}: {e}", out.display()));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_yaml_files_sorted_and_writes_a_table() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["b.yaml", "a.yml", "notes.txt", "c.yaml.bak"] {
            std::fs::write(dir.path().join(f), "x: 1\n").unwrap();
        }
        let files = yaml_files(dir.path()).unwrap();
        let stems: Vec<&str> = files.iter().map(|(s, _)| s.as_str()).collect();
        assert_eq!(stems, ["a", "b"]);
        let src = table_source(&files);
        assert!(src.starts_with("&[\n    (\"a\", include_str!(\""), "{src}");
        assert!(src.contains("b.yaml\")),"), "{src}");
        assert!(src.ends_with(']'));
    }
}
