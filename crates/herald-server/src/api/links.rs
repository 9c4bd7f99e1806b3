//! The document's OpenAPI links: which answer gives the ids that which
//! operation takes, so a client (or a stateful test) can go from creating
//! an application to every operation on what it holds: its endpoints, their
//! messages, attempts and the request each attempt sent, recoveries,
//! replays, tokens.

use serde_json::{json, Map, Value};

/// A link from an answer to the operation `target`, with the values of its
/// parameters (runtime expressions) and, optionally, of its body.
struct Link {
    name: &'static str,
    target: &'static str,
    parameters: Value,
    body: Option<Value>,
}

fn link(name: &'static str, target: &'static str, parameters: Value) -> Link {
    Link { name, target, parameters, body: None }
}

/// The operations on one endpoint, given the expressions of its
/// application and id.
fn endpoint_links(app: &'static str, endpoint: &'static str) -> Vec<Link> {
    let p = json!({ "app": app, "endpoint": endpoint });
    let mut links: Vec<Link> = [
        ("GetEndpoint", "get_endpoint"),
        ("UpdateEndpoint", "update_endpoint"),
        ("DeleteEndpoint", "delete_endpoint"),
        ("ListEndpointAttempts", "list_endpoint_attempts"),
        ("EnableEndpoint", "enable_endpoint"),
        ("GetEndpointSecret", "get_endpoint_secret"),
        ("RotateSecret", "rotate_secret"),
        ("EndpointStats", "endpoint_stats"),
        ("SendTestEvent", "send_test_event"),
        ("VerifyEndpoint", "verify_endpoint"),
    ]
    .into_iter()
    .map(|(name, target)| link(name, target, p.clone()))
    .collect();
    links.push(Link {
        name: "RecoverEndpoint",
        target: "create_recovery",
        parameters: json!({ "app": app }),
        body: Some(json!({ "endpoint": endpoint })),
    });
    links
}

/// The operations on one message.
fn message_links(app: &'static str, message: &'static str) -> Vec<Link> {
    let p = json!({ "app": app, "message": message });
    vec![
        link("GetMessage", "get_message", p.clone()),
        link("ListMessageAttempts", "list_message_attempts", p.clone()),
        link("ExpungePayload", "expunge_payload", p),
    ]
}

