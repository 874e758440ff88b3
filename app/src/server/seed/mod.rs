//! Demo data for the run command and for load: a help center with real-looking content, one
//! login per role, customers with conversations on every channel, plus as many generated
//! articles and tickets as a benchmark asks for.

mod conversations;
mod volume;

pub use volume::INTERACTIONS_PER_TICKET;

use super::{
    db::{BeginWrite, Db, with_db},
    macros, staff,
    users::{self, NewUser},
};
use crate::{
    error::AppError,
    markdown,
    model::{MacroFields, Priority, Role, TicketStatus},
};
use chrono::{Duration, Utc};

/// The password of every demo login. Demo data only: `create-admin` never has a default.
pub const DEMO_PASSWORD: &str = "demo-password";

pub const DEMO_LOGINS: [(&str, &str, Role); 4] = [
    ("admin@northwind.test", "Morgan Admin", Role::Admin),
    ("supervisor@northwind.test", "Priya Natarajan", Role::Supervisor),
    ("agent@northwind.test", "Sam Okafor", Role::Agent),
    ("customer@northwind.test", "Ana Silva", Role::Customer),
];

/// How much to generate on top of the hand-written demo data.
#[derive(Clone, Copy, Debug, Default)]
pub struct SeedSize {
    pub extra_articles: usize,
    /// Generated tickets, each with its customer share and five timeline entries.
    pub tickets: i64,
}

#[derive(Debug, PartialEq, Eq)]
pub enum SeedOutcome {
    Seeded { articles: usize, tickets: i64 },
    AlreadySeeded,
}

/// Fills an empty database; leaves one that already has logins untouched.
pub async fn seed(db: &Db, size: SeedSize) -> Result<SeedOutcome, AppError> {
    if users::count_users(db).await? > 0 {
        return Ok(SeedOutcome::AlreadySeeded);
    }
    let mut login_ids = Vec::with_capacity(DEMO_LOGINS.len());
    for (email, display_name, role) in DEMO_LOGINS {
        let id = users::create_user(
            db,
            NewUser { email, display_name, role, password: DEMO_PASSWORD },
        )
        .await?;
        login_ids.push((role, id));
    }
    let login = |wanted| {
        login_ids.iter().find(|(role, _)| *role == wanted).map(|(_, id)| *id).ok_or(AppError::Internal)
    };
    let agent_id = login(Role::Agent)?;
    let demo_tickets = conversations::seed_conversations(db, agent_id, login(Role::Customer)?).await?;
    insert_macros(db, login(Role::Admin)?).await?;
    if size.tickets > 0 {
        volume::generate(db, size.tickets, agent_id).await?;
    }
    let category_ids = insert_categories(db).await?;
    let mut articles: Vec<NewArticle> = DEMO_ARTICLES
        .iter()
        .enumerate()
        .map(|(i, a)| NewArticle {
            category_id: category_ids[a.category],
            slug: a.slug.to_owned(),
            title: a.title.to_owned(),
            summary: a.summary.to_owned(),
            body: a.body.to_owned(),
            view_count: 1_000 - 60 * i as i64,
        })
        .collect();
    articles.extend((0..size.extra_articles).map(|n| generated_article(n, &category_ids)));
    let count = articles.len();
    insert_articles(db, articles).await?;
    insert_help_center_activity(db).await?;
    if size.tickets > 0 || size.extra_articles > 0 {
        refresh_statistics(db).await?;
    }
    Ok(SeedOutcome::Seeded { articles: count, tickets: demo_tickets + size.tickets })
}

/// The answers a support team gives every day, as macros.
async fn insert_macros(db: &Db, admin_id: i64) -> Result<(), AppError> {
    let billing = staff::teams(db).await?.into_iter().find(|team| team.name == "Billing").map(|team| team.id);
    let demo = [
        MacroFields {
            title: "Refund approved".into(),
            body: "Hi {{customer.first_name}},\n\nGood news: your refund is approved. It reaches your card within 5 business days; the reference is ticket #{{ticket.id}}.\n\nBest,\n{{agent.first_name}}".into(),
            status: Some(TicketStatus::Solved),
            add_tags: vec!["refund".into()],
            assign_to_self: true,
            team_id: billing,
            ..Default::default()
        },
        MacroFields {
            title: "Ask for a screenshot".into(),
            body: "Hi {{customer.first_name}},\n\nCould you send a screenshot of what you see? It helps us find the cause quickly.\n\nThanks,\n{{agent.first_name}}".into(),
            status: Some(TicketStatus::Pending),
            ..Default::default()
        },
        MacroFields {
            title: "Password reset steps".into(),
            body: "Hi {{customer.first_name}},\n\nChoose \"Forgot password\" on the sign-in page and follow the link we email you; it is valid for an hour. Reply here if it does not arrive.\n\n{{agent.name}}".into(),
            ..Default::default()
        },
        MacroFields {
            title: "Escalate to billing".into(),
            priority: Some(Priority::High),
            add_tags: vec!["escalated".into()],
            team_id: billing,
            ..Default::default()
        },
    ];
    for fields in &demo {
        macros::save(db, admin_id, None, fields).await?;
    }
    Ok(())
}

