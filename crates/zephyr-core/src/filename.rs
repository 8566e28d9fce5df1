//! Distribution filenames: wheels (PEP 427 / binary distribution format),
//! source distributions (`name-version.tar.gz` / `.zip`) and PEP 503 name
//! normalization.

use std::fmt;
use std::str::FromStr;

use pep440_rs::Version;

use crate::error::{CoreError, CoreResult};

/// PEP 503 normalization: lowercase, and every run of `-`, `_`, `.` becomes one `-`.
pub fn normalize_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    let mut in_sep = false;
    for c in name.trim().chars() {
        if c == '-' || c == '_' || c == '.' {
            if !in_sep {
                out.push('-');
                in_sep = true;
            }
        } else {
            out.extend(c.to_lowercase());
            in_sep = false;
        }
    }
    out
}

/// A parsed wheel filename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WheelFilename {
    /// Normalized project name.
    pub name: String,
    pub version: Version,
    pub build: Option<String>,
    pub python_tags: Vec<String>,
    pub abi_tags: Vec<String>,
    pub platform_tags: Vec<String>,
}

impl WheelFilename {
    /// Every (python, abi, platform) triple the compressed tag sets expand to.
    pub fn expanded_tags(&self) -> Vec<(String, String, String)> {
        let mut out = Vec::new();
        for py in &self.python_tags {
            for abi in &self.abi_tags {
                for plat in &self.platform_tags {
                    out.push((py.clone(), abi.clone(), plat.clone()));
                }
            }
        }
        out
    }

    /// The tag triple as written in the filename, e.g. `py2.py3-none-any`.
    pub fn tag_string(&self) -> String {
        format!(
            "{}-{}-{}",
            self.python_tags.join("."),
            self.abi_tags.join("."),
            self.platform_tags.join(".")
        )
    }
}

impl FromStr for WheelFilename {
    type Err = CoreError;
    fn from_str(s: &str) -> CoreResult<Self> {
        parse_wheel_filename(s)
    }
}

fn bad(filename: &str, reason: impl Into<String>) -> CoreError {
    CoreError::BadFilename { filename: filename.to_string(), reason: reason.into() }
}

fn split_tag_set(s: &str) -> Vec<String> {
    s.split('.').filter(|t| !t.is_empty()).map(|t| t.to_string()).collect()
}

/// Parse `name-version(-build)?-python-abi-platform.whl`.
pub fn parse_wheel_filename(filename: &str) -> CoreResult<WheelFilename> {
    let stem = filename
        .strip_suffix(".whl")
        .ok_or_else(|| bad(filename, "a wheel filename must end in .whl"))?;
    let parts: Vec<&str> = stem.split('-').collect();
    let (name, version, build, py, abi, plat) = match parts.as_slice() {
        [name, version, py, abi, plat] => (*name, *version, None, *py, *abi, *plat),
        [name, version, build, py, abi, plat] => (*name, *version, Some(*build), *py, *abi, *plat),
        _ => {
            return Err(bad(
                filename,
                "expected name-version(-build)?-python-abi-platform.whl",
            ))
        }
    };
    if name.is_empty() {
        return Err(bad(filename, "empty project name"));
    }
    let version = Version::from_str(version)
        .map_err(|e| bad(filename, format!("invalid version {version:?}: {e}")))?;
    if let Some(b) = build {
        if !b.starts_with(|c: char| c.is_ascii_digit()) {
            return Err(bad(filename, format!("build tag {b:?} must start with a digit")));
        }
    }
    let python_tags = split_tag_set(py);
    let abi_tags = split_tag_set(abi);
    let platform_tags = split_tag_set(plat);
    if python_tags.is_empty() || abi_tags.is_empty() || platform_tags.is_empty() {
        return Err(bad(filename, "empty compatibility tag"));
    }
    Ok(WheelFilename {
        name: normalize_name(name),
        version,
        build: build.map(|b| b.to_string()),
        python_tags,
        abi_tags,
        platform_tags,
    })
}

/// Archive format of a source distribution.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SdistExtension {
    TarGz,
    Zip,
    TarBz2,
    TarXz,
}

impl SdistExtension {
    pub fn as_str(&self) -> &'static str {
        match self {
            SdistExtension::TarGz => ".tar.gz",
            SdistExtension::Zip => ".zip",
            SdistExtension::TarBz2 => ".tar.bz2",
            SdistExtension::TarXz => ".tar.xz",
        }
    }
}

/// A parsed source distribution filename.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SdistFilename {
    /// Normalized project name.
    pub name: String,
    pub version: Version,
    pub extension: SdistExtension,
}

fn strip_sdist_ext(filename: &str) -> Option<(&str, SdistExtension)> {
    let lower = filename.to_ascii_lowercase();
    for (suffix, ext) in [
        (".tar.gz", SdistExtension::TarGz),
        (".tgz", SdistExtension::TarGz),
        (".zip", SdistExtension::Zip),
        (".tar.bz2", SdistExtension::TarBz2),
        (".tar.xz", SdistExtension::TarXz),
    ] {
        if lower.ends_with(suffix) {
            return Some((&filename[..filename.len() - suffix.len()], ext));
        }
    }
    None
}

