//! Applying an install plan: remove distributions by their RECORD, install unpacked
//! wheels from the cache by a link mode, write scripts and RECORD, all journaled.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::io::Write;
use std::path::{Component, Path, PathBuf};

use serde::{Deserialize, Serialize};

use super::distinfo::{find_dist_info, parse_entry_points, parse_wheel_file, read_name_version, read_text, EntryPoint};
use super::journal::{backup_dir_for, is_cross_device, move_file, rollback, write_journal, Journal, Moved};
use super::record::{format_line, parse_record, sha256_record_hash};
use crate::error::{CoreError, CoreResult};

#[derive(Debug, Clone, Deserialize)]
pub struct Scheme {
    pub purelib: PathBuf,
    pub platlib: PathBuf,
    pub scripts: PathBuf,
    pub data: PathBuf,
    pub headers: PathBuf,
}

#[derive(Debug, Clone, Copy, Deserialize, Serialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum LinkMode {
    Clone,
    Hardlink,
    Copy,
    Symlink,
}

#[derive(Debug, Clone, Deserialize)]
pub struct RemoveItem {
    pub name: String,
    #[serde(rename = "distInfo")]
    pub dist_info: PathBuf,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallItem {
    pub unpacked: PathBuf,
    #[serde(default)]
    pub requested: bool,
    #[serde(default)]
    pub direct_url: Option<serde_json::Value>,
}

/// Test hooks: fail (with rollback) or "crash" (no rollback) after N created files.
#[derive(Debug, Clone, Copy, Default)]
pub struct FaultInjection {
    pub fail_after: Option<usize>,
    pub crash_after: Option<usize>,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallRequest {
    pub scheme: Scheme,
    pub python: String,
    pub link_mode: LinkMode,
    #[serde(default = "default_installer")]
    pub installer: String,
    #[serde(default)]
    pub remove: Vec<RemoveItem>,
    #[serde(default)]
    pub install: Vec<InstallItem>,
    pub journal: PathBuf,
    #[serde(skip)]
    pub faults: FaultInjection,
}

fn default_installer() -> String {
    "zephyr".into()
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct InstalledReport {
    pub name: String,
    pub version: String,
    pub files: usize,
}

#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct RemovedReport {
    pub name: String,
    pub files: usize,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct InstallReport {
    pub installed: Vec<InstalledReport>,
    pub removed: Vec<RemovedReport>,
    pub warnings: Vec<String>,
    pub link_mode: LinkMode,
}

/// Where a created file's bytes come from.
enum Source {
    /// Linked from the cache by the link mode; RECORD hash/size known from the cache's RECORD.
    Link { src: PathBuf, hash: Option<String>, size: Option<u64> },
    /// Written fresh (modified on install).
    Bytes { bytes: Vec<u8>, executable: bool },
}

struct FileOp {
    dest: PathBuf,
    source: Source,
}

struct WheelPlan {
    name: String,
    version: String,
    /// purelib or platlib: the directory RECORD paths are relative to.
    root: PathBuf,
    dist_info_dest: PathBuf,
    ops: Vec<FileOp>,
    requested: bool,
    direct_url: Option<String>,
}

struct RemovePlan {
    name: String,
    dist_info: PathBuf,
    files: Vec<PathBuf>,
}

fn io(path: &Path, e: std::io::Error) -> CoreError {
    CoreError::io(path.display().to_string(), e)
}

fn exists(p: &Path) -> bool {
    fs::symlink_metadata(p).is_ok()
}

/// Lexically normalise (`.` and `..`) without touching the disk.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// Relative path from directory `from` to `to` (both absolute), with `/` separators.
fn relative(from: &Path, to: &Path) -> String {
    let f: Vec<_> = normalize(from).components().map(|c| c.as_os_str().to_os_string()).collect();
    let t: Vec<_> = normalize(to).components().map(|c| c.as_os_str().to_os_string()).collect();
    let common = f.iter().zip(t.iter()).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<String> = Vec::new();
    for _ in common..f.len() {
        parts.push("..".into());
    }
    for c in &t[common..] {
        parts.push(c.to_string_lossy().into_owned());
    }
    parts.join("/")
}

/// The shebang line(s) for an interpreter path (pip's `/bin/sh` trick for long or spaced paths).
pub fn shebang(python: &str) -> String {
    if python.len() > 127 || python.contains([' ', '\t']) {
        format!("#!/bin/sh\n'''exec' '{python}' \"$0\" \"$@\"\n' '''\n")
    } else {
        format!("#!{python}\n")
    }
}

/// The launcher script for a console or GUI entry point.
pub fn launcher(python: &str, ep: &EntryPoint) -> String {
    let (first, rest) = match ep.attr.split_once('.') {
        Some((a, b)) => (a.to_string(), format!(".{b}")),
        None => (ep.attr.clone(), String::new()),
    };
    format!(
        "{}# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom {} import {first}\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit({first}{rest}())\n",
        shebang(python),
        ep.module
    )
}

/// Rewrite a `#!python` / `#!pythonw` first line to the interpreter; other content unchanged.
fn rewrite_script(bytes: &[u8], python: &str) -> Vec<u8> {
    let rest = bytes
        .strip_prefix(b"#!pythonw")
        .or_else(|| bytes.strip_prefix(b"#!python"));
    match rest {
        Some(rest) => {
            let nl = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let args = String::from_utf8_lossy(&rest[..nl]).trim_end_matches('\r').to_string();
            let body = rest.get(nl + 1..).unwrap_or(&[]);
            let mut out = if args.trim().is_empty() {
                shebang(python).into_bytes()
            } else {
                format!("#!{python}{args}\n").into_bytes()
            };
            out.extend_from_slice(body);
            out
        }
        None => bytes.to_vec(),
    }
}

fn walk_files(dir: &Path, out: &mut Vec<PathBuf>) -> CoreResult<()> {
    let mut entries: Vec<_> = fs::read_dir(dir)
        .map_err(|e| io(dir, e))?
        .collect::<Result<_, _>>()
        .map_err(|e| io(dir, e))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let path = entry.path();
        let ft = entry.file_type().map_err(|e| io(&path, e))?;
        if ft.is_dir() {
            walk_files(&path, out)?;
        } else if ft.is_file() {
            out.push(path);
        } else {
            return Err(CoreError::BadWheel(format!("{}: unexpected non-regular file in unpacked wheel", path.display())));
        }
    }
    Ok(())
}

fn plan_wheel(req: &InstallRequest, item: &InstallItem) -> CoreResult<WheelPlan> {
    let root_dir = &item.unpacked;
    let di = find_dist_info(root_dir)?;
    let di_name = di.file_name().map(|n| n.to_string_lossy().to_string()).unwrap_or_default();
    let (name, version) = read_name_version(&di)?;
    let purelib = parse_wheel_file(&read_text(&di.join("WHEEL"))?, &di.display().to_string())?;
    let root = if purelib { req.scheme.purelib.clone() } else { req.scheme.platlib.clone() };
    let stem = di_name.trim_end_matches(".dist-info").to_string();
    let data_dir = format!("{stem}.data");

    // Known hashes from the cache's RECORD (verified when unpacked).
    let known: HashMap<String, (Option<String>, Option<u64>)> = match fs::read(di.join("RECORD")) {
        Ok(b) => parse_record(&String::from_utf8_lossy(&b)).into_iter().map(|e| (e.path, (e.hash, e.size))).collect(),
        Err(_) => HashMap::new(),
    };

    let mut files = Vec::new();
    walk_files(root_dir, &mut files)?;
    let mut ops = Vec::new();
    for src in files {
        let rel_path = src.strip_prefix(root_dir).map_err(|_| CoreError::BadWheel(format!("{}: outside unpacked wheel", src.display())))?;
        let rel: String = rel_path.components().map(|c| c.as_os_str().to_string_lossy().into_owned()).collect::<Vec<_>>().join("/");
        if matches!(rel.strip_prefix(&format!("{di_name}/")), Some("RECORD" | "RECORD.jws" | "RECORD.p7s" | "INSTALLER" | "REQUESTED" | "direct_url.json")) {
            continue;
        }
        let (hash, size) = known.get(&rel).cloned().unwrap_or((None, None));
        if let Some(inner) = rel.strip_prefix(&format!("{data_dir}/")) {
            let (scheme, tail) = inner.split_once('/').ok_or_else(|| {
                CoreError::BadWheel(format!("{}: file directly inside {data_dir}", root_dir.display()))
            })?;
            let base = match scheme {
                "purelib" => &req.scheme.purelib,
                "platlib" => &req.scheme.platlib,
                "scripts" => &req.scheme.scripts,
                "data" => &req.scheme.data,
                "headers" => &req.scheme.headers,
                other => {
                    return Err(CoreError::BadWheel(format!("{}: unknown scheme `{other}` in {data_dir}", root_dir.display())))
                }
            };
            let dest = base.join(tail);
            if scheme == "scripts" {
                let bytes = fs::read(&src).map_err(|e| io(&src, e))?;
                ops.push(FileOp { dest, source: Source::Bytes { bytes: rewrite_script(&bytes, &req.python), executable: true } });
            } else {
                ops.push(FileOp { dest, source: Source::Link { src, hash, size } });
            }
        } else {
            ops.push(FileOp { dest: root.join(rel_path), source: Source::Link { src, hash, size } });
        }
    }
    let ep_file = di.join("entry_points.txt");
    if ep_file.is_file() {
        for ep in parse_entry_points(&read_text(&ep_file)?, &ep_file.display().to_string())? {
            ops.push(FileOp {
                dest: req.scheme.scripts.join(&ep.name),
                source: Source::Bytes { bytes: launcher(&req.python, &ep).into_bytes(), executable: true },
            });
        }
    }
    let direct_url = match &item.direct_url {
        None | Some(serde_json::Value::Null) => None,
        Some(serde_json::Value::String(s)) => Some(s.clone()),
        Some(v) => Some(v.to_string()),
    };
    Ok(WheelPlan {
        name,
        version,
        dist_info_dest: root.join(&di_name),
        root,
        ops,
        requested: item.requested,
        direct_url,
    })
}

fn plan_remove(item: &RemoveItem) -> CoreResult<RemovePlan> {
    let site = item
        .dist_info
        .parent()
        .ok_or_else(|| CoreError::Install(format!("{}: no parent directory", item.dist_info.display())))?;
    let record = item.dist_info.join("RECORD");
    let text = read_text(&record).map_err(|_| {
        CoreError::Install(format!("cannot uninstall {}: {} is missing", item.name, record.display()))
    })?;
    let mut files = BTreeSet::new();
    for entry in parse_record(&text) {
        let p = Path::new(&entry.path);
        let abs = normalize(&if p.is_absolute() { p.to_path_buf() } else { site.join(p) });
        let Ok(meta) = fs::symlink_metadata(&abs) else { continue };
        if meta.is_dir() {
            continue;
        }
        if abs.extension().is_some_and(|e| e == "py") {
            if let (Some(dir), Some(stem)) = (abs.parent(), abs.file_stem()) {
                let cache = dir.join("__pycache__");
                let prefix = format!("{}.", stem.to_string_lossy());
                if let Ok(rd) = fs::read_dir(&cache) {
                    for e in rd.flatten() {
                        let n = e.file_name().to_string_lossy().to_string();
                        if n.starts_with(&prefix) && n.ends_with(".pyc") {
                            files.insert(e.path());
                        }
                    }
                }
            }
        }
        files.insert(abs);
    }
    Ok(RemovePlan { name: item.name.clone(), dist_info: item.dist_info.clone(), files: files.into_iter().collect() })
}

struct Linker {
    mode: LinkMode,
    effective: LinkMode,
    warned: bool,
    warnings: Vec<String>,
}

impl Linker {
    fn fallback(&mut self, why: String) {
        self.effective = LinkMode::Copy;
        if !self.warned {
            self.warned = true;
            self.warnings.push(why);
        }
    }

