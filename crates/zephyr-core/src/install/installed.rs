//! Reading what is installed: `*.dist-info` directories of site-packages.

use std::fs;
use std::path::Path;

use serde::Serialize;

use crate::error::{CoreError, CoreResult};
use crate::metadata::parse_headers;

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
    /// Fields of METADATA that `pip show` prints (empty when absent).
    pub summary: String,
    pub home_page: String,
    pub author: String,
    pub author_email: String,
    pub license: String,
    /// `Label, URL` values of `Project-URL`.
    pub project_urls: Vec<String>,
    pub requires_dist: Vec<String>,
    pub provides_extra: Vec<String>,
}

/// A distribution with only a name and a version (the rest empty).
fn bare(di: &Path, name: String, version: String) -> InstalledDist {
    InstalledDist {
        name,
        version,
        dist_info: di.display().to_string(),
        installer: None,
        requested: false,
        summary: String::new(),
        home_page: String::new(),
        author: String::new(),
        author_email: String::new(),
        license: String::new(),
        project_urls: Vec::new(),
        requires_dist: Vec::new(),
        provides_extra: Vec::new(),
    }
}

/// Name and version from the folder name (`name-version.dist-info`), for a dist-info whose
/// METADATA cannot be read: it still counts as installed (uninstall and sync must see it).
fn from_folder_name(di: &Path) -> Option<InstalledDist> {
    let file = di.file_name()?.to_string_lossy().to_string();
    let stem = file.strip_suffix(".dist-info")?;
    let (name, version) = stem.rsplit_once('-')?;
    if name.is_empty() || version.is_empty() {
        return None;
    }
    Some(bare(di, name.to_string(), version.to_string()))
}

/// The METADATA headers of one `.dist-info`, or None when it has no usable Name and Version.
fn read_metadata(di: &Path) -> Option<InstalledDist> {
    let text = fs::read_to_string(di.join("METADATA")).ok()?;
    let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
    let mut d = bare(di, String::new(), String::new());
    let first = |slot: &mut String, v: String| {
        if slot.is_empty() {
            *slot = v;
        }
    };
    for (k, v) in parse_headers(text) {
        match k.to_ascii_lowercase().as_str() {
            "name" => first(&mut d.name, v),
            "version" => first(&mut d.version, v),
            "summary" => first(&mut d.summary, v),
            "home-page" => first(&mut d.home_page, v),
            "author" => first(&mut d.author, v),
            "author-email" => first(&mut d.author_email, v),
            "license" => first(&mut d.license, v),
            "license-expression" if d.license.is_empty() => d.license = v,
            "project-url" => d.project_urls.push(v),
            "requires-dist" => d.requires_dist.push(v),
            "provides-extra" => d.provides_extra.push(v),
            _ => {}
        }
    }
    if d.name.is_empty() || d.version.is_empty() {
        return None;
    }
    Some(d)
}

/// Every distribution in the given site-packages directories (missing directories are empty).
/// A dist-info without readable METADATA is known by its folder name.
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
            let Some(mut dist) = read_metadata(&di).or_else(|| from_folder_name(&di)) else { continue };
            dist.installer = fs::read_to_string(di.join("INSTALLER"))
                .ok()
                .and_then(|s| s.lines().next().map(|l| l.trim().to_string()))
                .filter(|s| !s.is_empty());
            dist.requested = di.join("REQUESTED").exists();
            out.push(dist);
        }
    }
    Ok(out)
}

pub fn read_installed_json(site_packages: &[String]) -> CoreResult<String> {
    serde_json::to_string(&read_installed(site_packages)?).map_err(|e| CoreError::Install(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_dist_info_without_metadata_is_known_by_its_folder_name() {
        let tmp = tempfile::tempdir().expect("tempdir");
        let sp = tmp.path();
        fs::create_dir_all(sp.join("broken_pkg-1.2.post1.dist-info")).expect("mkdir");
        fs::create_dir_all(sp.join("fine-2.0.dist-info")).expect("mkdir");
        fs::write(sp.join("fine-2.0.dist-info").join("METADATA"), "Metadata-Version: 2.1\nName: Fine\nVersion: 2.0\n").expect("write");
        fs::create_dir_all(sp.join("nameless.dist-info")).expect("mkdir");
        let found = read_installed(&[sp.display().to_string()]).expect("read");
        let pairs: Vec<(String, String)> = found.into_iter().map(|d| (d.name, d.version)).collect();
        assert_eq!(pairs, vec![("broken_pkg".to_string(), "1.2.post1".to_string()), ("Fine".to_string(), "2.0".to_string())]);
    }
}
