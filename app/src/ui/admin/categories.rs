//! The help center's topics as editors arrange them: a tree of categories, each moved up or
//! down among its siblings, renamed, put under another parent or deleted once empty.

use super::{AdminFrame, AdminSection, macros::ChoiceField};
use crate::{
    api::articles::{CreateCategory, DeleteCategory, MoveCategory, UpdateCategory, category_tree},
    model::{CategoryFields, CategoryNode, CategoryStep},
    ui::{
        forms::{FormError, ServerCall, action_error, on_each_result, server_call},
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn CategoriesAdmin() -> impl IntoView {
    view! {
        <Title text="Categories" />
        <AdminFrame section=AdminSection::Categories page=|_| view! { <CategoriesPage /> } />
    }
}

/// Every change the page can make, so one refetch follows any of them.
#[derive(Clone, Copy)]
struct CategoryActions {
    create: ServerCall<CreateCategory>,
    update: ServerCall<UpdateCategory>,
    step: ServerCall<MoveCategory>,
    delete: ServerCall<DeleteCategory>,
}

impl CategoryActions {
    fn version(self) -> usize {
        self.create.version().get() + self.update.version().get() + self.step.version().get() + self.delete.version().get()
    }

    /// What went wrong with a change to the tree itself (a move or a delete).
    fn error(self) -> Signal<Option<String>> {
        let errors = [action_error(self.step), action_error(self.delete)];
        Signal::derive(move || errors.iter().find_map(|error| error.get()))
    }
}

/// What is typed into a category form. The page holds it, not the form: the forms are drawn
/// again whenever the tree reloads (after any change, anyone's), and the typing must survive.
#[derive(Clone, Copy)]
struct Draft {
    name: RwSignal<String>,
    description: RwSignal<String>,
    parent: RwSignal<String>,
}

impl Draft {
    fn new() -> Self {
        Self { name: RwSignal::new(String::new()), description: RwSignal::new(String::new()), parent: RwSignal::new(String::new()) }
    }

    fn fill(self, fields: CategoryFields) {
        self.name.set(fields.name);
        self.description.set(fields.description);
        self.parent.set(fields.parent_id.map(|parent| parent.to_string()).unwrap_or_default());
    }

    fn fields(self) -> CategoryFields {
        CategoryFields {
            name: self.name.get_untracked(),
            description: self.description.get_untracked(),
            parent_id: self.parent.get_untracked().parse().ok(),
        }
    }
}

#[component]
fn CategoriesPage() -> impl IntoView {
    let actions = CategoryActions {
        create: server_call(),
        update: server_call(),
        step: server_call(),
        delete: server_call(),
    };
    let tree = Resource::new(move || actions.version(), |_| category_tree());
    // Which category's form is open: kept here, so it stays open while the tree reloads after
    // any change, and closed once its save succeeds.
    let editing = RwSignal::new(None::<i64>);
    let (new_draft, edit_draft) = (Draft::new(), Draft::new());
    on_each_result(actions.create, move |result| {
        if result.is_ok() {
            new_draft.fill(CategoryFields::default());
        }
    });
    on_each_result(actions.update, move |result| {
        if result.is_ok() {
            editing.set(None);
        }
    });
    view! {
        <p class="page__lead">
            "Categories are the topics customers browse in the help center, in the order shown here. "
            "Nest a category under another to make it a subtopic; its address stays the same when it moves."
        </p>
        <div class="admin__grid">
            <section class="card" aria-labelledby="new-category-heading">
                <h2 id="new-category-heading" class="section__title">"New category"</h2>
                <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                    {move || Suspend::new(async move {
                        let nodes = tree.await.unwrap_or_default();
                        view! {
                            <CategoryForm
                                id="new-category"
                                nodes
                                editing=None
                                draft=new_draft
                                submit_label="Create category"
                                action=Callback::new(move |fields| {
                                    actions.create.dispatch(CreateCategory { fields });
                                })
                                error=action_error(actions.create)
                            />
                        }
                    })}
                </Transition>
            </section>
            <section class="card" aria-labelledby="categories-heading">
                <h2 id="categories-heading" class="section__title">"Categories"</h2>
                <FormError message=actions.error() />
                <Transition fallback=|| view! { <ListSkeleton rows=6 /> }>
                    {move || Suspend::new(async move {
                        match tree.await {
                            Ok(nodes) if nodes.is_empty() => view! {
                                <p class="panel__empty">"No categories yet. Create the first topic customers will browse."</p>
                            }
                            .into_any(),
                            Ok(nodes) => view! {
                                <ul class="category-tree">
                                    {nodes.iter().map(|node| category_row(node, &nodes, actions, editing, edit_draft)).collect_view()}
                                </ul>
                            }
                            .into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn category_row(
    node: &CategoryNode,
    nodes: &[CategoryNode],
    actions: CategoryActions,
    editing: RwSignal<Option<i64>>,
    draft: Draft,
) -> impl IntoView {
    let id = node.id;
    let name = node.name.clone();
    let held = match (node.article_count, node.has_subcategories) {
        (0, false) => "Empty".to_owned(),
        (0, true) => "Subtopics only".to_owned(),
        (1, _) => "1 article".to_owned(),
        (count, _) => format!("{count} articles"),
    };
    let step = move |step| {
        actions.step.dispatch(MoveCategory { category_id: id, step });
    };
    let initial = CategoryFields { name: node.name.clone(), description: node.description.clone(), parent_id: node.parent_id };
    let open = move || editing.get() == Some(id);
    let nodes = nodes.to_vec();
    view! {
        // Indented by a class: the page's content security policy allows no inline styles.
        <li class=format!("category-tree__row category-tree__row--depth-{}", node.depth)>
            <div class="category-tree__main">
                <a class="admin__name" href=format!("/categories/{}", node.slug)>{node.name.clone()}</a>
                <p class="admin__email">{held}</p>
            </div>
            <div class="category-tree__actions">
                <button class="button button--quiet" type="button" aria-label=format!("Move {name} up") on:click=move |_| step(CategoryStep::Up)>
                    "↑"
                </button>
                <button class="button button--quiet" type="button" aria-label=format!("Move {name} down") on:click=move |_| step(CategoryStep::Down)>
                    "↓"
                </button>
                <button
                    class="button button--quiet"
                    type="button"
                    aria-label=format!("Edit {name}")
                    aria-expanded=move || open().to_string()
                    on:click=move |_| {
                        if editing.get_untracked() == Some(id) {
                            editing.set(None);
                        } else {
                            draft.fill(initial.clone());
                            editing.set(Some(id));
                        }
                    }
                >
                    "Edit"
                </button>
                <button
                    class="button button--quiet button--danger"
                    type="button"
                    aria-label=format!("Delete {name}")
                    on:click=move |_| {
                        actions.delete.dispatch(DeleteCategory { category_id: id });
                    }
                >
                    "Delete"
                </button>
            </div>
            <Show when=open>
                <div class="category-tree__edit">
                    <CategoryForm
                        id="category"
                        nodes=nodes.clone()
                        editing=Some(id)
                        draft
                        submit_label="Save"
                        action=Callback::new(move |fields| {
                            actions.update.dispatch(UpdateCategory { category_id: id, fields });
                        })
                        error=action_error(actions.update)
                    />
                </div>
            </Show>
        </li>
    }
}

/// Name, description and parent of a new category or of `editing`. Its parent can be any
/// category but itself and those below it.
#[component]
fn CategoryForm(
    id: &'static str,
    nodes: Vec<CategoryNode>,
    editing: Option<i64>,
    draft: Draft,
    submit_label: &'static str,
    action: Callback<CategoryFields>,
    error: Signal<Option<String>>,
) -> impl IntoView {
    let Draft { name, description, parent } = draft;
    let mut options = vec![(String::new(), "None (a top-level topic)".to_owned())];
    let mut below: Option<usize> = None;
    for node in &nodes {
        // Skip the category being edited and every node deeper than it that follows.
        match below {
            Some(depth) if node.depth > depth => continue,
            _ => below = None,
        }
        if Some(node.id) == editing {
            below = Some(node.depth);
            continue;
        }
        options.push((node.id.to_string(), format!("{}{}", "— ".repeat(node.depth), node.name)));
    }
    let key = editing.map_or_else(|| id.to_owned(), |editing| format!("{id}-{editing}"));
    let (name_id, description_id, parent_id) = (format!("{key}-name"), format!("{key}-description"), format!("{key}-parent"));
    view! {
        <form
            class="form"
            on:submit=move |event| {
                event.prevent_default();
                action.run(draft.fields());
            }
        >
            <div class="field">
                <label for=name_id.clone()>"Name"</label>
                <input id=name_id type="text" required maxlength="80" prop:value=name on:input=move |event| name.set(event_target_value(&event)) />
            </div>
            <div class="field">
                <label for=description_id.clone()>"Description"</label>
                <input
                    id=description_id
                    type="text"
                    maxlength="300"
                    prop:value=description
                    on:input=move |event| description.set(event_target_value(&event))
                />
            </div>
            <ChoiceField id=parent_id label="Inside" options value=parent.into() set=move |value| parent.set(value) />
            <FormError message=error />
            <button class="button button--primary" type="submit">{submit_label}</button>
        </form>
    }
}
