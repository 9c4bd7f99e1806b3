//! Applications, event types and endpoints. Updates read the row, apply the
//! patch in Rust and write every column back, inside one transaction.

use herald_core::endpoint::CustomHeaders;
use herald_core::{AppId, EndpointId, Timestamp};
use sqlx::{Database, Encode, Executor, IntoArguments, Type};

use super::{is_unique_violation, one, Sql, SqlRow};
use crate::rows::{self, auth_text, filter_to_text, profile_to_text, RowGet};
use crate::*;

pub(super) fn conflict_or(e: sqlx::Error, msg: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(msg.to_owned())
    } else {
        StoreError::from_sqlx(e)
    }
}

fn opt_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

fn headers_text(h: &CustomHeaders) -> String {
    serde_json::to_string(h).unwrap_or_else(|_| "{}".to_owned())
}

pub(super) fn page_limit(page: &PageRequest) -> i64 {
    i64::from(page.limit) + 1
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
    for<'q> bool: Encode<'q, DB> + Type<DB>,
{
    /// `plain` sealed for `column` of row `row_id`.
    fn sealed(&self, plain: Option<&str>, column: &str, row_id: &str) -> Option<String> {
        plain.map(|p| self.sealer.seal(p, &crate::seal::Place { column, row_id }))
    }

    async fn begin(&self) -> StoreResult<sqlx::Transaction<'static, DB>> {
        super::begin(self.writer, self.begin).await
    }

    /// Queues the operator's `kinds` events about `ep` inside the change's
    /// own transaction, so a change is never committed unannounced.
    async fn announce(
        &self,
        conn: &mut DB::Connection,
        kinds: &[&str],
        ep: &Endpoint,
        now: Timestamp,
    ) -> StoreResult<()> {
        if !self.channels.webhook || kinds.is_empty() {
            return Ok(());
        }
        let data = serde_json::json!({
            "app_id": ep.app_id,
            "endpoint_id": ep.id,
            "url": ep.url.as_str(),
            "disabled": ep.disabled,
            "disabled_reason": ep.disabled_reason,
        });
        let items: Vec<NewNotification> = kinds
            .iter()
            .map(|kind| NewNotification {
                channel: Channel::Webhook,
                event_type: (*kind).to_owned(),
                app_id: Some(ep.app_id.clone()),
                endpoint_id: Some(ep.id.clone()),
                data: data.clone(),
            })
            .collect();
        super::notifications::enqueue::<DB>(conn, self.json_values, &items, now).await
    }

    /// Runs a `DELETE ... RETURNING id`; `NotFound(what)` when it deleted nothing.
    async fn delete_one(&self, sql: &str, keys: &[&str], what: &'static str) -> StoreResult<()> {
        let mut q = sqlx::query(sql);
        for k in keys {
            q = q.bind(*k);
        }
        q.fetch_optional(self.writer).await.map_err(StoreError::from_sqlx)?.ok_or(StoreError::NotFound(what))?;
        self.synced().await
    }

    // --- applications -----------------------------------------------------

    pub async fn create_app(&self, new: NewApplication, now: Timestamp) -> StoreResult<Application> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at, profile, credential,
                                       contact_email)
             VALUES ($1, $2, $3, $4, $5, $6, $6, $7, $8, $9)",
        )
        .bind(new.id.as_str())
        .bind(&new.uid)
        .bind(&new.name)
        .bind(new.live)
        .bind(new.metadata.to_string())
        .bind(now.as_millis())
        .bind(profile_to_text(&new.profile))
        .bind(self.sealed(new.credential.as_deref(), "applications.credential", new.id.as_str()))
        .bind(&new.contact_email)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "an application with this uid already exists"))?;
        self.write_app_gate(&mut tx, new.id.as_str(), new.profile.as_ref(), now).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(Application {
            id: new.id,
            uid: new.uid,
            name: new.name,
            live: new.live,
            metadata: new.metadata,
            profile: new.profile,
            credential: new.credential,
            contact_email: new.contact_email,
            created_at: now,
            updated_at: now,
        })
    }

    pub async fn get_app(&self, id_or_uid: &str) -> StoreResult<Application> {
        let row = sqlx::query("SELECT * FROM applications WHERE id = $1 OR uid = $1 LIMIT 1")
            .bind(id_or_uid)
            .fetch_optional(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("application"))?;
        super::one_sealed(&row, self.sealer, rows::application)
    }

    pub async fn portal_theme(&self, app: &AppId) -> StoreResult<Option<serde_json::Value>> {
        let row = sqlx::query("SELECT portal_theme FROM applications WHERE id = $1")
            .bind(app.as_str())
            .fetch_optional(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("application"))?;
        let text = one(&row, |r| r.opt_text("portal_theme"))?;
        text.map(|t| serde_json::from_str(&t).map_err(|e| StoreError::Corrupt(format!("portal theme: {e}"))))
            .transpose()
    }

    pub async fn set_portal_theme(&self, app: &AppId, theme: Option<&serde_json::Value>) -> StoreResult<()> {
        sqlx::query("UPDATE applications SET portal_theme = $2 WHERE id = $1 RETURNING id")
            .bind(app.as_str())
            .bind(theme.map(serde_json::Value::to_string))
            .fetch_optional(self.writer)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("application"))?;
        self.synced().await
    }

    pub async fn list_apps(&self, page: PageRequest) -> StoreResult<Page<Application>> {
        let rows = sqlx::query(
            "SELECT * FROM applications WHERE (CAST($1 AS TEXT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(&page.before)
        .bind(page_limit(&page))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(super::all_sealed(&rows, self.sealer, rows::application)?, page.limit, |a| a.id.to_string()))
    }

    pub async fn update_app(&self, id: &AppId, patch: ApplicationPatch, now: Timestamp) -> StoreResult<Application> {
        let mut tx = self.begin().await?;
        let row = sqlx::query("SELECT * FROM applications WHERE id = $1")
            .bind(id.as_str())
            .fetch_optional(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("application"))?;
        let mut app = super::one_sealed(&row, self.sealer, rows::application)?;
        let old_profile = app.profile.clone();
        patch.apply(&mut app, now);
        sqlx::query(
            "UPDATE applications SET uid = $2, name = $3, live = $4, metadata = $5, updated_at = $6,
                      profile = $7, credential = $8, contact_email = $9 WHERE id = $1",
        )
        .bind(app.id.as_str())
        .bind(&app.uid)
        .bind(&app.name)
        .bind(app.live)
        .bind(app.metadata.to_string())
        .bind(now.as_millis())
        .bind(profile_to_text(&app.profile))
        .bind(self.sealed(app.credential.as_deref(), "applications.credential", app.id.as_str()))
        .bind(&app.contact_email)
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "an application with this uid already exists"))?;
        if app.profile != old_profile {
            // Its endpoints' gates follow the profile they inherit. They
            // are written before the application's shared one, in the order
            // the gated claim locks them.
            let found = sqlx::query("SELECT id, profile, paused FROM endpoints WHERE app_id = $1")
                .bind(app.id.as_str())
                .fetch_all(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
            let eps = super::all(&found, |r| {
                Ok((r.text("id")?, rows::profile(r.opt_text("profile")?)?, r.boolean("paused")?))
            })?;
            for (id, profile, paused) in eps {
                let effective = herald_core::profile::Profile::effective(app.profile.as_ref(), profile.as_ref());
                self.write_gate(&mut tx, &id, paused, &effective, now).await?;
            }
            self.write_app_gate(&mut tx, app.id.as_str(), app.profile.as_ref(), now).await?;
        }
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(app)
    }

    pub async fn delete_app(&self, id: &AppId) -> StoreResult<()> {
        self.delete_one("DELETE FROM applications WHERE id = $1 RETURNING id", &[id.as_str()], "application").await
    }

    // --- event types ------------------------------------------------------

    pub async fn create_event_type(&self, new: NewEventType, now: Timestamp) -> StoreResult<EventType> {
        sqlx::query(
            "INSERT INTO event_types (id, name, description, schema, example, archived, created_at, updated_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $7)",
        )
        .bind(new.id.as_str())
        .bind(new.name.as_str())
        .bind(&new.description)
        .bind(opt_text(&new.schema))
        .bind(opt_text(&new.example))
        .bind(new.archived)
        .bind(now.as_millis())
        .execute(self.writer)
        .await
        .map_err(|e| conflict_or(e, "an event type with this name already exists"))?;
        self.synced().await?;
        Ok(EventType {
            id: new.id,
            name: new.name,
            description: new.description,
            schema: new.schema,
            example: new.example,
            archived: new.archived,
            created_at: now,
            updated_at: now,
        })
    }

    async fn fetch_event_type<'e>(exec: impl Executor<'e, Database = DB>, name: &str) -> StoreResult<EventType> {
        let row = sqlx::query("SELECT * FROM event_types WHERE name = $1")
            .bind(name)
            .fetch_optional(exec)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("event type"))?;
        one(&row, rows::event_type)
    }

    pub async fn get_event_type(&self, name: &str) -> StoreResult<EventType> {
        Self::fetch_event_type(self.reader, name).await
    }

    pub async fn list_event_types(&self, page: PageRequest) -> StoreResult<Page<EventType>> {
        let rows = sqlx::query(
            "SELECT * FROM event_types WHERE (CAST($1 AS TEXT) IS NULL OR id < $1) ORDER BY id DESC LIMIT $2",
        )
        .bind(&page.before)
        .bind(page_limit(&page))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(super::all(&rows, rows::event_type)?, page.limit, |t| t.id.to_string()))
    }

    pub async fn update_event_type(&self, name: &str, patch: EventTypePatch, now: Timestamp) -> StoreResult<EventType> {
        let mut tx = self.begin().await?;
        let mut et = Self::fetch_event_type(&mut *tx, name).await?;
        patch.apply(&mut et, now);
        sqlx::query(
            "UPDATE event_types SET description = $2, schema = $3, example = $4, archived = $5, updated_at = $6
             WHERE id = $1",
        )
        .bind(et.id.as_str())
        .bind(&et.description)
        .bind(opt_text(&et.schema))
        .bind(opt_text(&et.example))
        .bind(et.archived)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(et)
    }

    pub async fn delete_event_type(&self, name: &str) -> StoreResult<()> {
        self.delete_one("DELETE FROM event_types WHERE name = $1 RETURNING id", &[name], "event type").await
    }

    // --- endpoints --------------------------------------------------------

    pub async fn create_endpoint(&self, app: &AppId, new: NewEndpoint, now: Timestamp) -> StoreResult<Endpoint> {
        let mut tx = self.begin().await?;
        sqlx::query(
            "INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers,
                                    secret, metadata, created_at, updated_at, profile, credential, verify_state,
                                    verify_error, disabled_at, auth, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, NULL, $7, $8, $9, $10, $10, $11, $12, $13, $14, $15, $16, $17)",
        )
        .bind(new.id.as_str())
        .bind(app.as_str())
        .bind(new.url.as_str())
        .bind(&new.description)
        .bind(filter_to_text(&new.filter))
        .bind(new.disabled)
        .bind(headers_text(&new.headers))
        .bind(self.sealed(Some(new.secret.expose()), "endpoints.secret", new.id.as_str()))
        .bind(new.metadata.to_string())
        .bind(now.as_millis())
        .bind(profile_to_text(&new.profile))
        .bind(self.sealed(new.credential.as_deref(), "endpoints.credential", new.id.as_str()))
        .bind(new.verification.as_ref().map(|v| v.0.as_str()))
        .bind(new.verification.as_ref().and_then(|v| v.1.clone()))
        .bind(new.disabled.then_some(now.as_millis()))
        .bind(self.sealed(auth_text(new.auth.as_ref()).as_deref(), "endpoints.auth", new.id.as_str()))
        .bind(new.expires_at.map(Timestamp::as_millis))
        .execute(&mut *tx)
        .await
        .map_err(|e| conflict_or(e, "an endpoint with this id already exists"))?;
        let app_profile = self.app_profile(&mut tx, app.as_str()).await?;
        let effective = herald_core::profile::Profile::effective(app_profile.as_ref(), new.profile.as_ref());
        let gate = self.write_gate(&mut tx, new.id.as_str(), new.paused, &effective, now).await?;
        let ep = Endpoint {
            id: new.id,
            app_id: app.clone(),
            url: new.url,
            description: new.description,
            filter: new.filter,
            disabled: new.disabled,
            disabled_reason: None,
            disabled_at: new.disabled.then_some(now),
            headers: new.headers,
            secret: new.secret,
            previous_secret: None,
            metadata: new.metadata,
            profile: new.profile,
            credential: new.credential,
            auth: new.auth,
            expires_at: new.expires_at,
            verification: new.verification,
            paused: new.paused,
            gate,
            app_rate: effective.app_rate_limit.is_some(),
            circuit: None,
            created_at: now,
            updated_at: now,
        };
        self.announce(&mut tx, &["endpoint.created"], &ep, now).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(ep)
    }

    async fn fetch_endpoint<'e>(
        &self,
        exec: impl Executor<'e, Database = DB>,
        app: &AppId,
        id: &EndpointId,
    ) -> StoreResult<Endpoint> {
        let row = sqlx::query("SELECT * FROM endpoints WHERE id = $1 AND app_id = $2")
            .bind(id.as_str())
            .bind(app.as_str())
            .fetch_optional(exec)
            .await
            .map_err(StoreError::from_sqlx)?
            .ok_or(StoreError::NotFound("endpoint"))?;
        super::one_sealed(&row, self.sealer, rows::endpoint)
    }

    pub async fn get_endpoint(&self, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint> {
        self.fetch_endpoint(self.reader, app, id).await
    }

    pub async fn list_endpoints(&self, app: &AppId, page: PageRequest) -> StoreResult<Page<Endpoint>> {
        let rows = sqlx::query(
            "SELECT * FROM endpoints WHERE app_id = $1 AND (CAST($2 AS TEXT) IS NULL OR id < $2)
             ORDER BY id DESC LIMIT $3",
        )
        .bind(app.as_str())
        .bind(&page.before)
        .bind(page_limit(&page))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        Ok(Page::from_rows(super::all_sealed(&rows, self.sealer, rows::endpoint)?, page.limit, |e| e.id.to_string()))
    }

    pub async fn count_endpoints(&self, app: &AppId) -> StoreResult<u64> {
        let rows = sqlx::query("SELECT COUNT(*) AS n FROM endpoints WHERE app_id = $1")
            .bind(app.as_str())
            .fetch_all(self.reader)
            .await
            .map_err(StoreError::from_sqlx)?;
        let n = super::all(&rows, |r| r.int("n"))?.first().copied().unwrap_or(0);
        Ok(u64::try_from(n).unwrap_or(0))
    }

    pub async fn update_endpoint(
        &self,
        app: &AppId,
        id: &EndpointId,
        patch: EndpointPatch,
        now: Timestamp,
    ) -> StoreResult<Endpoint> {
        let mut tx = self.begin().await?;
        let mut ep = self.fetch_endpoint(&mut *tx, app, id).await?;
        let enabling = ep.disabled && patch.disabled == Some(false);
        let disabling = !ep.disabled && patch.disabled == Some(true);
        let announce = patch.announce && !patch.only_moves_expiry();
        let mut kinds = if announce { vec!["endpoint.updated"] } else { Vec::new() };
        kinds.extend(disabling.then_some("endpoint.disabled"));
        kinds.extend(enabling.then_some("endpoint.enabled"));
        patch.apply(&mut ep, now);
        if enabling {
            // A fresh start: the streak that disabled it is over.
            sqlx::query("DELETE FROM endpoint_health WHERE endpoint_id = $1")
                .bind(ep.id.as_str())
                .execute(&mut *tx)
                .await
                .map_err(StoreError::from_sqlx)?;
        }
        sqlx::query(
            "UPDATE endpoints SET url = $2, description = $3, event_types = $4, disabled = $5, disabled_reason = $6,
                                  headers = $7, metadata = $8, updated_at = $9, profile = $10, credential = $11,
                                  verify_state = $12, verify_error = $13, disabled_at = $14, auth = $15,
                                  expires_at = $16
             WHERE id = $1",
        )
        .bind(ep.id.as_str())
        .bind(ep.url.as_str())
        .bind(&ep.description)
        .bind(filter_to_text(&ep.filter))
        .bind(ep.disabled)
        .bind(&ep.disabled_reason)
        .bind(headers_text(&ep.headers))
        .bind(ep.metadata.to_string())
        .bind(now.as_millis())
        .bind(profile_to_text(&ep.profile))
        .bind(self.sealed(ep.credential.as_deref(), "endpoints.credential", ep.id.as_str()))
        .bind(ep.verification.as_ref().map(|v| v.0.as_str()))
        .bind(ep.verification.as_ref().and_then(|v| v.1.clone()))
        .bind(ep.disabled_at.map(Timestamp::as_millis))
        .bind(self.sealed(auth_text(ep.auth.as_ref()).as_deref(), "endpoints.auth", ep.id.as_str()))
        .bind(ep.expires_at.map(Timestamp::as_millis))
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        let app_profile = self.app_profile(&mut tx, app.as_str()).await?;
        let effective = herald_core::profile::Profile::effective(app_profile.as_ref(), ep.profile.as_ref());
        ep.gate = self.write_gate(&mut tx, ep.id.as_str(), ep.paused, &effective, now).await?;
        ep.app_rate = effective.app_rate_limit.is_some();
        self.announce(&mut tx, &kinds, &ep, now).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(ep)
    }

    /// Makes `secret` the endpoint's signing secret; the one it replaces
    /// is still signed with until `grace_until` (not at all when that has
    /// passed).
    pub async fn rotate_secret(
        &self,
        app: &AppId,
        id: &EndpointId,
        secret: herald_core::endpoint::EndpointSecret,
        grace_until: Timestamp,
        now: Timestamp,
    ) -> StoreResult<Endpoint> {
        let mut tx = self.begin().await?;
        let mut ep = self.fetch_endpoint(&mut *tx, app, id).await?;
        let old = std::mem::replace(&mut ep.secret, secret);
        ep.previous_secret = (grace_until > now).then_some((old, grace_until));
        ep.updated_at = now;
        let previous = ep.previous_secret.as_ref();
        sqlx::query(
            "UPDATE endpoints SET secret = $2, previous_secret = $3, previous_secret_until = $4, updated_at = $5
             WHERE id = $1",
        )
        .bind(ep.id.as_str())
        .bind(self.sealed(Some(ep.secret.expose()), "endpoints.secret", ep.id.as_str()))
        .bind(self.sealed(previous.map(|p| p.0.expose()), "endpoints.previous_secret", ep.id.as_str()))
        .bind(previous.map(|p| p.1.as_millis()))
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(StoreError::from_sqlx)?;
        self.announce(&mut tx, &["endpoint.secret.rotated"], &ep, now).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await?;
        Ok(ep)
    }

    /// Endpoints whose expiry has passed, at most `limit`.
    pub async fn expired_endpoints(&self, now: Timestamp, limit: u32) -> StoreResult<Vec<(AppId, EndpointId)>> {
        let rows = sqlx::query(
            "SELECT app_id, id FROM endpoints WHERE expires_at IS NOT NULL AND expires_at <= $1 ORDER BY expires_at LIMIT $2",
        )
        .bind(now.as_millis())
        .bind(i64::from(limit))
        .fetch_all(self.reader)
        .await
        .map_err(StoreError::from_sqlx)?;
        super::all_sealed(&rows, self.sealer, |r| {
            Ok((AppId::from_trusted(r.text("app_id")?), EndpointId::from_trusted(r.text("id")?)))
        })
    }

    pub async fn delete_endpoint(&self, app: &AppId, id: &EndpointId, now: Timestamp) -> StoreResult<()> {
        let mut tx = self.begin().await?;
        let ep = self.fetch_endpoint(&mut *tx, app, id).await?;
        sqlx::query("DELETE FROM endpoints WHERE id = $1")
            .bind(id.as_str())
            .execute(&mut *tx)
            .await
            .map_err(StoreError::from_sqlx)?;
        self.announce(&mut tx, &["endpoint.deleted"], &ep, now).await?;
        tx.commit().await.map_err(StoreError::from_sqlx)?;
        self.synced().await
    }
}
