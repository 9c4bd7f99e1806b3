//! What a batch of publishes reads before it writes, the same on every
//! backend: the batch's applications, the messages already stored under its
//! event ids, and the endpoints each message may fan out to (enabled, and
//! verified where a handshake is required). Lists travel as one JSON array
//! parameter, opened by the backend's [`SqlBackend::JSON_TEXTS`] and
//! [`SqlBackend::JSON_VALUES`].

use std::collections::HashMap;
use std::sync::Arc;

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, cache, SqlBackend, SqlRow};
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

/// Reads what `reqs` must know, inside the caller's transaction.
pub async fn lookup<B>(
    conn: &mut <B::Db as Database>::Connection,
    sealer: &crate::seal::Sealer,
    cache: &super::cache::Cache,
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
    let wanted = all(&found, |r| cache::id_rev(r, ""))?;
    let apps = cache.apps::<B::Db>(&mut *conn, B::JSON_TEXTS, sealer, &wanted).await?;
    let by_event_id = existing_by_event_id::<B>(&mut *conn, &batch::event_keys(reqs)).await?;
    let sql = format!(
        "SELECT id, rev FROM endpoints
         WHERE app_id IN (SELECT value FROM {}) AND disabled = FALSE
           AND (verify_state IS NULL OR verify_state = 'verified')",
        B::JSON_TEXTS
    );
    let found = sqlx::query(&sql).bind(app_ids).fetch_all(&mut *conn).await.map_err(StoreError::from_sqlx)?;
    let wanted = all(&found, |r| cache::id_rev(r, ""))?;
    let mut by_id = cache.endpoints::<B::Db>(&mut *conn, B::JSON_TEXTS, sealer, &wanted).await?;
    // In the order the database gives (creation order of the ids).
    let endpoints = batch::group_by_app(wanted.iter().filter_map(|(id, _)| by_id.remove(id)).collect());
    Ok(Lookup { apps, by_event_id, endpoints })
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
