//! The core's error type: every message names what was wrong and what is allowed.

use std::fmt;

/// An error from the numeric core. The facade turns it into a JS `Error` whose
/// message is `to_string()` of this value.
#[derive(Debug, Clone, PartialEq)]
pub enum Error {
    /// A known key with a value outside its range or list.
    InvalidValue {
        key: String,
        value: String,
        allowed: String,
    },
    /// A key that is not in the config table.
    UnknownKey { key: String, known: String },
    /// A key given more than once, or a pair with no `=`.
    Malformed(String),
    /// A `vs.` key that B cannot change (see `compare.rs`), and why.
    CannotDiffer { key: String, reason: String },
    /// A config whose memory estimate (`memory.rs`) passes the budget: what
    /// it needs, the budget, and the keys that lower it ("depth, width, batch").
    OverBudget {
        needs_mib: u64,
        budget_mib: u64,
        keys: String,
    },
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::InvalidValue {
                key,
                value,
                allowed,
            } => write!(f, "invalid value {value:?} for '{key}': allowed {allowed}"),
            Error::UnknownKey { key, known } => {
                write!(f, "unknown key '{key}': known keys are {known}")
            }
            Error::Malformed(message) => f.write_str(message),
            Error::CannotDiffer { key, reason } => {
                write!(f, "'{key}' cannot be set: {reason}")
            }
            Error::OverBudget {
                needs_mib,
                budget_mib,
                keys,
            } => write!(
                f,
                "this network needs about {needs_mib} MiB of memory, more than the \
                 {budget_mib} MiB allowed; lower one of {keys}"
            ),
        }
    }
}

impl std::error::Error for Error {}

/// `Result` with the core's [`Error`].
pub type Result<T> = std::result::Result<T, Error>;
