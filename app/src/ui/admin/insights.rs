//! Insight for the content team: how the knowledge base was read and rated over a period,
//! which articles still end in a request, and the content gaps searches reveal.

use super::{AdminFrame, AdminSection};
use crate::{
    api::articles::knowledge_base_insights,
    model::{ArticleComment, ArticleInsight, ContentInsights, DailyActivity, INSIGHT_PERIODS, SearchCount},
    ui::{
        format::short_datetime,
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

/// The period shown first, in days.
const DEFAULT_PERIOD: i64 = 30;

#[component]
pub fn InsightsAdmin() -> impl IntoView {
    view! {
        <Title text="Insights" />
        <AdminFrame section=AdminSection::Insights page=|_| view! { <InsightsPage /> } />
    }
}

#[component]
fn InsightsPage() -> impl IntoView {
    let query = use_query_map();
    let days = move || query.read().get("days").and_then(|days| days.parse().ok()).filter(|days| INSIGHT_PERIODS.contains(days)).unwrap_or(DEFAULT_PERIOD);
    let insights = Resource::new(days, knowledge_base_insights);
    view! {
        <p class="page__lead">
            "How customers use the help center: what they read and how they rate it, which articles still end "
            "in a request, and what they search for without finding an answer."
        </p>
        <nav class="admin__nav admin__nav--sub" aria-label="Period">
            {INSIGHT_PERIODS
                .into_iter()
                .map(|period| view! {
                    <a href=format!("/admin/insights?days={period}") aria-current=move || (days() == period).then_some("page")>
                        {format!("Last {period} days")}
                    </a>
                })
                .collect_view()}
        </nav>
        <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
            {move || Suspend::new(async move {
                match insights.await {
                    Ok(insights) => report(insights).into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

fn report(insights: ContentInsights) -> impl IntoView {
    let total = |count: fn(&DailyActivity) -> i64| insights.daily.iter().map(count).sum::<i64>();
    let (reads, searches, requests) = (total(|day| day.reads), total(|day| day.searches), total(|day| day.requests));
    view! {
        <ul class="insights__totals" aria-label="Totals">
            <li><span class="insights__figure">{reads}</span>" article reads"</li>
            <li><span class="insights__figure">{searches}</span>" searches"</li>
            <li><span class="insights__figure">{requests}</span>" requests sent from the help center"</li>
        </ul>
        <section class="card" aria-labelledby="daily-heading">
            <h2 id="daily-heading" class="section__title">"Reads and searches per day"</h2>
            {daily_chart(&insights.daily, reads, searches)}
        </section>
        <section class="card" aria-labelledby="articles-insight-heading">
            <h2 id="articles-insight-heading" class="section__title">"Articles"</h2>
            {article_table(insights.articles)}
        </section>
        <div class="admin__grid">
            <section class="card" aria-labelledby="unanswered-heading">
                <h2 id="unanswered-heading" class="section__title">"Searches that found nothing"</h2>
                <p class="card__text">"Questions the knowledge base does not answer yet."</p>
                {search_list(insights.unanswered_searches, "No search came back empty.")}
            </section>
            <section class="card" aria-labelledby="before-requests-heading">
                <h2 id="before-requests-heading" class="section__title">"Searches before a request"</h2>
                <p class="card__text">"What readers looked for before asking us anyway."</p>
                {search_list(insights.searches_before_requests, "No request followed a search.")}
            </section>
        </div>
        <section class="card" aria-labelledby="comments-heading">
            <h2 id="comments-heading" class="section__title">"Latest comments"</h2>
            {comment_list(insights.recent_comments)}
        </section>
    }
}

/// Bars per day: reads and searches side by side, scaled to the busiest day. The chart's
/// label says what it shows in words, for readers who cannot see it.
fn daily_chart(daily: &[DailyActivity], reads: i64, searches: i64) -> impl IntoView {
    const HEIGHT: f64 = 120.0;
    const SLOT: f64 = 12.0;
    let peak = daily.iter().map(|day| day.reads.max(day.searches)).max().unwrap_or(0).max(1) as f64;
    let height = |count: i64| (count as f64 / peak * HEIGHT).max(if count > 0 { 2.0 } else { 0.0 });
    let width = SLOT * daily.len() as f64;
    let (first, last) = (daily.first().map(|day| day.day), daily.last().map(|day| day.day));
    let label = format!(
        "{reads} reads and {searches} searches from {} to {}; the busiest day had {peak} of one or the other.",
        first.map(|day| day.format("%-d %b").to_string()).unwrap_or_default(),
        last.map(|day| day.format("%-d %b").to_string()).unwrap_or_default(),
    );
    let bars = daily
        .iter()
        .enumerate()
        .map(|(at, day)| {
            let x = at as f64 * SLOT;
            let (read, searched) = (height(day.reads), height(day.searches));
            let tip = format!("{}: {} reads, {} searches", day.day.format("%-d %b"), day.reads, day.searches);
            view! {
                <g>
                    <title>{tip}</title>
                    <rect class="chart__reads" x=x + 1.0 y=HEIGHT - read width="5" height=read />
                    <rect class="chart__searches" x=x + 6.0 y=HEIGHT - searched width="5" height=searched />
                </g>
            }
        })
        .collect_view();
    view! {
        <figure class="chart">
            <svg
                class="chart__plot"
                viewBox=format!("0 0 {width} {HEIGHT}")
                preserveAspectRatio="none"
                role="img"
                aria-label=label
            >
                <line class="chart__axis" x1="0" y1=HEIGHT x2=width y2=HEIGHT />
                {bars}
            </svg>
            <figcaption class="chart__legend">
                <span class="chart__key chart__key--reads">"Reads"</span>
                <span class="chart__key chart__key--searches">"Searches"</span>
                <span class="chart__range">
                    {first.map(|day| day.format("%-d %b").to_string())}" – "{last.map(|day| day.format("%-d %b").to_string())}
                </span>
            </figcaption>
        </figure>
    }
}

fn article_table(articles: Vec<ArticleInsight>) -> impl IntoView {
    if articles.is_empty() {
        return view! { <p class="panel__empty">"No published articles yet."</p> }.into_any();
    }
    let most_read = articles.iter().map(|article| article.reads).max().unwrap_or(0).max(1);
    view! {
        <div class="table-scroll">
            <table class="table insights__articles">
                <thead>
                    <tr>
                        <th scope="col">"Article"</th>
                        <th scope="col">"Reads"</th>
                        <th scope="col">"Helpful"</th>
                        <th scope="col">"Comments"</th>
                        <th scope="col">"Requests after reading"</th>
                    </tr>
                </thead>
                <tbody>
                    {articles
                        .into_iter()
                        .map(|article| {
                            let votes = article.helpful + article.not_helpful;
                            let helpful = match votes {
                                0 => "No votes".to_owned(),
                                _ => format!("{} of {votes}", article.helpful),
                            };
                            let share = if votes == 0 { 0 } else { article.helpful * 100 / votes };
                            view! {
                                <tr>
                                    <td><a class="admin__name" href=format!("/admin/articles/{}", article.id)>{article.title}</a></td>
                                    <td>{meter(article.reads * 100 / most_read, "meter")}{article.reads}</td>
                                    <td>{(votes > 0).then(|| meter(share, "meter meter--split"))}{helpful}</td>
                                    <td>{article.comments}</td>
                                    <td>{article.requests_after}</td>
                                </tr>
                            }
                        })
                        .collect_view()}
                </tbody>
            </table>
        </div>
    }
    .into_any()
}

/// A small bar filled to `percent`. Drawn in SVG, whose sizes are attributes: the page's
/// content security policy allows no inline styles.
fn meter(percent: i64, class: &'static str) -> impl IntoView {
    view! {
        <svg class=class viewBox="0 0 100 6" preserveAspectRatio="none" aria-hidden="true">
            <rect class="meter__track" width="100" height="6" />
            <rect class="meter__fill" width=percent.clamp(0, 100) height="6" />
        </svg>
    }
}

fn search_list(searches: Vec<SearchCount>, empty: &'static str) -> impl IntoView {
    if searches.is_empty() {
        return view! { <p class="panel__empty">{empty}</p> }.into_any();
    }
    view! {
        <ol class="insights__searches">
            {searches
                .into_iter()
                .map(|search| {
                    let times = match search.count {
                        1 => "once".to_owned(),
                        count => format!("{count} times"),
                    };
                    view! { <li><q>{search.query}</q><span class="admin__email">{times}</span></li> }
                })
                .collect_view()}
        </ol>
    }
    .into_any()
}

fn comment_list(comments: Vec<ArticleComment>) -> impl IntoView {
    if comments.is_empty() {
        return view! { <p class="panel__empty">"No comments in this period."</p> }.into_any();
    }
    view! {
        <ul class="insights__comments">
            {comments
                .into_iter()
                .map(|comment| {
                    let verdict = if comment.helpful { "Helpful" } else { "Not helpful" };
                    let badge = if comment.helpful { "badge badge--solved" } else { "badge badge--open" };
                    view! {
                        <li>
                            <p>
                                <a href=format!("/articles/{}", comment.slug)>{comment.title}</a>" "
                                <span class=badge>{verdict}</span>
                            </p>
                            <blockquote>{comment.comment}</blockquote>
                            <p class="admin__email">{short_datetime(comment.created_at)}</p>
                        </li>
                    }
                })
                .collect_view()}
        </ul>
    }
    .into_any()
}
