//! Patterns from the caller and the platform file, compiled one way (multi-line), a failure
//! being [`Error::BadPattern`] naming the device.

use netkeep_platform::Answer;
use regex::Regex;

use crate::error::Error;

pub(crate) fn compile(device: &str, pattern: &str) -> Result<Regex, Error> {
    regex::RegexBuilder::new(pattern)
        .multi_line(true)
        .build()
        .map_err(|e| Error::BadPattern {
            device: device.to_string(),
            pattern: pattern.to_string(),
            message: e.to_string(),
        })
}

pub(crate) fn compile_answers(
    device: &str,
    answers: &[Answer],
) -> Result<Vec<(Regex, String)>, Error> {
    answers
        .iter()
        .map(|a| Ok((compile(device, &a.expect)?, a.answer.clone())))
        .collect()
}
