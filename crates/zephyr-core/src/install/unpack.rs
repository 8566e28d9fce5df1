//! Unpacking wheels into the cache: safe paths, zip-bomb limits, RECORD hashes,
//! atomic publish by renaming a temp sibling into place.

use std::collections::HashMap;
use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use serde::{Deserialize, Serialize};

use super::distinfo::{find_dist_info, parse_wheel_file, read_name_version, read_text};
use super::record::{is_unhashed_member, parse_record, same_hash, RecordHasher};
use crate::error::{CoreError, CoreResult};

/// Sum of declared uncompressed sizes above which a wheel is refused.
pub const MAX_TOTAL_SIZE: u64 = 4 * 1024 * 1024 * 1024;
/// Compression ratio above which a large member is refused.
pub const MAX_RATIO: u64 = 200;
/// Members at most this large are exempt from the ratio check.
pub const RATIO_MIN_SIZE: u64 = 10 * 1024 * 1024;

#[derive(Debug, Clone, Deserialize)]
pub struct UnpackItem {
    pub wheel: String,
    pub dest: String,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase")]
pub struct Unpacked {
    pub dest: String,
    pub name: String,
    pub version: String,
    /// Absolute path of the `.dist-info` directory inside `dest`.
    pub dist_info: String,
}

/// Unpack each wheel, several at a time (inflating and hashing are CPU-bound). Results are in
/// input order; if any wheel fails, the first failure (in input order) is returned. Each wheel is
/// published atomically on its own, so the ones that succeeded stay valid cache entries.
pub fn unpack_wheels(items: &[UnpackItem]) -> CoreResult<Vec<Unpacked>> {
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).min(items.len()).min(8);
    if workers <= 1 {
        return items.iter().map(|i| unpack_wheel(Path::new(&i.wheel), Path::new(&i.dest))).collect();
    }
    let next = std::sync::atomic::AtomicUsize::new(0);
    let results: std::sync::Mutex<Vec<Option<CoreResult<Unpacked>>>> =
        std::sync::Mutex::new((0..items.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            scope.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(item) = items.get(i) else { break };
                let r = unpack_wheel(Path::new(&item.wheel), Path::new(&item.dest));
                if let Ok(mut guard) = results.lock() {
                    if let Some(slot) = guard.get_mut(i) {
                        *slot = Some(r);
                    }
                }
            });
        }
    });
    let results = results.into_inner().map_err(|_| CoreError::Install("an unpack worker panicked".into()))?;
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(CoreError::Install("an unpack worker panicked".into()))))
        .collect()
}

/// The reason a member name is unsafe, if it is.
fn unsafe_name(name: &str) -> Option<&'static str> {
    if name.is_empty() {
        return Some("empty name");
    }
    if name.contains('\0') {
        return Some("NUL in name");
    }
    if name.starts_with('/') || name.starts_with('\\') {
        return Some("absolute path");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Some("drive letter");
    }
    if name.split(['/', '\\']).any(|c| c == "..") {
        return Some("path escapes the destination (..)");
    }
    None
}

static COUNTER: AtomicU64 = AtomicU64::new(0);

fn temp_sibling(dest: &Path) -> CoreResult<PathBuf> {
    let parent = dest
        .parent()
        .ok_or_else(|| CoreError::BadOptions(format!("{}: destination has no parent", dest.display())))?;
    let base = dest.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    Ok(parent.join(format!(".{base}.tmp-{}-{n}", std::process::id())))
}

fn describe(dest: &Path) -> CoreResult<Unpacked> {
    let di = find_dist_info(dest)?;
    let (name, version) = read_name_version(&di)?;
    Ok(Unpacked {
        dest: dest.display().to_string(),
        name,
        version,
        dist_info: di.display().to_string(),
    })
}

/// Unpack one wheel into `dest` unless `dest` already exists (published before).
pub fn unpack_wheel(wheel: &Path, dest: &Path) -> CoreResult<Unpacked> {
    if dest.exists() {
        return describe(dest);
    }
    let parent = dest.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(parent).map_err(|e| CoreError::io(parent.display().to_string(), e))?;
    let tmp = temp_sibling(dest)?;
    let result = extract(wheel, &tmp).and_then(|()| {
        // Validate the unpacked tree before publishing it.
        let di = find_dist_info(&tmp)?;
        read_name_version(&di)?;
        let wheel_file = di.join("WHEEL");
        parse_wheel_file(&read_text(&wheel_file)?, &wheel.display().to_string())?;
        Ok(())
    });
    if let Err(e) = result {
        let _ = fs::remove_dir_all(&tmp);
        return Err(e);
    }
    if let Err(e) = fs::rename(&tmp, dest) {
        let _ = fs::remove_dir_all(&tmp);
        // Another process published the same entry first: theirs is as good as ours.
        if !dest.exists() {
            return Err(CoreError::io(dest.display().to_string(), e));
        }
    }
    describe(dest)
}

fn bad_archive(wheel: &str, e: impl std::fmt::Display) -> CoreError {
    CoreError::BadArchive { path: wheel.to_string(), detail: e.to_string() }
}

