//! Teams and skills: how agents are grouped and what they are good at, which routing reads.

use super::{
    audit, clock,
    db::{BeginWrite, Db, with_db},
};
use crate::{
    error::AppError,
    model::{Choice, TeamOverview},
};
use serde_json::json;

pub async fn create_team(db: &Db, name: &str) -> Result<i64, AppError> {
    let name = name.trim();
    if name.is_empty() || name.chars().count() > 80 {
        return Err(AppError::invalid("A team name has 1 to 80 characters."));
    }
    let created = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>("insert into teams (name, created_at) values ($1, $2) returning id")
            .bind(name)
            .bind(clock::now())
            .fetch_one(pool)
            .await
    });
    match created {
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
            Err(AppError::Conflict(format!("A team called {name:?} already exists.")))
        }
        other => Ok(other?),
    }
}

/// Adds a staff member to a team; adding someone already in it changes nothing.
pub async fn add_to_team(db: &Db, team_id: i64, user_id: i64) -> Result<(), AppError> {
    let role = with_db!(db, |pool| {
        sqlx::query_scalar::<_, String>("select role from users where id = $1")
            .bind(user_id)
            .fetch_optional(pool)
            .await?
    })
    .ok_or(AppError::NotFound)?;
    if role == "customer" {
        return Err(AppError::invalid("Only staff can join a team."));
    }
    let added = with_db!(db, |pool| {
        sqlx::query(
            "insert into team_members (team_id, user_id) values ($1, $2)
             on conflict (team_id, user_id) do nothing",
        )
        .bind(team_id)
        .bind(user_id)
        .execute(pool)
        .await
        .map(|_| ())
    });
    match added {
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => Err(AppError::NotFound),
        other => other.map_err(AppError::from),
    }
}

/// Every team, by name.
pub async fn teams(db: &Db) -> Result<Vec<Choice>, AppError> {
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>("select id, name from teams order by name")
            .fetch_all(pool)
            .await?
    });
    Ok(rows.into_iter().map(|(id, name)| Choice { id, name }).collect())
}

/// Every team with its members, by name, for the admin's team page.
pub async fn directory(db: &Db) -> Result<Vec<TeamOverview>, AppError> {
    let (teams, members) = with_db!(db, |pool| {
        let teams = sqlx::query_as::<_, (i64, String, bool)>(
            "select id, name, restricted from teams order by name",
        )
        .fetch_all(pool)
        .await?;
        let members = sqlx::query_as::<_, (i64, i64, String)>(
            "select m.team_id, u.id, u.display_name from team_members m join users u on u.id = m.user_id
             order by u.display_name, u.id",
        )
        .fetch_all(pool)
        .await?;
        (teams, members)
    });
    Ok(teams
        .into_iter()
        .map(|(id, name, restricted)| TeamOverview {
            id,
            name,
            restricted,
            members: members
                .iter()
                .filter(|(team_id, ..)| *team_id == id)
                .map(|(_, user_id, name)| Choice {
                    id: *user_id,
                    name: name.clone(),
                })
                .collect(),
        })
        .collect())
}

/// An admin creates a team (open to every agent until restricted).
pub async fn found_team(db: &Db, admin_id: i64, name: &str) -> Result<i64, AppError> {
    let team_id = create_team(db, name).await?;
    audit::record(db, Some(admin_id), "team.create", "team", team_id, json!({ "name": name.trim() })).await?;
    Ok(team_id)
}

/// What an admin changes about a team.
#[derive(Clone, Copy, Debug)]
pub enum TeamChange {
    AddMember(i64),
    RemoveMember(i64),
    Restrict(bool),
}

/// An admin changes who is in a team, or whether its tickets are for its members only.
pub async fn change_team(
    db: &Db,
    admin_id: i64,
    team_id: i64,
    change: TeamChange,
) -> Result<(), AppError> {
    let (action, details) = match change {
        TeamChange::AddMember(user_id) => {
            add_to_team(db, team_id, user_id).await?;
            ("team.add_member", json!({ "user_id": user_id }))
        }
        TeamChange::RemoveMember(user_id) => {
            with_db!(db, |pool| {
                sqlx::query("delete from team_members where team_id = $1 and user_id = $2")
                    .bind(team_id)
                    .bind(user_id)
                    .execute(pool)
                    .await?;
            });
            ("team.remove_member", json!({ "user_id": user_id }))
        }
        TeamChange::Restrict(restricted) => {
            let changed = with_db!(db, |pool| {
                sqlx::query("update teams set restricted = $1 where id = $2")
                    .bind(restricted)
                    .bind(team_id)
                    .execute(pool)
                    .await?
                    .rows_affected()
            });
            if changed == 0 {
                return Err(AppError::NotFound);
            }
            ("team.restrict", json!({ "restricted": restricted }))
        }
    };
    audit::record(db, Some(admin_id), action, "team", team_id, details).await
}

/// The teams a user belongs to, by name.
pub async fn teams_of(db: &Db, user_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>(
            "select t.id, t.name from teams t join team_members m on m.team_id = t.id
             where m.user_id = $1 order by t.name",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await?
    }))
}

/// Sets a user's level (1 to 5) in a skill, creating the skill on first use.
pub async fn set_skill(db: &Db, user_id: i64, skill: &str, level: i32) -> Result<(), AppError> {
    let skill = skill.trim().to_lowercase();
    if skill.is_empty() || skill.chars().count() > 60 {
        return Err(AppError::invalid("A skill name has 1 to 60 characters."));
    }
    if !(1..=5).contains(&level) {
        return Err(AppError::invalid("A skill level is between 1 and 5."));
    }
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        sqlx::query("insert into skills (name) values ($1) on conflict (name) do nothing")
            .bind(&skill)
            .execute(&mut *tx)
            .await?;
        let set = sqlx::query(
            "insert into user_skills (user_id, skill_id, level)
             select $1, id, $2 from skills where name = $3
             on conflict (user_id, skill_id) do update set level = excluded.level",
        )
        .bind(user_id)
        .bind(level)
        .bind(&skill)
        .execute(&mut *tx)
        .await;
        match set {
            Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
                return Err(AppError::NotFound);
            }
            other => other?,
        };
        tx.commit().await?;
    });
    Ok(())
}

/// A user's skills with their levels, by name.
pub async fn skills_of(db: &Db, user_id: i64) -> Result<Vec<(String, i32)>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, (String, i32)>(
            "select s.name, us.level from skills s join user_skills us on us.skill_id = s.id
             where us.user_id = $1 order by s.name",
        )
        .bind(user_id)
        .fetch_all(pool)
        .await?
    }))
}
