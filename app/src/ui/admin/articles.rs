//! The knowledge base as its editors write it: the list of articles by status, and an editor
//! with a live preview rendered by the same code that renders the published page.

use super::{AdminFrame, AdminSection, macros::ChoiceField};
use crate::{
    api::articles::{
        CreateArticle, RestoreRevision, SaveArticle, ScheduleArticle, SetArticleStatus, article_categories, article_history,
        article_list, broken_article_links, compare_revisions, edit_article, import_articles, preview_article_body,
        upload_article_image,
    },
    error::AppError,
    model::{ArticleFields, ArticleListItem, ArticleStatus, Audience, Choice, DiffLine, EditableArticle, ImportReport},
    ui::{
        format::short_datetime,
        forms::{FormError, ServerCall, action_error, server_call, settled},
        status::{ErrorPanel, ListSkeleton},
    },
};
use chrono::{Local, NaiveDateTime, TimeZone, Utc};
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::{
    NavigateOptions,
    hooks::{use_navigate, use_params_map, use_query_map},
};
use std::time::Duration;

/// How long typing pauses before the preview follows it.
const PREVIEW_AFTER: Duration = Duration::from_millis(250);

impl ArticleStatus {
    fn badge(self) -> impl IntoView {
        let (class, text) = match self {
            Self::Draft => ("badge badge--quiet", "Draft"),
            Self::InReview => ("badge badge--pending", "In review"),
            Self::Published => ("badge badge--solved", "Published"),
            Self::Archived => ("badge badge--closed", "Archived"),
        };
        view! { <span class=class>{text}</span> }
    }
}

impl Audience {
    fn label(self) -> &'static str {
        match self {
            Self::Public => "Everyone",
            Self::Customers => "Signed-in customers",
            Self::Internal => "Staff only",
        }
    }
}

#[component]
pub fn ArticlesAdmin() -> impl IntoView {
    view! {
        <Title text="Articles" />
        <AdminFrame section=AdminSection::Articles page=|_| view! { <ArticleList /> } />
    }
}

