//! PEP 691 project pages (the simple API's JSON form) read in one pass.
//!
//! A page can list tens of thousands of files, most of them wheels for other
//! platforms. Every file is read for its version and SHA-256 (so that all hashes
//! of a version can be listed), but only the files a [`PageFilter`] keeps are
//! returned in full: sdists, and wheels with a tag the target accepts.
//!
//! Lenient like browsers are with HTML: an entry that is not an object or has no
//! string `filename`/`url` is skipped, a field of an unexpected type is ignored.

use std::borrow::Cow;
use std::collections::{BTreeMap, HashSet};

use std::fmt;
use std::marker::PhantomData;
use std::sync::Arc;

use serde::de::{self, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer, Serialize};
use time::format_description::well_known::Rfc3339;
use time::OffsetDateTime;

use crate::error::{CoreError, CoreResult};
use crate::filename::{normalize_name, DistFilename, WheelFilename};
use crate::json_split::{ObjectSplitter, Piece, SplitError};

/// Which files of a page are wanted in full.
#[derive(Debug, Clone, Default)]
pub struct PageFilter {
    /// Compatible wheel tags (`py-abi-plat`); `None` keeps every wheel.
    tags: Option<HashSet<String>>,
}

impl PageFilter {
    /// Keeps sdists and the wheels with one of `tags`; `None` keeps every file.
    pub fn new(tags: Option<Vec<String>>) -> Self {
        PageFilter { tags: tags.map(|t| t.into_iter().collect()) }
    }

    fn keeps(&self, dist: &DistFilename) -> bool {
        match (dist, &self.tags) {
            (DistFilename::Sdist(_), _) | (_, None) => true,
            (DistFilename::Wheel(w), Some(tags)) => wheel_fits(w, tags),
        }
    }
}

fn wheel_fits(wheel: &WheelFilename, tags: &HashSet<String>) -> bool {
    let mut key = String::with_capacity(64);
    for py in &wheel.python_tags {
        for abi in &wheel.abi_tags {
            for plat in &wheel.platform_tags {
                key.clear();
                key.push_str(py);
                key.push('-');
                key.push_str(abi);
                key.push('-');
                key.push_str(plat);
                if tags.contains(&key) {
                    return true;
                }
            }
        }
    }
    false
}

/// A file kept in full, in the shape of the CLI's `DistFile` (less the index, which the CLI knows).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageFile {
    pub filename: String,
    /// The version in the filename, normalized (as the resolver prints it).
    pub version: String,
    /// The index the page came from, as it is shown (given by the caller).
    pub index: String,
    /// Absolute, without fragment or credentials.
    pub url: String,
    /// Algorithm → lowercase hex digest (from `hashes`, else from a `#algo=digest` fragment).
    pub hashes: Digests,
    pub requires_python: Option<String>,
    pub yanked: bool,
    pub yanked_reason: Option<String>,
    /// Milliseconds since the epoch.
    pub upload_time: Option<i64>,
    pub size: Option<u64>,
    pub has_metadata: bool,
    pub metadata_hashes: Option<Digests>,
}

/// Algorithm → lowercase hex digest, sorted by algorithm; a map in JSON. A short list rather than
/// a tree: a resolution keeps tens of thousands of files, each with one or two digests.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Digests(Vec<(String, String)>);

impl Digests {
    /// Adds (or replaces) the digest of `algo`.
    pub fn insert(&mut self, algo: String, hex: String) {
        match self.0.binary_search_by(|(k, _)| k.as_str().cmp(&algo)) {
            Ok(at) => self.0[at].1 = hex,
            Err(at) => {
                // Most files have one digest: no room is kept for more.
                self.0.reserve_exact(1);
                self.0.insert(at, (algo, hex));
            }
        }
    }

    pub fn get(&self, algo: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == algo).map(|(_, v)| v.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl Serialize for Digests {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(self.0.len()))?;
        for (k, v) in &self.0 {
            map.serialize_entry(k, v)?;
        }
        map.end()
    }
}

