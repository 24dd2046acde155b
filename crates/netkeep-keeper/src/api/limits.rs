//! The API's bounds: body size and time ([`buffer_body`]), header size and time, connections,
//! commands per request ([`check_commands`], which also refuses control characters).

use std::time::Duration;

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{header, StatusCode};
use axum::middleware::Next;
use axum::response::Response;

use super::answer::err;
use super::AppState;
use crate::wire::CommandSpec;

/// Request and connection bounds.
#[derive(Debug, Clone)]
pub struct ApiLimits {
    /// Largest request body accepted (bytes).
    pub max_body: usize,
    /// Largest request line plus header block accepted (bytes); at least 8 KiB.
    pub max_header_bytes: usize,
    /// Time allowed to receive a request's headers (and to complete a TLS handshake).
    pub header_timeout: Duration,
    /// Time allowed to receive a request's body.
    pub body_timeout: Duration,
    /// Connections served at once.
    pub max_connections: usize,
    /// Commands per request.
    pub max_commands: usize,
}

impl Default for ApiLimits {
    fn default() -> Self {
        ApiLimits {
            max_body: 1 << 20,
            max_header_bytes: 64 * 1024,
            header_timeout: Duration::from_secs(5),
            body_timeout: Duration::from_secs(10),
            max_connections: 1024,
            max_commands: 1000,
        }
    }
}

/// Longest per-command read timeout a request may ask for (one hour).
pub const MAX_READ_TIMEOUT_MS: u64 = 3_600_000;

/// Reads the whole body up front, bounded in size and time, so handlers never wait on a slow
/// client and oversized bodies are refused before parsing.
pub(super) async fn buffer_body(State(st): State<AppState>, req: Request, next: Next) -> Response {
    let (parts, body) = req.into_parts();
    if let Some(len) = parts
        .headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok()?.parse::<u64>().ok())
    {
        if len > st.limits.max_body as u64 {
            return err(
                StatusCode::PAYLOAD_TOO_LARGE,
                format!(
                    "request body of {len} bytes exceeds the limit of {} bytes",
                    st.limits.max_body
                ),
            );
        }
    }
    let bytes = match tokio::time::timeout(
        st.limits.body_timeout,
        axum::body::to_bytes(body, st.limits.max_body),
    )
    .await
    {
        Err(_) => {
            return err(
                StatusCode::REQUEST_TIMEOUT,
                "request body not received in time",
            )
        }
        Ok(Err(e)) => return body_failed(&e, st.limits.max_body),
        Ok(Ok(b)) => b,
    };
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// 413 for a body over the limit; 400 and close for a malformed one.
fn body_failed(e: &axum::Error, max_body: usize) -> Response {
    let too_large =
        std::error::Error::source(e).is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
    if too_large {
        return err(
            StatusCode::PAYLOAD_TOO_LARGE,
            format!("request body exceeds the limit of {max_body} bytes"),
        );
    }
    // Bad chunked encoding or a body cut short: the byte stream cannot be trusted for a
    // next request on this connection, so close it after answering.
    let mut r = err(
        StatusCode::BAD_REQUEST,
        format!("malformed request body: {}", body_error_text(e)),
    );
    r.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    r
}

/// The error text with its causes ("error reading a body from connection: invalid chunk size").
fn body_error_text(e: &(dyn std::error::Error + 'static)) -> String {
    let mut text = e.to_string();
    let mut cur = e.source();
    while let Some(s) = cur {
        let t = s.to_string();
        if !text.contains(&t) {
            text.push_str(": ");
            text.push_str(&t);
        }
        cur = s.source();
    }
    text
}

/// Each command of an exec body: one line of text, answers without control characters,
/// patterns that compile, timeouts in range.
pub(super) fn check_exec_commands(
    cmds: &[CommandSpec],
    limits: &ApiLimits,
) -> Result<(), Box<Response>> {
    let lines: Vec<String> = cmds.iter().map(|c| c.command.clone()).collect();
    check_commands(&lines, limits, "commands", false)?;
    let bad = |msg: String| Box::new(err(StatusCode::BAD_REQUEST, msg));
    for c in cmds {
        for a in &c.answers {
            if let Err(e) = crate::command::check(&a.answer) {
                return Err(bad(format!("an answer of {:?} is refused: {e}", c.command)));
            }
        }
        let patterns = c.answers.iter().map(|a| &a.expect).chain(&c.until);
        for p in patterns {
            if let Err(e) = regex::Regex::new(p) {
                return Err(bad(format!("pattern {p:?} of {:?}: {e}", c.command)));
            }
        }
        for (name, v) in [
            ("quiet_ms", c.quiet_ms),
            ("read_timeout_ms", c.read_timeout_ms),
        ] {
            if v.is_some_and(|t| t == 0 || t > MAX_READ_TIMEOUT_MS) {
                return Err(bad(format!(
                    "`{name}` of {:?} must be between 1 and {MAX_READ_TIMEOUT_MS}",
                    c.command
                )));
            }
        }
    }
    Ok(())
}

/// Refuses an empty list (unless `may_be_empty`), too many entries, and entries that are not
/// one line of text.
pub(super) fn check_commands(
    cmds: &[String],
    limits: &ApiLimits,
    what: &str,
    may_be_empty: bool,
) -> Result<(), Box<Response>> {
    if cmds.is_empty() && !may_be_empty {
        return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            format!("`{what}` is empty; give at least one"),
        )));
    }
    if cmds.len() > limits.max_commands {
        return Err(Box::new(err(
            StatusCode::BAD_REQUEST,
            format!(
                "{} {what}, at most {} per request",
                cmds.len(),
                limits.max_commands
            ),
        )));
    }
    // One entry is one line of text: a line break would smuggle extra commands past the
    // caller, a Ctrl-C/Ctrl-Z/NUL would act on the device behind the session's back.
    for c in cmds {
        if let Err(e) = crate::command::check(c) {
            return Err(Box::new(err(
                StatusCode::BAD_REQUEST,
                format!("an entry of `{what}` is refused: {e}"),
            )));
        }
    }
    Ok(())
}
