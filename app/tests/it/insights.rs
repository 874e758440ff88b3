//! The content team's insight on both backends: reads, votes and comments per article over a
//! period, requests sent after reading, and the searches that found nothing or came before a
//! request. Older activity stays out of a shorter period.

use app::{
    both_backends,
    error::AppError,
    model::{Audience, SearchCount},
    server::{
        activity::{self, Feedback, Visit},
        clock,
        contact::{self, NewRequest, Requester},
        db::Db,
        insights,
        seed::{self, SeedSize},
    },
    with_db,
};
use chrono::Duration;

fn visit(id: &str) -> Visit {
    Visit { id: id.to_owned(), customer_id: None }
}

fn count_of<'a>(searches: &'a [SearchCount], query: &str) -> Option<i64> {
    searches.iter().find(|search| search.query == query).map(|search| search.count)
}

both_backends!(insight_counts_reads_votes_requests_and_content_gaps_in_the_period, |db: Db| async move {
    seed::seed(&db, SeedSize::default()).await.unwrap();
    let reads_before = |insight: &app::model::ContentInsights| {
        insight.articles.iter().find(|article| article.slug == "reset-your-password").map_or(0, |article| article.reads)
    };
    let seeded = reads_before(&insights::content_insights(&db, 7, clock::now()).await.unwrap());
    let asked = visit("insight-1");
    activity::searched(&db, &asked, "  Warranty   CLAIM ", 0).await.unwrap();
    activity::article_read(&db, &asked, "reset-your-password", Audience::Public).await.unwrap();
    let feedback = Feedback { slug: "reset-your-password", helpful: false, comment: "The SMS never came.", deflected: false, reader: Audience::Public };
    activity::feedback(&db, &asked, feedback).await.unwrap();
    let requester = Requester::Visitor { name: "Kim Lee", email: "kim@example.com" };
    let request = NewRequest { subject: "No reset SMS", description: "Still nothing.", topic: None, request_key: None, files: Default::default() };
    contact::send_request(&db, requester, Some(&asked), request).await.unwrap();

    let browsed = visit("insight-2");
    activity::searched(&db, &browsed, "refund", 3).await.unwrap();
    activity::article_read(&db, &browsed, "reset-your-password", Audience::Public).await.unwrap();
    // Ten days ago: in the last 30 days, not in the last 7.
    let long_ago = clock::now() - Duration::days(10);
    with_db!(&db, |pool| {
        sqlx::query(
            "insert into help_center_events (kind, visit_id, query, result_count, created_at)
             values ('search', 'insight-old', 'gift card', 0, $1)",
        )
        .bind(long_ago)
        .execute(pool)
        .await
        .unwrap();
    });

    let week = insights::content_insights(&db, 7, clock::now()).await.unwrap();
    assert_eq!(week.daily.len(), 7);
    let today = week.daily.last().unwrap();
    assert_eq!((today.reads, today.searches, today.requests), (2, 2, 1), "{today:?}");
    let article = week.articles.iter().find(|article| article.slug == "reset-your-password").unwrap();
    assert_eq!((article.reads, article.helpful, article.not_helpful, article.comments, article.requests_after), (seeded + 2, 0, 1, 1, 1));
    assert_eq!(count_of(&week.unanswered_searches, "warranty claim"), Some(1), "searches are counted however they were typed");
    assert_eq!(count_of(&week.unanswered_searches, "refund"), None, "a search with results is no gap");
    assert_eq!(count_of(&week.unanswered_searches, "gift card"), None, "older than the period");
    assert_eq!(count_of(&week.searches_before_requests, "warranty claim"), Some(1));
    assert_eq!(count_of(&week.searches_before_requests, "refund"), None, "no request followed it");
    assert_eq!(week.recent_comments.first().map(|comment| comment.comment.as_str()), Some("The SMS never came."));

    let month = insights::content_insights(&db, 30, clock::now()).await.unwrap();
    assert_eq!(month.daily.len(), 30);
    assert_eq!(count_of(&month.unanswered_searches, "gift card"), Some(1));
    assert!(matches!(insights::content_insights(&db, 5, clock::now()).await, Err(AppError::Invalid(_))));
});
