//! API tokens: created, found by the hash of the presented value, listed,
//! revoked, and marked as used.

use herald_core::{AppId, Timestamp, TokenId};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::catalog::{conflict_or, page_limit};
use super::{all, Sql, SqlRow};
use crate::rows::RowGet;
use crate::*;

fn token(row: &dyn RowGet) -> StoreResult<ApiToken> {
    let id = row.text("id")?;
    let corrupt = |what: &str| StoreError::Corrupt(format!("api_tokens.{what} of {id}"));
    let scope = match row.opt_text("app_id")? {
        None => TokenScope::Admin,
        Some(app) => TokenScope::App(AppId::parse(&app).map_err(|_| corrupt("app_id"))?),
    };
    Ok(ApiToken {
        id: TokenId::parse(&id).map_err(|_| corrupt("id"))?,
        name: row.text("name")?,
        prefix: row.text("prefix")?,
        hash: row.text("hash")?,
        scope,
        created_at: Timestamp::from_millis(row.int("created_at")?),
        expires_at: row.opt_int("expires_at")?.map(Timestamp::from_millis),
        last_used_at: row.opt_int("last_used_at")?.map(Timestamp::from_millis),
    })
}

impl<DB> Sql<'_, DB>
where
    DB: Database,
    for<'c> &'c mut DB::Connection: Executor<'c, Database = DB>,
    for<'q> DB::Arguments<'q>: IntoArguments<'q, DB>,
    for<'r> SqlRow<'r, DB::Row>: RowGet,
    for<'q> &'q str: Encode<'q, DB> + Type<DB>,
    for<'q> Option<&'q str>: Encode<'q, DB>,
    for<'q> i64: Encode<'q, DB> + Type<DB>,
    for<'q> Option<i64>: Encode<'q, DB>,
{
    pub async fn create_token(&self, t: &ApiToken) -> StoreResult<()> {
        let app = match &t.scope {
            TokenScope::Admin => None,
            TokenScope::App(a) => Some(a.as_str()),
        };
        sqlx::query(
            "INSERT INTO api_tokens (id, name, prefix, hash, app_id, created_at, expires_at, last_used_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, NULL)",
        )
        .bind(t.id.as_str())
        .bind(t.name.as_str())
        .bind(t.prefix.as_str())
        .bind(t.hash.as_str())
        .bind(app)
        .bind(t.created_at.as_millis())
        .bind(t.expires_at.map(Timestamp::as_millis))
        .execute(self.writer)
        .await
        .map_err(|e| conflict_or(e, "a token with this id already exists"))?;
        self.synced().await
    }

    pub async fn token_by_hash(&self, hash: &str) -> StoreResult<Option<ApiToken>> {
        let rows = sqlx::query("SELECT * FROM api_tokens WHERE hash = $1")
            .bind(hash)
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(all(&rows, token)?.into_iter().next())
    }

    pub async fn get_token(&self, id: &TokenId) -> StoreResult<ApiToken> {
        let rows = sqlx::query("SELECT * FROM api_tokens WHERE id = $1")
            .bind(id.as_str())
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        all(&rows, token)?.into_iter().next().ok_or(StoreError::NotFound("token"))
    }

    pub async fn list_tokens(&self, page: PageRequest) -> StoreResult<Page<ApiToken>> {
        let rows = sqlx::query(
            "SELECT * FROM api_tokens WHERE (CAST($1 AS TEXT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(page.before.as_deref())
        .bind(page_limit(&page))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(all(&rows, token)?, page.limit, |t| t.id.to_string()))
    }

    /// Revokes: the row goes, so the value no longer authenticates.
    pub async fn delete_token(&self, id: &TokenId) -> StoreResult<()> {
        sqlx::query("DELETE FROM api_tokens WHERE id = $1 RETURNING id")
            .bind(id.as_str())
            .fetch_optional(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("token"))?;
        self.synced().await
    }

    /// Removes tokens that expired before `before` (portal links pile up
    /// otherwise); fsynced only when there were some.
    pub async fn delete_expired_tokens(&self, before: Timestamp) -> StoreResult<u64> {
        let gone = sqlx::query("DELETE FROM api_tokens WHERE expires_at IS NOT NULL AND expires_at < $1 RETURNING id")
            .bind(before.as_millis())
            .fetch_all(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?;
        if !gone.is_empty() {
            self.synced().await?;
        }
        Ok(gone.len() as u64)
    }

    /// Records use; not fsynced (a lost mark only shows an older time).
    pub async fn touch_token(&self, id: &TokenId, now: Timestamp) -> StoreResult<()> {
        sqlx::query("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1")
            .bind(id.as_str())
            .bind(now.as_millis())
            .execute(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?;
        Ok(())
    }
}
