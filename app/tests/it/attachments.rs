//! Uploaded files as stored: names and types cleaned, and uploads no message claimed
//! discarded after a day while sent ones stay.

use app::{
    both_backends,
    server::{
        attachments::{self, NewUpload},
        db::Db,
    },
    with_db,
};

async fn count(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

both_backends!(names_and_types_are_cleaned_before_they_are_kept, |db: Db| async move {
    let upload = NewUpload { file_name: "C:\\Users\\kim\\Invoice \"May\".pdf", content_type: Some("application/pdf"), content: b"%PDF" };
    let stored = attachments::store(&db, "visit:v1", upload).await.unwrap();
    assert_eq!(stored.file_name, "Invoice May.pdf", "the last path segment, without quotes");
    assert_eq!(stored.size_bytes, 4);
    let odd = NewUpload { file_name: "log.txt", content_type: Some("text/html; <script>"), content: b"x" };
    attachments::store(&db, "visit:v1", odd).await.unwrap();
    let kept = count(&db, "select count(*) from attachments where content_type = 'application/octet-stream'").await;
    assert_eq!(kept, 1, "an implausible media type becomes a plain download");
    let nameless = NewUpload { file_name: "../", content_type: None, content: b"x" };
    assert!(attachments::store(&db, "visit:v1", nameless).await.is_err());
});

both_backends!(uploads_never_sent_are_discarded_after_a_day, |db: Db| async move {
    for name in ["old.txt", "new.txt"] {
        let upload = NewUpload { file_name: name, content_type: None, content: b"x" };
        attachments::store(&db, "visit:v2", upload).await.unwrap();
    }
    with_db!(&db, |pool| {
        sqlx::query("update attachments set created_at = $1 where file_name = 'old.txt'")
            .bind(chrono::Utc::now() - chrono::Duration::hours(25))
            .execute(pool)
            .await
            .unwrap();
    });
    assert_eq!(attachments::discard_abandoned(&db).await.unwrap(), 1);
    assert_eq!(count(&db, "select count(*) from attachments where file_name = 'new.txt'").await, 1);
});
