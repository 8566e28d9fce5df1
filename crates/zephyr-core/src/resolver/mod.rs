//! A sans-IO PubGrub resolver.
//!
//! The resolver holds everything it has been fed (project file lists and
//! per-version core metadata). [`Resolver::step`] runs PubGrub from scratch over
//! that data; when the run needs something it does not have, the run is aborted
//! and the step returns the set of needs (plus a cheap lookahead), which the
//! caller fetches concurrently and feeds into the next step. Everything derived
//! from fed data is cached between steps, so re-running is cheap.

pub mod ranges;
pub mod requirements;

mod markers;
mod options;
mod universal;
mod provider;
mod report;
mod state;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
pub use options::Options;
pub use requirements::{check_requirements, parse_requirement};
use provider::{Blocker, NeedData, Paused, Pkg, Provider};
use state::State;
pub use universal::{Edge, RootEdge};

/// A marker environment from an interpreter's facts (`{"sys_platform": "linux", ...}`), the
/// derived fields filled in as the resolver does.
pub fn marker_environment(map: &std::collections::BTreeMap<String, serde_json::Value>) -> CoreResult<pep508_rs::MarkerEnvironment> {
    options::env_from(map, None)
}

/// Evaluates PEP 508 markers (extras already settled, as in a lock) against a marker
/// environment given as JSON (`{"sys_platform": "linux", ...}`); an empty marker is true.
/// A marker that does not parse is an error naming it.
pub fn evaluate_markers(markers: &[String], env_json: &str) -> CoreResult<Vec<bool>> {
    let map: std::collections::BTreeMap<String, serde_json::Value> =
        serde_json::from_str(env_json).map_err(|e| CoreError::BadOptions(format!("invalid marker environment: {e}")))?;
    let env = marker_environment(&map)?;
    markers
        .iter()
        .map(|text| {
            if text.trim().is_empty() {
                return Ok(true);
            }
            let tree = <MarkerTree as std::str::FromStr>::from_str(text)
                .map_err(|e| CoreError::BadRequirement(format!("invalid marker `{text}`: {e}")))?;
            Ok(tree.evaluate(&env, &[]))
        })
        .collect()
}
use universal::Fork;

use std::collections::HashMap;

use pep440_rs::Version;
use pep508_rs::MarkerTree;
use pubgrub::Map;

/// One version's metadata need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NeedMetadata {
    pub name: String,
    pub version: String,
    pub filename: String,
    pub url: String,
}

/// One resolved (base) package.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ResolvedPackage {
    pub name: String,
    pub version: String,
    pub filename: String,
    pub url: String,
    pub extras: Vec<String>,
    pub dependencies: Vec<String>,
    pub requested_by_root: bool,
    /// Universal mode: where this version is installed (`None`: everywhere).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
    /// Universal mode: dependency edges of the base package.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub edges: Vec<Edge>,
    /// Universal mode: the edges each activated extra adds.
    #[serde(skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub extra_edges: std::collections::BTreeMap<String, Vec<Edge>>,
}

/// What a step produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StepResult {
    Need { projects: Vec<String>, metadata: Vec<NeedMetadata> },
    Resolved {
        packages: Vec<ResolvedPackage>,
        /// Universal mode: edges from each root requirement.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        root: Vec<RootEdge>,
        /// Universal mode: the markers of the forks, when the resolution forked.
        #[serde(skip_serializing_if = "Vec::is_empty")]
        forks: Vec<String>,
    },
    Conflict { message: String, packages: Vec<String>, hints: Vec<String> },
}

/// Data fed into a step.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct Feed {
    #[serde(default, deserialize_with = "options::nullable")]
    pub projects: Vec<ProjectFeed>,
    #[serde(default, deserialize_with = "options::nullable")]
    pub metadata: Vec<MetadataFeed>,
}

#[derive(Debug, Clone, Deserialize)]
pub struct ProjectFeed {
    pub name: String,
    #[serde(default = "yes")]
    pub found: bool,
    #[serde(default, deserialize_with = "options::nullable")]
    pub files: Vec<FileFeed>,
    /// The files of a page read by [`crate::simple_page`] and kept for the solver under this
    /// number (added to `files`).
    #[serde(default)]
    pub page: Option<u32>,
}

