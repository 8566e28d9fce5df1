//! Plain-English conflict explanations from PubGrub's derivation tree, plus hints.

use std::collections::{BTreeMap, BTreeSet};

use pep440_rs::Version;
use pubgrub::{DefaultStringReporter, DerivationTree, Derived, External, Map, Ranges, ReportFormatter, Reporter, Term};

use super::provider::{Pkg, Unusable};
use super::ranges::{named_range, range_text, VersionRange};
use super::state::State;
use super::StepResult;

type Tree = DerivationTree<Pkg, VersionRange, Unusable>;
type Ext = External<Pkg, VersionRange, Unusable>;

struct Formatter<'a> {
    st: &'a State,
}

impl Formatter<'_> {
    fn pr(&self, p: &Pkg, r: &VersionRange) -> String {
        match p {
            Pkg::Root => "your requirements".into(),
            Pkg::Python => {
                if *r == Ranges::full() {
                    "Python".into()
                } else {
                    format!("Python{}", range_text(r))
                }
            }
            _ => named_range(&p.to_string(), &self.simplify(p, r)),
        }
    }

    /// The same set of known versions, written more simply (`==2.0 | ==2.1` → `>=2.0`).
    fn simplify(&self, p: &Pkg, r: &VersionRange) -> VersionRange {
        match p.name().and_then(|n| self.st.projects.get(n)) {
            Some(project) if !project.candidates.is_empty() && r.iter().count() > 1 => {
                r.simplify(project.candidates.keys())
            }
            _ => r.clone(),
        }
    }

    fn subject(&self, p: &Pkg, r: &VersionRange) -> (String, bool) {
        if p.name().is_some() && (*r == Ranges::full() || self.simplify(p, r) == Ranges::full()) {
            (format!("all versions of {p}"), true)
        } else {
            (self.pr(p, r), false)
        }
    }

    fn no_versions(&self, p: &Pkg, r: &VersionRange) -> String {
        if *p == Pkg::Python {
            return format!(
                "the target is Python {}, which does not satisfy {}",
                self.st.opts.python_text,
                self.pr(p, r)
            );
        }
        let Some(name) = p.name() else { return format!("there is no version of {}", self.pr(p, r)) };
        let project = match self.st.projects.get(name) {
            Some(project) if project.found => project,
            Some(_) => return format!("{name} was not found in the package index"),
            None => return format!("there is no version of {}", self.pr(p, r)),
        };
        let pre_ok = self.st.prerelease_allowed(name);
        let usable: Vec<&Version> = project
            .candidates
            .values()
            .filter(|c| self.st.usable(name, c, pre_ok))
            .map(|c| &c.version)
            .collect();
        if *r == Ranges::full() {
            return format!("there are no usable versions of {p}");
        }
        let known_in_range = project.candidates.keys().any(|v| r.contains(v))
            || project.skipped.requires_python.keys().any(|v| r.contains(v))
            || project.skipped.no_wheel.keys().any(|v| r.contains(v));
        let one_sided = matches!(
            r.iter().collect::<Vec<_>>().as_slice(),
            [(std::ops::Bound::Unbounded, _)] | [(_, std::ops::Bound::Unbounded)]
        );
        if known_in_range {
            format!("there is no usable version of {}", self.pr(p, r))
        } else if one_sided && usable.iter().any(|v| !r.contains(v)) {
            format!("only {} is available", named_range(&p.to_string(), &r.complement()))
        } else {
            format!("there is no version of {}", self.pr(p, r))
        }
    }

    /// Candidates inside the range's bounds but outside the range (ruled out by
    /// another part of the explanation), added back.
    fn filled(&self, p: &Pkg, r: &VersionRange) -> VersionRange {
        let Some(project) = p.name().and_then(|n| self.st.projects.get(n)) else { return r.clone() };
        let closed: VersionRange = match r.bounding_range() {
            Some((lo, hi)) => {
                let close = |b: std::ops::Bound<&Version>| match b {
                    std::ops::Bound::Excluded(v) | std::ops::Bound::Included(v) => std::ops::Bound::Included(v.clone()),
                    std::ops::Bound::Unbounded => std::ops::Bound::Unbounded,
                };
                Ranges::from_range_bounds((close(lo), close(hi)))
            }
            None => return r.clone(),
        };
        let mut filled = r.clone();
        for v in project.candidates.keys() {
            if closed.contains(v) && !r.contains(v) {
                filled = filled.union(&Ranges::singleton(v.clone()));
            }
        }
        filled
    }
}

