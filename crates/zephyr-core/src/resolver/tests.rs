//! Resolver scenarios against a small in-memory index that answers needs.

use std::collections::BTreeMap;

use std::str::FromStr;

use serde_json::{json, Value};

use super::*;

#[derive(Default, Clone)]
struct Index {
    /// name -> files
    files: BTreeMap<String, Vec<Value>>,
    /// (name, version) -> METADATA text
    metadata: BTreeMap<(String, String), String>,
}

impl Index {
    fn new() -> Self {
        Self::default()
    }

    /// A version with a `py3-none-any` wheel and the given Requires-Dist lines.
    fn add(&mut self, name: &str, version: &str, deps: &[&str]) -> &mut Self {
        self.add_full(name, version, deps, None, &[])
    }

    fn add_full(&mut self, name: &str, version: &str, deps: &[&str], requires_python: Option<&str>, extras: &[&str]) -> &mut Self {
        let filename = format!("{}-{}-py3-none-any.whl", name.replace('-', "_"), version);
        self.add_file(name, json!({"filename": filename, "url": format!("https://files.example/{filename}")}));
        let mut md = format!("Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n");
        for d in deps {
            md.push_str(&format!("Requires-Dist: {d}\n"));
        }
        if let Some(rp) = requires_python {
            md.push_str(&format!("Requires-Python: {rp}\n"));
        }
        for e in extras {
            md.push_str(&format!("Provides-Extra: {e}\n"));
        }
        self.metadata.insert((name.to_string(), version.to_string()), md);
        self
    }

    fn add_file(&mut self, name: &str, file: Value) -> &mut Self {
        self.files.entry(name.to_string()).or_default().push(file);
        self
    }

    fn answer(&self, projects: &[String], metadata: &[NeedMetadata]) -> String {
        let projects: Vec<Value> = projects
            .iter()
            .map(|p| match self.files.get(p) {
                Some(files) => json!({"name": p, "found": true, "files": files}),
                None => json!({"name": p, "found": false, "files": []}),
            })
            .collect();
        let metadata: Vec<Value> = metadata
            .iter()
            .map(|m| match self.metadata.get(&(m.name.clone(), m.version.clone())) {
                Some(text) => json!({"name": m.name, "version": m.version, "metadata": text}),
                None => json!({"name": m.name, "version": m.version, "error": "no such metadata"}),
            })
            .collect();
        json!({"projects": projects, "metadata": metadata}).to_string()
    }
}

fn options(reqs: &[&str], extra: Value) -> String {
    let mut o = json!({
        "requirements": reqs,
        "markerEnvironment": {
            "implementation_name": "cpython", "implementation_version": "3.12.1", "os_name": "posix",
            "platform_machine": "x86_64", "platform_python_implementation": "CPython",
            "platform_release": "6.1.0", "platform_system": "Linux", "platform_version": "#1 SMP",
            "python_full_version": "3.12.1", "python_version": "3.12", "sys_platform": "linux"
        },
        "tags": {"implementation": "cpython", "pythonVersion": [3, 12], "abiflags": "", "gilDisabled": false,
                 "os": "linux", "arch": "x86_64", "libc": {"kind": "glibc", "version": [2, 36]}, "macVersion": null},
        "pythonVersion": "3.12.1"
    });
    if let (Some(base), Some(more)) = (o.as_object_mut(), extra.as_object()) {
        for (k, v) in more {
            base.insert(k.clone(), v.clone());
        }
    }
    o.to_string()
}

