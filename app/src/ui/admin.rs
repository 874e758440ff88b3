//! Admin tools, for administrators only: who works here and in which role, the teams they
//! work in, the macros agents answer with, the knowledge base's articles, and the channels and API keys that bring messages in.

mod articles;
mod categories;
mod channels;
mod insights;
mod macros;
mod teams;

pub use articles::{ArticleEditorPage, ArticlesAdmin};
pub use categories::CategoriesAdmin;
pub use insights::InsightsAdmin;
pub use channels::ChannelsAdmin;
pub use macros::MacrosAdmin;
pub use teams::TeamsAdmin;

use super::{
    account::Protected,
    format::long_date,
    forms::{Field, FormError, ServerCall, ServerForm, SubmitButton, action_error, server_call},
    status::{ErrorPanel, ListSkeleton},
};
use crate::{
    api::admin::{AllowArticleEditing, ChangeStaffRole, InviteStaff, staff_list},
    model::{CurrentUser, Role, StaffMember},
};
use leptos::prelude::*;
use leptos_meta::Title;

/// The admin areas, in the order of the admin navigation.
#[derive(Clone, Copy, PartialEq, Eq)]
enum AdminSection {
    Staff,
    Teams,
    Macros,
    Articles,
    Categories,
    Insights,
    Channels,
}

impl AdminSection {
    const ALL: [Self; 7] =
        [Self::Staff, Self::Teams, Self::Macros, Self::Articles, Self::Categories, Self::Insights, Self::Channels];

    fn path(self) -> &'static str {
        match self {
            Self::Staff => "/admin",
            Self::Teams => "/admin/teams",
            Self::Macros => "/admin/macros",
            Self::Articles => "/admin/articles",
            Self::Categories => "/admin/categories",
            Self::Insights => "/admin/insights",
            Self::Channels => "/admin/channels",
        }
    }

    /// The knowledge base is written by admins and by the staff an admin lets (the server
    /// checks again); the rest is for admins.
    fn open_to(self) -> fn(&CurrentUser) -> bool {
        match self {
            Self::Articles | Self::Categories | Self::Insights => |user| user.edits_articles,
            _ => |user| user.role == Role::Admin,
        }
    }

    fn label(self) -> &'static str {
        match self {
            Self::Staff => "Staff & roles",
            Self::Teams => "Teams",
            Self::Macros => "Macros",
            Self::Articles => "Articles",
            Self::Categories => "Categories",
            Self::Insights => "Insights",
            Self::Channels => "Channels & API",
        }
    }
}

/// Every admin page: signed in as an admin, the title and the navigation between areas.
#[component]
fn AdminFrame<F, V>(section: AdminSection, page: F) -> impl IntoView
where
    F: Fn(CurrentUser) -> V + Send + Sync + Copy + 'static,
    V: IntoView + 'static,
{
    view! {
        <Protected
            here=section.path()
            allowed=section.open_to()
            page=move |admin| view! {
                <div class="page admin">
                    <h1 class="page__title">"Admin"</h1>
                    <nav class="admin__nav" aria-label="Admin areas">
                        {AdminSection::ALL
                            .into_iter()
                            .filter(|area| area.open_to()(&admin))
                            // A plain link (the router still handles it): `<A>` would also mark
                            // "/admin" current on every page below it.
                            .map(|area| view! {
                                <a href=area.path() aria-current=(area == section).then_some("page")>{area.label()}</a>
                            })
                            .collect_view()}
                    </nav>
                    {page(admin)}
                </div>
            }
        />
    }
}

#[component]
pub fn AdminHome() -> impl IntoView {
    view! {
        <Title text="Admin" />
        <AdminFrame section=AdminSection::Staff page=|admin| view! { <StaffAdmin me=admin.id /> } />
    }
}

