//! Platform compatibility tags (PEP 425 and the platform tag specs), ordered
//! from most to least preferred like `packaging.tags.sys_tags`, and uv-style
//! `--python-platform` targets.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
use crate::filename::WheelFilename;

/// The C library of a Linux target.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Libc {
    /// `glibc` or `musl`.
    pub kind: String,
    /// `[major, minor]`.
    pub version: Vec<u32>,
}

/// What an interpreter/platform pair looks like, enough to derive its tags.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct TargetDescriptor {
    /// `cpython`, `pypy`, `graalpy`, ...
    pub implementation: String,
    /// `[major, minor]`.
    pub python_version: Vec<u32>,
    #[serde(default)]
    pub abiflags: String,
    #[serde(default)]
    pub gil_disabled: bool,
    /// `linux`, `macos`, `windows`.
    pub os: String,
    /// `x86_64`, `aarch64`, `i686`, ...
    pub arch: String,
    #[serde(default)]
    pub libc: Option<Libc>,
    #[serde(default)]
    pub mac_version: Option<Vec<u32>>,
}

impl TargetDescriptor {
    pub fn from_json(json: &str) -> CoreResult<Self> {
        serde_json::from_str(json).map_err(|e| CoreError::BadOptions(format!("invalid target descriptor: {e}")))
    }

    fn major_minor(&self) -> CoreResult<(u32, u32)> {
        match self.python_version.as_slice() {
            [major, minor, ..] => Ok((*major, *minor)),
            _ => Err(CoreError::BadOptions("pythonVersion must be [major, minor]".into())),
        }
    }
}

fn py_interpreter_range(major: u32, minor: u32) -> Vec<String> {
    let mut out = vec![format!("py{major}{minor}"), format!("py{major}")];
    for m in (0..minor).rev() {
        out.push(format!("py{major}{m}"));
    }
    out
}

fn mac_binary_formats(version: (u32, u32), arch: &str) -> Vec<String> {
    let mut formats = vec![arch.to_string()];
    if arch == "x86_64" {
        if version < (10, 4) {
            return vec![];
        }
        formats.extend(["intel", "fat64", "fat32"].map(String::from));
    } else if arch == "i386" {
        if version < (10, 4) {
            return vec![];
        }
        formats.extend(["intel", "fat32", "fat"].map(String::from));
    }
    if arch == "arm64" || arch == "x86_64" {
        formats.push("universal2".into());
    }
    if arch == "x86_64" || arch == "i386" {
        formats.push("universal".into());
    }
    formats
}

fn mac_platforms(version: (u32, u32), arch: &str) -> Vec<String> {
    let mut out = Vec::new();
    if version.0 == 10 {
        for minor in (0..=version.1).rev() {
            for f in mac_binary_formats((10, minor), arch) {
                out.push(format!("macosx_10_{minor}_{f}"));
            }
        }
        return out;
    }
    for major in (11..=version.0).rev() {
        for f in mac_binary_formats((major, 0), arch) {
            out.push(format!("macosx_{major}_0_{f}"));
        }
    }
    if arch == "x86_64" {
        for minor in (4..=16).rev() {
            for f in mac_binary_formats((10, minor), arch) {
                out.push(format!("macosx_10_{minor}_{f}"));
            }
        }
    } else {
        for minor in (4..=16).rev() {
            out.push(format!("macosx_10_{minor}_universal2"));
        }
    }
    out
}

fn linux_arch(arch: &str) -> String {
    match arch {
        "arm64" => "aarch64".into(),
        "amd64" | "x64" => "x86_64".into(),
        "x86" | "i386" | "i586" => "i686".into(),
        "armv7" => "armv7l".into(),
        other => other.to_string(),
    }
}

