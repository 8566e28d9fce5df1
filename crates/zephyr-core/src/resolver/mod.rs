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

mod options;
mod provider;
mod report;
mod state;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};
pub use options::Options;
pub use requirements::{check_requirements, parse_requirement};
use provider::{NeedData, Pkg, Provider};
use state::State;

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
}

/// What a step produced.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum StepResult {
    Need { projects: Vec<String>, metadata: Vec<NeedMetadata> },
    Resolved { packages: Vec<ResolvedPackage> },
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
}

impl Resolver {
    /// Parse the options JSON; malformed requirements give `ZE_BAD_REQUIREMENT`.
    pub fn new(options_json: &str) -> CoreResult<Self> {
        let options = Options::from_json(options_json)?;
        Ok(Resolver { state: State::new(options) })
    }

    pub fn from_options(options: Options) -> Self {
        Resolver { state: State::new(options) }
    }

    /// Feed data (JSON) and run; returns the step result as JSON.
    pub fn step(&mut self, feed_json: &str) -> CoreResult<String> {
        let feed: Feed = if feed_json.trim().is_empty() {
            Feed::default()
        } else {
            serde_json::from_str(feed_json).map_err(|e| CoreError::BadOptions(format!("invalid resolver feed: {e}")))?
        };
        let result = self.step_with(feed)?;
        serde_json::to_string(&result).map_err(|e| CoreError::Resolver(e.to_string()))
    }

    /// Feed data and run.
    pub fn step_with(&mut self, feed: Feed) -> CoreResult<StepResult> {
        self.state.feed(feed);
        self.run()
    }

    fn run(&self) -> CoreResult<StepResult> {
        let provider = Provider::new(&self.state);
        match pubgrub::resolve(&provider, Pkg::Root, state::root_version()) {
            Ok(solution) => Ok(self.state.resolved(&solution)),
            Err(pubgrub::PubGrubError::NoSolution(tree)) => Ok(report::conflict(&self.state, &tree)),
            Err(pubgrub::PubGrubError::ErrorChoosingVersion { source: NeedData, .. })
            | Err(pubgrub::PubGrubError::ErrorRetrievingDependencies { source: NeedData, .. }) => {
                provider.lookahead();
                let (projects, metadata) = provider.take_needs();
                if projects.is_empty() && metadata.is_empty() {
                    return Err(CoreError::Resolver("the resolver stopped without saying what it needs".into()));
                }
                Ok(StepResult::Need { projects, metadata })
            }
            Err(other) => Err(CoreError::Resolver(other.to_string())),
        }
    }
}
