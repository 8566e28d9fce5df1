//! Resolver options: parsed once, from the JSON the CLI sends.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::str::FromStr;

use pep440_rs::{Operator, Version};
use pep508_rs::{MarkerEnvironment, MarkerEnvironmentBuilder, MarkerTree, Requirement, VerbatimUrl, VersionOrUrl};
use pep440_rs::VersionSpecifiers;
use pubgrub::Ranges;
use serde::{Deserialize, Deserializer};

use super::ranges::{specifiers_to_range, VersionRange};
use super::requirements::parse_requirement;
use crate::error::{CoreError, CoreResult};
use crate::filename::normalize_name;
use crate::tags::{TargetDescriptor, Tags};

/// `null` deserializes as the default value.
pub(crate) fn nullable<'de, D, T>(d: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Ok(Option::<T>::deserialize(d)?.unwrap_or_default())
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrereleaseMode {
    Disallow,
    Allow,
    IfNecessary,
    Explicit,
    IfNecessaryOrExplicit,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Strategy {
    Highest,
    Lowest,
    LowestDirect,
}

/// A set of package names, or every package (`:all:`).
#[derive(Debug, Clone, Default)]
pub struct PackageSet {
    all: bool,
    names: HashSet<String>,
}

impl PackageSet {
    fn from_list(list: &[String]) -> Self {
        let mut set = PackageSet::default();
        for item in list {
            for part in item.split(',') {
                let part = part.trim();
                match part {
                    "" => {}
                    ":all:" => set.all = true,
                    ":none:" => {
                        set.all = false;
                        set.names.clear();
                    }
                    name => {
                        set.names.insert(normalize_name(name));
                    }
                }
            }
        }
        set
    }

    pub fn contains(&self, name: &str) -> bool {
        self.all || self.names.contains(name)
    }
}

#[derive(Deserialize)]
struct PreferenceJson {
    name: String,
    version: String,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct OptionsJson {
    #[serde(default, deserialize_with = "nullable")]
    requirements: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    constraints: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    overrides: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    marker_environment: BTreeMap<String, serde_json::Value>,
    #[serde(default)]
    tags: Option<TargetDescriptor>,
    #[serde(default)]
    python_version: Option<String>,
    #[serde(default)]
    prerelease: Option<String>,
    #[serde(default)]
    resolution: Option<String>,
    #[serde(default, deserialize_with = "nullable")]
    preferences: Vec<PreferenceJson>,
    #[serde(default, deserialize_with = "nullable")]
    upgrade_all: bool,
    #[serde(default, deserialize_with = "nullable")]
    upgrade_packages: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    no_binary: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    only_binary: Vec<String>,
    #[serde(default, deserialize_with = "nullable")]
    no_build: Vec<String>,
    #[serde(default)]
    exclude_newer: Option<f64>,
    /// Universal resolution: every platform and every Python of `requires_python`.
    #[serde(default, deserialize_with = "nullable")]
    universal: bool,
    /// The project's Requires-Python (universal mode); its lower bound is the Python resolved for.
    #[serde(default)]
    requires_python: Option<String>,
}

/// Parsed resolver options.
pub struct Options {
    pub root: Vec<Requirement<VerbatimUrl>>,
    /// Constraint ranges per name (markers already evaluated).
    pub constraints: HashMap<String, VersionRange>,
    /// Override requirements per name (markers already evaluated).
    pub overrides: HashMap<String, Vec<Requirement<VerbatimUrl>>>,
    pub env: MarkerEnvironment,
    pub tags: Tags,
    pub python: Version,
    pub python_text: String,
    pub prerelease: PrereleaseMode,
    pub strategy: Strategy,
    pub preferences: HashMap<String, Version>,
    pub upgrade_all: bool,
    pub upgrade: HashSet<String>,
    pub no_binary: PackageSet,
    pub only_binary: PackageSet,
    pub no_build: PackageSet,
    pub exclude_newer: Option<i64>,
    /// Names with a first-party (root/constraint/override) specifier naming a pre-release.
    pub explicit_pre: HashSet<String>,
    /// Versions pinned with `==`/`===` by first-party requirements (may pick yanked files).
    pub pinned: HashMap<String, Vec<Version>>,
    /// Names of root requirements that apply to the marker environment.
    pub direct: HashSet<String>,
    /// Universal resolution: markers are kept, not evaluated, and tags are ignored.
    pub universal: bool,
    /// Universal: the region every fork lies in (the project's Requires-Python as a marker).
    pub base_region: MarkerTree,
    /// Universal: the lower bound of Requires-Python (for simplifying markers).
    pub python_floor: Option<Version>,
    /// Universal: the exclusive upper bound of Requires-Python (`<V`), if any.
    pub python_ceiling: Option<Version>,
}


fn parse_list(lines: &[String]) -> CoreResult<Vec<Requirement<VerbatimUrl>>> {
    let mut out = Vec::new();
    for line in lines {
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let req = parse_requirement(trimmed).map_err(CoreError::BadRequirement)?;
        if let Some(VersionOrUrl::Url(_)) = &req.version_or_url {
            return Err(CoreError::BadRequirement(format!(
                "direct URL requirements are not supported by the resolver yet: {trimmed}"
            )));
        }
        out.push(req);
    }
    Ok(out)
}

pub(crate) fn env_from(map: &BTreeMap<String, serde_json::Value>, python: Option<&str>) -> CoreResult<MarkerEnvironment> {
    let get = |k: &str| -> String {
        match map.get(k) {
            Some(serde_json::Value::String(s)) => s.clone(),
            Some(serde_json::Value::Null) | None => String::new(),
            Some(other) => other.to_string(),
        }
    };
    let mut full = get("python_full_version");
    let mut short = get("python_version");
    if full.is_empty() {
        full = python.map(str::to_string).unwrap_or_else(|| if short.is_empty() { "3.12.0".into() } else { short.clone() });
    }
    if short.is_empty() {
        short = full.split('.').take(2).collect::<Vec<_>>().join(".");
    }
    let mut implementation_version = get("implementation_version");
    if implementation_version.is_empty() {
        implementation_version = full.clone();
    }
    let (a, b, c, d, e, f, g, h) = (
        get("implementation_name"),
        get("os_name"),
        get("platform_machine"),
        get("platform_python_implementation"),
        get("platform_release"),
        get("platform_system"),
        get("platform_version"),
        get("sys_platform"),
    );
    MarkerEnvironment::try_from(MarkerEnvironmentBuilder {
        implementation_name: &a,
        implementation_version: &implementation_version,
        os_name: &b,
        platform_machine: &c,
        platform_python_implementation: &d,
        platform_release: &e,
        platform_system: &f,
        platform_version: &g,
        python_full_version: &full,
        python_version: &short,
        sys_platform: &h,
    })
    .map_err(|e| CoreError::BadOptions(format!("invalid marker environment: {e}")))
}

impl Options {
    pub fn from_json(json: &str) -> CoreResult<Self> {
        let raw: OptionsJson =
            serde_json::from_str(json).map_err(|e| CoreError::BadOptions(format!("invalid resolver options: {e}")))?;
        let root = parse_list(&raw.requirements)?;
        let constraint_reqs = parse_list(&raw.constraints)?;
        let override_reqs = parse_list(&raw.overrides)?;

        let universal = raw.universal;
        let (base_region, python_floor, python_ceiling) = if universal {
            universal_region(raw.requires_python.as_deref(), raw.python_version.as_deref())?
        } else {
            (MarkerTree::TRUE, None, None)
        };
        let python_version = match &python_floor {
            Some(v) => Some(v.to_string()),
            None => raw.python_version.clone(),
        };
        let env = env_from(&raw.marker_environment, python_version.as_deref())?;
        let python_text = python_version.unwrap_or_else(|| env.python_full_version().string.clone());
        let python = Version::from_str(&python_text)
            .map_err(|e| CoreError::BadOptions(format!("invalid pythonVersion {python_text:?}: {e}")))?;
        let descriptor = raw
            .tags
            .ok_or_else(|| CoreError::BadOptions("resolver options need `tags` (a target descriptor)".into()))?;
        let tags = Tags::from_descriptor(&descriptor)?;

        let prerelease = match raw.prerelease.as_deref().unwrap_or("if-necessary-or-explicit") {
            "disallow" => PrereleaseMode::Disallow,
            "allow" => PrereleaseMode::Allow,
            "if-necessary" => PrereleaseMode::IfNecessary,
            "explicit" => PrereleaseMode::Explicit,
            "if-necessary-or-explicit" => PrereleaseMode::IfNecessaryOrExplicit,
            other => {
                return Err(CoreError::BadOptions(format!(
                    "unknown prerelease mode {other:?}; expected disallow, allow, if-necessary, explicit or if-necessary-or-explicit"
                )))
            }
        };
        let strategy = match raw.resolution.as_deref().unwrap_or("highest") {
            "highest" => Strategy::Highest,
            "lowest" => Strategy::Lowest,
            "lowest-direct" => Strategy::LowestDirect,
            other => {
                return Err(CoreError::BadOptions(format!(
                    "unknown resolution strategy {other:?}; expected highest, lowest or lowest-direct"
                )))
            }
        };

        let no_extras: &[pep508_rs::ExtraName] = &[];
        let mut constraints: HashMap<String, VersionRange> = HashMap::new();
        let mut explicit_pre = HashSet::new();
        let mut pinned: HashMap<String, Vec<Version>> = HashMap::new();
        let mut note_first_party = |req: &Requirement<VerbatimUrl>| {
            let name = normalize_name(req.name.as_ref());
            if let Some(VersionOrUrl::VersionSpecifier(specs)) = &req.version_or_url {
                for spec in specs.iter() {
                    if spec.any_prerelease() {
                        explicit_pre.insert(name.clone());
                    }
                    if matches!(spec.operator(), Operator::Equal | Operator::ExactEqual) {
                        pinned.entry(name.clone()).or_default().push(spec.version().clone());
                    }
                }
            }
        };
        let applies = |req: &Requirement<VerbatimUrl>| universal || req.evaluate_markers(&env, no_extras);
        for req in &constraint_reqs {
            if !applies(req) {
                continue;
            }
            note_first_party(req);
            let name = normalize_name(req.name.as_ref());
            let range = match &req.version_or_url {
                Some(VersionOrUrl::VersionSpecifier(specs)) => specifiers_to_range(specs),
                _ => Ranges::full(),
            };
            let entry = constraints.entry(name).or_insert_with(Ranges::full);
            *entry = entry.intersection(&range);
        }
        let mut overrides: HashMap<String, Vec<Requirement<VerbatimUrl>>> = HashMap::new();
        let mut overridden_names = HashSet::new();
        for req in &override_reqs {
            let name = normalize_name(req.name.as_ref());
            overridden_names.insert(name.clone());
            let list = overrides.entry(name).or_default();
            if applies(req) {
                note_first_party(req);
                list.push(req.clone());
            }
        }
        let mut direct = HashSet::new();
        for req in &root {
            if applies(req) {
                note_first_party(req);
                direct.insert(normalize_name(req.name.as_ref()));
            }
        }
        let mut preferences = HashMap::new();
        for p in &raw.preferences {
            if let Ok(v) = Version::from_str(&p.version) {
                preferences.insert(normalize_name(&p.name), v);
            }
        }
        let exclude_newer = raw.exclude_newer.filter(|x| x.is_finite()).map(|x| x as i64);
        Ok(Options {
            root,
            constraints,
            overrides,
            env,
            tags,
            python,
            python_text,
            prerelease,
            strategy,
            preferences,
            upgrade_all: raw.upgrade_all,
            upgrade: raw.upgrade_packages.iter().map(|n| normalize_name(n)).collect(),
            no_binary: PackageSet::from_list(&raw.no_binary),
            only_binary: PackageSet::from_list(&raw.only_binary),
            no_build: PackageSet::from_list(&raw.no_build),
            exclude_newer,
            explicit_pre,
            pinned,
            direct,
            universal,
            base_region,
            python_floor,
            python_ceiling,
        })
    }

    /// The preferred version of a package, unless it is being upgraded.
    pub fn preference(&self, name: &str) -> Option<&Version> {
        if self.upgrade_all || self.upgrade.contains(name) {
            return None;
        }
        self.preferences.get(name)
    }
}

/// The project's Requires-Python as a marker region, and its lower bound (the Python
/// that universal resolution checks packages' Requires-Python against). Without a
/// Requires-Python, `python_version` (else 3.8) is the lower bound.
fn universal_region(
    requires_python: Option<&str>,
    python_version: Option<&str>,
) -> CoreResult<(MarkerTree, Option<Version>, Option<Version>)> {
    let text = match requires_python.map(str::trim).filter(|s| !s.is_empty()) {
        Some(t) => t.to_string(),
        None => format!(">={}", python_version.unwrap_or("3.8")),
    };
    let specs = VersionSpecifiers::from_str(&text)
        .map_err(|e| CoreError::BadOptions(format!("invalid requires-python `{text}`: {e}")))?;
    let mut region = MarkerTree::TRUE;
    let mut floor: Option<Version> = None;
    let mut ceiling: Option<Version> = None;
    for spec in specs.iter() {
        if *spec.operator() == Operator::LessThan {
            let v = spec.version().clone();
            ceiling = Some(match ceiling {
                Some(c) if c <= v => c,
                _ => v,
            });
        }
        let whole = spec.to_string();
        let op = spec.operator().to_string();
        let marker_text = format!("python_full_version {op} '{}'", whole.get(op.len()..).unwrap_or_default().trim());
        let m = MarkerTree::from_str(&marker_text)
            .map_err(|e| CoreError::BadOptions(format!("invalid requires-python `{text}`: {e}")))?;
        region.and(m);
        if matches!(spec.operator(), Operator::GreaterThanEqual | Operator::GreaterThan | Operator::TildeEqual | Operator::Equal | Operator::EqualStar) {
            let v = spec.version().clone();
            floor = Some(match floor {
                Some(f) if f >= v => f,
                _ => v,
            });
        }
    }
    let floor = floor.unwrap_or_else(|| Version::new([3u64, 8]));
    Ok((region, Some(floor), ceiling))
}