/// Parse `name-version.tar.gz` / `.zip`. The name may contain `-` (legacy sdists):
/// when `expected_name` is given, the filename must start with it (after
/// normalization); otherwise the split is on the last `-` that yields a valid version.
pub fn parse_sdist_filename(filename: &str, expected_name: Option<&str>) -> CoreResult<SdistFilename> {
    let (stem, extension) = strip_sdist_ext(filename)
        .ok_or_else(|| bad(filename, "a source distribution must end in .tar.gz or .zip"))?;
    if let Some(expected) = expected_name {
        let want = normalize_name(expected);
        // Try every `-` position whose prefix normalizes to the expected name.
        for (i, c) in stem.char_indices() {
            if c != '-' {
                continue;
            }
            if normalize_name(&stem[..i]) == want {
                if let Ok(version) = Version::from_str(&stem[i + 1..]) {
                    return Ok(SdistFilename { name: want, version, extension });
                }
            }
        }
        return Err(bad(filename, format!("does not look like a source distribution of {expected}")));
    }
    let positions: Vec<usize> = stem.char_indices().filter(|(_, c)| *c == '-').map(|(i, _)| i).collect();
    for &i in positions.iter().rev() {
        if i == 0 {
            continue;
        }
        if let Ok(version) = Version::from_str(&stem[i + 1..]) {
            return Ok(SdistFilename { name: normalize_name(&stem[..i]), version, extension });
        }
    }
    Err(bad(filename, "no valid version after a `-` in the filename"))
}

/// A wheel or a source distribution.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DistFilename {
    Wheel(WheelFilename),
    Sdist(SdistFilename),
}

impl DistFilename {
    /// Parse any distribution filename; `expected_name` helps with legacy sdists.
    pub fn parse(filename: &str, expected_name: Option<&str>) -> CoreResult<Self> {
        if filename.ends_with(".whl") {
            let w = parse_wheel_filename(filename)?;
            if let Some(expected) = expected_name {
                // Callers usually pass the normalized name: compare before normalizing.
                if expected != w.name && normalize_name(expected) != w.name {
                    return Err(bad(filename, format!("is not a wheel of {expected}")));
                }
            }
            Ok(DistFilename::Wheel(w))
        } else {
            Ok(DistFilename::Sdist(parse_sdist_filename(filename, expected_name)?))
        }
    }

    pub fn name(&self) -> &str {
        match self {
            DistFilename::Wheel(w) => &w.name,
            DistFilename::Sdist(s) => &s.name,
        }
    }

    pub fn version(&self) -> &Version {
        match self {
            DistFilename::Wheel(w) => &w.version,
            DistFilename::Sdist(s) => &s.version,
        }
    }
}

impl fmt::Display for WheelFilename {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}-{}", self.name.replace('-', "_"), self.version)?;
        if let Some(b) = &self.build {
            write!(f, "-{b}")?;
        }
        write!(f, "-{}.whl", self.tag_string())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalizes_names() {
        assert_eq!(normalize_name("Friendly-Bard"), "friendly-bard");
        assert_eq!(normalize_name("FRIENDLY_._BARD"), "friendly-bard");
        assert_eq!(normalize_name("friendly.bard"), "friendly-bard");
        assert_eq!(normalize_name("a__b--c"), "a-b-c");
    }

    #[test]
    fn parses_simple_wheel() {
        let w = parse_wheel_filename("requests-2.31.0-py3-none-any.whl").unwrap();
        assert_eq!(w.name, "requests");
        assert_eq!(w.version.to_string(), "2.31.0");
        assert_eq!(w.build, None);
        assert_eq!(w.python_tags, vec!["py3"]);
        assert_eq!(w.platform_tags, vec!["any"]);
    }

    #[test]
    fn parses_build_tag_and_compressed_sets() {
        let w = parse_wheel_filename("Foo_Bar-1.0-1-py2.py3-none-manylinux_2_17_x86_64.manylinux2014_x86_64.whl").unwrap();
        assert_eq!(w.name, "foo-bar");
        assert_eq!(w.build.as_deref(), Some("1"));
        assert_eq!(w.python_tags, vec!["py2", "py3"]);
        assert_eq!(w.platform_tags.len(), 2);
        assert_eq!(w.expanded_tags().len(), 4);
    }

    #[test]
    fn rejects_bad_wheels() {
        assert!(parse_wheel_filename("foo-1.0.whl").is_err());
        assert!(parse_wheel_filename("foo-notaversion!!-py3-none-any.whl").is_err());
        assert!(parse_wheel_filename("foo-1.0-x-py3-none-any.whl").is_err());
        assert!(parse_wheel_filename("foo-1.0-py3-none-any.zip").is_err());
    }

    #[test]
    fn parses_sdists() {
        let s = parse_sdist_filename("foo-1.0.tar.gz", None).unwrap();
        assert_eq!((s.name.as_str(), s.version.to_string().as_str()), ("foo", "1.0"));
        assert_eq!(s.extension, SdistExtension::TarGz);
        let s = parse_sdist_filename("Foo.Bar-2.0b1.zip", None).unwrap();
        assert_eq!(s.name, "foo-bar");
        assert_eq!(s.extension, SdistExtension::Zip);
        let s = parse_sdist_filename("python-dateutil-2.8.2.tar.gz", None).unwrap();
        assert_eq!(s.name, "python-dateutil");
        assert_eq!(s.version.to_string(), "2.8.2");
        let s = parse_sdist_filename("python-dateutil-2.8.2.tar.gz", Some("Python_Dateutil")).unwrap();
        assert_eq!(s.name, "python-dateutil");
        assert!(parse_sdist_filename("foo.tar.gz", None).is_err());
        assert!(parse_sdist_filename("foo-1.0.rpm", None).is_err());
        assert!(parse_sdist_filename("bar-1.0.tar.gz", Some("foo")).is_err());
    }

    #[test]
    fn dist_filename_dispatches() {
        assert!(matches!(DistFilename::parse("a-1.0-py3-none-any.whl", Some("a")).unwrap(), DistFilename::Wheel(_)));
        assert!(matches!(DistFilename::parse("a-1.0.tar.gz", Some("a")).unwrap(), DistFilename::Sdist(_)));
        assert!(DistFilename::parse("b-1.0-py3-none-any.whl", Some("a")).is_err());
    }
}
