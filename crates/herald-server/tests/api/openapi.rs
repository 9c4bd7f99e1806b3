//! The OpenAPI document: public, OpenAPI 3.1, covering every route the
//! router serves (and only those), with the catalog as its `webhooks`.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

pub async fn document(app: &TestApp) -> Value {
    let resp = app.client.get(format!("{}/api/v1/openapi.json", app.base)).send().await.unwrap();
    assert_eq!(resp.status(), StatusCode::OK, "the document needs no token");
    resp.json().await.unwrap()
}

/// Every (method, path) of the document, with `{…}` segments filled in.
pub fn operations(doc: &Value) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for method in ops.as_object().unwrap().keys() {
            out.push((method.to_uppercase(), path.clone()));
        }
    }
    out
}

async fn the_document_is_openapi_3_1_and_every_operation_is_routed() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    assert!(doc["openapi"].as_str().unwrap().starts_with("3.1"), "{}", doc["openapi"]);
    assert_eq!(doc["servers"][0]["url"], "/api/v1");
    assert_eq!(doc["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
    let ops = operations(&doc);
    assert_eq!(ops.len(), 45, "{ops:?}");
    for (method, path) in &ops {
        let concrete = path
            .replace("{app}", "app_none")
            .replace("{endpoint}", "ep_none")
            .replace("{message}", "msg_none")
            .replace("{name}", "a.b")
            .replace("{token}", "tok_none")
            .replace("{recovery}", "rcv_none")
            .replace("{attempt}", "att_none");
        let m = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let (status, body) = app.request(m, &format!("/api/v1{concrete}"), None).await;
        // Routed: the handler answered (404 of the resource, 422, ...), not
        // the router's own "no such route" or "method not allowed".
        assert!(
            body["code"] != "method_not_allowed" && body["message"] != "no such route",
            "{method} {path}: {status} {body}"
        );
        // Every error is documented with the shared error body.
        let documented = &doc["paths"][path][method.to_lowercase()]["responses"];
        if !status.is_success() {
            assert!(documented.get(status.as_str()).is_some(), "{method} {path} answers {status}, undocumented");
        }
    }
    app.stop().await;
}

/// The reverse: the `/api/v1` routes are registered only together with
/// their documentation (`routes!`), never with a bare `.route(`.
#[test]
fn no_route_is_registered_without_its_documentation() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/src/api");
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let text = std::fs::read_to_string(&path).unwrap();
        let bare = text.matches(".route(").count();
        // mod.rs serves the document itself; health.rs is outside /api/v1.
        let allowed = match name.as_str() {
            "mod.rs" => 1,
            "health.rs" => 3,
            _ => 0,
        };
        assert_eq!(bare, allowed, "{name}: a route registered outside `routes!` is missing from the document");
    }
}

async fn the_catalog_is_the_documents_webhooks() {
    let app = TestApp::spawn().await;
    assert_eq!(document(&app).await["webhooks"], json!({}));
    let schema = json!({ "type": "object", "required": ["amount"], "properties": { "amount": { "type": "integer" } } });
    let (status, _) = app
        .post("/api/v1/event-types", json!({ "name": "invoice.paid", "description": "An invoice was paid.", "schema": schema, "example": { "amount": 42 } }))
        .await;
    assert_eq!(status, StatusCode::CREATED);
    let doc = document(&app).await;
    let hook = &doc["webhooks"]["invoice.paid"]["post"];
    assert_eq!(hook["description"], "An invoice was paid.");
    assert_eq!(hook["deprecated"], false);
    let body = &hook["requestBody"]["content"]["application/json"]["schema"];
    assert_eq!(body["properties"]["data"], schema);
    assert_eq!(body["properties"]["type"]["const"], "invoice.paid");
    assert_eq!(body["examples"][0]["data"], json!({ "amount": 42 }));

    let (status, _) = app.patch("/api/v1/event-types/invoice.paid", json!({ "archived": true })).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(document(&app).await["webhooks"]["invoice.paid"]["post"]["deprecated"], true);
    let (status, _) = app.delete("/api/v1/event-types/invoice.paid").await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    assert_eq!(document(&app).await["webhooks"], json!({}));
    app.stop().await;
}

async fn the_reference_page_is_served_from_the_binary() {
    let app = TestApp::spawn().await;
    let page = app.client.get(format!("{}/docs/", app.base)).send().await.unwrap();
    assert_eq!(page.status(), StatusCode::OK);
    assert!(page.text().await.unwrap().contains("swagger-ui"));
    let init = app.client.get(format!("{}/docs/swagger-initializer.js", app.base)).send().await.unwrap();
    assert_eq!(init.status(), StatusCode::OK);
    assert!(init.text().await.unwrap().contains("/api/v1/openapi.json"));
    let bundle = app.client.get(format!("{}/docs/swagger-ui-bundle.js", app.base)).send().await.unwrap();
    assert_eq!(bundle.status(), StatusCode::OK);
    assert!(bundle.bytes().await.unwrap().len() > 100_000, "the UI's script is embedded");
    app.stop().await;
}

