//! [`JobQueue`] over a Cloudflare Queues producer binding (`JOBS`).

use async_trait::async_trait;
use worker::{BatchMessageBuilder, Queue};

use crate::core::error::{CoreError, CoreResult};
use crate::core::jobs::{ChunkMessage, JobQueue};

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
