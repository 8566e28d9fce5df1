//! Batch file operations: hashing and reading archive members.

use std::path::PathBuf;

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;

use crate::errors::to_napi;

pub struct HashFiles {
    paths: Vec<String>,
}

impl Task for HashFiles {
    type Output = Vec<String>;
    type JsValue = Vec<String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        self.paths
            .iter()
            .map(|p| zephyr_core::hash::sha256_file(&PathBuf::from(p)).map_err(to_napi))
            .collect()
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// SHA-256 (hex) of each file, in order, computed off the event loop.
#[napi(ts_return_type = "Promise<string[]>")]
pub fn sha256_files(paths: Vec<String>) -> AsyncTask<HashFiles> {
    AsyncTask::new(HashFiles { paths })
}

pub struct ReadZipMember {
    archive: String,
    member: String,
}

impl Task for ReadZipMember {
    type Output = Vec<u8>;
    type JsValue = Buffer;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::archive::read_member(&PathBuf::from(&self.archive), &self.member).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output.into())
    }
}

/// The bytes of one member of a zip archive (e.g. a wheel's METADATA).
#[napi(ts_return_type = "Promise<Buffer>")]
pub fn read_zip_member(archive: String, member: String) -> AsyncTask<ReadZipMember> {
    AsyncTask::new(ReadZipMember { archive, member })
}

/// One sdist to unpack into a build folder.
#[napi(object)]
pub struct UnpackSdistItem {
    pub archive: String,
    pub dest: String,
}

pub struct UnpackSdists {
    items: Vec<(String, String)>,
}

impl Task for UnpackSdists {
    type Output = Vec<String>;
    type JsValue = Vec<String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::sdist_unpack::unpack_sdists(&self.items).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Unpack sdists (with path-escape checks) into build folders; resolves to each source tree.
#[napi(ts_return_type = "Promise<string[]>")]
pub fn unpack_sdists(items: Vec<UnpackSdistItem>) -> AsyncTask<UnpackSdists> {
    AsyncTask::new(UnpackSdists { items: items.into_iter().map(|i| (i.archive, i.dest)).collect() })
}
