//! Sign-in and the API document.

use reqwest::StatusCode;
use serde_json::json;

use crate::helpers::{Backend, read, spawn_app};

#[backend_test]
pub async fn sign_in_and_out_with_argon2id_hashed_passwords(backend: Backend) {
    let app = spawn_app(backend).await;
    let wrong = app
        .post(
            None,
            "/api/v1/auth/login",
            &json!({"username": "shenzhen", "password": "nope"}),
        )
        .await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    let unknown = app
        .post(
            None,
            "/api/v1/auth/login",
            &json!({"username": "nobody", "password": "nope"}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::UNAUTHORIZED);

    let response = app
        .http
        .post(app.url("/api/v1/auth/login"))
        .json(&json!({"username": "shenzhen", "password": crate::helpers::PASSWORD}))
        .send()
        .await
        .expect("login");
    let cookie = response.headers()["set-cookie"]
        .to_str()
        .expect("cookie")
        .to_owned();
    assert!(
        cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"),
        "{cookie}"
    );
    let login = read(response).await;
    let token = login.body["token"].as_str().expect("token").to_owned();
    assert_eq!(login.body["staff"]["unit"]["region"], "440300");

    let me = app.get(Some(&token), "/api/v1/me").await;
    assert_eq!(me.body["username"], "shenzhen");
    let session_cookie = cookie.split(';').next().expect("pair").to_owned();
    let by_cookie = read(
        app.http
            .get(app.url("/api/v1/me"))
            .header("cookie", session_cookie)
            .send()
            .await
            .expect("me"),
    )
    .await;
    assert_eq!(
        by_cookie.status,
        StatusCode::OK,
        "the cookie works for pages"
    );

    let hash: String = {
        let found = app
            .store
            .staff_login("shenzhen")
            .await
            .expect("lookup")
            .expect("exists");
        found.password_hash
    };
    assert!(hash.starts_with("$argon2id$"), "{hash}");

    let out = app
        .post(Some(&token), "/api/v1/auth/logout", &json!({}))
        .await;
    assert_eq!(out.status, StatusCode::NO_CONTENT);
    assert_eq!(
        app.get(Some(&token), "/api/v1/me").await.status,
        StatusCode::UNAUTHORIZED
    );
}

#[backend_test]
pub async fn the_openapi_document_lists_every_route(backend: Backend) {
    let app = spawn_app(backend).await;
    let doc = app.get(None, "/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    assert_eq!(doc.body["openapi"], "3.1.0");
    let paths = doc.body["paths"].as_object().expect("paths");
    for path in [
        "/api/v1/cases",
        "/api/v1/cases/{id}",
        "/api/v1/cases/{id}/events",
        "/api/v1/cases/{id}/reporter",
        "/api/v1/cases/{id}/transitions",
        "/api/v1/track/{tracking_no}",
        "/api/v1/auth/login",
        "/api/v1/cases/{id}/types",
        "/api/v1/cases/{id}/merge",
        "/api/v1/cases/{id}/same-source",
        "/api/v1/search",
        "/api/v1/topics",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
    // Clients generate one function per operation id: each must be unique.
    let mut ids: Vec<&str> = paths
        .values()
        .filter_map(|item| item.as_object())
        .flat_map(|item| item.values())
        .filter_map(|op| op["operationId"].as_str())
        .collect();
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "operation ids repeat: {ids:?}");
    assert!(
        paths["/api/v1/cases"].get("post").is_some() && paths["/api/v1/cases"].get("get").is_some()
    );
    assert!(
        doc.body["components"]["schemas"]
            .get("IntakeForm")
            .is_some()
    );
}
