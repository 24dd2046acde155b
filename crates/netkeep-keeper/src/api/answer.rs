//! The API's error answers: the spec's JSON `ErrorBody` with a status, and JSON bodies parsed
//! into 400s with serde's message.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;

use crate::wire::ErrorBody;

/// An error answer: `status` with `{"error": msg}`.
pub(crate) fn err(status: StatusCode, msg: impl Into<String>) -> Response {
    (status, Json(ErrorBody { error: msg.into() })).into_response()
}

/// Parses JSON ourselves to answer 400 with serde's message (line/column) in our error shape.
pub(crate) fn parse<T: serde::de::DeserializeOwned>(body: &[u8]) -> Result<T, Box<Response>> {
    serde_json::from_slice(body).map_err(|e| {
        Box::new(err(
            StatusCode::BAD_REQUEST,
            format!("invalid JSON body: {e}"),
        ))
    })
}
