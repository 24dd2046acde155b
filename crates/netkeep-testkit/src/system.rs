//! Tests that need something of the machine (a system tool, root, a kernel feature): skipped
//! with a message where it is missing, failed instead in CI, which must have it.

/// The environment variable that turns a missing system requirement into a failure (`.ci/run`
/// sets it).
pub const REQUIRE_SYSTEM_TOOLS: &str = "NETKEEP_REQUIRE_SYSTEM_TOOLS";

/// `test` cannot run here for want of `why`: prints `SKIP test: why` and returns (the caller
/// then returns too), or panics when [`REQUIRE_SYSTEM_TOOLS`] is set.
///
/// ```no_run
/// if std::process::Command::new("ip").arg("-V").output().is_err() {
///     netkeep_testkit::skip_or_fail("netns", "no `ip` command");
///     return;
/// }
/// ```
pub fn skip_or_fail(test: &str, why: &str) {
    if std::env::var_os(REQUIRE_SYSTEM_TOOLS).is_some() {
        panic!("{test}: {why}, and {REQUIRE_SYSTEM_TOOLS} is set: this machine must provide it");
    }
    println!("SKIP {test}: {why}");
}