/// Drive the protocol to the end; returns the result and the number of steps.
fn drive(index: &Index, options_json: &str) -> (StepResult, usize) {
    let mut resolver = Resolver::new(options_json).expect("options");
    let mut feed = "{}".to_string();
    for round in 1..100 {
        let out = resolver.step(&feed).expect("step");
        let parsed: StepResult = {
            // Round-trip through JSON to exercise the wire format.
            let v: Value = serde_json::from_str(&out).expect("json");
            match v["kind"].as_str() {
                Some("need") => {
                    let projects: Vec<String> =
                        v["projects"].as_array().unwrap().iter().map(|p| p.as_str().unwrap().to_string()).collect();
                    let metadata: Vec<NeedMetadata> = v["metadata"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .map(|m| NeedMetadata {
                            name: m["name"].as_str().unwrap().into(),
                            version: m["version"].as_str().unwrap().into(),
                            filename: m["filename"].as_str().unwrap().into(),
                            url: m["url"].as_str().unwrap().into(),
                        })
                        .collect();
                    StepResult::Need { projects, metadata }
                }
                _ => {
                    return (resolver.step_with(Feed::default()).expect("rerun"), round);
                }
            }
        };
        if let StepResult::Need { projects, metadata } = parsed {
            assert!(!projects.is_empty() || !metadata.is_empty(), "empty need");
            feed = index.answer(&projects, &metadata);
        }
    }
    panic!("resolution did not finish");
}

fn resolved(result: &StepResult) -> BTreeMap<String, String> {
    match result {
        StepResult::Resolved { packages, .. } => packages.iter().map(|p| (p.name.clone(), p.version.clone())).collect(),
        other => panic!("expected a resolution, got {other:?}"),
    }
}

fn versions(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
    pairs.iter().map(|(a, b)| (a.to_string(), b.to_string())).collect()
}

fn conflict(result: &StepResult) -> (String, Vec<String>, Vec<String>) {
    match result {
        StepResult::Conflict { message, packages, hints } => (message.clone(), packages.clone(), hints.clone()),
        other => panic!("expected a conflict, got {other:?}"),
    }
}

#[test]
fn basic_transitive_resolution() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b>=1.0"]).add("b", "1.0", &[]).add("b", "2.0", &["c"]).add("c", "0.5", &[]);
    let (res, _) = drive(&idx, &options(&["a"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "2.0"), ("c", "0.5")]));
    let StepResult::Resolved { packages, .. } = res else { unreachable!() };
    assert_eq!(packages[0].dependencies, vec!["b"]);
    assert!(packages[0].requested_by_root);
    assert!(!packages[1].requested_by_root);
    assert_eq!(packages[1].filename, "b-2.0-py3-none-any.whl");
    assert_eq!(packages[1].url, "https://files.example/b-2.0-py3-none-any.whl");
}

#[test]
fn protocol_asks_for_projects_then_metadata_with_lookahead() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["c"]).add("b", "1.0", &[]).add("c", "1.0", &[]);
    let mut r = Resolver::new(&options(&["a", "b"], json!({}))).unwrap();
    let first = r.step_with(Feed::default()).unwrap();
    let StepResult::Need { projects, metadata } = first else { panic!() };
    assert_eq!(projects, vec!["a", "b"]);
    assert!(metadata.is_empty());
    let feed: Feed = serde_json::from_str(&idx.answer(&projects, &[])).unwrap();
    let second = r.step_with(feed).unwrap();
    let StepResult::Need { projects, metadata } = second else { panic!() };
    assert!(projects.is_empty());
    // Both best candidates are asked for at once, with their files.
    let names: Vec<&str> = metadata.iter().map(|m| m.name.as_str()).collect();
    assert_eq!(names, vec!["a", "b"]);
    assert_eq!(metadata[0].filename, "a-1.0-py3-none-any.whl");
    let (res, steps) = drive(&idx, &options(&["a", "b"], json!({})));
    assert_eq!(resolved(&res).len(), 3);
    assert!(steps <= 5, "took {steps} steps");
}

/// Drive the protocol answering one need per step, the last one asked for (answers arrive in
/// any order: the solver's own need comes last); every other need waits. Returns the result.
fn drive_one_at_a_time(index: &Index, options_json: &str) -> StepResult {
    let mut resolver = Resolver::new(options_json).expect("options");
    let mut feed = Feed::default();
    let mut answered: std::collections::HashSet<String> = std::collections::HashSet::new();
    for _ in 1..500 {
        let StepResult::Need { projects, metadata } = resolver.step_with(feed).expect("step") else {
            return resolver.step_with(Feed::default()).expect("rerun");
        };
        let asked: Vec<(Option<String>, Option<NeedMetadata>)> = projects
            .into_iter()
            .map(|p| (Some(p), None))
            .chain(metadata.into_iter().map(|m| (None, Some(m))))
            .filter(|(p, m)| !answered.contains(&format!("{p:?}{:?}", m.as_ref().map(|m| (&m.name, &m.version)))))
            .collect();
        let Some((p, m)) = asked.into_iter().last() else { panic!("the solver asked for nothing it was not given") };
        answered.insert(format!("{p:?}{:?}", m.as_ref().map(|m| (&m.name, &m.version))));
        let text = index.answer(p.as_slice(), m.as_slice());
        feed = serde_json::from_str(&text).expect("feed");
    }
    panic!("resolution did not finish");
}

