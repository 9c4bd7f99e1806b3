//! The batch publish route: many events in one request, one commit, one
//! answer per event in order; a bad event fails alone.

use reqwest::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;
use herald_testkit::TestReceiver;

async fn a_batch_with_one_bad_event_accepts_the_other_99() {
    let app = TestApp::spawn().await;
    let rx = TestReceiver::start().await;
    let app_id = app.create_app().await;
    app.create_endpoint(&app_id, json!({ "url": rx.url("/hook") })).await;
    let schema = json!({ "type": "object", "required": ["n"], "properties": { "n": { "type": "integer" } } });
    let (status, _) = app.post("/api/v1/event-types", json!({ "name": "counted", "schema": schema })).await;
    assert_eq!(status, StatusCode::CREATED);
    // Published before: its event id comes back as a duplicate.
    let earlier = app
        .post(
            &format!("/api/v1/apps/{app_id}/messages"),
            json!({ "event_type": "counted", "event_id": "e-7", "payload": { "n": 7 } }),
        )
        .await
        .1;

    let mut events: Vec<Value> = (0..100)
        .map(|n| json!({ "event_type": "counted", "event_id": format!("e-{n}"), "payload": { "n": n } }))
        .collect();
    events[42]["payload"] = json!({ "n": "forty-two" }); // breaks the schema
    let (status, body) = app.post(&format!("/api/v1/apps/{app_id}/messages/batch"), json!({ "events": events })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    let data = body["data"].as_array().unwrap();
    assert_eq!(data.len(), 100);
    assert_eq!(
        (body["accepted"].as_u64(), body["duplicates"].as_u64(), body["rejected"].as_u64()),
        (Some(98), Some(1), Some(1))
    );
    for (n, item) in data.iter().enumerate() {
        match n {
            42 => {
                assert_eq!(item["status"], 422, "{item}");
                assert_eq!(item["error"]["code"], "validation_error");
                assert!(item["error"]["field"].as_str().unwrap().starts_with("events[42]."), "{item}");
                assert!(item["message"].is_null());
            }
            7 => {
                assert_eq!(item["status"], 200, "{item}");
                assert_eq!(item["message"]["id"], earlier["id"], "the earlier message");
            }
            _ => {
                assert_eq!(item["status"], 202, "{item}");
                assert_eq!(item["message"]["event_id"], format!("e-{n}"), "in order");
            }
        }
    }
    // The 98 new ones are stored and delivered (with the earlier 7), the
    // bad one is not, and 7 only once.
    let got = rx.wait_for("/hook", 99).await;
    let mut seen: Vec<u64> = got.iter().map(|r| r.json()["data"]["n"].as_u64().unwrap()).collect();
    seen.sort_unstable();
    let want: Vec<u64> = (0..100).filter(|n| *n != 42).collect();
    assert_eq!(seen, want);
    // Publishing the same batch again: all duplicates (the bad one still bad).
    let (_, again) = app.post(&format!("/api/v1/apps/{app_id}/messages/batch"), json!({ "events": events })).await;
    assert_eq!((again["accepted"].as_u64(), again["duplicates"].as_u64()), (Some(0), Some(99)), "{again}");
}

async fn a_batch_is_refused_whole_only_for_its_own_shape() {
    let app = TestApp::spawn_with(|c| c.limits.batch_events = 3).await;
    let app_id = app.create_app().await;
    let path = format!("/api/v1/apps/{app_id}/messages/batch");
    let one = json!({ "event_type": "a.b", "payload": {} });
    for (body, field) in [(json!({ "events": [] }), "events"), (json!({ "events": [one, one, one, one] }), "events")] {
        let (status, err) = app.post(&path, body).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{err}");
        assert_eq!(err["field"], field, "{err}");
        assert!(err["message"].as_str().unwrap().contains("1 to 3"), "{err}");
    }
    // An element that is not a publish body fails alone, with its index.
    let (status, body) = app.post(&path, json!({ "events": [one, { "payload": {} }, "nope"] })).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert_eq!(body["data"][0]["status"], 202);
    for i in [1, 2] {
        assert_eq!(body["data"][i]["status"], 422, "{body}");
        assert!(body["data"][i]["error"]["message"].as_str().unwrap().starts_with(&format!("events[{i}]")), "{body}");
    }
    let (status, _) =
        app.post("/api/v1/apps/app_01JAAAAAAAAAAAAAAAAAAAAAAA/messages/batch", json!({ "events": [one] })).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

crate::both_stores!(a_batch_with_one_bad_event_accepts_the_other_99, a_batch_is_refused_whole_only_for_its_own_shape,);
