//! Applications, event types and endpoints. Updates read the row, apply the
//! patch in Rust and write every column back, inside one transaction.

use herald_core::{AppId, EndpointId, Timestamp};
use herald_store::*;
use sqlx::{SqliteConnection, SqlitePool};

use crate::rows::{self, filter_to_text};
use crate::{db_err, is_unique_violation};

fn conflict_or(e: sqlx::Error, msg: &str) -> StoreError {
    if is_unique_violation(&e) {
        StoreError::Conflict(msg.to_owned())
    } else {
        db_err(e)
    }
}

// --- applications ---------------------------------------------------------

pub(crate) async fn create_app(pool: &SqlitePool, new: NewApplication, now: Timestamp) -> StoreResult<Application> {
    sqlx::query(
        "INSERT INTO applications (id, uid, name, live, metadata, created_at, updated_at, profile, credential)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8)",
    )
    .bind(new.id.as_str())
    .bind(&new.uid)
    .bind(&new.name)
    .bind(new.live)
    .bind(new.metadata.to_string())
    .bind(now.as_millis())
    .bind(rows::profile_to_text(&new.profile))
    .bind(&new.credential)
    .execute(pool)
    .await
    .map_err(|e| conflict_or(e, "an application with this uid already exists"))?;
    Ok(Application {
        id: new.id,
        uid: new.uid,
        name: new.name,
        live: new.live,
        metadata: new.metadata,
        profile: new.profile,
        credential: new.credential,
        created_at: now,
        updated_at: now,
    })
}

pub(crate) async fn get_app(pool: &SqlitePool, id_or_uid: &str) -> StoreResult<Application> {
    let row = sqlx::query("SELECT * FROM applications WHERE id = ?1 OR uid = ?1 LIMIT 1")
        .bind(id_or_uid)
        .fetch_optional(pool)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("application"))?;
    rows::application(&rows::R(&row))
}

pub(crate) async fn list_apps(pool: &SqlitePool, page: PageRequest) -> StoreResult<Page<Application>> {
    let rows = sqlx::query("SELECT * FROM applications WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2")
        .bind(&page.before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::application)?, page.limit, |a| a.id.to_string()))
}

pub(crate) async fn update_app(
    pool: &SqlitePool,
    id: &AppId,
    patch: ApplicationPatch,
    now: Timestamp,
) -> StoreResult<Application> {
    let mut tx = crate::begin(pool).await?;
    let row = sqlx::query("SELECT * FROM applications WHERE id = ?1")
        .bind(id.as_str())
        .fetch_optional(&mut *tx)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("application"))?;
    let mut app = rows::application(&rows::R(&row))?;
    if let Some(name) = patch.name {
        app.name = name;
    }
    if let Some(uid) = patch.uid {
        app.uid = uid;
    }
    if let Some(live) = patch.live {
        app.live = live;
    }
    if let Some(metadata) = patch.metadata {
        app.metadata = metadata;
    }
    if let Some(profile) = patch.profile {
        app.profile = profile;
    }
    if let Some(credential) = patch.credential {
        app.credential = credential;
    }
    app.updated_at = now;
    sqlx::query(
        "UPDATE applications SET uid = ?2, name = ?3, live = ?4, metadata = ?5, updated_at = ?6,
                  profile = ?7, credential = ?8 WHERE id = ?1",
    )
    .bind(app.id.as_str())
    .bind(&app.uid)
    .bind(&app.name)
    .bind(app.live)
    .bind(app.metadata.to_string())
    .bind(now.as_millis())
    .bind(rows::profile_to_text(&app.profile))
    .bind(&app.credential)
    .execute(&mut *tx)
    .await
    .map_err(|e| conflict_or(e, "an application with this uid already exists"))?;
    tx.commit().await.map_err(db_err)?;
    Ok(app)
}

pub(crate) async fn delete_app(pool: &SqlitePool, id: &AppId) -> StoreResult<()> {
    let done =
        sqlx::query("DELETE FROM applications WHERE id = ?1").bind(id.as_str()).execute(pool).await.map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("application"));
    }
    Ok(())
}

// --- event types ----------------------------------------------------------

