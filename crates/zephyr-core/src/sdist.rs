//! Reading `PKG-INFO` from source distributions (`.tar.gz` or `.zip`) and
//! deciding whether it is usable as static metadata (PEP 643).

use std::fs::File;
use std::io::Read;
use std::path::Path;

use crate::error::{CoreError, CoreResult};
use crate::metadata::CoreMetadata;

/// Limit on the size of PKG-INFO we are willing to read.
const MAX_PKG_INFO: u64 = 16 * 1024 * 1024;

fn is_top_pkg_info(path: &str) -> bool {
    let path = path.strip_prefix("./").unwrap_or(path);
    let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
    parts.len() == 2 && parts[1] == "PKG-INFO"
}

/// The text of `<top>/PKG-INFO`, or `None` if the archive has none.
pub fn read_pkg_info(path: &Path) -> CoreResult<Option<String>> {
    let display = path.display().to_string();
    let name = path.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    let file = File::open(path).map_err(|e| CoreError::io(&display, e))?;
    if name.ends_with(".zip") {
        let mut archive = zip::ZipArchive::new(file)
            .map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
        let member = archive.file_names().find(|n| is_top_pkg_info(n)).map(|s| s.to_string());
        let Some(member) = member else { return Ok(None) };
        let entry = archive
            .by_name(&member)
            .map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
        let mut bytes = Vec::new();
        entry.take(MAX_PKG_INFO).read_to_end(&mut bytes).map_err(|e| CoreError::io(&display, e))?;
        return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
    }
    if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        let mut archive = tar::Archive::new(flate2::read::GzDecoder::new(file));
        let entries = archive.entries().map_err(|e| CoreError::io(&display, e))?;
        for entry in entries {
            let entry = entry.map_err(|e| CoreError::io(&display, e))?;
            let member = entry.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
            if is_top_pkg_info(&member) {
                let mut bytes = Vec::new();
                entry.take(MAX_PKG_INFO).read_to_end(&mut bytes).map_err(|e| CoreError::io(&display, e))?;
                return Ok(Some(String::from_utf8_lossy(&bytes).into_owned()));
            }
        }
        return Ok(None);
    }
    Err(CoreError::BadArchive { path: display, detail: "not a .tar.gz or .zip source distribution".into() })
}

/// PKG-INFO text when it is static metadata per PEP 643, else `None`.
pub fn read_static_metadata(path: &Path) -> CoreResult<Option<String>> {
    let Some(text) = read_pkg_info(path)? else { return Ok(None) };
    match CoreMetadata::parse(&text) {
        Ok(md) if md.is_static_for_resolution() => Ok(Some(text)),
        _ => Ok(None),
    }
}

/// Batch form: one entry per path; unreadable archives count as "not static".
pub fn read_static_metadata_batch(paths: &[String]) -> Vec<Option<String>> {
    paths.iter().map(|p| read_static_metadata(Path::new(p)).ok().flatten()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    const STATIC: &str = "Metadata-Version: 2.2\nName: a\nVersion: 1.0\nRequires-Dist: b\n";
    const DYNAMIC: &str = "Metadata-Version: 2.2\nName: a\nVersion: 1.0\nDynamic: Requires-Dist\n";

    fn make_tar_gz(dir: &Path, name: &str, pkg_info: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut builder = tar::Builder::new(gz);
        for (member, data) in [("a-1.0/setup.py", "print()"), ("a-1.0/PKG-INFO", pkg_info), ("a-1.0/sub/PKG-INFO", "x")] {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            header.set_cksum();
            builder.append_data(&mut header, member, data.as_bytes()).unwrap();
        }
        builder.into_inner().unwrap().finish().unwrap();
        path
    }

    fn make_zip(dir: &Path, name: &str, pkg_info: &str) -> std::path::PathBuf {
        let path = dir.join(name);
        let file = File::create(&path).unwrap();
        let mut zip = zip::ZipWriter::new(file);
        let opts = zip::write::SimpleFileOptions::default();
        zip.start_file("a-1.0/PKG-INFO", opts).unwrap();
        zip.write_all(pkg_info.as_bytes()).unwrap();
        zip.finish().unwrap();
        path
    }

    #[test]
    fn reads_static_metadata_from_tar_gz_and_zip() {
        let dir = tempfile::tempdir().unwrap();
        let t = make_tar_gz(dir.path(), "a-1.0.tar.gz", STATIC);
        assert_eq!(read_static_metadata(&t).unwrap().as_deref(), Some(STATIC));
        let d = make_tar_gz(dir.path(), "a-2.0.tar.gz", DYNAMIC);
        assert_eq!(read_static_metadata(&d).unwrap(), None);
        assert!(read_pkg_info(&d).unwrap().is_some());
        let z = make_zip(dir.path(), "a-1.0.zip", STATIC);
        assert_eq!(read_static_metadata(&z).unwrap().as_deref(), Some(STATIC));
        let batch = read_static_metadata_batch(&[
            t.display().to_string(),
            dir.path().join("missing.tar.gz").display().to_string(),
            d.display().to_string(),
        ]);
        assert_eq!(batch, vec![Some(STATIC.to_string()), None, None]);
    }
}
