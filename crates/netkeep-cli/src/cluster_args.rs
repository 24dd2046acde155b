//! The cluster flags: `serve --cluster URL [--node NAME]` joins a cluster over NATS; client
//! commands (`exec`, `config`, `status`) with `--cluster URL` send their request to whichever
//! node answers.

use std::path::PathBuf;
use std::time::Duration;

use netkeep_keeper::cluster::{ClusterConfig, Timing};

/// `netkeep serve`'s cluster flags.
#[derive(clap::Args, Debug)]
pub struct ServeCluster {
    /// Join a cluster over NATS (JetStream): nats://HOST:PORT, several comma-separated, or
    /// tls://HOST:PORT with --cluster-ca. Each device is then kept by exactly one node; requests
    /// for the others' devices are forwarded to them.
    #[arg(long, env = "NETKEEP_CLUSTER", value_name = "URL")]
    cluster: Option<String>,
    /// This node's name in the cluster, unique [default: the host name].
    #[arg(long, requires = "cluster")]
    node: Option<String>,
    /// The cluster's name: its NATS subject prefix and key-value bucket.
    #[arg(long, default_value = "netkeep", requires = "cluster")]
    cluster_name: String,
    /// A node silent this long is dead and its devices move (within about lease + lease/6);
    /// heartbeats every lease/6; a node that cannot store one for lease/2 logs out of its
    /// devices.
    #[arg(long, default_value = "6s", value_parser = crate::duration::parse_duration, requires = "cluster")]
    cluster_lease: Duration,
    /// NATS credentials file (JWT and nkey seed), e.g. from `nsc generate creds`.
    #[arg(long, env = "NETKEEP_CLUSTER_CREDS", requires = "cluster")]
    cluster_creds: Option<PathBuf>,
    /// CA certificate(s) (PEM) of a tls:// NATS server.
    #[arg(long, requires = "cluster")]
    cluster_ca: Option<PathBuf>,
    /// Copies of the ownership bucket, when this node is the first and creates it: 3 on a
    /// cluster of three NATS servers.
    #[arg(long, default_value_t = 1, requires = "cluster")]
    cluster_replicas: usize,
}

impl ServeCluster {
    /// The cluster configuration, if `--cluster` was given.
    pub fn config(&self) -> anyhow::Result<Option<ClusterConfig>> {
        let Some(url) = &self.cluster else {
            return Ok(None);
        };
        let node = match &self.node {
            Some(n) => n.clone(),
            None => host_name()?,
        };
        let mut c = ClusterConfig::new(url.clone(), node);
        c.name = self.cluster_name.clone();
        c.timing = Timing::from_lease(self.cluster_lease).map_err(anyhow::Error::msg)?;
        c.creds = self.cluster_creds.clone();
        c.ca = self.cluster_ca.clone();
        c.replicas = self.cluster_replicas;
        Ok(Some(c))
    }
}

/// The machine's short host name, as a node name.
fn host_name() -> anyhow::Result<String> {
    let h = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .unwrap_or_default();
    let short = h.trim().split('.').next().unwrap_or_default().to_string();
    if short.is_empty() {
        anyhow::bail!("cannot tell this machine's host name: give --node NAME");
    }
    Ok(short)
}

/// A client command's cluster flags.
#[derive(clap::Args, Debug, Clone, Default)]
pub struct ClientCluster {
    /// Send the request to a cluster over NATS (any node answers and forwards to the owners):
    /// nats://HOST:PORT. The caller is named by --token-file (or NETKEEP_TOKEN_FILE).
    #[arg(long, env = "NETKEEP_CLUSTER", value_name = "URL")]
    pub cluster: Option<String>,
    /// The cluster's name (`serve --cluster-name`).
    #[arg(long, default_value = "netkeep")]
    pub cluster_name: String,
    /// NATS credentials file.
    #[arg(long, env = "NETKEEP_CLUSTER_CREDS")]
    pub cluster_creds: Option<PathBuf>,
    /// CA certificate(s) (PEM) of a tls:// NATS server.
    #[arg(long)]
    pub cluster_ca: Option<PathBuf>,
}
