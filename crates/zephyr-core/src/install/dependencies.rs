//! The dependencies of what is installed: each distribution's `Requires-Dist`
//! evaluated against the environment's marker environment, with the extras that
//! other installed distributions ask of it, and checked against the installed
//! versions. One batch for a whole environment (`pip check`, `pip tree`,
//! `pip show`'s Required-by).

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{ExtraName, MarkerEnvironment, Requirement, VerbatimUrl, VersionOrUrl};
use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
use crate::filename::normalize_name;
use crate::resolver::requirements::parse_requirement;

/// One installed distribution, as the analysis needs it.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct DistInput {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub requires_dist: Vec<String>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct AnalyzeRequest {
    /// PEP 508 marker variables (`python_version`, `sys_platform`, …).
    pub marker_environment: BTreeMap<String, serde_json::Value>,
    pub dists: Vec<DistInput>,
}

/// One requirement of a distribution that applies in this environment.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct AppliedRequirement {
    /// The Requires-Dist text as written.
    pub requirement: String,
    /// Normalized name of the required distribution.
    pub name: String,
    pub extras: Vec<String>,
    /// The version specifier (`>=2,<3`), empty when there is none.
    pub specifier: String,
    /// A direct URL (`name @ url`), when the requirement has one.
    pub url: Option<String>,
    /// The extra of this distribution that brings it in; None for a base requirement.
    pub extra: Option<String>,
    /// Installed version of the required distribution, None when it is not installed.
    pub installed: Option<String>,
    /// Installed at a version the specifier allows (pre-releases included, as installed).
    pub satisfied: bool,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct DistDependencies {
    /// Normalized name.
    pub name: String,
    pub version: String,
    /// Extras of this distribution that installed distributions ask for.
    pub active_extras: Vec<String>,
    pub requires: Vec<AppliedRequirement>,
    /// Requires-Dist lines that are not valid PEP 508 (message with a caret line).
    pub invalid: Vec<String>,
}

struct Parsed {
    text: String,
    req: Requirement<VerbatimUrl>,
}

/// Whether a requirement applies with no extra (None), or only with one of `extras` (Some(that one)).
fn applies_under(req: &Requirement<VerbatimUrl>, env: &MarkerEnvironment, extras: &BTreeSet<String>) -> Option<Option<String>> {
    if req.evaluate_markers(env, &[]) {
        return Some(None);
    }
    for extra in extras {
        let Ok(e) = ExtraName::from_str(extra) else { continue };
        if req.evaluate_markers(env, &[e]) {
            return Some(Some(extra.clone()));
        }
    }
    None
}

/// The applied requirements of every distribution. Extras asked of a distribution
/// are followed to a fixed point (an extra's requirement may ask for another extra).
pub fn analyze_dependencies(request: &AnalyzeRequest) -> CoreResult<Vec<DistDependencies>> {
    let env = crate::resolver::marker_environment(&request.marker_environment)?;
    let installed: HashMap<String, (String, Option<Version>)> = request
        .dists
        .iter()
        .map(|d| (normalize_name(&d.name), (d.version.clone(), Version::from_str(&d.version).ok())))
        .collect();
    let mut parsed: Vec<(Vec<Parsed>, Vec<String>)> = Vec::with_capacity(request.dists.len());
    for d in &request.dists {
        let mut ok = Vec::new();
        let mut bad = Vec::new();
        for line in &d.requires_dist {
            match parse_requirement(line) {
                Ok(req) => ok.push(Parsed { text: line.trim().to_string(), req }),
                Err(msg) => bad.push(msg),
            }
        }
        parsed.push((ok, bad));
    }
    let names: Vec<String> = request.dists.iter().map(|d| normalize_name(&d.name)).collect();
    let mut extras: HashMap<String, BTreeSet<String>> = HashMap::new();
    loop {
        let mut changed = false;
        for (i, (reqs, _)) in parsed.iter().enumerate() {
            let own = extras.get(&names[i]).cloned().unwrap_or_default();
            for p in reqs {
                if applies_under(&p.req, &env, &own).is_none() {
                    continue;
                }
                let target = normalize_name(p.req.name.as_ref());
                let set = extras.entry(target).or_default();
                for e in &p.req.extras {
                    changed |= set.insert(e.to_string());
                }
            }
        }
        if !changed {
            break;
        }
    }
    let mut out = Vec::with_capacity(request.dists.len());
    for (i, d) in request.dists.iter().enumerate() {
        let own = extras.get(&names[i]).cloned().unwrap_or_default();
        let (reqs, bad) = &parsed[i];
        let mut requires = Vec::new();
        for p in reqs {
            let Some(extra) = applies_under(&p.req, &env, &own) else { continue };
            let name = normalize_name(p.req.name.as_ref());
            let have = installed.get(&name);
            let (specifier, url, satisfied) = match &p.req.version_or_url {
                None => (String::new(), None, have.is_some()),
                Some(VersionOrUrl::Url(u)) => (String::new(), Some(u.to_string()), have.is_some()),
                Some(VersionOrUrl::VersionSpecifier(specs)) => {
                    let ok = match have {
                        Some((_, Some(v))) => specs.contains(v),
                        // A version that is not PEP 440 satisfies only an empty specifier.
                        Some((_, None)) => specs.iter().next().is_none(),
                        None => false,
                    };
                    (specs.to_string(), None, ok)
                }
            };
            requires.push(AppliedRequirement {
                requirement: p.text.clone(),
                name,
                extras: p.req.extras.iter().map(|e| e.to_string()).collect(),
                specifier,
                url,
                extra,
                installed: have.map(|(v, _)| v.clone()),
                satisfied,
            });
        }
        out.push(DistDependencies {
            name: names[i].clone(),
            version: d.version.clone(),
            active_extras: own.into_iter().collect(),
            requires,
            invalid: bad.clone(),
        });
    }
    Ok(out)
}

