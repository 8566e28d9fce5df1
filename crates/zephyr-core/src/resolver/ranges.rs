//! PEP 440 specifiers as PubGrub version ranges, and ranges back to readable
//! specifier text for explanations.
//!
//! Local versions: a specifier without a local label ignores candidate local
//! labels (PEP 440), so `==1.0` covers `1.0+cpu`. Ranges are totally ordered, so
//! such specifiers are widened up to [`local_ceiling`], a version above every
//! realistic `1.0+label` and below `1.0.post0`.

use std::ops::Bound;

use pep440_rs::{LocalSegment, Operator, Version, VersionSpecifier, VersionSpecifiers};
use pubgrub::Ranges;

pub type VersionRange = Ranges<Version>;

const CEILING_SEGMENTS: usize = 4;

/// The highest `v+local` we consider: `v+<u64::MAX>.<u64::MAX>...`.
pub fn local_ceiling(v: &Version) -> Version {
    v.clone().with_local(vec![LocalSegment::Number(u64::MAX); CEILING_SEGMENTS])
}

fn is_local_ceiling(v: &Version) -> bool {
    let local = v.local();
    local.len() == CEILING_SEGMENTS && local.iter().all(|s| *s == LocalSegment::Number(u64::MAX))
}

fn equal_range(v: &Version) -> VersionRange {
    if v.local().is_empty() {
        Ranges::between_inclusive(v.clone(), local_ceiling(v))
    } else {
        Ranges::singleton(v.clone())
    }
}

trait BetweenInclusive {
    fn between_inclusive(a: Version, b: Version) -> Self;
}

impl BetweenInclusive for VersionRange {
    fn between_inclusive(a: Version, b: Version) -> Self {
        Ranges::from_range_bounds((Bound::Included(a), Bound::Included(b)))
    }
}

fn wildcard_bounds(v: &Version) -> Option<(Version, Version)> {
    let release = v.release();
    let (last, rest) = release.split_last()?;
    let low = Version::new(release.iter().copied()).with_epoch(v.epoch()).with_min(Some(0));
    let high = Version::new(rest.iter().copied().chain(std::iter::once(last.saturating_add(1))))
        .with_epoch(v.epoch())
        .with_min(Some(0));
    Some((low, high))
}

/// One specifier as a range.
pub fn specifier_to_range(spec: &VersionSpecifier) -> VersionRange {
    let v = spec.version();
    match spec.operator() {
        Operator::Equal => equal_range(v),
        Operator::ExactEqual => Ranges::singleton(v.clone()),
        Operator::NotEqual => equal_range(v).complement(),
        Operator::GreaterThanEqual => Ranges::higher_than(v.clone()),
        Operator::LessThanEqual => {
            if v.local().is_empty() {
                Ranges::lower_than(local_ceiling(v))
            } else {
                Ranges::lower_than(v.clone())
            }
        }
        Operator::LessThan => {
            // `<V` excludes pre-releases of V unless V is itself a pre-release.
            if v.any_prerelease() {
                Ranges::strictly_lower_than(v.clone())
            } else {
                Ranges::strictly_lower_than(v.clone().with_min(Some(0)))
            }
        }
        Operator::GreaterThan => {
            // `>V` excludes post-releases and local versions of V unless V is a post-release.
            if v.dev().is_some() || v.post().is_some() {
                Ranges::strictly_higher_than(local_ceiling(v))
            } else {
                Ranges::strictly_higher_than(v.clone().with_max(Some(0)))
            }
        }
        Operator::TildeEqual => {
            let release = v.release();
            if release.len() < 2 {
                return Ranges::higher_than(v.clone());
            }
            let prefix = &release[..release.len() - 1];
            let upper = match wildcard_bounds(&Version::new(prefix.iter().copied()).with_epoch(v.epoch())) {
                Some((_, high)) => high,
                None => return Ranges::higher_than(v.clone()),
            };
            Ranges::from_range_bounds((Bound::Included(v.clone()), Bound::Excluded(upper)))
        }
        Operator::EqualStar => match wildcard_bounds(v) {
            Some((low, high)) => Ranges::from_range_bounds((Bound::Included(low), Bound::Excluded(high))),
            None => Ranges::full(),
        },
        Operator::NotEqualStar => match wildcard_bounds(v) {
            Some((low, high)) => Ranges::from_range_bounds((Bound::Included(low), Bound::Excluded(high))).complement(),
            None => Ranges::empty(),
        },
    }
}

/// A specifier set as a range (the intersection of its clauses).
pub fn specifiers_to_range(specs: &VersionSpecifiers) -> VersionRange {
    let mut range = Ranges::full();
    for spec in specs.iter() {
        range = range.intersection(&specifier_to_range(spec));
    }
    range
}

/// A version as users write it: without the internal min/max markers and without
/// our local ceiling.
pub fn display_version(v: &Version) -> String {
    let mut v = v.clone();
    if Version::min(&v).is_some() {
        v = v.with_min(None);
    }
    if Version::max(&v).is_some() {
        v = v.with_max(None);
    }
    if is_local_ceiling(&v) {
        v = v.without_local();
    }
    v.to_string()
}

