//! Simple-API pages read off the event loop: `new PageReader(tags, forSolver)`, then
//! `readJson(chunks, pageUrl, shownUrl, index, project)` per page (a page is thousands of files).
//! A reader for the solver keeps each page's files, by number (zephyr-core `PageStore`): the
//! solver takes them natively (`NativeResolver.step(feed, reader)`) and `files(requests)` gives
//! the CLI the few it needs.

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use zephyr_core::simple_page::{read_json_page, PageFilter, PageSource, PageStore};

use crate::errors::to_napi;

pub struct ReadJsonPage {
    filter: Arc<PageFilter>,
    store: Option<Arc<PageStore>>,
    /// The body as it arrived, chunk by chunk: joined here, off the event loop, and freed as
    /// soon as the page is read (a copy joined in JavaScript would wait for a garbage collection).
    chunks: Vec<Buffer>,
    page_url: String,
    shown_url: String,
    index: String,
    project: String,
}

impl Task for ReadJsonPage {
    type Output = String;
    type JsValue = String;

    fn compute(&mut self) -> napi::Result<Self::Output> {
        let joined: Vec<u8>;
        let body: &[u8] = match self.chunks.as_slice() {
            [one] => one,
            many => {
                let mut all = Vec::with_capacity(many.iter().map(|c| c.len()).sum());
                for chunk in many {
                    all.extend_from_slice(chunk);
                }
                joined = all;
                &joined
            }
        };
        let source = PageSource { page_url: &self.page_url, shown_url: &self.shown_url, index: &self.index, project: &self.project };
        let mut digest = read_json_page(body, source, &self.filter).map_err(to_napi)?;
        if let Some(store) = &self.store {
            digest.keep_in(store);
        }
        digest.to_json().map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
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

    /// The digest of a page (its body in chunks) as JSON: `{files, versions, apiVersion}` (see zephyr-core simple_page).
    /// Throws `ZE_INDEX_BAD_RESPONSE: ...` for a body that is not JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn read_json(&self, chunks: Vec<Buffer>, page_url: String, shown_url: String, index: String, project: String) -> AsyncTask<ReadJsonPage> {
        AsyncTask::new(ReadJsonPage { filter: self.filter.clone(), store: self.store.clone(), chunks, page_url, shown_url, index, project })
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
