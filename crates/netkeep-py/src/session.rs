//! `NativeSession`: one netkeep session, each call run with the GIL released. The Python
//! `ConnectHandler` (Netmiko's names and keyword arguments) is built on it.

use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::time::Duration;

use netkeep::{
    Auth, CandidateState, Command, ConfigLine, ConfigSetOptions, ConnectOptions, Finish,
    HostKeyPolicy, KeepaliveConfig, Protocol, Secret, Session, SessionLog,
};
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::{PyDict, PyList};

use crate::errors::{foreign_process, to_py};
use crate::reach;
use crate::runtime::{runtime, wait};

/// A session to one device. Made by `connect`; used from any thread of the process that made
/// it (a forked child gets a clear error and opens its own).
#[pyclass(module = "netkeep._native", frozen)]
pub struct NativeSession {
    pid: u32,
    session: ManuallyDrop<Session>,
}

fn secs(v: f64, what: &str) -> PyResult<Duration> {
    Duration::try_from_secs_f64(v)
        .ok()
        .filter(|d| !d.is_zero())
        .ok_or_else(|| {
            PyValueError::new_err(format!(
                "{what} must be a positive number of seconds, not {v}"
            ))
        })
}

fn opt_secs(v: Option<f64>, what: &str) -> PyResult<Option<Duration>> {
    v.map(|v| secs(v, what)).transpose()
}

/// How to log in, from the arguments given: a key file, else keyboard-interactive or password.
fn auth(
    password: Option<String>,
    key_file: Option<PathBuf>,
    passphrase: Option<String>,
    keyboard_interactive: bool,
) -> Auth {
    let password = Secret::new(password.unwrap_or_default());
    match key_file {
        Some(path) => Auth::PublicKey {
            path,
            passphrase: passphrase.map(Secret::new),
        },
        None if keyboard_interactive => Auth::KeyboardInteractive(password),
        None => Auth::Password(password),
    }
}

/// `accept_new`, `strict`, ... (`_` or `-`).
fn policy(p: &str) -> PyResult<HostKeyPolicy> {
    p.replace('_', "-")
        .parse::<HostKeyPolicy>()
        .map_err(PyValueError::new_err)
}

/// The connection options: from the call alone, or from the call over the host's entry in
/// `ssh_config_file`. `auth` is the call's (`None`: no password or key file given).
fn options(
    py: Python<'_>,
    g: reach::Given,
    platform: String,
    auth: Option<Auth>,
    device_name: Option<String>,
    ssh_config_file: Option<PathBuf>,
) -> PyResult<ConnectOptions> {
    let probe = ConnectOptions::new(g.host.clone(), 0, platform.clone());
    let telnet = probe.resolved_protocol().0 == Protocol::Telnet;
    if let Some(file) = &ssh_config_file {
        let r = reach::resolve(py, file, &g)?;
        if !telnet {
            return Ok(reach::ssh_options(g, r, platform, auth, device_name));
        }
        reach::refuse_telnet_route(py, &r, &g.host)?;
    }
    let port = g.port.unwrap_or(if telnet { 23 } else { 22 });
    let auth = auth.unwrap_or_else(|| Auth::Password(Secret::new(String::new())));
    let mut o = ConnectOptions::new(g.host, port, platform)
        .username(g.username.unwrap_or_default())
        .auth(auth)
        .host_key_policy(g.host_key_policy.unwrap_or_default())
        .connect_timeout(g.conn_timeout.unwrap_or(reach::DEFAULT_CONNECT_TIMEOUT))
        .legacy_algorithms(g.legacy_algorithms);
    o.device_name = device_name;
    o.known_hosts_file = g.known_hosts_file;
    Ok(o)
}

