//! Core metadata (`METADATA` in wheels, `PKG-INFO` in sdists): RFC 822 style
//! headers with continuation lines, then an optional body (the description).

use serde::Serialize;

use crate::error::{CoreError, CoreResult};

/// The fields of core metadata that resolution needs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CoreMetadata {
    pub metadata_version: Option<String>,
    pub name: String,
    pub version: String,
    pub requires_dist: Vec<String>,
    pub requires_python: Option<String>,
    pub provides_extra: Vec<String>,
    pub dynamic: Vec<String>,
}

/// All headers, in order, with continuation lines joined by `\n`.
pub fn parse_headers(text: &str) -> Vec<(String, String)> {
    let mut headers: Vec<(String, String)> = Vec::new();
    for raw in text.lines() {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        if line.is_empty() {
            break; // start of the body
        }
        if line.starts_with(' ') || line.starts_with('\t') {
            if let Some(last) = headers.last_mut() {
                last.1.push('\n');
                last.1.push_str(line.trim());
            }
            continue;
        }
        if let Some((key, value)) = line.split_once(':') {
            headers.push((key.trim().to_string(), value.trim().to_string()));
        }
    }
    headers
}

impl CoreMetadata {
    /// Parse METADATA / PKG-INFO text. `Name` and `Version` are required.
    pub fn parse(text: &str) -> CoreResult<Self> {
        let text = text.strip_prefix('\u{feff}').unwrap_or(text);
        let mut md = CoreMetadata::default();
        let mut name = None;
        let mut version = None;
        for (key, value) in parse_headers(text) {
            match key.to_ascii_lowercase().as_str() {
                "metadata-version" => md.metadata_version = Some(value),
                "name" => name = Some(value),
                "version" => version = Some(value),
                "requires-dist" => md.requires_dist.push(value),
                "requires-python" if !value.is_empty() => md.requires_python = Some(value),
                "provides-extra" => md.provides_extra.push(value),
                "dynamic" => md.dynamic.push(value),
                _ => {}
            }
        }
        md.name = name.ok_or_else(|| CoreError::BadMetadata("metadata has no Name field".into()))?;
        md.version = version.ok_or_else(|| CoreError::BadMetadata("metadata has no Version field".into()))?;
        Ok(md)
    }

    /// Whether a field is declared `Dynamic` (case-insensitive).
    pub fn is_dynamic(&self, field: &str) -> bool {
        self.dynamic.iter().any(|d| d.eq_ignore_ascii_case(field))
    }

    /// PEP 643: metadata 2.2+ whose Requires-Dist and Requires-Python are not dynamic
    /// can be trusted without building.
    pub fn is_static_for_resolution(&self) -> bool {
        let Some(v) = &self.metadata_version else { return false };
        let mut parts = v.trim().split('.').map(|p| p.parse::<u32>().unwrap_or(0));
        let major = parts.next().unwrap_or(0);
        let minor = parts.next().unwrap_or(0);
        (major, minor) >= (2, 2) && !self.is_dynamic("Requires-Dist") && !self.is_dynamic("Requires-Python")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "Metadata-Version: 2.3\r\nName: Foo-Bar\nVersion: 1.2.0\nSummary: a thing\n   continued\nRequires-Dist: b>=1.0\nRequires-Dist: c; extra == \"x\"\nRequires-Python: >=3.8\nProvides-Extra: x\nDynamic: License\n\nRequires-Dist: not-a-header\nbody text\n";

    #[test]
    fn parses_fields() {
        let md = CoreMetadata::parse(SAMPLE).unwrap();
        assert_eq!(md.metadata_version.as_deref(), Some("2.3"));
        assert_eq!(md.name, "Foo-Bar");
        assert_eq!(md.version, "1.2.0");
        assert_eq!(md.requires_dist, vec!["b>=1.0", "c; extra == \"x\""]);
        assert_eq!(md.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(md.provides_extra, vec!["x"]);
        assert_eq!(md.dynamic, vec!["License"]);
        assert!(md.is_static_for_resolution());
    }

    #[test]
    fn continuation_lines() {
        let h = parse_headers("Summary: a\n  b\n\tc\nName: x\n");
        assert_eq!(h[0], ("Summary".to_string(), "a\nb\nc".to_string()));
    }

    #[test]
    fn static_rules() {
        let md = CoreMetadata::parse("Metadata-Version: 2.1\nName: a\nVersion: 1\n").unwrap();
        assert!(!md.is_static_for_resolution());
        let md = CoreMetadata::parse("Metadata-Version: 2.2\nName: a\nVersion: 1\nDynamic: requires-dist\n").unwrap();
        assert!(!md.is_static_for_resolution());
        let md = CoreMetadata::parse("Metadata-Version: 2.4\nName: a\nVersion: 1\nDynamic: Requires-Python\n").unwrap();
        assert!(!md.is_static_for_resolution());
        let md = CoreMetadata::parse("Metadata-Version: 2.10\nName: a\nVersion: 1\n").unwrap();
        assert!(md.is_static_for_resolution());
    }

    #[test]
    fn missing_name_is_an_error() {
        let err = CoreMetadata::parse("Metadata-Version: 2.1\nVersion: 1\n").unwrap_err();
        assert_eq!(err.code(), "ZE_BAD_METADATA");
    }
}