    fn link(&mut self, src: &Path, dst: &Path) -> std::io::Result<()> {
        match self.mode {
            LinkMode::Copy => fs::copy(src, dst).map(|_| ()),
            LinkMode::Clone => {
                if self.effective == LinkMode::Copy {
                    return fs::copy(src, dst).map(|_| ());
                }
                match reflink_copy::reflink(src, dst) {
                    Ok(()) => Ok(()),
                    Err(e) => {
                        let _ = fs::remove_file(dst);
                        self.fallback(format!("clone (reflink) failed ({e}); falling back to copying files"));
                        fs::copy(src, dst).map(|_| ())
                    }
                }
            }
            LinkMode::Hardlink => match fs::hard_link(src, dst) {
                Ok(()) => Ok(()),
                Err(e) if is_cross_device(&e) => {
                    self.fallback(format!(
                        "hardlink failed: the cache and the environment are on different filesystems ({e}); falling back to copying files"
                    ));
                    fs::copy(src, dst).map(|_| ())
                }
                Err(e) => Err(e),
            },
            LinkMode::Symlink => {
                #[cfg(unix)]
                return std::os::unix::fs::symlink(src, dst);
                #[cfg(windows)]
                return std::os::windows::fs::symlink_file(src, dst);
            }
        }
    }
}

fn write_bytes(dest: &Path, bytes: &[u8], executable: bool) -> std::io::Result<()> {
    let mut f = fs::File::create(dest)?;
    f.write_all(bytes)?;
    drop(f);
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(dest, fs::Permissions::from_mode(0o755))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

/// Apply an install plan given as JSON; returns the report as JSON.
pub fn apply_install_plan_json(request_json: &str) -> CoreResult<String> {
    let req: InstallRequest =
        serde_json::from_str(request_json).map_err(|e| CoreError::BadOptions(format!("install request: {e}")))?;
    let report = apply_install_plan(&req)?;
    serde_json::to_string(&report).map_err(|e| CoreError::Install(e.to_string()))
}

/// Apply an install plan; on any error the environment is rolled back and the error returned.
pub fn apply_install_plan(req: &InstallRequest) -> CoreResult<InstallReport> {
    if exists(&req.journal) {
        return Err(CoreError::Install(format!(
            "{}: an unfinished install journal exists; recover it first",
            req.journal.display()
        )));
    }
    // ---- plan (touches nothing)
    let removes = req.remove.iter().map(plan_remove).collect::<CoreResult<Vec<_>>>()?;
    let wheels = req.install.iter().map(|i| plan_wheel(req, i)).collect::<CoreResult<Vec<_>>>()?;
    let mut warnings = Vec::new();

    let mut created: Vec<PathBuf> = Vec::new();
    let mut created_set: HashSet<PathBuf> = HashSet::new();
    let mut shared_files = false;
    for w in &wheels {
        let generated = ["INSTALLER", "REQUESTED", "direct_url.json", "RECORD"].map(|f| w.dist_info_dest.join(f));
        for dest in w.ops.iter().map(|o| o.dest.clone()).chain(generated) {
            if !created_set.insert(dest.clone()) {
                shared_files = true;
                warnings.push(format!("{} is written by more than one distribution ({})", dest.display(), w.name));
            } else {
                created.push(dest);
            }
        }
    }
    let removed_set: HashSet<&PathBuf> = removes.iter().flat_map(|r| r.files.iter()).collect();
    let backup_dir = backup_dir_for(&req.journal);
    let mut moved: Vec<Moved> = Vec::new();
    let mut to_move: Vec<PathBuf> = removes.iter().flat_map(|r| r.files.iter().cloned()).collect();
    // Existing files that will be overwritten are backed up too, so rollback is exact. A file
    // cannot exist in a folder that does not: one stat per folder spares one per file there.
    let mut folder_exists: HashMap<PathBuf, bool> = HashMap::new();
    for p in &created {
        if let Some(parent) = p.parent() {
            let present = *folder_exists.entry(parent.to_path_buf()).or_insert_with(|| parent.is_dir());
            if !present {
                continue;
            }
        }
        if !removed_set.contains(p) {
            if let Ok(m) = fs::symlink_metadata(p) {
                if m.is_dir() {
                    return Err(CoreError::Install(format!("{}: is a directory, a file is to be installed there", p.display())));
                }
                to_move.push(p.clone());
            }
        }
    }
    for (i, p) in to_move.iter().enumerate() {
        moved.push(Moved { original: p.clone(), backup: backup_dir.join(i.to_string()) });
    }
    let mut created_dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for p in &created {
        let mut cur = p.parent();
        while let Some(d) = cur {
            if created_dirs.contains(d) || exists(d) {
                break;
            }
            created_dirs.insert(d.to_path_buf());
            cur = d.parent();
        }
    }
    let journal = Journal {
        version: 1,
        backup_dir: backup_dir.clone(),
        created,
        created_dirs: created_dirs.into_iter().collect(),
        moved,
        committed: false,
    };
    write_journal(&req.journal, &journal)?;

    // ---- execute
    let mut linker = Linker { mode: req.link_mode, effective: req.link_mode, warned: false, warnings: Vec::new() };
    let mut count = 0usize;
    // Wheels are linked on several threads unless a test injects faults (they count files in
    // order) or two distributions write the same file (the later one must win).
    let parallel = req.faults.crash_after.is_none() && req.faults.fail_after.is_none() && !shared_files;
    let result = execute(req, &journal, &removes, &wheels, &mut linker, &mut count, parallel);
    match result {
        Ok((installed, removed)) => {
            let mut committed = journal.clone();
            committed.committed = true;
            write_journal(&req.journal, &committed)?;
            let _ = fs::remove_dir_all(&backup_dir);
            let _ = fs::remove_file(&req.journal);
            warnings.extend(linker.warnings);
            Ok(InstallReport { installed, removed, warnings, link_mode: linker.effective })
        }
        Err(Crash(e)) => Err(e),
        Err(Fail(e)) => match rollback(&req.journal, &journal) {
            Ok(()) => Err(e),
            Err(rb) => Err(CoreError::Install(format!("{e}; additionally, {rb}"))),
        },
    }
}

/// Links and writes one wheel's files, then INSTALLER, REQUESTED, direct_url.json and RECORD (last).
/// `folders` and `written` remember what this thread made: one mkdir per folder, no stat per file
/// (files that existed before were moved to the backup first).
fn install_one(
    req: &InstallRequest,
    w: &WheelPlan,
    linker: &mut Linker,
    folders: &mut HashSet<PathBuf>,
    written: &mut HashSet<PathBuf>,
    tick: &mut dyn FnMut(&Path) -> Result<(), ExecError>,
) -> Result<InstalledReport, ExecError> {
    let mut lines = String::new();
    let mut files = 0usize;
    let emit = |dest: &Path, bytes_hash: String, size: u64, lines: &mut String| {
        lines.push_str(&format_line(&relative(&w.root, dest), Some(&bytes_hash), Some(size)));
    };
    for op in &w.ops {
        if let Some(p) = op.dest.parent() {
            if !folders.contains(p) {
                fs::create_dir_all(p).map_err(|e| io(p, e))?;
                folders.insert(p.to_path_buf());
            }
        }
        if !written.insert(op.dest.clone()) {
            // Written earlier in this batch by another distribution.
            fs::remove_file(&op.dest).map_err(|e| io(&op.dest, e))?;
        }
        match &op.source {
            Source::Link { src, hash, size } => {
                linker.link(src, &op.dest).map_err(|e| io(&op.dest, e))?;
                let (h, s) = match (hash, size) {
                    (Some(h), Some(s)) if h.starts_with("sha256=") => (h.clone(), *s),
                    _ => {
                        let bytes = fs::read(src).map_err(|e| io(src, e))?;
                        (sha256_record_hash(&bytes), bytes.len() as u64)
                    }
                };
                emit(&op.dest, h, s, &mut lines);
            }
            Source::Bytes { bytes, executable } => {
                write_bytes(&op.dest, bytes, *executable).map_err(|e| io(&op.dest, e))?;
                emit(&op.dest, sha256_record_hash(bytes), bytes.len() as u64, &mut lines);
            }
        }
        files += 1;
        tick(&op.dest)?;
    }
    let mut meta: Vec<(&str, Vec<u8>)> = vec![("INSTALLER", format!("{}\n", req.installer).into_bytes())];
    if w.requested {
        meta.push(("REQUESTED", Vec::new()));
    }
    if let Some(d) = &w.direct_url {
        meta.push(("direct_url.json", d.clone().into_bytes()));
    }
    fs::create_dir_all(&w.dist_info_dest).map_err(|e| io(&w.dist_info_dest, e))?;
    for (fname, bytes) in meta {
        let dest = w.dist_info_dest.join(fname);
        write_bytes(&dest, &bytes, false).map_err(|e| io(&dest, e))?;
        emit(&dest, sha256_record_hash(&bytes), bytes.len() as u64, &mut lines);
        files += 1;
        tick(&dest)?;
    }
    let record = w.dist_info_dest.join("RECORD");
    lines.push_str(&format_line(&relative(&w.root, &record), None, None));
    write_bytes(&record, lines.as_bytes(), false).map_err(|e| io(&record, e))?;
    files += 1;
    tick(&record)?;
    Ok(InstalledReport { name: w.name.clone(), version: w.version.clone(), files })
}

/// What one linking thread did: its reports (by wheel index) and its linker (mode, warnings).
type ThreadOutcome = (Vec<(usize, InstalledReport)>, Linker);

/// The wheels spread over threads (largest first, each to the least loaded thread); reports come
/// back in the wheels' order. Any error stops the batch and is rolled back by the journal.
fn install_parallel(req: &InstallRequest, wheels: &[WheelPlan], linker: &mut Linker) -> Result<Vec<InstalledReport>, ExecError> {
    let threads = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1).clamp(1, 8).min(wheels.len());
    let mut order: Vec<usize> = (0..wheels.len()).collect();
    order.sort_by_key(|&i| std::cmp::Reverse(wheels[i].ops.len()));
    let mut buckets: Vec<(usize, Vec<usize>)> = (0..threads).map(|_| (0, Vec::new())).collect();
    for i in order {
        if let Some(b) = buckets.iter_mut().min_by_key(|b| b.0) {
            b.0 += wheels[i].ops.len() + 1;
            b.1.push(i);
        }
    }
    let mode = linker.mode;
    let outcomes: Vec<Result<ThreadOutcome, ExecError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = buckets
            .into_iter()
            .map(|(_, bucket)| {
                scope.spawn(move || {
                    let mut linker = Linker { mode, effective: mode, warned: false, warnings: Vec::new() };
                    let mut folders = HashSet::new();
                    let mut written = HashSet::new();
                    let mut no_faults = |_: &Path| -> Result<(), ExecError> { Ok(()) };
                    let mut out = Vec::with_capacity(bucket.len());
                    for i in bucket {
                        out.push((i, install_one(req, &wheels[i], &mut linker, &mut folders, &mut written, &mut no_faults)?));
                    }
                    Ok((out, linker))
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| h.join().unwrap_or_else(|_| Err(Fail(CoreError::Install("a linking thread panicked".to_string())))))
            .collect()
    });
    let mut reports: Vec<(usize, InstalledReport)> = Vec::with_capacity(wheels.len());
    for outcome in outcomes {
        let (out, thread_linker) = outcome?;
        reports.extend(out);
        if thread_linker.effective != linker.effective && thread_linker.effective == LinkMode::Copy {
            linker.effective = LinkMode::Copy;
        }
        for w in thread_linker.warnings {
            if !linker.warnings.contains(&w) {
                linker.warnings.push(w);
            }
        }
    }
    reports.sort_by_key(|(i, _)| *i);
    Ok(reports.into_iter().map(|(_, r)| r).collect())
}

enum ExecError {
    Fail(CoreError),
    /// Simulated kill (tests only): leave everything as is.
    Crash(CoreError),
}
use ExecError::{Crash, Fail};

impl From<CoreError> for ExecError {
    fn from(e: CoreError) -> Self {
        Fail(e)
    }
}

fn execute(
    req: &InstallRequest,
    journal: &Journal,
    removes: &[RemovePlan],
    wheels: &[WheelPlan],
    linker: &mut Linker,
    count: &mut usize,
    parallel: bool,
) -> Result<(Vec<InstalledReport>, Vec<RemovedReport>), ExecError> {
    for m in &journal.moved {
        move_file(&m.original, &m.backup).map_err(|e| io(&m.original, e))?;
    }
    let installed = if parallel && wheels.len() > 1 {
        install_parallel(req, wheels, linker)?
    } else {
        let mut tick = |dest: &Path| -> Result<(), ExecError> {
            *count += 1;
            if req.faults.crash_after == Some(*count) {
                return Err(Crash(CoreError::Install(format!("simulated crash after {}", dest.display()))));
            }
            if req.faults.fail_after == Some(*count) {
                return Err(Fail(CoreError::Install(format!("simulated failure after {}", dest.display()))));
            }
            Ok(())
        };
        let mut folders: HashSet<PathBuf> = HashSet::new();
        let mut written: HashSet<PathBuf> = HashSet::new();
        let mut out = Vec::with_capacity(wheels.len());
        for w in wheels {
            out.push(install_one(req, w, linker, &mut folders, &mut written, &mut tick)?);
        }
        out
    };
    // Directories emptied by removals go too (never a scheme directory or above).
    let protected: Vec<PathBuf> = [&req.scheme.purelib, &req.scheme.platlib, &req.scheme.scripts, &req.scheme.data, &req.scheme.headers]
        .iter()
        .map(|p| normalize(p))
        .collect();
    let mut dirs: BTreeSet<PathBuf> = BTreeSet::new();
    for r in removes {
        for f in &r.files {
            let mut cur = f.parent();
            while let Some(d) = cur {
                if protected.iter().any(|p| p.starts_with(d)) || !protected.iter().any(|p| d.starts_with(p)) {
                    break;
                }
                dirs.insert(d.to_path_buf());
                cur = d.parent();
            }
        }
    }
    let mut dirs: Vec<PathBuf> = dirs.into_iter().collect();
    dirs.sort_by_key(|d| std::cmp::Reverse(d.components().count()));
    for d in dirs {
        let _ = fs::remove_dir(&d); // only when empty
    }
    for r in removes {
        if r.dist_info.exists() {
            linker.warnings.push(format!(
                "{}: files not listed in its RECORD were left in place",
                r.dist_info.display()
            ));
        }
    }
    let removed = removes.iter().map(|r| RemovedReport { name: r.name.clone(), files: r.files.len() }).collect();
    Ok((installed, removed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths() {
        assert_eq!(relative(Path::new("/v/lib/python3.12/site-packages"), Path::new("/v/bin/x")), "../../../bin/x");
        assert_eq!(relative(Path::new("/v/lib/sp"), Path::new("/v/lib/sp/a/b.py")), "a/b.py");
    }

    #[test]
    fn scripts() {
        assert_eq!(rewrite_script(b"#!python\nprint(1)\n", "/v/bin/python"), b"#!/v/bin/python\nprint(1)\n");
        assert_eq!(rewrite_script(b"#!pythonw -u\nx\n", "/p"), b"#!/p -u\nx\n");
        assert_eq!(rewrite_script(b"#!/bin/sh\necho\n", "/p"), b"#!/bin/sh\necho\n");
        assert!(shebang("/a b/python").starts_with("#!/bin/sh\n"));
        let ep = EntryPoint { name: "x".into(), module: "m.n".into(), attr: "a.b".into(), gui: false };
        let l = launcher("/p", &ep);
        assert!(l.contains("from m.n import a\n"));
        assert!(l.ends_with("    sys.exit(a.b())\n"));
    }
}
