//! N-API bindings of zephyr-core. Bindings only: no logic lives here.
//! Every exported function does a whole batch of work per call and runs
//! disk-bound work on the libuv thread pool (AsyncTask) so Node never blocks.

#![deny(clippy::all)]

mod errors;
mod files;
mod inspect;
mod install;
mod pages;
mod resolver;
mod standards;

use napi_derive::napi;

/// Version of the native core.
#[napi]
pub fn core_version() -> String {
    zephyr_core::VERSION.to_string()
}
