//! Unpacking source distributions (`.tar.gz`, `.tgz`, `.tar.bz2` is not supported, `.zip`)
//! into a build folder, with the same path-escape checks as wheels: no absolute
//! paths, no `..`, no links that point outside, no device files, a size limit.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Component, Path, PathBuf};

use crate::error::{CoreError, CoreResult};

/// Sum of unpacked sizes above which an sdist is refused.
pub const MAX_TOTAL_SIZE: u64 = 4 * 1024 * 1024 * 1024;

fn unsafe_archive(archive: &Path, member: &str, reason: &str) -> CoreError {
    CoreError::UnsafeArchive { archive: archive.display().to_string(), member: member.to_string(), reason: reason.to_string() }
}

/// The member's path relative to the destination, or why it is unsafe.
fn safe_relative(name: &str) -> Result<PathBuf, &'static str> {
    if name.contains('\0') {
        return Err("NUL in name");
    }
    let b = name.as_bytes();
    if b.len() >= 2 && b[1] == b':' && b[0].is_ascii_alphabetic() {
        return Err("drive letter");
    }
    let mut out = PathBuf::new();
    for c in Path::new(&name.replace('\\', "/")).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            Component::ParentDir => return Err("path escapes the destination (..)"),
            Component::RootDir | Component::Prefix(_) => return Err("absolute path"),
        }
    }
    Ok(out)
}

/// Whether a symlink at `rel` (relative to the destination) with `target` stays inside,
/// reading its text alone (the first, cheap check; `resolves_inside` checks the tree).
fn link_stays_inside(rel: &Path, target: &Path) -> bool {
    if target.is_absolute() {
        return false;
    }
    let mut depth: i64 = rel.components().count() as i64 - 1;
    for c in target.components() {
        match c {
            Component::Normal(_) => depth += 1,
            Component::CurDir => {}
            Component::ParentDir => {
                depth -= 1;
                if depth < 0 {
                    return false;
                }
            }
            Component::RootDir | Component::Prefix(_) => return false,
        }
    }
    true
}

/// Most links followed while resolving one path (as the kernel's limit).
const MAX_LINK_HOPS: usize = 40;

/// Whether the link at `rel` resolves inside the destination once every link on its way is
/// followed as the file system would (links written earlier or later in the archive can change
/// where `..` lands). Missing components are taken as plain folders.
fn resolves_inside(dest: &Path, rel: &Path) -> bool {
    // `stack` holds the resolved components below `dest`; `todo` the ones still to walk.
    let mut stack: Vec<std::ffi::OsString> = Vec::new();
    let mut todo: Vec<std::ffi::OsString> = rel.components().rev().map(|c| c.as_os_str().to_owned()).collect();
    let mut hops = 0usize;
    while let Some(part) = todo.pop() {
        let c = Path::new(&part).components().next();
        match c {
            Some(Component::Normal(_)) => {
                stack.push(part);
                let here: PathBuf = stack.iter().fold(dest.to_path_buf(), |p, s| p.join(s));
                let is_link = fs::symlink_metadata(&here).map(|m| m.file_type().is_symlink()).unwrap_or(false);
                if is_link {
                    hops += 1;
                    if hops > MAX_LINK_HOPS {
                        return false;
                    }
                    let Ok(text) = fs::read_link(&here) else { return false };
                    if text.is_absolute() {
                        return false;
                    }
                    stack.pop();
                    for c in text.components().rev() {
                        todo.push(c.as_os_str().to_owned());
                    }
                }
            }
            Some(Component::ParentDir) => {
                if stack.pop().is_none() {
                    return false;
                }
            }
            Some(Component::CurDir) | None => {}
            Some(Component::RootDir) | Some(Component::Prefix(_)) => return false,
        }
    }
    true
}

/// Refuses a member whose path inside `dest` passes through a symbolic link (an earlier member),
/// or which is itself an existing link: writing there would follow the link.
fn check_no_link_on_path(dest: &Path, rel: &Path, archive: &Path, member: &str) -> CoreResult<()> {
    let mut here = dest.to_path_buf();
    for c in rel.components() {
        here.push(c);
        match fs::symlink_metadata(&here) {
            Ok(m) if m.file_type().is_symlink() => {
                return Err(unsafe_archive(archive, member, "its path goes through a symbolic link in the archive"));
            }
            Ok(_) => {}
            Err(_) => break,
        }
    }
    Ok(())
}

fn create_parent(path: &Path) -> CoreResult<()> {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).map_err(|e| CoreError::io(parent.display().to_string(), e))?;
    }
    Ok(())
}

