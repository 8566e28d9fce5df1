//! Install bindings: unpack wheels into the cache, apply a journaled install plan,
//! recover an unfinished journal, list installed distributions. Each call is one
//! batch and runs on the libuv thread pool.

use std::path::PathBuf;

use napi::bindgen_prelude::AsyncTask;
use napi::{Env, Task};
use napi_derive::napi;

use crate::errors::to_napi;

/// One wheel to unpack into the cache.
#[napi(object)]
pub struct UnpackItem {
    pub wheel: String,
    pub dest: String,
}

pub struct UnpackWheels {
    items: Vec<zephyr_core::install::UnpackItem>,
}

impl Task for UnpackWheels {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::install::unpack_wheels_json(&self.items).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Unpack wheels into cache folders (atomic publish; an existing `dest` is reused).
/// Resolves to JSON `[{dest, name, version, distInfo}]`.
#[napi(ts_return_type = "Promise<string>")]
pub fn unpack_wheels(items: Vec<UnpackItem>) -> AsyncTask<UnpackWheels> {
    let items = items
        .into_iter()
        .map(|i| zephyr_core::install::UnpackItem { wheel: i.wheel, dest: i.dest })
        .collect();
    AsyncTask::new(UnpackWheels { items })
}

pub struct ApplyInstallPlan {
    request_json: String,
}

impl Task for ApplyInstallPlan {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::install::apply_install_plan_json(&self.request_json).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Apply an install plan (JSON `InstallRequest`); all or nothing. Resolves to JSON `InstallReport`.
#[napi(ts_return_type = "Promise<string>")]
pub fn apply_install_plan(request_json: String) -> AsyncTask<ApplyInstallPlan> {
    AsyncTask::new(ApplyInstallPlan { request_json })
}

pub struct RecoverJournal {
    path: String,
}

impl Task for RecoverJournal {
    type Output = bool;
    type JsValue = bool;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::install::recover_journal(&PathBuf::from(&self.path)).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Roll back an unfinished install journal left by a killed process; true if there was one.
#[napi(ts_return_type = "Promise<boolean>")]
pub fn recover_journal(path: String) -> AsyncTask<RecoverJournal> {
    AsyncTask::new(RecoverJournal { path })
}

pub struct ReadInstalled {
    site_packages: Vec<String>,
}

impl Task for ReadInstalled {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        zephyr_core::install::read_installed_json(&self.site_packages).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// Installed distributions (`*.dist-info`) of site-packages folders, as JSON
/// `[{name, version, distInfo, installer, requested}]`.
#[napi(ts_return_type = "Promise<string>")]
pub fn read_installed(site_packages: Vec<String>) -> AsyncTask<ReadInstalled> {
    AsyncTask::new(ReadInstalled { site_packages })
}
