//! Everything the resolver has been fed, in the shape the solver needs, with
//! caches that survive between steps.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::rc::Rc;
use std::str::FromStr;

use pep440_rs::{Operator, Version, VersionSpecifier, VersionSpecifiers};
use pep508_rs::{ExtraName, MarkerTree, Requirement, VerbatimUrl, VersionOrUrl};
use pubgrub::{Map, Ranges};

use super::options::{Options, PrereleaseMode, Strategy};
use super::provider::{Pkg, Unusable};
use super::ranges::{specifiers_to_range, VersionRange};
use super::{Feed, FileFeed, ResolvedPackage, StepResult};
use crate::filename::{normalize_name, DistFilename};
use crate::metadata::CoreMetadata;

pub fn root_version() -> Version {
    Version::new([0u64])
}

/// The file chosen to represent one version.
#[derive(Debug, Clone)]
pub struct Candidate {
    pub version: Version,
    pub filename: String,
    pub url: String,
    pub yanked: bool,
    #[allow(dead_code)]
    pub wheel: bool,
    /// Tag priority for wheels (lower is better); sdists rank after every wheel.
    pub priority: usize,
    /// Universal mode: the file's Requires-Python (lower bounds), checked per fork.
    pub requires_python: Option<VersionSpecifiers>,
}

/// Why versions that exist on the index were not usable (for hints).
#[derive(Debug, Clone, Default)]
pub struct Skipped {
    /// Version → Requires-Python of its files.
    pub requires_python: BTreeMap<Version, String>,
    /// Version → (incompatible wheel tags, an sdist existed but building/sdists are disabled).
    pub no_wheel: BTreeMap<Version, (Vec<String>, bool)>,
    /// Versions that only have wheels, ignored because of `--no-binary`.
    pub binary_disabled: BTreeSet<Version>,
}

#[derive(Debug, Clone, Default)]
pub struct Project {
    pub found: bool,
    pub candidates: BTreeMap<Version, Candidate>,
    pub skipped: Skipped,
    pub all_prerelease: bool,
}

#[derive(Debug, Clone)]
pub enum MetaEntry {
    Ok {
        requires_dist: Vec<Requirement<VerbatimUrl>>,
        requires_python: Option<VersionSpecifiers>,
        requires_python_text: Option<String>,
    },
    Err(String),
}

/// Dependencies of one package version, as the solver wants them.
#[derive(Debug, Clone)]
pub enum DepsOutcome {
    Missing,
    Unusable(Unusable),
    Ok(Rc<Map<Pkg, VersionRange>>),
    /// Universal mode: requirements on one name differ by marker; solve these regions apart.
    Fork(Vec<MarkerTree>),
}

/// One requirement line that applies, with its marker (extras settled; `true` outside universal mode).
pub type Line<'a> = (&'a Requirement<VerbatimUrl>, MarkerTree);

pub struct State {
    pub opts: Options,
    pub projects: HashMap<String, Project>,
    pub metadata: HashMap<String, BTreeMap<Version, MetaEntry>>,
    deps_cache: RefCell<HashMap<(MarkerTree, Pkg, Version), DepsOutcome>>,
    /// Universal mode: the fork being solved, its lowest Python, and earlier forks' choices.
    region: RefCell<MarkerTree>,
    python_now: RefCell<Version>,
    fork_prefs: RefCell<HashMap<String, Version>>,
    /// Packages decided before others of their kind (they kept conflicting; see provider).
    boosted: RefCell<HashSet<String>>,
}

/// Requires-Python with upper bounds dropped, as uv does: `<3.9`/`<=3.8` caps are
/// widely wrong in practice, so only lower bounds (and exclusions) are enforced.
pub fn lower_bounds_only(specs: &VersionSpecifiers) -> VersionSpecifiers {
    specs
        .iter()
        .filter_map(|s| match s.operator() {
            Operator::LessThan | Operator::LessThanEqual => None,
            Operator::TildeEqual | Operator::EqualStar => {
                Some(VersionSpecifier::greater_than_equal_version(s.version().clone()))
            }
            _ => Some(s.clone()),
        })
        .collect()
}

fn yanked(value: &serde_json::Value) -> bool {
    match value {
        serde_json::Value::Bool(b) => *b,
        serde_json::Value::String(_) => true,
        _ => false,
    }
}

