//! Group commit, the part every backend shares: deciding what each queued
//! publish becomes, given what the database already holds. The backends do
//! the reading and writing; this decides, without I/O.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use herald_core::event_type::EventFilter;
use herald_core::{AppId, Timestamp};
use tokio::sync::{mpsc, oneshot};

use crate::sync::FileSync;
use crate::{Application, ClaimedDelivery, Endpoint, Message, NewMessage, Published, StoreError, StoreResult};

/// Most publishes written in one transaction.
const MAX_BATCH: usize = 512;

/// What queues for the writer: one publish, or a batch of them (the batch
/// publish route) that goes into one transaction whole.
enum Job {
    One(PublishRequest, oneshot::Sender<StoreResult<Published>>),
    Many(Vec<PublishRequest>, oneshot::Sender<Vec<StoreResult<Published>>>),
}

/// Where the answers of one job go.
enum Reply {
    One(oneshot::Sender<StoreResult<Published>>),
    Many(usize, oneshot::Sender<Vec<StoreResult<Published>>>),
}

/// The queue in front of a backend's batch writer: publishes wait here, one
/// task takes whatever has queued up, hands it to the writer as one batch,
/// and answers each caller after the commit.
#[derive(Clone)]
pub struct Publisher {
    tx: mpsc::Sender<Job>,
}

impl Publisher {
    /// Starts the task; `write` stores one batch and returns one answer per
    /// request, in order (an `Err` fails the whole batch, and the batch is
    /// then split so that only the requests at fault fail).
    pub fn start<W, Fut>(write: W) -> Self
    where
        W: Fn(Arc<Vec<PublishRequest>>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = StoreResult<Vec<StoreResult<Published>>>> + Send,
    {
        Self::start_synced(write, None)
    }

    /// The same, and with `sync`, a batch's callers are answered only once
    /// `sync` has put its commit on disk. The next batch is written
    /// meanwhile: the fsync of one commit overlaps the writing of the next.
    pub fn start_synced<W, Fut>(write: W, sync: Option<FileSync>) -> Self
    where
        W: Fn(Arc<Vec<PublishRequest>>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = StoreResult<Vec<StoreResult<Published>>>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Job>(8 * MAX_BATCH);
        tokio::spawn(async move {
            let mut jobs = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                let mut reqs = Vec::with_capacity(jobs.len());
                let mut replies = Vec::with_capacity(jobs.len());
                for job in jobs.drain(..) {
                    match job {
                        Job::One(req, reply) => {
                            reqs.push(req);
                            replies.push(Reply::One(reply));
                        }
                        Job::Many(many, reply) => {
                            replies.push(Reply::Many(many.len(), reply));
                            reqs.extend(many);
                        }
                    }
                }
                let results = write_isolating(&write, reqs).await;
                match &sync {
                    None => answer(replies, results, Ok(())),
                    Some(sync) => sync.then(move |synced| answer(replies, results, synced)),
                }
            }
        });
        Self { tx }
    }

    /// Queues one publish and waits for its answer (after the commit).
    pub async fn publish(
        &self,
        app: &AppId,
        new: NewMessage,
        now: Timestamp,
        lease: Option<Duration>,
    ) -> StoreResult<Published> {
        let (reply, answer) = oneshot::channel();
        let job = Job::One(PublishRequest { app: app.clone(), new, now, lease }, reply);
        self.tx.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }

    /// Queues several publishes as one unit, written in the same
    /// transaction (unless the database refuses a row of it, when the rows
    /// at fault fail alone); one answer per publish, in order, after the
    /// commit.
    pub async fn publish_many(
        &self,
        app: &AppId,
        news: Vec<NewMessage>,
        now: Timestamp,
        lease: Option<Duration>,
    ) -> StoreResult<Vec<StoreResult<Published>>> {
        if news.is_empty() {
            return Ok(Vec::new());
        }
        let reqs = news.into_iter().map(|new| PublishRequest { app: app.clone(), new, now, lease }).collect();
        let (reply, answer) = oneshot::channel();
        self.tx.send(Job::Many(reqs, reply)).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())
    }
}

fn stopped() -> StoreError {
    StoreError::Backend("the publisher task has stopped".into())
}

/// Answers each caller; when the commit did not reach the disk, those that
/// succeeded get that error instead.
fn answer(replies: Vec<Reply>, results: Vec<StoreResult<Published>>, synced: StoreResult<()>) {
    let mut results = results.into_iter().map(|result| match (&synced, result) {
        (Err(e), Ok(_)) => Err(e.duplicate()),
        (_, r) => r,
    });
    for reply in replies {
        match reply {
            Reply::One(tx) => {
                if let Some(r) = results.next() {
                    let _ = tx.send(r);
                }
            }
            Reply::Many(n, tx) => {
                let _ = tx.send(results.by_ref().take(n).collect());
            }
        }
    }
}

