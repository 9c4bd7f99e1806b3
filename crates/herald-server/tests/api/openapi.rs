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

crate::both_stores!(
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
