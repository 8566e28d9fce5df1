//! The latest version of each project that could be installed here (a
//! compatible wheel or an sdist, Requires-Python satisfied, not yanked, no
//! pre-release unless allowed, within an optional specifier), from its index
//! files, with the file to install: `pip list --outdated` and `pip install
//! --no-deps`. One batch.

use std::str::FromStr;

use pep440_rs::{Version, VersionSpecifiers};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
use crate::filename::DistFilename;
use crate::tags::{Tags, TargetDescriptor};

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestFile {
    pub filename: String,
    #[serde(default)]
    pub requires_python: Option<String>,
    #[serde(default)]
    pub yanked: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestProject {
    pub name: String,
    /// The installed version (empty: none); a pre-release installed allows pre-releases for it.
    #[serde(default)]
    pub installed: String,
    /// Only versions this PEP 440 specifier allows (a pre-release named in it allows pre-releases).
    #[serde(default)]
    pub specifier: Option<String>,
    pub files: Vec<LatestFile>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct LatestRequest {
    pub tags: TargetDescriptor,
    /// The interpreter's full version (`3.12.1`), for Requires-Python.
    pub python_version: String,
    #[serde(default)]
    pub pre: bool,
    pub projects: Vec<LatestProject>,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct LatestVersion {
    pub name: String,
    /// None when no file of the project can be installed here.
    pub latest: Option<String>,
    /// `wheel` when the latest version has a compatible wheel, else `sdist`.
    pub kind: Option<String>,
    /// The latest version is newer than the installed one.
    pub outdated: bool,
    /// The file to install for the latest version: the best compatible wheel, else the sdist.
    pub filename: Option<String>,
}

/// A version, its best compatible wheel (tag priority, filename) and an sdist filename.
type Candidate = (Version, Option<(usize, String)>, Option<String>);

pub fn latest_versions(request: &LatestRequest) -> CoreResult<Vec<LatestVersion>> {
    let tags = Tags::from_descriptor(&request.tags)?;
    let python = Version::from_str(request.python_version.trim())
        .map_err(|e| CoreError::BadOptions(format!("invalid pythonVersion {:?}: {e}", request.python_version)))?;
    let mut out = Vec::with_capacity(request.projects.len());
    for project in &request.projects {
        let installed = Version::from_str(&project.installed).ok();
        let installed_pre = installed.as_ref().is_some_and(|v| v.any_prerelease());
        let specifier = match project.specifier.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => Some(VersionSpecifiers::from_str(text).map_err(|e| {
                CoreError::BadRequirement(format!("{}: invalid version specifier {text:?}: {e}", project.name))
            })?),
            None => None,
        };
        let named_pre = specifier.as_ref().is_some_and(|s| s.iter().any(|v| v.version().any_prerelease()));
        let pre_ok = request.pre || installed_pre || named_pre;
        let mut best: Option<Candidate> = None;
        for f in &project.files {
            if f.yanked {
                continue;
            }
            let Ok(dist) = DistFilename::parse(&f.filename, Some(&project.name)) else { continue };
            let wheel = match &dist {
                DistFilename::Wheel(w) => match tags.compatibility(w) {
                    Some(priority) => Some(priority),
                    None => continue,
                },
                DistFilename::Sdist(_) => None,
            };
            if let Some(rp) = f.requires_python.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                if let Ok(specs) = VersionSpecifiers::from_str(rp) {
                    if !specs.contains(&python) {
                        continue;
                    }
                }
            }
            let version = dist.version().clone();
            if version.any_prerelease() && !pre_ok {
                continue;
            }
            if specifier.as_ref().is_some_and(|s| !s.contains(&version)) {
                continue;
            }
            if best.as_ref().is_some_and(|(v, _, _)| *v > version) {
                continue;
            }
            if best.as_ref().is_none_or(|(v, _, _)| *v < version) {
                best = Some((version, None, None));
            }
            if let Some((_, best_wheel, sdist)) = best.as_mut() {
                match wheel {
                    Some(p) if best_wheel.as_ref().is_none_or(|(q, _)| p < *q) => *best_wheel = Some((p, f.filename.clone())),
                    Some(_) => {}
                    None => *sdist = sdist.take().or_else(|| Some(f.filename.clone())),
                }
            }
        }
        let outdated = match (&best, &installed) {
            (Some((latest, _, _)), Some(have)) => latest > have,
            (Some(_), None) => true,
            (None, _) => false,
        };
        out.push(LatestVersion {
            outdated,
            name: project.name.clone(),
            latest: best.as_ref().map(|(v, _, _)| v.to_string()),
            kind: best.as_ref().map(|(_, w, _)| if w.is_some() { "wheel".to_string() } else { "sdist".to_string() }),
            filename: best.and_then(|(_, w, sdist)| w.map(|(_, name)| name).or(sdist)),
        });
    }
    Ok(out)
}

/// `latestVersions` as JSON: `LatestRequest` in, `LatestVersion[]` out.
pub fn latest_versions_json(request_json: &str) -> CoreResult<String> {
    let request: LatestRequest = serde_json::from_str(request_json)
        .map_err(|e| CoreError::BadOptions(format!("invalid latest-versions request: {e}")))?;
    serde_json::to_string(&latest_versions(&request)?).map_err(|e| CoreError::Install(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_latest_installable_version() {
        let request: LatestRequest = serde_json::from_value(serde_json::json!({
            "tags": {"implementation": "cpython", "pythonVersion": [3, 12], "os": "linux", "arch": "x86_64",
                     "libc": {"kind": "glibc", "version": [2, 35]}},
            "pythonVersion": "3.12.1",
            "projects": [
                {"name": "a", "installed": "1.0", "files": [
                    {"filename": "a-1.0-py3-none-any.whl"},
                    {"filename": "a-2.0-py3-none-any.whl"},
                    {"filename": "a-2.0.tar.gz"},
                    {"filename": "a-3.0-cp39-cp39-win_amd64.whl"},
                    {"filename": "a-4.0.tar.gz", "requiresPython": ">=3.13"},
                    {"filename": "a-5.0-py3-none-any.whl", "yanked": true},
                    {"filename": "a-6.0b1-py3-none-any.whl"}
                ]},
                {"name": "b", "installed": "1.0b1", "files": [
                    {"filename": "b-1.0.tar.gz"}, {"filename": "b-1.1rc1.tar.gz"}
                ]},
                {"name": "c", "installed": "1.0", "files": [{"filename": "c-1.0-cp39-cp39-win_amd64.whl"}]},
                {"name": "d", "specifier": "<2", "files": [
                    {"filename": "d-1.5.tar.gz"}, {"filename": "d-1.5-py3-none-any.whl"},
                    {"filename": "d-1.5-cp312-cp312-manylinux_2_17_x86_64.whl"}, {"filename": "d-2.0-py3-none-any.whl"}
                ]},
                {"name": "e", "specifier": ">=1.0b1", "files": [{"filename": "e-1.0b2-py3-none-any.whl"}]}
            ]
        }))
        .unwrap();
        let out = latest_versions(&request).unwrap();
        assert_eq!(out[0].latest.as_deref(), Some("2.0"));
        assert_eq!(out[0].kind.as_deref(), Some("wheel"));
        assert_eq!(out[1].latest.as_deref(), Some("1.1rc1"));
        assert_eq!(out[1].kind.as_deref(), Some("sdist"));
        assert!(out[0].outdated);
        assert!(out[1].outdated);
        assert_eq!(out[0].filename.as_deref(), Some("a-2.0-py3-none-any.whl"));
        assert_eq!(out[1].filename.as_deref(), Some("b-1.1rc1.tar.gz"));
        assert_eq!(out[2].latest, None);
        assert!(!out[2].outdated);
        assert_eq!(out[3].latest.as_deref(), Some("1.5"));
        assert_eq!(out[3].filename.as_deref(), Some("d-1.5-cp312-cp312-manylinux_2_17_x86_64.whl"));
        assert!(out[3].outdated, "nothing installed");
        assert_eq!(out[4].latest.as_deref(), Some("1.0b2"));
    }
}