fn extract(wheel: &Path, tmp: &Path) -> CoreResult<()> {
    let wname = wheel.display().to_string();
    let file = File::open(wheel).map_err(|e| CoreError::io(&wname, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| bad_archive(&wname, e))?;
    let unsafe_member = |member: &str, reason: &str| CoreError::UnsafeWheel {
        wheel: wname.clone(),
        member: member.to_string(),
        reason: reason.to_string(),
    };

    // Pass 1: names, kinds and declared sizes, before writing anything.
    let mut total: u64 = 0;
    let mut dist_infos: Vec<String> = Vec::new();
    for i in 0..zip.len() {
        let entry = zip.by_index_raw(i).map_err(|e| bad_archive(&wname, e))?;
        let name = entry.name().to_string();
        if let Some(reason) = unsafe_name(&name) {
            return Err(unsafe_member(&name, reason));
        }
        if let Some(mode) = entry.unix_mode() {
            if mode & 0o170000 == 0o120000 {
                return Err(unsafe_member(&name, "symbolic link entries are not allowed"));
            }
        }
        let size = entry.size();
        total = total.saturating_add(size);
        if total > MAX_TOTAL_SIZE {
            return Err(unsafe_member(&name, "total uncompressed size exceeds 4 GiB (zip bomb?)"));
        }
        let compressed = entry.compressed_size().max(1);
        if size > RATIO_MIN_SIZE && size / compressed > MAX_RATIO {
            return Err(unsafe_member(&name, "compression ratio exceeds 200 (zip bomb?)"));
        }
        if let Some(top) = name.split('/').next() {
            if top.ends_with(".dist-info") && name.contains('/') && !dist_infos.iter().any(|d| d == top) {
                dist_infos.push(top.to_string());
            }
        }
    }
    let dist_info = match dist_infos.len() {
        1 => dist_infos.remove(0),
        0 => return Err(CoreError::BadWheel(format!("{wname}: no .dist-info directory"))),
        _ => return Err(CoreError::BadWheel(format!("{wname}: more than one .dist-info directory"))),
    };

    // RECORD first, so each member can be checked while it is written.
    let record_name = format!("{dist_info}/RECORD");
    let record_text = {
        let mut entry = zip.by_name(&record_name).map_err(|_| CoreError::MissingMember {
            path: wname.clone(),
            member: record_name.clone(),
        })?;
        let mut bytes = Vec::new();
        let limit = entry.size().saturating_add(1).min(64 * 1024 * 1024);
        (&mut entry)
            .take(limit)
            .read_to_end(&mut bytes)
            .map_err(|e| CoreError::io(format!("{wname}!{record_name}"), e))?;
        String::from_utf8_lossy(&bytes).into_owned()
    };
    let record: HashMap<String, (Option<String>, Option<u64>)> = parse_record(&record_text)
        .into_iter()
        .map(|e| (e.path, (e.hash, e.size)))
        .collect();

    fs::create_dir_all(tmp).map_err(|e| CoreError::io(tmp.display().to_string(), e))?;
    let mut buf = vec![0u8; 256 * 1024];
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| bad_archive(&wname, e))?;
        let name = entry.name().to_string();
        let rel = name.replace('\\', "/");
        let target = tmp.join(&rel);
        if entry.is_dir() || name.ends_with('/') {
            fs::create_dir_all(&target).map_err(|e| CoreError::io(target.display().to_string(), e))?;
            continue;
        }
        let mismatch = |reason: String| CoreError::RecordMismatch {
            wheel: wname.clone(),
            member: name.clone(),
            reason,
        };
        let unhashed = is_unhashed_member(&rel, &dist_info);
        let mut hasher = if unhashed {
            None
        } else {
            match record.get(&rel).or_else(|| record.get(&name)) {
                None => return Err(mismatch("not listed in RECORD".into())),
                Some((None, _)) => return Err(mismatch("RECORD has no hash for it".into())),
                Some((Some(h), _)) => {
                    let algo = h.split_once('=').map(|(a, _)| a).unwrap_or("");
                    Some(RecordHasher::for_algorithm(algo).ok_or_else(|| {
                        mismatch(format!("unsupported hash algorithm `{algo}` in RECORD"))
                    })?)
                }
            }
        };
        if let Some(p) = target.parent() {
            fs::create_dir_all(p).map_err(|e| CoreError::io(p.display().to_string(), e))?;
        }
        let declared = entry.size();
        let executable = entry.unix_mode().map(|m| m & 0o111 != 0).unwrap_or(false);
        let tdisp = target.display().to_string();
        let mut out = File::create(&target).map_err(|e| CoreError::io(&tdisp, e))?;
        let mut written: u64 = 0;
        loop {
            let n = entry.read(&mut buf).map_err(|e| CoreError::io(format!("{wname}!{name}"), e))?;
            if n == 0 {
                break;
            }
            written += n as u64;
            if written > declared {
                return Err(unsafe_member(&name, "more bytes than the declared size (zip bomb?)"));
            }
            if let Some(h) = hasher.as_mut() {
                h.update(&buf[..n]);
            }
            out.write_all(&buf[..n]).map_err(|e| CoreError::io(&tdisp, e))?;
        }
        drop(out);
        if let (Some(h), Some((Some(expected), size))) = (hasher, record.get(&rel).or_else(|| record.get(&name))) {
            let actual = h.finish();
            if !same_hash(&actual, expected) {
                return Err(mismatch(format!("hash is {actual}, RECORD says {expected}")));
            }
            if let Some(size) = size {
                if *size != written {
                    return Err(mismatch(format!("size is {written}, RECORD says {size}")));
                }
            }
        }
        #[cfg(unix)]
        if executable {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(&target, fs::Permissions::from_mode(0o755)).map_err(|e| CoreError::io(&tdisp, e))?;
        }
        #[cfg(not(unix))]
        let _ = executable;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::unsafe_name;

    #[test]
    fn unsafe_names() {
        assert!(unsafe_name("pkg/mod.py").is_none());
        assert!(unsafe_name("../evil").is_some());
        assert!(unsafe_name("pkg/../../evil").is_some());
        assert!(unsafe_name("/etc/passwd").is_some());
        assert!(unsafe_name("C:/x").is_some());
        assert!(unsafe_name("pkg\\..\\x").is_some());
    }
}
