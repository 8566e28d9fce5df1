//! PEP 508 requirement parsing with readable, caret-underlined errors.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::str::FromStr;

use pep508_rs::{Pep508Error, Requirement, VerbatimUrl};

/// Render a PEP 508 error as `message\ninput\n   ^^^`.
fn render_error(err: &Pep508Error<VerbatimUrl>) -> String {
    // The crate's Display asserts on some spans; never let that escape.
    match catch_unwind(AssertUnwindSafe(|| err.to_string())) {
        Ok(s) => s,
        Err(_) => {
            let start = err.input[..err.start.min(err.input.len())].chars().count();
            format!("{}\n{}\n{}^", err.message, err.input, " ".repeat(start))
        }
    }
}

/// Parse one requirement line.
pub fn parse_requirement(line: &str) -> Result<Requirement<VerbatimUrl>, String> {
    let line = line.trim();
    match catch_unwind(AssertUnwindSafe(|| Requirement::<VerbatimUrl>::from_str(line))) {
        Ok(Ok(req)) => Ok(req),
        Ok(Err(err)) => Err(render_error(&err)),
        Err(_) => Err(format!("invalid requirement\n{line}")),
    }
}

/// For each line, `""` if it is a valid PEP 508 requirement, else the error message.
pub fn check_requirements(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| parse_requirement(l).err().unwrap_or_default()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_lines() {
        let out = check_requirements(&["a>=1.0".into(), "b[x]; python_version > '3'".into(), "c>=>1".into()]);
        assert_eq!(out[0], "");
        assert_eq!(out[1], "");
        assert!(out[2].contains("c>=>1"), "{}", out[2]);
        assert!(out[2].contains('^'), "{}", out[2]);
    }
}