impl ReportFormatter<Pkg, VersionRange, Unusable> for Formatter<'_> {
    type Output = String;

    fn format_external(&self, external: &Ext) -> String {
        match external {
            External::NotRoot(_, _) => "you are resolving your requirements".into(),
            External::NoVersions(p, r) => self.no_versions(p, r),
            External::FromDependencyOf(Pkg::Root, _, d, rd) if rd.is_empty() => {
                let reqs: Vec<String> = self
                    .st
                    .opts
                    .root
                    .iter()
                    .filter(|req| Some(crate::filename::normalize_name(req.name.as_ref()).as_str()) == d.name())
                    .map(|req| req.to_string())
                    .collect();
                if reqs.len() > 1 {
                    format!("you require {}, which no single version of {d} satisfies", reqs.join(" and "))
                } else {
                    format!("you require {}", self.pr(d, rd))
                }
            }
            External::FromDependencyOf(Pkg::Root, _, d, rd) => format!("you require {}", self.pr(d, rd)),
            External::FromDependencyOf(p, rp, Pkg::Python, rd) => {
                let (s, plural) = self.subject(p, rp);
                format!("{s} {} {}", if plural { "require" } else { "requires" }, self.pr(&Pkg::Python, rd))
            }
            External::FromDependencyOf(p, rp, d, rd) => {
                let (s, plural) = self.subject(p, rp);
                format!("{s} {} {}", if plural { "depend on" } else { "depends on" }, self.pr(d, rd))
            }
            External::Custom(p, r, why) => format!("{} cannot be used because {why}", self.pr(p, r)),
        }
    }

    fn format_terms(&self, terms: &Map<Pkg, Term<VersionRange>>) -> String {
        let mut list: Vec<(&Pkg, &Term<VersionRange>)> = terms.iter().collect();
        list.sort_by(|a, b| a.0.cmp(b.0));
        match list.as_slice() {
            [] => "version solving failed".into(),
            [(Pkg::Root, Term::Positive(_))] => "your requirements are unsatisfiable".into(),
            [(p, Term::Positive(r))] => format!("{} cannot be used", self.pr(p, r)),
            [(p, Term::Negative(r))] => format!("{} is required", self.pr(p, r)),
            [(p1, Term::Positive(r1)), (p2, Term::Negative(r2))] => self.format_external(
                &External::FromDependencyOf((*p1).clone(), r1.clone(), (*p2).clone(), r2.clone()),
            ),
            [(p1, Term::Negative(r1)), (p2, Term::Positive(r2))] => self.format_external(
                &External::FromDependencyOf((*p2).clone(), r2.clone(), (*p1).clone(), r1.clone()),
            ),
            slice => {
                let parts: Vec<String> = slice
                    .iter()
                    .map(|(p, t)| match t {
                        Term::Positive(r) => self.pr(p, r),
                        Term::Negative(r) => format!("not {}", self.pr(p, r)),
                    })
                    .collect();
                match parts.split_last() {
                    Some((last, rest)) if !rest.is_empty() => {
                        format!("{} and {last} are incompatible", rest.join(", "))
                    }
                    _ => format!("{} are incompatible", parts.join(", ")),
                }
            }
        }
    }

    fn explain_both_external(&self, e1: &Ext, e2: &Ext, terms: &Map<Pkg, Term<VersionRange>>) -> String {
        format!("Because {} and {}, {}.", self.format_external(e1), self.format_external(e2), self.format_terms(terms))
    }

    fn explain_both_ref(
        &self,
        id1: usize,
        d1: &Derived<Pkg, VersionRange, Unusable>,
        id2: usize,
        d2: &Derived<Pkg, VersionRange, Unusable>,
        terms: &Map<Pkg, Term<VersionRange>>,
    ) -> String {
        format!(
            "Because {} ({id1}) and {} ({id2}), {}.",
            self.format_terms(&d1.terms),
            self.format_terms(&d2.terms),
            self.format_terms(terms)
        )
    }

    fn explain_ref_and_external(
        &self,
        id: usize,
        d: &Derived<Pkg, VersionRange, Unusable>,
        e: &Ext,
        terms: &Map<Pkg, Term<VersionRange>>,
    ) -> String {
        format!(
            "Because {} ({id}) and {}, {}.",
            self.format_terms(&d.terms),
            self.format_external(e),
            self.format_terms(terms)
        )
    }

    fn and_explain_external(&self, e: &Ext, terms: &Map<Pkg, Term<VersionRange>>) -> String {
        format!("And because {}, {}.", self.format_external(e), self.format_terms(terms))
    }

    fn and_explain_ref(
        &self,
        id: usize,
        d: &Derived<Pkg, VersionRange, Unusable>,
        terms: &Map<Pkg, Term<VersionRange>>,
    ) -> String {
        format!("And because {} ({id}), {}.", self.format_terms(&d.terms), self.format_terms(terms))
    }

    fn and_explain_prior_and_external(&self, prior: &Ext, e: &Ext, terms: &Map<Pkg, Term<VersionRange>>) -> String {
        format!(
            "And because {} and {}, {}.",
            self.format_external(prior),
            self.format_external(e),
            self.format_terms(terms)
        )
    }
}

