//! CPU time the hypervisor gave to other guests ("steal", from
//! `/proc/stat`), sampled each second of a run: on a shared host a few
//! seconds of steal slow everything in the machine, Herald, the bench's
//! client and its receivers alike, and show up as a latency tail that no
//! change to Herald explains.

use std::time::Duration;

use tokio::task::JoinHandle;

/// A sampler running beside a measured run.
pub struct Steal {
    task: JoinHandle<Vec<f64>>,
    stop: tokio::sync::oneshot::Sender<()>,
    first: Option<Times>,
}

/// What a run saw: the share of all CPU time stolen over the run, and for
/// each second of it, in percent.
#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct StealSeen {
    pub run_pct: f64,
    pub by_second: Vec<f64>,
}

#[derive(Clone, Copy)]
struct Times {
    total: u64,
    steal: u64,
}

/// The aggregate `cpu` line: all fields summed, and the eighth (steal).
fn read() -> Option<Times> {
    let stat = std::fs::read_to_string("/proc/stat").ok()?;
    let line = stat.lines().find(|l| l.starts_with("cpu "))?;
    let fields: Vec<u64> = line.split_whitespace().skip(1).filter_map(|f| f.parse().ok()).collect();
    // user nice system idle iowait irq softirq steal guest guest_nice: the
    // guest times are already counted in user and nice.
    let total = fields.iter().take(8).sum();
    Some(Times { total, steal: *fields.get(7)? })
}

fn pct(from: Times, to: Times) -> f64 {
    let total = to.total.saturating_sub(from.total);
    if total == 0 {
        return 0.0;
    }
    100.0 * to.steal.saturating_sub(from.steal) as f64 / total as f64
}

impl Steal {
    pub fn start() -> Self {
        let first = read();
        let (stop, mut stopped) = tokio::sync::oneshot::channel();
        let task = tokio::spawn(async move {
            let mut seconds = Vec::new();
            let mut last = first;
            let mut tick = tokio::time::interval(Duration::from_secs(1));
            tick.tick().await;
            loop {
                tokio::select! {
                    _ = tick.tick() => {}
                    _ = &mut stopped => return seconds,
                }
                let now = read();
                if let (Some(a), Some(b)) = (last, now) {
                    seconds.push(pct(a, b));
                }
                last = now;
            }
        });
        Self { task, stop, first }
    }

    pub async fn finish(self) -> StealSeen {
        let _ = self.stop.send(());
        let by_second = self.task.await.unwrap_or_default();
        let run_pct = match (self.first, read()) {
            (Some(a), Some(b)) => pct(a, b),
            _ => 0.0,
        };
        StealSeen { run_pct, by_second }
    }
}
