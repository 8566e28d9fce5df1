//! Simple-API pages read off the event loop as they arrive: `new PageReader(tags, forSolver)`,
//! then per page `stream(pageUrl, shownUrl, index, project)`, its parts to `push`, the last to
//! `finish` (a page is thousands of files, and megabytes: it is never held whole).
//! A reader for the solver keeps each page's files, by number (zephyr-core `PageStore`): the
//! solver takes them natively (`NativeResolver.step(feed, reader)`) and `files(requests)` gives
//! the CLI the few it needs.

use std::sync::{Arc, Mutex};

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use zephyr_core::simple_page::{PageFilter, PageSource, PageStore, PageStream};
use zephyr_core::CoreError;

use crate::errors::to_napi;

/// The state of one page being read, shared by the tasks that read its parts (one at a time:
/// the CLI waits for each before it sends the next).
type SharedStream = Arc<Mutex<Option<PageStream>>>;

fn lock(stream: &SharedStream) -> std::sync::MutexGuard<'_, Option<PageStream>> {
    stream.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

fn read_parts(stream: &SharedStream, chunks: &[Buffer]) -> napi::Result<()> {
    let mut guard = lock(stream);
    let Some(page) = guard.as_mut() else { return Err(to_napi(CoreError::BadOptions("this page was already read".into()))) };
    for chunk in chunks {
        if let Err(e) = page.push(chunk) {
            *guard = None;
            return Err(to_napi(e));
        }
    }
    Ok(())
}

/// Reads parts of a page on the thread pool; with `finish`, ends it and gives its digest as JSON.
pub struct ReadParts {
    stream: SharedStream,
    store: Option<Arc<PageStore>>,
    /// The parts as they arrived: read here, off the event loop, and released with the task.
    chunks: Vec<Buffer>,
    finish: bool,
}

impl Task for ReadParts {
    type Output = Option<String>;
    type JsValue = Option<String>;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        read_parts(&self.stream, &self.chunks)?;
        if !self.finish {
            return Ok(None);
        }
        let Some(page) = lock(&self.stream).take() else { return Err(to_napi(CoreError::BadOptions("this page was already read".into()))) };
        let mut digest = page.finish().map_err(to_napi)?;
        if let Some(store) = &self.store {
            digest.keep_in(store);
        }
        digest.to_json().map(Some).map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

/// One page being read, part by part (`PageReader.stream`).
#[napi]
pub struct PageStreamReader {
    stream: SharedStream,
    store: Option<Arc<PageStore>>,
}

#[napi]
impl PageStreamReader {
    /// Reads the next parts of the page (the previous call must have settled).
    #[napi(ts_return_type = "Promise<null>")]
    pub fn push(&self, chunks: Vec<Buffer>) -> AsyncTask<ReadParts> {
        AsyncTask::new(ReadParts { stream: self.stream.clone(), store: self.store.clone(), chunks, finish: false })
    }

    /// Reads the last parts, and gives the page's digest as JSON: `{files, versions, apiVersion, page?}`
    /// (see zephyr-core simple_page). Throws `ZE_INDEX_BAD_RESPONSE: ...` for a body that is not JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn finish(&self, chunks: Vec<Buffer>) -> AsyncTask<ReadParts> {
        AsyncTask::new(ReadParts { stream: self.stream.clone(), store: self.store.clone(), chunks, finish: true })
    }
}

#[napi]
pub struct PageReader {
    filter: Arc<PageFilter>,
    /// For the solver: where each page's kept files wait for it.
    pub(crate) store: Option<Arc<PageStore>>,
}

#[napi]
impl PageReader {
    /// Keeps sdists and wheels with one of `tags` (`py-abi-plat`); without tags, every file.
    /// With `for_solver`, each page's kept files also wait for the solver under the number
    /// the digest gives as `page`.
    #[napi(constructor)]
    pub fn new(tags: Option<Vec<String>>, for_solver: Option<bool>) -> Self {
        let store = for_solver.unwrap_or(false).then(|| Arc::new(PageStore::default()));
        PageReader { filter: Arc::new(PageFilter::new(tags)), store }
    }

    /// A page to read as its body arrives (its parts go to `push`, the last ones to `finish`).
    /// Throws `ZE_INDEX_BAD_RESPONSE: ...` when `page_url` does not parse.
    #[napi]
    pub fn stream(&self, page_url: String, shown_url: String, index: String, project: String) -> napi::Result<PageStreamReader> {
        let source = PageSource { page_url: &page_url, shown_url: &shown_url, index: &index, project: &project };
        let page = PageStream::new(source, self.filter.clone()).map_err(to_napi)?;
        Ok(PageStreamReader { stream: Arc::new(Mutex::new(Some(page))), store: self.store.clone() })
    }

    /// For each request (JSON `[{page, urls?, versions?, all?}]`), the kept files it names, as
    /// JSON arrays of files. Throws `ZE_BAD_OPTIONS: …` for a page this reader did not keep.
    #[napi]
    pub fn files(&self, requests_json: String) -> napi::Result<String> {
        match &self.store {
            Some(store) => store.files_json(&requests_json).map_err(to_napi),
            None => Err(to_napi(zephyr_core::CoreError::BadOptions("this page reader keeps no pages".into()))),
        }
    }
}
