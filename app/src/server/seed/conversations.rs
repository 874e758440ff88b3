//! Demo customers and their conversations, written through the same service functions the
//! channels use, so the demo shows what the product really does with them.

use crate::{
    error::AppError,
    model::{Channel, IdentityKind, InteractionKind, Priority, TicketStatus},
    server::{
        db::{Db, with_db},
        identity::{Identifier, resolve_identity},
        tickets::{self, NewInteraction, NewTicket},
    },
};
use chrono::{Duration, Utc};
use Channel as C;
use InteractionKind as K;

struct Demo {
    name: &'static str,
    tier: &'static str,
    identities: &'static [(IdentityKind, &'static str)],
    tickets: &'static [DemoTicket],
}

struct DemoTicket {
    subject: &'static str,
    channel: Channel,
    priority: Priority,
    status: TicketStatus,
    team: Option<&'static str>,
    assigned: bool,
    sla_hours: Option<i64>,
    /// (what, where, written by the agent, text)
    thread: &'static [(InteractionKind, Channel, bool, &'static str)],
}

const DEMO_CUSTOMERS: &[Demo] = &[
    Demo {
        name: "Ana Silva",
        tier: "enterprise",
        identities: &[
            (IdentityKind::Email, "customer@northwind.test"),
            (IdentityKind::Email, "ana.silva@acme-retail.test"),
            (IdentityKind::Phone, "+351 912 345 678"),
            (IdentityKind::Whatsapp, "+351 912 345 678"),
        ],
        tickets: &[
            DemoTicket {
                subject: "Invoice INV-2291 shows the wrong VAT number",
                channel: C::Email,
                priority: Priority::High,
                status: TicketStatus::Open,
                team: Some("Billing"),
                assigned: true,
                sla_hours: Some(3),
                thread: &[
                    (K::Search, C::Portal, false, "Searched the help center for “vat invoice”"),
                    (K::ArticleView, C::Portal, false, "Read “Download an invoice”"),
                    (K::MessageIn, C::Email, false, "Hello, invoice INV-2291 has our old VAT number PT500100200. Our current one is PT514000111. Can you reissue it?"),
                    (K::MessageOut, C::Email, true, "Hi Ana, thanks for the details. I have asked our billing team to reissue INV-2291 with PT514000111."),
                    (K::MessageIn, C::Whatsapp, false, "Quick follow-up from my phone: our accounts team needs it before Friday."),
                    (K::Note, C::Email, true, "Billing confirmed: the corrected invoice goes out Thursday morning."),
                ],
            },
            DemoTicket {
                subject: "Parcel NW-20391 is two days late",
                channel: C::Whatsapp,
                priority: Priority::Normal,
                status: TicketStatus::Solved,
                team: Some("Support"),
                assigned: true,
                sla_hours: None,
                thread: &[
                    (K::MessageIn, C::Whatsapp, false, "Hi! Parcel NW-20391 was due Monday and tracking hasn't moved."),
                    (K::MessageOut, C::Whatsapp, true, "Sorry about that, Ana. The carrier had a depot delay; it is out for delivery today."),
                    (K::MessageIn, C::Whatsapp, false, "Arrived, thank you!"),
                ],
            },
        ],
    },
    Demo {
        name: "Ben Carter",
        tier: "standard",
        identities: &[(IdentityKind::Email, "ben.carter@example.test"), (IdentityKind::Twitter, "@bencarter")],
        tickets: &[DemoTicket {
            subject: "Can't sign in after resetting my password",
            channel: C::Social,
            priority: Priority::High,
            status: TicketStatus::New,
            team: Some("Support"),
            assigned: false,
            sla_hours: Some(1),
            thread: &[
                (K::ArticleView, C::Portal, false, "Read “Reset your password”"),
                (K::MessageIn, C::Social, false, "@NorthwindHelp I reset my password twice and still get “invalid credentials”. Help?"),
            ],
        }],
    },
    Demo {
        name: "Chloé Martin",
        tier: "premium",
        identities: &[(IdentityKind::Phone, "+33 6 12 34 56 78"), (IdentityKind::ChatVisitor, "visitor-7f3a9c21")],
        tickets: &[DemoTicket {
            subject: "Refund for a damaged office chair",
            channel: C::Phone,
            priority: Priority::Normal,
            status: TicketStatus::Pending,
            team: Some("Billing"),
            assigned: true,
            sla_hours: Some(20),
            thread: &[
                (K::Call, C::Phone, true, "Inbound call, 6 min: the chair arrived with a cracked base. Asked for photos."),
                (K::MessageIn, C::Chat, false, "Here are the photos of the base you asked for on the phone."),
                (K::MessageOut, C::Chat, true, "Thank you, Chloé. Refund approved; we are waiting for the courier to collect the chair."),
            ],
        }],
    },
    Demo {
        name: "Diego Ramos",
        tier: "standard",
        identities: &[(IdentityKind::Email, "diego.ramos@example.test"), (IdentityKind::Phone, "+1 415 555 0172")],
        tickets: &[DemoTicket {
            subject: "Change the delivery address of order 88412",
            channel: C::Sms,
            priority: Priority::Low,
            status: TicketStatus::OnHold,
            team: Some("Support"),
            assigned: true,
            sla_hours: None,
            thread: &[
                (K::MessageIn, C::Sms, false, "Can you send order 88412 to 500 Market St instead?"),
                (K::MessageOut, C::Sms, true, "We have asked the warehouse; the order is on hold until they confirm."),
            ],
        }],
    },
    Demo {
        name: "Emma Schmidt",
        tier: "enterprise",
        identities: &[(IdentityKind::Email, "emma.schmidt@example.test"), (IdentityKind::AccountId, "ACME-4471")],
        tickets: &[
            DemoTicket {
                subject: "API token returns 401 since this morning",
                channel: C::Portal,
                priority: Priority::Urgent,
                status: TicketStatus::Open,
                team: Some("Support"),
                assigned: true,
                sla_hours: Some(1),
                thread: &[
                    (K::ArticleView, C::Portal, false, "Read “Create an API token”"),
                    (K::MessageIn, C::Portal, false, "Our integration gets 401 Unauthorized on every call since 08:10 CET. The token was created last week."),
                    (K::Note, C::Portal, true, "Token scopes look right; checking the key rotation job."),
                ],
            },
            DemoTicket {
                subject: "Add a second billing contact",
                channel: C::Email,
                priority: Priority::Low,
                status: TicketStatus::Closed,
                team: Some("Billing"),
                assigned: true,
                sla_hours: None,
                thread: &[
                    (K::MessageIn, C::Email, false, "Please add finance@example.test as a billing contact."),
                    (K::MessageOut, C::Email, true, "Done: invoices now go to both addresses."),
                ],
            },
        ],
    },
    Demo {
        name: "Farah Khan",
        tier: "standard",
        identities: &[(IdentityKind::Facebook, "100042001337")],
        tickets: &[DemoTicket {
            subject: "Order arrived with one item missing",
            channel: C::Social,
            priority: Priority::Normal,
            status: TicketStatus::New,
            team: None,
            assigned: false,
            sla_hours: Some(8),
            thread: &[(K::MessageIn, C::Social, false, "My order 90127 came without the desk lamp. What now?")],
        }],
    },
];