/// What a configuration set did, as a dict: `lines` and `after` (each `{line, output}`),
/// `candidate` (`applied`, `pending`, `committed`, `checked`, `discarded`), `transcript`.
fn outcome_to_py<'py>(py: Python<'py>, o: &netkeep::ConfigOutcome) -> PyResult<Bound<'py, PyDict>> {
    let lines = |ls: &[ConfigLine]| -> PyResult<Bound<'py, PyList>> {
        let l = PyList::empty(py);
        for x in ls {
            let d = PyDict::new(py);
            d.set_item("line", &x.line)?;
            d.set_item("output", &x.output)?;
            l.append(d)?;
        }
        Ok(l)
    };
    let d = PyDict::new(py);
    d.set_item("lines", lines(&o.lines)?)?;
    d.set_item("after", lines(&o.after)?)?;
    d.set_item("candidate", o.candidate.as_str())?;
    if let CandidateState::Committed { confirm: Some(t) } = o.candidate {
        d.set_item("confirm_seconds", t.as_secs_f64())?;
    }
    d.set_item("transcript", &o.transcript)?;
    d.set_item("answers", o.answers())?;
    Ok(d)
}

impl NativeSession {
    /// The session, if this is the process that opened it.
    fn live(&self) -> PyResult<&Session> {
        if self.pid != std::process::id() {
            return Err(foreign_process(self.pid));
        }
        Ok(&self.session)
    }