#[test]
fn answers_in_any_order_and_one_at_a_time_give_the_same_resolution() {
    // A run stops at the first data it lacks; until that is fed, steps only look ahead (and
    // keep asking for it). The outcome must not depend on the order answers arrive in.
    let mut idx = Index::new();
    idx.add("a", "2.0", &["c==1.0", "d"]).add("a", "1.0", &["c", "d"]);
    idx.add("b", "1.0", &["c>=2.0", "e"]);
    idx.add("c", "1.0", &[]).add("c", "2.0", &["f"]);
    idx.add("d", "1.0", &["e>=1"]).add("e", "1.0", &[]).add("e", "1.5", &["f<2"]).add("f", "1.0", &[]).add("f", "2.0", &[]);
    let opts = options(&["a", "b"], json!({}));
    let (all_at_once, _) = drive(&idx, &opts);
    let expected = versions(&[("a", "1.0"), ("b", "1.0"), ("c", "2.0"), ("d", "1.0"), ("e", "1.5"), ("f", "1.0")]);
    assert_eq!(resolved(&all_at_once), expected);
    assert_eq!(resolved(&drive_one_at_a_time(&idx, &opts)), expected);
}

#[test]
fn backtracks_to_an_older_version() {
    let mut idx = Index::new();
    idx.add("a", "2.0", &["c==1.0"]).add("a", "1.0", &["c"]);
    idx.add("b", "1.0", &["c>=2.0"]);
    idx.add("c", "1.0", &[]).add("c", "2.0", &[]);
    let (res, _) = drive(&idx, &options(&["a", "b"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0"), ("c", "2.0")]));
}

#[test]
fn extras_pull_in_their_requirements() {
    let mut idx = Index::new();
    idx.add_full("a", "1.0", &["b", "d; extra == 'x'", "e; extra == 'y'"], None, &["x", "y"]);
    idx.add("b", "1.0", &[]).add("d", "1.0", &[]).add("e", "1.0", &[]);
    let (res, _) = drive(&idx, &options(&["a[x]"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0"), ("d", "1.0")]));
    let StepResult::Resolved { packages, .. } = res else { unreachable!() };
    assert_eq!(packages[0].extras, vec!["x"]);
    assert_eq!(packages[0].dependencies, vec!["b", "d"]);
    // A transitive extra.
    let mut idx2 = idx.clone();
    idx2.add("top", "1.0", &["a[y]>=1.0"]);
    let (res, _) = drive(&idx2, &options(&["top"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0"), ("e", "1.0"), ("top", "1.0")]));
}

#[test]
fn root_markers_and_extra_markers_are_evaluated() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["w; sys_platform == 'win32'"]).add("b", "1.0", &[]).add("w", "1.0", &[]);
    let (res, _) = drive(&idx, &options(&["a", "b; python_version >= '3.8'", "z; python_version < '3'"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0")]));
}

#[test]
fn prerelease_rules() {
    let mut idx = Index::new();
    idx.add("c", "1.0", &[]).add("c", "2.0a1", &[]);
    let (res, _) = drive(&idx, &options(&["c"], json!({})));
    assert_eq!(resolved(&res)["c"], "1.0");
    // explicit: a first-party specifier names a pre-release
    let (res, _) = drive(&idx, &options(&["c>=2.0a1"], json!({})));
    assert_eq!(resolved(&res)["c"], "2.0a1");
    let (res, _) = drive(&idx, &options(&["c"], json!({"prerelease": "allow"})));
    assert_eq!(resolved(&res)["c"], "2.0a1");
    // if-necessary: only pre-releases exist
    let mut only_pre = Index::new();
    only_pre.add("p", "2.0b1", &[]).add("p", "2.0a1", &[]);
    let (res, _) = drive(&only_pre, &options(&["p"], json!({})));
    assert_eq!(resolved(&res)["p"], "2.0b1");
    let (res, _) = drive(&only_pre, &options(&["p"], json!({"prerelease": "explicit"})));
    let (_, _, hints) = conflict(&res);
    assert!(hints.iter().any(|h| h == "pre-releases of p are available (p==2.0b1): use --prerelease allow"), "{hints:?}");
    // transitive pre-release specifier is not first-party
    let mut idx2 = idx.clone();
    idx2.add("a", "1.0", &["c>=2.0a1"]);
    let (res, _) = drive(&idx2, &options(&["a"], json!({})));
    let (msg, pkgs, hints) = conflict(&res);
    assert!(pkgs.contains(&"c".to_string()), "{msg}");
    assert!(hints.iter().any(|h| h.contains("pre-releases of c are available (c==2.0a1)")), "{hints:?}");
    let (res, _) = drive(&idx, &options(&["c>=2.0a1"], json!({"prerelease": "disallow"})));
    conflict(&res);
}

#[test]
fn yanked_versions_need_an_exact_pin() {
    let mut idx = Index::new();
    idx.add("b", "1.0", &[]);
    idx.add_file("b", json!({"filename": "b-2.0-py3-none-any.whl", "url": "u", "yanked": "broken"}));
    idx.metadata.insert(("b".into(), "2.0".into()), "Metadata-Version: 2.1\nName: b\nVersion: 2.0\n".into());
    let (res, _) = drive(&idx, &options(&["b"], json!({})));
    assert_eq!(resolved(&res)["b"], "1.0");
    let (res, _) = drive(&idx, &options(&["b==2.0"], json!({})));
    assert_eq!(resolved(&res)["b"], "2.0");
    let (res, _) = drive(&idx, &options(&["b"], json!({"constraints": ["b===2.0"]})));
    assert_eq!(resolved(&res)["b"], "2.0");
    let (res, _) = drive(&idx, &options(&["b>=2.0"], json!({})));
    let (_, _, hints) = conflict(&res);
    assert!(hints.iter().any(|h| h.contains("b==2.0 was yanked")), "{hints:?}");
}

#[test]
fn requires_python_from_metadata_and_files() {
    let mut idx = Index::new();
    idx.add("b", "1.0", &[]);
    idx.add_full("b", "2.0", &[], Some(">=3.13"), &[]);
    idx.add_full("b", "2.1", &[], Some(">=3.13"), &[]);
    idx.add_file("b", json!({"filename": "b-3.0-py3-none-any.whl", "url": "u", "requiresPython": ">=3.14"}));
    let (res, _) = drive(&idx, &options(&["b"], json!({})));
    assert_eq!(resolved(&res)["b"], "1.0");
    let (res, _) = drive(&idx, &options(&["b>=2.0"], json!({})));
    let (msg, pkgs, hints) = conflict(&res);
    assert_eq!(pkgs, vec!["b"]);
    assert!(msg.contains("Python"), "{msg}");
    assert!(hints.iter().any(|h| h == "b>=2.0 requires Python >=3.13, but the target is Python 3.12.1"), "{hints:?}\n{msg}");
    assert!(hints.iter().any(|h| h == "b==3.0 requires Python >=3.14, but the target is Python 3.12.1"), "{hints:?}");
}

#[test]
fn local_versions_match_public_pins() {
    let mut idx = Index::new();
    idx.add("t", "1.0+cpu", &[]).add("t", "0.9", &[]);
    let (res, _) = drive(&idx, &options(&["t==1.0"], json!({})));
    assert_eq!(resolved(&res)["t"], "1.0+cpu");
    let (res, _) = drive(&idx, &options(&["t>1.0"], json!({})));
    conflict(&res);
    let (res, _) = drive(&idx, &options(&["t<=1.0"], json!({})));
    assert_eq!(resolved(&res)["t"], "1.0+cpu");
}

#[test]
fn post_releases_follow_pep440() {
    let mut idx = Index::new();
    idx.add("p", "1.0", &[]).add("p", "1.0.post1", &[]);
    let (res, _) = drive(&idx, &options(&["p"], json!({})));
    assert_eq!(resolved(&res)["p"], "1.0.post1");
    let (res, _) = drive(&idx, &options(&["p>1.0"], json!({})));
    conflict(&res);
    let (res, _) = drive(&idx, &options(&["p==1.0"], json!({})));
    assert_eq!(resolved(&res)["p"], "1.0");
}

#[test]
fn conflict_message_names_packages() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b>=2.0"]).add("b", "1.0", &[]);
    let (res, _) = drive(&idx, &options(&["a==1.0"], json!({})));
    let (msg, pkgs, _) = conflict(&res);
    assert_eq!(pkgs, vec!["a", "b"]);
    assert!(msg.contains("a==1.0 depends on b>=2.0"), "{msg}");
    assert!(msg.contains("only b<2.0 is available"), "{msg}");
    assert!(msg.contains("you require a==1.0"), "{msg}");
    assert!(msg.contains("your requirements are unsatisfiable"), "{msg}");
}

#[test]
fn missing_projects_and_platform_wheels_are_hinted() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["zzz"]);
    let (res, _) = drive(&idx, &options(&["a"], json!({})));
    let (msg, _, hints) = conflict(&res);
    assert!(msg.contains("zzz was not found in the package index"), "{msg}");
    assert!(hints.contains(&"zzz was not found in the package index".to_string()));
    let mut idx = Index::new();
    idx.add_file("w", json!({"filename": "w-1.0-cp312-cp312-win_amd64.whl", "url": "u"}));
    let (res, _) = drive(&idx, &options(&["w"], json!({})));
    let (_, _, hints) = conflict(&res);
    assert!(
        hints.iter().any(|h| h == "w 1.0 has no wheel for this platform (tags cp312-cp312-win_amd64) and no source distribution"),
        "{hints:?}"
    );
}

#[test]
fn wheels_sdists_and_binary_switches() {
    let mut idx = Index::new();
    idx.add_file("s", json!({"filename": "s-1.0.tar.gz", "url": "sdist"}));
    idx.add_file("s", json!({"filename": "s-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "url": "bin"}));
    idx.add_file("s", json!({"filename": "s-1.0-py3-none-any.whl", "url": "pure"}));
    idx.add_file("s", json!({"filename": "s-2.0.tar.gz", "url": "sdist2"}));
    idx.metadata.insert(("s".into(), "1.0".into()), "Metadata-Version: 2.1\nName: s\nVersion: 1.0\n".into());
    idx.metadata.insert(("s".into(), "2.0".into()), "Metadata-Version: 2.1\nName: s\nVersion: 2.0\n".into());
    let url = |res: &StepResult| match res {
        StepResult::Resolved { packages, .. } => packages[0].url.clone(),
        other => panic!("{other:?}"),
    };
    let (res, _) = drive(&idx, &options(&["s"], json!({})));
    assert_eq!(url(&res), "sdist2");
    let (res, _) = drive(&idx, &options(&["s<2"], json!({})));
    assert_eq!(url(&res), "bin");
    let (res, _) = drive(&idx, &options(&["s"], json!({"onlyBinary": [":all:"]})));
    assert_eq!(url(&res), "bin");
    let (res, _) = drive(&idx, &options(&["s"], json!({"noBuild": ["s"]})));
    assert_eq!(url(&res), "bin");
    let (res, _) = drive(&idx, &options(&["s<2"], json!({"noBinary": ["s"]})));
    assert_eq!(url(&res), "sdist");
}

#[test]
fn exclude_newer_drops_late_and_undated_files() {
    let mut idx = Index::new();
    idx.add_file("e", json!({"filename": "e-1.0-py3-none-any.whl", "url": "u1", "uploadTime": 1000}));
    idx.add_file("e", json!({"filename": "e-2.0-py3-none-any.whl", "url": "u2", "uploadTime": 5000}));
    idx.add_file("e", json!({"filename": "e-3.0-py3-none-any.whl", "url": "u3"}));
    for v in ["1.0", "2.0", "3.0"] {
        idx.metadata.insert(("e".into(), v.into()), format!("Metadata-Version: 2.1\nName: e\nVersion: {v}\n"));
    }
    let (res, _) = drive(&idx, &options(&["e"], json!({})));
    assert_eq!(resolved(&res)["e"], "3.0");
    let (res, _) = drive(&idx, &options(&["e"], json!({"excludeNewer": 2000})));
    assert_eq!(resolved(&res)["e"], "1.0");
}

#[test]
fn lowest_and_lowest_direct() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b>=1.0"]).add("a", "2.0", &["b>=1.0"]);
    idx.add("b", "1.0", &[]).add("b", "2.0", &[]);
    let (res, _) = drive(&idx, &options(&["a"], json!({"resolution": "lowest"})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0")]));
    let (res, _) = drive(&idx, &options(&["a"], json!({"resolution": "lowest-direct"})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "2.0")]));
    let (res, _) = drive(&idx, &options(&["a"], json!({"resolution": "highest"})));
    assert_eq!(resolved(&res), versions(&[("a", "2.0"), ("b", "2.0")]));
}

#[test]
fn preferences_hold_unless_upgrading() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b"]).add("b", "1.0", &[]).add("b", "2.0", &[]);
    let prefs = json!({"preferences": [{"name": "B", "version": "1.0"}]});
    let (res, _) = drive(&idx, &options(&["a"], prefs.clone()));
    assert_eq!(resolved(&res)["b"], "1.0");
    let (res, _) = drive(&idx, &options(&["a"], json!({"preferences": [{"name": "b", "version": "1.0"}], "upgradeAll": true})));
    assert_eq!(resolved(&res)["b"], "2.0");
    let (res, _) = drive(&idx, &options(&["a"], json!({"preferences": [{"name": "b", "version": "1.0"}], "upgradePackages": ["b"]})));
    assert_eq!(resolved(&res)["b"], "2.0");
    // A preference that does not satisfy is ignored.
    let (res, _) = drive(&idx, &options(&["a", "b>1.0"], prefs));
    assert_eq!(resolved(&res)["b"], "2.0");
}

#[test]
fn constraints_restrict_and_overrides_replace() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b>=2.0"]).add("b", "1.0", &[]).add("b", "2.0", &[]).add("b", "3.0", &[]).add("c", "1.0", &[]);
    let (res, _) = drive(&idx, &options(&["a"], json!({"constraints": ["b<3", "c==1.0"]})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "2.0")]));
    let (res, _) = drive(&idx, &options(&["a"], json!({"constraints": ["b<2"]})));
    conflict(&res);
    let (res, _) = drive(&idx, &options(&["a"], json!({"overrides": ["b==1.0"]})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0")]));
    let (res, _) = drive(&idx, &options(&["a", "b>=3"], json!({"overrides": ["b<=2.0"]})));
    assert_eq!(resolved(&res)["b"], "2.0");
}

#[test]
fn metadata_errors_make_a_version_unusable() {
    let mut idx = Index::new();
    idx.add("b", "1.0", &[]);
    idx.add_file("b", json!({"filename": "b-2.0-py3-none-any.whl", "url": "u"}));
    let (res, _) = drive(&idx, &options(&["b"], json!({})));
    assert_eq!(resolved(&res)["b"], "1.0");
    let (res, _) = drive(&idx, &options(&["b==2.0"], json!({})));
    let (msg, _, _) = conflict(&res);
    assert!(msg.contains("b==2.0 cannot be used because its metadata could not be used (no such metadata)"), "{msg}");
}

#[test]
fn bad_requirements_are_reported_with_a_caret() {
    let err = Resolver::new(&options(&["a>=>1"], json!({}))).err().expect("must fail");
    assert_eq!(err.code(), "ZE_BAD_REQUIREMENT");
    let text = err.to_string();
    assert!(text.contains("a>=>1") && text.contains('^'), "{text}");
    let err = Resolver::new(&options(&["a"], json!({"constraints": ["b["]}))).err().expect("must fail");
    assert_eq!(err.code(), "ZE_BAD_REQUIREMENT");
    let err = Resolver::new(&options(&["a"], json!({"prerelease": "sometimes"}))).err().expect("must fail");
    assert_eq!(err.code(), "ZE_BAD_OPTIONS");
}

#[test]
fn self_and_cyclic_dependencies() {
    let mut idx = Index::new();
    idx.add_full("a", "1.0", &["a[x]; extra == 'y'", "b", "a"], None, &["x", "y"]);
    idx.add("b", "1.0", &["a"]);
    let (res, _) = drive(&idx, &options(&["a[y]"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0")]));
    let StepResult::Resolved { packages, .. } = res else { unreachable!() };
    assert_eq!(packages[0].extras, vec!["x", "y"]);
}

/// Not an assertion test: prints explanations for eyeballing with `--nocapture`.
#[test]
fn print_explanations() {
    let mut idx = Index::new();
    idx.add("b", "1.0", &[]);
    idx.add_full("b", "2.0", &[], Some(">=3.13"), &[]);
    idx.add_full("b", "2.1", &[], Some(">=3.13"), &[]);
    idx.add("a", "1.0", &["b>=2.0"]).add("a", "2.0", &["b>=2.0", "c"]).add("c", "1.0", &["d<1"]).add("d", "1.0", &[]);
    idx.add("x", "1.0", &["y==1"]).add("z", "1.0", &["y==2"]).add("y", "1", &[]).add("y", "2", &[]);
    idx.add("p", "1.0", &["q>=2.0a1"]).add("q", "1.0", &[]).add("q", "2.0b1", &[]);
    for reqs in [vec!["b>=2.0"], vec!["a"], vec!["x", "z"], vec!["p"], vec!["a==1.0", "zz"]] {
        let (res, _) = drive(&idx, &options(&reqs, json!({})));
        let (msg, pkgs, hints) = conflict(&res);
        eprintln!("--- {reqs:?}\n{msg}\npackages: {pkgs:?}\nhints: {hints:#?}");
    }
}

#[test]
fn walking_down_versions_prefetches_several_at_once() {
    let mut idx = Index::new();
    idx.add("a", "1", &[]).add("c", "1.0", &[]);
    for i in 2..=30 {
        idx.add("a", &i.to_string(), &["c>=99"]);
    }
    let (res, steps) = drive(&idx, &options(&["a"], json!({})));
    assert_eq!(resolved(&res)["a"], "1");
    assert!(steps <= 8, "took {steps} steps");
}

#[test]
fn feeding_is_incremental_and_idempotent() {
    let mut idx = Index::new();
    idx.add("a", "1.0", &["b"]).add("b", "1.0", &[]);
    let mut r = Resolver::new(&options(&["a"], json!({}))).unwrap();
    // Feed everything up front, twice: the first step resolves.
    let all = idx.answer(
        &["a".into(), "b".into()],
        &[
            NeedMetadata { name: "a".into(), version: "1.0".into(), filename: String::new(), url: String::new() },
            NeedMetadata { name: "b".into(), version: "1.0".into(), filename: String::new(), url: String::new() },
        ],
    );
    r.step(&all).unwrap();
    let out: Value = serde_json::from_str(&r.step(&all).unwrap()).unwrap();
    assert_eq!(out["kind"], "resolved");
    assert_eq!(out["packages"][1]["name"], "b");
    assert_eq!(out["packages"][0]["requestedByRoot"], true);
}

#[test]
fn requires_python_upper_bounds_are_ignored() {
    let mut idx = Index::new();
    idx.add_full("a", "1.0", &[], Some("<=3.8"), &[]);
    idx.add_file("b", json!({"filename": "b-1.0-py3-none-any.whl", "url": "u", "requiresPython": ">=3.7,<3.9"}));
    idx.metadata.insert(("b".into(), "1.0".into()), "Metadata-Version: 2.1\nName: b\nVersion: 1.0\nRequires-Python: ~=3.7\n".into());
    let (res, _) = drive(&idx, &options(&["a", "b"], json!({})));
    assert_eq!(resolved(&res), versions(&[("a", "1.0"), ("b", "1.0")]));
}

/// Random small indexes: every resolution must satisfy every edge; nothing panics.
#[test]
fn random_indexes_resolve_consistently() {
    let mut seed: u64 = 0x2545_f491_4f6c_dd1d;
    let mut next = move |n: u64| {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed % n
    };
    let names = ["a", "b", "c", "d", "e", "f"];
    let ops = [">=", "<", "==", "!=", "~="];
    let (mut resolved_count, mut conflict_count) = (0, 0);
    for _ in 0..150 {
        let mut idx = Index::new();
        let mut deps_of: BTreeMap<(String, String), Vec<String>> = BTreeMap::new();
        for (i, name) in names.iter().enumerate() {
            for v in 0..(1 + next(4)) {
                let version = format!("{}.{}", 1 + v, next(2));
                let mut deps = Vec::new();
                for dep in names.iter().skip(i + 1) {
                    if next(3) == 0 {
                        let op = ops[next(ops.len() as u64) as usize];
                        deps.push(format!("{dep}{op}{}.0", 1 + next(4)));
                    }
                }
                let refs: Vec<&str> = deps.iter().map(String::as_str).collect();
                if !idx.metadata.contains_key(&(name.to_string(), version.clone())) {
                    idx.add(name, &version, &refs);
                    deps_of.insert((name.to_string(), version), deps);
                }
            }
        }
        let root = format!("a>={}.0", 1 + next(2));
        let (res, _) = drive(&idx, &options(&[root.as_str(), "b"], json!({})));
        match res {
            StepResult::Resolved { packages, .. } => {
                resolved_count += 1;
                let chosen: BTreeMap<String, String> = packages.iter().map(|p| (p.name.clone(), p.version.clone())).collect();
                for p in &packages {
                    for dep in deps_of.get(&(p.name.clone(), p.version.clone())).into_iter().flatten() {
                        let req = parse_requirement(dep).unwrap();
                        let name = req.name.to_string();
                        let have = chosen.get(&name).unwrap_or_else(|| panic!("{dep} of {} missing", p.name));
                        let Some(pep508_rs::VersionOrUrl::VersionSpecifier(specs)) = &req.version_or_url else { continue };
                        let v = pep440_rs::Version::from_str(have).unwrap();
                        assert!(specs.contains(&v), "{}=={} needs {dep} but got {have}", p.name, p.version);
                    }
                }
            }
            StepResult::Conflict { message, packages, .. } => {
                conflict_count += 1;
                assert!(message.ends_with("your requirements are unsatisfiable."), "{message}");
                assert!(!packages.is_empty());
            }
            StepResult::Need { .. } => unreachable!(),
        }
    }
    assert!(resolved_count > 10 && conflict_count > 5, "{resolved_count} resolved, {conflict_count} conflicts");
}

// ---- universal resolution -------------------------------------------------------------

fn universal(reqs: &[&str], requires_python: &str) -> String {
    options(reqs, json!({"universal": true, "requiresPython": requires_python}))
}

fn universal_packages(result: &StepResult) -> Vec<(String, String, Option<String>)> {
    match result {
        StepResult::Resolved { packages, .. } => {
            packages.iter().map(|p| (p.name.clone(), p.version.clone(), p.marker.clone())).collect()
        }
        other => panic!("expected a resolution, got {other:?}"),
    }
}

#[test]
fn universal_fork_gives_two_versions_with_markers() {
    let mut index = Index::new();
    index.add("a", "1.0.0", &[]).add("a", "2.0.0", &[]);
    let (result, _) = drive(&index, &universal(&["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'darwin'"], ">=3.8"));
    assert_eq!(
        universal_packages(&result),
        vec![
            ("a".into(), "1.0.0".into(), Some("sys_platform == 'darwin'".into())),
            ("a".into(), "2.0.0".into(), Some("sys_platform == 'linux'".into())),
        ]
    );
    let StepResult::Resolved { root, forks, .. } = &result else { unreachable!() };
    assert_eq!(forks.len(), 3);
    assert_eq!(root.len(), 2);
}

#[test]
fn universal_keeps_markers_and_ignores_tags() {
    let mut index = Index::new();
    index.add("a", "1.0.0", &["b ; sys_platform == 'win32'", "c ; python_version < '3.8'"]);
    index.add_file("b", json!({"filename": "b-1.0.0-cp312-cp312-win_amd64.whl", "url": "https://files.example/b.whl"}));
    index.metadata.insert(("b".into(), "1.0.0".into()), "Metadata-Version: 2.1\nName: b\nVersion: 1.0.0\n".into());
    index.add("c", "1.0.0", &[]);
    let (result, _) = drive(&index, &universal(&["a"], ">=3.8"));
    assert_eq!(
        universal_packages(&result),
        vec![("a".into(), "1.0.0".into(), None), ("b".into(), "1.0.0".into(), Some("sys_platform == 'win32'".into()))]
    );
}

#[test]
fn universal_marker_accrues_along_paths() {
    let mut index = Index::new();
    index.add("a", "1.0.0", &["c ; sys_platform == 'linux'"]);
    index.add("b", "1.0.0", &["c ; sys_platform == 'darwin'"]);
    index.add("c", "1.0.0", &["d ; implementation_name == 'cpython'"]);
    index.add("d", "1.0.0", &[]);
    let (result, _) = drive(&index, &universal(&["a", "b ; os_name == 'posix'"], ">=3.8"));
    let got = universal_packages(&result);
    let c = got.iter().find(|p| p.0 == "c").and_then(|p| p.2.clone()).unwrap_or_default();
    assert!(c.contains("linux") && c.contains("darwin") && c.contains("posix"), "{c}");
    let d = got.iter().find(|p| p.0 == "d").and_then(|p| p.2.clone()).unwrap_or_default();
    assert!(d.contains("cpython"), "{d}");
}

#[test]
fn universal_same_marker_conflict_is_unsatisfiable() {
    let mut index = Index::new();
    index.add("a", "1.0.0", &[]).add("a", "2.0.0", &[]);
    let (result, _) = drive(&index, &universal(&["a>=2 ; sys_platform == 'linux'", "a<2 ; sys_platform == 'linux'"], ">=3.8"));
    assert!(matches!(result, StepResult::Conflict { .. }), "{result:?}");
}

#[test]
fn universal_python_fork_allows_newer_packages() {
    let mut index = Index::new();
    index.add_full("a", "1.0.0", &[], None, &[]);
    index.add_full("a", "2.0.0", &[], Some(">=3.10"), &[]);
    let (result, _) = drive(&index, &universal(&["a<2 ; python_version < '3.10'", "a>=2 ; python_version >= '3.10'"], ">=3.8"));
    let got = universal_packages(&result);
    assert_eq!(got.len(), 2, "{got:?}");
    assert_eq!(got[1].1, "2.0.0");
}

#[test]
fn a_package_that_keeps_conflicting_is_decided_earlier() {
    // b's newest versions all need a==1; without the heuristic the solver keeps a 2.0
    // and walks b down to 1.0, which drags in an old dependency.
    let mut index = Index::new();
    index.add("a", "1.0.0", &[]).add("a", "2.0.0", &[]).add("too-old", "1.0.0", &[]);
    index.add("b", "1.0.0", &["too-old"]);
    for patch in 0..10 {
        index.add("b", &format!("2.0.{patch}"), &["a==1.0.0"]);
    }
    let (result, _) = drive(&index, &options(&["a", "b"], json!({})));
    assert_eq!(resolved(&result), versions(&[("a", "1.0.0"), ("b", "2.0.9")]));
}

#[test]
fn universal_markers_leave_out_what_requires_python_implies() {
    let mut index = Index::new();
    index.add("a", "1.0.0", &[]).add("b", "1.0.0", &[]);
    let reqs = ["a ; python_version < '3.13' and sys_platform == 'linux'", "b ; python_version >= '3.8'"];
    let (result, _) = drive(&index, &universal(&reqs, ">=3.9, <3.13"));
    assert_eq!(
        universal_packages(&result),
        vec![("a".into(), "1.0.0".into(), Some("sys_platform == 'linux'".into())), ("b".into(), "1.0.0".into(), None)]
    );
}