/// What a page says, digested.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct PageDigest {
    /// The files the filter kept, in page order.
    pub files: Vec<PageFile>,
    /// Every version on the page (normalized, as the resolver prints it) → the SHA-256 digests of
    /// all its files, whatever their platform, as one string of 64-character hex digests.
    pub versions: BTreeMap<String, String>,
    /// `meta.api-version`, when the page states one.
    pub api_version: Option<String>,
    /// The number under which a [`PageStore`] keeps the files and the versions' digests, when one
    /// does (then `files` and `versions` are empty in the JSON, and `kept` counts them).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub page: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kept: Option<KeptCounts>,
}

/// How many files and versions of a page a [`PageStore`] keeps.
#[derive(Debug, Clone, Copy, Default, PartialEq, Serialize)]
pub struct KeptCounts {
    pub files: usize,
    pub versions: usize,
}

impl PageDigest {
    pub fn to_json(&self) -> CoreResult<String> {
        serde_json::to_string(self).map_err(|e| CoreError::BadIndexPage(e.to_string()))
    }

    /// Moves the files and the versions' digests into `store`; the digest then names them by number.
    pub fn keep_in(&mut self, store: &PageStore) {
        let page = KeptPage { files: std::mem::take(&mut self.files), versions: std::mem::take(&mut self.versions) };
        self.kept = Some(KeptCounts { files: page.files.len(), versions: page.versions.len() });
        self.page = Some(store.keep(page));
    }
}

/// What a [`PageStore`] keeps of a page.
#[derive(Debug, Default)]
pub struct KeptPage {
    pub files: Vec<PageFile>,
    /// As [`PageDigest::versions`].
    pub versions: BTreeMap<String, String>,
}

/// Pages read for a resolution, by number: the solver takes their files natively (the JSON the
/// CLI gets for such a page lists none), and the CLI asks for the few it needs (the file whose
/// metadata the solver wants, the files and digests of the versions it chose) in batches.
#[derive(Debug, Default)]
pub struct PageStore {
    next: std::sync::atomic::AtomicU32,
    pages: std::sync::Mutex<std::collections::HashMap<u32, KeptPage>>,
}

/// What the CLI wants of a kept page: the files at `urls`, and the files and digests of
/// `versions`; with `all`, every file and every version's digests.
#[derive(Debug, Deserialize)]
pub struct FilesRequest {
    pub page: u32,
    #[serde(default)]
    pub urls: Vec<String>,
    #[serde(default)]
    pub versions: Vec<String>,
    #[serde(default)]
    pub all: bool,
}

/// The answer to a [`FilesRequest`].
#[derive(Debug, Serialize)]
struct FilesAnswer<'a> {
    files: Vec<&'a PageFile>,
    versions: BTreeMap<&'a str, &'a str>,
}

impl PageStore {
    fn pages(&self) -> std::sync::MutexGuard<'_, std::collections::HashMap<u32, KeptPage>> {
        self.pages.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Keeps a page; returns its number.
    pub fn keep(&self, page: KeptPage) -> u32 {
        let id = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.pages().insert(id, page);
        id
    }

    /// The files of page `id` as the solver is fed them.
    pub fn solver_files(&self, id: u32) -> Option<Vec<crate::resolver::FileFeed>> {
        self.pages().get(&id).map(|page| page.files.iter().map(crate::resolver::FileFeed::from).collect())
    }