/// Writes `reqs` as one batch. When the database refuses the batch for
/// something in its rows (not for being unreachable), the batch is split in
/// halves and each written on its own, down to the single request at fault:
/// one bad row fails only its own publish. Answers come back in order.
async fn write_isolating<W, Fut>(write: &W, reqs: Vec<PublishRequest>) -> Vec<StoreResult<Published>>
where
    W: Fn(Arc<Vec<PublishRequest>>) -> Fut,
    Fut: Future<Output = StoreResult<Vec<StoreResult<Published>>>>,
{
    let mut results: Vec<Option<StoreResult<Published>>> = (0..reqs.len()).map(|_| None).collect();
    let mut todo = vec![(0usize, reqs)];
    while let Some((at, part)) = todo.pop() {
        let part = Arc::new(part);
        match write(part.clone()).await {
            Ok(answers) => {
                for (slot, answer) in results[at..].iter_mut().zip(answers) {
                    *slot = Some(answer);
                }
            }
            Err(e) if part.len() > 1 && !e.is_unavailable() => {
                tracing::warn!(error = %e, count = part.len(), "a publish batch was refused; writing its halves apart");
                let mut left = Arc::try_unwrap(part).unwrap_or_else(|shared| shared.as_ref().clone());
                let right = left.split_off(left.len() / 2);
                todo.push((at + left.len(), right));
                todo.push((at, left));
            }
            Err(e) => {
                tracing::error!(error = %e, count = part.len(), "publishing failed");
                for slot in &mut results[at..at + part.len()] {
                    *slot = Some(Err(e.duplicate()));
                }
            }
        }
    }
    results
        .into_iter()
        .map(|r| r.unwrap_or_else(|| Err(StoreError::Corrupt("no answer for a publish".into()))))
        .collect()
}

/// One queued publish.
#[derive(Clone)]
pub struct PublishRequest {
    pub app: AppId,
    pub new: NewMessage,
    pub now: Timestamp,
    /// Lease the new deliveries to the caller for this long.
    pub lease: Option<Duration>,
}

/// What one request turns into.
pub enum Plan {
    /// The application does not exist.
    Missing,
    /// The event id was used before: answer with that message.
    Existing(Message),
    /// Same event id as an earlier request of this batch.
    SameAs(usize),
    /// Store it and deliver it to these endpoints.
    New { targets: Vec<Arc<Endpoint>> },
}

/// What the backend read for the batch.
pub struct Known<'a> {
    /// The batch's applications that exist, by id.
    pub apps: &'a HashMap<String, Arc<Application>>,
    /// Messages already stored, by (app id, event id).
    pub by_event_id: &'a HashMap<(String, String), Message>,
    /// Enabled (and verified) endpoints by app id.
    pub endpoints: &'a HashMap<String, Vec<Arc<Endpoint>>>,
}

/// (app id, event id) pairs the batch asks about.
pub fn event_keys(reqs: &[PublishRequest]) -> Vec<(String, String)> {
    reqs.iter().filter_map(|r| r.new.event_id.as_ref().map(|e| (r.app.to_string(), e.clone()))).collect()
}

/// The distinct application ids of the batch.
pub fn app_ids(reqs: &[PublishRequest]) -> Vec<String> {
    reqs.iter().map(|r| r.app.to_string()).collect::<HashSet<_>>().into_iter().collect()
}

pub fn plan(reqs: &[PublishRequest], known: &Known<'_>) -> Vec<Plan> {
    let mut first_with_key: HashMap<(&str, &str), usize> = HashMap::new();
    let mut plans = Vec::with_capacity(reqs.len());
    for (i, r) in reqs.iter().enumerate() {
        if !known.apps.contains_key(r.app.as_str()) {
            plans.push(Plan::Missing);
            continue;
        }
        if let Some(event_id) = r.new.event_id.as_deref() {
            if let Some(m) = known.by_event_id.get(&(r.app.to_string(), event_id.to_owned())) {
                plans.push(Plan::Existing(m.clone()));
                continue;
            }
            if let Some(first) = first_with_key.get(&(r.app.as_str(), event_id)) {
                plans.push(Plan::SameAs(*first));
                continue;
            }
            first_with_key.insert((r.app.as_str(), event_id), i);
        }
        let targets = known
            .endpoints
            .get(r.app.as_str())
            .map(|eps| {
                eps.iter()
                    .filter(|ep| match &r.new.only_endpoint {
                        Some(only) => *only == ep.id,
                        None => ep.filter.matches(r.new.event_type.as_str()),
                    })
                    .cloned()
                    .collect()
            })
            .unwrap_or_default();
        plans.push(Plan::New { targets });
    }
    plans
}

