//! The receiving side: a real axum receiver using `herald-verify`'s
//! extractor accepts Herald's deliveries and refuses a forged request.

use std::sync::{Arc, Mutex};

use axum::extract::State;
use axum::routing::post;
use axum::Router;
use herald_verify::axum::Verified;
use herald_verify::Webhook;
use serde_json::json;

use crate::helpers::{status_is, TestApp};

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";

#[derive(Clone)]
struct Rx {
    wh: Arc<Webhook>,
    got: Arc<Mutex<Vec<serde_json::Value>>>,
}

impl axum::extract::FromRef<Rx> for Arc<Webhook> {
    fn from_ref(rx: &Rx) -> Self {
        rx.wh.clone()
    }
}

async fn hook(State(rx): State<Rx>, Verified(body): Verified) -> &'static str {
    rx.got.lock().unwrap().push(serde_json::from_slice(&body).unwrap());
    "ok"
}

async fn the_axum_extractor_accepts_deliveries_and_refuses_forgeries() {
    let rx = Rx { wh: Arc::new(Webhook::new(SECRET).unwrap()), got: Arc::default() };
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let router = Router::new().route("/hook", post(hook)).with_state(rx.clone());
    tokio::spawn(async move { axum::serve(listener, router).await.unwrap() });

    let app = TestApp::spawn_real_time(|_| {}).await;
    let app_id = app.create_app().await;
    let url = format!("http://127.0.0.1:{port}/hook");
    app.create_endpoint(&app_id, json!({ "url": url, "secret": SECRET })).await;
    let msg = app.publish(&app_id, "user.created", json!({ "n": 1.50, "name": "Zoë" })).await;
    app.wait_delivery(&app_id, &msg, |d| status_is(d, "delivered")).await;
    assert_eq!(rx.got.lock().unwrap()[0]["data"]["name"], "Zoë");

    let forged = reqwest::Client::new()
        .post(&url)
        .header("webhook-id", "msg_1")
        .header("webhook-timestamp", chrono_now().to_string())
        .header("webhook-signature", "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=")
        .body("{}")
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status().as_u16(), 401);
    assert_eq!(forged.text().await.unwrap(), "no signature matches");
    assert_eq!(rx.got.lock().unwrap().len(), 1);
}

fn chrono_now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_secs()
}

crate::both_stores!(the_axum_extractor_accepts_deliveries_and_refuses_forgeries);
