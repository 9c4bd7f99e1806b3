//! Replays: a delivery that has ended (delivered or failed) leased again for
//! one attempt by hand, outside the retry schedule.

use std::sync::Arc;

use herald_core::{AppId, AttemptId, EndpointId, MessageId, Timestamp};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{Sql, SqlRow};
use crate::rows::RowGet;
use crate::*;

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
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    pub async fn lease_for_replay(
        &self,
        app: &AppId,
        msg: &MessageId,
        endpoint: &EndpointId,
        token: i64,
        now: Timestamp,
        until: Timestamp,
    ) -> StoreResult<ReplayLease> {
        let message = self.get_message(app, msg).await?;
        let ep = self.get_endpoint(app, endpoint).await?;
        let application = self.get_app(app.as_str()).await?;
        let leased = sqlx::query(
            "UPDATE deliveries SET lease = $4, leased_until = $5
             WHERE app_id = $1 AND msg_id = $2 AND endpoint_id = $3 AND state IN ('delivered', 'failed')
               AND (leased_until IS NULL OR leased_until < $6)
             RETURNING id, attempts, schedule_start, state",
        )
        .bind(app.as_str())
        .bind(msg.as_str())
        .bind(endpoint.as_str())
        .bind(token)
        .bind(until.as_millis())
        .bind(now.as_millis())
        .fetch_optional(self.writer)
        .await
        .map_err(StoreError::from_sqlx)?;
        let Some(row) = leased else {
            let known = self.message_deliveries(app, msg).await?.into_iter().any(|d| &d.endpoint_id == endpoint);
            return Err(if known {
                StoreError::Conflict(
                    "the delivery is still scheduled or being attempted; replay it once it has ended".into(),
                )
            } else {
                StoreError::NotFound("delivery")
            });
        };
        let row = SqlRow(&row, None);
        let (attempt_number, schedule_attempt) =
            crate::rows::next_attempt(row.int("attempts")?, row.int("schedule_start")?);
        let claimed = ClaimedDelivery {
            delivery_id: row.int("id")?,
            lease: token,
            leased_until: until,
            attempt_number,
            schedule_attempt,
            message: Arc::new(message),
            endpoint: Arc::new(ep),
            app: Arc::new(application),
        };
        Ok(ReplayLease { claimed, was_delivered: row.text("state")? == "delivered" })
    }

    pub async fn mark_attempt_manual(&self, id: &AttemptId) -> StoreResult<()> {
        sqlx::query("UPDATE attempts SET manual = TRUE WHERE id = $1")
            .bind(id.as_str())
            .execute(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(())
    }
}
