//! End-to-end tests with real wheels built in temp folders.

use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use super::apply::{apply_install_plan, FaultInjection, InstallItem, InstallRequest, LinkMode, RemoveItem, Scheme};
use super::record::{parse_record, sha256_record_hash};
use super::*;

const PY: &str = "/venv/bin/python3";

struct Spec<'a> {
    name: &'a str,
    version: &'a str,
    files: Vec<(&'a str, Vec<u8>)>,
    entry_points: Option<&'a str>,
    /// Extra members not in RECORD (written raw).
    raw: Vec<(&'a str, Vec<u8>)>,
    /// Replace a member's bytes after RECORD was computed.
    tamper: Option<(&'a str, Vec<u8>)>,
    wheel_version: &'a str,
    purelib: bool,
}

impl<'a> Spec<'a> {
    fn new(name: &'a str, version: &'a str) -> Self {
        Spec { name, version, files: Vec::new(), entry_points: None, raw: Vec::new(), tamper: None, wheel_version: "1.0", purelib: true }
    }
    fn file(mut self, p: &'a str, c: &[u8]) -> Self {
        self.files.push((p, c.to_vec()));
        self
    }
}

fn build_wheel(dir: &Path, spec: &Spec) -> PathBuf {
    let di = format!("{}-{}.dist-info", spec.name, spec.version);
    let mut members: Vec<(String, Vec<u8>)> = spec.files.iter().map(|(p, c)| (p.to_string(), c.clone())).collect();
    members.push((format!("{di}/METADATA"), format!("Metadata-Version: 2.1\nName: {}\nVersion: {}\n", spec.name, spec.version).into_bytes()));
    members.push((format!("{di}/WHEEL"), format!("Wheel-Version: {}\nGenerator: test\nRoot-Is-Purelib: {}\nTag: py3-none-any\n", spec.wheel_version, spec.purelib).into_bytes()));
    if let Some(ep) = spec.entry_points {
        members.push((format!("{di}/entry_points.txt"), ep.as_bytes().to_vec()));
    }
    let mut record = String::new();
    for (p, c) in &members {
        record.push_str(&format!("{p},{},{}\n", sha256_record_hash(c), c.len()));
    }
    record.push_str(&format!("{di}/RECORD,,\n"));
    members.push((format!("{di}/RECORD"), record.into_bytes()));
    if let Some((p, c)) = &spec.tamper {
        for m in members.iter_mut() {
            if m.0 == *p {
                m.1 = c.clone();
            }
        }
    }
    let path = dir.join(format!("{}-{}-py3-none-any.whl", spec.name, spec.version));
    let mut w = zip::ZipWriter::new(fs::File::create(&path).expect("create"));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (p, c) in members.iter().map(|(p, c)| (p.as_str(), c)).chain(spec.raw.iter().map(|(p, c)| (*p, c))) {
        let o = if p.contains(".data/scripts/") { opts.unix_permissions(0o755) } else { opts };
        w.start_file(p, o).expect("start");
        w.write_all(c).expect("write");
    }
    w.finish().expect("finish");
    path
}

fn demo_spec(version: &str) -> Spec<'_> {
    let mut s = Spec::new("demo", version)
        .file("demo/__init__.py", b"VERSION = 1\n")
        .file("demo/cli.py", b"def main():\n    return 0\nclass app:\n    @staticmethod\n    def run():\n        return 0\n")
        .file("demo-VER.data/scripts/tool", b"#!python\nprint('tool')\n")
        .file("demo-VER.data/data/share/demo/readme.txt", b"data file\n");
    for f in s.files.iter_mut() {
        if f.0.starts_with("demo-VER") {
            f.0 = Box::leak(f.0.replace("VER", version).into_boxed_str());
        }
    }
    s.entry_points = Some("[console_scripts]\ndemo = demo.cli:main\n[gui_scripts]\ndemo-gui = demo.cli:app.run\n");
    s
}

struct Env {
    _tmp: tempfile::TempDir,
    root: PathBuf,
    venv: PathBuf,
    site: PathBuf,
    cache: PathBuf,
    wheels: PathBuf,
}

fn env() -> Env {
    let tmp = tempfile::tempdir().expect("tempdir");
    let root = tmp.path().to_path_buf();
    let venv = root.join("venv");
    let site = venv.join("lib/python3.12/site-packages");
    fs::create_dir_all(&site).expect("site");
    fs::create_dir_all(venv.join("bin")).expect("bin");
    fs::write(venv.join("bin/python3"), b"").expect("python");
    let cache = root.join("cache");
    let wheels = root.join("wheels");
    fs::create_dir_all(&wheels).expect("wheels");
    Env { _tmp: tmp, root, venv, site, cache, wheels }
}

impl Env {
    fn scheme(&self) -> Scheme {
        Scheme {
            purelib: self.site.clone(),
            platlib: self.site.clone(),
            scripts: self.venv.join("bin"),
            data: self.venv.clone(),
            headers: self.venv.join("include/site/python3.12/demo"),
        }
    }
    fn request(&self, remove: Vec<RemoveItem>, install: Vec<InstallItem>, mode: LinkMode) -> InstallRequest {
        InstallRequest {
            scheme: self.scheme(),
            python: PY.into(),
            link_mode: mode,
            installer: "zephyr".into(),
            remove,
            install,
            journal: self.venv.join(".zephyr-journal.json"),
            faults: FaultInjection::default(),
        }
    }
    fn unpack(&self, spec: &Spec) -> Unpacked {
        let whl = build_wheel(&self.wheels, spec);
        unpack_wheel(&whl, &self.cache.join(format!("{}-{}", spec.name, spec.version))).expect("unpack")
    }
    fn item(u: &Unpacked, requested: bool) -> InstallItem {
        InstallItem { unpacked: PathBuf::from(&u.dest), requested, direct_url: None }
    }
}

/// Every path under `dir` with its kind, bytes and mode.
fn snapshot(dir: &Path) -> BTreeMap<String, (bool, Vec<u8>, u32)> {
    fn walk(base: &Path, dir: &Path, out: &mut BTreeMap<String, (bool, Vec<u8>, u32)>) {
        for e in fs::read_dir(dir).expect("read_dir") {
            let p = e.expect("entry").path();
            let rel = p.strip_prefix(base).expect("prefix").display().to_string();
            let m = fs::symlink_metadata(&p).expect("meta");
            if m.is_dir() {
                out.insert(rel, (true, Vec::new(), m.permissions().mode()));
                walk(base, &p, out);
            } else {
                out.insert(rel, (false, fs::read(&p).expect("read"), m.permissions().mode()));
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(dir, dir, &mut out);
    out
}

#[test]
fn unpack_reports_and_skips_published() {
    let e = env();
    let u = e.unpack(&demo_spec("1.0"));
    assert_eq!(u.name, "demo");
    assert_eq!(u.version, "1.0");
    assert!(u.dist_info.ends_with("demo-1.0.dist-info"));
    assert!(Path::new(&u.dest).join("demo/cli.py").is_file());
    let mode = fs::metadata(Path::new(&u.dest).join("demo-1.0.data/scripts/tool")).expect("meta").permissions().mode();
    assert_eq!(mode & 0o111, 0o111);
    // Published before: a second unpack (even of garbage) is skipped.
    fs::write(e.wheels.join("junk.whl"), b"not a zip").expect("junk");
    let again = unpack_wheel(&e.wheels.join("junk.whl"), Path::new(&u.dest)).expect("skip");
    assert_eq!(again, u);
    // No temp siblings left.
    let names: Vec<_> = fs::read_dir(&e.cache).expect("rd").map(|x| x.expect("e").file_name()).collect();
    assert_eq!(names.len(), 1);
    let json = unpack_wheels_json(&[UnpackItem { wheel: "x".into(), dest: u.dest.clone() }]).expect("json");
    assert!(json.contains("\"distInfo\""));
}

#[test]
fn install_layout_record_and_scripts() {
    let e = env();
    let u = e.unpack(&demo_spec("1.0"));
    let mut item = Env::item(&u, true);
    item.direct_url = Some(serde_json::json!({"url": "file:///x/demo-1.0-py3-none-any.whl", "archive_info": {}}));
    let report = apply_install_plan(&e.request(vec![], vec![item], LinkMode::Hardlink)).expect("install");
    assert_eq!(report.link_mode, LinkMode::Hardlink);
    assert_eq!(report.installed.len(), 1);
    assert_eq!(report.installed[0].name, "demo");
    let di = e.site.join("demo-1.0.dist-info");
    assert!(e.site.join("demo/cli.py").is_file());
    assert!(e.venv.join("share/demo/readme.txt").is_file());
    assert!(!e.site.join("demo-1.0.data").exists());
    assert_eq!(fs::read_to_string(di.join("INSTALLER")).expect("installer"), "zephyr\n");
    assert!(di.join("REQUESTED").is_file());
    assert!(fs::read_to_string(di.join("direct_url.json")).expect("du").contains("archive_info"));
    // Hardlinked from the cache.
    use std::os::unix::fs::MetadataExt;
    assert_eq!(
        fs::metadata(e.site.join("demo/cli.py")).expect("m").ino(),
        fs::metadata(Path::new(&u.dest).join("demo/cli.py")).expect("m").ino()
    );
    // Scripts.
    let tool = e.venv.join("bin/tool");
    assert_eq!(fs::read_to_string(&tool).expect("tool"), format!("#!{PY}\nprint('tool')\n"));
    assert_eq!(fs::metadata(&tool).expect("m").permissions().mode() & 0o777, 0o755);
    let launcher = fs::read_to_string(e.venv.join("bin/demo")).expect("launcher");
    assert_eq!(
        launcher,
        format!("#!{PY}\n# -*- coding: utf-8 -*-\nimport re\nimport sys\nfrom demo.cli import main\nif __name__ == \"__main__\":\n    sys.argv[0] = re.sub(r\"(-script\\.pyw|\\.exe)?$\", \"\", sys.argv[0])\n    sys.exit(main())\n")
    );
    assert_eq!(fs::metadata(e.venv.join("bin/demo")).expect("m").permissions().mode() & 0o777, 0o755);
    let gui = fs::read_to_string(e.venv.join("bin/demo-gui")).expect("gui");
    assert!(gui.contains("from demo.cli import app\n") && gui.contains("sys.exit(app.run())"));
    // RECORD: every installed file with a correct hash and size, RECORD itself unhashed.
    let record = parse_record(&fs::read_to_string(di.join("RECORD")).expect("record"));
    let paths: Vec<&str> = record.iter().map(|r| r.path.as_str()).collect();
    for p in ["demo/__init__.py", "demo/cli.py", "../../../bin/tool", "../../../bin/demo", "../../../bin/demo-gui",
        "../../../share/demo/readme.txt", "demo-1.0.dist-info/METADATA", "demo-1.0.dist-info/INSTALLER",
        "demo-1.0.dist-info/REQUESTED", "demo-1.0.dist-info/direct_url.json", "demo-1.0.dist-info/RECORD"] {
        assert!(paths.contains(&p), "{p} missing from RECORD {paths:?}");
    }
    assert_eq!(record.len(), paths.len());
    for r in &record {
        let abs = e.site.join(&r.path);
        if r.path.ends_with("/RECORD") {
            assert_eq!((r.hash.as_deref(), r.size), (None, None));
            continue;
        }
        let bytes = fs::read(&abs).expect("installed file");
        assert_eq!(r.hash.as_deref(), Some(sha256_record_hash(&bytes).as_str()), "{}", r.path);
        assert_eq!(r.size, Some(bytes.len() as u64));
    }
    assert_eq!(report.installed[0].files, record.len());
    assert!(!e.venv.join(".zephyr-journal.json").exists());
    assert!(!e.venv.join(".zephyr-journal.json.backup").exists());
    // readInstalled
    let inst = read_installed(&[e.site.display().to_string(), "/nonexistent/zephyr".into()]).expect("installed");
    assert_eq!(inst.len(), 1);
    assert_eq!((inst[0].name.as_str(), inst[0].version.as_str(), inst[0].installer.as_deref(), inst[0].requested), ("demo", "1.0", Some("zephyr"), true));
    assert!(read_installed_json(&[e.site.display().to_string()]).expect("json").contains("\"distInfo\""));
}

#[test]
fn copy_symlink_and_clone_modes() {
    for mode in [LinkMode::Copy, LinkMode::Symlink, LinkMode::Clone] {
        let e = env();
        let u = e.unpack(&demo_spec("1.0"));
        let report = apply_install_plan(&e.request(vec![], vec![Env::item(&u, false)], mode)).expect("install");
        let p = e.site.join("demo/cli.py");
        assert_eq!(fs::read(&p).expect("read"), fs::read(Path::new(&u.dest).join("demo/cli.py")).expect("src"));
        assert_eq!(fs::symlink_metadata(&p).expect("m").file_type().is_symlink(), mode == LinkMode::Symlink);
        assert!(!e.site.join("demo-1.0.dist-info/REQUESTED").exists());
        if mode == LinkMode::Clone {
            // Either reflinks work here, or there is exactly one fallback warning.
            assert!(report.link_mode == LinkMode::Clone && report.warnings.is_empty()
                || report.link_mode == LinkMode::Copy && report.warnings.len() == 1);
        } else {
            assert_eq!(report.link_mode, mode);
        }
    }
}

#[test]
fn uninstall_removes_exactly_record_and_pycache() {
    let e = env();
    let before = snapshot(&e.venv);
    let u = e.unpack(&demo_spec("1.0"));
    apply_install_plan(&e.request(vec![], vec![Env::item(&u, true)], LinkMode::Copy)).expect("install");
    // Byte-compiled files and an unrelated file next to them.
    fs::create_dir_all(e.site.join("demo/__pycache__")).expect("pycache");
    fs::write(e.site.join("demo/__pycache__/cli.cpython-312.pyc"), b"pyc").expect("pyc");
    fs::write(e.site.join("demo/__pycache__/cli.cpython-312.opt-1.pyc"), b"pyc").expect("pyc");
    fs::write(e.site.join("other.py"), b"keep").expect("other");
    fs::create_dir_all(e.venv.join("share/keep")).expect("keep");
    let report = apply_install_plan(&e.request(
        vec![RemoveItem { name: "demo".into(), dist_info: e.site.join("demo-1.0.dist-info") }],
        vec![],
        LinkMode::Copy,
    ))
    .expect("uninstall");
    assert_eq!(report.removed[0].files, 14); // 12 RECORD lines + 2 pyc
    let mut after = snapshot(&e.venv);
    assert!(after.remove("lib/python3.12/site-packages/other.py").is_some());
    assert!(after.remove("share/keep").is_some());
    assert!(after.remove("share").is_some());
    assert_eq!(after, before);
}

#[test]
fn path_escape_and_symlink_members_are_refused() {
    let e = env();
    for (bad, reason) in [("../evil.py", ".."), ("/abs/evil.py", "absolute"), ("C:/evil.py", "drive")] {
        let mut s = Spec::new("esc", "1.0").file("esc/__init__.py", b"");
        s.raw.push((bad, b"boom".to_vec()));
        let whl = build_wheel(&e.wheels, &s);
        let dest = e.cache.join("esc");
        let err = unpack_wheel(&whl, &dest).unwrap_err();
        assert_eq!(err.code(), "ZE_UNSAFE_WHEEL", "{bad}");
        let msg = err.to_string();
        assert!(msg.contains(bad) && msg.contains("esc-1.0-py3-none-any.whl") && msg.contains(reason), "{msg}");
        assert!(!dest.exists());
    }
    assert!(!e.root.join("evil.py").exists());
    // A symlink entry.
    let path = e.wheels.join("link-1.0-py3-none-any.whl");
    let mut w = zip::ZipWriter::new(fs::File::create(&path).expect("create"));
    w.add_symlink("link/x", "/etc/passwd", zip::write::SimpleFileOptions::default()).expect("symlink");
    w.finish().expect("finish");
    let err = unpack_wheel(&path, &e.cache.join("link")).unwrap_err();
    assert_eq!(err.code(), "ZE_UNSAFE_WHEEL");
    assert!(err.to_string().contains("link/x"));
    // Leftover temp folders are cleaned up.
    assert!(!e.cache.exists() || fs::read_dir(&e.cache).expect("rd").next().is_none());
}

#[test]
fn zip_bomb_ratio_is_refused() {
    let e = env();
    let path = e.wheels.join("bomb-1.0-py3-none-any.whl");
    let mut w = zip::ZipWriter::new(fs::File::create(&path).expect("create"));
    let opts = zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    w.start_file("bomb/zeros.bin", opts).expect("start");
    w.write_all(&vec![0u8; 11 * 1024 * 1024]).expect("write");
    w.finish().expect("finish");
    let err = unpack_wheel(&path, &e.cache.join("bomb")).unwrap_err();
    assert_eq!(err.code(), "ZE_UNSAFE_WHEEL");
    assert!(err.to_string().contains("ratio"));
}

#[test]
fn record_mismatch_and_bad_wheel_version_are_refused() {
    let e = env();
    let mut s = demo_spec("1.0");
    s.tamper = Some(("demo/cli.py", b"import os; os.system('evil')\n".to_vec()));
    let whl = build_wheel(&e.wheels, &s);
    let err = unpack_wheel(&whl, &e.cache.join("t")).unwrap_err();
    assert_eq!(err.code(), "ZE_RECORD_MISMATCH");
    assert!(err.to_string().contains("demo/cli.py"));
    assert!(!e.cache.join("t").exists());
    // A member not listed in RECORD.
    let mut s = Spec::new("extra", "1.0").file("extra/a.py", b"");
    s.raw.push(("extra/unlisted.py", b"x".to_vec()));
    let err = unpack_wheel(&build_wheel(&e.wheels, &s), &e.cache.join("x")).unwrap_err();
    assert_eq!(err.code(), "ZE_RECORD_MISMATCH");
    let mut s = Spec::new("future", "1.0").file("future/a.py", b"");
    s.wheel_version = "2.0";
    assert_eq!(unpack_wheel(&build_wheel(&e.wheels, &s), &e.cache.join("f")).unwrap_err().code(), "ZE_BAD_WHEEL");
}

/// demo 1.0 installed; the batch removes it and installs demo 2.0 and `other`.
fn upgrade_setup(e: &Env) -> (Unpacked, Unpacked) {
    let u1 = e.unpack(&demo_spec("1.0"));
    apply_install_plan(&e.request(vec![], vec![Env::item(&u1, true)], LinkMode::Copy)).expect("install 1.0");
    fs::create_dir_all(e.site.join("demo/__pycache__")).expect("pycache");
    fs::write(e.site.join("demo/__pycache__/cli.cpython-312.pyc"), b"pyc").expect("pyc");
    let u2 = e.unpack(&demo_spec("2.0"));
    let other = e.unpack(&Spec::new("other", "1.0").file("other/__init__.py", b"").file("other-1.0.data/headers/o.h", b"int x;\n"));
    (u2, other)
}

fn remove_demo(e: &Env) -> Vec<RemoveItem> {
    vec![RemoveItem { name: "demo".into(), dist_info: e.site.join("demo-1.0.dist-info") }]
}

#[test]
fn failure_mid_batch_rolls_back_exactly() {
    let e = env();
    let (u2, other) = upgrade_setup(&e);
    let before = snapshot(&e.venv);
    // The second wheel's headers directory cannot be created: a file is in the way.
    fs::create_dir_all(e.venv.join("include/site/python3.12")).expect("include");
    fs::write(e.venv.join("include/site/python3.12/demo"), b"in the way").expect("blocker");
    let before_blocked = snapshot(&e.venv);
    let req = e.request(remove_demo(&e), vec![Env::item(&u2, true), Env::item(&other, false)], LinkMode::Hardlink);
    let err = apply_install_plan(&req).unwrap_err();
    assert_eq!(err.code(), "ZE_IO", "{err}");
    assert_eq!(snapshot(&e.venv), before_blocked);
    fs::remove_dir_all(e.venv.join("include")).expect("cleanup");
    assert_eq!(snapshot(&e.venv), before);

    // An invalid second wheel (no dist-info) is caught before anything is touched.
    let broken = e.cache.join("broken");
    fs::create_dir_all(broken.join("pkg")).expect("broken");
    let req = e.request(remove_demo(&e), vec![Env::item(&u2, true), InstallItem { unpacked: broken, requested: false, direct_url: None }], LinkMode::Copy);
    assert_eq!(apply_install_plan(&req).unwrap_err().code(), "ZE_BAD_WHEEL");
    assert_eq!(snapshot(&e.venv), before);

    // Injected failures at every point of the batch.
    for n in 1..=18 {
        let mut req = e.request(remove_demo(&e), vec![Env::item(&u2, true), Env::item(&other, false)], LinkMode::Hardlink);
        req.faults.fail_after = Some(n);
        match apply_install_plan(&req) {
            Err(err) => assert!(err.to_string().contains("simulated failure"), "{err}"),
            Ok(_) => panic!("fault {n} not hit"),
        }
        assert_eq!(snapshot(&e.venv), before, "after failure {n}");
    }
    // And the real thing succeeds afterwards.
    let report = apply_install_plan(&e.request(remove_demo(&e), vec![Env::item(&u2, true), Env::item(&other, false)], LinkMode::Hardlink)).expect("upgrade");
    assert_eq!(report.removed, vec![super::apply::RemovedReport { name: "demo".into(), files: 13 }]);
    assert!(e.site.join("demo-2.0.dist-info/RECORD").is_file());
    assert!(!e.site.join("demo-1.0.dist-info").exists());
    assert!(!e.site.join("demo/__pycache__").exists());
    assert!(e.venv.join("include/site/python3.12/demo/o.h").is_file());
}

#[test]
fn recover_journal_after_simulated_crash() {
    let e = env();
    let (u2, other) = upgrade_setup(&e);
    let before = snapshot(&e.venv);
    let journal = e.venv.join(".zephyr-journal.json");
    for n in [1, 5, 14] {
        let mut req = e.request(remove_demo(&e), vec![Env::item(&u2, true), Env::item(&other, false)], LinkMode::Copy);
        req.faults.crash_after = Some(n);
        assert!(apply_install_plan(&req).is_err());
        assert!(journal.is_file());
        assert_ne!(snapshot(&e.venv), before);
        // A new install refuses to run over an unfinished journal.
        let again = e.request(vec![], vec![Env::item(&other, false)], LinkMode::Copy);
        assert_eq!(apply_install_plan(&again).unwrap_err().code(), "ZE_INSTALL");
        assert!(recover_journal(&journal).expect("recover"));
        assert_eq!(snapshot(&e.venv), before, "after crash {n}");
    }
    assert!(!recover_journal(&journal).expect("nothing to recover"));
}

#[test]
fn request_json_round_trip() {
    let e = env();
    let u = e.unpack(&demo_spec("1.0"));
    let req = serde_json::json!({
        "scheme": {"purelib": e.site, "platlib": e.site, "scripts": e.venv.join("bin"), "data": e.venv, "headers": e.venv.join("include")},
        "python": PY, "linkMode": "copy", "installer": "zephyr",
        "remove": [], "install": [{"unpacked": u.dest, "requested": true, "directUrl": null}],
        "journal": e.venv.join("j.json"),
    });
    let out = apply_install_plan_json(&req.to_string()).expect("apply");
    let v: serde_json::Value = serde_json::from_str(&out).expect("json");
    assert_eq!(v["linkMode"], "copy");
    assert_eq!(v["installed"][0]["name"], "demo");
    assert_eq!(v["removed"], serde_json::json!([]));
    assert_eq!(apply_install_plan_json("{}").unwrap_err().code(), "ZE_BAD_OPTIONS");
}

#[test]
fn batch_unpack_in_parallel_reports_first_failure_in_order() {
    let e = env();
    let mut items = Vec::new();
    for v in ["1.0", "2.0", "3.0", "4.0"] {
        let whl = build_wheel(&e.wheels, &demo_spec(v));
        items.push(UnpackItem { wheel: whl.display().to_string(), dest: e.cache.join(format!("demo-{v}")).display().to_string() });
    }
    let out = unpack_wheels(&items).expect("batch");
    assert_eq!(out.iter().map(|u| u.version.as_str()).collect::<Vec<_>>(), ["1.0", "2.0", "3.0", "4.0"]);
    let mut s = demo_spec("5.0");
    s.tamper = Some(("demo/__init__.py", b"evil".to_vec()));
    let bad = build_wheel(&e.wheels, &s);
    items.insert(1, UnpackItem { wheel: bad.display().to_string(), dest: e.cache.join("demo-5.0").display().to_string() });
    items.push(UnpackItem { wheel: "/nonexistent/zephyr.whl".into(), dest: e.cache.join("nope").display().to_string() });
    assert_eq!(unpack_wheels(&items).unwrap_err().code(), "ZE_RECORD_MISMATCH");
}

#[test]
fn uninstall_leaves_unlisted_files_with_a_warning() {
    let e = env();
    let u = e.unpack(&demo_spec("1.0"));
    apply_install_plan(&e.request(vec![], vec![Env::item(&u, false)], LinkMode::Copy)).expect("install");
    fs::write(e.site.join("demo-1.0.dist-info/extra.txt"), b"unlisted").expect("extra");
    let report = apply_install_plan(&e.request(remove_demo(&e), vec![], LinkMode::Copy)).expect("uninstall");
    assert_eq!(report.warnings.len(), 1, "{:?}", report.warnings);
    assert!(e.site.join("demo-1.0.dist-info/extra.txt").is_file());
    assert!(!e.site.join("demo").exists());
}

#[test]
fn platlib_wheel_goes_to_platlib_with_purelib_data() {
    let e = env();
    let mut s = Spec::new("native", "1.0").file("native/_ext.so", b"\x7fELF").file("native-1.0.data/purelib/native_py/x.py", b"x = 1\n");
    s.purelib = false;
    let u = e.unpack(&s);
    let mut req = e.request(vec![], vec![Env::item(&u, false)], LinkMode::Copy);
    let plat = e.venv.join("lib64/python3.12/site-packages");
    req.scheme.platlib = plat.clone();
    apply_install_plan(&req).expect("install");
    assert!(plat.join("native/_ext.so").is_file());
    assert!(e.site.join("native_py/x.py").is_file());
    let record = fs::read_to_string(plat.join("native-1.0.dist-info/RECORD")).expect("record");
    assert!(record.contains("\n../../../lib/python3.12/site-packages/native_py/x.py,sha256="), "{record}");
    assert!(record.starts_with("native/_ext.so,sha256="), "{record}");
}
