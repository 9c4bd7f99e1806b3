//! What each client command does: one request (or a few) to the server
//! named by the connection flags, its answer printed.

use reqwest::Method;
use serde_json::json;

use crate::api::{seg, Api};
use crate::error::CliError;
use crate::fields::Fields;
use crate::{listen, output, read_json, stream, AttemptVerb, ClientCommand, Crud, EndpointVerb, Read};

fn need_app(app: Option<String>) -> Result<String, CliError> {
    app.map(|a| seg(&a)).ok_or_else(|| CliError::Usage("--app is required".to_owned()))
}

pub async fn execute(cmd: ClientCommand) -> Result<(), CliError> {
    match cmd {
        ClientCommand::App { conn, out, verb } => {
            let api = Api::new(conn.resolve()?)?;
            crud(&api, verb, "/apps", &["id", "uid", "name", "live", "created_at"], out.json).await
        }
        ClientCommand::EventType { conn, out, verb } => {
            let api = Api::new(conn.resolve()?)?;
            crud(&api, verb, "/event-types", &["name", "description", "archived", "updated_at"], out.json).await
        }
        ClientCommand::Endpoint { app, conn, out, verb } => {
            let api = Api::new(conn.resolve()?)?;
            let base = format!("/apps/{}/endpoints", need_app(app)?);
            endpoint(&api, verb, &base, out.json).await
        }
        ClientCommand::Message { app, conn, out, verb } => {
            let api = Api::new(conn.resolve()?)?;
            let base = format!("/apps/{}/messages", need_app(app)?);
            match verb {
                Read::List { max, filter } => {
                    let path = format!("{base}?with_deliveries=true{}", filter.query());
                    let mut items = api.list_all(&path, max).await?;
                    if out.json {
                        return output::list(&items, &[], true);
                    }
                    for m in &mut items {
                        m["status"] = output::delivery_summary(m).into();
                    }
                    output::list(&items, &["id", "event_type", "status", "event_id", "timestamp"], false)
                }
                Read::Get { id } => output::one(&api.get(&format!("{base}/{}", seg(&id))).await?, out.json),
            }
        }
        ClientCommand::Attempt { app, conn, out, verb: AttemptVerb::List { message, endpoint, max } } => {
            let api = Api::new(conn.resolve()?)?;
            let app = need_app(app)?;
            // The other side of each attempt: its endpoint, or its message.
            let (path, other) = match (message, endpoint) {
                (Some(m), _) => (format!("/apps/{app}/messages/{}/attempts", seg(&m)), "endpoint_id"),
                (None, Some(e)) => (format!("/apps/{app}/endpoints/{}/attempts", seg(&e)), "msg_id"),
                (None, None) => return Err(CliError::Usage("give --message or --endpoint".to_owned())),
            };
            let cols =
                ["id", other, "attempt_number", "status", "status_code", "latency_ms", "manual", "error", "timestamp"];
            output::list(&api.list_all(&path, max).await?, &cols, out.json)
        }
        ClientCommand::Send { event_type: None, batch: Some(file), app, conn, out, .. } => {
            let api = Api::new(conn.resolve()?)?;
            stream::send_batch(&api, &seg(&app), &file, out.json).await
        }
        ClientCommand::Send { event_type, app, data, event_id, conn, out, .. } => {
            let event_type =
                event_type.ok_or_else(|| CliError::Usage("give the event type, or --batch FILE".to_owned()))?;
            let mut body = json!({ "event_type": event_type, "payload": read_json(&data)? });
            if let Some(id) = &event_id {
                body["event_id"] = id.as_str().into();
            }
            let api = Api::new(conn.resolve()?)?;
            let path = format!("/apps/{}/messages", seg(&app));
            let (status, sent) = api.call_with_status(Method::POST, &path, Some(&body)).await?;
            if status == 200 {
                // Said on standard error, so `--json` output stays the message alone.
                eprintln!(
                    "already published: event_id {} is message {} (published {}); not published again",
                    event_id.unwrap_or_default(),
                    output::cell(sent.get("id")),
                    output::cell(sent.get("timestamp")),
                );
            }
            output::one(&sent, out.json)
        }
        ClientCommand::Replay { message, app, endpoint, conn, out } => {
            let api = Api::new(conn.resolve()?)?;
            let path = format!("/apps/{}/messages/{}/endpoints/{}/replay", seg(&app), seg(&message), seg(&endpoint));
            let attempt = api.call(Method::POST, &path, None).await?;
            output::one(&attempt, out.json)?;
            if attempt["status"] == "failed" {
                let answer = attempt["status_code"]
                    .as_u64()
                    .map_or_else(|| output::cell(attempt.get("error")), |c| format!("HTTP {c}"));
                return Err(CliError::Failed(format!("the replay was sent and failed: {answer}")));
            }
            Ok(())
        }
        ClientCommand::Recover { app, since, until, endpoint, wait, conn, out } => {
            let api = Api::new(conn.resolve()?)?;
            stream::recover(&api, &seg(&app), since, until, endpoint, wait, out.json).await
        }
        ClientCommand::Export { app, output, status, event_type, conn } => {
            let api = Api::new(conn.resolve()?)?;
            stream::export(&api, &seg(&app), output, status, event_type).await
        }
        ClientCommand::Tail { app, every, count, conn, out } => {
            let api = Api::new(conn.resolve()?)?;
            stream::tail(&api, &seg(&app), every, count, out.json).await
        }
        ClientCommand::Listen { args, conn } => listen::listen(&Api::new(conn.resolve()?)?, args).await,
        ClientCommand::PortalLink { app, ttl_secs, conn, out } => {
            let api = Api::new(conn.resolve()?)?;
            let body = ttl_secs.map_or_else(|| json!({}), |t| json!({ "ttl_secs": t }));
            let link = api.call(Method::POST, &format!("/apps/{}/portal-link", seg(&app)), Some(&body)).await?;
            if out.json {
                return output::json(&link);
            }
            output::line(output::cell(link.get("url")))?;
            eprintln!(
                "works until {}; anyone with the link can manage this application's endpoints",
                output::cell(link.get("expires_at"))
            );
            Ok(())
        }
    }
}

