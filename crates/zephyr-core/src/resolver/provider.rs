//! The PubGrub dependency provider over fed data. When data is missing, the
//! provider records the need and aborts the run with [`NeedData`].

use std::cell::RefCell;
use std::cmp::Reverse;
use std::collections::{BTreeSet, HashMap, HashSet, VecDeque};
use std::fmt;

use pep440_rs::Version;
use pep508_rs::MarkerTree;
use pubgrub::{Dependencies, DependencyProvider, PackageResolutionStatistics};

use super::ranges::{display_version, VersionRange};
use super::state::{DepsOutcome, State};
use super::NeedMetadata;

/// A solver package: the root, the target Python, a project, or a project's extra.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Pkg {
    Root,
    Python,
    Base(String),
    Extra(String, String),
}

impl Pkg {
    /// The project name, for project and extra packages.
    pub fn name(&self) -> Option<&str> {
        match self {
            Pkg::Base(n) | Pkg::Extra(n, _) => Some(n),
            _ => None,
        }
    }
}

impl fmt::Display for Pkg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Pkg::Root => write!(f, "your requirements"),
            Pkg::Python => write!(f, "Python"),
            Pkg::Base(n) => write!(f, "{n}"),
            Pkg::Extra(n, e) => write!(f, "{n}[{e}]"),
        }
    }
}

/// Why a version cannot be used, beyond version ranges.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Unusable {
    Metadata(String),
    DirectUrl(String),
}

impl fmt::Display for Unusable {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Unusable::Metadata(m) => write!(f, "its metadata could not be used ({m})"),
            Unusable::DirectUrl(r) => write!(f, "it depends on a direct URL ({r}), which is not supported"),
        }
    }
}

/// The run stopped because data is missing; the needs are in the provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("the resolver needs more data")]
pub struct NeedData;

/// What stopped a run: the first data it lacked. Until that arrives, a new run would take
/// the same path and stop at the same place (a run only reads data it has, in an order
/// fixed by that data), so it need not be made.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Blocker {
    Project(String),
    Metadata(String, Version),
}

/// A run that stopped: its blocker, and the packages it visited (for the lookahead).
#[derive(Debug, Clone)]
pub struct Paused {
    pub blocker: Blocker,
    pub visited: Vec<(Pkg, Version)>,
}

pub struct Provider<'a> {
    st: &'a State,
    projects: RefCell<BTreeSet<String>>,
    metadata: RefCell<BTreeSet<(String, Version)>>,
    visited: RefCell<Vec<(Pkg, Version)>>,
    order: RefCell<HashMap<Pkg, u32>>,
    last_range: RefCell<HashMap<String, VersionRange>>,
    /// Universal mode: the run stopped to split the fork into these regions.
    fork: RefCell<Option<Vec<MarkerTree>>>,
    /// Versions of each package whose dependencies the solver asked for in this run.
    tried: RefCell<HashMap<String, HashSet<Version>>>,
    /// The run stopped to start again with a package decided earlier (see `note_tried`).
    restart: RefCell<bool>,
    /// The data whose absence stopped the run.
    blocker: RefCell<Option<Blocker>>,
}

/// After this many versions of one package were tried in a run (it keeps being rejected
/// because of a decision made before it), the package is decided earlier in the next run,
/// as uv does, instead of walking down to an old version that avoids the conflict.
const WALK_LIMIT: usize = 5;

/// How many further versions to prefetch when the solver walks down a package's versions.
const BACKTRACK_PREFETCH: usize = 8;

const LOOKAHEAD_BUDGET: usize = 4000;

impl<'a> Provider<'a> {
    pub fn new(st: &'a State) -> Self {
        Provider {
            st,
            projects: RefCell::new(BTreeSet::new()),
            metadata: RefCell::new(BTreeSet::new()),
            visited: RefCell::new(Vec::new()),
            order: RefCell::new(HashMap::new()),
            last_range: RefCell::new(HashMap::new()),
            fork: RefCell::new(None),
            tried: RefCell::new(HashMap::new()),
            restart: RefCell::new(false),
            blocker: RefCell::new(None),
        }
    }

