//! Start-up chores: the open-file limit (one socket per session) and warming the fleet with a
//! progress bar on a terminal, bounded log lines elsewhere.

use std::time::{Duration, Instant};

use crate::pool::Pool;

/// Raises the soft open-file limit to the hard limit (each session is a socket). Returns
/// (old soft limit, new soft limit).
#[allow(clippy::unnecessary_cast)] // rlim_t is not u64 everywhere
pub fn raise_nofile_limit() -> std::io::Result<(u64, u64)> {
    let mut lim = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: getrlimit/setrlimit only read/write the struct we pass.
    if unsafe { libc::getrlimit(libc::RLIMIT_NOFILE, &mut lim) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    let old = lim.rlim_cur as u64;
    if lim.rlim_cur < lim.rlim_max {
        lim.rlim_cur = lim.rlim_max;
        // SAFETY: as above.
        if unsafe { libc::setrlimit(libc::RLIMIT_NOFILE, &lim) } != 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok((old, lim.rlim_cur as u64))
}

pub(super) async fn warm_with_progress(pool: &Pool, bar: bool) -> (usize, usize) {
    let t0 = Instant::now();
    let pb = bar.then(|| {
        let pb = indicatif::ProgressBar::new(0);
        if let Ok(style) = indicatif::ProgressStyle::with_template(
            "warming {bar:40} {pos}/{len} sessions {elapsed}",
        ) {
            pb.set_style(style);
        }
        pb
    });
    let last_log = std::sync::Mutex::new(Instant::now());
    let (ok, failed) = pool
        .warm(|done, total| {
            if let Some(pb) = &pb {
                pb.set_length(total as u64);
                pb.set_position(done as u64);
            } else {
                // Log lines at most every 2 s: bounded output for 10,000 devices.
                let mut l = last_log.lock().unwrap_or_else(|p| p.into_inner());
                if l.elapsed() >= Duration::from_secs(2) {
                    *l = Instant::now();
                    tracing::info!("warming: {done}/{total}");
                }
            }
        })
        .await;
    if let Some(pb) = pb {
        pb.finish_and_clear();
    }
    tracing::info!(
        "warm: {ok} sessions up, {failed} failed, in {:.1} s",
        t0.elapsed().as_secs_f64()
    );
    (ok, failed)
}
