//! Errors of the core: a stable code plus a message; the CLI adds hints.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CoreError {
    #[error("{path}: {source}")]
    Io {
        path: String,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: not a valid zip archive: {detail}")]
    BadArchive { path: String, detail: String },
    #[error("{path}: archive has no member named {member}")]
    MissingMember { path: String, member: String },
}

impl CoreError {
    /// Stable machine-readable code, surfaced to TypeScript as `ZE_...`.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Io { .. } => "ZE_IO",
            CoreError::BadArchive { .. } => "ZE_BAD_ARCHIVE",
            CoreError::MissingMember { .. } => "ZE_MISSING_MEMBER",
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        CoreError::Io { path: path.into(), source }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
