//! Simulated devices on 127.0.0.1 port 0, and session options that reach them.

use std::time::Duration;

use netkeep::{Auth, ConnectOptions, HostKeyPolicy, Secret};
use netkeep_sim::{DeviceConfig, SimDevice};

/// The platforms the simulator plays in the cross-platform tests.
pub const PLATFORMS: [&str; 7] = [
    "hp_comware",
    "huawei",
    "cisco_ios",
    "cisco_nxos",
    "juniper_junos",
    "arista_eos",
    "linux",
];

/// A command each of [`PLATFORMS`] accepts, and text its output contains.
///
/// ```
/// assert_eq!(netkeep_testkit::good_command("huawei"), ("display clock", "UTC"));
/// ```
pub fn good_command(platform: &str) -> (&'static str, &'static str) {
    match platform {
        "hp_comware" | "huawei" => ("display clock", "UTC"),
        "juniper_junos" => ("show system uptime", "UTC"),
        "linux" => ("date", "UTC"),
        _ => ("show clock", "UTC"),
    }
}

/// Starts a simulated `platform` device on 127.0.0.1 (a free port), its settings adjusted by
/// `tweak`. Panics if it cannot start (a test cannot go on without it).
pub async fn start_sim(platform: &str, tweak: impl FnOnce(&mut DeviceConfig)) -> SimDevice {
    let mut cfg = DeviceConfig::new(platform);
    tweak(&mut cfg);
    start_device(cfg).await
}

/// Starts a simulated device from its settings on 127.0.0.1 (a free port).
pub async fn start_device(cfg: DeviceConfig) -> SimDevice {
    let any_port = std::net::SocketAddr::from(([127, 0, 0, 1], 0));
    SimDevice::start(cfg, any_port)
        .await
        .expect("simulator starts")
}

/// Options for a session to `dev` as `platform`: user and password `admin` (the simulator's
/// default), any host key, 5 s to connect and to read, device label `sim-<platform>`.
pub fn sim_options(dev: &SimDevice, platform: &str) -> ConnectOptions {
    ConnectOptions::new("127.0.0.1", dev.addr().port(), platform)
        .username("admin")
        .auth(Auth::Password(Secret::new("admin")))
        .host_key_policy(HostKeyPolicy::Insecure)
        .connect_timeout(Duration::from_secs(5))
        .read_timeout(Duration::from_secs(5))
        .device_name(format!("sim-{platform}"))
}
