//! Output faults applied to bytes on their way to the client.

use rand::Rng;

use crate::fault::Fault;
use crate::server::Core;

/// The vendor-flavoured unsolicited line for a platform.
fn unsolicited(platform: &str, hostname: &str) -> String {
    match platform {
        "juniper_junos" => "\r\nWarning: session will be closed in 5 minutes if there is no activity\r\n".into(),
        "cisco_ios" | "cisco_nxos" | "arista_eos" => {
            "\r\n*Nov 26 10:00:00.123: %SYS-5-CONFIG_I: Configured from console by admin on vty1 (10.0.0.9)\r\n".into()
        }
        _ => format!(
            "\r\n%Nov 26 10:00:00:123 2026 {hostname} SHELL/5/SHELL_LOGIN: admin logged in from 10.0.0.9.\r\n"
        ),
    }
}

/// Insert fault text in the middle of an output chunk (at a line boundary when there is one).
pub(crate) fn decorate(core: &Core, out: Vec<u8>) -> Vec<u8> {
    let faults: Vec<Fault> = core.faults_snapshot();
    let mut out = out;
    let hostname = core.state().hostname.clone();
    for f in faults {
        let insert: Vec<u8> = match f {
            Fault::Garbage => {
                let mut rng = rand::rng();
                (0..24).map(|_| rng.random::<u8>()).collect()
            }
            Fault::UnsolicitedLines => unsolicited(&core.p.platform, &hostname).into_bytes(),
            Fault::PromptInOutput => format!(
                "\r\nfake prompt ahead <{hostname}> [{hostname}] {hostname}# {hostname}>\r\n"
            )
            .into_bytes(),
            _ => continue,
        };
        let mid = out.len() / 2;
        let at = out[mid..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(mid, |i| mid + i + 1);
        out.splice(at..at, insert);
    }
    out
}
