//! Universal resolution: one solve per fork (a disjoint marker region), merged
//! into one graph where each package version carries the marker under which it
//! is installed (the OR over forks and paths of the AND of edge markers) and each
//! dependency edge its own marker and the version it leads to.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use pep440_rs::Version;
use pep508_rs::{MarkerTree, Requirement, VerbatimUrl};
use pubgrub::Map;
use serde::Serialize;

use super::markers::{and, display, or, settle_extras};
use super::provider::Pkg;
use super::state::{root_version, MetaEntry, State};
use super::ResolvedPackage;
use crate::filename::normalize_name;

/// A dependency edge in a universal resolution.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct Edge {
    pub name: String,
    pub version: String,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub extras: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub marker: Option<String>,
}

/// An edge from a root requirement (`index` into the requirements given).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RootEdge {
    pub index: usize,
    #[serde(flatten)]
    pub edge: Edge,
}

/// One solved fork: its region and solution.
pub struct Fork {
    pub region: MarkerTree,
    pub solution: Map<Pkg, Version>,
}

#[derive(Default)]
struct EdgeSet {
    /// (name, version, extras, requirement marker) → marker over the forks it appears in.
    edges: BTreeMap<(String, Version, Vec<String>, String), MarkerTree>,
}

impl EdgeSet {
    fn add(&mut self, name: String, version: Version, extras: Vec<String>, req_marker: &MarkerTree, region: &MarkerTree) {
        let key = (name, version, extras, req_marker.try_to_string().unwrap_or_default());
        let m = and(req_marker, region);
        let entry = self.edges.entry(key).or_insert(MarkerTree::FALSE);
        *entry = or(entry, &m);
    }

    fn finish(self, floor: Option<&Version>, ceiling: Option<&Version>) -> Vec<Edge> {
        let mut out: Vec<Edge> = self
            .edges
            .into_iter()
            .filter(|(_, m)| !m.is_false())
            .map(|((name, version, extras, _), m)| Edge { name, version: version.to_string(), extras, marker: display(&m, floor, ceiling) })
            .collect();
        out.sort();
        out.dedup();
        out
    }
}

#[derive(Default)]
struct Acc {
    marker: Option<MarkerTree>,
    extras: BTreeSet<String>,
    edges: EdgeSet,
    extra_edges: BTreeMap<String, EdgeSet>,
    requested_by_root: bool,
}

fn sorted_extras(req: &Requirement<VerbatimUrl>) -> Vec<String> {
    let mut v: Vec<String> = req.extras.iter().map(|e| normalize_name(e.as_ref())).collect();
    v.sort();
    v.dedup();
    v
}

/// The requirement lines of a package node that apply in the current fork.
fn node_lines<'a>(st: &'a State, pkg: &Pkg, v: &Version) -> Vec<(&'a Requirement<VerbatimUrl>, MarkerTree)> {
    match pkg {
        Pkg::Root => st.applicable(&st.opts.root, None),
        Pkg::Base(n) | Pkg::Extra(n, _) => {
            let extra = match pkg {
                Pkg::Extra(_, e) => Some(e.as_str()),
                _ => None,
            };
            match st.metadata.get(n).and_then(|m| m.get(v)) {
                Some(MetaEntry::Ok { requires_dist, .. }) => st.applicable(requires_dist, extra),
                _ => Vec::new(),
            }
        }
        Pkg::Python => Vec::new(),
    }
}

/// Where in the fork each solved node is needed: a fixpoint over the solution graph.
fn reach(st: &State, fork: &Fork) -> HashMap<Pkg, MarkerTree> {
    let mut nodes: Vec<(Pkg, Version)> = vec![(Pkg::Root, root_version())];
    nodes.extend(fork.solution.iter().filter(|(p, _)| p.name().is_some()).map(|(p, v)| (p.clone(), v.clone())));
    let mut marks: HashMap<Pkg, MarkerTree> = HashMap::new();
    marks.insert(Pkg::Root, fork.region.clone());
    let lines: Vec<Vec<(Vec<Pkg>, MarkerTree)>> = nodes
        .iter()
        .map(|(pkg, v)| {
            let mut out: Vec<(Vec<Pkg>, MarkerTree)> = node_lines(st, pkg, v)
                .into_iter()
                .map(|(req, m)| {
                    let name = normalize_name(req.name.as_ref());
                    let mut targets = vec![Pkg::Base(name.clone())];
                    targets.extend(sorted_extras(req).into_iter().map(|e| Pkg::Extra(name.clone(), e)));
                    (targets, m)
                })
                .collect();
            if let Pkg::Extra(n, _) = pkg {
                out.push((vec![Pkg::Base(n.clone())], MarkerTree::TRUE));
            }
            out
        })
        .collect();
    // A path through a cycle only narrows its marker (AND), so simple paths (at most one per
    // node) give every marker: the fixed point is reached within nodes + 1 passes.
    for _ in 0..=nodes.len() {
        let mut changed = false;
        for (i, (pkg, _)) in nodes.iter().enumerate() {
            let Some(from) = marks.get(pkg).cloned() else { continue };
            if from.is_false() {
                continue;
            }
            for (targets, m) in &lines[i] {
                let via = and(&from, m);
                if via.is_false() {
                    continue;
                }
                for t in targets {
                    if t == pkg || !fork.solution.contains_key(t) {
                        continue;
                    }
                    let current = marks.get(t).cloned().unwrap_or(MarkerTree::FALSE);
                    let next = or(&current, &via);
                    if next != current {
                        marks.insert(t.clone(), next);
                        changed = true;
                    }
                }
            }
        }
        if !changed {
            break;
        }
    }
    marks
}