fn linux_platforms(arch: &str, libc: Option<&Libc>) -> Vec<String> {
    let arch = linux_arch(arch);
    let mut out = Vec::new();
    match libc {
        Some(l) if l.kind == "glibc" => {
            let major = l.version.first().copied().unwrap_or(2);
            let minor = l.version.get(1).copied().unwrap_or(17);
            let too_old: i64 = if arch == "x86_64" || arch == "i686" { 4 } else { 16 };
            if major == 2 {
                let mut m = minor as i64;
                while m > too_old {
                    out.push(format!("manylinux_2_{m}_{arch}"));
                    let legacy = match m {
                        17 => Some("manylinux2014"),
                        12 => Some("manylinux2010"),
                        5 => Some("manylinux1"),
                        _ => None,
                    };
                    if let Some(legacy) = legacy {
                        let ok = match legacy {
                            "manylinux2014" => matches!(
                                arch.as_str(),
                                "x86_64" | "i686" | "aarch64" | "armv7l" | "ppc64" | "ppc64le" | "s390x"
                            ),
                            _ => arch == "x86_64" || arch == "i686",
                        };
                        if ok {
                            out.push(format!("{legacy}_{arch}"));
                        }
                    }
                    m -= 1;
                }
            }
        }
        Some(l) if l.kind == "musl" => {
            let major = l.version.first().copied().unwrap_or(1);
            let minor = l.version.get(1).copied().unwrap_or(2);
            for m in (0..=minor).rev() {
                out.push(format!("musllinux_{major}_{m}_{arch}"));
            }
        }
        _ => {}
    }
    out.push(format!("linux_{arch}"));
    out
}

fn windows_platforms(arch: &str) -> Vec<String> {
    match arch {
        "x86_64" | "amd64" | "x64" => vec!["win_amd64".into()],
        "aarch64" | "arm64" => vec!["win_arm64".into()],
        "x86" | "i686" | "i386" => vec!["win32".into()],
        other => vec![format!("win_{other}")],
    }
}

/// Platform tags of a target, most specific first.
pub fn platform_tags(d: &TargetDescriptor) -> CoreResult<Vec<String>> {
    match d.os.as_str() {
        "linux" => Ok(linux_platforms(&d.arch, d.libc.as_ref())),
        "macos" | "darwin" => {
            let arch = match d.arch.as_str() {
                "aarch64" | "arm64" => "arm64",
                "x86_64" | "amd64" | "x64" => "x86_64",
                other => other,
            };
            let v = d.mac_version.clone().unwrap_or_else(|| vec![12, 0]);
            let version = (v.first().copied().unwrap_or(12), v.get(1).copied().unwrap_or(0));
            Ok(mac_platforms(version, arch))
        }
        "windows" => Ok(windows_platforms(&d.arch)),
        other => Err(CoreError::BadPlatform(format!(
            "unknown os {other:?}; expected linux, macos or windows"
        ))),
    }
}

/// The ordered list of compatible tags of a target, as `py-abi-plat` strings.
pub fn compatible_tags(d: &TargetDescriptor) -> CoreResult<Vec<String>> {
    Ok(Tags::from_descriptor(d)?.ordered)
}

/// The compatible tags of a target, with a priority per tag.
#[derive(Debug, Clone)]
pub struct Tags {
    ordered: Vec<String>,
    index: HashMap<(String, String, String), usize>,
}

impl Tags {
    pub fn from_descriptor(d: &TargetDescriptor) -> CoreResult<Self> {
        let (major, minor) = d.major_minor()?;
        let platforms = platform_tags(d)?;
        let mut triples: Vec<(String, String, String)> = Vec::new();
        let implementation = d.implementation.to_ascii_lowercase();
        let interpreter;
        if implementation == "cpython" || implementation == "cp" {
            interpreter = format!("cp{major}{minor}");
            let free_threaded = d.gil_disabled || d.abiflags.contains('t');
            let threading = if free_threaded { "t" } else { "" };
            let flags: String = d.abiflags.chars().filter(|c| *c != 't').collect();
            let mut abis = vec![format!("cp{major}{minor}{threading}{flags}")];
            if flags.contains('d') {
                // Debug builds also load regular extension modules.
                abis.push(format!("cp{major}{minor}{threading}"));
            }
            for abi in &abis {
                for p in &platforms {
                    triples.push((interpreter.clone(), abi.clone(), p.clone()));
                }
            }
            if !free_threaded {
                for p in &platforms {
                    triples.push((interpreter.clone(), "abi3".into(), p.clone()));
                }
            }
            for p in &platforms {
                triples.push((interpreter.clone(), "none".into(), p.clone()));
            }
            if !free_threaded && major == 3 {
                for m in (2..minor).rev() {
                    for p in &platforms {
                        triples.push((format!("cp{major}{m}"), "abi3".into(), p.clone()));
                    }
                }
            }
        } else {
            let (short, abis): (&str, Vec<String>) = match implementation.as_str() {
                "pypy" | "pp" => ("pp", vec![format!("pypy{major}{minor}_pp73")]),
                "graalpy" | "graalpython" | "gp" => ("graalpy", vec![format!("graalpy{major}{minor}")]),
                "ironpython" | "ip" => ("ip", vec![]),
                "jython" | "jy" => ("jy", vec![]),
                other => (other, vec![]),
            };
            interpreter = format!("{short}{major}{minor}");
            for abi in abis.iter().chain(std::iter::once(&"none".to_string())) {
                for p in &platforms {
                    triples.push((interpreter.clone(), abi.clone(), p.clone()));
                }
            }
        }
        for py in py_interpreter_range(major, minor) {
            for p in &platforms {
                triples.push((py.clone(), "none".into(), p.clone()));
            }
        }
        triples.push((interpreter.clone(), "none".into(), "any".into()));
        for py in py_interpreter_range(major, minor) {
            triples.push((py, "none".into(), "any".into()));
        }
        let mut index = HashMap::new();
        let mut ordered = Vec::new();
        for t in triples {
            if !index.contains_key(&t) {
                index.insert(t.clone(), ordered.len());
                ordered.push(format!("{}-{}-{}", t.0, t.1, t.2));
            }
        }
        Ok(Tags { ordered, index })
    }