fn externals<'t>(tree: &'t Tree, out: &mut Vec<&'t Ext>) {
    match tree {
        DerivationTree::External(e) => out.push(e),
        DerivationTree::Derived(d) => {
            externals(&d.cause1, out);
            externals(&d.cause2, out);
        }
    }
}

fn version_list(name: &str, versions: &[&Version]) -> String {
    let shown: Vec<String> = versions.iter().rev().take(3).map(|v| format!("{name}=={v}")).collect();
    let more = versions.len().saturating_sub(3);
    if more > 0 {
        format!("{} (and {more} older)", shown.join(", "))
    } else {
        shown.join(", ")
    }
}

fn hints(fmt: &Formatter<'_>, tree: &Tree, names: &BTreeSet<String>) -> Vec<String> {
    let st = fmt.st;
    let mut exts = Vec::new();
    externals(tree, &mut exts);
    let mut no_versions: BTreeMap<&str, Vec<&VersionRange>> = BTreeMap::new();
    let mut needs_python: Vec<(&Pkg, &VersionRange)> = Vec::new();
    for e in &exts {
        match e {
            External::NoVersions(p, r) => {
                if let Some(n) = p.name() {
                    no_versions.entry(n).or_default().push(r);
                }
            }
            External::FromDependencyOf(p, rp, Pkg::Python, _) => needs_python.push((p, rp)),
            _ => {}
        }
    }
    let py = &st.opts.python_text;
    let mut out = Vec::new();
    for name in names {
        let in_no_versions = |v: &Version| no_versions.get(name.as_str()).is_some_and(|rs| rs.iter().any(|r| r.contains(v)));
        let project = match st.projects.get(name) {
            Some(p) if p.found => p,
            Some(_) => {
                out.push(format!("{name} was not found in the package index"));
                continue;
            }
            None => continue,
        };
        let disabled: Vec<&Version> = project.skipped.binary_disabled.iter().filter(|v| in_no_versions(v)).collect();
        if let Some(v) = disabled.last() {
            out.push(format!("{name} {v} has only wheels, and binaries are disabled for it (--no-binary)"));
        }
        if !st.prerelease_allowed(name) {
            let pre = project
                .candidates
                .values()
                .rev()
                .find(|c| c.version.any_prerelease() && st.usable(name, c, true) && in_no_versions(&c.version));
            if let Some(c) = pre {
                out.push(format!(
                    "pre-releases of {name} are available ({name}=={}): use --prerelease allow",
                    c.version
                ));
            }
        }
        let yanked: Vec<&Version> = project
            .candidates
            .values()
            .filter(|c| c.yanked && !st.yank_allowed(name, &c.version) && in_no_versions(&c.version))
            .map(|c| &c.version)
            .collect();
        if let Some(v) = yanked.last() {
            out.push(format!("{name}=={v} was yanked; it is only used when pinned exactly (=={v})"));
        }
        let mut by_spec: BTreeMap<&str, Vec<&Version>> = BTreeMap::new();
        for (v, spec) in &project.skipped.requires_python {
            if in_no_versions(v) {
                by_spec.entry(spec.as_str()).or_default().push(v);
            }
        }
        for (spec, versions) in by_spec {
            let newest_only = versions
                .first()
                .is_some_and(|min| project.candidates.keys().all(|c| c < *min));
            let subject = match (versions.as_slice(), newest_only) {
                ([v], _) => format!("{name}=={v}"),
                ([min, ..], true) => format!("{name}>={min}"),
                _ => version_list(name, &versions),
            };
            out.push(format!("{subject} requires Python {spec}, but the target is Python {py}"));
        }
        let no_wheel: Vec<(&Version, &(Vec<String>, bool))> =
            project.skipped.no_wheel.iter().filter(|(v, _)| in_no_versions(v)).collect();
        if let Some((v, (tags, sdist_disabled))) = no_wheel.last() {
            let mut tags: Vec<&String> = tags.iter().collect();
            tags.truncate(4);
            let tags = tags.iter().map(|t| t.as_str()).collect::<Vec<_>>().join(", ");
            let tail = if *sdist_disabled {
                "and building from source is disabled for it"
            } else {
                "and no source distribution"
            };
            let others = no_wheel.len() - 1;
            let others = if others > 0 { format!(" ({others} older versions too)") } else { String::new() };
            if tags.is_empty() {
                out.push(format!("{name} {v} has no wheel for this platform {tail}{others}"));
            } else {
                out.push(format!("{name} {v} has no wheel for this platform (tags {tags}) {tail}{others}"));
            }
        }
    }
    for (p, rp) in needs_python {
        let Some(name) = p.name() else { continue };
        let spec = st
            .metadata
            .get(name)
            .into_iter()
            .flat_map(|m| m.keys().rev())
            .filter(|v| rp.contains(*v))
            .find_map(|v| st.requires_python_text(name, v));
        if let Some(spec) = spec {
            let hint = format!("{} requires Python {spec}, but the target is Python {py}", fmt.pr(p, rp));
            if !out.contains(&hint) {
                out.push(hint);
            }
        }
    }
    out
}

