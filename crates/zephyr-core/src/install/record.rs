//! RECORD files (PEP 376 / PEP 427): CSV lines `path,algo=urlsafe-b64-nopad,size`.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use sha2::{Digest, Sha256, Sha384, Sha512};

/// One line of a RECORD file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordEntry {
    pub path: String,
    /// `algo=value` as written, or None when empty.
    pub hash: Option<String>,
    pub size: Option<u64>,
}

/// Split one CSV line into fields (RFC 4180 quoting with `"` and doubled quotes).
fn split_csv(line: &str) -> Vec<String> {
    let mut fields = Vec::new();
    let mut cur = String::new();
    let mut in_quotes = false;
    let mut chars = line.chars().peekable();
    while let Some(c) = chars.next() {
        if in_quotes {
            if c == '"' {
                if chars.peek() == Some(&'"') {
                    cur.push('"');
                    chars.next();
                } else {
                    in_quotes = false;
                }
            } else {
                cur.push(c);
            }
        } else if c == '"' {
            in_quotes = true;
        } else if c == ',' {
            fields.push(std::mem::take(&mut cur));
        } else {
            cur.push(c);
        }
    }
    fields.push(cur);
    fields
}

/// Parse RECORD text. Blank lines are skipped; missing fields are None.
pub fn parse_record(text: &str) -> Vec<RecordEntry> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    text.lines()
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let mut f = split_csv(line).into_iter();
            let path = f.next().unwrap_or_default();
            let hash = f.next().filter(|h| !h.is_empty());
            let size = f.next().and_then(|s| s.trim().parse::<u64>().ok());
            RecordEntry { path, hash, size }
        })
        .collect()
}

fn quote(field: &str) -> String {
    if field.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", field.replace('"', "\"\""))
    } else {
        field.to_string()
    }
}

/// One RECORD line (with trailing newline).
pub fn format_line(path: &str, hash: Option<&str>, size: Option<u64>) -> String {
    format!(
        "{},{},{}\n",
        quote(path),
        hash.unwrap_or(""),
        size.map(|s| s.to_string()).unwrap_or_default()
    )
}

/// `sha256=<urlsafe b64 nopad>` of bytes.
pub fn sha256_record_hash(bytes: &[u8]) -> String {
    format!("sha256={}", URL_SAFE_NO_PAD.encode(Sha256::digest(bytes)))
}

/// An incremental hasher for the algorithms RECORD may name (sha256 or stronger).
pub enum RecordHasher {
    Sha256(Sha256),
    Sha384(Sha384),
    Sha512(Sha512),
}

impl RecordHasher {
    /// A hasher for `algo`, or None for unsupported / too weak algorithms.
    pub fn for_algorithm(algo: &str) -> Option<Self> {
        match algo.to_ascii_lowercase().as_str() {
            "sha256" => Some(RecordHasher::Sha256(Sha256::new())),
            "sha384" => Some(RecordHasher::Sha384(Sha384::new())),
            "sha512" => Some(RecordHasher::Sha512(Sha512::new())),
            _ => None,
        }
    }

    pub fn update(&mut self, bytes: &[u8]) {
        match self {
            RecordHasher::Sha256(h) => h.update(bytes),
            RecordHasher::Sha384(h) => h.update(bytes),
            RecordHasher::Sha512(h) => h.update(bytes),
        }
    }

    /// `algo=<urlsafe b64 nopad>`.
    pub fn finish(self) -> String {
        match self {
            RecordHasher::Sha256(h) => format!("sha256={}", URL_SAFE_NO_PAD.encode(h.finalize())),
            RecordHasher::Sha384(h) => format!("sha384={}", URL_SAFE_NO_PAD.encode(h.finalize())),
            RecordHasher::Sha512(h) => format!("sha512={}", URL_SAFE_NO_PAD.encode(h.finalize())),
        }
    }
}

/// Whether two `algo=value` strings denote the same digest (algorithm name case-insensitive,
/// tolerating `=` padding on the value).
pub fn same_hash(a: &str, b: &str) -> bool {
    let norm = |h: &str| -> Option<(String, String)> {
        let (algo, value) = h.split_once('=')?;
        Some((algo.to_ascii_lowercase(), value.trim_end_matches('=').to_string()))
    };
    matches!((norm(a), norm(b)), (Some(x), Some(y)) if x == y)
}

/// Whether a dist-info member is RECORD or a RECORD signature, which carry no hash.
pub fn is_unhashed_member(path: &str, dist_info: &str) -> bool {
    matches!(
        path.strip_prefix(dist_info).and_then(|r| r.strip_prefix('/')),
        Some("RECORD") | Some("RECORD.jws") | Some("RECORD.p7s")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_and_formats() {
        let text = "a/b.py,sha256=abc,12\n\"we,ird\"\"name\",sha256=x,3\nx.dist-info/RECORD,,\n\n";
        let e = parse_record(text);
        assert_eq!(e.len(), 3);
        assert_eq!(e[0], RecordEntry { path: "a/b.py".into(), hash: Some("sha256=abc".into()), size: Some(12) });
        assert_eq!(e[1].path, "we,ird\"name");
        assert_eq!(e[2].hash, None);
        assert_eq!(format_line("we,ird\"name", Some("sha256=x"), Some(3)), "\"we,ird\"\"name\",sha256=x,3\n");
        assert_eq!(format_line("x/RECORD", None, None), "x/RECORD,,\n");
    }

    #[test]
    fn hashes() {
        assert_eq!(sha256_record_hash(b"abc"), "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0");
        let mut h = RecordHasher::for_algorithm("SHA256").expect("algo");
        h.update(b"a");
        h.update(b"bc");
        assert!(same_hash(&h.finish(), "sha256=ungWv48Bz-pBQUDeXa4iI7ADYaOWF3qctBD_YfIAFa0="));
        assert!(RecordHasher::for_algorithm("md5").is_none());
    }
}