    /// Tags in preference order.
    pub fn ordered(&self) -> &[String] {
        &self.ordered
    }

    /// Priority of the wheel's best tag (lower is better), or `None` if incompatible.
    pub fn compatibility(&self, wheel: &WheelFilename) -> Option<usize> {
        let mut best: Option<usize> = None;
        for py in &wheel.python_tags {
            for abi in &wheel.abi_tags {
                for plat in &wheel.platform_tags {
                    if let Some(&i) = self.index.get(&(py.clone(), abi.clone(), plat.clone())) {
                        best = Some(best.map_or(i, |b| b.min(i)));
                    }
                }
            }
        }
        best
    }
}

/// A `--python-platform` target: os/arch/libc/macOS version defaults plus the
/// marker-environment values that differ per platform.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct PlatformTarget {
    pub os: String,
    pub arch: String,
    pub libc: Option<Libc>,
    pub mac_version: Option<Vec<u32>>,
    pub markers: std::collections::BTreeMap<String, String>,
}

pub const ACCEPTED_PLATFORMS: &[&str] = &[
    "linux",
    "macos",
    "windows",
    "x86_64-unknown-linux-gnu",
    "aarch64-unknown-linux-gnu",
    "x86_64-unknown-linux-musl",
    "aarch64-unknown-linux-musl",
    "x86_64-manylinux_2_N (e.g. x86_64-manylinux_2_28)",
    "aarch64-manylinux_2_N",
    "x86_64-manylinux2014",
    "aarch64-manylinux2014",
    "aarch64-apple-darwin",
    "x86_64-apple-darwin",
    "x86_64-pc-windows-msvc",
    "aarch64-pc-windows-msvc",
    "i686-pc-windows-msvc",
];

fn bad_platform(s: &str) -> CoreError {
    CoreError::BadPlatform(format!(
        "unknown python platform {s:?}; accepted values: {}",
        ACCEPTED_PLATFORMS.join(", ")
    ))
}

/// Parse a uv-style `--python-platform` value.
pub fn parse_python_platform(s: &str) -> CoreResult<PlatformTarget> {
    let s = s.trim();
    let glibc = |minor: u32| Some(Libc { kind: "glibc".into(), version: vec![2, minor] });
    let musl = Some(Libc { kind: "musl".into(), version: vec![1, 2] });
    let (os, arch, libc, mac): (&str, &str, Option<Libc>, Option<Vec<u32>>) = match s {
        "linux" | "x86_64-unknown-linux-gnu" => ("linux", "x86_64", glibc(17), None),
        "aarch64-unknown-linux-gnu" => ("linux", "aarch64", glibc(17), None),
        "x86_64-unknown-linux-musl" => ("linux", "x86_64", musl, None),
        "aarch64-unknown-linux-musl" => ("linux", "aarch64", musl, None),
        "macos" | "aarch64-apple-darwin" => ("macos", "aarch64", None, Some(vec![12, 0])),
        "x86_64-apple-darwin" => ("macos", "x86_64", None, Some(vec![12, 0])),
        "windows" | "x86_64-pc-windows-msvc" => ("windows", "x86_64", None, None),
        "aarch64-pc-windows-msvc" => ("windows", "aarch64", None, None),
        "i686-pc-windows-msvc" => ("windows", "i686", None, None),
        other => {
            let (arch, rest) = other.split_once('-').ok_or_else(|| bad_platform(s))?;
            if arch != "x86_64" && arch != "aarch64" {
                return Err(bad_platform(s));
            }
            let minor = if rest == "manylinux2014" {
                17
            } else {
                rest.strip_prefix("manylinux_2_")
                    .and_then(|m| m.parse::<u32>().ok())
                    .ok_or_else(|| bad_platform(s))?
            };
            if minor < 17 {
                return Err(bad_platform(s));
            }
            let arch: &str = if arch == "x86_64" { "x86_64" } else { "aarch64" };
            ("linux", arch, glibc(minor), None)
        }
    };
    let mut markers = std::collections::BTreeMap::new();
    let (sys_platform, system, os_name, machine) = match os {
        "linux" => ("linux", "Linux", "posix", arch.to_string()),
        "macos" => ("darwin", "Darwin", "posix", if arch == "aarch64" { "arm64".into() } else { arch.to_string() }),
        _ => (
            "win32",
            "Windows",
            "nt",
            match arch {
                "x86_64" => "AMD64".to_string(),
                "aarch64" => "ARM64".to_string(),
                _ => "x86".to_string(),
            },
        ),
    };
    markers.insert("sys_platform".into(), sys_platform.into());
    markers.insert("platform_system".into(), system.into());
    markers.insert("os_name".into(), os_name.into());
    markers.insert("platform_machine".into(), machine);
    Ok(PlatformTarget { os: os.into(), arch: arch.into(), libc, mac_version: mac, markers })
}