    /// Runs a call on the session with the GIL released; errors become netkeep exceptions.
    fn run<'a, T, F, Fut>(&'a self, py: Python<'_>, f: F) -> PyResult<T>
    where
        F: FnOnce(&'a Session) -> Fut,
        Fut: std::future::Future<Output = Result<T, netkeep::Error>> + Send + 'a,
        T: Send,
    {
        let s = self.live()?;
        wait(py, f(s))?.map_err(|e| to_py(py, &e))
    }
}

#[pymethods]
impl NativeSession {
    /// Connects, logs in and prepares the session (paging off), within `conn_timeout` seconds.
    /// With `ssh_config_file`, `host` is looked up in that OpenSSH client configuration
    /// (see `reach`); `port`, `username`, `host_key_policy`, `conn_timeout` and
    /// `known_hosts_file` left `None` then come from it.
    #[staticmethod]
    #[pyo3(signature = (host, port, platform, username, *, password=None, secret=None,
        key_file=None, passphrase=None, keyboard_interactive=false, conn_timeout=None,
        read_timeout=30.0, keepalive=None, keepalive_interval=None, idle_timeout=None,
        session_log=None, device_name=None, host_key_policy=None,
        known_hosts_file=None, enable=None, legacy_algorithms=false, platform_dir=None,
        ssh_config_file=None))]
    #[allow(clippy::too_many_arguments)]
    fn connect(
        py: Python<'_>,
        host: String,
        port: Option<u16>,
        platform: String,
        username: Option<String>,
        password: Option<String>,
        secret: Option<String>,
        key_file: Option<PathBuf>,
        passphrase: Option<String>,
        keyboard_interactive: bool,
        conn_timeout: Option<f64>,
        read_timeout: f64,
        keepalive: Option<String>,
        keepalive_interval: Option<f64>,
        idle_timeout: Option<f64>,
        session_log: Option<PathBuf>,
        device_name: Option<String>,
        host_key_policy: Option<&str>,
        known_hosts_file: Option<PathBuf>,
        enable: Option<bool>,
        legacy_algorithms: bool,
        platform_dir: Option<PathBuf>,
        ssh_config_file: Option<PathBuf>,
    ) -> PyResult<NativeSession> {
        // A mode name or `command:<cli command>`, as the CLI and the inventory spell it.
        let mut keepalive = match keepalive.as_deref() {
            None => KeepaliveConfig::default(),
            Some(m) => m
                .parse::<KeepaliveConfig>()
                .map_err(PyValueError::new_err)?,
        };
        keepalive.interval = opt_secs(keepalive_interval, "keepalive interval")?;
        let given = reach::Given {
            host,
            port,
            username,
            host_key_policy: host_key_policy.map(policy).transpose()?,
            known_hosts_file,
            conn_timeout: opt_secs(conn_timeout, "conn_timeout")?,
            legacy_algorithms,
            passphrase: passphrase.clone(),
        };
        let call_auth = (password.is_some() || key_file.is_some() || keyboard_interactive)
            .then(|| auth(password, key_file, passphrase, keyboard_interactive));
        let mut o = options(py, given, platform, call_auth, device_name, ssh_config_file)?
            .read_timeout(secs(read_timeout, "read_timeout")?)
            .idle_timeout(idle_timeout.map(Duration::from_secs_f64))
            .keepalive(keepalive);
        o.enable_secret = secret.map(Secret::new);
        o.enable = enable;
        o.session_log = session_log.map(SessionLog::new);
        o.platform_dir = platform_dir;
        let session = wait(py, Session::connect(o))?.map_err(|e| to_py(py, &e))?;
        Ok(NativeSession {
            pid: std::process::id(),
            session: ManuallyDrop::new(session),
        })
    }

    /// Runs one command: read until its prompt, `until` (a regex) or a quiet spell of `quiet`
    /// seconds, answering `answers` (`(regex, text)` pairs) in order on the way.
    #[pyo3(signature = (line, *, until=None, answers=None, quiet=None, read_timeout=None,
        strip_prompt=true, strip_command=true))]
    #[allow(clippy::too_many_arguments)]
    fn send(
        &self,
        py: Python<'_>,
        line: String,
        until: Option<String>,
        answers: Option<Vec<(String, String)>>,
        quiet: Option<f64>,
        read_timeout: Option<f64>,
        strip_prompt: bool,
        strip_command: bool,
    ) -> PyResult<String> {
        let mut cmd = Command::new(line)
            .strip_prompt(strip_prompt)
            .strip_command(strip_command);
        cmd.until = until;
        cmd.quiet = opt_secs(quiet, "quiet")?;
        cmd.read_timeout = opt_secs(read_timeout, "read_timeout")?;
        for (e, a) in answers.unwrap_or_default() {
            cmd = cmd.answer(e, a);
        }
        self.run(py, |s| async move { s.send(&cmd).await })
    }

    /// A configuration set; `finish` is `nothing`, `commit` or `check`. Returns what it did.
    #[pyo3(signature = (lines, *, exit=None, finish="nothing", confirm=None, comment=None,
        save=false, read_timeout=None))]
    #[allow(clippy::too_many_arguments)]
    fn configure<'py>(
        &self,
        py: Python<'py>,
        lines: Vec<String>,
        exit: Option<bool>,
        finish: &str,
        confirm: Option<f64>,
        comment: Option<String>,
        save: bool,
        read_timeout: Option<f64>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let finish = match finish {
            "nothing" => Finish::Nothing,
            "commit" => Finish::Commit {
                confirm: opt_secs(confirm, "confirm")?,
                comment,
            },
            "check" => Finish::Check,
            other => {
                return Err(PyValueError::new_err(format!(
                    "finish must be nothing, commit or check, not {other:?}"
                )))
            }
        };
        let mut opts = ConfigSetOptions {
            exit,
            finish,
            save,
            ..Default::default()
        };
        if let Some(t) = opt_secs(read_timeout, "read_timeout")? {
            opts.read_timeout = t;
        }
        let out = self.run(py, |s| async move {
            let refs: Vec<&str> = lines.iter().map(String::as_str).collect();
            s.configure(&refs, &opts).await
        })?;
        outcome_to_py(py, &out)
    }

    /// Saves the running configuration; the device's answer.
    fn save_config(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.save_config())
    }

    /// Commits the candidate configuration; the device's answer.
    fn commit(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.commit())
    }

    /// Enters privileged mode (typing the enable secret, else the login password).
    fn enable(&self, py: Python<'_>) -> PyResult<()> {
        self.run(py, |s| s.enable())
    }

    /// Leaves privileged mode.
    fn exit_enable_mode(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.exit_enable_mode())
    }

    /// True in privileged (or configuration) mode, or where the platform has none.
    fn check_enable_mode(&self, py: Python<'_>) -> PyResult<bool> {
        self.run(py, |s| s.check_enable_mode())
    }

    /// Enters configuration mode.
    fn config_mode(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.config_mode())
    }

    /// Leaves configuration mode.
    fn exit_config_mode(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.exit_config_mode())
    }

    /// True in configuration mode (judged from the prompt shown now).
    fn check_config_mode(&self, py: Python<'_>) -> PyResult<bool> {
        self.run(py, |s| s.check_config_mode())
    }

    /// The prompt the device shows now.
    fn find_prompt(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.find_prompt())
    }

    /// Writes text into the session as it is.
    fn write_raw(&self, py: Python<'_>, data: String) -> PyResult<()> {
        self.run(py, |s| async move { s.write_raw(&data).await })
    }

    /// What arrived and was not read yet, without waiting.
    fn read_available(&self, py: Python<'_>) -> PyResult<String> {
        self.run(py, |s| s.read_available())
    }

    /// Reads until `pattern` shows up, within `timeout` seconds.
    fn read_until(&self, py: Python<'_>, pattern: String, timeout: f64) -> PyResult<String> {
        let t = secs(timeout, "read_timeout")?;
        self.run(py, |s| async move { s.read_until(&pattern, t).await })
    }

    /// Back to the base mode (dropping uncommitted configuration); true if it had to move.
    fn restore_base_mode(&self, py: Python<'_>) -> PyResult<bool> {
        self.run(py, |s| s.restore_base_mode())
    }

    /// Netmiko's `is_alive`: a keepalive under the session lock, proof of life within a bound.
    fn is_alive(&self, py: Python<'_>) -> PyResult<bool> {
        let s = self.live()?;
        wait(py, s.is_alive())
    }

    /// Logs out and closes the connection (idempotent).
    fn disconnect(&self, py: Python<'_>) -> PyResult<()> {
        let s = self.live()?;
        wait(py, s.disconnect())
    }

    /// What an interrupted command had received, if one was interrupted.
    fn abandoned_output(&self) -> PyResult<Option<String>> {
        Ok(self.live()?.abandoned_output())
    }

    /// True once the session is gone.
    #[getter]
    fn closed(&self) -> bool {
        self.session.is_closed()
    }

    /// The device label used in errors.
    #[getter]
    fn device(&self) -> String {
        self.session.device().to_string()
    }

    /// The platform's name (Netmiko device_type, aliases resolved).
    #[getter]
    fn platform(&self) -> String {
        self.session.platform().name().to_string()
    }

    /// True if `line` is one of the platform's prompt context lines (Junos `[edit]` above the
    /// prompt), which Netmiko's prompt stripping also drops.
    fn is_prompt_context(&self, line: &str) -> bool {
        !line.trim().is_empty()
            && self
                .session
                .platform()
                .strip_prompt_context(line)
                .is_empty()
    }

    /// Keepalive counters: sent, failures, pings, last_rtt (seconds or None), interval.
    fn keepalive_stats<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, PyDict>> {
        let k = self.session.keepalive_stats();
        let d = PyDict::new(py);
        d.set_item("sent", k.sent)?;
        d.set_item("failures", k.failures)?;
        d.set_item("pings", k.pings)?;
        d.set_item("last_rtt", k.last_rtt.map(|t| t.as_secs_f64()))?;
        d.set_item("interval", k.interval.map(|t| t.as_secs_f64()))?;
        Ok(d)
    }
}

impl Drop for NativeSession {
    fn drop(&mut self) {
        if self.pid != std::process::id() {
            // A forked child's copy: the session's tasks and sockets belong to the parent's
            // runtime, which has no threads here. Leave it alone (the parent still owns it).
            return;
        }
        // SAFETY: dropped once, here; the field is never used again.
        let s = unsafe { ManuallyDrop::take(&mut self.session) };
        if s.is_closed() {
            return;
        }
        // Forgotten without disconnect(): log out in the background rather than leave the VTY
        // line taken until the device's idle timeout.
        if let Ok(rt) = runtime() {
            rt.spawn(async move { s.disconnect().await });
        }
    }
}
