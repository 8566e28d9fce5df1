//! Standards helpers: compatibility tags, `--python-platform` targets,
//! requirement validation and static sdist metadata.

use napi::{Env, Task};
use napi_derive::napi;
use zephyr_core::tags::{compatible_tags as core_tags, platform_target_json, TargetDescriptor};

use crate::errors::to_napi;

/// Ordered compatible tags (`py-abi-plat`) of a target descriptor (JSON).
#[napi]
pub fn compatible_tags(descriptor_json: String) -> napi::Result<Vec<String>> {
    let descriptor = TargetDescriptor::from_json(&descriptor_json).map_err(to_napi)?;
    core_tags(&descriptor).map_err(to_napi)
}

/// A `--python-platform` value as JSON `{os, arch, libc, macVersion, markers}`.
#[napi]
pub fn platform_target(python_platform: String) -> napi::Result<String> {
    platform_target_json(&python_platform).map_err(to_napi)
}

/// For each line: `""` if it is a valid PEP 508 requirement, else the error with a caret line.
#[napi]
pub fn check_requirements(lines: Vec<String>) -> Vec<String> {
    zephyr_core::resolver::check_requirements(&lines)
}

pub struct ReadSdistMetadata {
    paths: Vec<String>,
}

impl Task for ReadSdistMetadata {
    type Output = Vec<Option<String>>;
    type JsValue = Vec<Option<String>>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        Ok(zephyr_core::sdist::read_static_metadata_batch(&self.paths))
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// PKG-INFO text of each sdist when it is static metadata (PEP 643), else null.
#[napi(ts_return_type = "Promise<(string | null)[]>")]
pub fn read_sdist_metadata(paths: Vec<String>) -> napi::bindgen_prelude::AsyncTask<ReadSdistMetadata> {
    napi::bindgen_prelude::AsyncTask::new(ReadSdistMetadata { paths })
}
