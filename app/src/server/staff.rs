//! Teams and skills: how agents are grouped and what they are good at, which routing reads.

use super::{
    clock,
    db::{Db, with_db},
};
use crate::{error::AppError, model::Choice};

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
        let mut tx = pool.begin().await?;
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