/// After a bulk load: planner statistics, and on PostgreSQL the full-text index's pending
/// entries merged, so the first searches use the indexes (autovacuum would, minutes later).
async fn refresh_statistics(db: &Db) -> Result<(), AppError> {
    match db {
        Db::Sqlite(pool) => {
            sqlx::query("analyze").execute(pool).await?;
        }
        Db::Postgres(pool) => {
            sqlx::query("vacuum analyze").execute(pool).await?;
        }
    }
    Ok(())
}

async fn insert_categories(db: &Db) -> Result<Vec<i64>, AppError> {
    let mut ids = Vec::with_capacity(DEMO_CATEGORIES.len());
    for (position, (slug, name, description)) in DEMO_CATEGORIES.iter().enumerate() {
        let id = with_db!(db, |pool| {
            sqlx::query_scalar::<_, i64>(
                "insert into categories (slug, name, description, position)
                 values ($1, $2, $3, $4) returning id",
            )
            .bind(slug)
            .bind(name)
            .bind(description)
            .bind(position as i32)
            .fetch_one(pool)
            .await?
        });
        ids.push(id);
    }
    Ok(ids)
}

struct NewArticle {
    category_id: i64,
    slug: String,
    title: String,
    summary: String,
    body: String,
    view_count: i64,
}

/// Multi-row inserts in one transaction: thousands of articles in a second, all or nothing.
async fn insert_articles(db: &Db, articles: Vec<NewArticle>) -> Result<(), AppError> {
    const BATCH: usize = 500;
    let now = Utc::now();
    with_db!(db, |pool| {
        let mut tx = pool.begin_write().await?;
        for (batch_no, batch) in articles.chunks(BATCH).enumerate() {
            let mut insert = sqlx::QueryBuilder::new(
                "insert into articles (category_id, slug, title, summary, body_markdown, body_text, \
                 body_html, status, view_count, created_at, updated_at) ",
            );
            insert.push_values(batch.iter().enumerate(), |mut row, (i, article)| {
                // Spread the dates so "updated" reads like a living help center.
                let updated = now - Duration::hours(((batch_no * BATCH + i) * 37 % 2_000) as i64);
                row.push_bind(article.category_id)
                    .push_bind(&article.slug)
                    .push_bind(&article.title)
                    .push_bind(&article.summary)
                    .push_bind(&article.body)
                    .push_bind(markdown::plain_text(&article.body))
                    .push_bind(markdown::render_web_html(&article.body))
                    .push_bind("published")
                    .push_bind(article.view_count)
                    .push_bind(updated - Duration::days(30))
                    .push_bind(updated);
            });
            insert.build().execute(&mut *tx).await?;
        }
        // Each article starts its history with the version it was published as.
        sqlx::query(
            "insert into article_revisions (article_id, title, summary, body_markdown, created_at)
             select id, title, summary, body_markdown, created_at from articles",
        )
        .execute(&mut *tx)
        .await?;
        tx.commit().await?;
    });
    Ok(())
}

/// What readers searched for in the last four weeks, and how many articles each search found.
const DEMO_SEARCHES: [(&str, i32); 8] = [
    ("refund", 3),
    ("track my order", 2),
    ("reset password", 1),
    ("warranty extension", 0),
    ("invoice vat number", 0),
    ("change delivery address", 1),
    ("student discount", 0),
    ("cancel subscription", 2),
];

