//! The two tasks of a telnet connection: the reader (socket → parser → terminal data, replies
//! to the server's negotiation, timing-mark answers) and the writer (everything we send, in
//! order, so a probe's `DO TIMING-MARK` goes after the keepalive it follows).

use std::sync::Arc;

use bytes::Bytes;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::sync::mpsc::{Sender, UnboundedReceiver, UnboundedSender};

use super::codec::Parser;
use super::negotiate::{Negotiator, Reaction};
use super::state::{Out, Shared};
use crate::boundary::Event;

/// Bytes read from the socket at a time.
const READ_CHUNK: usize = 16 * 1024;

/// Reads until the connection ends; terminal data goes to `events`, replies to `out`.
pub(crate) async fn read_loop(
    mut rd: OwnedReadHalf,
    shared: Arc<Shared>,
    mut neg: Negotiator,
    events: Sender<Event>,
    out: UnboundedSender<Out>,
) {
    let mut buf = vec![0u8; READ_CHUNK];
    let mut parser = Parser::new();
    let (mut data, mut commands) = (Vec::new(), Vec::new());
    loop {
        let n = match rd.read(&mut buf).await {
            // The device hung up without a word (telnet has no disconnect message).
            Ok(0) => {
                shared.close(None);
                break;
            }
            Ok(n) => n,
            Err(e) => {
                shared.close(Some(e.to_string()));
                break;
            }
        };
        parser.feed(&buf[..n], &mut data, &mut commands);
        // Data first: a mark answered in this chunk came after it on the wire, and a probe
        // woken by it must find the data queued (the keepalive drains its echo then).
        if !data.is_empty()
            && events
                .send(Event::Data(Bytes::from(std::mem::take(&mut data))))
                .await
                .is_err()
        {
            break;
        }
        answer(&shared, &mut neg, &mut commands, &out);
    }
    let _ = events.send(Event::End).await;
}

/// Replies to the received commands and notes timing-mark answers.
fn answer(
    shared: &Shared,
    neg: &mut Negotiator,
    commands: &mut Vec<super::codec::Command>,
    out: &UnboundedSender<Out>,
) {
    if commands.is_empty() {
        return;
    }
    let mut reply = Vec::new();
    for c in commands.drain(..) {
        tracing::trace!(device = %shared.device, command = ?c, "telnet command received");
        if neg.handle(&c, &mut reply) == Reaction::TimingMark {
            shared.mark_answered();
        }
    }
    if !reply.is_empty() {
        let _ = out.send(Out::Bytes(reply));
    }
}

/// Writes what it is given, in order, until told to close or the socket fails.
pub(crate) async fn write_loop(
    mut wr: OwnedWriteHalf,
    shared: Arc<Shared>,
    mut rx: UnboundedReceiver<Out>,
) {
    while let Some(o) = rx.recv().await {
        match o {
            Out::Bytes(b) => {
                if let Err(e) = wr.write_all(&b).await {
                    shared.close(Some(e.to_string()));
                    return;
                }
            }
            Out::Close => {
                let _ = wr.shutdown().await;
                return;
            }
        }
    }
}