fn lower_text(b: &Bound<Version>) -> Option<String> {
    match b {
        Bound::Unbounded => None,
        Bound::Included(v) => Some(format!(">={}", display_version(v))),
        Bound::Excluded(v) => Some(format!(">{}", display_version(v))),
    }
}

fn upper_text(b: &Bound<Version>) -> Option<String> {
    match b {
        Bound::Unbounded => None,
        Bound::Included(v) => Some(format!("<={}", display_version(v))),
        Bound::Excluded(v) => Some(format!("<{}", display_version(v))),
    }
}

fn same_public(a: &Version, b: &Version) -> bool {
    display_version(a) == display_version(b)
}

fn segment_text(lo: &Bound<Version>, hi: &Bound<Version>) -> String {
    if let (Bound::Included(a), Bound::Included(b)) = (lo, hi) {
        if a == b || (is_local_ceiling(b) && same_public(a, b)) {
            return format!("=={}", display_version(a));
        }
    }
    match (lower_text(lo), upper_text(hi)) {
        (None, None) => String::new(),
        (Some(l), None) => l,
        (None, Some(u)) => u,
        (Some(l), Some(u)) => format!("{l},{u}"),
    }
}

/// Specifier text of a range: `>=1.0,<2.0`, `==1.0`, `!=1.5`, `<1.0 | >=2.0`;
/// empty for the full range.
pub fn range_text(range: &VersionRange) -> String {
    let segments: Vec<(&Bound<Version>, &Bound<Version>)> = range.iter().collect();
    if segments.is_empty() {
        return " (no version satisfies all of the requirements on it)".to_string();
    }
    if let [(Bound::Unbounded, Bound::Excluded(a)), (Bound::Excluded(b), Bound::Unbounded)] = segments.as_slice() {
        if a == b || (is_local_ceiling(b) && same_public(a, b)) {
            return format!("!={}", display_version(a));
        }
    }
    segments.iter().map(|(lo, hi)| segment_text(lo, hi)).collect::<Vec<_>>().join(" | ")
}

/// `name` + specifier text, e.g. `b>=2.0`; just `name` for the full range.
pub fn named_range(name: &str, range: &VersionRange) -> String {
    format!("{name}{}", range_text(range))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::str::FromStr;

    fn r(s: &str) -> VersionRange {
        specifiers_to_range(&VersionSpecifiers::from_str(s).unwrap())
    }
    fn v(s: &str) -> Version {
        Version::from_str(s).unwrap()
    }

    #[test]
    fn local_versions_match_public_specifiers() {
        assert!(r("==1.0").contains(&v("1.0+cpu")));
        assert!(r("==1.0").contains(&v("1.0.0")));
        assert!(!r("==1.0").contains(&v("1.0.post1")));
        assert!(!r("==1.0+cpu").contains(&v("1.0+gpu")));
        assert!(r("<=1.0").contains(&v("1.0+cpu")));
        assert!(!r(">1.0").contains(&v("1.0+cpu")));
        assert!(!r("!=1.0").contains(&v("1.0+cpu")));
        assert!(r(">=1.0").contains(&v("1.0+cpu")));
    }

    #[test]
    fn post_and_pre_rules() {
        assert!(!r(">1.0").contains(&v("1.0.post1")));
        assert!(r(">1.0").contains(&v("1.0.1")));
        assert!(r(">1.0.post1").contains(&v("1.0.post2")));
        assert!(!r(">1.0.post1").contains(&v("1.0.post1")));
        assert!(!r("<2.0").contains(&v("2.0a1")));
        assert!(r("<2.0rc1").contains(&v("2.0a1")));
        assert!(r("~=1.4.5").contains(&v("1.4.9")));
        assert!(!r("~=1.4.5").contains(&v("1.5.0")));
        assert!(!r("~=1.4.5").contains(&v("1.5.0a1")));
        assert!(r("==1.4.*").contains(&v("1.4.7+x")));
        assert!(!r("!=1.4.*").contains(&v("1.4.0")));
        assert!(r(">1.0.dev1").contains(&v("1.0.dev2")));
    }

    #[test]
    fn renders_ranges() {
        assert_eq!(named_range("b", &r(">=2.0")), "b>=2.0");
        assert_eq!(named_range("b", &r("==1.0")), "b==1.0");
        assert_eq!(named_range("b", &r("!=1.5")), "b!=1.5");
        assert_eq!(named_range("b", &r(">=1.0,<2.0")), "b>=1.0,<2.0");
        assert_eq!(named_range("b", &r(">1.0")), "b>1.0");
        assert_eq!(named_range("b", &r("<2.0")), "b<2.0");
        assert_eq!(named_range("b", &r("<=2.0")), "b<=2.0");
        assert_eq!(named_range("b", &r(">=2.0").complement()), "b<2.0");
        assert_eq!(named_range("b", &Ranges::full()), "b");
    }
}