#[component]
fn ArticleList() -> impl IntoView {
    let query = use_query_map();
    let status = move || query.read().get("status").and_then(|status| status.parse::<ArticleStatus>().ok());
    // Bumped by an import, so the list shows what it brought.
    let imported = RwSignal::new(0usize);
    let last_import = RwSignal::new(None::<Result<ImportReport, String>>);
    let articles = Resource::new(move || (status(), imported.get()), |(status, _)| article_list(status));
    let tab = move |value: Option<ArticleStatus>, label: &'static str| {
        let href = value.map_or("/admin/articles".to_owned(), |value| format!("/admin/articles?status={value}"));
        view! { <a href=href aria-current=move || (status() == value).then_some("page")>{label}</a> }
    };
    view! {
        <p class="page__lead">
            "One article answers on every channel: the help center, email, chat and SMS. Drafts and articles "
            "in review are seen by editors only; staff-only articles never reach customers."
        </p>
        <div class="articles__toolbar">
            <nav class="admin__nav admin__nav--sub" aria-label="Articles by status">
                {tab(None, "All")}
                {tab(Some(ArticleStatus::Draft), "Drafts")}
                {tab(Some(ArticleStatus::InReview), "In review")}
                {tab(Some(ArticleStatus::Published), "Published")}
                {tab(Some(ArticleStatus::Archived), "Archived")}
            </nav>
            <div class="editor__actions">
                <a class="button" href="/admin/knowledge-base.zip" download>"Export all"</a>
                <ArticleImport last=last_import done=Callback::new(move |_| imported.update(|count| *count += 1)) />
                <a class="button button--primary" href="/admin/articles/new">"New article"</a>
            </div>
        </div>
        <ImportNote last=last_import />
        <BrokenLinks version=imported />
        <section class="card" aria-label="Articles">
            <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
                {move || Suspend::new(async move {
                    match articles.await {
                        Ok(list) if list.is_empty() => view! { <p class="panel__empty">"No articles here yet."</p> }.into_any(),
                        Ok(list) => view! {
                            <table class="table">
                                <thead>
                                    <tr>
                                        <th scope="col">"Title"</th>
                                        <th scope="col">"Status"</th>
                                        <th scope="col">"Readers"</th>
                                        <th scope="col">"Updated"</th>
                                    </tr>
                                </thead>
                                <tbody>{list.into_iter().map(article_row).collect_view()}</tbody>
                            </table>
                        }
                        .into_any(),
                        Err(error) => view! { <ErrorPanel error /> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

fn article_row(article: ArticleListItem) -> impl IntoView {
    view! {
        <tr>
            <td>
                <a class="admin__name" href=format!("/admin/articles/{}", article.id)>{article.title}</a>
                <p class="admin__email">{article.category}</p>
            </td>
            <td>
                {article.status.badge()}
                {article.publish_at.map(|at| view! { <p class="admin__email">{format!("Publishes {}", short_datetime(at))}</p> })}
            </td>
            <td>{article.audience.label()}</td>
            <td>{short_datetime(article.updated_at)}</td>
        </tr>
    }
}

#[component]
pub fn ArticleEditorPage() -> impl IntoView {
    view! {
        <Title text="Edit article" />
        <AdminFrame section=AdminSection::Articles page=|_| view! { <EditorLoader /> } />
    }
}

/// Loads the categories and, unless it is new, the article; then the editor.
#[component]
fn EditorLoader() -> impl IntoView {
    let params = use_params_map();
    // "new", or an article's id.
    let id = move || params.read().get("id").and_then(|id| id.parse::<i64>().ok());
    let loaded = Resource::new(id, |id| async move {
        let categories = article_categories().await?;
        let article = match id {
            Some(id) => Some(edit_article(id).await?),
            None => None,
        };
        Ok::<_, AppError>((categories, article))
    });
    view! {
        <Transition fallback=|| view! { <ListSkeleton rows=8 /> }>
            {move || Suspend::new(async move {
                match loaded.await {
                    Ok((categories, article)) => view! { <Editor categories article /> }.into_any(),
                    Err(error) => view! { <ErrorPanel error /> }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the editor is writing, field by field; tags stay text until saved.
#[derive(Clone, Copy)]
struct Draft {
    fields: RwSignal<ArticleFields>,
    tags: RwSignal<String>,
}

impl Draft {
    fn new(fields: ArticleFields) -> Self {
        let tags = fields.tags.join(", ");
        Self { fields: RwSignal::new(fields), tags: RwSignal::new(tags) }
    }

    fn load(self, fields: ArticleFields) {
        self.tags.set(fields.tags.join(", "));
        self.fields.set(fields);
    }

    fn to_fields(self) -> ArticleFields {
        let tags = self.tags.get_untracked().split(',').map(|tag| tag.trim().to_owned()).filter(|tag| !tag.is_empty()).collect();
        ArticleFields { tags, ..self.fields.get_untracked() }
    }
}

#[component]
fn Editor(categories: Vec<Choice>, article: Option<EditableArticle>) -> impl IntoView {
    let first_category = categories.first().map_or(0, |category| category.id);
    let draft = Draft::new(article.as_ref().map(|article| article.fields.clone()).unwrap_or(ArticleFields {
        title: String::new(),
        summary: String::new(),
        body_markdown: String::new(),
        category_id: first_category,
        tags: Vec::new(),
        audience: Audience::Public,
    }));
    // The article as last saved: its version is what the next save must name.
    let saved = RwSignal::new(article);
    let create = server_call::<CreateArticle>();
    let save = server_call::<SaveArticle>();
    let status = server_call::<SetArticleStatus>();
    let schedule = server_call::<ScheduleArticle>();
    let restore = server_call::<RestoreRevision>();
    let conflict = RwSignal::new(None::<Vec<DiffLine>>);
    let navigate = use_navigate();
    Effect::new(move |_| {
        if let Some(Ok(created)) = create.value().get() {
            navigate(&format!("/admin/articles/{}", created.id), NavigateOptions { replace: true, ..Default::default() });
        }
    });
    // Each action's answer is the article as it now stands; one effect per action, so an
    // older answer never replaces a newer one.
    for value in [save.value(), status.value(), schedule.value()] {
        Effect::new(move |_| {
            if let Some(Ok(article)) = value.get() {
                conflict.set(None);
                saved.set(Some(article));
            }
        });
    }
    Effect::new(move |_| {
        if let Some(Ok(article)) = restore.value().get() {
            draft.load(article.fields.clone());
            saved.set(Some(article));
        }
    });
    // A refused save shows what the colleague changed since this editor's version.
    Effect::new(move |_| {
        if let (Some(Err(AppError::Conflict(_))), Some(article)) = (save.value().get(), saved.get_untracked()) {
            leptos::task::spawn_local(async move {
                if let Ok(history) = article_history(article.id).await {
                    let base = history.iter().find(|revision| revision.version == article.version);
                    if let (Some(base), Some(latest)) = (base, history.first()) {
                        if let Ok(lines) = compare_revisions(article.id, base.id, latest.id).await {
                            conflict.set(Some(lines));
                        }
                    }
                }
            });
        }
    });
    let submit = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let fields = draft.to_fields();
        match saved.get_untracked() {
            Some(article) => {
                save.dispatch(SaveArticle { article_id: article.id, base_version: article.version, fields });
            }
            None => {
                create.dispatch(CreateArticle { fields });
            }
        }
    };
    let error = Signal::derive(move || {
        [action_error(create), action_error(save), action_error(status), action_error(schedule), action_error(restore)]
            .into_iter()
            .find_map(|error| error.get())
    });
    let fields = draft.fields;
    let audiences = Audience::ALL.iter().map(|audience| (audience.as_str().to_owned(), audience.label().to_owned())).collect();
    let category_options = categories.into_iter().map(|category| (category.id.to_string(), category.name)).collect();
    let form = view! {
        <form class="form editor__form" on:submit=submit aria-label="Article">
            <div class="field">
                <label for="article-title">"Title"</label>
                <input
                    id="article-title"
                    type="text"
                    required
                    maxlength="200"
                    autocomplete="off"
                    prop:value=move || fields.read().title.clone()
                    on:input=move |event| fields.update(|fields| fields.title = event_target_value(&event))
                />
            </div>
            <div class="field">
                <label for="article-summary">"Summary"</label>
                <input
                    id="article-summary"
                    type="text"
                    maxlength="300"
                    autocomplete="off"
                    aria-describedby="article-summary-hint"
                    prop:value=move || fields.read().summary.clone()
                    on:input=move |event| fields.update(|fields| fields.summary = event_target_value(&event))
                />
                <p id="article-summary-hint" class="field__hint">"One sentence: chat and SMS answers send this with a link."</p>
            </div>
            <div class="field-row">
                <ChoiceField
                    id="article-category"
                    label="Category"
                    options=category_options
                    value=Signal::derive(move || fields.read().category_id.to_string())
                    set=move |value| fields.update(|fields| fields.category_id = value.parse().unwrap_or_default())
                />
                <ChoiceField
                    id="article-audience"
                    label="Who can read it"
                    options=audiences
                    value=Signal::derive(move || fields.read().audience.as_str().to_owned())
                    set=move |value| fields.update(|fields| fields.audience = value.parse().unwrap_or(Audience::Public))
                />
            </div>
            <div class="field">
                <label for="article-tags">"Tags"</label>
                <input
                    id="article-tags"
                    type="text"
                    placeholder="billing, invoices"
                    autocomplete="off"
                    prop:value=move || draft.tags.get()
                    on:input=move |event| draft.tags.set(event_target_value(&event))
                />
            </div>
            <div class="field">
                <label for="article-body">"Body (Markdown)"</label>
                <textarea
                    id="article-body"
                    class="editor__body"
                    rows="18"
                    required
                    spellcheck="true"
                    prop:value=move || fields.read().body_markdown.clone()
                    on:input=move |event| fields.update(|fields| fields.body_markdown = event_target_value(&event))
                ></textarea>
            </div>
            <ImageUpload on_uploaded=Callback::new(move |markdown: String| {
                fields.update(|fields| {
                    let body = &mut fields.body_markdown;
                    if !body.is_empty() && !body.ends_with('\n') {
                        body.push('\n');
                    }
                    body.push_str(&markdown);
                });
            }) />
            <FormError message=error />
            {move || conflict.get().map(|lines| view! { <Diff lines title="What changed since you opened it" /> })}
            <div class="editor__actions">
                <button class="button button--primary" type="submit" disabled=move || save.pending().get() || create.pending().get()>
                    {move || match (saved.read().is_some(), save.pending().get() || create.pending().get()) {
                        (_, true) => "Saving…",
                        (true, false) => "Save",
                        (false, false) => "Save draft",
                    }}
                </button>
                {move || saved.get().map(|article| view! { <SavedNote article /> })}
            </div>
        </form>
    }
    .into_any();
    view! {
        <nav class="breadcrumb" aria-label="Breadcrumb">
            <ol>
                <li><a href="/admin/articles">"Articles"</a></li>
                <li aria-current="page">{move || saved.read().as_ref().map_or("New article".to_owned(), |article| article.fields.title.clone())}</li>
            </ol>
        </nav>
        <div class="editor">
            <div class="editor__write">
                {form}
                {move || saved.get().map(|article| view! { <Workflow article status schedule /> })}
            </div>
            <Preview fields />
        </div>
        {move || saved.get().map(|article| view! { <History article restore /> })}
    }
    .into_any()
}

/// The article as readers will see it. The server renders the body with the code that renders
/// it on save, once typing pauses; the last preview stays until the next one arrives.
#[component]
fn Preview(fields: RwSignal<ArticleFields>) -> impl IntoView {
    let body = settled(fields.read_untracked().body_markdown.clone(), move || fields.read().body_markdown.clone(), PREVIEW_AFTER);
    let body_html = Resource::new(
        move || body.get(),
        |body| async move {
            match body.trim().is_empty() {
                true => Ok(String::new()),
                false => preview_article_body(body).await,
            }
        },
    );
    view! {
        <section class="editor__preview card" aria-labelledby="preview-heading">
            <h2 id="preview-heading" class="panel__title">"Preview"</h2>
            <h1 class="article__title">{move || fields.read().title.clone()}</h1>
            <p class="article__summary">{move || fields.read().summary.clone()}</p>
            <Transition fallback=|| ()>
                {move || Suspend::new(async move {
                    match body_html.await {
                        Ok(html) => view! { <div class="prose" inner_html=html></div> }.into_any(),
                        Err(error) => view! { <p class="form__error" role="alert">{error.to_string()}</p> }.into_any(),
                    }
                })}
            </Transition>
        </section>
    }
}

#[component]
fn SavedNote(article: EditableArticle) -> impl IntoView {
    view! {
        <p class="editor__saved" role="status">
            {article.status.badge()}
            {format!(" Version {} · saved {}", article.version, short_datetime(article.updated_at))}
            {(article.status == ArticleStatus::Published).then(|| view! {
                " · " <a href=format!("/articles/{}", article.slug)>"View in the help center"</a>
            })}
        </p>
    }
}

/// Moving the article along: review, publish (now or at a time), archive.
#[component]
fn Workflow(article: EditableArticle, status: ServerCall<SetArticleStatus>, schedule: ServerCall<ScheduleArticle>) -> impl IntoView {
    use ArticleStatus::*;
    let id = article.id;
    let moves: &[(ArticleStatus, &str)] = match article.status {
        Draft => &[(InReview, "Submit for review"), (Published, "Publish now")],
        InReview => &[(Published, "Publish now"), (Draft, "Back to draft")],
        Published => &[(Archived, "Archive"), (Draft, "Unpublish")],
        Archived => &[(Published, "Publish again"), (Draft, "Back to draft")],
    };
    let when = RwSignal::new(String::new());
    let schedulable = matches!(article.status, Draft | InReview);
    let plan = move |event: leptos::ev::SubmitEvent| {
        event.prevent_default();
        let at = NaiveDateTime::parse_from_str(&when.get_untracked(), "%Y-%m-%dT%H:%M")
            .ok()
            .and_then(|local| Local.from_local_datetime(&local).single())
            .map(|local| local.with_timezone(&Utc));
        if at.is_some() {
            schedule.dispatch(ScheduleArticle { article_id: id, at });
        }
    };
    view! {
        <section class="card editor__workflow" aria-labelledby="workflow-heading">
            <h2 id="workflow-heading" class="panel__title">"Publishing"</h2>
            <div class="editor__moves">
                {moves
                    .iter()
                    .map(|&(to, label)| view! {
                        <button
                            class=if to == Published { "button button--primary" } else { "button" }
                            type="button"
                            on:click=move |_| {
                                status.dispatch(SetArticleStatus { article_id: id, status: to });
                            }
                        >
                            {label}
                        </button>
                    })
                    .collect_view()}
            </div>
            {match (article.publish_at, schedulable) {
                (Some(at), _) => view! {
                    <p class="editor__saved">
                        {format!("Publishes by itself {}.", short_datetime(at))}
                        " "
                        <button class="button button--quiet" type="button" on:click=move |_| {
                            schedule.dispatch(ScheduleArticle { article_id: id, at: None });
                        }>"Cancel schedule"</button>
                    </p>
                }
                .into_any(),
                (None, true) => view! {
                    <form class="editor__schedule" on:submit=plan>
                        <label for="publish-at">"Or publish at"</label>
                        <input id="publish-at" type="datetime-local" required on:input=move |event| when.set(event_target_value(&event)) />
                        <button class="button" type="submit">"Schedule"</button>
                    </form>
                }
                .into_any(),
                (None, false) => ().into_any(),
            }}
        </section>
    }
}

/// Every saved version: compare any two, or one with the latest, or bring one back as a new
/// version.
#[component]
fn History(article: EditableArticle, restore: ServerCall<RestoreRevision>) -> impl IntoView {
    let (id, version) = (article.id, article.version);
    let history = Resource::new(move || version, move |_| article_history(id));
    let shown = RwSignal::new(None::<(String, Vec<DiffLine>)>);
    let show = move |from: i64, to: i64, title: String| {
        leptos::task::spawn_local(async move {
            if let Ok(lines) = compare_revisions(id, from, to).await {
                shown.set(Some((title, lines)));
            }
        });
    };
    view! {
        <section class="card editor__history" aria-labelledby="history-heading">
            <h2 id="history-heading" class="panel__title">"History"</h2>
            <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                {move || Suspend::new(async move {
                    let Ok(revisions) = history.await else { return ().into_any() };
                    let latest = revisions.first().map(|revision| revision.id);
                    let versions: Vec<(String, String)> =
                        revisions.iter().map(|revision| (revision.id.to_string(), format!("Version {}", revision.version))).collect();
                    let from = RwSignal::new(versions.get(1).map(|(id, _)| id.clone()).unwrap_or_default());
                    let to = RwSignal::new(versions.first().map(|(id, _)| id.clone()).unwrap_or_default());
                    let name_of = {
                        let versions = versions.clone();
                        move |id: &str| versions.iter().find(|(option, _)| option == id).map(|(_, name)| name.clone()).unwrap_or_default()
                    };
                    let compare_pair = move |_| {
                        let (from, to) = (from.get_untracked(), to.get_untracked());
                        if let (Ok(first), Ok(second)) = (from.parse(), to.parse()) {
                            show(first, second, format!("{} → {}", name_of(&from), name_of(&to)));
                        }
                    };
                    view! {
                        {(versions.len() > 1).then(|| view! {
                            <div class="history__compare">
                                <ChoiceField id="compare-from" label="Compare" options=versions.clone() value=from.into() set=move |value| from.set(value) />
                                <ChoiceField id="compare-to" label="with" options=versions value=to.into() set=move |value| to.set(value) />
                                <button class="button" type="button" on:click=compare_pair>"Show changes"</button>
                            </div>
                        })}
                        <ol class="integration-list">
                            {revisions
                                .into_iter()
                                .map(|revision| {
                                    let older = Some(revision.id) != latest;
                                    let compare = move |_| {
                                        if let Some(latest) = latest {
                                            show(revision.id, latest, format!("Version {} → latest", revision.version));
                                        }
                                    };
                                    view! {
                                        <li class="integration">
                                            <div class="integration__main">
                                                <p class="integration__name">{format!("Version {}: {}", revision.version, revision.title)}</p>
                                                <p class="integration__state">
                                                    {format!("{} · {}", revision.author_name.unwrap_or_else(|| "Imported".into()), short_datetime(revision.created_at))}
                                                </p>
                                            </div>
                                            {older.then(|| view! {
                                                <div class="macro-list__actions">
                                                    <button class="button button--quiet" type="button" on:click=compare>"Compare"</button>
                                                    <button class="button button--quiet" type="button" on:click=move |_| {
                                                        restore.dispatch(RestoreRevision { article_id: id, revision_id: revision.id, base_version: version });
                                                    }>"Restore"</button>
                                                </div>
                                            })}
                                        </li>
                                    }
                                })
                                .collect_view()}
                        </ol>
                    }
                    .into_any()
                })}
            </Transition>
            {move || shown.get().map(|(title, lines)| view! { <Diff lines title /> })}
        </section>
    }
}

/// A diff read like a review: removed lines struck in red, added ones in green.
#[component]
fn Diff(lines: Vec<DiffLine>, #[prop(into)] title: String) -> impl IntoView {
    view! {
        <figure class="diff">
            <figcaption>{title}</figcaption>
            <pre>
                {lines
                    .into_iter()
                    .map(|line| match line {
                        DiffLine::Same(text) => view! { <span class="diff__same">{format!("  {text}\n")}</span> }.into_any(),
                        DiffLine::Added(text) => view! { <ins class="diff__added">{format!("+ {text}\n")}</ins> }.into_any(),
                        DiffLine::Removed(text) => view! { <del class="diff__removed">{format!("- {text}\n")}</del> }.into_any(),
                    })
                    .collect_view()}
            </pre>
        </figure>
    }
}

/// Imports a zip of articles (the export's format): picked, sent, and its outcome in `last`.
#[component]
fn ArticleImport(last: RwSignal<Option<Result<ImportReport, String>>>, done: Callback<()>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let picked = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        let Ok(form) = web_sys::FormData::new() else { return };
        if form.append_with_blob_and_filename("file", &file, &file.name()).is_err() {
            return;
        }
        input.set_value("");
        busy.set(true);
        leptos::task::spawn_local(async move {
            let outcome = import_articles(form.into()).await.map_err(|error| error.to_string());
            busy.set(false);
            last.set(Some(outcome));
            done.run(());
        });
    };
    view! {
        <label class="button" for="import-articles" aria-busy=move || busy.get().to_string()>
            {move || if busy.get() { "Importing…" } else { "Import" }}
        </label>
        <input id="import-articles" class="visually-hidden" type="file" accept=".zip,application/zip" on:change=picked />
    }
}

/// What the last import did: counts, and each file it could not read with the reason.
#[component]
fn ImportNote(last: RwSignal<Option<Result<ImportReport, String>>>) -> impl IntoView {
    move || {
        let outcome = last.get()?;
        Some(match outcome {
            Err(message) => view! { <p class="form__error" role="alert">{message}</p> }.into_any(),
            Ok(report) => view! {
                <div class="form__success import-note" role="status">
                    <p>
                        {format!(
                            "Imported: {} new, {} updated, {} unchanged.",
                            report.created.len(),
                            report.updated.len(),
                            report.unchanged.len()
                        )}
                        {match report.categories.len() {
                            0 => String::new(),
                            1 => " 1 category added.".to_owned(),
                            added => format!(" {added} categories added."),
                        }}
                    </p>
                    {(!report.refused.is_empty()).then(|| view! {
                        <ul>
                            {report
                                .refused
                                .into_iter()
                                .map(|(file, reason)| view! { <li>{format!("{file}: {reason}")}</li> })
                                .collect_view()}
                        </ul>
                    })}
                </div>
            }
            .into_any(),
        })
    }
}

/// Links between articles that readers cannot follow, each with the article to fix.
#[component]
fn BrokenLinks(version: RwSignal<usize>) -> impl IntoView {
    let broken = Resource::new(move || version.get(), |_| broken_article_links());
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let links = broken.await.unwrap_or_default();
                (!links.is_empty()).then(|| view! {
                    <section class="card broken-links" aria-labelledby="broken-heading">
                        <h2 id="broken-heading" class="panel__title">{format!("Broken links ({})", links.len())}</h2>
                        <ul class="integration-list">
                            {links
                                .into_iter()
                                .map(|link| view! {
                                    <li class="integration">
                                        <div class="integration__main">
                                            <a class="integration__name" href=format!("/admin/articles/{}", link.article_id)>{link.article_title}</a>
                                            <p class="integration__state">
                                                <code>{link.target}</code> {format!(": {}", link.reason)}
                                            </p>
                                        </div>
                                    </li>
                                })
                                .collect_view()}
                        </ul>
                    </section>
                })
            })}
        </Transition>
    }
}

/// Uploads an image and hands back the markdown that shows it, to add to the body.
#[component]
fn ImageUpload(on_uploaded: Callback<String>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let refused = RwSignal::new(None::<String>);
    let picked = move |event: leptos::ev::Event| {
        let input = event_target::<web_sys::HtmlInputElement>(&event);
        let Some(file) = input.files().and_then(|files| files.get(0)) else { return };
        let Ok(form) = web_sys::FormData::new() else { return };
        let name = file.name();
        if form.append_with_blob_and_filename("file", &file, &name).is_err() {
            return;
        }
        input.set_value("");
        busy.set(true);
        leptos::task::spawn_local(async move {
            match upload_article_image(form.into()).await {
                Ok(url) => {
                    refused.set(None);
                    on_uploaded.run(format!("\n![{}]({url})\n", name.rsplit_once('.').map_or(name.as_str(), |(stem, _)| stem)));
                }
                Err(error) => refused.set(Some(error.to_string())),
            }
            busy.set(false);
        });
    };
    view! {
        <div class="editor__actions">
            <label class="button button--quiet" for="article-image" aria-busy=move || busy.get().to_string()>
                {move || if busy.get() { "Uploading…" } else { "Add an image" }}
            </label>
            <input
                id="article-image"
                class="visually-hidden"
                type="file"
                accept="image/png,image/jpeg,image/gif,image/webp"
                on:change=picked
            />
            <span class="field__hint">"PNG, JPEG, GIF or WebP, up to 5 MB; added at the end of the body."</span>
        </div>
        {move || refused.get().map(|message| view! { <p class="form__error" role="alert">{message}</p> })}
    }
}
