//! Marker algebra for universal resolution: requirement markers with their
//! `extra` part settled, splitting a region into disjoint forks, the lowest
//! Python of a region, and markers as people read them.

use std::ops::Bound;
use std::str::FromStr;

use pep440_rs::Version;
use pep508_rs::{ExtraOperator, MarkerExpression, MarkerTree};

use crate::filename::normalize_name;

/// The part of `marker` that applies to a package's base (`extra == None`) or to
/// one of its extras: `extra == 'x'` is true for that extra and false otherwise.
pub fn settle_extras(marker: &MarkerTree, extra: Option<&str>) -> MarkerTree {
    if marker.is_true() || marker.is_false() {
        return marker.clone();
    }
    let mentions_extra = marker.try_to_string().is_some_and(|s| s.contains("extra"));
    if !mentions_extra {
        return marker.clone();
    }
    let wanted = extra.map(normalize_name);
    let mut out = MarkerTree::FALSE;
    for conjunction in marker.to_dnf() {
        let mut term = MarkerTree::TRUE;
        let mut holds = true;
        for expr in conjunction {
            match &expr {
                MarkerExpression::Extra { operator, name } => {
                    let is = wanted.as_deref() == Some(normalize_name(&name.to_string()).as_str());
                    let ok = match operator {
                        ExtraOperator::Equal => is,
                        ExtraOperator::NotEqual => !is,
                    };
                    if !ok {
                        holds = false;
                        break;
                    }
                }
                _ => term.and(MarkerTree::expression(expr.clone())),
            }
        }
        if holds {
            out.or(term);
        }
    }
    out
}

/// `a ∧ b`.
pub fn and(a: &MarkerTree, b: &MarkerTree) -> MarkerTree {
    let mut m = a.clone();
    m.and(b.clone());
    m
}

/// `a ∨ b`.
pub fn or(a: &MarkerTree, b: &MarkerTree) -> MarkerTree {
    let mut m = a.clone();
    m.or(b.clone());
    m
}

/// Splits `region` into the non-empty cells that the `markers` cut it into
/// (each cell lies wholly inside or wholly outside each marker).
pub fn split(region: &MarkerTree, markers: &[MarkerTree]) -> Vec<MarkerTree> {
    let mut cells = vec![region.clone()];
    for m in markers {
        let not_m = m.negate();
        let mut next = Vec::with_capacity(cells.len() * 2);
        for cell in &cells {
            for part in [and(cell, m), and(cell, &not_m)] {
                if !part.is_false() && !next.contains(&part) {
                    next.push(part);
                }
            }
        }
        cells = next;
    }
    cells
}

fn python_marker(op: &str, v: &str) -> Option<MarkerTree> {
    MarkerTree::from_str(&format!("python_full_version {op} '{v}'")).ok()
}

/// The lowest Python (to minor-version precision, from `floor` up) that `region` allows.
pub fn lowest_python(region: &MarkerTree, floor: &Version) -> Version {
    let release = floor.release();
    let major = release.first().copied().unwrap_or(3);
    let minor = release.get(1).copied().unwrap_or(0);
    let mut low = floor.clone();
    for next_minor in (minor + 1)..=(minor + 40) {
        let high = Version::new([major, next_minor]);
        let cell = match (python_marker(">=", &low.to_string()), python_marker("<", &high.to_string())) {
            (Some(a), Some(b)) => and(&and(region, &a), &b),
            _ => return floor.clone(),
        };
        if !cell.is_false() {
            return low;
        }
        low = high;
    }
    floor.clone()
}

/// A marker as text for output, without the part every environment of the
/// resolution already satisfies (Requires-Python: `floor <= python < ceiling`);
/// `None` when always true.
pub fn display(marker: &MarkerTree, floor: Option<&Version>, ceiling: Option<&Version>) -> Option<String> {
    let lower = floor.map_or(Bound::Unbounded, Bound::Included);
    let upper = ceiling.map_or(Bound::Unbounded, Bound::Excluded);
    let simplified = if floor.is_some() || ceiling.is_some() {
        marker.clone().simplify_python_versions(lower, upper)
    } else {
        marker.clone()
    };
    simplified.try_to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> MarkerTree {
        MarkerTree::from_str(s).unwrap_or(MarkerTree::FALSE)
    }

    #[test]
    fn extras_settle() {
        let marker = m("sys_platform == 'linux' and extra == 'cli'");
        assert_eq!(settle_extras(&marker, Some("cli")), m("sys_platform == 'linux'"));
        assert!(settle_extras(&marker, None).is_false());
        assert!(settle_extras(&marker, Some("other")).is_false());
        assert_eq!(settle_extras(&m("os_name == 'nt'"), None), m("os_name == 'nt'"));
    }

    #[test]
    fn split_into_cells() {
        let cells = split(&MarkerTree::TRUE, &[m("sys_platform == 'linux'"), m("sys_platform == 'darwin'")]);
        assert_eq!(cells.len(), 3);
        for (i, a) in cells.iter().enumerate() {
            for b in cells.iter().skip(i + 1) {
                assert!(a.is_disjoint(b));
            }
        }
    }

    #[test]
    fn lowest_python_of_a_region() {
        let floor = Version::new([3u64, 8]);
        assert_eq!(lowest_python(&m("python_version >= '3.10'"), &floor), Version::new([3u64, 10]));
        assert_eq!(lowest_python(&MarkerTree::TRUE, &floor), floor);
    }
}