fn upload_ms(value: &serde_json::Value) -> Option<i64> {
    match value {
        serde_json::Value::Number(n) => n.as_f64().map(|f| f as i64),
        serde_json::Value::String(s) => s.trim().parse::<f64>().ok().map(|f| f as i64),
        _ => None,
    }
}

fn insert_range(map: &mut Map<Pkg, VersionRange>, pkg: Pkg, range: VersionRange) {
    match map.get_mut(&pkg) {
        Some(existing) => *existing = existing.intersection(&range),
        None => {
            map.insert(pkg, range);
        }
    }
}

impl State {
    pub fn new(opts: Options) -> Self {
        State {
            projects: HashMap::new(),
            metadata: HashMap::new(),
            deps_cache: RefCell::new(HashMap::new()),
            region: RefCell::new(opts.base_region.clone()),
            python_now: RefCell::new(opts.python.clone()),
            fork_prefs: RefCell::new(HashMap::new()),
            boosted: RefCell::new(HashSet::new()),
            opts,
        }
    }

    pub fn feed(&mut self, feed: Feed) {
        for p in feed.projects {
            let name = normalize_name(&p.name);
            let project = self.build_project(&name, p.found, &p.files);
            self.projects.insert(name, project);
        }
        for m in feed.metadata {
            let name = normalize_name(&m.name);
            let Ok(version) = Version::from_str(m.version.trim()) else { continue };
            let entry = match (m.metadata, m.error) {
                (Some(text), _) => match CoreMetadata::parse(&text) {
                    Ok(md) => {
                        let requires_dist =
                            md.requires_dist.iter().filter_map(|l| super::requirements::parse_requirement(l).ok()).collect();
                        let requires_python = md
                            .requires_python
                            .as_deref()
                            .and_then(|s| VersionSpecifiers::from_str(s).ok())
                            .map(|s| lower_bounds_only(&s));
                        MetaEntry::Ok { requires_dist, requires_python, requires_python_text: md.requires_python }
                    }
                    Err(e) => MetaEntry::Err(format!("its metadata is invalid: {e}")),
                },
                (None, Some(err)) => MetaEntry::Err(err),
                (None, None) => MetaEntry::Err("no metadata was provided".into()),
            };
            // Only available/unusable outcomes are cached, never "missing": nothing to invalidate.
            self.metadata.entry(name).or_default().insert(version, entry);
        }
    }

