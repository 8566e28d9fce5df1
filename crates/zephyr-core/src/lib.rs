//! zephyr-core: the sans-IO mechanism behind zephyr.
//!
//! It never opens a socket. It receives bytes or file paths from the TypeScript
//! CLI and returns decisions and results. Each module owns one concern.

pub mod archive;
pub mod error;
pub mod hash;
pub mod filename;
pub mod tags;
pub mod metadata;
pub mod sdist;
pub mod sdist_unpack;
pub mod resolver;
pub mod json_split;
pub mod simple_page;
pub mod install;

pub use error::{CoreError, CoreResult};

/// Version of the core, reported by `zephyr --version --verbose`.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