async fn crud<F: Fields>(api: &Api, verb: Crud<F>, base: &str, columns: &[&str], json: bool) -> Result<(), CliError> {
    match verb {
        Crud::List { max } => output::list(&api.list_all(base, max).await?, columns, json),
        Crud::Get { id } => output::one(&api.get(&format!("{base}/{}", seg(&id))).await?, json),
        Crud::Create { fields, body } => {
            output::one(&api.call(Method::POST, base, Some(&body.json(&fields)?)).await?, json)
        }
        Crud::Update { id, fields, body } => {
            let path = format!("{base}/{}", seg(&id));
            output::one(&api.call(Method::PATCH, &path, Some(&body.json(&fields)?)).await?, json)
        }
        Crud::Delete { id } => {
            api.call(Method::DELETE, &format!("{base}/{}", seg(&id)), None).await?;
            if json {
                return Ok(());
            }
            output::line(format_args!("deleted {id}"))
        }
    }
}

async fn endpoint(api: &Api, verb: EndpointVerb, base: &str, json: bool) -> Result<(), CliError> {
    let columns = ["id", "url", "event_types", "disabled", "paused", "signing"];
    match verb {
        EndpointVerb::Crud(Crud::List { max }) if !json => {
            let mut items = api.list_all(base, max).await?;
            for ep in &mut items {
                if ep["event_types"].is_null() {
                    ep["event_types"] = "(all)".into();
                }
            }
            output::list(&items, &["id", "url", "event_types", "description", "disabled", "paused"], false)
        }
        EndpointVerb::Crud(verb) => crud(api, verb, base, &columns, json).await,
        EndpointVerb::Secret { id } => output::one(&api.get(&format!("{base}/{}/secret", seg(&id))).await?, json),
        EndpointVerb::RotateSecret { id, grace_period_secs } => {
            let body = grace_period_secs.map_or_else(|| json!({}), |g| json!({ "grace_period_secs": g }));
            let path = format!("{base}/{}/secret/rotate", seg(&id));
            output::one(&api.call(Method::POST, &path, Some(&body)).await?, json)
        }
    }
}