#[component]
fn StaffAdmin(me: i64) -> impl IntoView {
    let invite = server_call::<InviteStaff>();
    let change_role = server_call::<ChangeStaffRole>();
    let allow_editing = server_call::<AllowArticleEditing>();
    let staff = Resource::new(
        move || (invite.version().get(), change_role.version().get(), allow_editing.version().get()),
        |_| staff_list(),
    );
    let invited = move || match invite.value().get() {
        Some(Ok(member)) => Some(format!("Invitation sent to {}.", member.email)),
        _ => None,
    };

    view! {
        <p class="page__lead">
            "Invite staff and set their roles. Agents work the inbox, supervisors also see the "
            "dashboards, admins manage settings and articles. A role change signs that person "
            "out everywhere, so it applies at once."
        </p>
        <div class="admin__grid">
            <section class="card admin__invite" aria-labelledby="invite-heading">
                <h2 id="invite-heading" class="section__title">"Invite a staff member"</h2>
                <ServerForm action=invite class="form">
                    <Field id="display_name" label="Name" kind="text" autocomplete="off" />
                    <Field id="email" label="Work email" kind="email" autocomplete="off" />
                    <div class="field">
                        <label for="invite-role">"Role"</label>
                        <RoleSelect id="invite-role" current=Role::Agent />
                    </div>
                    <FormError message=action_error(invite) />
                    {move || invited().map(|note| view! { <p class="form__success" role="status">{note}</p> })}
                    <SubmitButton pending=invite.pending() label="Send invitation" busy="Sending…" />
                </ServerForm>
            </section>
            <section class="card admin__staff" aria-labelledby="staff-heading">
                <h2 id="staff-heading" class="section__title">"Staff"</h2>
                <FormError message=action_error(change_role) />
                <FormError message=action_error(allow_editing) />
                <Transition fallback=|| view! { <ListSkeleton rows=4 /> }>
                    {move || Suspend::new(async move {
                        match staff.await {
                            Ok(members) => view! {
                                <table class="table">
                                    <thead>
                                        <tr>
                                            <th scope="col">"Name"</th>
                                            <th scope="col">"Role"</th>
                                            <th scope="col">"Articles"</th>
                                            <th scope="col">"Since"</th>
                                        </tr>
                                    </thead>
                                    <tbody>
                                        {members
                                            .into_iter()
                                            .map(|member| staff_row(member, me, change_role, allow_editing))
                                            .collect_view()}
                                    </tbody>
                                </table>
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

/// The role picker; its value is the role's stored name, which the server function parses.
#[component]
fn RoleSelect(#[prop(into)] id: String, current: Role) -> impl IntoView {
    view! {
        <select id=id name="role">
            {Role::STAFF
                .iter()
                .map(|role| view! {
                    <option value=role.as_str() selected=*role == current>{role.label()}</option>
                })
                .collect_view()}
        </select>
    }
}

fn staff_row(
    member: StaffMember,
    me: i64,
    change_role: ServerCall<ChangeStaffRole>,
    allow_editing: ServerCall<AllowArticleEditing>,
) -> impl IntoView {
    let user_id = member.id;
    let writes = member.edits_articles;
    let editing_cell = match member.role {
        Role::Admin => view! { <span class="admin__email">"Always"</span> }.into_any(),
        _ => view! {
            <label class="scopes__option">
                <input
                    type="checkbox"
                    checked=writes
                    on:change=move |_| {
                        allow_editing.dispatch(AllowArticleEditing { user_id, allowed: !writes });
                    }
                />
                <span>"Writes articles"</span>
            </label>
        }
        .into_any(),
    };
    let select_id = format!("role-{}", member.id);
    let select_label = format!("Role of {}", member.display_name);
    let role_cell = if member.id == me {
        view! { {member.role.label()} <span class="admin__you">" (you)"</span> }.into_any()
    } else {
        view! {
            <ServerForm action=change_role class="admin__role-form">
                <input type="hidden" name="user_id" value=member.id />
                <label class="visually-hidden" for=select_id.clone()>
                    {select_label}
                </label>
                <RoleSelect id=select_id current=member.role />
                <button class="button button--quiet" type="submit">"Change"</button>
            </ServerForm>
        }
        .into_any()
    };
    view! {
        <tr>
            <td>
                <p class="admin__name">{member.display_name}</p>
                <p class="admin__email">{member.email}</p>
                {member.invitation_pending.then(|| view! { <span class="badge badge--pending">"Invited"</span> })}
            </td>
            <td>{role_cell}</td>
            <td>{editing_cell}</td>
            <td>{long_date(member.created_at)}</td>
        </tr>
    }
}
