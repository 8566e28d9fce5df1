//! Reading members of zip archives (wheels) without unpacking them.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{CoreError, CoreResult};

/// Returns the bytes of every member whose name matches `wanted`, in archive order.
pub fn read_members<F>(path: &Path, wanted: F) -> CoreResult<Vec<(String, Vec<u8>)>>
where
    F: Fn(&str) -> bool,
{
    let display = path.display().to_string();
    let file = File::open(path).map_err(|e| CoreError::io(&display, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| CoreError::BadArchive {
        path: display.clone(),
        detail: e.to_string(),
    })?;
    let mut out = Vec::new();
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| CoreError::BadArchive {
            path: display.clone(),
            detail: e.to_string(),
        })?;
        let name = entry.name().to_string();
        if !wanted(&name) {
            continue;
        }
        let mut bytes = Vec::with_capacity(entry.size() as usize);
        entry
            .read_to_end(&mut bytes)
            .map_err(|e| CoreError::io(format!("{display}!{name}"), e))?;
        out.push((name, bytes));
    }
    Ok(out)
}

/// The bytes of one named member.
pub fn read_member(path: &Path, member: &str) -> CoreResult<Vec<u8>> {
    read_members(path, |n| n == member)?
        .into_iter()
        .next()
        .map(|(_, bytes)| bytes)
        .ok_or_else(|| CoreError::MissingMember {
            path: path.display().to_string(),
            member: member.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn make_zip(members: &[(&str, &[u8])]) -> tempfile::NamedTempFile {
        let f = tempfile::NamedTempFile::new().expect("temp");
        let mut w = zip::ZipWriter::new(f.reopen().expect("reopen"));
        for (name, data) in members {
            w.start_file(*name, zip::write::SimpleFileOptions::default()).expect("start");
            w.write_all(data).expect("write");
        }
        w.finish().expect("finish");
        f
    }

    #[test]
    fn reads_a_member() {
        let z = make_zip(&[("a.txt", b"hello"), ("pkg/b.py", b"x = 1\n")]);
        assert_eq!(read_member(z.path(), "pkg/b.py").expect("read"), b"x = 1\n");
    }

    #[test]
    fn missing_member_and_bad_archive() {
        let z = make_zip(&[("a.txt", b"hello")]);
        assert_eq!(read_member(z.path(), "nope").unwrap_err().code(), "ZE_MISSING_MEMBER");
        let mut not_zip = tempfile::NamedTempFile::new().expect("temp");
        not_zip.write_all(b"definitely not a zip").expect("write");
        assert_eq!(read_member(not_zip.path(), "a").unwrap_err().code(), "ZE_BAD_ARCHIVE");
    }
}
