//! Setting up who may use the daemon and how it is recorded, from the configuration: the
//! access file and `--token-file` (the policy), the TLS files, the audit log. The checks that
//! refuse to start run here, before any listener is bound. A reload (SIGHUP, `POST
//! /v1/reload`) re-reads the access file, the token file and the TLS files; each keeps the
//! version in force when its new one cannot be used.

use std::path::PathBuf;
use std::sync::Arc;

use super::listeners::{check_tcp, read_token};
use super::{DaemonConfig, DaemonError};
use crate::access_file::AccessFile;
use crate::api::Security;
use crate::audit::{AuditLog, AuditSettings};
use crate::auth::{Access, AccessHandle};
use crate::tls::ServerTls;

/// The security set-up of a daemon.
pub(super) struct Guarded {
    pub(super) security: Security,
    pub(super) tls: Option<Arc<ServerTls>>,
    pub(super) reloader: Arc<Reloader>,
}

/// What a reload re-reads.
pub(super) struct Reloader {
    access_file: Option<PathBuf>,
    token_file: Option<PathBuf>,
    access: AccessHandle,
    /// The access file's `audit:` section as read at start (a change needs a restart).
    file_audit: AuditSettings,
    tls: Option<Arc<ServerTls>>,
}

/// Reads and checks everything; refuses a TCP listener that would be unsafe.
pub(super) fn set_up(cfg: &DaemonConfig) -> Result<Guarded, DaemonError> {
    if let Some(addr) = cfg.listen {
        check_tcp(addr, cfg.tls.is_some())?;
    }
    let file = match &cfg.access_file {
        Some(p) => AccessFile::load(p).map_err(DaemonError::Access)?,
        None => AccessFile::default(),
    };
    let token = cfg.token_file.as_deref().map(read_token).transpose()?;
    let access = Access::new(&file, token.as_deref());
    if let Some(addr) = cfg.listen {
        if !access.has_tcp_credentials() {
            return Err(DaemonError::TcpWithoutToken(addr));
        }
        if !file.certificates.is_empty() && cfg.tls.as_ref().is_none_or(|t| t.client_ca.is_none()) {
            tracing::warn!("the access file lists certificates, but without --tls-client-ca no client presents one");
        }
    }
    let tls = match &cfg.tls {
        Some(files) => Some(Arc::new(
            ServerTls::load(files.clone()).map_err(DaemonError::Tls)?,
        )),
        None => None,
    };
    let file_audit = file.audit.clone();
    let audit = audit_settings(cfg, file.audit)?;
    let log = AuditLog::open(&audit).map_err(DaemonError::Audit)?;
    if let Some(l) = &log {
        let s = l.settings();
        tracing::info!(
            "audit log {} ({}fsync {:?}, rotate at {} bytes, keep {})",
            s.file
                .as_deref()
                .unwrap_or_else(|| std::path::Path::new("-"))
                .display(),
            if s.required { "required, " } else { "" },
            s.fsync,
            s.max_size,
            s.keep
        );
    }
    let handle = AccessHandle::new(access);
    let reloader = Arc::new(Reloader {
        access_file: cfg.access_file.clone(),
        token_file: cfg.token_file.clone(),
        access: handle.clone(),
        file_audit,
        tls: tls.clone(),
    });
    let hook = {
        let r = reloader.clone();
        Arc::new(move || r.reload()) as crate::api::ReloadHook
    };
    Ok(Guarded {
        security: Security {
            access: handle,
            audit: log,
            shutdown: tokio_util::sync::CancellationToken::new(),
            reload: Some(hook),
        },
        tls,
        reloader,
    })
}

/// The access file's `audit:` section with `--audit-log` and `--audit-required` over it.
fn audit_settings(cfg: &DaemonConfig, mut s: AuditSettings) -> Result<AuditSettings, DaemonError> {
    if let Some(f) = &cfg.audit_log {
        s.file = Some(f.clone());
    }
    s.required |= cfg.audit_required;
    let complete = match (s.required, &s.file) {
        (true, None) => Err(
            "audit: `required` needs a file (`audit: { file: ... }` or --audit-log)".to_string(),
        ),
        _ => s.check(),
    };
    complete.map_err(|message| {
        DaemonError::Access(crate::access_file::AccessFileError {
            file: cfg
                .access_file
                .clone()
                .unwrap_or_else(|| "--audit-required".into()),
            message,
        })
    })?;
    Ok(s)
}

impl Reloader {
    /// Re-reads the access file, the token file and the TLS files; returns what could not be
    /// used (the previous version of each stays in force).
    pub(super) fn reload(&self) -> Result<(), String> {
        let mut failed = Vec::new();
        let file = match &self.access_file {
            Some(p) => AccessFile::load(p).map_err(|e| e.to_string()),
            None => Ok(AccessFile::default()),
        };
        let token = self
            .token_file
            .as_deref()
            .map(read_token)
            .transpose()
            .map_err(|e| e.to_string());
        match (file, token) {
            (Ok(file), Ok(token)) => {
                if file.audit != self.file_audit {
                    tracing::warn!(
                        "the access file's audit section changed: restart the daemon to apply it"
                    );
                }
                self.access.replace(Access::new(&file, token.as_deref()));
                tracing::info!("access policy reloaded");
            }
            (Err(e), _) | (_, Err(e)) => failed.push(format!("access policy not reloaded: {e}")),
        }
        if let Some(tls) = &self.tls {
            match tls.reload() {
                Ok(()) => tracing::info!(
                    "TLS certificate reloaded from {}",
                    tls.files().cert.display()
                ),
                Err(e) => failed.push(format!(
                    "TLS not reloaded, keeping the previous certificate: {e}"
                )),
            }
        }
        if failed.is_empty() {
            Ok(())
        } else {
            Err(failed.join("; "))
        }
    }
}
