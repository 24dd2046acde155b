//! TLS from PEM files, on rustls with the aws-lc-rs provider: the TCP listener's configuration
//! ([`ServerTls`]: certificate chain, key, optional client CA; reloaded in place on SIGHUP) and
//! the client's ([`client_config`]: the CA to trust, an optional client certificate).
//!
//! With a client CA, every TLS client must present a certificate it signed; the certificate's
//! subject ([`subject_of`]) then names the caller when the request carries no bearer token.
//!
//! ```no_run
//! use netkeep_keeper::tls::{ServerTls, TlsFiles};
//! let tls = ServerTls::load(TlsFiles {
//!     cert: "/etc/netkeep/cert.pem".into(),
//!     key: "/etc/netkeep/key.pem".into(),
//!     client_ca: None,
//! })?;
//! let acceptor = tls.acceptor(); // tokio_rustls::TlsAcceptor for one connection
//! tls.reload()?;                 // after the files were replaced (SIGHUP)
//! # Ok::<(), netkeep_keeper::tls::TlsError>(())
//! ```

use std::path::{Path, PathBuf};
use std::sync::{Arc, RwLock};

use rustls::pki_types::pem::PemObject;
use rustls::pki_types::{CertificateDer, PrivateKeyDer};
use rustls::{ClientConfig, RootCertStore, ServerConfig};

/// The listener's PEM files.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TlsFiles {
    /// Certificate chain, the server's own certificate first (`--tls-cert`).
    pub cert: PathBuf,
    /// Its private key: PKCS#8, PKCS#1 or SEC1 (`--tls-key`).
    pub key: PathBuf,
    /// CA certificates that sign client certificates (`--tls-client-ca`): when set, a client
    /// certificate is required.
    pub client_ca: Option<PathBuf>,
}

/// A TLS file that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("TLS: {}: {message}", file.display())]
pub struct TlsError {
    /// The file at fault.
    pub file: PathBuf,
    /// What is wrong with it.
    pub message: String,
}

fn tls_err(file: &Path, message: impl Into<String>) -> TlsError {
    TlsError {
        file: file.to_path_buf(),
        message: message.into(),
    }
}

/// The TCP listener's TLS configuration; [`ServerTls::reload`] swaps in a new one (connections
/// already open keep theirs).
pub struct ServerTls {
    files: TlsFiles,
    current: RwLock<Arc<ServerConfig>>,
}

impl ServerTls {
    /// Reads and checks the files.
    pub fn load(files: TlsFiles) -> Result<ServerTls, TlsError> {
        let cfg = server_config(&files)?;
        Ok(ServerTls {
            files,
            current: RwLock::new(cfg),
        })
    }

    /// The files it was loaded from.
    pub fn files(&self) -> &TlsFiles {
        &self.files
    }

    /// Reads the files again; on error the configuration in force stays.
    pub fn reload(&self) -> Result<(), TlsError> {
        let cfg = server_config(&self.files)?;
        *self.current.write().unwrap_or_else(|p| p.into_inner()) = cfg;
        Ok(())
    }

    /// An acceptor with the configuration in force.
    pub fn acceptor(&self) -> tokio_rustls::TlsAcceptor {
        tokio_rustls::TlsAcceptor::from(
            self.current
                .read()
                .unwrap_or_else(|p| p.into_inner())
                .clone(),
        )
    }
}

fn provider() -> Arc<rustls::crypto::CryptoProvider> {
    Arc::new(rustls::crypto::aws_lc_rs::default_provider())
}

fn server_config(files: &TlsFiles) -> Result<Arc<ServerConfig>, TlsError> {
    let chain = read_certs(&files.cert)?;
    let key = read_key(&files.key)?;
    let builder = ServerConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(&files.cert, e.to_string()))?;
    let builder = match &files.client_ca {
        None => builder.with_no_client_auth(),
        Some(ca) => {
            let roots = Arc::new(root_store(ca)?);
            let verifier =
                rustls::server::WebPkiClientVerifier::builder_with_provider(roots, provider())
                    .build()
                    .map_err(|e| tls_err(ca, format!("cannot verify clients with it: {e}")))?;
            builder.with_client_cert_verifier(verifier)
        }
    };
    let mut cfg = builder.with_single_cert(chain, key).map_err(|e| {
        tls_err(
            &files.key,
            format!(
                "does not match the certificate {}: {e}",
                files.cert.display()
            ),
        )
    })?;
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

/// A client configuration trusting the CA certificates of `ca_file`, presenting
/// `client_cert` (certificate chain file, key file) when given.
pub fn client_config(
    ca_file: &Path,
    client_cert: Option<(&Path, &Path)>,
) -> Result<Arc<ClientConfig>, TlsError> {
    let roots = root_store(ca_file)?;
    let builder = ClientConfig::builder_with_provider(provider())
        .with_safe_default_protocol_versions()
        .map_err(|e| tls_err(ca_file, e.to_string()))?
        .with_root_certificates(roots);
    let mut cfg = match client_cert {
        None => builder.with_no_client_auth(),
        Some((cert, key)) => builder
            .with_client_auth_cert(read_certs(cert)?, read_key(key)?)
            .map_err(|e| {
                tls_err(
                    key,
                    format!("does not match the certificate {}: {e}", cert.display()),
                )
            })?,
    };
    cfg.alpn_protocols = vec![b"http/1.1".to_vec()];
    Ok(Arc::new(cfg))
}

fn read_certs(path: &Path) -> Result<Vec<CertificateDer<'static>>, TlsError> {
    let pem = std::fs::read(path).map_err(|e| tls_err(path, format!("cannot read: {e}")))?;
    let certs = CertificateDer::pem_slice_iter(&pem)
        .collect::<Result<Vec<_>, _>>()
        .map_err(|e| tls_err(path, format!("not a PEM certificate file: {e}")))?;
    if certs.is_empty() {
        return Err(tls_err(path, "no `BEGIN CERTIFICATE` block in it"));
    }
    Ok(certs)
}

fn read_key(path: &Path) -> Result<PrivateKeyDer<'static>, TlsError> {
    let pem = std::fs::read(path).map_err(|e| tls_err(path, format!("cannot read: {e}")))?;
    PrivateKeyDer::from_pem_slice(&pem).map_err(|e| {
        tls_err(
            path,
            format!("no PEM private key (PKCS#8, PKCS#1 or SEC1) in it: {e}"),
        )
    })
}

fn root_store(path: &Path) -> Result<RootCertStore, TlsError> {
    let mut roots = RootCertStore::empty();
    for c in read_certs(path)? {
        roots
            .add(c)
            .map_err(|e| tls_err(path, format!("not a usable CA certificate: {e}")))?;
    }
    Ok(roots)
}

/// The subject of a DER certificate as `O=Example,CN=automation` (its attributes in the
/// certificate's order, RFC 4514 escaping), or
/// `None` when it cannot be parsed.
pub fn subject_of(der: &[u8]) -> Option<String> {
    use x509_cert::der::Decode;
    let cert = x509_cert::Certificate::from_der(der).ok()?;
    Some(cert.tbs_certificate().subject().to_string())
}