    /// For each request (JSON `FilesRequest[]`), what it names, as JSON `{files, versions}[]`.
    pub fn files_json(&self, requests_json: &str) -> CoreResult<String> {
        let requests: Vec<FilesRequest> =
            serde_json::from_str(requests_json).map_err(|e| CoreError::BadOptions(format!("invalid page files request: {e}")))?;
        let pages = self.pages();
        let mut out: Vec<FilesAnswer> = Vec::with_capacity(requests.len());
        for r in &requests {
            let page = pages.get(&r.page).ok_or_else(|| CoreError::BadOptions(format!("no page {} was kept", r.page)))?;
            let files = page.files.iter().filter(|f| r.all || r.urls.iter().any(|u| *u == f.url) || r.versions.iter().any(|v| *v == f.version)).collect();
            let versions = page
                .versions
                .iter()
                .filter(|(v, _)| r.all || r.versions.iter().any(|w| w == *v))
                .map(|(v, d)| (v.as_str(), d.as_str()))
                .collect();
            out.push(FilesAnswer { files, versions });
        }
        serde_json::to_string(&out).map_err(|e| CoreError::BadOptions(e.to_string()))
    }
}

/// A string, or nothing when the value is of another type (which is skipped over).
struct Text<'a>(Option<Cow<'a, str>>);

/// A non-negative integer, or nothing.
struct Count(Option<u64>);

/// `yanked` and `core-metadata`: a flag, a reason, or a table of hashes.
enum Flag<'a> {
    Bool(bool),
    Reason(Cow<'a, str>),
    Hashes(Vec<(Cow<'a, str>, Cow<'a, str>)>),
    Other,
}

/// A table of strings (`hashes`); entries of other types are left out.
struct Table<'a>(Vec<(Cow<'a, str>, Cow<'a, str>)>);

/// One entry of `files`, or nothing when it is not an object.
struct MaybeFile<'a>(Option<RawFile<'a>>);

#[derive(Default)]
struct RawFile<'a> {
    filename: Option<Cow<'a, str>>,
    url: Option<Cow<'a, str>>,
    hashes: Vec<(Cow<'a, str>, Cow<'a, str>)>,
    requires_python: Option<Cow<'a, str>>,
    yanked: Option<Flag<'a>>,
    upload_time: Option<Cow<'a, str>>,
    size: Option<u64>,
    core_metadata: Option<Flag<'a>>,
    dist_info_metadata: Option<Flag<'a>>,
}

/// Skips whatever compound value the visitor was given.
fn drain_map<'de, A: MapAccess<'de>>(mut map: A) -> Result<(), A::Error> {
    while map.next_entry::<IgnoredAny, IgnoredAny>()?.is_some() {}
    Ok(())
}

fn drain_seq<'de, A: SeqAccess<'de>>(mut seq: A) -> Result<(), A::Error> {
    while seq.next_element::<IgnoredAny>()?.is_some() {}
    Ok(())
}

/// Visitor methods for the values a lenient visitor does not want: each yields `$none`.
macro_rules! ignore_others {
    ($none:expr; $($skip:ident),*) => {
        $(ignore_others!(@one $none; $skip);)*
    };
    (@one $none:expr; bool) => { fn visit_bool<E: de::Error>(self, _: bool) -> Result<Self::Value, E> { Ok($none) } };
    (@one $none:expr; i64) => { fn visit_i64<E: de::Error>(self, _: i64) -> Result<Self::Value, E> { Ok($none) } };
    (@one $none:expr; u64) => { fn visit_u64<E: de::Error>(self, _: u64) -> Result<Self::Value, E> { Ok($none) } };
    (@one $none:expr; f64) => { fn visit_f64<E: de::Error>(self, _: f64) -> Result<Self::Value, E> { Ok($none) } };
    (@one $none:expr; str) => {
        fn visit_str<E: de::Error>(self, _: &str) -> Result<Self::Value, E> { Ok($none) }
    };
    (@one $none:expr; unit) => {
        fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> { Ok($none) }
        fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> { Ok($none) }
    };
    (@one $none:expr; map) => {
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> { drain_map(map)?; Ok($none) }
    };
    (@one $none:expr; seq) => {
        fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> { drain_seq(seq)?; Ok($none) }
    };
}

