//! Simple-API pages read off the event loop: `new PageReader(tags)`, then
//! `readJson(chunks, pageUrl, shownUrl, project)` per page (a page is thousands of files).

use std::sync::Arc;

use napi::bindgen_prelude::{AsyncTask, Buffer};
use napi::{Env, Task};
use napi_derive::napi;
use zephyr_core::simple_page::{read_json_page, PageFilter};

use crate::errors::to_napi;

pub struct ReadJsonPage {
    filter: Arc<PageFilter>,
    /// The body as it arrived, chunk by chunk: joined here, off the event loop, and freed as
    /// soon as the page is read (a copy joined in JavaScript would wait for a garbage collection).
    chunks: Vec<Buffer>,
    page_url: String,
    shown_url: String,
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
        read_json_page(body, &self.page_url, &self.shown_url, &self.project, &self.filter)
            .and_then(|digest| digest.to_json())
            .map_err(to_napi)
    }

    fn resolve(&mut self, _env: Env, output: Self::Output) -> napi::Result<Self::JsValue> {
        Ok(output)
    }
}

#[napi]
pub struct PageReader {
    filter: Arc<PageFilter>,
}

#[napi]
impl PageReader {
    /// Keeps sdists and wheels with one of `tags` (`py-abi-plat`); without tags, every file.
    #[napi(constructor)]
    pub fn new(tags: Option<Vec<String>>) -> Self {
        PageReader { filter: Arc::new(PageFilter::new(tags)) }
    }

    /// The digest of a page (its body in chunks) as JSON: `{files, versions, apiVersion}` (see zephyr-core simple_page).
    /// Throws `ZE_INDEX_BAD_RESPONSE: ...` for a body that is not JSON.
    #[napi(ts_return_type = "Promise<string>")]
    pub fn read_json(&self, chunks: Vec<Buffer>, page_url: String, shown_url: String, project: String) -> AsyncTask<ReadJsonPage> {
        AsyncTask::new(ReadJsonPage { filter: self.filter.clone(), chunks, page_url, shown_url, project })
    }
}
