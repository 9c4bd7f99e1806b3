//! Group fsync: waits until what was written to a file before the call is on
//! disk. One fsync serves every caller that asked while the previous one ran,
//! so many commits share one, and the writer never waits for it: it goes on
//! with the next commit while this task syncs the last.

use std::fs::File;
use std::path::PathBuf;
use std::sync::Arc;

use tokio::sync::{mpsc, oneshot};

use crate::{StoreError, StoreResult};

/// What runs once the fsync it waited for is done, on the fsync thread:
/// a caller's wake-up, or the answers of a publish batch (sent from there
/// directly, not through one more task).
type Waiter = Box<dyn FnOnce(Result<(), String>) + Send>;

/// The fsyncs of one file (SQLite's write-ahead log).
#[derive(Clone)]
pub struct FileSync {
    tx: mpsc::UnboundedSender<Waiter>,
    path: Arc<PathBuf>,
}

impl FileSync {
    /// Starts the task that syncs `path`; the file is opened when first
    /// synced (it may not exist before the first write). The first sync
    /// also syncs the directory, so the file's own entry survives a crash.
    pub fn start(path: PathBuf) -> Self {
        let (tx, mut rx) = mpsc::unbounded_channel::<Waiter>();
        let target = path.clone();
        // A thread of its own: an fsync blocks, and handing each one to the
        // runtime's blocking pool would cost a wake-up more per fsync.
        let spawned = std::thread::Builder::new().name("herald-fsync".into()).spawn(move || {
            let mut file = None;
            let mut waiters = Vec::new();
            while rx.blocking_recv_many(&mut waiters, 4096) > 0 {
                let started = std::time::Instant::now();
                let result = sync(&mut file, &target);
                let took_us = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
                tracing::trace!(took_us, waiters = waiters.len(), "fsync");
                for w in waiters.drain(..) {
                    w(result.clone());
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "could not start the fsync thread; writes will fail");
        }
        Self { tx, path: Arc::new(path) }
    }

    /// Runs `then` once everything written to the file before this call is
    /// on disk (or the fsync failed), on the fsync thread: `then` must not
    /// block.
    pub fn then(&self, then: impl FnOnce(StoreResult<()>) + Send + 'static) {
        let path = self.path.clone();
        let waiter: Waiter = Box::new(move |r| then(r.map_err(|e| not_synced(&path, &e))));
        if let Err(mpsc::error::SendError(w)) = self.tx.send(waiter) {
            w(Err("the fsync task has stopped".into()));
        }
    }

    /// Waits until everything written before this call is on disk.
    pub async fn synced(&self) -> StoreResult<()> {
        let (tx, rx) = oneshot::channel();
        self.then(move |r| {
            let _ = tx.send(r);
        });
        rx.await.unwrap_or_else(|_| Err(not_synced(&self.path, "the fsync task has stopped")))
    }
}

fn not_synced(path: &std::path::Path, e: &str) -> StoreError {
    StoreError::Unavailable(format!("the disk did not confirm the write ({}: {e})", path.display()))
}

fn sync(file: &mut Option<File>, path: &std::path::Path) -> Result<(), String> {
    if file.is_none() {
        let opened = File::open(path).map_err(|e| e.to_string())?;
        if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
            File::open(dir).and_then(|d| d.sync_all()).map_err(|e| e.to_string())?;
        }
        *file = Some(opened);
    }
    let Some(f) = file.as_ref() else { return Err("not open".into()) };
    f.sync_data().map_err(|e| {
        // After a failed fsync the kernel may have dropped the dirty pages:
        // open the file again next time rather than trust this handle.
        *file = None;
        e.to_string()
    })
}
