//! Bulk recovery jobs, stored so they survive a restart: made with a count
//! of what they cover, taken by one node under a lease, run batch by batch
//! (each batch re-queues deliveries and moves the job's cursor in one
//! transaction, so a restart neither repeats nor skips any), cancellable.

use herald_core::{AppId, EndpointId, RecoveryId, Timestamp};
use sqlx::{Database, Encode, Executor, IntoArguments, Pool, Type};

use super::catalog::page_limit;
use super::{all, Sql, SqlRow};
use crate::rows::RowGet;
use crate::*;

/// The failed deliveries a job covers, after its cursor. Parameters: $1
/// event types (JSON array or NULL), $2 app, $3 cursor, $4 endpoint,
/// $5 since, $6 until, $7 upto (the last delivery id when it was made).
fn matching(json_texts: &str) -> String {
    format!(
        "FROM deliveries d
         WHERE d.app_id = $2 AND d.state = 'failed' AND d.id > $3 AND d.id <= $7
           AND (CAST($4 AS TEXT) IS NULL OR d.endpoint_id = $4)
           AND d.last_attempt_at >= $5 AND (CAST($6 AS BIGINT) IS NULL OR d.last_attempt_at < $6)
           AND (CAST($1 AS TEXT) IS NULL OR d.msg_id IN (
                SELECT m.id FROM messages m WHERE m.app_id = $2 AND m.event_type IN (SELECT value FROM {json_texts})))"
    )
}