fn write_file(path: &Path, reader: &mut dyn Read, executable: bool, budget: &mut u64, archive: &Path, member: &str) -> CoreResult<()> {
    create_parent(path)?;
    let mut out = File::create(path).map_err(|e| CoreError::io(path.display().to_string(), e))?;
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = reader.read(&mut buf).map_err(|e| CoreError::io(format!("{}!{member}", archive.display()), e))?;
        if n == 0 {
            break;
        }
        if (n as u64) > *budget {
            return Err(unsafe_archive(archive, member, "the archive unpacks to more than 4 GiB"));
        }
        *budget -= n as u64;
        out.write_all(&buf[..n]).map_err(|e| CoreError::io(path.display().to_string(), e))?;
    }
    #[cfg(unix)]
    if executable {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(path, fs::Permissions::from_mode(0o755)).map_err(|e| CoreError::io(path.display().to_string(), e))?;
    }
    #[cfg(not(unix))]
    let _ = executable;
    Ok(())
}

fn unpack_tar(archive: &Path, dest: &Path) -> CoreResult<()> {
    let display = archive.display().to_string();
    let file = File::open(archive).map_err(|e| CoreError::io(&display, e))?;
    let mut tar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut budget = MAX_TOTAL_SIZE;
    let mut links: Vec<(PathBuf, String)> = Vec::new();
    let entries = tar.entries().map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
    for entry in entries {
        let mut entry = entry.map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
        let name = entry.path().map(|p| p.to_string_lossy().into_owned()).unwrap_or_default();
        let rel = safe_relative(&name).map_err(|r| unsafe_archive(archive, &name, r))?;
        if rel.as_os_str().is_empty() {
            continue;
        }
        let target = dest.join(&rel);
        let kind = entry.header().entry_type();
        if !(kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_gnu_longname() || kind.is_gnu_longlink()) {
            check_no_link_on_path(dest, &rel, archive, &name)?;
        }
        if kind.is_dir() {
            fs::create_dir_all(&target).map_err(|e| CoreError::io(target.display().to_string(), e))?;
        } else if kind.is_file() {
            let mode = entry.header().mode().unwrap_or(0o644);
            write_file(&target, &mut entry, mode & 0o111 != 0, &mut budget, archive, &name)?;
        } else if kind.is_symlink() {
            let link = entry.link_name().ok().flatten().map(|l| l.into_owned()).unwrap_or_default();
            if !link_stays_inside(&rel, &link) {
                return Err(unsafe_archive(archive, &name, "symbolic link points outside the archive"));
            }
            create_parent(&target)?;
            #[cfg(unix)]
            std::os::unix::fs::symlink(&link, &target).map_err(|e| CoreError::io(target.display().to_string(), e))?;
            links.push((rel, name));
        } else if kind.is_hard_link() {
            let link = entry.link_name().ok().flatten().map(|l| l.to_string_lossy().into_owned()).unwrap_or_default();
            let source = safe_relative(&link).map_err(|r| unsafe_archive(archive, &name, r))?;
            check_no_link_on_path(dest, &source, archive, &name)?;
            let from = dest.join(&source);
            match fs::symlink_metadata(&from) {
                Ok(m) if m.file_type().is_file() => {}
                _ => return Err(unsafe_archive(archive, &name, "hard link to something that is not a file unpacked before it")),
            }
            create_parent(&target)?;
            fs::copy(&from, &target).map_err(|e| CoreError::io(target.display().to_string(), e))?;
        } else if kind.is_pax_global_extensions() || kind.is_pax_local_extensions() || kind.is_gnu_longname() || kind.is_gnu_longlink() {
            continue;
        } else {
            return Err(unsafe_archive(archive, &name, "not a file, folder or link"));
        }
    }
    // Links written later can move where an earlier link's `..` lands: check them all at the end.
    for (rel, name) in &links {
        if !resolves_inside(dest, rel) {
            let _ = fs::remove_file(dest.join(rel));
            return Err(unsafe_archive(archive, name, "symbolic link points outside the archive (through other links)"));
        }
    }
    Ok(())
}

fn unpack_zip(archive: &Path, dest: &Path) -> CoreResult<()> {
    let display = archive.display().to_string();
    let file = File::open(archive).map_err(|e| CoreError::io(&display, e))?;
    let mut zip = zip::ZipArchive::new(file).map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
    let mut budget = MAX_TOTAL_SIZE;
    for i in 0..zip.len() {
        let mut entry = zip.by_index(i).map_err(|e| CoreError::BadArchive { path: display.clone(), detail: e.to_string() })?;
        let name = entry.name().to_string();
        let rel = safe_relative(&name).map_err(|r| unsafe_archive(archive, &name, r))?;
        if rel.as_os_str().is_empty() {
            continue;
        }
        let target = dest.join(&rel);
        if entry.is_dir() {
            fs::create_dir_all(&target).map_err(|e| CoreError::io(target.display().to_string(), e))?;
            continue;
        }
        if entry.is_symlink() {
            return Err(unsafe_archive(archive, &name, "symbolic link in a zip sdist"));
        }
        let executable = entry.unix_mode().map(|m| m & 0o111 != 0).unwrap_or(false);
        write_file(&target, &mut entry, executable, &mut budget, archive, &name)?;
    }
    Ok(())
}

