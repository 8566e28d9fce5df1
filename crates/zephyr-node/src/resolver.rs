//! The sans-IO resolver as a JS class: `new NativeResolver(options)`, then
//! `step(feed)` until it returns a resolution or a conflict. JSON in, JSON out.

use napi_derive::napi;

use crate::errors::to_napi;
use crate::pages::PageReader;

#[napi]
pub struct NativeResolver {
    inner: zephyr_core::resolver::Resolver,
}

#[napi]
impl NativeResolver {
    /// Throws `ZE_BAD_REQUIREMENT: ...` for a malformed requirement, constraint or override.
    #[napi(constructor)]
    pub fn new(options_json: String) -> napi::Result<Self> {
        let inner = zephyr_core::resolver::Resolver::new(&options_json).map_err(to_napi)?;
        Ok(NativeResolver { inner })
    }

    /// Feed fetched data and run; returns `{"kind":"need"|"resolved"|"conflict",...}`.
    /// Projects fed as `{"name", "page": N}` take their files from `pages` (a reader for the solver).
    #[napi]
    pub fn step(&mut self, feed_json: String, pages: Option<&PageReader>) -> napi::Result<String> {
        let store = pages.and_then(|p| p.store.clone());
        self.inner.step_with_pages(&feed_json, |id| store.as_ref().and_then(|s| s.solver_files(id))).map_err(to_napi)
    }
}

/// For each marker (extras settled): whether it holds in the marker environment (JSON).
/// Throws `ZE_BAD_REQUIREMENT: invalid marker ...` for a marker that does not parse.
#[napi]
pub fn evaluate_markers(markers: Vec<String>, environment_json: String) -> napi::Result<Vec<bool>> {
    zephyr_core::resolver::evaluate_markers(&markers, &environment_json).map_err(to_napi)
}
