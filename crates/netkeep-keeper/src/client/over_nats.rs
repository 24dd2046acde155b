//! A client of a cluster (`--cluster URL`): the API request travels over NATS to whichever
//! node answers (see [`crate::cluster::client`]); the bearer token from `--token-file` (or
//! `NETKEEP_TOKEN_FILE`) names the caller.

use std::path::{Path, PathBuf};

use hyper::body::Bytes;

use super::{ClientError, Endpoint};
use crate::cluster::client::ClusterTarget;
use crate::cluster::ClusterError;

/// The endpoint of a cluster: its URL, name, NATS credentials and CA, and the token.
pub(super) fn cluster_endpoint(
    url: &str,
    name: &str,
    creds: Option<&Path>,
    ca: Option<&Path>,
    token_file: Option<&Path>,
) -> Result<Endpoint, ClientError> {
    crate::cluster::check_url(url).map_err(|e| ClientError::Config(e.to_string()))?;
    let token_file = token_file.map(Path::to_path_buf).or_else(|| {
        std::env::var_os("NETKEEP_TOKEN_FILE")
            .filter(|v| !v.is_empty())
            .map(PathBuf::from)
    });
    let token = match token_file {
        Some(tf) => Some(
            std::fs::read_to_string(&tf)
                .map_err(|e| {
                    ClientError::Config(format!("cannot read the token file {}: {e}", tf.display()))
                })?
                .trim()
                .to_string(),
        ),
        None => None,
    };
    Ok(Endpoint::Nats(Box::new(ClusterTarget {
        url: url.to_string(),
        name: name.to_string(),
        creds: creds.map(Path::to_path_buf),
        ca: ca.map(Path::to_path_buf),
        token,
    })))
}

/// One API request over NATS.
pub(super) async fn request(
    endpoint: &Endpoint,
    t: &ClusterTarget,
    method: &str,
    path: &str,
    body: Option<Vec<u8>>,
) -> Result<(u16, Bytes), ClientError> {
    crate::cluster::client::request(t, method, path, body)
        .await
        .map_err(|e| match e {
            ClusterError::Config(m) => ClientError::Config(m),
            ClusterError::Nats(m) => ClientError::Connect {
                endpoint: endpoint.clone(),
                source: std::io::Error::other(m),
            },
        })
}