/// One delivery row to insert for a new message.
pub struct NewDelivery<'a> {
    pub app: &'a str,
    pub msg: &'a str,
    pub endpoint: &'a str,
    pub now: Timestamp,
    /// `(lease token, leased until)` when the publisher takes the delivery.
    pub lease: Option<(i64, Timestamp)>,
    /// At a FIFO endpoint: the message's ordering key (`""` without one).
    pub ordering_key: Option<&'a str>,
}

/// The delivery rows of the batch's new messages; leased ones share `token`.
pub fn new_deliveries<'a>(reqs: &'a [PublishRequest], plans: &'a [Plan], token: i64) -> Vec<NewDelivery<'a>> {
    let mut out = Vec::new();
    for (r, plan) in reqs.iter().zip(plans) {
        let Plan::New { targets } = plan else { continue };
        let lease = r.lease.map(|l| (token, r.now.plus(l)));
        // A gated endpoint's deliveries go out only through its gate.
        out.extend(targets.iter().map(|ep| NewDelivery {
            app: r.app.as_str(),
            msg: r.new.id.as_str(),
            endpoint: ep.id.as_str(),
            now: r.now,
            lease: if ep.gated() { None } else { lease },
            ordering_key: ep.gate.is_some_and(|g| g.fifo).then(|| r.new.ordering_key.as_deref().unwrap_or("")),
        }));
    }
    out
}

/// The answers, once the batch is committed. `ids` maps each inserted
/// (message id, endpoint id) to its delivery id; leased deliveries come back
/// in `claimed` with the batch's `token`.
pub fn results(
    reqs: &[PublishRequest],
    plans: Vec<Plan>,
    known: &Known<'_>,
    ids: &HashMap<(String, String), i64>,
    token: i64,
) -> Vec<StoreResult<Published>> {
    let mut out: Vec<StoreResult<Published>> = Vec::with_capacity(reqs.len());
    for (r, plan) in reqs.iter().zip(plans) {
        let repeat = |message| Published { message, created: false, fanned_out: 0, claimed: Vec::new() };
        let result = match plan {
            Plan::Missing => Err(StoreError::NotFound("application")),
            Plan::Existing(message) => Ok(repeat(message)),
            Plan::SameAs(first) => match &out[first] {
                Ok(p) => Ok(repeat(p.message.clone())),
                Err(_) => Err(StoreError::NotFound("application")),
            },
            Plan::New { targets } => {
                let message = Message {
                    id: r.new.id.clone(),
                    app_id: r.app.clone(),
                    event_id: r.new.event_id.clone(),
                    event_type: r.new.event_type.clone(),
                    payload: r.new.payload.clone(),
                    timestamp: r.new.timestamp,
                    created_at: r.now,
                    expunged_at: None,
                };
                let claimed = match (r.lease, known.apps.get(r.app.as_str())) {
                    (Some(lease), Some(app)) if !targets.is_empty() => {
                        let shared = Arc::new(message.clone());
                        targets
                            .iter()
                            .filter(|ep| !ep.gated())
                            .filter_map(|ep| {
                                let id = ids.get(&(r.new.id.to_string(), ep.id.to_string()))?;
                                Some(ClaimedDelivery {
                                    delivery_id: *id,
                                    lease: token,
                                    leased_until: r.now.plus(lease),
                                    attempt_number: 1,
                                    schedule_attempt: 1,
                                    message: shared.clone(),
                                    endpoint: ep.clone(),
                                    app: app.clone(),
                                })
                            })
                            .collect()
                    }
                    _ => Vec::new(),
                };
                Ok(Published { message, created: true, fanned_out: targets.len(), claimed })
            }
        };
        out.push(result);
    }
    out
}

/// Stored messages keyed by (app id, event id).
pub fn index_by_event_id(messages: Vec<Message>) -> HashMap<(String, String), Message> {
    messages.into_iter().filter_map(|m| m.event_id.clone().map(|e| ((m.app_id.to_string(), e), m))).collect()
}