    /// A provider for a run that is not made (see [`Blocker`]): it still needs what stopped
    /// the last one, and looks ahead from the packages that one visited.
    pub fn resume(st: &'a State, paused: &Paused) -> Self {
        let provider = Provider::new(st);
        match &paused.blocker {
            Blocker::Project(name) => provider.projects.borrow_mut().insert(name.clone()),
            Blocker::Metadata(name, version) => provider.metadata.borrow_mut().insert((name.clone(), version.clone())),
        };
        *provider.visited.borrow_mut() = paused.visited.clone();
        provider
    }

    /// Where the run stopped (after a `NeedData` that was not a restart or a fork).
    pub fn paused(&self) -> Option<Paused> {
        let blocker = self.blocker.borrow().clone()?;
        Some(Paused { blocker, visited: self.visited.borrow().clone() })
    }

    /// Add to the needs what a speculative walk of the known graph can reach:
    /// unknown projects, and the metadata of each known project's best candidate.
    pub fn lookahead(&self) {
        let mut queue: VecDeque<(Pkg, VersionRange)> = VecDeque::new();
        if let DepsOutcome::Ok(root) = self.st.root_dependencies() {
            queue.extend(root.iter().map(|(p, r)| (p.clone(), r.clone())));
        }
        for (pkg, v) in self.visited.borrow().iter() {
            if let DepsOutcome::Ok(map) = self.st.dependencies(pkg, v) {
                queue.extend(map.iter().map(|(p, r)| (p.clone(), r.clone())));
            }
        }
        let mut seen: HashSet<(Pkg, Version)> = HashSet::new();
        let mut budget = LOOKAHEAD_BUDGET;
        while let Some((pkg, range)) = queue.pop_front() {
            if budget == 0 {
                break;
            }
            budget -= 1;
            let Some(name) = pkg.name() else { continue };
            match self.st.projects.get(name) {
                None => {
                    self.projects.borrow_mut().insert(name.to_string());
                    continue;
                }
                Some(p) if !p.found => continue,
                Some(_) => {}
            }
            let Some(cand) = self.st.select(name, &range) else { continue };
            let v = cand.version.clone();
            if !seen.insert((pkg.clone(), v.clone())) {
                continue;
            }
            match self.st.dependencies(&pkg, &v) {
                DepsOutcome::Missing => {
                    self.metadata.borrow_mut().insert((name.to_string(), v));
                }
                DepsOutcome::Unusable(_) | DepsOutcome::Fork(_) => {}
                DepsOutcome::Ok(map) => queue.extend(map.iter().map(|(p, r)| (p.clone(), r.clone()))),
            }
        }
    }

    /// When the solver is walking through a package's versions (it already has metadata
    /// for another one), ask for the next few candidates too instead of one per round.
    fn prefetch_siblings(&self, name: &str, version: &Version) {
        let walking = self.st.metadata.get(name).is_some_and(|m| m.keys().any(|v| v != version));
        if !walking {
            return;
        }
        let Some(range) = self.last_range.borrow().get(name).cloned() else { return };
        let Some(project) = self.st.projects.get(name) else { return };
        let pre_ok = self.st.prerelease_allowed(name);
        let lowest = self.st.lowest_first(name);
        let usable = |c: &&super::state::Candidate| {
            range.contains(&c.version)
                && self.st.usable(name, c, pre_ok)
                && !self.st.metadata.get(name).is_some_and(|m| m.contains_key(&c.version))
        };
        let next: Vec<Version> = if lowest {
            project.candidates.range(version.clone()..).skip(1).map(|(_, c)| c).filter(usable).take(BACKTRACK_PREFETCH).map(|c| c.version.clone()).collect()
        } else {
            project.candidates.range(..version.clone()).rev().map(|(_, c)| c).filter(usable).take(BACKTRACK_PREFETCH).map(|c| c.version.clone()).collect()
        };
        let mut needs = self.metadata.borrow_mut();
        for v in next {
            needs.insert((name.to_string(), v));
        }
    }

    /// Whether the run stopped to start again with a package decided earlier.
    pub fn take_restart(&self) -> bool {
        std::mem::take(&mut *self.restart.borrow_mut())
    }

    /// Records that `version` of `name` is being tried; true when the package has now walked
    /// through enough versions to be decided earlier (the run then starts again).
    fn note_tried(&self, pkg: &Pkg, version: &Version) -> bool {
        let Pkg::Base(name) = pkg else { return false };
        let walked = {
            let mut tried = self.tried.borrow_mut();
            let set = tried.entry(name.clone()).or_default();
            set.insert(version.clone());
            set.len()
        };
        if walked >= WALK_LIMIT && self.st.boost(name) {
            *self.restart.borrow_mut() = true;
            return true;
        }
        false
    }