/// Unpacks `archive` into `dest` (created; must not exist or be empty) and returns the
/// source tree: the archive's single top folder, or `dest` when there is none.
pub fn unpack_sdist(archive: &Path, dest: &Path) -> CoreResult<String> {
    fs::create_dir_all(dest).map_err(|e| CoreError::io(dest.display().to_string(), e))?;
    let name = archive.file_name().map(|n| n.to_string_lossy().to_ascii_lowercase()).unwrap_or_default();
    if name.ends_with(".zip") {
        unpack_zip(archive, dest)?;
    } else if name.ends_with(".tar.gz") || name.ends_with(".tgz") {
        unpack_tar(archive, dest)?;
    } else {
        return Err(CoreError::BadArchive { path: archive.display().to_string(), detail: "not a .tar.gz or .zip source distribution".into() });
    }
    let entries: Vec<PathBuf> = fs::read_dir(dest)
        .map_err(|e| CoreError::io(dest.display().to_string(), e))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .collect();
    match entries.as_slice() {
        [only] if only.is_dir() => Ok(only.display().to_string()),
        _ => Ok(dest.display().to_string()),
    }
}

/// Batch form: the source tree of each `(archive, dest)`, in order; the first failure stops.
pub fn unpack_sdists(items: &[(String, String)]) -> CoreResult<Vec<String>> {
    items.iter().map(|(a, d)| unpack_sdist(Path::new(a), Path::new(d))).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tar_with(dir: &Path, members: &[(&str, &[u8])], link: Option<(&str, &str)>) -> PathBuf {
        let path = dir.join("a-1.0.tar.gz");
        let file = File::create(&path).expect("create");
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut builder = tar::Builder::new(gz);
        for (member, data) in members {
            let mut header = tar::Header::new_gnu();
            header.set_size(data.len() as u64);
            header.set_mode(0o644);
            // set_path refuses `..`; write the raw name to test what a hostile archive holds.
            let bytes = member.as_bytes();
            if let Some(gnu) = header.as_gnu_mut() {
                gnu.name[..bytes.len()].copy_from_slice(bytes);
            }
            header.set_cksum();
            builder.append(&header, *data).expect("append");
        }
        if let Some((name, target)) = link {
            let mut header = tar::Header::new_gnu();
            header.set_entry_type(tar::EntryType::Symlink);
            header.set_size(0);
            builder.append_link(&mut header, name, target).expect("link");
        }
        builder.into_inner().expect("inner").finish().expect("finish");
        path
    }

    #[test]
    fn unpacks_into_the_top_folder() {
        let dir = tempfile::tempdir().expect("temp");
        let t = tar_with(dir.path(), &[("a-1.0/PKG-INFO", b"x"), ("a-1.0/pkg/__init__.py", b"")], Some(("a-1.0/pkg/l", "__init__.py")));
        let tree = unpack_sdist(&t, &dir.path().join("out")).expect("unpack");
        assert!(tree.ends_with("a-1.0"));
        assert_eq!(fs::read(Path::new(&tree).join("PKG-INFO")).expect("read"), b"x");
    }

    #[test]
    fn refuses_escapes() {
        let dir = tempfile::tempdir().expect("temp");
        let t = tar_with(dir.path(), &[("a-1.0/../../evil", b"x")], None);
        let err = unpack_sdist(&t, &dir.path().join("out")).expect_err("escape");
        assert_eq!(err.code(), "ZE_UNSAFE_ARCHIVE");
        assert!(!dir.path().join("evil").exists());
        let dir2 = tempfile::tempdir().expect("temp");
        let t2 = tar_with(dir2.path(), &[("a-1.0/x", b"x")], Some(("a-1.0/l", "../../etc/passwd")));
        assert_eq!(unpack_sdist(&t2, &dir2.path().join("out")).expect_err("link").code(), "ZE_UNSAFE_ARCHIVE");
    }

    enum Member<'a> {
        File(&'a str, &'a [u8]),
        Symlink(&'a str, &'a str),
        HardLink(&'a str, &'a str),
    }

    /// A `.tar.gz` with exactly `members`, in order.
    fn tar_of(dir: &Path, members: &[Member]) -> PathBuf {
        let path = dir.join("evil-1.0.tar.gz");
        let file = File::create(&path).expect("create");
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut builder = tar::Builder::new(gz);
        for m in members {
            let mut header = tar::Header::new_gnu();
            header.set_mode(0o644);
            match m {
                Member::File(name, data) => {
                    header.set_size(data.len() as u64);
                    builder.append_data(&mut header, name, *data).expect("file");
                }
                Member::Symlink(name, target) => {
                    header.set_entry_type(tar::EntryType::Symlink);
                    header.set_size(0);
                    builder.append_link(&mut header, name, target).expect("symlink");
                }
                Member::HardLink(name, target) => {
                    header.set_entry_type(tar::EntryType::Link);
                    header.set_size(0);
                    builder.append_link(&mut header, name, target).expect("hard link");
                }
            }
        }
        builder.into_inner().expect("inner").finish().expect("finish");
        path
    }

    const CHAIN: [(&str, &str); 3] = [("pkg/a/b", ".."), ("pkg/a/b/c", ".."), ("pkg/a/b/c/d", "..")];

    #[test]
    fn refuses_a_chain_of_links_that_each_look_inside() {
        let dir = tempfile::tempdir().expect("temp");
        let mut members: Vec<Member> = CHAIN.iter().map(|(n, t)| Member::Symlink(n, t)).collect();
        members.push(Member::File("pkg/a/b/c/d/escaped.txt", b"owned"));
        let t = tar_of(dir.path(), &members);
        let dest = dir.path().join("work").join("out");
        let err = unpack_sdist(&t, &dest).expect_err("escape through links");
        assert_eq!(err.code(), "ZE_UNSAFE_ARCHIVE");
        assert!(err.to_string().contains("pkg/a/b/c"), "names the member: {err}");
        for up in [dir.path().join("escaped.txt"), dir.path().join("work").join("escaped.txt")] {
            assert!(!up.exists(), "{} was written outside the destination", up.display());
        }
    }

    #[test]
    fn refuses_a_hard_link_read_through_links() {
        let dir = tempfile::tempdir().expect("temp");
        fs::create_dir_all(dir.path().join("work")).expect("mkdir");
        fs::write(dir.path().join("work").join("secret.txt"), b"secret").expect("secret");
        fs::write(dir.path().join("secret.txt"), b"secret").expect("secret");
        let mut members: Vec<Member> = CHAIN.iter().map(|(n, t)| Member::Symlink(n, t)).collect();
        members.push(Member::HardLink("pkg/stolen.txt", "pkg/a/b/c/d/secret.txt"));
        let t = tar_of(dir.path(), &members);
        let dest = dir.path().join("work").join("out");
        let err = unpack_sdist(&t, &dest).expect_err("hard link through links");
        assert_eq!(err.code(), "ZE_UNSAFE_ARCHIVE");
        assert!(!dest.join("pkg").join("stolen.txt").exists());
        // The hard link's source alone going through one (inside) link is refused too.
        let dir2 = tempfile::tempdir().expect("temp");
        let t2 = tar_of(
            dir2.path(),
            &[Member::File("pkg/x.txt", b"x"), Member::Symlink("pkg/up", "."), Member::HardLink("pkg/y.txt", "pkg/up/x.txt")],
        );
        let err2 = unpack_sdist(&t2, &dir2.path().join("out")).expect_err("hard link source through a link");
        assert_eq!(err2.code(), "ZE_UNSAFE_ARCHIVE");
        assert!(err2.to_string().contains("pkg/y.txt"), "names the member: {err2}");
    }

    #[test]
    fn refuses_a_link_whose_dots_land_outside_through_a_later_link() {
        let dir = tempfile::tempdir().expect("temp");
        let t = tar_of(dir.path(), &[Member::Symlink("pkg/x", "a/b/../../.."), Member::Symlink("pkg/a/b", "..")]);
        let dest = dir.path().join("out");
        let err = unpack_sdist(&t, &dest).expect_err("link escapes through a later link");
        assert_eq!(err.code(), "ZE_UNSAFE_ARCHIVE");
        assert!(err.to_string().contains("pkg/x"), "names the member: {err}");
    }

    #[test]
    fn keeps_links_and_hard_links_that_stay_inside() {
        let dir = tempfile::tempdir().expect("temp");
        let t = tar_of(
            dir.path(),
            &[
                Member::File("pkg/sub/data.txt", b"d"),
                Member::Symlink("pkg/link", "sub/data.txt"),
                Member::Symlink("pkg/sub/up", "../sub"),
                Member::HardLink("pkg/copy.txt", "pkg/sub/data.txt"),
            ],
        );
        let tree = unpack_sdist(&t, &dir.path().join("out")).expect("unpack");
        assert_eq!(fs::read(Path::new(&tree).join("link")).expect("read"), b"d");
        assert_eq!(fs::read(Path::new(&tree).join("copy.txt")).expect("read"), b"d");
    }
}