impl<'de: 'a, 'a> Deserialize<'de> for Text<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Text<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Borrowed(v))))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Text(Some(Cow::Owned(v.to_string()))))
            }
            ignore_others!(Text(None); bool, i64, u64, f64, unit, map, seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de> Deserialize<'de> for Count {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Count;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
                Ok(Count(Some(v)))
            }
            ignore_others!(Count(None); bool, i64, f64, str, unit, map, seq);
        }
        d.deserialize_any(V)
    }
}

fn table_entries<'de: 'a, 'a, A: MapAccess<'de>>(mut map: A) -> Result<Vec<(Cow<'a, str>, Cow<'a, str>)>, A::Error> {
    let mut out = Vec::new();
    while let Some((key, value)) = map.next_entry::<Text<'a>, Text<'a>>()? {
        if let (Some(k), Some(v)) = (key.0, value.0) {
            out.push((k, v));
        }
    }
    Ok(out)
}

impl<'de: 'a, 'a> Deserialize<'de> for Table<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Table<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(Table(table_entries(map)?))
            }
            ignore_others!(Table(Vec::new()); bool, i64, u64, f64, str, unit, seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for Flag<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = Flag<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
                Ok(Flag::Bool(v))
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
                Ok(Flag::Reason(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
                Ok(Flag::Reason(Cow::Owned(v.to_string())))
            }
            fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
                Ok(Flag::Hashes(table_entries(map)?))
            }
            ignore_others!(Flag::Other; i64, u64, f64, unit, seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

impl<'de: 'a, 'a> Deserialize<'de> for MaybeFile<'a> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V<'a>(PhantomData<&'a ()>);
        impl<'de: 'a, 'a> Visitor<'de> for V<'a> {
            type Value = MaybeFile<'a>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut file = RawFile::default();
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    match key.0.as_deref().unwrap_or_default() {
                        "filename" => file.filename = map.next_value::<Text>()?.0,
                        "url" => file.url = map.next_value::<Text>()?.0,
                        "hashes" => file.hashes = map.next_value::<Table>()?.0,
                        "requires-python" => file.requires_python = map.next_value::<Text>()?.0,
                        "yanked" => file.yanked = Some(map.next_value::<Flag>()?),
                        "upload-time" => file.upload_time = map.next_value::<Text>()?.0,
                        "size" => file.size = map.next_value::<Count>()?.0,
                        "core-metadata" => file.core_metadata = Some(map.next_value::<Flag>()?),
                        "dist-info-metadata" => file.dist_info_metadata = Some(map.next_value::<Flag>()?),
                        _ => {
                            map.next_value::<IgnoredAny>()?;
                        }
                    }
                }
                Ok(MaybeFile(Some(file)))
            }
            ignore_others!(MaybeFile(None); bool, i64, u64, f64, str, unit, seq);
        }
        d.deserialize_any(V(PhantomData))
    }
}

/// `meta`: its `api-version`, when it states one.
struct Meta(Option<String>);

impl<'de> Deserialize<'de> for Meta {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Meta;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("any value")
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
                let mut version = None;
                while let Some(key) = map.next_key::<Text<'de>>()? {
                    if key.0.as_deref() == Some("api-version") {
                        version = map.next_value::<Text>()?.0.map(Cow::into_owned);
                    } else {
                        map.next_value::<IgnoredAny>()?;
                    }
                }
                Ok(Meta(version))
            }
            ignore_others!(Meta(None); bool, i64, u64, f64, str, unit, seq);
        }
        d.deserialize_any(V)
    }
}

fn bad_page(url: &str, why: impl std::fmt::Display) -> CoreError {
    CoreError::BadIndexPage(format!("The index answered {url} with invalid JSON: {why}"))
}

