//! Teams as admins manage them: who is in each, and which keep their tickets to their members.

use super::{AdminFrame, AdminSection};
use crate::{
    api::admin::{
        AddTeamMember, CreateTeam, RemoveTeamMember, RestrictTeam, staff_list, team_directory,
    },
    model::{StaffMember, TeamOverview},
    ui::{
        forms::{
            Field, FormError, ServerCall, ServerForm, SubmitButton, action_error, server_call,
        },
        status::{ErrorPanel, ListSkeleton},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn TeamsAdmin() -> impl IntoView {
    view! {
        <Title text="Teams" />
        <AdminFrame section=AdminSection::Teams page=|_| view! { <TeamsPage /> } />
    }
}

/// Every change the page can make, so one refetch follows any of them.
#[derive(Clone, Copy)]
struct TeamActions {
    create: ServerCall<CreateTeam>,
    add: ServerCall<AddTeamMember>,
    remove: ServerCall<RemoveTeamMember>,
    restrict: ServerCall<RestrictTeam>,
}

impl TeamActions {
    fn new() -> Self {
        Self {
            create: server_call(),
            add: server_call(),
            remove: server_call(),
            restrict: server_call(),
        }
    }

    fn version(self) -> usize {
        self.create.version().get()
            + self.add.version().get()
            + self.remove.version().get()
            + self.restrict.version().get()
    }

    /// The message of the change that failed last, if the last one failed.
    fn error(self) -> Signal<Option<String>> {
        let errors = [
            action_error(self.add),
            action_error(self.remove),
            action_error(self.restrict),
        ];
        Signal::derive(move || errors.iter().find_map(|error| error.get()))
    }
}

#[component]
fn TeamsPage() -> impl IntoView {
    let actions = TeamActions::new();
    let teams = Resource::new(move || actions.version(), |_| team_directory());
    let staff = Resource::new(|| (), |_| staff_list());
    view! {
        <p class="page__lead">
            "Group agents into teams to route and filter tickets. A restricted team's tickets are for its "
            "members: other agents see one only when it is assigned to them. Supervisors and admins see every ticket."
        </p>
        <div class="admin__grid">
            <section class="card" aria-labelledby="new-team-heading">
                <h2 id="new-team-heading" class="section__title">"New team"</h2>
                <ServerForm action=actions.create class="form">
                    <Field id="name" label="Team name" kind="text" autocomplete="off" />
                    <FormError message=action_error(actions.create) />
                    <SubmitButton pending=actions.create.pending() label="Create team" busy="Creating…" />
                </ServerForm>
            </section>
            <section class="card" aria-labelledby="teams-heading">
                <h2 id="teams-heading" class="section__title">"Teams"</h2>
                <FormError message=actions.error() />
                <Transition fallback=|| view! { <ListSkeleton rows=3 /> }>
                    {move || Suspend::new(async move {
                        let staff = staff.await.unwrap_or_default();
                        match teams.await {
                            Ok(list) if list.is_empty() => view! {
                                <p class="panel__empty">"No teams yet. Create one for each group that shares a queue, such as Billing."</p>
                            }
                            .into_any(),
                            Ok(list) => list
                                .into_iter()
                                .map(|team| team_card(team, &staff, actions))
                                .collect_view()
                                .into_any(),
                            Err(error) => view! { <ErrorPanel error /> }.into_any(),
                        }
                    })}
                </Transition>
            </section>
        </div>
    }
}

fn team_card(team: TeamOverview, staff: &[StaffMember], actions: TeamActions) -> impl IntoView {
    let TeamOverview {
        id: team_id,
        name,
        restricted,
        members,
    } = team;
    let heading_id = format!("team-{team_id}");
    let select_id = format!("team-{team_id}-new-member");
    let outside: Vec<(i64, String)> = staff
        .iter()
        .filter(|member| members.iter().all(|inside| inside.id != member.id))
        .map(|member| (member.id, member.display_name.clone()))
        .collect();
    let (toggle_label, toggle_to) = match restricted {
        true => ("Open to all agents", false),
        false => ("Restrict to members", true),
    };
    let member_list = match members.is_empty() {
        true => view! { <p class="team-card__empty">"No members yet."</p> }.into_any(),
        false => view! {
            <ul class="team-card__members">
                {members
                    .into_iter()
                    .map(|member| {
                        let label = format!("Remove {} from {name}", member.name);
                        view! {
                            <li>
                                <span>{member.name}</span>
                                <ServerForm action=actions.remove class="team-card__inline">
                                    <input type="hidden" name="team_id" value=team_id />
                                    <input type="hidden" name="user_id" value=member.id />
                                    <button class="button button--quiet" type="submit" aria-label=label>"Remove"</button>
                                </ServerForm>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        }
        .into_any(),
    };
    let add_label = format!("Add to {name}");
    let add = (!outside.is_empty()).then(move || {
        view! {
            <ServerForm action=actions.add class="team-card__add">
                <input type="hidden" name="team_id" value=team_id />
                <label class="visually-hidden" for=select_id.clone()>{add_label}</label>
                <select id=select_id name="user_id">
                    {outside
                        .into_iter()
                        .map(|(id, display_name)| view! { <option value=id>{display_name}</option> })
                        .collect_view()}
                </select>
                <button class="button" type="submit">"Add member"</button>
            </ServerForm>
        }
    });
    let labelled_by = heading_id.clone();
    view! {
        <article class="team-card" aria-labelledby=labelled_by>
            <header class="team-card__head">
                <h3 id=heading_id class="team-card__name">
                    {name}
                    {restricted.then(|| view! { <span class="badge badge--quiet">"Restricted"</span> })}
                </h3>
                <ServerForm action=actions.restrict class="team-card__inline">
                    <input type="hidden" name="team_id" value=team_id />
                    <input type="hidden" name="restricted" value=toggle_to.to_string() />
                    <button class="button button--quiet" type="submit">{toggle_label}</button>
                </ServerForm>
            </header>
            {member_list}
            {add}
        </article>
    }
}