fn opt_text(v: &Option<serde_json::Value>) -> Option<String> {
    v.as_ref().map(ToString::to_string)
}

pub(crate) async fn create_event_type(pool: &SqlitePool, new: NewEventType, now: Timestamp) -> StoreResult<EventType> {
    sqlx::query(
        "INSERT INTO event_types (id, name, description, schema, example, archived, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?7)",
    )
    .bind(new.id.as_str())
    .bind(new.name.as_str())
    .bind(&new.description)
    .bind(opt_text(&new.schema))
    .bind(opt_text(&new.example))
    .bind(new.archived)
    .bind(now.as_millis())
    .execute(pool)
    .await
    .map_err(|e| conflict_or(e, "an event type with this name already exists"))?;
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

async fn fetch_event_type(conn: &mut SqliteConnection, name: &str) -> StoreResult<EventType> {
    let row = sqlx::query("SELECT * FROM event_types WHERE name = ?1")
        .bind(name)
        .fetch_optional(conn)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("event type"))?;
    rows::event_type(&rows::R(&row))
}

pub(crate) async fn get_event_type(pool: &SqlitePool, name: &str) -> StoreResult<EventType> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    fetch_event_type(&mut conn, name).await
}

pub(crate) async fn list_event_types(pool: &SqlitePool, page: PageRequest) -> StoreResult<Page<EventType>> {
    let rows = sqlx::query("SELECT * FROM event_types WHERE (?1 IS NULL OR id < ?1) ORDER BY id DESC LIMIT ?2")
        .bind(&page.before)
        .bind(i64::from(page.limit) + 1)
        .fetch_all(pool)
        .await
        .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::event_type)?, page.limit, |t| t.id.to_string()))
}

pub(crate) async fn update_event_type(
    pool: &SqlitePool,
    name: &str,
    patch: EventTypePatch,
    now: Timestamp,
) -> StoreResult<EventType> {
    let mut tx = crate::begin(pool).await?;
    let mut et = fetch_event_type(&mut tx, name).await?;
    if let Some(d) = patch.description {
        et.description = d;
    }
    if let Some(s) = patch.schema {
        et.schema = s;
    }
    if let Some(e) = patch.example {
        et.example = e;
    }
    if let Some(a) = patch.archived {
        et.archived = a;
    }
    et.updated_at = now;
    sqlx::query("UPDATE event_types SET description = ?2, schema = ?3, example = ?4, archived = ?5, updated_at = ?6 WHERE id = ?1")
        .bind(et.id.as_str())
        .bind(&et.description)
        .bind(opt_text(&et.schema))
        .bind(opt_text(&et.example))
        .bind(et.archived)
        .bind(now.as_millis())
        .execute(&mut *tx)
        .await
        .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(et)
}

pub(crate) async fn delete_event_type(pool: &SqlitePool, name: &str) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM event_types WHERE name = ?1").bind(name).execute(pool).await.map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("event type"));
    }
    Ok(())
}

// --- endpoints ------------------------------------------------------------

fn headers_text(h: &herald_core::endpoint::CustomHeaders) -> String {
    serde_json::to_string(h).unwrap_or_else(|_| "{}".to_owned())
}

pub(crate) async fn create_endpoint(
    pool: &SqlitePool,
    app: &AppId,
    new: NewEndpoint,
    now: Timestamp,
) -> StoreResult<Endpoint> {
    sqlx::query(
        "INSERT INTO endpoints (id, app_id, url, description, event_types, disabled, disabled_reason, headers, secret,
                                metadata, created_at, updated_at, profile, credential, verify_state, verify_error)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL, ?7, ?8, ?9, ?10, ?10, ?11, ?12, ?13, ?14)",
    )
    .bind(new.id.as_str())
    .bind(app.as_str())
    .bind(new.url.as_str())
    .bind(&new.description)
    .bind(filter_to_text(&new.filter))
    .bind(new.disabled)
    .bind(headers_text(&new.headers))
    .bind(new.secret.expose())
    .bind(new.metadata.to_string())
    .bind(now.as_millis())
    .bind(rows::profile_to_text(&new.profile))
    .bind(&new.credential)
    .bind(new.verification.as_ref().map(|v| v.0.as_str()))
    .bind(new.verification.as_ref().and_then(|v| v.1.clone()))
    .execute(pool)
    .await
    .map_err(|e| conflict_or(e, "an endpoint with this id already exists"))?;
    Ok(Endpoint {
        id: new.id,
        app_id: app.clone(),
        url: new.url,
        description: new.description,
        filter: new.filter,
        disabled: new.disabled,
        disabled_reason: None,
        headers: new.headers,
        secret: new.secret,
        metadata: new.metadata,
        profile: new.profile,
        credential: new.credential,
        verification: new.verification,
        created_at: now,
        updated_at: now,
    })
}