/// Four weeks of reads and searches before today, so the content team's insight has a story
/// to tell in the demo: the first articles read most, some searches finding nothing.
async fn insert_help_center_activity(db: &Db) -> Result<(), AppError> {
    let today = Utc::now().date_naive().and_time(chrono::NaiveTime::MIN).and_utc();
    with_db!(db, |pool| {
        let article_ids =
            sqlx::query_scalar::<_, i64>("select id from articles order by view_count desc, id limit 8").fetch_all(pool).await?;
        let mut events = Vec::new();
        for day in 1..=28_i64 {
            let at = |slot: i64| today - Duration::days(day) + Duration::minutes(7 * 60 + slot * 13);
            // Quieter at weekends, and a little different every day.
            let rhythm = [4, 5, 5, 4, 3, 1, 1][(day % 7) as usize] + (day * 7) % 3;
            for (rank, article_id) in (0_i64..).zip(&article_ids) {
                // Fewer reads further down the list.
                let reads = ((8 - rank) * rhythm / 4 + (day * 3 + rank * 5) % 3).max(0);
                events.extend((0..reads).map(|n| ("article_view", Some(*article_id), None, at(rank * 10 + n))));
            }
            for (n, (query, found)) in (0_i64..).zip(DEMO_SEARCHES) {
                if (day + n) % 3 != 0 {
                    events.extend([("search", None, Some((query, found)), at(n * 7))]);
                }
            }
        }
        let mut tx = pool.begin_write().await?;
        for (batch_no, batch) in events.chunks(500).enumerate() {
            let mut insert =
                sqlx::QueryBuilder::new("insert into help_center_events (kind, visit_id, article_id, query, result_count, created_at) ");
            insert.push_values(batch.iter().enumerate(), |mut row, (i, (kind, article_id, search, at))| {
                row.push_bind(*kind)
                    .push_bind(format!("demo-visit-{}", (batch_no * 500 + i) / 3))
                    .push_bind(*article_id)
                    .push_bind(search.map(|(query, _)| query))
                    .push_bind(search.map(|(_, found)| found))
                    .push_bind(*at);
            });
            insert.build().execute(&mut *tx).await?;
        }
        tx.commit().await?;
    });
    Ok(())
}

fn generated_article(n: usize, category_ids: &[i64]) -> NewArticle {
    const TOPICS: [&str; 8] = [
        "invoices", "shipping labels", "user roles", "API tokens", "returns", "bulk import",
        "notifications", "single sign-on",
    ];
    const ACTIONS: [&str; 6] =
        ["Set up", "Troubleshoot", "Export", "Automate", "Audit", "Customize"];
    let topic = TOPICS[n % TOPICS.len()];
    let action = ACTIONS[(n / TOPICS.len()) % ACTIONS.len()];
    let title = format!("{action} {topic} (guide {n})");
    NewArticle {
        category_id: category_ids[n % category_ids.len()],
        slug: format!("guide-{n}"),
        summary: format!("How to {} {topic} in your Northwind account.", action.to_lowercase()),
        body: format!(
            "## Before you start\n\nYou need the **Manager** role to {} {topic}.\n\n\
             ## Steps\n\n1. Open **Settings**.\n2. Choose **{topic}**.\n3. Follow the prompts.\n",
            action.to_lowercase()
        ),
        title,
        view_count: (n % 500) as i64,
    }
}

const DEMO_CATEGORIES: [(&str, &str, &str); 5] = [
    ("getting-started", "Getting started", "Set up your account, your team and your first order."),
    ("orders-shipping", "Orders & shipping", "Track parcels, change delivery details and ship internationally."),
    ("billing", "Billing & invoices", "Payment methods, invoices, refunds and plan changes."),
    ("account-security", "Account & security", "Passwords, two-step verification and team access."),
    ("integrations", "Integrations & API", "Connect Northwind to your store, ERP and tools."),
];

struct DemoArticle {
    category: usize,
    slug: &'static str,
    title: &'static str,
    summary: &'static str,
    body: &'static str,
}

