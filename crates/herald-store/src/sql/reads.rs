//! Messages, their delivery status and the attempt log (publishing is each
//! backend's own); settings; the health check's round trip.

use herald_core::{AppId, MessageId};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{all, Sql, SqlRow};
use crate::rows::{self, RowGet};
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
{
    pub async fn ping(&self) -> StoreResult<()> {
        sqlx::query("SELECT 1").execute(self.reader).await.map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    pub async fn get_setting(&self, key: &str) -> StoreResult<Option<String>> {
        Self::read_setting(self.reader, key).await
    }

    pub async fn put_setting(&self, key: &str, value: &str) -> StoreResult<()> {
        Self::write_setting(self.writer, key, value).await?;
        self.synced().await
    }

    /// A setting, read through `exec` (a pool, or a transaction).
    pub(super) async fn read_setting<'e>(
        exec: impl Executor<'e, Database = DB>,
        key: &str,
    ) -> StoreResult<Option<String>> {
        let row = sqlx::query("SELECT value FROM settings WHERE key = $1")
            .bind(key)
            .fetch_optional(exec)
            .await
            .map_err(StoreError::from_sqlx)?;
        row.map(|r| SqlRow(&r, None).text("value")).transpose()
    }

    /// Stores a setting through `exec` (a pool, or a transaction).
    pub(super) async fn write_setting<'e>(
        exec: impl Executor<'e, Database = DB>,
        key: &str,
        value: &str,
    ) -> StoreResult<()> {
        sqlx::query("INSERT INTO settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = $2")
            .bind(key)
            .bind(value)
            .execute(exec)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(())
    }

    /// The rows `select` finds for `keys` of application `app`: `select`
    /// writes the key list as `{keys}` (a subquery over the JSON array in
    /// `$1`) and the application as `$2`.
    pub(super) async fn rows_of_app(&self, select: &str, keys: &[&str], app: &AppId) -> StoreResult<Vec<DB::Row>> {
        let list = serde_json::to_string(keys).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        let sql = select.replace("{keys}", &format!("SELECT value FROM {}", self.json_texts));
        sqlx::query(&sql).bind(list).bind(app.as_str()).fetch_all(self.reader).await.map_err(StoreError::from_sqlx)
    }

    pub async fn get_message(&self, app: &AppId, id: &MessageId) -> StoreResult<Message> {
        let row = sqlx::query("SELECT * FROM messages WHERE id = $1 AND app_id = $2")
            .bind(id.as_str())
            .bind(app.as_str())
            .fetch_optional(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("message"))?;
        super::one(&row, rows::message)
    }

    pub async fn message_deliveries(&self, app: &AppId, id: &MessageId) -> StoreResult<Vec<DeliveryStatus>> {
        let rows = sqlx::query("SELECT * FROM deliveries WHERE msg_id = $1 AND app_id = $2 ORDER BY endpoint_id")
            .bind(id.as_str())
            .bind(app.as_str())
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        all(&rows, rows::delivery_status)
    }

    pub async fn list_attempts(
        &self,
        app: &AppId,
        filter: AttemptFilter,
        page: PageRequest,
    ) -> StoreResult<Page<Attempt>> {
        let (sql, key) = match &filter {
            AttemptFilter::Message(id) => (
                "SELECT * FROM attempts WHERE msg_id = $1 AND app_id = $2 AND (CAST($3 AS TEXT) IS NULL OR id < $3)
                 ORDER BY id DESC LIMIT $4",
                id.as_str(),
            ),
            AttemptFilter::Endpoint(id) => (
                "SELECT * FROM attempts WHERE endpoint_id = $1 AND app_id = $2 AND (CAST($3 AS TEXT) IS NULL OR id < $3)
                 ORDER BY id DESC LIMIT $4",
                id.as_str(),
            ),
        };
        let rows = sqlx::query(sql)
            .bind(key)
            .bind(app.as_str())
            .bind(&page.before)
            .bind(i64::from(page.limit) + 1)
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(all(&rows, rows::attempt)?, page.limit, |a| a.id.to_string()))
    }
}
