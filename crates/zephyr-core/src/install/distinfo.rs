//! Reading a `.dist-info` directory on disk: METADATA, WHEEL, entry points.

use std::fs;
use std::path::{Path, PathBuf};

use crate::error::{CoreError, CoreResult};
use crate::metadata::parse_headers;

/// Name and version from METADATA text.
pub fn name_version(metadata: &str, origin: &str) -> CoreResult<(String, String)> {
    let text = metadata.strip_prefix('\u{feff}').unwrap_or(metadata);
    let mut name = None;
    let mut version = None;
    for (k, v) in parse_headers(text) {
        match k.to_ascii_lowercase().as_str() {
            "name" if name.is_none() => name = Some(v),
            "version" if version.is_none() => version = Some(v),
            _ => {}
        }
    }
    match (name, version) {
        (Some(n), Some(v)) if !n.is_empty() && !v.is_empty() => Ok((n, v)),
        _ => Err(CoreError::BadMetadata(format!("{origin}: METADATA has no Name or Version"))),
    }
}

/// `Root-Is-Purelib` from WHEEL text, after checking `Wheel-Version` major is 1.
pub fn parse_wheel_file(text: &str, origin: &str) -> CoreResult<bool> {
    let mut version = None;
    let mut purelib = None;
    for (k, v) in parse_headers(text) {
        match k.to_ascii_lowercase().as_str() {
            "wheel-version" => version = Some(v),
            "root-is-purelib" => purelib = Some(v),
            _ => {}
        }
    }
    let version = version.ok_or_else(|| CoreError::BadWheel(format!("{origin}: WHEEL has no Wheel-Version")))?;
    let major = version.split('.').next().unwrap_or("").trim();
    if major != "1" {
        return Err(CoreError::BadWheel(format!(
            "{origin}: unsupported Wheel-Version {version} (only 1.x is supported)"
        )));
    }
    Ok(purelib.map(|p| p.trim().eq_ignore_ascii_case("true")).unwrap_or(true))
}

/// One console or GUI script entry point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntryPoint {
    pub name: String,
    pub module: String,
    pub attr: String,
    pub gui: bool,
}

fn is_dotted_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.split('.').all(|part| {
            let mut chars = part.chars();
            matches!(chars.next(), Some(c) if c == '_' || c.is_alphabetic())
                && chars.all(|c| c == '_' || c.is_alphanumeric())
        })
}

/// console_scripts and gui_scripts of entry_points.txt (INI style).
pub fn parse_entry_points(text: &str, origin: &str) -> CoreResult<Vec<EntryPoint>> {
    let mut out = Vec::new();
    let mut section: Option<bool> = None; // Some(gui?) inside a script section
    for raw in text.lines() {
        let line = raw.trim();
        if line.is_empty() || line.starts_with('#') || line.starts_with(';') {
            continue;
        }
        if line.starts_with('[') && line.ends_with(']') {
            section = match line[1..line.len() - 1].trim() {
                "console_scripts" => Some(false),
                "gui_scripts" => Some(true),
                _ => None,
            };
            continue;
        }
        let Some(gui) = section else { continue };
        let bad = |why: &str| CoreError::BadWheel(format!("{origin}: invalid script entry point `{line}`: {why}"));
        let (name, value) = line.split_once('=').ok_or_else(|| bad("expected name = module:attr"))?;
        let name = name.trim();
        // Drop `[extras]`.
        let value = value.split('[').next().unwrap_or("").trim();
        let (module, attr) = value.split_once(':').ok_or_else(|| bad("a callable suffix is required"))?;
        let (module, attr) = (module.trim(), attr.trim());
        if name.is_empty()
            || name.contains(['/', '\\'])
            || name == "."
            || name == ".."
            || name.chars().any(|c| c.is_control())
        {
            return Err(bad("bad script name"));
        }
        if !is_dotted_identifier(module) || !is_dotted_identifier(attr) {
            return Err(bad("module and attribute must be dotted identifiers"));
        }
        out.push(EntryPoint { name: name.to_string(), module: module.to_string(), attr: attr.to_string(), gui });
    }
    Ok(out)
}

/// The one top-level `*.dist-info` directory inside `root`.
pub fn find_dist_info(root: &Path) -> CoreResult<PathBuf> {
    let display = root.display().to_string();
    let mut found = Vec::new();
    for entry in fs::read_dir(root).map_err(|e| CoreError::io(&display, e))? {
        let entry = entry.map_err(|e| CoreError::io(&display, e))?;
        let name = entry.file_name().to_string_lossy().to_string();
        if name.ends_with(".dist-info") && entry.path().is_dir() {
            found.push(entry.path());
        }
    }
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(CoreError::BadWheel(format!("{display}: no .dist-info directory"))),
        _ => Err(CoreError::BadWheel(format!("{display}: more than one .dist-info directory"))),
    }
}

pub fn read_text(path: &Path) -> CoreResult<String> {
    let bytes = fs::read(path).map_err(|e| CoreError::io(path.display().to_string(), e))?;
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}

/// Name and version of a dist-info directory on disk.
pub fn read_name_version(dist_info: &Path) -> CoreResult<(String, String)> {
    let md = dist_info.join("METADATA");
    name_version(&read_text(&md)?, &md.display().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entry_points() {
        let t = "[console_scripts]\nfoo = pkg.cli:main [extra]\nbar=pkg:obj.run\n[gui_scripts]\ng = pkg:gui\n[other]\nx = y:z\n";
        let e = parse_entry_points(t, "t").expect("parse");
        assert_eq!(e.len(), 3);
        assert_eq!(e[0], EntryPoint { name: "foo".into(), module: "pkg.cli".into(), attr: "main".into(), gui: false });
        assert_eq!(e[1].attr, "obj.run");
        assert!(e[2].gui);
        assert!(parse_entry_points("[console_scripts]\nx = os:system('rm')\n", "t").is_err());
        assert!(parse_entry_points("[console_scripts]\n../x = a:b\n", "t").is_err());
        assert!(parse_entry_points("[console_scripts]\nx = a\n", "t").is_err());
    }

    #[test]
    fn wheel_file() {
        assert!(parse_wheel_file("Wheel-Version: 1.0\nRoot-Is-Purelib: true\n", "w").expect("ok"));
        assert!(!parse_wheel_file("Wheel-Version: 1.9\nRoot-Is-Purelib: false\n", "w").expect("ok"));
        assert_eq!(parse_wheel_file("Wheel-Version: 2.0\n", "w").unwrap_err().code(), "ZE_BAD_WHEEL");
    }
}
