//! Inspection bindings: the dependencies of what an environment has installed,
//! one call for all its distributions.

use napi_derive::napi;

use crate::errors::to_napi;

/// JSON `AnalyzeRequest` (`{markerEnvironment, dists: [{name, version, requiresDist}]}`) in,
/// JSON `DistDependencies[]` out: each distribution's requirements that apply in this
/// environment (markers and requested extras evaluated) and whether the installed
/// version satisfies them. Pure computation on strings: it runs synchronously.
#[napi]
pub fn analyze_dependencies(request_json: String) -> napi::Result<String> {
    zephyr_core::install::analyze_dependencies_json(&request_json).map_err(to_napi)
}

/// JSON `LatestRequest` (`{tags, pythonVersion, pre, projects: [{name, installed, files}]}`) in,
/// JSON `LatestVersion[]` out: the latest version of each project that can be installed here.
#[napi]
pub fn latest_versions(request_json: String) -> napi::Result<String> {
    zephyr_core::install::latest_versions_json(&request_json).map_err(to_napi)
}
