//! `netkeep sim`'s enable-secret flags: a secret comes from a file (never a flag), and bad
//! input is a clear error with a non-zero exit.

use std::process::Command;

const BIN: &str = env!("CARGO_BIN_EXE_netkeep");

#[test]
fn enable_secret_flags_fail_clearly() {
    let missing = std::env::temp_dir().join(format!("netkeep-no-secret-{}", std::process::id()));
    let o = Command::new(BIN)
        .args([
            "sim",
            "--platform",
            "cisco_ios",
            "--port",
            "0",
            "--enable-secret-file",
        ])
        .arg(&missing)
        .output()
        .unwrap();
    assert!(!o.status.success());
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("--enable-secret-file") && err.contains(&*missing.to_string_lossy()),
        "{err}"
    );
    // A file and "no secret" at once is a usage error.
    let o = Command::new(BIN)
        .args(["sim", "--no-enable-secret", "--enable-secret-file", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    // There is no flag that takes the secret itself.
    let o = Command::new(BIN)
        .args(["sim", "--enable-secret", "x"])
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
}
