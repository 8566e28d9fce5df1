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
    #[error("{filename}: {reason}")]
    BadFilename { filename: String, reason: String },
    #[error("{0}")]
    BadRequirement(String),
    #[error("{0}")]
    BadPlatform(String),
    #[error("{0}")]
    BadMetadata(String),
    #[error("{0}")]
    BadOptions(String),
    #[error("{0}")]
    Resolver(String),
    #[error("{wheel}: refusing member {member}: {reason}")]
    UnsafeWheel { wheel: String, member: String, reason: String },
    #[error("{wheel}: member {member} does not match RECORD: {reason}")]
    RecordMismatch { wheel: String, member: String, reason: String },
    #[error("{archive}: refusing member {member}: {reason}")]
    UnsafeArchive { archive: String, member: String, reason: String },
    #[error("{0}")]
    BadWheel(String),
    #[error("{0}")]
    Install(String),
    #[error("{0}")]
    BadIndexPage(String),
}

impl CoreError {
    /// Stable machine-readable code, surfaced to TypeScript as `ZE_...`.
    pub fn code(&self) -> &'static str {
        match self {
            CoreError::Io { .. } => "ZE_IO",
            CoreError::BadArchive { .. } => "ZE_BAD_ARCHIVE",
            CoreError::MissingMember { .. } => "ZE_MISSING_MEMBER",
            CoreError::BadFilename { .. } => "ZE_BAD_FILENAME",
            CoreError::BadRequirement(_) => "ZE_BAD_REQUIREMENT",
            CoreError::BadPlatform(_) => "ZE_BAD_PLATFORM",
            CoreError::BadMetadata(_) => "ZE_BAD_METADATA",
            CoreError::BadOptions(_) => "ZE_BAD_OPTIONS",
            CoreError::Resolver(_) => "ZE_RESOLVER",
            CoreError::UnsafeWheel { .. } => "ZE_UNSAFE_WHEEL",
            CoreError::RecordMismatch { .. } => "ZE_RECORD_MISMATCH",
            CoreError::UnsafeArchive { .. } => "ZE_UNSAFE_ARCHIVE",
            CoreError::BadWheel(_) => "ZE_BAD_WHEEL",
            CoreError::Install(_) => "ZE_INSTALL",
            CoreError::BadIndexPage(_) => "ZE_INDEX_BAD_RESPONSE",
        }
    }

    pub fn io(path: impl Into<String>, source: std::io::Error) -> Self {
        CoreError::Io { path: path.into(), source }
    }
}

pub type CoreResult<T> = Result<T, CoreError>;