fn recovery(row: &dyn RowGet) -> StoreResult<Recovery> {
    let id = row.text("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("recoveries.{what} of {id}"));
    let count = |col: &str| row.int(col).map(|n| u64::try_from(n).unwrap_or(0));
    Ok(Recovery {
        id: RecoveryId::parse(&id).map_err(|_| corrupt("id"))?,
        app_id: AppId::from_trusted(row.text("app_id")?),
        endpoint: row.opt_text("endpoint_id")?.map(EndpointId::from_trusted),
        event_types: row
            .opt_text("event_types")?
            .map(|t| serde_json::from_str(&t).map_err(|_| corrupt("event_types")))
            .transpose()?,
        since: Timestamp::from_millis(row.int("since")?),
        until: row.opt_int("until")?.map(Timestamp::from_millis),
        state: RecoveryState::parse(&row.text("state")?).ok_or_else(|| corrupt("state"))?,
        total: count("total")?,
        done: count("done")?,
        runner: row.opt_text("runner")?,
        created_at: Timestamp::from_millis(row.int("created_at")?),
        updated_at: Timestamp::from_millis(row.int("updated_at")?),
        finished_at: row.opt_int("finished_at")?.map(Timestamp::from_millis),
    })
}

/// The job's event types as the JSON array the statements take.
fn types_json(types: Option<&Vec<String>>) -> StoreResult<Option<String>> {
    types.map(serde_json::to_string).transpose().map_err(|e| StoreError::Corrupt(e.to_string()))
}

fn ms(d: std::time::Duration) -> i64 {
    i64::try_from(d.as_millis()).unwrap_or(i64::MAX)
}

impl<DB> Sql<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> String: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> Option<String>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
{
    pub async fn create_recovery(&self, new: &NewRecovery, now: Timestamp) -> StoreResult<Recovery> {
        let types = types_json(new.event_types.as_ref())?;
        let mut tx = super::begin(self.writer, self.begin).await?;
        let rows = sqlx::query("SELECT COALESCE(MAX(id), 0) AS upto FROM deliveries")
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        let upto = all(&rows, |r| r.int("upto"))?.first().copied().unwrap_or(0);
        let count = format!("SELECT COUNT(*) AS n {}", matching(self.json_texts));
        let rows = sqlx::query(&count)
            .bind(types.clone())
            .bind(new.app_id.as_str())
            .bind(0_i64)
            .bind(new.endpoint.as_ref().map(EndpointId::as_str))
            .bind(new.since.as_millis())
            .bind(new.until.map(Timestamp::as_millis))
            .bind(upto)
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        let total = all(&rows, |r| r.int("n"))?.first().copied().unwrap_or(0);
        let rows = sqlx::query(
            "INSERT INTO recoveries (id, app_id, endpoint_id, event_types, since, until, upto, state, total, done,
                                     cursor, runner, lease_until, created_at, updated_at, finished_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, 'queued', $8, 0, 0, NULL, NULL, $9, $9, NULL) RETURNING *",
        )
        .bind(new.id.as_str())
        .bind(new.app_id.as_str())
        .bind(new.endpoint.as_ref().map(EndpointId::as_str))
        .bind(types)
        .bind(new.since.as_millis())
        .bind(new.until.map(Timestamp::as_millis))
        .bind(upto)
        .bind(total)
        .bind(now.as_millis())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        let job = all(&rows, recovery)?.into_iter().next().ok_or(StoreError::NotFound("recovery"))?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(job)
    }

    pub async fn get_recovery(&self, app: &AppId, id: &RecoveryId) -> StoreResult<Recovery> {
        self.fetch_recovery(self.reader, app, id).await
    }

    async fn fetch_recovery(&self, pool: &Pool<DB>, app: &AppId, id: &RecoveryId) -> StoreResult<Recovery> {
        let rows = sqlx::query("SELECT * FROM recoveries WHERE id = $1 AND app_id = $2")
            .bind(id.as_str())
            .bind(app.as_str())
            .fetch_all(pool)
            .await
            .map_err(StoreError::from_sqlx)?;
        all(&rows, recovery)?.into_iter().next().ok_or(StoreError::NotFound("recovery"))
    }

    pub async fn list_recoveries(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Recovery>> {
        let rows = sqlx::query(
            "SELECT * FROM recoveries WHERE app_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3",
        )
        .bind(app.as_str())
        .bind(page.before.as_deref())
        .bind(page_limit(&page))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(all(&rows, recovery)?, page.limit, |r| r.id.to_string()))
    }

    /// Stops a queued or running job; one that has ended stays as it is.
    pub async fn cancel_recovery(&self, app: &AppId, id: &RecoveryId, now: Timestamp) -> StoreResult<Recovery> {
        sqlx::query(
            "UPDATE recoveries SET state = 'cancelled', finished_at = $3, updated_at = $3, lease_until = NULL
             WHERE id = $1 AND app_id = $2 AND state IN ('queued', 'running')",
        )
        .bind(id.as_str())
        .bind(app.as_str())
        .bind(now.as_millis())
        .execute(self.writer)
        .await
        .map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        // From the writer: the state just written, whichever pool reads lag.
        self.fetch_recovery(self.writer, app, id).await
    }

    /// Takes the oldest open job no other node holds (or this node held
    /// before a restart) under a lease.
    pub async fn claim_recovery(
        &self,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
    ) -> StoreResult<Option<Recovery>> {
        // Idle nodes look with a read, so that polling writes nothing.
        let open = sqlx::query("SELECT id FROM recoveries WHERE state IN ('queued', 'running') LIMIT 1")
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        if open.is_empty() {
            return Ok(None);
        }
        let free = "(lease_until IS NULL OR lease_until < $2 OR runner = $1)";
        let sql = format!(
            "UPDATE recoveries SET runner = $1, lease_until = $3, state = 'running', updated_at = $2
             WHERE id = (SELECT id FROM recoveries WHERE state IN ('queued', 'running') AND {free} ORDER BY id LIMIT 1)
               AND state IN ('queued', 'running') AND {free}
             RETURNING *"
        );
        let rows = sqlx::query(&sql)
            .bind(node)
            .bind(now.as_millis())
            .bind(now.as_millis() + ms(lease))
            .fetch_all(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(all(&rows, recovery)?.into_iter().next())
    }

    /// Re-queues the job's next `batch` deliveries (due now, with a fresh
    /// retry schedule; their attempts go on being numbered from where they
    /// were) and moves its cursor, in one transaction; renews the
    /// lease. A job cancelled or taken by another node is left alone.
    pub async fn recovery_step(
        &self,
        id: &RecoveryId,
        node: &str,
        now: Timestamp,
        lease: std::time::Duration,
        batch: u32,
    ) -> StoreResult<RecoveryStep> {
        let mut tx = super::begin(self.writer, self.begin).await?;
        let rows = sqlx::query(
            "UPDATE recoveries SET lease_until = $3, updated_at = $4
             WHERE id = $1 AND runner = $2 AND state = 'running' RETURNING *",
        )
        .bind(id.as_str())
        .bind(node)
        .bind(now.as_millis() + ms(lease))
        .bind(now.as_millis())
        .fetch_all(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        let renewed = all(&rows, |r| Ok((recovery(r)?, r.int("cursor")?, r.int("upto")?)))?;
        let Some((job, cursor, upto)) = renewed.into_iter().next() else {
            return Ok(RecoveryStep::Stopped);
        };
        let types = types_json(job.event_types.as_ref())?;
        let requeue = format!(
            "UPDATE deliveries SET state = 'pending', schedule_start = attempts, due_at = $8, lease = NULL, leased_until = NULL,
                                   updated_at = $8
             WHERE id IN (SELECT d.id {} ORDER BY d.id LIMIT $9)
             RETURNING id, endpoint_id, app_id",
            matching(self.json_texts)
        );
        let rows = sqlx::query(&requeue)
            .bind(types)
            .bind(job.app_id.as_str())
            .bind(cursor)
            .bind(job.endpoint.as_ref().map(EndpointId::as_str))
            .bind(job.since.as_millis())
            .bind(job.until.map(Timestamp::as_millis))
            .bind(upto)
            .bind(now.as_millis())
            .bind(i64::from(batch))
            .fetch_all(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        let requeued = all(&rows, |r| Ok((r.int("id")?, r.text("endpoint_id")?, r.text("app_id")?)))?;
        // Failed no more: pending again (the statistics' failed count).
        let rollups =
            crate::stats::requeued(requeued.iter().map(|(_, e, a)| (e.as_str(), a.as_str())), now.as_millis());
        super::stats::record_in::<DB>(&mut tx, &rollups, self.json_values).await?;
        let ids: Vec<i64> = requeued.iter().map(|(id, _, _)| *id).collect();
        let n = i64::try_from(ids.len()).unwrap_or(0);
        let finished = ids.len() < batch as usize;
        sqlx::query(
            "UPDATE recoveries SET done = done + $2, cursor = $3, state = $4, finished_at = $5,
                                  lease_until = CASE WHEN $4 = 'done' THEN NULL ELSE lease_until END
             WHERE id = $1",
        )
        .bind(id.as_str())
        .bind(n)
        .bind(ids.iter().copied().max().unwrap_or(cursor))
        .bind(if finished { "done" } else { "running" })
        .bind(finished.then_some(now.as_millis()))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        Ok(if finished && n == 0 {
            RecoveryStep::Finished
        } else {
            RecoveryStep::Requeued(u64::try_from(n).unwrap_or(0))
        })
    }
}