/// A table of digests, lowercased (a later entry for the same algorithm wins).
fn lowercase(table: Vec<(Cow<'_, str>, Cow<'_, str>)>, into: &mut Digests) {
    for (k, v) in table {
        into.insert(k.to_ascii_lowercase(), v.to_ascii_lowercase());
    }
}

fn is_sha256(hex: &str) -> bool {
    hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The page being read: where it is, how errors name it, and whose it is.
#[derive(Debug, Clone, Copy)]
pub struct PageSource<'a> {
    /// Relative file URLs are resolved against it.
    pub page_url: &'a str,
    /// What errors name (no credentials).
    pub shown_url: &'a str,
    /// The index, as each file names it.
    pub index: &'a str,
    pub project: &'a str,
}

/// A PEP 691 page read as its bytes arrive: `push` each part, then `finish`. Each entry of
/// `files` is read as soon as it is complete and its bytes dropped, so a page of megabytes is
/// never held whole.
pub struct PageStream {
    splitter: ObjectSplitter,
    reader: EntryReader,
}

/// What reads the entries of one page into its digest.
struct EntryReader {
    filter: Arc<PageFilter>,
    base: url::Url,
    shown_url: String,
    index: String,
    project: String,
    digest: PageDigest,
    /// The version of the previous file, parsed and formatted (files of one version follow each other).
    last_version: Option<(pep440_rs::Version, String)>,
}

/// A page that is not JSON (found by the splitter), or an entry that is not.
enum ReadError {
    Split(SplitError),
    Entry(serde_json::Error),
}

impl From<SplitError> for ReadError {
    fn from(e: SplitError) -> Self {
        ReadError::Split(e)
    }
}

impl PageStream {
    pub fn new(source: PageSource<'_>, filter: Arc<PageFilter>) -> CoreResult<Self> {
        let base = url::Url::parse(source.page_url).map_err(|e| bad_page(source.shown_url, format!("the page URL does not parse: {e}")))?;
        let reader = EntryReader {
            filter,
            base,
            shown_url: source.shown_url.to_string(),
            index: source.index.to_string(),
            project: normalize_name(source.project),
            digest: PageDigest::default(),
            last_version: None,
        };
        Ok(PageStream { splitter: ObjectSplitter::new("files"), reader })
    }

    /// Reads the next bytes of the page.
    pub fn push(&mut self, bytes: &[u8]) -> CoreResult<()> {
        let PageStream { splitter, reader } = self;
        splitter
            .push::<ReadError>(bytes, |piece| match piece {
                Piece::Element(entry) => {
                    let file: MaybeFile = serde_json::from_slice(entry).map_err(ReadError::Entry)?;
                    if let Some(raw) = file.0 {
                        reader.add(raw);
                    }
                    Ok(())
                }
                Piece::Member { key: "meta", value } => {
                    reader.digest.api_version = serde_json::from_slice::<Meta>(value).map_err(ReadError::Entry)?.0;
                    Ok(())
                }
                Piece::Member { .. } => Ok(()),
            })
            .map_err(|e| match e {
                ReadError::Split(e) => bad_page(&reader.shown_url, e.0),
                ReadError::Entry(e) => bad_page(&reader.shown_url, e),
            })
    }

    /// The digest of the whole page; an error when the page ended early.
    pub fn finish(self) -> CoreResult<PageDigest> {
        self.splitter.finish().map_err(|e| bad_page(&self.reader.shown_url, e.0))?;
        Ok(self.reader.digest)
    }
}

