//! What the content team learns from the help center over a period: how much each article
//! is read and how it is rated, which reads still end in a request, what readers search for
//! without finding anything, and which searches come before a request. Built from the dated
//! reads and searches (`help_center_events`), "was this helpful?" answers, and the first
//! message of requests sent from the help center (which carries the visit it was sent in).

use super::db::{Db, with_db};
use crate::{
    error::AppError,
    model::{ArticleComment, ArticleInsight, ContentInsights, DailyActivity, INSIGHT_PERIODS, SearchCount},
};
use chrono::{DateTime, Duration, NaiveDate, Utc};
use std::collections::HashMap;

const ARTICLES_SHOWN: i64 = 50;
const SEARCHES_SHOWN: i64 = 15;
const COMMENTS_SHOWN: i64 = 10;

/// The first message of a request sent from the help center: `i`, an interaction.
macro_rules! help_center_request {
    () => {
        "i.kind = 'message_in' and i.channel = 'portal' and i.visit_id is not null"
    };
}

const DAILY_EVENTS: &str = "select kind, created_at from help_center_events where created_at >= $1";

const DAILY_REQUESTS: &str =
    concat!("select 'request', i.created_at from interactions i where ", help_center_request!(), " and i.created_at >= $1");

const ARTICLES: &str = concat!("
    select a.id, a.slug, a.title,
      (select count(*) from help_center_events e
        where e.article_id = a.id and e.kind = 'article_view' and e.created_at >= $1) as reads,
      (select count(*) from article_votes v where v.article_id = a.id and v.helpful and v.created_at >= $1) as helpful,
      (select count(*) from article_votes v where v.article_id = a.id and not v.helpful and v.created_at >= $1) as not_helpful,
      (select count(*) from article_votes v where v.article_id = a.id and v.comment <> '' and v.created_at >= $1) as comments,
      (select count(distinct i.ticket_id) from interactions i
        where ", help_center_request!(), " and i.created_at >= $1
          and exists (select 1 from help_center_events e
                      where e.visit_id = i.visit_id and e.article_id = a.id and e.kind = 'article_view'
                        and e.created_at >= $1 and e.created_at <= i.created_at)) as requests_after
    from articles a
    where a.status = 'published'
    order by reads desc, a.title
    limit $2");

const UNANSWERED: &str = "
    select query, count(*) as count from help_center_events
    where kind = 'search' and result_count = 0 and created_at >= $1
    group by query order by count desc, query limit $2";

const BEFORE_REQUESTS: &str = concat!("
    select s.query, count(distinct i.ticket_id) as count
    from help_center_events s
    join interactions i on i.visit_id = s.visit_id and ", help_center_request!(), " and i.created_at >= s.created_at
    where s.kind = 'search' and s.created_at >= $1
    group by s.query order by count desc, s.query limit $2");

const COMMENTS: &str = "
    select a.slug, a.title, v.helpful, v.comment, v.created_at
    from article_votes v join articles a on a.id = v.article_id
    where v.comment <> '' and v.created_at >= $1
    order by v.created_at desc, v.id desc limit $2";

/// The last `days` days up to `now`, whole days in UTC.
pub async fn content_insights(db: &Db, days: i64, now: DateTime<Utc>) -> Result<ContentInsights, AppError> {
    if !INSIGHT_PERIODS.contains(&days) {
        return Err(AppError::invalid(format!("Choose a period of {} days.", period_list())));
    }
    let first_day = now.date_naive() - Duration::days(days - 1);
    let since = first_day.and_time(chrono::NaiveTime::MIN).and_utc();
    let (events, articles, unanswered, before_requests, comments) = with_db!(db, |pool| {
        let mut events = sqlx::query_as::<_, (String, DateTime<Utc>)>(DAILY_EVENTS).bind(since).fetch_all(pool).await?;
        events.extend(sqlx::query_as::<_, (String, DateTime<Utc>)>(DAILY_REQUESTS).bind(since).fetch_all(pool).await?);
        let articles = sqlx::query_as::<_, ArticleInsight>(ARTICLES).bind(since).bind(ARTICLES_SHOWN).fetch_all(pool).await?;
        let unanswered = sqlx::query_as::<_, SearchCount>(UNANSWERED).bind(since).bind(SEARCHES_SHOWN).fetch_all(pool).await?;
        let before_requests =
            sqlx::query_as::<_, SearchCount>(BEFORE_REQUESTS).bind(since).bind(SEARCHES_SHOWN).fetch_all(pool).await?;
        let comments = sqlx::query_as::<_, ArticleComment>(COMMENTS).bind(since).bind(COMMENTS_SHOWN).fetch_all(pool).await?;
        (events, articles, unanswered, before_requests, comments)
    });
    Ok(ContentInsights {
        days,
        daily: daily(first_day, days, &events),
        articles,
        unanswered_searches: unanswered,
        searches_before_requests: before_requests,
        recent_comments: comments,
    })
}

fn period_list() -> String {
    INSIGHT_PERIODS.map(|days| days.to_string()).join(", ")
}

/// Counts of each kind of event per day, every day of the period present.
fn daily(first_day: NaiveDate, days: i64, events: &[(String, DateTime<Utc>)]) -> Vec<DailyActivity> {
    let mut by_day: HashMap<NaiveDate, DailyActivity> = HashMap::new();
    for (kind, at) in events {
        let day = at.date_naive();
        let counts = by_day.entry(day).or_insert(DailyActivity { day, reads: 0, searches: 0, requests: 0 });
        match kind.as_str() {
            "article_view" => counts.reads += 1,
            "search" => counts.searches += 1,
            _ => counts.requests += 1,
        }
    }
    (0..days)
        .map(|offset| {
            let day = first_day + Duration::days(offset);
            by_day.remove(&day).unwrap_or(DailyActivity { day, reads: 0, searches: 0, requests: 0 })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_day_of_the_period_is_counted_even_a_quiet_one() {
        let at = |day: u32, hour: u32| NaiveDate::from_ymd_opt(2026, 3, day).unwrap().and_hms_opt(hour, 0, 0).unwrap().and_utc();
        let events = [("article_view".to_owned(), at(1, 9)), ("search".to_owned(), at(1, 23)), ("request".to_owned(), at(3, 0))];
        let daily = daily(NaiveDate::from_ymd_opt(2026, 3, 1).unwrap(), 3, &events);
        let counts: Vec<(u32, i64, i64, i64)> =
            daily.iter().map(|day| (chrono::Datelike::day(&day.day), day.reads, day.searches, day.requests)).collect();
        assert_eq!(counts, [(1, 1, 1, 0), (2, 0, 0, 0), (3, 0, 0, 1)]);
    }
}