/// Validates `value` against the document's schema `name`, its `$ref`s
/// resolved in the document.
fn conforms(doc: &Value, name: &str, value: &Value) -> Result<(), String> {
    let root = json!({ "$ref": format!("#/components/schemas/{name}"), "components": doc["components"] });
    let v = jsonschema::validator_for(&root).map_err(|e| e.to_string())?;
    v.validate(value).map_err(|e| e.to_string())
}

/// The document says what the handlers take: ids by their pattern, the
/// profile field by field (the shipped example profiles among its
/// examples), the rules between fields, and the real errors.
async fn the_document_says_exactly_what_is_accepted() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let app_id = app.create_app().await;
    let ep = app.create_endpoint(&app_id, json!({ "url": "https://example.com/hook" })).await;

    // Path ids: a real one matches its pattern, a made-up one does not.
    let replay = &doc["paths"]["/apps/{app}/messages/{message}/endpoints/{endpoint}/replay"]["post"];
    let pattern = |name: &str| {
        let p = replay["parameters"].as_array().unwrap().iter().find(|p| p["name"] == name).unwrap();
        json!({ "type": "string", "pattern": p["schema"]["pattern"] })
    };
    let ok = |schema: &Value, s: &str| jsonschema::validator_for(schema).unwrap().is_valid(&json!(s));
    assert!(ok(&pattern("endpoint"), ep["id"].as_str().unwrap()));
    assert!(!ok(&pattern("endpoint"), "ep_none"));
    assert!(ok(&pattern("app"), &app_id));
    assert!(!ok(&pattern("message"), ep["id"].as_str().unwrap()));

    // The replay's 409 is the replay's.
    let conflict = replay["responses"]["409"]["description"].as_str().unwrap();
    assert!(conflict.contains("still scheduled"), "{conflict}");
    assert!(!conflict.contains("already taken"), "{conflict}");

    // The profile, typed: every shipped example profile is one of its
    // examples and conforms; a misspelt field or an out-of-range value
    // does not.
    let profile = &doc["components"]["schemas"]["Profile"];
    assert_eq!(profile["additionalProperties"], false, "{profile}");
    for field in ["retry", "auto_disable", "success_status", "envelope", "signature", "rate_limit", "circuit_breaker"] {
        assert!(profile["properties"].get(field).is_some(), "profile.{field} is undocumented");
    }
    assert!(doc["components"]["schemas"]["AutoDisable"]["properties"].get("notice_secs").is_some());
    let examples = profile["examples"].as_array().unwrap();
    assert_eq!(examples.len(), 5, "examples/profiles/*.toml");
    for example in examples {
        conforms(&doc, "Profile", example).unwrap();
        let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": example })).await;
        assert_eq!(status, StatusCode::OK, "{example}: {body}");
    }
    for wrong in [
        json!({ "retries": 3 }),
        json!({ "timeout_ms": 50 }),
        json!({ "retry": "weekly" }),
        json!({ "success_status": [404] }),
        json!({ "envelope": { "fields": [{ "name": "a" }] } }),
        json!({ "signature": { "scheme": "static-header", "header": "A", "extra": 1 } }),
        json!({ "auto_disable": { "after_secs": 60, "min_failures": 0 } }),
        json!({ "headers": { "Content-Length": "1" } }),
    ] {
        assert!(conforms(&doc, "Profile", &wrong).is_err(), "{wrong} conforms");
        let (status, body) = app.patch(&format!("/api/v1/apps/{app_id}"), json!({ "profile": wrong })).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{wrong}: {body}");
    }

    // Rules between fields.
    conforms(&doc, "CreateToken", &json!({ "name": "t", "scope": "application", "app": "acme" })).unwrap();
    assert!(conforms(&doc, "CreateToken", &json!({ "name": "t", "scope": "application" })).is_err());
    assert!(conforms(&doc, "CreateToken", &json!({ "name": "t", "scope": "admin", "app": "acme" })).is_err());
    assert!(conforms(
        &doc,
        "RotateSecret",
        &json!({ "key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "signing": "ed25519" })
    )
    .is_err());
    conforms(
        &doc,
        "RotateSecret",
        &json!({ "key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "signing": "hmac-sha256" }),
    )
    .unwrap();
    let rotate = format!("/api/v1/apps/{app_id}/endpoints/{}/secret/rotate", ep["id"].as_str().unwrap());
    let (status, body) =
        app.post(&rotate, json!({ "key": "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "signing": "hmac-sha256" })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    app.stop().await;
}

/// Every id an answer gives is linked to the operations that take it, so a
/// client (or a stateful test) reaches every operation from the ones that
/// create things; the token's links use its id, not its value.
async fn every_operation_is_reached_by_a_link() {
    let app = TestApp::spawn().await;
    let doc = document(&app).await;
    let mut targets = std::collections::BTreeSet::new();
    let mut ids = std::collections::BTreeMap::new();
    for (path, ops) in doc["paths"].as_object().unwrap() {
        for (method, op) in ops.as_object().unwrap() {
            ids.insert(op["operationId"].as_str().unwrap().to_owned(), format!("{method} {path}"));
            for response in op["responses"].as_object().unwrap().values() {
                for link in response.get("links").and_then(Value::as_object).into_iter().flatten().map(|(_, l)| l) {
                    let target = link["operationId"].as_str().unwrap();
                    targets.insert(target.to_owned());
                    assert!(doc.to_string().contains(&format!("\"operationId\":\"{target}\"")), "{target}");
                }
            }
        }
    }
    for (id, op) in &ids {
        // Operations on a path with an id other than the application's (or an
        // event type's name, which the caller chooses) need one from a link.
        let needs_id = ["{endpoint}", "{message}", "{attempt}", "{recovery}", "{token}"].iter().any(|p| op.contains(p));
        assert!(!needs_id || targets.contains(id), "no link reaches {op}");
    }
    let app_links = &doc["paths"]["/apps"]["post"]["responses"]["201"]["links"];
    for op in ["create_endpoint", "create_message", "create_recovery", "get_app"] {
        assert_eq!(app_links[op]["parameters"]["app"], "$response.body#/id", "{op}");
    }
    let token_links = &doc["paths"]["/tokens"]["post"]["responses"]["201"]["links"];
    assert_eq!(token_links["DeleteToken"]["parameters"]["token"], "$response.body#/id");
    app.stop().await;
}

crate::both_stores!(
    the_document_says_exactly_what_is_accepted,
    every_operation_is_reached_by_a_link,
    the_document_is_openapi_3_1_and_every_operation_is_routed,
    the_catalog_is_the_documents_webhooks,
    the_reference_page_is_served_from_the_binary,
    every_error_is_the_apis_json_error,
);

/// The framework's own rejections answer with the API's JSON error too.
async fn every_error_is_the_apis_json_error() {
    let app = TestApp::spawn().await;
    let checks: [(reqwest::Method, &str, Option<&str>, u16); 4] = [
        (reqwest::Method::GET, "/api/v1/apps/%FF", None, 400),
        (reqwest::Method::GET, "/api/v1/apps/%FF/endpoints/%FE", None, 400),
        (reqwest::Method::POST, "/api/v1/apps", Some("{\"name\": \"a\""), 400),
        (reqwest::Method::POST, "/api/v1/nowhere", Some("{}"), 404),
    ];
    for (method, path, body, expected) in checks {
        let mut req =
            app.client.request(method.clone(), format!("{}{path}", app.base)).bearer_auth(crate::helpers::TOKEN);
        if let Some(b) = body {
            req = req.header("content-type", "application/json").body(b.to_owned());
        }
        let resp = req.send().await.unwrap();
        assert_eq!(resp.status().as_u16(), expected, "{method} {path}");
        assert!(resp.headers()["content-type"].to_str().unwrap().starts_with("application/json"), "{method} {path}");
        let v: Value = resp.json().await.unwrap();
        assert!(v["code"].is_string() && v["message"].as_str().is_some_and(|m| !m.is_empty()), "{method} {path}: {v}");
    }
    // Larger than server.max_body_bytes.
    let big = format!("{{\"name\": \"{}\"}}", "x".repeat(2 << 20));
    let resp = app
        .client
        .post(format!("{}/api/v1/apps", app.base))
        .bearer_auth(crate::helpers::TOKEN)
        .header("content-type", "application/json")
        .body(big)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 413);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["code"], "payload_too_large");

    // What hyper refuses before any handler runs.
    let long_uri = format!("GET /api/v1/apps/{} HTTP/1.1\r\nhost: x\r\n\r\n", "a".repeat(70_000));
    let big_header = format!("GET /api/v1/apps HTTP/1.1\r\nhost: x\r\nx-big: {}\r\n\r\n", "a".repeat(500_000));
    for (raw, status, code) in [
        (long_uri, 414, "uri_too_long"),
        (big_header, 431, "headers_too_large"),
        ("NOT HTTP AT ALL\r\n\r\n".to_owned(), 400, "invalid_request"),
    ] {
        let answer = raw_exchange(&app.base, raw.as_bytes()).await;
        let (head, body) = answer.split_once("\r\n\r\n").unwrap_or((&answer, ""));
        assert!(head.starts_with(&format!("HTTP/1.1 {status} ")), "{head}");
        assert!(head.to_ascii_lowercase().contains("content-type: application/json"), "{head}");
        let v: Value = serde_json::from_str(body).unwrap_or_else(|e| panic!("{status}: {e}: {body:?}"));
        assert_eq!(v["code"], code);
    }
    app.stop().await;
}

/// Writes `raw` to the server and reads until it closes the connection.
async fn raw_exchange(base: &str, raw: &[u8]) -> String {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let mut tcp = tokio::net::TcpStream::connect(base.trim_start_matches("http://")).await.unwrap();
    let _ = tcp.write_all(raw).await;
    let mut out = Vec::new();
    let _ = tokio::time::timeout(std::time::Duration::from_secs(5), tcp.read_to_end(&mut out)).await;
    String::from_utf8_lossy(&out).into_owned()
}