fn yes() -> bool {
    true
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FileFeed {
    pub filename: String,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub requires_python: Option<String>,
    /// `true`/`false` or a reason string (PEP 691).
    #[serde(default)]
    pub yanked: serde_json::Value,
    /// Milliseconds since the epoch.
    #[serde(default)]
    pub upload_time: serde_json::Value,
}

impl From<&crate::simple_page::PageFile> for FileFeed {
    fn from(f: &crate::simple_page::PageFile) -> Self {
        FileFeed {
            filename: f.filename.clone(),
            url: Some(f.url.clone()),
            requires_python: f.requires_python.clone(),
            yanked: serde_json::Value::Bool(f.yanked),
            upload_time: f.upload_time.map(serde_json::Value::from).unwrap_or_default(),
        }
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct MetadataFeed {
    pub name: String,
    pub version: String,
    #[serde(default)]
    pub metadata: Option<String>,
    #[serde(default)]
    pub error: Option<String>,
}

/// The resolver: options plus everything fed so far.
pub struct Resolver {
    state: State,
    /// Universal mode: the forks (disjoint regions), each with its solution once solved.
    forks: Vec<(MarkerTree, Option<Map<Pkg, Version>>)>,
    /// Where the last run stopped, to make no new run before what stopped it is fed.
    paused: Option<Paused>,
}

impl Feed {
    /// Whether this feed brings what stopped a run.
    fn unblocks(&self, blocker: &Blocker) -> bool {
        match blocker {
            Blocker::Project(name) => self.projects.iter().any(|p| crate::filename::normalize_name(&p.name) == *name),
            Blocker::Metadata(name, version) => self.metadata.iter().any(|m| {
                crate::filename::normalize_name(&m.name) == *name && <Version as std::str::FromStr>::from_str(m.version.trim()).is_ok_and(|v| v == *version)
            }),
        }
    }
}

impl Resolver {
    /// Parse the options JSON; malformed requirements give `ZE_BAD_REQUIREMENT`.
    pub fn new(options_json: &str) -> CoreResult<Self> {
        let options = Options::from_json(options_json)?;
        Ok(Self::from_options(options))
    }

    pub fn from_options(options: Options) -> Self {
        let base = options.base_region.clone();
        Resolver { state: State::new(options), forks: vec![(base, None)], paused: None }
    }

    /// Feed data (JSON) and run; returns the step result as JSON.
    pub fn step(&mut self, feed_json: &str) -> CoreResult<String> {
        self.step_with_pages(feed_json, |_| None)
    }

    /// Like [`Resolver::step`], with the files of projects fed by page number (`"page": N`, see
    /// [`ProjectFeed::page`]) taken from `pages`: pages read natively reach the solver without
    /// a round trip through JSON. A number `pages` does not know is an error.
    pub fn step_with_pages(&mut self, feed_json: &str, mut pages: impl FnMut(u32) -> Option<Vec<FileFeed>>) -> CoreResult<String> {
        let mut feed: Feed = if feed_json.trim().is_empty() {
            Feed::default()
        } else {
            serde_json::from_str(feed_json).map_err(|e| CoreError::BadOptions(format!("invalid resolver feed: {e}")))?
        };
        for project in &mut feed.projects {
            if let Some(page) = project.page {
                let files = pages(page).ok_or_else(|| CoreError::BadOptions(format!("resolver feed: no page {page} for {}", project.name)))?;
                project.files.extend(files);
            }
        }
        let result = self.step_with(feed)?;
        serde_json::to_string(&result).map_err(|e| CoreError::Resolver(e.to_string()))
    }

    /// Feed data and run (unless the feed lacks what stopped the last run: then only look ahead).
    pub fn step_with(&mut self, feed: Feed) -> CoreResult<StepResult> {
        let blocked = self.paused.as_ref().is_some_and(|p| !feed.unblocks(&p.blocker));
        self.state.feed(feed);
        if let (true, Some(paused)) = (blocked, &self.paused) {
            let provider = Provider::resume(&self.state, paused);
            provider.lookahead();
            let (projects, metadata) = provider.take_needs();
            return Ok(StepResult::Need { projects, metadata });
        }
        self.paused = None;
        self.run()
    }

    /// Remembers where a run stopped for data, and gives its needs.
    fn pause(&mut self, stop: CoreResult<(StepResult, Option<Paused>)>) -> CoreResult<StepResult> {
        let (result, paused) = stop?;
        self.paused = paused;
        Ok(result)
    }

    fn run(&mut self) -> CoreResult<StepResult> {
        if self.state.opts.universal {
            return self.run_universal();
        }
        loop {
            let provider = Provider::new(&self.state);
            return match pubgrub::resolve(&provider, Pkg::Root, state::root_version()) {
                Ok(solution) => Ok(self.state.resolved(&solution)),
                Err(pubgrub::PubGrubError::NoSolution(tree)) => Ok(report::conflict(&self.state, &tree)),
                Err(pubgrub::PubGrubError::ErrorChoosingVersion { source: NeedData, .. })
                | Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source: NeedData, .. }) => {
                    if provider.take_restart() {
                        continue;
                    }
                    let stop = stopped(&provider);
                    drop(provider);
                    self.pause(stop)
                }
                Err(other) => Err(CoreError::Resolver(other.to_string())),
            };
        }
    }
}

/// The needs of a run that stopped for data, after looking ahead, and where it stopped.
fn stopped(provider: &Provider) -> CoreResult<(StepResult, Option<Paused>)> {
    provider.lookahead();
    let (projects, metadata) = provider.take_needs();
    if projects.is_empty() && metadata.is_empty() {
        return Err(CoreError::Resolver("the resolver stopped without saying what it needs".into()));
    }
    Ok((StepResult::Need { projects, metadata }, provider.paused()))
}

impl Resolver {
    /// Solves each fork in turn (earlier forks' choices are preferences, so forks agree
    /// where they can); a fork whose requirements differ by marker is split and redone.
    fn run_universal(&mut self) -> CoreResult<StepResult> {
        let mut i = 0;
        let mut splits = 0usize;
        while i < self.forks.len() {
            if self.forks[i].1.is_some() {
                i += 1;
                continue;
            }
            let mut prefs: HashMap<String, Version> = HashMap::new();
            for (_, solution) in &self.forks[..i] {
                for (pkg, v) in solution.iter().flatten() {
                    if let Pkg::Base(n) = pkg {
                        prefs.entry(n.clone()).or_insert_with(|| v.clone());
                    }
                }
            }
            let region = self.forks[i].0.clone();
            self.state.set_fork(region.clone(), prefs);
            let provider = Provider::new(&self.state);
            match pubgrub::resolve(&provider, Pkg::Root, state::root_version()) {
                Ok(solution) => {
                    self.forks[i].1 = Some(solution);
                    i += 1;
                }
                Err(pubgrub::PubGrubError::NoSolution(tree)) => {
                    let result = report::conflict(&self.state, &tree);
                    return Ok(match (result, markers::display(&region, self.state.opts.python_floor.as_ref(), self.state.opts.python_ceiling.as_ref())) {
                        (StepResult::Conflict { message, packages, hints }, Some(m)) => StepResult::Conflict {
                            message: format!("in the split where `{m}`:\n{message}"),
                            packages,
                            hints,
                        },
                        (other, _) => other,
                    });
                }
                Err(pubgrub::PubGrubError::ErrorChoosingVersion { source: NeedData, .. })
                | Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source: NeedData, .. }) => {
                    if provider.take_restart() {
                        continue;
                    }
                    if let Some(cells) = provider.take_fork() {
                        splits += 1;
                        if splits > 256 {
                            return Err(CoreError::Resolver("the resolution forked more than 256 times".into()));
                        }
                        self.forks.splice(i..=i, cells.into_iter().map(|c| (c, None)));
                        continue;
                    }
                    let stop = stopped(&provider);
                    drop(provider);
                    return self.pause(stop);
                }
                Err(other) => return Err(CoreError::Resolver(other.to_string())),
            }
        }
        let solved: Vec<Fork> = self
            .forks
            .iter()
            .filter_map(|(region, s)| s.as_ref().map(|s| Fork { region: region.clone(), solution: s.clone() }))
            .collect();
        let (packages, root, forks) = universal::merge(&self.state, &solved);
        Ok(StepResult::Resolved { packages, root, forks })
    }
}
