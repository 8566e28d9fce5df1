//! Installing wheels (PEP 427 / PEP 376 / PEP 610): unpack into the cache, then
//! link into an environment with RECORD, scripts and data, journaled so that any
//! failure leaves the environment exactly as it was.

pub mod apply;
pub mod dependencies;
pub mod distinfo;
pub mod installed;
pub mod journal;
pub mod latest;
pub mod record;
pub mod unpack;

#[cfg(all(test, unix))]
mod tests;

pub use apply::{apply_install_plan, apply_install_plan_json, InstallReport, InstallRequest, LinkMode};
pub use dependencies::{analyze_dependencies, analyze_dependencies_json, AnalyzeRequest, DistDependencies};
pub use installed::{read_installed, read_installed_json, InstalledDist};
pub use latest::{latest_versions, latest_versions_json, LatestRequest, LatestVersion};
pub use journal::recover_journal;
pub use unpack::{unpack_wheel, unpack_wheels, UnpackItem, Unpacked};

use crate::error::{CoreError, CoreResult};

/// `unpackWheels` as JSON: items in, `[{dest, name, version, distInfo}]` out.
pub fn unpack_wheels_json(items: &[UnpackItem]) -> CoreResult<String> {
    serde_json::to_string(&unpack_wheels(items)?).map_err(|e| CoreError::Install(e.to_string()))
}
