//! The install journal: written before anything is touched so that a failed or
//! killed install can be rolled back exactly.
//!
//! Invariants that make rollback sound:
//! - `created` lists every file the install may create. A path that is not also in
//!   `moved` did not exist when the journal was written, so if it exists, we made it.
//!   A path that is also in `moved` is deleted only once its backup exists (the
//!   original was moved away first).
//! - A backup exists only once complete (rename, or copy to `.partial` then rename).
//! - `committed` is written before backups are deleted; a committed journal is only
//!   cleaned up, never rolled back.

use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Moved {
    pub original: PathBuf,
    pub backup: PathBuf,
}

#[derive(Debug, Clone, Serialize, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct Journal {
    pub version: u32,
    pub backup_dir: PathBuf,
    pub created: Vec<PathBuf>,
    pub created_dirs: Vec<PathBuf>,
    pub moved: Vec<Moved>,
    #[serde(default)]
    pub committed: bool,
}

fn io(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::io(path.display().to_string(), e)
}

/// Backup folder used for a journal path: `<journal>.backup`.
pub fn backup_dir_for(journal: &Path) -> PathBuf {
    let mut s = journal.as_os_str().to_os_string();
    s.push(".backup");
    PathBuf::from(s)
}

/// Write the journal atomically (temp file, fsync, rename).
pub fn write_journal(path: &Path, journal: &Journal) -> CoreResult<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| io(parent, e))?;
    }
    let mut tmp = path.as_os_str().to_os_string();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let bytes = serde_json::to_vec(journal).map_err(|e| CoreError::Install(format!("journal: {e}")))?;
    {
        let mut f = fs::File::create(&tmp).map_err(|e| io(&tmp, e))?;
        f.write_all(&bytes).map_err(|e| io(&tmp, e))?;
        f.sync_all().map_err(|e| io(&tmp, e))?;
    }
    fs::rename(&tmp, path).map_err(|e| io(path, e))
}

/// Move `from` to `to`: rename, or across filesystems copy to `to.partial`, rename, delete.
pub fn move_file(from: &Path, to: &Path) -> std::io::Result<()> {
    if let Some(p) = to.parent() {
        fs::create_dir_all(p)?;
    }
    match fs::rename(from, to) {
        Ok(()) => Ok(()),
        Err(e) if is_cross_device(&e) => {
            let mut partial = to.as_os_str().to_os_string();
            partial.push(".partial");
            let partial = PathBuf::from(partial);
            copy_preserving(from, &partial)?;
            fs::rename(&partial, to)?;
            fs::remove_file(from)
        }
        Err(e) => Err(e),
    }
}

fn copy_preserving(from: &Path, to: &Path) -> std::io::Result<()> {
    let meta = fs::symlink_metadata(from)?;
    if meta.file_type().is_symlink() {
        let target = fs::read_link(from)?;
        #[cfg(unix)]
        return std::os::unix::fs::symlink(target, to);
        #[cfg(not(unix))]
        {
            let _ = target;
            fs::copy(from, to).map(|_| ())
        }
    } else {
        fs::copy(from, to).map(|_| ())
    }
}

pub fn is_cross_device(e: &std::io::Error) -> bool {
    // EXDEV on Unix, ERROR_NOT_SAME_DEVICE on Windows.
    #[cfg(windows)]
    let code = 17;
    #[cfg(not(windows))]
    let code = 18;
    e.raw_os_error() == Some(code)
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Undo everything a journal describes (or finish cleaning up a committed one).
/// Errors of individual steps are collected; the journal is kept if any step failed.
pub fn rollback(journal_path: &Path, journal: &Journal) -> CoreResult<()> {
    let mut failures: Vec<String> = Vec::new();
    if !journal.committed {
        let moved_originals: std::collections::HashSet<&PathBuf> = journal.moved.iter().map(|m| &m.original).collect();
        let backup_of: std::collections::HashMap<&PathBuf, &PathBuf> =
            journal.moved.iter().map(|m| (&m.original, &m.backup)).collect();
        for p in &journal.created {
            let ours = if moved_originals.contains(p) {
                backup_of.get(p).map(|b| exists(b)).unwrap_or(false)
            } else {
                true
            };
            if ours && exists(p) {
                if let Err(e) = fs::remove_file(p) {
                    failures.push(format!("{}: {e}", p.display()));
                }
            }
        }
        for m in &journal.moved {
            if exists(&m.backup) {
                if exists(&m.original) {
                    let _ = fs::remove_file(&m.original);
                }
                if let Err(e) = move_file(&m.backup, &m.original) {
                    failures.push(format!("{}: {e}", m.original.display()));
                }
            }
        }
        let mut dirs = journal.created_dirs.clone();
        dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
        for d in dirs {
            let _ = fs::remove_dir(&d); // only succeeds when empty
        }
    }
    if !failures.is_empty() {
        return Err(CoreError::Install(format!(
            "rollback of {} was incomplete; the journal is kept: {}",
            journal_path.display(),
            failures.join("; ")
        )));
    }
    let _ = fs::remove_dir_all(&journal.backup_dir);
    fs::remove_file(journal_path).or_else(|e| if e.kind() == std::io::ErrorKind::NotFound { Ok(()) } else { Err(e) })
        .map_err(|e| io(journal_path, e))
}

/// Roll back an unfinished journal left by a killed process. True if there was one.
pub fn recover_journal(path: &Path) -> CoreResult<bool> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            // A crash during the atomic write leaves only the temp file: nothing was touched yet.
            let mut tmp = path.as_os_str().to_os_string();
            tmp.push(".tmp");
            return Ok(fs::remove_file(PathBuf::from(tmp)).is_ok());
        }
        Err(e) => return Err(io(path, e)),
    };
    let journal: Journal = serde_json::from_slice(&bytes)
        .map_err(|e| CoreError::Install(format!("{}: unreadable journal: {e}", path.display())))?;
    rollback(path, &journal)?;
    Ok(true)
}