impl EntryReader {
    /// One entry of `files`: its SHA-256 goes to its version; it is kept when the filter keeps it.
    fn add(&mut self, raw: RawFile<'_>) {
        let digest = &mut self.digest;
        let (Some(filename), Some(href)) = (raw.filename.as_deref(), raw.url.as_deref()) else { return };
        // Files that are neither wheels nor sdists of this project (eggs, installers) are skipped.
        let Ok(dist) = DistFilename::parse(filename, Some(&self.project)) else { return };
        let listed_sha = raw.hashes.iter().find(|(k, _)| k.eq_ignore_ascii_case("sha256")).map(|(_, v)| v.as_ref());
        let fragment_sha = || href.rsplit_once('#').and_then(|(_, f)| f.strip_prefix("sha256="));
        if self.last_version.as_ref().is_none_or(|(v, _)| v != dist.version()) {
            self.last_version = Some((dist.version().clone(), dist.version().to_string()));
        }
        let key = self.last_version.as_ref().map(|(_, k)| k.as_str()).unwrap_or_default();
        let sha = match digest.versions.get_mut(key) {
            Some(sha) => sha,
            None => digest.versions.entry(key.to_string()).or_default(),
        };
        if let Some(hex) = listed_sha.or_else(fragment_sha).filter(|h| is_sha256(h)) {
            let start = sha.len();
            sha.push_str(hex);
            sha[start..].make_ascii_lowercase();
        }
        if !self.filter.keeps(&dist) {
            return;
        }
        let Ok(mut url) = self.base.join(href) else { return };
        let fragment_hash = url.fragment().and_then(|f| f.split_once('=')).and_then(|(algo, hex)| {
            (!algo.is_empty() && algo.bytes().all(|b| b.is_ascii_alphanumeric()) && !hex.is_empty() && hex.bytes().all(|b| b.is_ascii_hexdigit()))
                .then(|| (algo.to_ascii_lowercase(), hex.to_ascii_lowercase()))
        });
        let mut hashes = Digests::default();
        if let Some((algo, hex)) = fragment_hash {
            hashes.insert(algo, hex);
        }
        lowercase(raw.hashes, &mut hashes);
        url.set_fragment(None);
        // Credentials never travel in file URLs: they come from the configured index.
        let _ = url.set_username("");
        let _ = url.set_password(None);
        let (yanked, yanked_reason) = match raw.yanked {
            Some(Flag::Bool(b)) => (b, None),
            Some(Flag::Reason(reason)) => (true, Some(reason.into_owned()).filter(|r| !r.is_empty())),
            _ => (false, None),
        };
        let (has_metadata, metadata_hashes) = match raw.core_metadata.or(raw.dist_info_metadata) {
            Some(Flag::Bool(b)) => (b, None),
            Some(Flag::Hashes(map)) => {
                let mut digests = Digests::default();
                lowercase(map, &mut digests);
                (true, Some(digests).filter(|m| !m.is_empty()))
            }
            _ => (false, None),
        };
        digest.files.push(PageFile {
            filename: filename.to_string(),
            version: key.to_string(),
            index: self.index.clone(),
            url: url.into(),
            hashes,
            requires_python: raw.requires_python.map(Cow::into_owned).filter(|r| !r.trim().is_empty()),
            yanked,
            yanked_reason,
            upload_time: raw
                .upload_time
                .and_then(|t| OffsetDateTime::parse(&t, &Rfc3339).ok())
                .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64),
            size: raw.size,
            has_metadata,
            metadata_hashes,
        });
    }
}


#[cfg(test)]
mod tests {
    use super::*;

    /// A page read in one part.
    fn read_json_page(body: &[u8], source: PageSource<'_>, filter: &PageFilter) -> CoreResult<PageDigest> {
        let mut stream = PageStream::new(source, Arc::new(filter.clone()))?;
        stream.push(body)?;
        stream.finish()
    }

