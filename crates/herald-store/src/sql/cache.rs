//! Applications and endpoints a node has decoded (and unsealed), kept by id
//! with the `rev` each was read at. Every change to such a row bumps its
//! `rev` (a trigger, migration 17), so publishing and claiming read only
//! ids and revs and decode again just the rows that changed: exact on every
//! node, without every row read in full for every batch.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all_sealed, SqlRow};
use crate::rows::{self, RowGet};
use crate::*;

/// The decoded rows; one per store, shared by its publisher and its claims.
#[derive(Default)]
pub struct Cache {
    apps: Mutex<HashMap<String, (i64, Arc<Application>)>>,
    endpoints: Mutex<HashMap<String, (i64, Arc<Endpoint>)>>,
}

/// Beyond this many entries a map is emptied and refilled as batches need
/// it: rows deleted or no longer used leave nothing behind for long.
const LIMIT: usize = 20_000;

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The cached values of `wanted` (id, rev) pairs by id, and the ids to read
/// in full: absent, or cached at another rev.
fn split<T>(
    cache: &Mutex<HashMap<String, (i64, Arc<T>)>>,
    wanted: &[(String, i64)],
) -> (HashMap<String, Arc<T>>, Vec<String>) {
    let map = lock(cache);
    let mut hits = HashMap::with_capacity(wanted.len());
    let mut misses = Vec::new();
    for (id, rev) in wanted {
        match map.get(id) {
            Some((r, v)) if r == rev => {
                hits.insert(id.clone(), v.clone());
            }
            _ => misses.push(id.clone()),
        }
    }
    (hits, misses)
}

fn keep<T>(cache: &Mutex<HashMap<String, (i64, Arc<T>)>>, id: &str, rev: i64, v: Arc<T>) {
    let mut map = lock(cache);
    if map.len() >= LIMIT {
        map.clear();
    }
    map.insert(id.to_owned(), (rev, v));
}

/// An `(id, rev)` pair from columns `{prefix}id` and `{prefix}rev`.
pub fn id_rev(row: &dyn RowGet, prefix: &str) -> StoreResult<(String, i64)> {
    Ok((row.text(&format!("{prefix}id"))?, row.int(&format!("{prefix}rev"))?))
}

/// A decoded row with its id and the rev it was read at.
type Decoded<T> = (String, i64, T);

fn endpoint_row(r: &dyn RowGet) -> StoreResult<Decoded<Endpoint>> {
    let ep = rows::endpoint(r)?;
    Ok((ep.id.to_string(), r.int("rev")?, ep))
}

fn application_row(r: &dyn RowGet) -> StoreResult<Decoded<Application>> {
    let app = rows::application(r)?;
    Ok((app.id.to_string(), r.int("rev")?, app))
}

/// The rows of `wanted` at their revs from `cache`, reading in full from
/// `table` (inside the caller's connection) those not cached at that rev.
async fn read<DB, T>(
    cache: &Mutex<HashMap<String, (i64, Arc<T>)>>,
    conn: &mut DB::Connection,
    (table, json_texts): (&str, &str),
    sealer: &crate::seal::Sealer,
    decode: fn(&dyn RowGet) -> StoreResult<Decoded<T>>,
    wanted: &[(String, i64)],
) -> StoreResult<HashMap<String, Arc<T>>>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> String: Encode<'q, DB> + Type<DB>,
{
    let (mut found, misses) = split(cache, wanted);
    if !misses.is_empty() {
        let sql = format!("SELECT * FROM {table} WHERE id IN (SELECT value FROM {json_texts})");
        let rows = sqlx::query(&sql).bind(to_json(&misses)?).fetch_all(conn).await.map_err(StoreError::from_sqlx)?;
        for (id, rev, v) in all_sealed(&rows, sealer, decode)? {
            let v = Arc::new(v);
            keep(cache, &id, rev, v.clone());
            found.insert(id, v);
        }
    }
    Ok(found)
}

impl Cache {
    /// The endpoints of `wanted` at their revs, reading in full (inside the
    /// caller's connection) those not cached at that rev.
    pub async fn endpoints<DB>(
        &self,
        conn: &mut DB::Connection,
        json_texts: &str,
        sealer: &crate::seal::Sealer,
        wanted: &[(String, i64)],
    ) -> StoreResult<HashMap<String, Arc<Endpoint>>>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
        for<'r> SqlRow<'r, DB::Row>: RowGet,
        for<'q> String: Encode<'q, DB> + Type<DB>,
    {
        read::<DB, _>(&self.endpoints, conn, ("endpoints", json_texts), sealer, endpoint_row, wanted).await
    }

    /// As [`Cache::endpoints`], for applications.
    pub async fn apps<DB>(
        &self,
        conn: &mut DB::Connection,
        json_texts: &str,
        sealer: &crate::seal::Sealer,
        wanted: &[(String, i64)],
    ) -> StoreResult<HashMap<String, Arc<Application>>>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
        for<'r> SqlRow<'r, DB::Row>: RowGet,
        for<'q> String: Encode<'q, DB> + Type<DB>,
    {
        read::<DB, _>(&self.apps, conn, ("applications", json_texts), sealer, application_row, wanted).await
    }
}

fn to_json<T: serde::Serialize>(v: &T) -> StoreResult<String> {
    serde_json::to_string(v).map_err(|e| StoreError::Corrupt(e.to_string()))
}

impl Cache {
    /// The claims `builder` holds, with their endpoints and applications
    /// (read in full, inside `conn`, only where not cached at their rev).
    pub async fn claims<DB>(
        &self,
        conn: &mut DB::Connection,
        json_texts: &str,
        sealer: &crate::seal::Sealer,
        builder: rows::ClaimBuilder,
    ) -> StoreResult<Vec<ClaimedDelivery>>
    where
        DB: Database,
        for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
        for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
        for<'r> SqlRow<'r, DB::Row>: RowGet,
        for<'q> String: Encode<'q, DB> + Type<DB>,
    {
        let (eps, apps) = builder.wanted();
        let eps = self.endpoints::<DB>(&mut *conn, json_texts, sealer, &eps).await?;
        let apps = self.apps::<DB>(conn, json_texts, sealer, &apps).await?;
        Ok(builder.finish(&eps, &apps))
    }
}