async fn fetch_endpoint(conn: &mut SqliteConnection, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint> {
    let row = sqlx::query("SELECT * FROM endpoints WHERE id = ?1 AND app_id = ?2")
        .bind(id.as_str())
        .bind(app.as_str())
        .fetch_optional(conn)
        .await
        .map_err(db_err)?
        .ok_or(StoreError::NotFound("endpoint"))?;
    rows::endpoint(&rows::R(&row))
}

pub(crate) async fn get_endpoint(pool: &SqlitePool, app: &AppId, id: &EndpointId) -> StoreResult<Endpoint> {
    let mut conn = pool.acquire().await.map_err(db_err)?;
    fetch_endpoint(&mut conn, app, id).await
}

pub(crate) async fn list_endpoints(pool: &SqlitePool, app: &AppId, page: PageRequest) -> StoreResult<Page<Endpoint>> {
    let rows =
        sqlx::query("SELECT * FROM endpoints WHERE app_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3")
            .bind(app.as_str())
            .bind(&page.before)
            .bind(i64::from(page.limit) + 1)
            .fetch_all(pool)
            .await
            .map_err(db_err)?;
    Ok(Page::from_rows(rows::all(&rows, rows::endpoint)?, page.limit, |e| e.id.to_string()))
}

pub(crate) async fn update_endpoint(
    pool: &SqlitePool,
    app: &AppId,
    id: &EndpointId,
    patch: EndpointPatch,
    now: Timestamp,
) -> StoreResult<Endpoint> {
    let mut tx = crate::begin(pool).await?;
    let mut ep = fetch_endpoint(&mut tx, app, id).await?;
    if let Some(url) = patch.url {
        ep.url = url;
    }
    if let Some(d) = patch.description {
        ep.description = d;
    }
    if let Some(f) = patch.filter {
        ep.filter = f;
    }
    if let Some(disabled) = patch.disabled {
        ep.disabled = disabled;
        ep.disabled_reason = None;
    }
    if let Some(h) = patch.headers {
        ep.headers = h;
    }
    if let Some(m) = patch.metadata {
        ep.metadata = m;
    }
    if let Some(p) = patch.profile {
        ep.profile = p;
    }
    if let Some(c) = patch.credential {
        ep.credential = c;
    }
    if let Some(v) = patch.verification {
        ep.verification = v;
    }
    ep.updated_at = now;
    sqlx::query(
        "UPDATE endpoints SET url = ?2, description = ?3, event_types = ?4, disabled = ?5, disabled_reason = ?6,
                              headers = ?7, metadata = ?8, updated_at = ?9, profile = ?10, credential = ?11,
                              verify_state = ?12, verify_error = ?13
         WHERE id = ?1",
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
    .bind(rows::profile_to_text(&ep.profile))
    .bind(&ep.credential)
    .bind(ep.verification.as_ref().map(|v| v.0.as_str()))
    .bind(ep.verification.as_ref().and_then(|v| v.1.clone()))
    .execute(&mut *tx)
    .await
    .map_err(db_err)?;
    tx.commit().await.map_err(db_err)?;
    Ok(ep)
}

pub(crate) async fn delete_endpoint(pool: &SqlitePool, app: &AppId, id: &EndpointId) -> StoreResult<()> {
    let done = sqlx::query("DELETE FROM endpoints WHERE id = ?1 AND app_id = ?2")
        .bind(id.as_str())
        .bind(app.as_str())
        .execute(pool)
        .await
        .map_err(db_err)?;
    if done.rows_affected() == 0 {
        return Err(StoreError::NotFound("endpoint"));
    }
    Ok(())
}
