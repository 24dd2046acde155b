//! Connecting: TCP (with `TCP_NODELAY`) within the connect timeout, then the two pump tasks
//! start and the opening `DO TIMING-MARK` goes out. Option negotiation and the login dialogue
//! happen as the server speaks; nothing here waits for it.

use std::sync::atomic::AtomicBool;

use tokio::net::TcpStream;
use tokio::sync::mpsc;

use super::negotiate::Negotiator;
use super::options::TelnetOptions;
use super::pump::{read_loop, write_loop};
use super::state::{Out, Shared};
use super::terminal::{TelnetLink, TelnetTerminal};
use crate::boundary::Transport;
use crate::error::TransportError;

/// Terminal data chunks queued for the session; past it the reader waits (TCP backpressure).
const EVENT_QUEUE: usize = 256;

/// Opens a telnet connection within `opts.connect_timeout`.
///
/// ```no_run
/// # async fn f() -> Result<(), netkeep_transport::TransportError> {
/// use netkeep_transport::telnet;
/// let mut t = telnet::connect(&telnet::TelnetOptions::new("127.0.0.1", 2323)).await?;
/// println!("{:?}", t.terminal.recv().await); // the banner or `Username:`
/// t.link.probe().await?; // IAC DO TIMING-MARK: nothing typed into the shell
/// # Ok(()) }
/// ```
pub async fn connect(opts: &TelnetOptions) -> Result<Transport, TransportError> {
    let stream = tcp(opts).await?;
    let shared = Shared::new(&opts.device);
    let neg = Negotiator::new(&opts.term, opts.cols, opts.rows);
    let mut opening = Vec::new();
    neg.opening(&mut opening);
    let (rd, wr) = stream.into_split();
    let (out, out_rx) = mpsc::unbounded_channel();
    let _ = out.send(Out::Bytes(opening));
    let (events_tx, events) = mpsc::channel(EVENT_QUEUE);
    let (shared_r, out_r) = (shared.clone(), out.clone());
    tokio::spawn(write_loop(wr, shared.clone(), out_rx));
    let (hung_up, reader_done) = tokio::sync::watch::channel(false);
    let reader = tokio::spawn(async move {
        read_loop(rd, shared_r, neg, events_tx, out_r).await;
        hung_up.send_replace(true);
    });
    Ok(Transport {
        device: opts.device.clone(),
        terminal: Box::new(TelnetTerminal {
            events,
            out: out.clone(),
            shared: shared.clone(),
            ended: false,
        }),
        link: Box::new(TelnetLink {
            shared,
            out,
            reader: reader.abort_handle(),
            reader_done,
            told_no_marks: AtomicBool::new(false),
        }),
    })
}

async fn tcp(opts: &TelnetOptions) -> Result<TcpStream, TransportError> {
    let step = "TCP connect";
    let connecting = TcpStream::connect((opts.host.as_str(), opts.port));
    let stream = match tokio::time::timeout(opts.connect_timeout, connecting).await {
        Err(_) => {
            return Err(TransportError::ConnectTimeout {
                device: opts.device.clone(),
                addr: opts.addr(),
                step,
                timeout: opts.connect_timeout,
            })
        }
        Ok(Err(e)) if e.kind() == std::io::ErrorKind::ConnectionRefused => {
            return Err(TransportError::ConnectRefused {
                device: opts.device.clone(),
                addr: opts.addr(),
                source: e,
            })
        }
        Ok(Err(e)) => {
            return Err(TransportError::Connect {
                device: opts.device.clone(),
                addr: opts.addr(),
                step,
                message: e.to_string(),
            })
        }
        Ok(Ok(s)) => s,
    };
    // One small packet per keystroke/command: never wait for Nagle.
    let _ = stream.set_nodelay(true);
    Ok(stream)
}