/// Teams, skills, the demo customers and their conversations. `agent_id` answers them;
/// `customer_login_id` becomes the login of the first demo customer. Returns how many tickets
/// it wrote.
pub async fn seed_conversations(db: &Db, agent_id: i64, customer_login_id: i64) -> Result<i64, AppError> {
    let now = Utc::now();
    let mut teams = Vec::new();
    for name in ["Support", "Billing"] {
        let id = with_db!(db, |pool| {
            let id = sqlx::query_scalar::<_, i64>("insert into teams (name, created_at) values ($1, $2) returning id")
                .bind(name)
                .bind(now)
                .fetch_one(pool)
                .await?;
            sqlx::query("insert into team_members (team_id, user_id) values ($1, $2)")
                .bind(id)
                .bind(agent_id)
                .execute(pool)
                .await?;
            id
        });
        teams.push((name, id));
    }
    for skill in ["billing", "shipping", "api"] {
        with_db!(db, |pool| {
            let id = sqlx::query_scalar::<_, i64>("insert into skills (name) values ($1) returning id")
                .bind(skill)
                .fetch_one(pool)
                .await?;
            sqlx::query("insert into user_skills (user_id, skill_id, level) values ($1, $2, 3)")
                .bind(agent_id)
                .bind(id)
                .execute(pool)
                .await?;
        });
    }

    let mut ticket_count = 0;
    for (n, demo) in DEMO_CUSTOMERS.iter().enumerate() {
        let identifiers: Vec<_> =
            demo.identities.iter().map(|(kind, value)| Identifier::new(*kind, *value)).collect();
        let customer_id = resolve_identity(db, &identifiers, demo.name).await?.customer_id;
        let login = (n == 0).then_some(customer_login_id);
        with_db!(db, |pool| {
            sqlx::query("update customers set tier = $1 where id = $2")
                .bind(demo.tier)
                .bind(customer_id)
                .execute(pool)
                .await?;
            sqlx::query("update users set customer_id = $1 where id = $2")
                .bind(customer_id)
                .bind(login)
                .execute(pool)
                .await?;
        });
        for ticket in demo.tickets {
            let team_id = ticket.team.and_then(|name| teams.iter().find(|(t, _)| *t == name)).map(|(_, id)| *id);
            let ticket_id = tickets::create_ticket(
                db,
                NewTicket {
                    customer_id,
                    subject: ticket.subject,
                    channel: ticket.channel,
                    priority: ticket.priority,
                    team_id,
                    sla_due_at: ticket.sla_hours.map(|h| now + Duration::hours(h)),
                },
            )
            .await?;
            tickets::assign(db, ticket_id, ticket.assigned.then_some(agent_id), team_id).await?;
            for (kind, channel, by_agent, body) in ticket.thread {
                // Help-center activity is the customer's, not part of a conversation.
                let on_ticket = !matches!(kind, K::Search | K::ArticleView);
                tickets::record_interaction(
                    db,
                    NewInteraction {
                        customer_id,
                        ticket_id: on_ticket.then_some(ticket_id),
                        kind: *kind,
                        channel: *channel,
                        body,
                        provider_message_id: None,
                        author_id: by_agent.then_some(agent_id),
                        files: Default::default(),
                        outbound: None,
                        call: None,
                    },
                )
                .await?;
            }
            if ticket.status != TicketStatus::New {
                tickets::set_status(db, ticket_id, ticket.status, Some(agent_id)).await?;
            }
            ticket_count += 1;
        }
    }
    Ok(ticket_count)
}