const DEMO_ARTICLES: [DemoArticle; 10] = [
    DemoArticle {
        category: 3,
        slug: "reset-your-password",
        title: "Reset your password",
        summary: "Get back into your account when you have forgotten your password.",
        body: "If you can't sign in, you can choose a new password in under a minute.\n\n\
## Steps\n\n1. On the sign-in page, select **Forgot password?**\n2. Enter the email address you use \
for Northwind.\n3. Open the email we send you and select **Choose a new password**. The link works \
once and expires after 30 minutes.\n4. Enter your new password twice and save.\n\n\
## Didn't get the email?\n\n- Check your spam or junk folder.\n- Make sure you typed the address \
you signed up with.\n- Wait five minutes, then request a new link: only the newest link works.\n\n\
If none of this helps, contact us and mention that you tried a reset: we will verify your identity \
and help you in.",
    },
    DemoArticle {
        category: 1,
        slug: "track-your-order",
        title: "Track your order",
        summary: "See where your parcel is and when it will arrive.",
        body: "Every order gets a tracking number as soon as it leaves our warehouse.\n\n\
## Where to find it\n\n- In the **shipping confirmation** email, under *Track your parcel*.\n\
- In **My orders**: open the order and select **Track**.\n\n\
## What the statuses mean\n\n| Status | Meaning |\n|---|---|\n| Label created | The carrier \
has the details but not the parcel yet. |\n| In transit | The parcel is moving between depots. |\n\
| Out for delivery | It arrives today. |\n| Delivered | The carrier left it at your address or a \
pickup point. |\n\nTracking can take up to 24 hours to show the first scan.",
    },
    DemoArticle {
        category: 1,
        slug: "change-delivery-address",
        title: "Change the delivery address of an order",
        summary: "Correct an address before or after the parcel ships.",
        body: "You can change the address yourself until the order is packed.\n\n\
## Before the order ships\n\n1. Open **My orders** and choose the order.\n2. Select **Edit delivery \
details**.\n3. Save the new address. You will get an updated confirmation email.\n\n\
## After the order ships\n\nThe carrier decides whether a redirect is possible. Use the **Redirect \
parcel** link on the tracking page, or contact us with your order number and the new address.",
    },
    DemoArticle {
        category: 2,
        slug: "download-an-invoice",
        title: "Download an invoice",
        summary: "Get a PDF invoice for any order or subscription payment.",
        body: "Invoices are created automatically for every payment.\n\n\
## Steps\n\n1. Go to **Billing** → **Invoices**.\n2. Find the payment by date or order number.\n\
3. Select **Download PDF**.\n\nTo add a VAT number or change the company name on future invoices, \
update **Billing details** before the next payment. Invoices already issued can't be edited; ask us \
for a corrected copy instead.",
    },
    DemoArticle {
        category: 2,
        slug: "request-a-refund",
        title: "Request a refund",
        summary: "Return an item or cancel a payment and get your money back.",
        body: "Refunds go back to the payment method you used.\n\n\
## Eligibility\n\n- Items can be returned within **30 days** of delivery, unused and in their \
packaging.\n- Subscription payments can be refunded within 14 days if the plan was not used.\n\n\
## How long it takes\n\nOnce we receive the return, we refund within **3 business days**. Your bank \
may need another 5 to 10 days to show the money.",
    },
    DemoArticle {
        category: 0,
        slug: "invite-your-team",
        title: "Invite your team",
        summary: "Add colleagues and choose what each of them can do.",
        body: "Work together in one Northwind account.\n\n## Steps\n\n1. Open **Settings** → \
**Team**.\n2. Select **Invite people** and enter their email addresses.\n3. Choose a role: \
**Viewer**, **Buyer** or **Manager**.\n\nInvitations expire after 7 days. You can resend or revoke \
them from the same page.",
    },
    DemoArticle {
        category: 3,
        slug: "two-step-verification",
        title: "Turn on two-step verification",
        summary: "Protect your account with a code from your phone.",
        body: "Two-step verification asks for a code from an authenticator app when you sign in \
from a new device.\n\n## Turn it on\n\n1. Go to **Account** → **Security**.\n2. Select **Set up \
two-step verification** and scan the QR code with your app.\n3. Enter the six-digit code to confirm.\n\n\
Save your **recovery codes** somewhere safe: they are the only way in if you lose your phone.",
    },
    DemoArticle {
        category: 4,
        slug: "connect-your-online-store",
        title: "Connect your online store",
        summary: "Sync products and orders with your e-commerce platform.",
        body: "Northwind connects to the most common store platforms so orders flow in without \
copying.\n\n## Steps\n\n1. Open **Integrations** and choose your platform.\n2. Sign in to your store \
when asked and approve access.\n3. Pick which products to sync.\n\nThe first sync can take up to an \
hour for large catalogs. Errors appear on the integration's page with what to fix.",
    },
    DemoArticle {
        category: 4,
        slug: "create-an-api-token",
        title: "Create an API token",
        summary: "Give your own software access to your Northwind data.",
        body: "API tokens let scripts and services call the Northwind API on your behalf.\n\n\
## Steps\n\n1. Go to **Settings** → **API**.\n2. Select **New token**, name it after what will use \
it, and choose its scopes.\n3. Copy the token now: it is shown only once.\n\nRevoke a token as soon \
as it is no longer needed or may have leaked.",
    },
    DemoArticle {
        category: 0,
        slug: "place-your-first-order",
        title: "Place your first order",
        summary: "From the catalog to the checkout in five steps.",
        body: "Welcome to Northwind! Here is how to place an order.\n\n1. Browse the **Catalog** or \
search for a product.\n2. Choose quantities and select **Add to cart**.\n3. Open the cart and check \
delivery options.\n4. Pick a payment method.\n5. Select **Place order**. You get a confirmation \
email right away.",
    },
];
