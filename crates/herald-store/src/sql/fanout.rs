//! What a batch of publishes reads before it writes, the same on every
//! backend: the batch's applications, the messages already stored under its
//! event ids, and the endpoints each message may fan out to (enabled, and
//! verified where a handshake is required). Lists travel as one JSON array
//! parameter, opened by the backend's [`SqlBackend::JSON_TEXTS`] and
//! [`SqlBackend::JSON_VALUES`].

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, all_sealed, SqlBackend, SqlRow};
use crate::batch::{self, Known, PublishRequest};
use crate::rows::{self, RowGet};
use crate::*;

/// What the database holds for one batch; see [`Known`].
pub struct Lookup {
    pub apps: HashMap<String, Arc<Application>>,
    pub by_event_id: HashMap<(String, String), Message>,
    pub endpoints: HashMap<String, Vec<Arc<Endpoint>>>,
}

impl Lookup {
    pub fn known(&self) -> Known<'_> {
        Known { apps: &self.apps, by_event_id: &self.by_event_id, endpoints: &self.endpoints }
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

/// The applications and endpoints a node has decoded (and unsealed), by id,
/// each with the `rev` it was read at. Every change to a row bumps its
/// `rev` (a trigger, migration 17), so a batch reads only ids and revs and
/// decodes again just the rows that changed: exact on every node, without
/// a row read in full per endpoint per batch.
#[derive(Default)]
pub struct Cache {
    apps: Mutex<HashMap<String, (i64, Arc<Application>)>>,
    endpoints: Mutex<HashMap<String, (i64, Arc<Endpoint>)>>,
}

/// Beyond this many entries a map is emptied and refilled as batches need:
/// rows deleted or no longer published to leave nothing behind for long.
const CACHE_LIMIT: usize = 20_000;

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The cached values of `current` (id, rev) pairs, and the ids to read in
/// full: absent or at another rev.
fn split<T>(cache: &Mutex<HashMap<String, (i64, Arc<T>)>>, current: &[(String, i64)]) -> (Vec<Arc<T>>, Vec<String>) {
    let map = lock(cache);
    let mut hits = Vec::with_capacity(current.len());
    let mut misses = Vec::new();
    for (id, rev) in current {
        match map.get(id) {
            Some((r, v)) if r == rev => hits.push(v.clone()),
            _ => misses.push(id.clone()),
        }
    }
    (hits, misses)
}

fn remember<T>(cache: &Mutex<HashMap<String, (i64, Arc<T>)>>, id: &str, rev: i64, v: Arc<T>) {
    let mut map = lock(cache);
    if map.len() >= CACHE_LIMIT {
        map.clear();
    }
    map.insert(id.to_owned(), (rev, v));
}

/// Reads what `reqs` must know, inside the caller's transaction.
pub async fn lookup<B>(
    conn: &mut <B::Db as Database>::Connection,
    sealer: &crate::seal::Sealer,
    cache: &Cache,
    reqs: &[PublishRequest],
) -> StoreResult<Lookup>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
{
    let app_ids = to_json(&batch::app_ids(reqs))?;
    let sql = format!("SELECT id, rev FROM applications WHERE id IN (SELECT value FROM {})", B::JSON_TEXTS);
    let found = sqlx::query(&sql).bind(app_ids.clone()).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
    let current = all(&found, id_rev)?;
    let (mut apps, misses) = split(&cache.apps, &current);
    if !misses.is_empty() {
        let sql = format!("SELECT * FROM applications WHERE id IN (SELECT value FROM {})", B::JSON_TEXTS);
        let rows =
            sqlx::query(&sql).bind(to_json(&misses)?).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
        for (app, rev) in all_sealed(&rows, sealer, application_rev)? {
            let app = Arc::new(app);
            remember(&cache.apps, app.id.as_str(), rev, app.clone());
            apps.push(app);
        }
    }
    let apps = apps.into_iter().map(|a| (a.id.to_string(), a)).collect();
    let by_event_id = existing_by_event_id::<B>(&mut *conn, &batch::event_keys(reqs)).await?;
    let sql = format!(
        "SELECT id, rev FROM endpoints
         WHERE app_id IN (SELECT value FROM {}) AND disabled = FALSE
           AND (verify_state IS NULL OR verify_state = 'verified')",
        B::JSON_TEXTS
    );
    let found = sqlx::query(&sql).bind(app_ids).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
    let current = all(&found, id_rev)?;
    let (mut eps, misses) = split(&cache.endpoints, &current);
    if !misses.is_empty() {
        let sql = format!("SELECT * FROM endpoints WHERE id IN (SELECT value FROM {})", B::JSON_TEXTS);
        let rows =
            sqlx::query(&sql).bind(to_json(&misses)?).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
        for (ep, rev) in all_sealed(&rows, sealer, endpoint_rev)? {
            let ep = Arc::new(ep);
            remember(&cache.endpoints, ep.id.as_str(), rev, ep.clone());
            eps.push(ep);
        }
    }
    // The order the database gives (creation order of the ids), whatever
    // came from the cache.
    let order: HashMap<&str, usize> = current.iter().enumerate().map(|(i, (id, _))| (id.as_str(), i)).collect();
    eps.sort_by_key(|e| order.get(e.id.as_str()).copied().unwrap_or(usize::MAX));
    let endpoints = batch::group_by_app(eps);
    Ok(Lookup { apps, by_event_id, endpoints })
}

fn id_rev(row: &dyn RowGet) -> StoreResult<(String, i64)> {
    Ok((row.text("id")?, row.int("rev")?))
}

fn application_rev(row: &dyn RowGet) -> StoreResult<(Application, i64)> {
    Ok((rows::application(row)?, row.int("rev")?))
}

fn endpoint_rev(row: &dyn RowGet) -> StoreResult<(Endpoint, i64)> {
    Ok((rows::endpoint(row)?, row.int("rev")?))
}

/// The messages stored under these (app id, event id) pairs.
pub async fn existing_by_event_id<B>(
    conn: &mut <B::Db as Database>::Connection,
    keys: &[(String, String)],
) -> StoreResult<HashMap<(String, String), Message>>
where
    B: SqlBackend,
    for<'c> &'c mut <B::Db as Database>::Connection: Executor<'c, Database = B::Db>,
    for<'q> <B::Db as Database>::Arguments<'q>: IntoArguments<'q, B::Db>,
    for<'r> SqlRow<'r, <B::Db as Database>::Row>: RowGet,
    for<'q> String: Encode<'q, B::Db> + Type<B::Db>,
{
    if keys.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT m.* FROM {} AS k JOIN messages m ON m.app_id = k.value ->> 0 AND m.event_id = k.value ->> 1",
        B::JSON_VALUES
    );
    let found = sqlx::query(&sql).bind(to_json(&keys)?).fetch_all(conn).await.map_err(StoreError::from_sqlx)?;
    Ok(batch::index_by_event_id(all(&found, rows::message)?))
}
