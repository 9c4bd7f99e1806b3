//! Secrets at rest: endpoint secrets and credentials are sealed in the
//! database, still sign and authenticate deliveries, survive a key
//! rotation, and never show in `Debug`.

use serde_json::json;
use sqlx::Row;

use crate::helpers::{Backend, TestApp, BACKEND, TEST_MAIN_KEY};
use herald_testkit::TestReceiver;

const SECRET: &str = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
const APP_CREDENTIAL: &str = "app-credential-4f1d9c";
const EP_CREDENTIAL: &str = "endpoint-credential-77ab02";

/// Every (table, column) value of the sealed columns, read with plain SQL.
async fn raw_values(app: &TestApp) -> Vec<String> {
    let queries = [
        "SELECT credential AS v FROM applications WHERE credential IS NOT NULL",
        "SELECT secret AS v FROM endpoints",
        "SELECT credential AS v FROM endpoints WHERE credential IS NOT NULL",
    ];
    let mut out = Vec::new();
    if app.db.url.starts_with("postgres") {
        let pool = sqlx::PgPool::connect(&app.db.url).await.unwrap();
        for q in queries {
            out.extend(sqlx::query(q).fetch_all(&pool).await.unwrap().iter().map(|r| r.get::<String, _>("v")));
        }
    } else {
        let pool = sqlx::SqlitePool::connect(&app.db.url).await.unwrap();
        for q in queries {
            out.extend(sqlx::query(q).fetch_all(&pool).await.unwrap().iter().map(|r| r.get::<String, _>("v")));
        }
    }
    out
}

async fn setup(app: &TestApp, rx: &TestReceiver) -> (String, String) {
    let (_, a) = app.post("/api/v1/apps", json!({ "name": "sealed", "credential": APP_CREDENTIAL })).await;
    let app_id = a["id"].as_str().unwrap().to_owned();
    let ep = app
        .create_endpoint(&app_id, json!({ "url": rx.url("/in"), "secret": SECRET, "credential": EP_CREDENTIAL }))
        .await;
    (app_id, ep["id"].as_str().unwrap().to_owned())
}

async fn secrets_are_sealed_at_rest_and_still_sign() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let (app_id, ep_id) = setup(&app, &rx).await;
    app.publish(&app_id, "user.created", json!({ "n": 1 })).await;
    let got = rx.wait_for("/in", 1).await;
    // Signed with the secret that was stored sealed: verify as a receiver would.
    let sig = got[0].header("webhook-signature").unwrap().to_owned();
    let id = got[0].header("webhook-id").unwrap();
    let ts = got[0].header("webhook-timestamp").unwrap();
    let expected = herald_core::signing::sign(
        herald_core::endpoint::EndpointSecret::parse(SECRET).unwrap().key(),
        id,
        ts.parse().unwrap(),
        &got[0].body,
    );
    assert_eq!(sig, expected);

    let values = raw_values(&app).await;
    assert_eq!(values.len(), 3, "{values:?}");
    for v in &values {
        assert!(v.starts_with("hs1:"), "{v}");
        for plain in [SECRET, APP_CREDENTIAL, EP_CREDENTIAL, &SECRET[6..]] {
            assert!(!v.contains(plain), "{v}");
        }
    }
    if BACKEND.try_with(|b| *b) == Ok(Backend::Sqlite) {
        let file = app.db.url.strip_prefix("sqlite://").unwrap().to_owned();
        let mut bytes = std::fs::read(&file).unwrap();
        bytes.extend(std::fs::read(format!("{file}-wal")).unwrap_or_default());
        for plain in [SECRET, APP_CREDENTIAL, EP_CREDENTIAL] {
            assert!(!bytes.windows(plain.len()).any(|w| w == plain.as_bytes()), "{plain} is readable in the file");
        }
        assert!(std::path::Path::new(&format!("{file}.key")).exists(), "the key file sits beside the database");
    }
    // The API still shows the secret to whoever may see it.
    let (_, shown) = app.get(&format!("/api/v1/apps/{app_id}/endpoints/{ep_id}/secret")).await;
    assert_eq!(shown["key"], SECRET);

    // Debug output of what the store gives back shows no secret.
    let (a_id, e_id) = (herald_core::AppId::parse(&app_id).unwrap(), herald_core::EndpointId::parse(&ep_id).unwrap());
    let ep = app.store.get_endpoint(&a_id, &e_id).await.unwrap();
    let a = app.store.get_app(&app_id).await.unwrap();
    let shown = format!("{ep:?} {a:?}");
    for plain in [SECRET, APP_CREDENTIAL, EP_CREDENTIAL, &SECRET[6..]] {
        assert!(!shown.contains(plain), "{shown}");
    }
}

/// Rotation: a node started with a new main key and the old one among the
/// previous keys reseals everything; then the old key can go.
async fn a_main_key_rotation_reseals_every_secret() {
    let first = TestApp::spawn_with(|c| c.security.main_key = TEST_MAIN_KEY.to_owned()).await;
    let rx = TestReceiver::start().await;
    let (app_id, _) = setup(&first, &rx).await;
    let before = raw_values(&first).await;
    let db = first.db.clone();
    first.stop().await;

    let new_key = "bmV3IGtleSBuZXcga2V5IG5ldyBrZXkgbmV3IGtleSE=";
    // Without the old key the values do not open: the start fails, clearly.
    let config = {
        let mut c = crate::helpers::test_config(&db.url);
        c.security.main_key = new_key.to_owned();
        c
    };
    let err = format!("{:#}", herald_server::Application::build(config).await.err().expect("refused to start"));
    assert!(err.contains("security.previous_main_keys"), "{err}");

    let rotated = TestApp::spawn_on_db(db.clone(), |c| {
        c.security.main_key = new_key.to_owned();
        c.security.previous_main_keys = herald_server::config::StringOrList::One(TEST_MAIN_KEY.to_owned());
    })
    .await;
    let after = raw_values(&rotated).await;
    assert_eq!(after.len(), before.len());
    assert!(after.iter().all(|a| a.starts_with("hs1:") && !before.contains(a)), "every value resealed");
    rotated.stop().await;

    // The old key is gone from the configuration: everything still opens.
    let only_new = TestApp::spawn_on_db(db, |c| c.security.main_key = new_key.to_owned()).await;
    only_new.publish(&app_id, "user.created", json!({})).await;
    rx.wait_for("/in", 1).await;
    assert_eq!(rx.received_on("/in")[0].header("webhook-signature").map(|s| s.starts_with("v1,")), Some(true));
}

crate::both_stores!(secrets_are_sealed_at_rest_and_still_sign, a_main_key_rotation_reseals_every_secret);