/// [`parse_python_platform`] as JSON `{os, arch, libc, macVersion, markers}`.
pub fn platform_target_json(python_platform: &str) -> CoreResult<String> {
    let target = parse_python_platform(python_platform)?;
    serde_json::to_string(&target).map_err(|e| CoreError::BadPlatform(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filename::parse_wheel_filename;

    fn cp312_linux() -> TargetDescriptor {
        TargetDescriptor::from_json(
            r#"{"implementation":"cpython","pythonVersion":[3,12],"abiflags":"","gilDisabled":false,
                "os":"linux","arch":"x86_64","libc":{"kind":"glibc","version":[2,36]},"macVersion":null}"#,
        )
        .unwrap()
    }

    #[test]
    fn cpython_312_linux_glibc_236_order() {
        let tags = compatible_tags(&cp312_linux()).unwrap();
        assert_eq!(tags[0], "cp312-cp312-manylinux_2_36_x86_64");
        assert_eq!(tags[1], "cp312-cp312-manylinux_2_35_x86_64");
        let pos = |t: &str| tags.iter().position(|x| x == t).unwrap_or_else(|| panic!("missing {t}"));
        // legacy alias right after its manylinux_2_N
        assert_eq!(pos("cp312-cp312-manylinux2014_x86_64"), pos("cp312-cp312-manylinux_2_17_x86_64") + 1);
        assert_eq!(pos("cp312-cp312-manylinux2010_x86_64"), pos("cp312-cp312-manylinux_2_12_x86_64") + 1);
        assert_eq!(pos("cp312-cp312-manylinux1_x86_64"), pos("cp312-cp312-manylinux_2_5_x86_64") + 1);
        assert!(pos("cp312-cp312-manylinux1_x86_64") < pos("cp312-cp312-linux_x86_64"));
        assert!(pos("cp312-cp312-linux_x86_64") < pos("cp312-abi3-manylinux_2_36_x86_64"));
        assert!(pos("cp312-abi3-linux_x86_64") < pos("cp312-none-manylinux_2_36_x86_64"));
        assert!(pos("cp312-none-linux_x86_64") < pos("cp311-abi3-manylinux_2_36_x86_64"));
        assert!(pos("cp32-abi3-linux_x86_64") < pos("py312-none-manylinux_2_36_x86_64"));
        assert!(pos("py312-none-linux_x86_64") < pos("py3-none-manylinux_2_36_x86_64"));
        assert!(pos("py30-none-linux_x86_64") < pos("cp312-none-any"));
        assert_eq!(pos("py312-none-any"), pos("cp312-none-any") + 1);
        assert_eq!(pos("py3-none-any"), pos("py312-none-any") + 1);
        assert_eq!(tags.last().map(String::as_str), Some("py30-none-any"));
        assert!(!tags.iter().any(|t| t.contains("musllinux") || t.contains("cp31-abi3")));
        assert!(!tags.iter().any(|t| t.contains("manylinux_2_4_")));
    }

    #[test]
    fn compatibility_prefers_specific_wheels() {
        let tags = Tags::from_descriptor(&cp312_linux()).unwrap();
        let any = parse_wheel_filename("a-1.0-py3-none-any.whl").unwrap();
        let bin = parse_wheel_filename("a-1.0-cp312-cp312-manylinux_2_17_x86_64.manylinux2014_x86_64.whl").unwrap();
        let abi3 = parse_wheel_filename("a-1.0-cp38-abi3-manylinux2014_x86_64.whl").unwrap();
        let win = parse_wheel_filename("a-1.0-cp312-cp312-win_amd64.whl").unwrap();
        let newer = parse_wheel_filename("a-1.0-cp312-cp312-manylinux_2_38_x86_64.whl").unwrap();
        let (a, b, c) = (tags.compatibility(&any), tags.compatibility(&bin), tags.compatibility(&abi3));
        assert!(b.unwrap() < c.unwrap() && c.unwrap() < a.unwrap());
        assert_eq!(tags.compatibility(&win), None);
        assert_eq!(tags.compatibility(&newer), None);
    }

    #[test]
    fn macos_and_windows_and_musl() {
        let mut d = cp312_linux();
        d.os = "macos".into();
        d.arch = "aarch64".into();
        d.libc = None;
        d.mac_version = Some(vec![14, 0]);
        let tags = compatible_tags(&d).unwrap();
        assert_eq!(tags[0], "cp312-cp312-macosx_14_0_arm64");
        assert_eq!(tags[1], "cp312-cp312-macosx_14_0_universal2");
        assert!(tags.contains(&"cp312-cp312-macosx_11_0_arm64".to_string()));
        assert!(tags.contains(&"cp312-cp312-macosx_10_9_universal2".to_string()));
        assert!(!tags.contains(&"cp312-cp312-macosx_10_9_x86_64".to_string()));
        d.arch = "x86_64".into();
        let tags = compatible_tags(&d).unwrap();
        assert!(tags.contains(&"cp312-cp312-macosx_10_9_x86_64".to_string()));
        assert!(tags.contains(&"cp312-cp312-macosx_10_9_intel".to_string()));
        d.os = "windows".into();
        let tags = compatible_tags(&d).unwrap();
        assert_eq!(tags[0], "cp312-cp312-win_amd64");
        d.os = "linux".into();
        d.arch = "aarch64".into();
        d.libc = Some(Libc { kind: "musl".into(), version: vec![1, 2] });
        let tags = compatible_tags(&d).unwrap();
        assert_eq!(tags[0], "cp312-cp312-musllinux_1_2_aarch64");
        assert_eq!(tags[3], "cp312-cp312-linux_aarch64");
        d.abiflags = "d".into();
        let tags = compatible_tags(&d).unwrap();
        assert_eq!(tags[0], "cp312-cp312d-musllinux_1_2_aarch64");
        assert_eq!(tags[4], "cp312-cp312-musllinux_1_2_aarch64");
        d.abiflags = String::new();
        d.gil_disabled = true;
        let tags = compatible_tags(&d).unwrap();
        assert_eq!(tags[0], "cp312-cp312t-musllinux_1_2_aarch64");
        assert!(!tags.iter().any(|t| t.contains("abi3")));
    }

    #[test]
    fn python_platforms() {
        let t = parse_python_platform("linux").unwrap();
        assert_eq!((t.os.as_str(), t.arch.as_str()), ("linux", "x86_64"));
        assert_eq!(t.libc, Some(Libc { kind: "glibc".into(), version: vec![2, 17] }));
        assert_eq!(t.markers["sys_platform"], "linux");
        let t = parse_python_platform("macos").unwrap();
        assert_eq!(t.arch, "aarch64");
        assert_eq!(t.markers["platform_machine"], "arm64");
        assert_eq!(t.mac_version, Some(vec![12, 0]));
        let t = parse_python_platform("x86_64-manylinux_2_28").unwrap();
        assert_eq!(t.libc.unwrap().version, vec![2, 28]);
        let t = parse_python_platform("windows").unwrap();
        assert_eq!(t.markers["platform_machine"], "AMD64");
        assert_eq!(t.markers["os_name"], "nt");
        let t = parse_python_platform("x86_64-unknown-linux-musl").unwrap();
        assert_eq!(t.libc.unwrap().kind, "musl");
        let err = parse_python_platform("solaris").unwrap_err();
        assert_eq!(err.code(), "ZE_BAD_PLATFORM");
        assert!(err.to_string().contains("aarch64-apple-darwin"));
    }
}