    const PAGE: &str = r#"{
      "meta": {"api-version": "1.1"},
      "name": "demo",
      "files": [
        {"filename": "demo-1.0.tar.gz", "url": "../../files/demo-1.0.tar.gz#sha256=AA00", "hashes": {"sha256": "1111111111111111111111111111111111111111111111111111111111111111"},
         "requires-python": ">=3.8", "upload-time": "2024-01-02T03:04:05.678901Z", "size": 10, "yanked": false},
        {"filename": "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "url": "https://user:pw@files.test/demo-1.0-cp312.whl",
         "hashes": {"SHA256": "2222222222222222222222222222222222222222222222222222222222222222"}, "core-metadata": {"sha256": "abcd"}, "yanked": "broken build"},
        {"filename": "demo-1.0-cp312-cp312-win_amd64.whl", "url": "https://files.test/demo-1.0-win.whl",
         "hashes": {"sha256": "3333333333333333333333333333333333333333333333333333333333333333"}},
        {"filename": "demo-1.0.exe", "url": "https://files.test/demo-1.0.exe"},
        {"filename": "other-2.0.tar.gz", "url": "https://files.test/other-2.0.tar.gz"},
        {"filename": 12, "url": "https://files.test/x"},
        "not an object",
        {"filename": "demo-2.0.tar.gz", "url": "https://files.test/demo-2.0.tar.gz", "size": "big", "yanked": null, "dist-info-metadata": true}
      ]
    }"#;

    fn src<'a>(url: &'a str, project: &'a str) -> PageSource<'a> {
        PageSource { page_url: url, shown_url: url, index: "idx", project }
    }

    fn linux_only() -> PageFilter {
        PageFilter::new(Some(vec!["cp312-cp312-manylinux_2_17_x86_64".into()]))
    }

    #[test]
    fn keeps_what_the_filter_accepts_and_hashes_everything() {
        let d = read_json_page(PAGE.as_bytes(), src("https://idx.test/simple/demo/", "Demo"), &linux_only()).expect("page");
        let names: Vec<&str> = d.files.iter().map(|f| f.filename.as_str()).collect();
        assert_eq!(names, ["demo-1.0.tar.gz", "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "demo-2.0.tar.gz"]);
        assert_eq!(d.api_version.as_deref(), Some("1.1"));
        assert_eq!(d.versions["1.0"], format!("{}{}{}", "1".repeat(64), "2".repeat(64), "3".repeat(64)));
        assert_eq!(d.versions["2.0"], "");
        let sdist = &d.files[0];
        assert_eq!(sdist.url, "https://idx.test/files/demo-1.0.tar.gz");
        assert_eq!(sdist.hashes.get("sha256"), Some("1".repeat(64).as_str()), "the hashes field wins over the fragment");
        assert_eq!(sdist.upload_time, Some(1_704_164_645_678));
        assert_eq!(sdist.requires_python.as_deref(), Some(">=3.8"));
        assert_eq!(sdist.index, "idx");
        assert_eq!(sdist.version, "1.0");
        let wheel = &d.files[1];
        assert_eq!(wheel.url, "https://files.test/demo-1.0-cp312.whl", "credentials are removed");
        assert!(wheel.yanked);
        assert_eq!(wheel.yanked_reason.as_deref(), Some("broken build"));
        assert!(wheel.has_metadata);
        assert_eq!(wheel.metadata_hashes.as_ref().and_then(|m| m.get("sha256")), Some("abcd"));
        let lenient = &d.files[2];
        assert_eq!(lenient.size, None);
        assert!(!lenient.yanked);
        assert!(lenient.has_metadata);
    }

    #[test]
    fn without_tags_every_file_is_kept() {
        let d = read_json_page(PAGE.as_bytes(), src("https://idx.test/simple/demo/", "demo"), &PageFilter::new(None)).expect("page");
        assert_eq!(d.files.len(), 4);
    }

    #[test]
    fn invalid_json_names_the_page() {
        let err = read_json_page(b"{\"files\": [", src("https://idx.test/simple/demo/", "demo"), &PageFilter::default())
            .expect_err("truncated");
        assert_eq!(err.code(), "ZE_INDEX_BAD_RESPONSE");
        assert!(err.to_string().contains("https://idx.test/simple/demo/"), "{err}");
    }

    #[test]
    fn a_store_keeps_the_files_for_the_solver_and_gives_back_those_asked_for() {
        let store = PageStore::default();
        let mut d = read_json_page(PAGE.as_bytes(), src("https://idx.test/simple/demo/", "demo"), &linux_only()).expect("page");
        d.keep_in(&store);
        let id = d.page.expect("kept");
        assert!(d.files.is_empty());
        let json = d.to_json().expect("json");
        assert!(json.contains("\"page\":") && json.contains("\"files\":[]") && json.contains("\"versions\":{}"), "{json}");
        assert_eq!(d.kept, Some(KeptCounts { files: 3, versions: 2 }));
        let fed = store.solver_files(id).expect("solver files");
        assert_eq!(fed.iter().map(|f| f.filename.as_str()).collect::<Vec<_>>(), ["demo-1.0.tar.gz", "demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl", "demo-2.0.tar.gz"]);
        assert!(store.solver_files(id).is_some(), "the files stay for the CLI's questions");
        let asked = format!(r#"[{{"page":{id},"versions":["2.0"]}},{{"page":{id},"urls":["https://files.test/demo-1.0-cp312.whl"]}},{{"page":{id},"all":true}}]"#);
        let got: Vec<serde_json::Value> = serde_json::from_str(&store.files_json(&asked).expect("files")).expect("json");
        let names = |i: usize| got[i]["files"].as_array().map(|a| a.iter().map(|f| f["filename"].as_str().unwrap_or_default().to_string()).collect::<Vec<_>>()).unwrap_or_default();
        let versions = |i: usize| got[i]["versions"].as_object().map(|o| o.keys().cloned().collect::<Vec<_>>()).unwrap_or_default();
        assert_eq!(names(0), ["demo-2.0.tar.gz"]);
        assert_eq!(versions(0), ["2.0"]);
        assert_eq!(names(1), ["demo-1.0-cp312-cp312-manylinux_2_17_x86_64.whl"]);
        assert!(versions(1).is_empty(), "a file asked for by URL comes without digests");
        assert_eq!(names(2).len(), 3);
        assert_eq!(versions(2), ["1.0", "2.0"]);
        assert_eq!(got[2]["versions"]["1.0"].as_str().map(str::len), Some(3 * 64), "every platform's digest");
        assert!(store.files_json(r#"[{"page":999}]"#).is_err());
    }

    #[test]
    fn a_page_read_in_parts_is_read_as_a_whole() {
        let whole = read_json_page(PAGE.as_bytes(), src("https://idx.test/simple/demo/", "demo"), &linux_only()).expect("page");
        let filter = Arc::new(linux_only());
        for size in [1, 7, 64, 300] {
            let mut stream = PageStream::new(src("https://idx.test/simple/demo/", "demo"), filter.clone()).expect("stream");
            for part in PAGE.as_bytes().chunks(size) {
                stream.push(part).expect("part");
            }
            assert_eq!(stream.finish().expect("digest"), whole, "parts of {size} bytes");
        }
    }

    #[test]
    fn a_page_that_is_not_an_object_or_ends_early_is_an_error() {
        for body in [&b"[1, 2]"[..], b"{\"files\": [{\"filename\": 1}", b"{\"files\": [{\"filename\" 1}]}", b"{\"meta\": {\"api-version\": tru}}"] {
            let err = read_json_page(body, src("https://idx.test/simple/demo/", "demo"), &PageFilter::default()).expect_err("bad page");
            assert_eq!(err.code(), "ZE_INDEX_BAD_RESPONSE");
            assert!(err.to_string().contains("https://idx.test/simple/demo/"), "{err}");
        }
    }

    #[test]
    fn a_page_without_files_is_empty() {
        let d = read_json_page(br#"{"meta": {"api-version": "1.0"}, "files": 3}"#, src("https://i.test/simple/x/", "x"), &PageFilter::default()).expect("page");
        assert!(d.files.is_empty() && d.versions.is_empty());
    }
}