/// Merges solved forks into packages (one entry per name and version), root edges
/// and the forks' markers.
pub fn merge(st: &State, forks: &[Fork]) -> (Vec<ResolvedPackage>, Vec<RootEdge>, Vec<String>) {
    let floor = st.opts.python_floor.as_ref();
    let ceiling = st.opts.python_ceiling.as_ref();
    let mut acc: BTreeMap<(String, Version), Acc> = BTreeMap::new();
    let mut root_edges: BTreeMap<usize, EdgeSet> = BTreeMap::new();
    for fork in forks {
        st.set_fork(fork.region.clone(), HashMap::new());
        let marks = reach(st, fork);
        let chosen = |name: &str| fork.solution.get(&Pkg::Base(name.to_string())).cloned();
        for (index, req) in st.opts.root.iter().enumerate() {
            for (req, m) in st.applicable(std::slice::from_ref(req), None) {
                let name = normalize_name(req.name.as_ref());
                if let Some(v) = chosen(&name) {
                    root_edges.entry(index).or_default().add(name, v, sorted_extras(req), &m, &fork.region);
                }
            }
        }
        for (pkg, v) in &fork.solution {
            let Some(m) = marks.get(pkg).filter(|m| !m.is_false()) else { continue };
            match pkg {
                Pkg::Base(n) => {
                    let a = acc.entry((n.clone(), v.clone())).or_default();
                    a.marker = Some(match &a.marker {
                        Some(cur) => or(cur, m),
                        None => m.clone(),
                    });
                    a.requested_by_root |= st.opts.direct.contains(n);
                    for (req, rm) in node_lines(st, pkg, v) {
                        let name = normalize_name(req.name.as_ref());
                        if name == *n {
                            continue;
                        }
                        if let Some(tv) = chosen(&name) {
                            a.edges.add(name, tv, sorted_extras(req), &rm, &fork.region);
                        }
                    }
                }
                Pkg::Extra(n, e) => {
                    let a = acc.entry((n.clone(), v.clone())).or_default();
                    a.extras.insert(e.clone());
                    let set = a.extra_edges.entry(e.clone()).or_default();
                    for (req, rm) in node_lines(st, pkg, v) {
                        // Only the lines this extra adds (not the base's own).
                        if !settle_extras(&req.marker, None).is_false() {
                            continue;
                        }
                        let name = normalize_name(req.name.as_ref());
                        if let Some(tv) = chosen(&name) {
                            set.add(name, tv, sorted_extras(req), &rm, &fork.region);
                        }
                    }
                }
                _ => {}
            }
        }
    }
    let mut packages = Vec::new();
    for ((name, v), a) in acc {
        let Some(marker) = a.marker else { continue };
        let cand = st.projects.get(&name).and_then(|p| p.candidates.get(&v));
        let edges = a.edges.finish(floor, ceiling);
        packages.push(ResolvedPackage {
            name: name.clone(),
            version: v.to_string(),
            filename: cand.map(|c| c.filename.clone()).unwrap_or_default(),
            url: cand.map(|c| c.url.clone()).unwrap_or_default(),
            extras: a.extras.iter().cloned().collect(),
            dependencies: edges.iter().map(|e| e.name.clone()).collect::<BTreeSet<_>>().into_iter().collect(),
            requested_by_root: a.requested_by_root,
            marker: display(&marker, floor, ceiling),
            edges,
            extra_edges: a.extra_edges.into_iter().map(|(e, set)| (e, set.finish(floor, ceiling))).collect(),
        });
    }
    let root: Vec<RootEdge> = root_edges
        .into_iter()
        .flat_map(|(index, set)| set.finish(floor, ceiling).into_iter().map(move |edge| RootEdge { index, edge }))
        .collect();
    let fork_markers: Vec<String> = if forks.len() > 1 {
        forks.iter().filter_map(|f| display(&f.region, floor, ceiling)).collect()
    } else {
        Vec::new()
    };
    (packages, root, fork_markers)
}
