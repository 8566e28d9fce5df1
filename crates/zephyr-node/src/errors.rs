//! Mapping of core errors to JavaScript errors whose message starts with the code.

use napi::{Error, Status};
use zephyr_core::CoreError;

/// `ZE_CODE: message` so TypeScript can split it back into a coded error value.
pub fn to_napi(err: CoreError) -> Error {
    Error::new(Status::GenericFailure, format!("{}: {}", err.code(), err))
}
