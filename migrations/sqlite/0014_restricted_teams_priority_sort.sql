-- A restricted team's tickets are for its members: other agents see them only when assigned
-- to them; supervisors and admins see everything.
alter table teams add column restricted boolean not null default false;

-- The inbox sorted by priority: most urgent first, the longest waiting first within a priority.
-- The rank expression is the one the inbox query orders by, so the planner reads these in order.
create index tickets_unsolved_priority on tickets (
    (case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end), last_activity_at, id
) where status not in ('solved', 'closed');
create index tickets_unsolved_assignee_priority on tickets (
    assignee_id, (case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end), last_activity_at, id
) where status not in ('solved', 'closed');
create index tickets_unsolved_team_priority on tickets (
    team_id, (case priority when 'urgent' then 0 when 'high' then 1 when 'normal' then 2 else 3 end), last_activity_at, id
) where status not in ('solved', 'closed');