    fn build_project(&self, name: &str, found: bool, files: &[FileFeed]) -> Project {
        let mut project = Project { found, ..Project::default() };
        if !found {
            return project;
        }
        let o = &self.opts;
        let mut best: BTreeMap<Version, Candidate> = BTreeMap::new();
        for f in files {
            let Ok(dist) = DistFilename::parse(&f.filename, Some(name)) else { continue };
            let version = dist.version().clone();
            if let Some(limit) = o.exclude_newer {
                match upload_ms(&f.upload_time) {
                    Some(t) if t <= limit => {}
                    _ => continue,
                }
            }
            let mut file_requires_python = None;
            if let Some(rp) = f.requires_python.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
                if let Ok(specs) = VersionSpecifiers::from_str(rp) {
                    if o.universal {
                        file_requires_python = Some(lower_bounds_only(&specs));
                    } else if !lower_bounds_only(&specs).contains(&o.python) {
                        project.skipped.requires_python.insert(version, rp.to_string());
                        continue;
                    }
                }
            }
            let is_yanked = yanked(&f.yanked);
            let (wheel, priority) = match &dist {
                DistFilename::Wheel(w) => {
                    if o.no_binary.contains(name) {
                        project.skipped.binary_disabled.insert(version);
                        continue;
                    }
                    match o.tags.compatibility(w) {
                        _ if o.universal => (true, 0),
                        Some(p) => (true, p),
                        None => {
                            project.skipped.no_wheel.entry(version).or_default().0.push(w.tag_string());
                            continue;
                        }
                    }
                }
                DistFilename::Sdist(_) => {
                    if o.only_binary.contains(name) || o.no_build.contains(name) {
                        project.skipped.no_wheel.entry(version).or_default().1 = true;
                        continue;
                    }
                    (false, usize::MAX)
                }
            };
            let cand = Candidate {
                version: version.clone(),
                filename: f.filename.clone(),
                url: f.url.clone().unwrap_or_default(),
                yanked: is_yanked,
                wheel,
                priority,
                requires_python: file_requires_python,
            };
            let better = match best.get(&version) {
                None => true,
                Some(cur) => (cand.yanked, cand.priority) < (cur.yanked, cur.priority),
            };
            if better {
                best.insert(version, cand);
            }
        }
        project.skipped.requires_python.retain(|v, _| !best.contains_key(v));
        project.skipped.no_wheel.retain(|v, _| !best.contains_key(v));
        project.skipped.binary_disabled.retain(|v| !best.contains_key(v));
        project.all_prerelease = !best.is_empty() && best.keys().all(|v| v.any_prerelease());
        project.candidates = best;
        project
    }

    pub fn prerelease_allowed(&self, name: &str) -> bool {
        let explicit = || self.opts.explicit_pre.contains(name);
        let necessary = || self.projects.get(name).is_some_and(|p| p.all_prerelease);
        match self.opts.prerelease {
            PrereleaseMode::Allow => true,
            PrereleaseMode::Disallow => false,
            PrereleaseMode::Explicit => explicit(),
            PrereleaseMode::IfNecessary => necessary(),
            PrereleaseMode::IfNecessaryOrExplicit => explicit() || necessary(),
        }
    }

    pub fn yank_allowed(&self, name: &str, v: &Version) -> bool {
        self.opts.pinned.get(name).is_some_and(|pins| pins.iter().any(|p| p == v))
    }

    /// Whether a candidate may be chosen at all (range aside).
    pub fn usable(&self, name: &str, c: &Candidate, pre_ok: bool) -> bool {
        (pre_ok || !c.version.any_prerelease())
            && (!c.yanked || self.yank_allowed(name, &c.version))
            && c.requires_python.as_ref().is_none_or(|rp| rp.contains(&self.python_now.borrow()))
    }

    /// Decide `name` earlier from now on; false when it already is.
    pub fn boost(&self, name: &str) -> bool {
        self.boosted.borrow_mut().insert(name.to_string())
    }

    pub fn boosted(&self, name: &str) -> bool {
        self.boosted.borrow().contains(name)
    }

    /// The Python the solver checks Requires-Python against (per fork in universal mode).
    pub fn python(&self) -> Version {
        self.python_now.borrow().clone()
    }

    /// Solve `region` next, preferring the versions earlier forks chose.
    pub fn set_fork(&self, region: MarkerTree, prefs: HashMap<String, Version>) {
        let floor = self.opts.python_floor.clone().unwrap_or_else(|| self.opts.python.clone());
        *self.python_now.borrow_mut() = super::markers::lowest_python(&region, &floor);
        *self.region.borrow_mut() = region;
        *self.fork_prefs.borrow_mut() = prefs;
    }

    /// The requirement lines that apply to `extra` of a package (None = its base):
    /// evaluated against the marker environment, or in universal mode those whose
    /// marker meets the current fork, each with its marker.
    pub fn applicable<'r>(&self, reqs: &'r [Requirement<VerbatimUrl>], extra: Option<&str>) -> Vec<Line<'r>> {
        let mut out = Vec::new();
        if !self.opts.universal {
            let extras: Vec<ExtraName> = extra.and_then(|e| ExtraName::from_str(e).ok()).into_iter().collect();
            for req in reqs {
                if req.evaluate_markers(&self.opts.env, &extras) {
                    out.push((req, MarkerTree::TRUE));
                }
            }
            return out;
        }
        let region = self.region.borrow();
        for req in reqs {
            let m = super::markers::settle_extras(&req.marker, extra);
            if !m.is_false() && !m.is_disjoint(&region) {
                out.push((req, m));
            }
        }
        out
    }

    /// Universal mode: the cells to split the current fork into when requirements on
    /// one name differ (version or extras) under markers that differ within the fork.
    fn fork_cells(&self, lines: &[Line<'_>]) -> Option<Vec<MarkerTree>> {
        if !self.opts.universal {
            return None;
        }
        let region = self.region.borrow().clone();
        let mut by_name: BTreeMap<String, Vec<&Line<'_>>> = BTreeMap::new();
        for line in lines {
            by_name.entry(normalize_name(line.0.name.as_ref())).or_default().push(line);
        }
        let mut cuts: Vec<MarkerTree> = Vec::new();
        for group in by_name.values().filter(|g| g.len() > 1) {
            let spec = |l: &Line<'_>| {
                let mut extras: Vec<String> = l.0.extras.iter().map(|e| e.to_string()).collect();
                extras.sort();
                (l.0.version_or_url.as_ref().map(|v| v.to_string()).unwrap_or_default(), extras)
            };
            let first = spec(group[0]);
            if group.iter().all(|l| spec(l) == first) {
                continue;
            }
            let mut within: Vec<MarkerTree> = Vec::new();
            for l in group {
                let m = super::markers::and(&l.1, &region);
                if !within.contains(&m) {
                    within.push(m);
                }
            }
            if within.len() > 1 {
                for l in group {
                    if !cuts.contains(&l.1) {
                        cuts.push(l.1.clone());
                    }
                }
            }
        }
        if cuts.is_empty() {
            return None;
        }
        let cells = super::markers::split(&region, &cuts);
        (cells.len() > 1).then_some(cells)
    }

    pub fn lowest_first(&self, name: &str) -> bool {
        match self.opts.strategy {
            Strategy::Highest => false,
            Strategy::Lowest => true,
            Strategy::LowestDirect => self.opts.direct.contains(name),
        }
    }

    /// The version to try for a package within a range, per preferences, pre-release
    /// and yank rules and the resolution strategy. `None` if the project is unknown.
    pub fn select(&self, name: &str, range: &VersionRange) -> Option<&Candidate> {
        let project = self.projects.get(name)?;
        let pre_ok = self.prerelease_allowed(name);
        let ok = |c: &&Candidate| range.contains(&c.version) && self.usable(name, c, pre_ok);
        if let Some(pref) = self.opts.preference(name) {
            if let Some(c) = project.candidates.get(pref).filter(ok) {
                return Some(c);
            }
        }
        if let Some(pref) = self.fork_prefs.borrow().get(name) {
            if let Some(c) = project.candidates.get(pref).filter(ok) {
                return Some(c);
            }
        }
        if self.lowest_first(name) {
            project.candidates.values().find(ok)
        } else {
            project.candidates.values().rev().find(ok)
        }
    }

    fn add_plain(
        &self,
        map: &mut Map<Pkg, VersionRange>,
        req: &Requirement<VerbatimUrl>,
        current: &Pkg,
    ) -> Result<(), Unusable> {
        let name = normalize_name(req.name.as_ref());
        let mut range = match &req.version_or_url {
            None => Ranges::full(),
            Some(VersionOrUrl::VersionSpecifier(specs)) => specifiers_to_range(specs),
            Some(VersionOrUrl::Url(_)) => return Err(Unusable::DirectUrl(req.to_string())),
        };
        if let Some(c) = self.opts.constraints.get(&name) {
            range = range.intersection(c);
        }
        let base = Pkg::Base(name.clone());
        let is_self = current.name() == Some(name.as_str());
        // A package never depends on its own base; an extra's pin on its base is kept.
        if !is_self || matches!(current, Pkg::Extra(..)) {
            insert_range(map, base, range.clone());
        }
        for extra in &req.extras {
            let pkg = Pkg::Extra(name.clone(), extra.to_string());
            if &pkg != current {
                insert_range(map, pkg, range.clone());
            }
        }
        Ok(())
    }

    fn add_requirement(
        &self,
        map: &mut Map<Pkg, VersionRange>,
        req: &Requirement<VerbatimUrl>,
        current: &Pkg,
    ) -> Result<(), Unusable> {
        let name = normalize_name(req.name.as_ref());
        if let Some(replacements) = self.opts.overrides.get(&name) {
            for r in replacements {
                self.add_plain(map, r, current)?;
            }
            return Ok(());
        }
        self.add_plain(map, req, current)
    }

    pub fn root_dependencies(&self) -> DepsOutcome {
        self.dependencies(&Pkg::Root, &root_version())
    }

    fn compute_root_dependencies(&self) -> DepsOutcome {
        let lines = self.applicable(&self.opts.root, None);
        if let Some(cells) = self.fork_cells(&lines) {
            return DepsOutcome::Fork(cells);
        }
        let mut map = Map::default();
        for (req, _) in &lines {
            if let Err(e) = self.add_requirement(&mut map, req, &Pkg::Root) {
                return DepsOutcome::Unusable(e);
            }
        }
        DepsOutcome::Ok(Rc::new(map))
    }

    /// Dependencies of `pkg` at `v` (cached per fork).
    pub fn dependencies(&self, pkg: &Pkg, v: &Version) -> DepsOutcome {
        let key = (self.region.borrow().clone(), pkg.clone(), v.clone());
        if let Some(hit) = self.deps_cache.borrow().get(&key) {
            return hit.clone();
        }
        let out = self.compute_dependencies(pkg, v);
        if !matches!(out, DepsOutcome::Missing) {
            self.deps_cache.borrow_mut().insert(key, out.clone());
        }
        out
    }

    fn compute_dependencies(&self, pkg: &Pkg, v: &Version) -> DepsOutcome {
        let (name, extra) = match pkg {
            Pkg::Root => return self.compute_root_dependencies(),
            Pkg::Python => return DepsOutcome::Ok(Rc::new(Map::default())),
            Pkg::Base(n) => (n, None),
            Pkg::Extra(n, e) => (n, Some(e)),
        };
        let Some(entry) = self.metadata.get(name).and_then(|m| m.get(v)) else {
            return DepsOutcome::Missing;
        };
        let (requires_dist, requires_python) = match entry {
            MetaEntry::Err(msg) => return DepsOutcome::Unusable(Unusable::Metadata(msg.clone())),
            MetaEntry::Ok { requires_dist, requires_python, .. } => (requires_dist, requires_python),
        };
        let lines = self.applicable(requires_dist, extra.map(String::as_str));
        if let Some(cells) = self.fork_cells(&lines) {
            return DepsOutcome::Fork(cells);
        }
        let mut map = Map::default();
        if extra.is_some() {
            map.insert(Pkg::Base(name.clone()), Ranges::singleton(v.clone()));
        }
        for (req, _) in &lines {
            if let Err(e) = self.add_requirement(&mut map, req, pkg) {
                return DepsOutcome::Unusable(e);
            }
        }
        if let Some(rp) = requires_python {
            map.insert(Pkg::Python, specifiers_to_range(rp));
        }
        DepsOutcome::Ok(Rc::new(map))
    }

    pub fn requires_python_text(&self, name: &str, v: &Version) -> Option<String> {
        match self.metadata.get(name)?.get(v)? {
            MetaEntry::Ok { requires_python: Some(rp), requires_python_text, .. } => {
                if rp.contains(&self.python()) {
                    None
                } else {
                    Some(requires_python_text.clone().unwrap_or_else(|| rp.to_string()))
                }
            }
            _ => None,
        }
    }

    pub fn resolved(&self, solution: &Map<Pkg, Version>) -> StepResult {
        let mut bases: BTreeMap<String, Version> = BTreeMap::new();
        let mut extras: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (pkg, v) in solution {
            match pkg {
                Pkg::Base(n) => {
                    bases.insert(n.clone(), v.clone());
                }
                Pkg::Extra(n, e) => {
                    extras.entry(n.clone()).or_default().insert(e.clone());
                }
                _ => {}
            }
        }
        let root_names: BTreeSet<String> = match self.root_dependencies() {
            DepsOutcome::Ok(m) => m.keys().filter_map(|p| p.name().map(str::to_string)).collect(),
            _ => BTreeSet::new(),
        };
        let mut packages = Vec::new();
        for (name, v) in &bases {
            let cand = self.projects.get(name).and_then(|p| p.candidates.get(v));
            let pkg_extras: Vec<String> = extras.get(name).map(|s| s.iter().cloned().collect()).unwrap_or_default();
            let mut deps = BTreeSet::new();
            let mut sources = vec![Pkg::Base(name.clone())];
            sources.extend(pkg_extras.iter().map(|e| Pkg::Extra(name.clone(), e.clone())));
            for src in &sources {
                if let DepsOutcome::Ok(map) = self.dependencies(src, v) {
                    for dep in map.keys() {
                        if let Some(d) = dep.name() {
                            if d != name {
                                deps.insert(d.to_string());
                            }
                        }
                    }
                }
            }
            packages.push(ResolvedPackage {
                name: name.clone(),
                version: cand.map(|c| c.version.to_string()).unwrap_or_else(|| v.to_string()),
                filename: cand.map(|c| c.filename.clone()).unwrap_or_default(),
                url: cand.map(|c| c.url.clone()).unwrap_or_default(),
                extras: pkg_extras,
                dependencies: deps.into_iter().collect(),
                requested_by_root: root_names.contains(name),
                marker: None,
                edges: Vec::new(),
                extra_edges: BTreeMap::new(),
            });
        }
        StepResult::Resolved { packages, root: Vec::new(), forks: Vec::new() }
    }
}