impl Formatter<'_> {
    /// Whether `NoVersions(p, r)` only says "the versions left after earlier steps do not
    /// exist": no known file of any kind lies in `r`, and the project has usable versions.
    fn is_leftover(&self, p: &Pkg, r: &VersionRange) -> bool {
        let Some(name) = p.name() else { return false };
        let Some(project) = self.st.projects.get(name).filter(|p| p.found) else { return false };
        let pre_ok = self.st.prerelease_allowed(name);
        let any_usable = project.candidates.values().any(|c| self.st.usable(name, c, pre_ok));
        any_usable
            && *r != Ranges::full()
            && !project.candidates.keys().any(|v| r.contains(v))
            && !project.skipped.requires_python.keys().any(|v| r.contains(v))
            && !project.skipped.no_wheel.keys().any(|v| r.contains(v))
            && self.filled(p, r) != *r
    }

    /// No file of any kind is known in the range (and the project exists).
    fn nothing_known_in(&self, p: &Pkg, r: &VersionRange) -> bool {
        let Some(project) = p.name().and_then(|n| self.st.projects.get(n)).filter(|p| p.found) else { return false };
        !project.candidates.keys().any(|v| r.contains(v))
            && !project.skipped.requires_python.keys().any(|v| r.contains(v))
            && !project.skipped.no_wheel.keys().any(|v| r.contains(v))
            && !project.skipped.binary_disabled.iter().any(|v| r.contains(v))
    }

    /// Fold "no other versions" leaves into their sibling dependency edge, so
    /// `a depends on b` + `no other versions of a` reads as one sentence.
    fn collapse(&self, tree: &Tree) -> Tree {
        let DerivationTree::Derived(d) = tree else { return tree.clone() };
        let merged: Option<Ext> = match (&*d.cause1, &*d.cause2) {
            (
                DerivationTree::External(External::NoVersions(p, r)),
                DerivationTree::External(External::FromDependencyOf(p1, r1, p2, r2)),
            )
            | (
                DerivationTree::External(External::FromDependencyOf(p1, r1, p2, r2)),
                DerivationTree::External(External::NoVersions(p, r)),
            ) if p == p1 && self.nothing_known_in(p, r) => {
                // "no a!=1.0 exists" + "a==1.0 depends on b" → "all versions of a depend on b".
                Some(External::FromDependencyOf(p1.clone(), r1.union(r), p2.clone(), r2.clone()))
            }
            (DerivationTree::External(External::NoVersions(p, r)), DerivationTree::Derived(inner))
            | (DerivationTree::Derived(inner), DerivationTree::External(External::NoVersions(p, r)))
                if self.is_leftover(p, r) =>
            {
                // The leftover adds nothing: conclude this node's terms from the other cause.
                let mut inner = inner.clone();
                inner.terms = d.terms.clone();
                return self.collapse(&DerivationTree::Derived(inner));
            }
            _ => None,
        };
        match merged {
            Some(external) => DerivationTree::External(external),
            None => {
                let mut d = d.clone();
                d.cause1 = std::sync::Arc::new(self.collapse(&d.cause1));
                d.cause2 = std::sync::Arc::new(self.collapse(&d.cause2));
                DerivationTree::Derived(d)
            }
        }
    }
}

/// A conflict step result from a derivation tree.
pub fn conflict(st: &State, tree: &Tree) -> StepResult {
    let formatter = Formatter { st };
    let collapsed = formatter.collapse(tree);
    let message = match &collapsed {
        DerivationTree::External(e) => {
            format!("Because {}, your requirements are unsatisfiable.", formatter.format_external(e))
        }
        DerivationTree::Derived(_) => DefaultStringReporter::report_with_formatter(&collapsed, &formatter),
    };
    let names: BTreeSet<String> = tree.packages().into_iter().filter_map(|p| p.name().map(str::to_string)).collect();
    let hints = hints(&formatter, tree, &names);
    StepResult::Conflict { message, packages: names.into_iter().collect(), hints }
}
