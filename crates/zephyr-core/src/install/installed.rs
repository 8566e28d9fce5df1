//! Reading what is installed: `*.dist-info` directories of site-packages.

use std::fs;
use std::path::Path;

use serde::Serialize;

use super::distinfo::read_name_version;
use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct InstalledDist {
    pub name: String,
    pub version: String,
    /// Absolute path of the `.dist-info` directory.
    pub dist_info: String,
    /// First line of INSTALLER, if present.
    pub installer: Option<String>,
    pub requested: bool,
}

/// Every distribution in the given site-packages directories (missing directories are empty).
/// A dist-info without readable METADATA is skipped.
pub fn read_installed(site_packages: &[String]) -> CoreResult<Vec<InstalledDist>> {
    let mut out = Vec::new();
    for sp in site_packages {
        let dir = Path::new(sp);
        let rd = match fs::read_dir(dir) {
            Ok(rd) => rd,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => continue,
            Err(e) => return Err(CoreError::io(sp, e)),
        };
        let mut found = Vec::new();
        for entry in rd {
            let entry = entry.map_err(|e| CoreError::io(sp, e))?;
            let name = entry.file_name().to_string_lossy().to_string();
            if name.ends_with(".dist-info") && entry.path().is_dir() {
                found.push(entry.path());
            }
        }
        found.sort();
        for di in found {
            let Ok((name, version)) = read_name_version(&di) else { continue };
            let installer = fs::read_to_string(di.join("INSTALLER"))
                .ok()
                .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
                .filter(|s| !s.is_empty());
            out.push(InstalledDist {
                name,
                version,
                dist_info: di.display().to_string(),
                installer,
                requested: di.join("REQUESTED").exists(),
            });
        }
    }
    Ok(out)
}

pub fn read_installed_json(site_packages: &[String]) -> CoreResult<String> {
    serde_json::to_string(&read_installed(site_packages)?).map_err(|e| CoreError::Install(e.to_string()))
}