/// `analyzeDependencies` as JSON: `AnalyzeRequest` in, `DistDependencies[]` out.
pub fn analyze_dependencies_json(request_json: &str) -> CoreResult<String> {
    let request: AnalyzeRequest = serde_json::from_str(request_json)
        .map_err(|e| CoreError::BadOptions(format!("invalid dependency analysis request: {e}")))?;
    serde_json::to_string(&analyze_dependencies(&request)?).map_err(|e| CoreError::Install(e.to_string()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(dists: serde_json::Value) -> AnalyzeRequest {
        serde_json::from_value(serde_json::json!({
            "markerEnvironment": {
                "implementation_name": "cpython", "os_name": "posix", "platform_machine": "x86_64",
                "platform_python_implementation": "CPython", "platform_release": "6.1", "platform_system": "Linux",
                "platform_version": "#1", "python_full_version": "3.12.1", "python_version": "3.12", "sys_platform": "linux"
            },
            "dists": dists,
        }))
        .unwrap()
    }

    #[test]
    fn markers_versions_and_extras() {
        let r = request(serde_json::json!([
            {"name": "A", "version": "1.0", "requiresDist": [
                "b>=2", "c; python_version < '3.8'", "d[x]", "zz; extra == 'never'", "not a req >="
            ]},
            {"name": "b", "version": "1.0"},
            {"name": "d", "version": "2.0", "requiresDist": ["e; extra == 'x'", "f; extra == 'y'"]},
            {"name": "e", "version": "1.0rc1", "requiresDist": []},
        ]));
        let out = analyze_dependencies(&r).unwrap();
        let a = &out[0];
        assert_eq!(a.name, "a");
        let names: Vec<&str> = a.requires.iter().map(|q| q.name.as_str()).collect();
        assert_eq!(names, vec!["b", "d"]);
        assert_eq!(a.requires[0].installed.as_deref(), Some("1.0"));
        assert!(!a.requires[0].satisfied);
        assert_eq!(a.requires[0].specifier, ">=2");
        assert!(a.requires[1].satisfied);
        assert_eq!(a.invalid.len(), 1);
        let d = &out[2];
        assert_eq!(d.active_extras, vec!["x".to_string()]);
        assert_eq!(d.requires.len(), 1);
        assert_eq!(d.requires[0].name, "e");
        assert_eq!(d.requires[0].extra.as_deref(), Some("x"));
        assert!(d.requires[0].satisfied);
    }

    #[test]
    fn missing_and_chained_extras() {
        let r = request(serde_json::json!([
            {"name": "a", "version": "1", "requiresDist": ["b[one]"]},
            {"name": "b", "version": "1", "requiresDist": ["b[two]; extra == 'one'", "gone>=1; extra == 'two'"]},
        ]));
        let out = analyze_dependencies(&r).unwrap();
        let b = &out[1];
        assert_eq!(b.active_extras, vec!["one".to_string(), "two".to_string()]);
        let gone = b.requires.iter().find(|q| q.name == "gone").unwrap();
        assert_eq!(gone.installed, None);
        assert!(!gone.satisfied);
    }
}
