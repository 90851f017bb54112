//! The job seams in the Worker: [`JobQueue`] over a Cloudflare Queues producer binding (`JOBS`),
//! [`FileStore`] over an R2 bucket (`JOB_FILES`).

use std::pin::Pin;
use std::task::{Context, Poll};

use async_trait::async_trait;
use futures_util::{Stream, StreamExt};
use worker::{BatchMessageBuilder, Bucket, Queue};

use crate::core::error::{CoreError, CoreResult};
use crate::core::management::jobs::{ChunkMessage, FileStore, JobQueue};

/// Sends chunk messages in batches of 100 (the Queues limit per call).
pub struct QueueJobs<'a>(pub Option<&'a Queue>);

#[async_trait(?Send)]
impl JobQueue for QueueJobs<'_> {
    async fn enqueue(&self, job_id: &str, chunks: u32) -> CoreResult<()> {
        let queue = self
            .0
            .ok_or_else(|| CoreError::Internal("the JOBS queue binding is missing".into()))?;
        let messages: Vec<ChunkMessage> = (0..chunks)
            .map(|chunk| ChunkMessage {
                job_id: job_id.into(),
                chunk,
            })
            .collect();
        for part in messages.chunks(100) {
            let batch = BatchMessageBuilder::new().messages(part.to_vec()).build();
            queue
                .send_batch(batch)
                .await
                .map_err(|e| CoreError::Internal(format!("queue: {e}")))?;
        }
        Ok(())
    }
}

/// Job files in the `JOB_FILES` R2 bucket.
pub struct R2Files(pub Option<Bucket>);

impl R2Files {
    fn bucket(&self) -> CoreResult<&Bucket> {
        self.0
            .as_ref()
            .ok_or_else(|| CoreError::Internal("the JOB_FILES bucket binding is missing".into()))
    }
}

fn r2(e: worker::Error) -> CoreError {
    CoreError::Internal(format!("R2: {e}"))
}

#[async_trait(?Send)]
impl FileStore for R2Files {
    async fn put(&self, key: &str, bytes: Vec<u8>) -> CoreResult<()> {
        self.bucket()?.put(key, bytes).execute().await.map_err(r2)?;
        Ok(())
    }

    async fn put_gzipped(&self, key: &str, raw: Vec<u8>) -> CoreResult<()> {
        let gz = gzip(&raw)
            .await
            .map_err(|e| CoreError::Internal(format!("CompressionStream: {e:?}")))?;
        self.put(key, gz).await
    }

    async fn get(&self, key: &str) -> CoreResult<Option<Vec<u8>>> {
        match self.bucket()?.get(key).execute().await.map_err(r2)? {
            Some(object) => Ok(Some(
                object
                    .body()
                    .ok_or_else(|| r2("no body".into()))?
                    .bytes()
                    .await
                    .map_err(r2)?,
            )),
            None => Ok(None),
        }
    }

    async fn delete(&self, keys: &[String]) -> CoreResult<()> {
        let bucket = self.bucket()?;
        for part in keys.chunks(1000) {
            bucket.delete_multiple(part.to_vec()).await.map_err(r2)?;
        }
        Ok(())
    }
}

/// The objects under `keys`, one after the other, as a response body stream (an export download:
/// its gzip members in order). One object in memory at a time.
pub fn objects_stream(bucket: Bucket, keys: Vec<String>) -> impl Stream<Item = worker::Result<Vec<u8>>> {
    futures_util::stream::iter(keys).then(move |key| {
        let bucket = bucket.clone();
        async move {
            let object = bucket
                .get(&key)
                .execute()
                .await?
                .ok_or_else(|| worker::Error::RustError(format!("export part {key} is missing")))?;
            object
                .body()
                .ok_or_else(|| worker::Error::RustError(format!("export part {key} has no body")))?
                .bytes()
                .await
        }
    })
}

/// A stream of the Worker's (single) thread, marked `Send` for APIs that ask for it: Workers run
/// one thread per isolate, so it is never sent anywhere.
pub struct LocalStream<S>(pub Pin<Box<S>>);

// SAFETY: a Worker isolate has one thread; values never cross threads.
unsafe impl<S> Send for LocalStream<S> {}

impl<S: Stream> Stream for LocalStream<S> {
    type Item = S::Item;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<S::Item>> {
        self.0.as_mut().poll_next(cx)
    }
}

// `CompressionStream` (web-sys has it only behind its unstable-API flag).
#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    type CompressionStream;
    #[wasm_bindgen(constructor, catch)]
    fn new(format: &str) -> Result<CompressionStream, wasm_bindgen::JsValue>;
    #[wasm_bindgen(method, getter)]
    fn readable(this: &CompressionStream) -> web_sys::ReadableStream;
    #[wasm_bindgen(method, getter)]
    fn writable(this: &CompressionStream) -> web_sys::WritableStream;
}

/// Gzips with the platform's `CompressionStream` (workerd's native zlib), not wasm.
async fn gzip(raw: &[u8]) -> Result<Vec<u8>, wasm_bindgen::JsValue> {
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(raw));
    let blob = web_sys::Blob::new_with_u8_array_sequence(&parts)?;
    let gzip = CompressionStream::new("gzip")?;
    let pair = web_sys::ReadableWritablePair::new(&gzip.readable(), &gzip.writable());
    let compressed = blob.stream().pipe_through(&pair);
    let response = web_sys::Response::new_with_opt_readable_stream(Some(&compressed))?;
    let buffer = wasm_bindgen_futures::JsFuture::from(response.array_buffer()?).await?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