/// Endpoints grouped by application id.
pub fn group_by_app(endpoints: Vec<Arc<Endpoint>>) -> HashMap<String, Vec<Arc<Endpoint>>> {
    let mut out: HashMap<String, Vec<Arc<Endpoint>>> = HashMap::new();
    for ep in endpoints {
        out.entry(ep.app_id.to_string()).or_default().push(ep);
    }
    out
}

/// Applications by id.
pub fn index_apps(apps: Vec<Application>) -> HashMap<String, Arc<Application>> {
    apps.into_iter().map(|a| (a.id.to_string(), Arc::new(a))).collect()
}

/// Parses an endpoint's stored filter (`None` = every event).
pub fn filter_from_text(text: Option<String>) -> StoreResult<EventFilter> {
    let Some(t) = text else { return Ok(EventFilter::All) };
    let list = serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("endpoint filter: {e}")))?;
    Ok(EventFilter::Only(list))
}

#[cfg(test)]
mod tests {
    use herald_core::event_type::{EventPattern, EventTypeName};
    use herald_core::{EndpointId, MessageId};

    use super::*;
    use crate::fixtures::{application as app, endpoint};

    fn req(app: &AppId, event_type: &str, event_id: Option<&str>, only: Option<&EndpointId>) -> PublishRequest {
        PublishRequest {
            app: app.clone(),
            new: NewMessage {
                id: MessageId::generate(1),
                event_id: event_id.map(str::to_owned),
                event_type: EventTypeName::parse(event_type).unwrap(),
                payload: "{}".into(),
                timestamp: Timestamp::from_millis(1),
                only_endpoint: only.cloned(),
                ordering_key: None,
            },
            now: Timestamp::from_millis(1),
            lease: Some(Duration::from_secs(30)),
        }
    }

    #[test]
    fn a_batch_is_planned_like_one_publish_after_another() {
        let (a, gone) = (AppId::generate(1), AppId::generate(2));
        let (ep_all, ep_ref) = (EndpointId::generate(1), EndpointId::generate(2));
        let apps = index_apps(vec![app(&a)]);
        let referrals = EventFilter::Only(vec![EventPattern::parse("referral.*").unwrap()]);
        let endpoints = group_by_app(vec![
            Arc::new(endpoint(&a, &ep_all, EventFilter::All)),
            Arc::new(endpoint(&a, &ep_ref, referrals)),
        ]);
        let earlier = HashMap::new();
        let reqs = vec![
            req(&a, "referral.converted", Some("e1"), None),
            req(&a, "user.created", Some("e1"), None),
            req(&gone, "user.created", None, None),
            req(&a, "user.created", None, None),
            req(&a, "test", None, Some(&ep_ref)),
        ];
        let known = Known { apps: &apps, by_event_id: &earlier, endpoints: &endpoints };
        let plans = plan(&reqs, &known);
        let ids_of = |p: &Plan| match p {
            Plan::New { targets } => targets.iter().map(|e| e.id.clone()).collect::<Vec<_>>(),
            _ => Vec::new(),
        };
        assert_eq!(ids_of(&plans[0]), vec![ep_all.clone(), ep_ref.clone()]);
        assert!(matches!(plans[1], Plan::SameAs(0)), "the repeat in the same batch answers with the first");
        assert!(matches!(plans[2], Plan::Missing));
        assert_eq!(ids_of(&plans[3]), vec![ep_all.clone()]);
        assert_eq!(ids_of(&plans[4]), vec![ep_ref.clone()], "a test event ignores the filter");

        let rows = new_deliveries(&reqs, &plans, 7);
        assert_eq!(rows.len(), 4);
        assert!(rows.iter().all(|d| d.lease == Some((7, Timestamp::from_millis(30_001)))));
        let ids: HashMap<(String, String), i64> =
            rows.iter().enumerate().map(|(i, d)| ((d.msg.to_owned(), d.endpoint.to_owned()), i as i64)).collect();

        let results = results(&reqs, plans, &known, &ids, 7);
        let first = results[0].as_ref().unwrap();
        let repeat = results[1].as_ref().unwrap();
        assert!(first.created && !repeat.created);
        assert_eq!(repeat.message.id, first.message.id);
        assert!(repeat.claimed.is_empty(), "a repeat leases nothing");
        assert!(matches!(results[2], Err(StoreError::NotFound("application"))));
        let claimed: Vec<(i64, i64, u32)> =
            first.claimed.iter().map(|c| (c.delivery_id, c.lease, c.attempt_number)).collect();
        assert_eq!(claimed, vec![(0, 7, 1), (1, 7, 1)], "the new deliveries come back leased, with their ids");
        assert_eq!(first.claimed[0].endpoint.id, ep_all);
    }
}
