//! The daemon's signal table: every signal whose default action would end the process is either
//! acted on (reload, stop, a summary line) or ignored with a log line.

/// What the daemon does on a signal.
#[derive(Clone, Copy)]
pub(super) enum OnSignal {
    Reload,
    Stop,
    Summary,
    Ignore,
}

/// A signal's name, what it does, and its stream.
pub(super) type SignalStream = (&'static str, OnSignal, tokio::signal::unix::Signal);

/// Installs the daemon's handlers.
pub(super) fn signal_streams() -> Result<Vec<SignalStream>, String> {
    use tokio::signal::unix::{signal, SignalKind};
    let table = [
        ("SIGHUP", SignalKind::hangup(), OnSignal::Reload),
        ("SIGTERM", SignalKind::terminate(), OnSignal::Stop),
        ("SIGINT", SignalKind::interrupt(), OnSignal::Stop),
        ("SIGQUIT", SignalKind::quit(), OnSignal::Stop),
        ("SIGUSR1", SignalKind::user_defined1(), OnSignal::Summary),
        ("SIGUSR2", SignalKind::user_defined2(), OnSignal::Summary),
        ("SIGALRM", SignalKind::alarm(), OnSignal::Ignore),
        (
            "SIGVTALRM",
            SignalKind::from_raw(libc::SIGVTALRM),
            OnSignal::Ignore,
        ),
        (
            "SIGPROF",
            SignalKind::from_raw(libc::SIGPROF),
            OnSignal::Ignore,
        ),
        ("SIGIO", SignalKind::io(), OnSignal::Ignore),
    ];
    table
        .into_iter()
        .map(|(name, kind, act)| {
            signal(kind)
                .map(|s| (name, act, s))
                .map_err(|e| format!("cannot install a handler for {name} ({e})"))
        })
        .collect()
}
