//! The help center through the router, on both backends: an anonymous visit's reading and
//! searching follows the visitor into their account and into the request they send.

use crate::support;

use app::{
    api::{
        auth::SignIn,
        portal::{HelpCenter, NoteArticleRead, NoteSearch, RateArticle, SendRequest, Topics},
    },
    both_backends,
    model::{Category, HelpCenterHome},
    server::db::Db,
};
use axum::http::StatusCode;
use leptos::server_fn::ServerFn;
use support::{app, call, scalar};

const ANA: &str = "select customer_id from users where email = 'customer@northwind.test'";

async fn portal_entries(db: &Db, customer_id: i64) -> i64 {
    scalar(
        db,
        &format!(
            "select count(*) from interactions where customer_id = {customer_id}
             and kind in ('article_view', 'search', 'article_feedback')"
        ),
    )
    .await
}

both_backends!(an_anonymous_visit_follows_the_reader_into_their_account, |db: Db| async move {
    let app = app(&db).await;
    let ana = scalar(&db, ANA).await;
    let before = portal_entries(&db, ana).await;

    let searched = call(&app, NoteSearch::PATH, "query=parcel+late&results=3", None).await;
    assert_eq!(searched.status, StatusCode::OK, "{}", searched.body);
    let visit = searched.cookie.expect("the visit is remembered in a session cookie");
    let read = call(&app, NoteArticleRead::PATH, "slug=track-your-order", Some(&visit)).await;
    assert_eq!(read.status, StatusCode::OK, "{}", read.body);
    assert_eq!(scalar(&db, "select count(*) from visitor_activity").await, 2);

    let form = "email=customer@northwind.test&password=demo-password";
    let signed_in = call(&app, SignIn::PATH, form, Some(&visit)).await;
    assert_eq!(signed_in.status, StatusCode::OK, "{}", signed_in.body);
    assert_eq!(portal_entries(&db, ana).await, before + 2, "the visit joined Ana's timeline");
    assert_eq!(scalar(&db, "select count(*) from visitor_activity").await, 0);
});

both_backends!(a_request_from_a_visitor_carries_the_visit, |db: Db| async move {
    let app = app(&db).await;
    let searched = call(&app, NoteSearch::PATH, "query=customs+fees&results=0", None).await;
    let visit = searched.cookie.expect("a visit cookie");
    let form = "subject=Customs+fees&description=Who+pays+them%3F&topic=orders-shipping\
                &name=Kim+Lee&email=kim%40example.test&request_key=form-1";
    let sent = call(&app, SendRequest::PATH, form, Some(&visit)).await;
    assert_eq!(sent.status, StatusCode::OK, "{}", sent.body);
    let ticket_id: i64 = sent.body.parse().unwrap();
    let on_ticket = scalar(
        &db,
        &format!("select count(*) from interactions where ticket_id = {ticket_id} and kind = 'search'"),
    )
    .await;
    assert_eq!(on_ticket, 1, "the search made before asking is on the ticket");

    let again = call(&app, SendRequest::PATH, form, Some(&visit)).await;
    assert_eq!(again.body, sent.body, "a resubmitted form answers with the same request");
    assert_eq!(scalar(&db, "select count(*) from tickets where subject = 'Customs fees'").await, 1);
});

both_backends!(bad_feedback_and_requests_get_specific_errors, |db: Db| async move {
    let app = app(&db).await;
    let long = "x".repeat(1_001);
    let vote = call(&app, RateArticle::PATH, &format!("slug=track-your-order&helpful=false&comment={long}&deflected=false"), None).await;
    assert_eq!(vote.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(vote.body.contains("1000 characters"), "{}", vote.body);
    let missing = call(&app, RateArticle::PATH, "slug=no-such-article&helpful=true&comment=&deflected=false", None).await;
    assert_eq!(missing.status, StatusCode::NOT_FOUND);
    let no_email = call(&app, SendRequest::PATH, "subject=Hi&description=Help&topic=&name=Kim&email=", None).await;
    assert_eq!(no_email.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", no_email.body);
    assert!(!no_email.body.to_lowercase().contains("sql"));
});

both_backends!(the_contact_forms_topics_are_the_help_centers_categories, |db: Db| async move {
    let app = app(&db).await;
    for reader in [None, Some(support::signed_in(&app, "customer@northwind.test").await)] {
        let topics = call(&app, Topics::PATH, "", reader.as_deref()).await;
        assert_eq!(topics.status, StatusCode::OK, "{}", topics.body);
        let topics: Vec<Category> = serde_json::from_str(&topics.body).unwrap();
        let home: HelpCenterHome = serde_json::from_str(&call(&app, HelpCenter::PATH, "", reader.as_deref()).await.body).unwrap();
        assert!(topics.iter().any(|topic| topic.slug == "orders-shipping"), "{topics:?}");
        assert_eq!(topics, home.categories, "the same topics, counted for the same reader");
    }
});
