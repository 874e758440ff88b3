//! A customer's data, through the router on both backends: the download holds exactly their
//! own data, and erasure waits out its grace period, can be cancelled, then leaves nothing
//! that identifies them.

use crate::support;

use app::{
    api::account::{CancelAccountErasure, RequestAccountErasure},
    both_backends,
    server::{db::Db, privacy},
    with_db,
};
use axum::{
    body::Body,
    http::{Request, StatusCode, header},
};
use leptos::server_fn::ServerFn;
use support::{app, ben_confirmed, body_text, call, scalar, sign_in, signed_in};
use tower::ServiceExt;

async fn download(app: &axum::Router, cookie: Option<&str>) -> (StatusCode, String, axum::http::HeaderMap) {
    let mut request = Request::get("/account/export");
    if let Some(cookie) = cookie {
        request = request.header(header::COOKIE, cookie);
    }
    let response = app.clone().oneshot(request.body(Body::empty()).unwrap()).await.unwrap();
    let (status, headers) = (response.status(), response.headers().clone());
    (status, body_text(response).await, headers)
}

both_backends!(the_download_holds_exactly_the_customers_own_data, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let (status, body, headers) = download(&app, Some(&ana)).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(headers[header::CONTENT_DISPOSITION].to_str().unwrap().starts_with("attachment"));
    let export: serde_json::Value = serde_json::from_str(&body).unwrap();
    assert_eq!(export["account"]["email"], "customer@northwind.test");

    let customer = scalar(&db, "select customer_id from users where email = 'customer@northwind.test'").await;
    let tickets = scalar(&db, &format!("select count(*) from tickets where customer_id = {customer}")).await;
    let visible = scalar(
        &db,
        &format!("select count(*) from interactions where customer_id = {customer} and kind <> 'note'"),
    )
    .await;
    let requests = export["requests"].as_array().unwrap();
    assert_eq!(requests.len() as i64, tickets);
    assert_eq!(export["timeline"].as_array().unwrap().len() as i64, visible);
    assert!(requests.iter().all(|r| r["ticket"]["summary"]["customer_id"] == customer));
    assert!(!body.contains("\"kind\":\"note\""), "agents' internal notes are not the customer's data");
    assert!(!body.contains("ben.carter@example.test"));

    let (anonymous, _, headers) = download(&app, None).await;
    assert_eq!(anonymous, StatusCode::SEE_OTHER);
    assert_eq!(headers[header::LOCATION], "/sign-in?next=/account");
});

both_backends!(erasure_waits_can_be_cancelled_and_then_erases, |db: Db| async move {
    let app = app(&db).await;
    let ana = signed_in(&app, "customer@northwind.test").await;
    let customer = scalar(&db, "select customer_id from users where email = 'customer@northwind.test'").await;

    let wrong = call(&app, RequestAccountErasure::PATH, "password=not-my-password", Some(&ana)).await;
    assert_eq!(wrong.status, StatusCode::UNPROCESSABLE_ENTITY);
    let asked = call(&app, RequestAccountErasure::PATH, "password=demo-password", Some(&ana)).await;
    assert_eq!(asked.status, StatusCode::OK, "{}", asked.body);
    assert_eq!(privacy::erase_due(&db).await.unwrap(), 0, "not before the grace period ends");
    let cancelled = call(&app, CancelAccountErasure::PATH, "", Some(&ana)).await;
    assert_eq!(cancelled.status, StatusCode::OK, "{}", cancelled.body);
    let again = call(&app, CancelAccountErasure::PATH, "", Some(&ana)).await;
    assert_eq!(again.status, StatusCode::UNPROCESSABLE_ENTITY);

    call(&app, RequestAccountErasure::PATH, "password=demo-password", Some(&ana)).await;
    with_db!(&db, |pool| {
        sqlx::query("update deletion_requests set erase_after = requested_at").execute(pool).await.unwrap();
    });
    let ben = ben_confirmed(&app, &db).await;
    assert_eq!(privacy::erase_due(&db).await.unwrap(), 1);

    let identities = scalar(&db, &format!("select count(*) from identities where customer_id = {customer}")).await;
    assert_eq!(identities, 0);
    let readable = scalar(
        &db,
        &format!("select count(*) from interactions where customer_id = {customer} and body not like '[erased%'"),
    )
    .await;
    assert_eq!(readable, 0, "nothing the customer or we wrote about them stays readable");
    assert_eq!(scalar(&db, "select count(*) from users where email = 'customer@northwind.test'").await, 0);
    let signed_out = call(&app, app::api::auth::WhoAmI::PATH, "", Some(&ana)).await;
    assert_eq!(signed_out.body, "null", "the session ended");
    let refused = sign_in(&app, "customer@northwind.test", "demo-password").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED);
    // Other customers are untouched.
    let bens = call(&app, app::api::requests::MyRequests::PATH, "", Some(&ben)).await;
    assert_eq!(bens.status, StatusCode::OK);
    assert_eq!(scalar(&db, "select count(*) from users where email = 'ben.carter@example.test'").await, 1);
});

both_backends!(staff_cannot_erase_themselves_this_way, |db: Db| async move {
    let app = app(&db).await;
    let agent = signed_in(&app, "agent@northwind.test").await;
    let refused = call(&app, RequestAccountErasure::PATH, "password=demo-password", Some(&agent)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
});
