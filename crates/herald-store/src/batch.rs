//! Group commit, the part every backend shares: deciding what each queued
//! publish becomes, given what the database already holds. The backends do
//! the reading and writing; this decides, without I/O.

use std::collections::{HashMap, HashSet};
use std::future::Future;

use herald_core::event_type::EventFilter;
use herald_core::{AppId, Timestamp};
use tokio::sync::{mpsc, oneshot};

use crate::{Message, NewMessage, Published, StoreError, StoreResult};

/// Most publishes written in one transaction.
const MAX_BATCH: usize = 512;

struct Job {
    req: PublishRequest,
    reply: oneshot::Sender<StoreResult<Published>>,
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
    /// request, in order (an `Err` fails the whole batch).
    pub fn start<W, Fut>(write: W) -> Self
    where
        W: Fn(Vec<PublishRequest>) -> Fut + Send + 'static,
        Fut: Future<Output = StoreResult<Vec<StoreResult<Published>>>> + Send,
    {
        let (tx, mut rx) = mpsc::channel::<Job>(8 * MAX_BATCH);
        tokio::spawn(async move {
            let mut jobs = Vec::with_capacity(MAX_BATCH);
            while rx.recv_many(&mut jobs, MAX_BATCH).await > 0 {
                let (reqs, replies): (Vec<_>, Vec<_>) = jobs.drain(..).map(|j| (j.req, j.reply)).unzip();
                let count = reqs.len();
                match write(reqs).await {
                    Ok(results) => {
                        for (reply, result) in replies.into_iter().zip(results) {
                            let _ = reply.send(result);
                        }
                    }
                    Err(e) => {
                        tracing::error!(error = %e, count, "publishing a batch failed");
                        let msg = e.to_string();
                        for reply in replies {
                            let _ = reply.send(Err(StoreError::Backend(msg.clone().into())));
                        }
                    }
                }
            }
        });
        Self { tx }
    }

    /// Queues one publish and waits for its answer (after the commit).
    pub async fn publish(&self, app: &AppId, new: NewMessage, now: Timestamp) -> StoreResult<Published> {
        let (reply, answer) = oneshot::channel();
        let job = Job { req: PublishRequest { app: app.clone(), new, now }, reply };
        let stopped = || StoreError::Backend("the publisher task has stopped".into());
        self.tx.send(job).await.map_err(|_| stopped())?;
        answer.await.map_err(|_| stopped())?
    }
}

/// One queued publish.
pub struct PublishRequest {
    pub app: AppId,
    pub new: NewMessage,
    pub now: Timestamp,
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
    New { targets: Vec<String> },
}

/// What the backend read for the batch.
pub struct Known<'a> {
    pub apps: &'a HashSet<String>,
    /// Messages already stored, by (app id, event id).
    pub by_event_id: &'a HashMap<(String, String), Message>,
    /// Enabled (and verified) endpoints by app id, with their filters.
    pub endpoints: &'a HashMap<String, Vec<(String, EventFilter)>>,
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
        if !known.apps.contains(r.app.as_str()) {
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
                    .filter(|(id, f)| match &r.new.only_endpoint {
                        Some(only) => only.as_str() == id,
                        None => f.matches(r.new.event_type.as_str()),
                    })
                    .map(|(id, _)| id.clone())
                    .collect()
            })
            .unwrap_or_default();
        plans.push(Plan::New { targets });
    }
    plans
}

/// The answers, once the batch is committed.
pub fn results(reqs: &[PublishRequest], plans: Vec<Plan>) -> Vec<StoreResult<Published>> {
    let mut out: Vec<StoreResult<Published>> = Vec::with_capacity(reqs.len());
    for (r, plan) in reqs.iter().zip(plans) {
        let result = match plan {
            Plan::Missing => Err(StoreError::NotFound("application")),
            Plan::Existing(message) => Ok(Published { message, created: false, fanned_out: 0 }),
            Plan::SameAs(first) => match &out[first] {
                Ok(p) => Ok(Published { message: p.message.clone(), created: false, fanned_out: 0 }),
                Err(_) => Err(StoreError::NotFound("application")),
            },
            Plan::New { targets } => Ok(Published {
                message: Message {
                    id: r.new.id.clone(),
                    app_id: r.app.clone(),
                    event_id: r.new.event_id.clone(),
                    event_type: r.new.event_type.clone(),
                    payload: r.new.payload.clone(),
                    timestamp: r.new.timestamp,
                    created_at: r.now,
                },
                created: true,
                fanned_out: targets.len(),
            }),
        };
        out.push(result);
    }
    out
}

/// Stored messages keyed by (app id, event id).
pub fn index_by_event_id(messages: Vec<Message>) -> HashMap<(String, String), Message> {
    messages.into_iter().filter_map(|m| m.event_id.clone().map(|e| ((m.app_id.to_string(), e), m))).collect()
}

/// `(app id, endpoint id, filter)` rows grouped by application.
pub fn group_by_app(rows: Vec<(String, String, EventFilter)>) -> HashMap<String, Vec<(String, EventFilter)>> {
    let mut out: HashMap<String, Vec<(String, EventFilter)>> = HashMap::new();
    for (app, id, filter) in rows {
        out.entry(app).or_default().push((id, filter));
    }
    out
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
            },
            now: Timestamp::from_millis(1),
        }
    }

    #[test]
    fn a_batch_is_planned_like_one_publish_after_another() {
        let (a, gone) = (AppId::generate(1), AppId::generate(2));
        let (ep_all, ep_ref) = (EndpointId::generate(1), EndpointId::generate(2));
        let apps: HashSet<String> = [a.to_string()].into();
        let endpoints: HashMap<String, Vec<(String, EventFilter)>> = [(
            a.to_string(),
            vec![
                (ep_all.to_string(), EventFilter::All),
                (ep_ref.to_string(), EventFilter::Only(vec![EventPattern::parse("referral.*").unwrap()])),
            ],
        )]
        .into();
        let earlier = HashMap::new();
        let reqs = vec![
            req(&a, "referral.converted", Some("e1"), None),
            req(&a, "user.created", Some("e1"), None),
            req(&gone, "user.created", None, None),
            req(&a, "user.created", None, None),
            req(&a, "test", None, Some(&ep_ref)),
        ];
        let plans = plan(&reqs, &Known { apps: &apps, by_event_id: &earlier, endpoints: &endpoints });
        assert!(matches!(&plans[0], Plan::New { targets } if targets.len() == 2));
        assert!(matches!(plans[1], Plan::SameAs(0)), "the repeat in the same batch answers with the first");
        assert!(matches!(plans[2], Plan::Missing));
        assert!(matches!(&plans[3], Plan::New { targets } if targets == &vec![ep_all.to_string()]));
        assert!(
            matches!(&plans[4], Plan::New { targets } if targets == &vec![ep_ref.to_string()]),
            "a test event ignores the filter"
        );

        let results = results(&reqs, plans);
        let first = results[0].as_ref().unwrap();
        let repeat = results[1].as_ref().unwrap();
        assert!(first.created && !repeat.created);
        assert_eq!(repeat.message.id, first.message.id);
        assert!(matches!(results[2], Err(StoreError::NotFound("application"))));
    }
}