/// Every link, by the operation and status of the answer it starts from.
fn all() -> Vec<(&'static str, &'static [&'static str], Vec<Link>)> {
    const APP: &str = "$request.path.app";
    vec![
        ("create_endpoint", &["201", "200"], endpoint_links(APP, "$response.body#/id")),
        ("create_message", &["202", "200"], message_links(APP, "$response.body#/id")),
        (
            "get_message",
            &["200"],
            vec![link(
                "ReplayToFirstEndpoint",
                "replay",
                json!({ "app": APP, "message": "$request.path.message", "endpoint": "$response.body#/deliveries/0/endpoint_id" }),
            )],
        ),
        (
            "list_message_attempts",
            &["200"],
            vec![
                link(
                    "GetFirstAttemptRequest",
                    "attempt_request",
                    json!({ "app": APP, "message": "$request.path.message", "attempt": "$response.body#/data/0/id" }),
                ),
                link(
                    "ReplayFirstAttempt",
                    "replay",
                    json!({ "app": APP, "message": "$request.path.message", "endpoint": "$response.body#/data/0/endpoint_id" }),
                ),
            ],
        ),
        (
            "list_endpoint_attempts",
            &["200"],
            vec![
                link(
                    "GetFirstAttemptRequest",
                    "attempt_request",
                    json!({ "app": APP, "message": "$response.body#/data/0/msg_id", "attempt": "$response.body#/data/0/id" }),
                ),
                link(
                    "ReplayFirstAttempt",
                    "replay",
                    json!({ "app": APP, "message": "$response.body#/data/0/msg_id", "endpoint": "$request.path.endpoint" }),
                ),
            ],
        ),
        (
            "replay",
            &["200"],
            vec![link(
                "GetReplayRequest",
                "attempt_request",
                json!({ "app": APP, "message": "$request.path.message", "attempt": "$response.body#/id" }),
            )],
        ),
        ("send_test_event", &["202"], {
            // A test event goes to this one endpoint: replay it there.
            let mut links = message_links(APP, "$response.body#/id");
            links.push(link(
                "ReplayTestEvent",
                "replay",
                json!({ "app": APP, "message": "$response.body#/id", "endpoint": "$response.body#/endpoint_id" }),
            ));
            links
        }),
        (
            "create_recovery",
            &["202"],
            vec![
                link("GetRecovery", "get_recovery", json!({ "app": APP, "recovery": "$response.body#/id" })),
                link("CancelRecovery", "cancel_recovery", json!({ "app": APP, "recovery": "$response.body#/id" })),
            ],
        ),
        (
            "enable_endpoint",
            &["200"],
            vec![link("GetRecovery", "get_recovery", json!({ "app": APP, "recovery": "$response.body#/recovery/id" }))],
        ),
        (
            "create_event_type",
            &["201"],
            ["get_event_type", "update_event_type", "delete_event_type"]
                .into_iter()
                .map(|target| link(target, target, json!({ "name": "$response.body#/name" })))
                .collect(),
        ),
        ("list_apps", &["200"], vec![link("GetFirstApp", "get_app", json!({ "app": "$response.body#/data/0/id" }))]),
        (
            "list_event_types",
            &["200"],
            vec![link("GetFirstEventType", "get_event_type", json!({ "name": "$response.body#/data/0/name" }))],
        ),
        (
            "list_tokens",
            &["200"],
            vec![link("GetFirstToken", "get_token", json!({ "token": "$response.body#/data/0/id" }))],
        ),
        (
            "create_token",
            &["201"],
            vec![
                link("GetToken", "get_token", json!({ "token": "$response.body#/id" })),
                link("DeleteToken", "delete_token", json!({ "token": "$response.body#/id" })),
            ],
        ),
    ]
}

/// From a created application to every operation on it alone (a path
/// whose one parameter is `{app}`), by its id.
fn app_links(paths: &Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    for (path, item) in paths {
        if path.matches('{').count() != 1 || !path.starts_with("/apps/{app}") {
            continue;
        }
        for op in item.as_object().into_iter().flat_map(|m| m.values()) {
            let Some(id) = op.get("operationId").and_then(Value::as_str) else { continue };
            let mut def = json!({ "operationId": id, "parameters": { "app": "$response.body#/id" } });
            if id == "create_recovery" {
                // A new application has no endpoints: recover all of it.
                def["requestBody"] = json!({ "endpoint": null });
            }
            out.insert(id.to_owned(), def);
        }
    }
    out
}

/// Adds the links to the document's responses (`paths.*.*.responses`).
pub fn add(doc: &mut Value) {
    let mut by_operation: Map<String, Value> = Map::new();
    let Some(paths) = doc.get_mut("paths").and_then(Value::as_object_mut) else { return };
    by_operation.insert("create_app 201".into(), Value::Object(app_links(paths)));
    for (operation, statuses, links) in all() {
        let mut out = Map::new();
        for l in links {
            let mut def = json!({ "operationId": l.target, "parameters": l.parameters });
            if let Some(body) = l.body {
                def["requestBody"] = body;
            }
            out.insert(l.name.to_owned(), def);
        }
        for status in statuses {
            by_operation.insert(format!("{operation} {status}"), Value::Object(out.clone()));
        }
    }
    for item in paths.values_mut().filter_map(Value::as_object_mut) {
        for op in item.values_mut().filter_map(Value::as_object_mut) {
            let Some(id) = op.get("operationId").and_then(Value::as_str).map(str::to_owned) else { continue };
            let Some(responses) = op.get_mut("responses").and_then(Value::as_object_mut) else { continue };
            for (status, response) in responses.iter_mut() {
                if let Some(links) = by_operation.get(&format!("{id} {status}")) {
                    response["links"] = links.clone();
                }
            }
        }
    }
}