    /// The regions the current fork must be split into, when the run stopped for that.
    pub fn take_fork(&self) -> Option<Vec<MarkerTree>> {
        self.fork.borrow_mut().take()
    }

    pub fn take_needs(&self) -> (Vec<String>, Vec<NeedMetadata>) {
        let projects: Vec<String> = self.projects.borrow().iter().cloned().collect();
        let mut metadata = Vec::new();
        for (name, v) in self.metadata.borrow().iter() {
            let cand = self.st.projects.get(name).and_then(|p| p.candidates.get(v));
            metadata.push(NeedMetadata {
                name: name.clone(),
                version: cand.map(|c| c.version.to_string()).unwrap_or_else(|| display_version(v)),
                filename: cand.map(|c| c.filename.clone()).unwrap_or_default(),
                url: cand.map(|c| c.url.clone()).unwrap_or_default(),
            });
        }
        (projects, metadata)
    }
}

fn is_pin(range: &VersionRange) -> bool {
    let mut it = range.iter();
    match (it.next(), it.next()) {
        (Some((std::ops::Bound::Included(a), std::ops::Bound::Included(b))), None) => {
            display_version(a) == display_version(b)
        }
        _ => false,
    }
}

impl DependencyProvider for Provider<'_> {
    type P = Pkg;
    type V = Version;
    type VS = VersionRange;
    type M = Unusable;
    type Err = NeedData;
    type Priority = (u8, u32, Reverse<u32>);

    fn prioritize(&self, package: &Pkg, range: &VersionRange, stats: &PackageResolutionStatistics) -> Self::Priority {
        let class = match package {
            Pkg::Root => 9,
            Pkg::Python => 8,
            _ if is_pin(range) => 5,
            Pkg::Base(n) if self.st.boosted(n) => 4,
            Pkg::Base(n) if self.st.opts.direct.contains(n) => 3,
            Pkg::Extra(..) => 2,
            Pkg::Base(_) => 1,
        };
        let mut order = self.order.borrow_mut();
        let next = order.len() as u32;
        let index = *order.entry(package.clone()).or_insert(next);
        (class, stats.conflict_count(), Reverse(index))
    }

    fn choose_version(&self, package: &Pkg, range: &VersionRange) -> Result<Option<Version>, NeedData> {
        match package {
            Pkg::Root => Ok(Some(super::state::root_version())),
            Pkg::Python => {
                let python = self.st.python();
                Ok(range.contains(&python).then_some(python))
            }
            Pkg::Base(name) | Pkg::Extra(name, _) => match self.st.projects.get(name) {
                None => {
                    self.projects.borrow_mut().insert(name.clone());
                    *self.blocker.borrow_mut() = Some(Blocker::Project(name.clone()));
                    Err(NeedData)
                }
                Some(_) => {
                    self.last_range.borrow_mut().insert(name.clone(), range.clone());
                    Ok(self.st.select(name, range).map(|c| c.version.clone()))
                }
            },
        }
    }

    fn get_dependencies(
        &self,
        package: &Pkg,
        version: &Version,
    ) -> Result<Dependencies<Pkg, VersionRange, Unusable>, NeedData> {
        match self.st.dependencies(package, version) {
            DepsOutcome::Ok(map) => {
                if self.note_tried(package, version) {
                    return Err(NeedData);
                }
                self.visited.borrow_mut().push((package.clone(), version.clone()));
                Ok(Dependencies::Available((*map).clone()))
            }
            DepsOutcome::Unusable(why) => Ok(Dependencies::Unavailable(why)),
            DepsOutcome::Fork(cells) => {
                *self.fork.borrow_mut() = Some(cells);
                Err(NeedData)
            }
            DepsOutcome::Missing => {
                if let Some(name) = package.name() {
                    *self.blocker.borrow_mut() = Some(Blocker::Metadata(name.to_string(), version.clone()));
                    self.metadata.borrow_mut().insert((name.to_string(), version.clone()));
                    self.prefetch_siblings(name, version);
                }
                Err(NeedData)
            }
        }
    }
}
