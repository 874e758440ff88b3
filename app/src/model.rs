//! Types shared by the server and the WASM client: plain serde, no database derives.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// In the browser, dates are read with chrono's strict RFC 3339 parser, which is what the
/// server writes. Its `FromStr` also tries a relaxed grammar and RFC 2822, and that general
/// parser would be in every page's download.
#[cfg(feature = "hydrate")]
mod rfc3339 {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, de::Error};

    fn parse<E: Error>(text: &str) -> Result<DateTime<Utc>, E> {
        DateTime::parse_from_rfc3339(text).map(|at| at.to_utc()).map_err(E::custom)
    }

    pub fn required<'de, D: Deserializer<'de>>(deserializer: D) -> Result<DateTime<Utc>, D::Error> {
        parse(&String::deserialize(deserializer)?)
    }

    pub fn optional<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Option<DateTime<Utc>>, D::Error> {
        Option::<String>::deserialize(deserializer)?.map(|text| parse(&text)).transpose()
    }
}

/// A closed set of values stored as text: the enum, its text form both ways, and the list of
/// all values (for filters and validation messages).
macro_rules! text_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $text:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
        pub enum $name {
            $(#[serde(rename = $text)] $variant),+
        }

        impl $name {
            pub const ALL: &[Self] = &[$(Self::$variant),+];

            pub fn as_str(self) -> &'static str {
                match self {
                    $(Self::$variant => $text),+
                }
            }
        }

        impl std::str::FromStr for $name {
            type Err = UnknownValue;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                match text {
                    $($text => Ok(Self::$variant),)+
                    _ => Err(UnknownValue {
                        what: stringify!($name),
                        value: text.to_owned(),
                    }),
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }
    };
}

/// A text that names none of an enum's values.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{value:?} is not a valid {what}")]
pub struct UnknownValue {
    pub what: &'static str,
    pub value: String,
}

text_enum!(
    /// Who a login belongs to.
    Role { Customer = "customer", Agent = "agent", Supervisor = "supervisor", Admin = "admin" }
);

text_enum!(
    /// Where a conversation or a single interaction happened.
    Channel {
        Portal = "portal",
        Email = "email",
        Chat = "chat",
        Sms = "sms",
        Whatsapp = "whatsapp",
        Social = "social",
        Phone = "phone",
    }
);

text_enum!(
    /// What a key of the public REST API may do.
    ApiScope {
        MessagesWrite = "messages:write",
        TicketsRead = "tickets:read",
        TicketsWrite = "tickets:write",
        CustomersRead = "customers:read",
        CustomersWrite = "customers:write",
    }
);

text_enum!(
    TicketStatus {
        New = "new",
        Open = "open",
        Pending = "pending",
        OnHold = "on_hold",
        Solved = "solved",
        Closed = "closed",
    }
);

text_enum!(Priority { Low = "low", Normal = "normal", High = "high", Urgent = "urgent" });

text_enum!(
    /// Why a ticket was solved, chosen by the agent who solves it.
    Disposition {
        Answered = "answered",
        Fixed = "fixed",
        Workaround = "workaround",
        FeatureRequest = "feature_request",
        Duplicate = "duplicate",
        NoResponse = "no_response",
    }
);

impl Disposition {
    pub fn label(self) -> &'static str {
        match self {
            Self::Answered => "Question answered",
            Self::Fixed => "Problem fixed",
            Self::Workaround => "Workaround given",
            Self::FeatureRequest => "Feature request noted",
            Self::Duplicate => "Duplicate of another ticket",
            Self::NoResponse => "No response from customer",
        }
    }
}

impl TicketStatus {
    /// Still needs work: every inbox view lists these.
    pub fn is_unsolved(self) -> bool {
        !matches!(self, Self::Solved | Self::Closed)
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::New => "New",
            Self::Open => "Open",
            Self::Pending => "Pending",
            Self::OnHold => "On hold",
            Self::Solved => "Solved",
            Self::Closed => "Closed",
        }
    }
}

text_enum!(
    /// A customer's service level, which routing and SLAs read.
    Tier { Standard = "standard", Premium = "premium", Enterprise = "enterprise" }
);

text_enum!(
    /// A way to reach a customer. Values are stored normalized (see `server::identity`).
    IdentityKind {
        Email = "email",
        Phone = "phone",
        AccountId = "account_id",
        Whatsapp = "whatsapp",
        Twitter = "twitter",
        Facebook = "facebook",
        ChatVisitor = "chat_visitor",
    }
);

text_enum!(
    /// Who placed a phone call: the customer (inbound) or us (outbound).
    CallDirection { Inbound = "inbound", Outbound = "outbound" }
);

text_enum!(
    /// What a timeline entry records.
    InteractionKind {
        MessageIn = "message_in",
        MessageOut = "message_out",
        Note = "note",
        Call = "call",
        ChatTranscript = "chat_transcript",
        BotStep = "bot_step",
        ArticleView = "article_view",
        Search = "search",
        ArticleFeedback = "article_feedback",
        StatusChange = "status_change",
        Csat = "csat",
    }
);

/// A knowledge-base category as the portal lists it, with the categories below it. Its
/// count includes their articles.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub article_count: i64,
    pub subcategories: Vec<Category>,
}

/// A category named in a breadcrumb.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryLink {
    pub slug: String,
    pub name: String,
}

/// A category in the editors' tree, listed depth first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryNode {
    pub id: i64,
    pub parent_id: Option<i64>,
    pub slug: String,
    pub name: String,
    pub description: String,
    /// 0 for a top-level category.
    pub depth: usize,
    /// Articles filed directly under it, in any status.
    pub article_count: i64,
    pub has_subcategories: bool,
}

/// What an editor sets on a category.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct CategoryFields {
    pub name: String,
    pub description: String,
    /// `None` for a top-level category.
    pub parent_id: Option<i64>,
}

/// Which way a category moves among its siblings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum CategoryStep {
    Up,
    Down,
}

/// One line of an article list: enough to choose, not the whole body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub updated_at: DateTime<Utc>,
}

/// One search result: the article and the passage that matched, its matched words between
/// [`MARK_START`] and [`MARK_END`].
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchHit {
    pub article: ArticleSummary,
    pub snippet: String,
}

pub const MARK_START: char = '\u{E000}';
pub const MARK_END: char = '\u{E001}';

/// Search results, best first. `corrected` is the query actually searched when the reader's
/// words matched nothing and looked like typos.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct SearchResults {
    pub query: String,
    pub corrected: Option<String>,
    pub hits: Vec<SearchHit>,
}

/// A published article, its body already rendered to sanitized HTML for the web.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub category_slug: String,
    pub body_html: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub updated_at: DateTime<Utc>,
    /// Other articles of its category, most read first.
    pub related: Vec<ArticleSummary>,
}

text_enum!(
    /// Where an article stands in its editors' workflow; only published ones are read.
    ArticleStatus { Draft = "draft", InReview = "in_review", Published = "published", Archived = "archived" }
);

text_enum!(
    /// Who may read an article: anyone, signed-in customers, or staff only.
    Audience { Public = "public", Customers = "customers", Internal = "internal" }
);

/// The fields an editor writes; every save keeps them all as a revision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleFields {
    pub title: String,
    pub summary: String,
    pub body_markdown: String,
    pub category_id: i64,
    /// Absent when there are none: a form sends no field for an empty list.
    #[serde(default)]
    pub tags: Vec<String>,
    pub audience: Audience,
}

/// An article as its editors see it, with the version a save must name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct EditableArticle {
    pub id: i64,
    pub slug: String,
    pub status: ArticleStatus,
    pub version: i32,
    /// When it goes live by itself, if scheduled.
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub publish_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub updated_at: DateTime<Utc>,
    pub fields: ArticleFields,
}

/// An article in the editors' list.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleListItem {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub status: ArticleStatus,
    pub audience: Audience,
    pub category: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub updated_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub publish_at: Option<DateTime<Utc>>,
}

/// A link from one article to another that readers cannot follow.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BrokenLink {
    pub article_id: i64,
    pub article_title: String,
    pub target: String,
    pub reason: String,
}

/// What an import of article files did, article by article.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportReport {
    pub created: Vec<String>,
    pub updated: Vec<String>,
    pub unchanged: Vec<String>,
    /// Categories the help center lacked, added where the archive's tree puts them.
    pub categories: Vec<String>,
    /// Files skipped, each with the reason.
    pub refused: Vec<(String, String)>,
}

/// One saved version of an article, as the history lists it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RevisionSummary {
    pub id: i64,
    pub version: i32,
    pub title: String,
    pub author_name: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}

/// A line of a diff between two revisions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum DiffLine {
    Same(String),
    Added(String),
    Removed(String),
}

/// What the help-center home page shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct HelpCenterHome {
    pub categories: Vec<Category>,
    pub popular: Vec<ArticleSummary>,
}

/// A category with its published articles, most read first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CategoryArticles {
    pub category: Category,
    /// The categories above it, from the top.
    pub parents: Vec<CategoryLink>,
    pub articles: Vec<ArticleSummary>,
}

/// The unified profile of one person, across every channel.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Customer {
    pub id: i64,
    pub display_name: String,
    pub tier: Tier,
    pub attributes: serde_json::Map<String, serde_json::Value>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub last_seen_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub last_contact_at: Option<DateTime<Utc>>,
    pub merged_into_id: Option<i64>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}

impl Customer {
    /// The custom attributes as agents read and edit them: names with spaces for underscores,
    /// values as text.
    pub fn attribute_fields(&self) -> Vec<AttributeField> {
        self.attributes
            .iter()
            .map(|(name, value)| AttributeField {
                name: name.replace('_', " "),
                value: match value {
                    serde_json::Value::String(text) => text.clone(),
                    other => other.to_string(),
                },
            })
            .collect()
    }
}

/// One custom attribute of a profile (plan, company, seats…) as text.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct AttributeField {
    pub name: String,
    pub value: String,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub id: i64,
    pub customer_id: i64,
    pub kind: IdentityKind,
    pub value: String,
    pub verified: bool,
}

/// One line of the agent inbox.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketSummary {
    pub id: i64,
    pub subject: String,
    pub status: TicketStatus,
    pub priority: Priority,
    pub channel: Channel,
    pub customer_id: i64,
    pub customer_name: String,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub sla_due_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub last_activity_at: DateTime<Utc>,
    pub assignee_name: Option<String>,
    /// The start of the latest message either way (never an internal note).
    pub preview: String,
    /// Something happened since the agent reading the inbox last opened it.
    #[serde(default)]
    pub unread: bool,
    /// A note names the agent reading the inbox, and they have not opened the ticket since.
    #[serde(default)]
    pub mentioned: bool,
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Ticket {
    pub summary: TicketSummary,
    pub tags: Vec<String>,
    pub disposition: Option<Disposition>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub first_response_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub solved_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub closed_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}

/// One timeline entry.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Interaction {
    pub id: i64,
    pub customer_id: i64,
    pub ticket_id: Option<i64>,
    pub kind: InteractionKind,
    pub channel: Channel,
    pub body: String,
    /// The body as sanitized web HTML, for what agents write in markdown (replies and notes);
    /// `None` where the body is shown as written.
    #[serde(default)]
    pub body_html: Option<String>,
    pub author_id: Option<i64>,
    /// The author's display name, when a login wrote it.
    #[serde(default)]
    pub author_name: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
    /// Files sent with the message; filled where a conversation is shown.
    #[serde(default)]
    pub attachments: Vec<Attachment>,
    /// How a reply sent by email is getting on; filled for agents only.
    #[serde(default)]
    pub delivery: Option<Delivery>,
}

/// Where a reply sent by email stands, shown to agents under the message.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Delivery {
    /// Waiting for the mail server; after a temporary failure, with its reason.
    Pending { last_error: Option<String> },
    Sent,
    /// Given up: the mail server refused it for good, or kept refusing it for hours.
    Failed { reason: String },
}

/// The largest file a customer can attach, in bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: u64 = 10 * 1024 * 1024;
/// The most files one message carries.
pub const MAX_ATTACHMENTS: usize = 5;

/// Why a file cannot be attached, the same words in the browser's check and the server's.
pub fn too_large_message(file_name: &str) -> String {
    format!(
        "“{file_name}” is larger than {} MB, the most one file can be. Send a smaller file, or a link to it.",
        MAX_ATTACHMENT_BYTES / (1024 * 1024)
    )
}

/// A file sent with a message, downloaded from `/attachments/{id}/{file_name}`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    pub id: i64,
    pub file_name: String,
    pub content_type: String,
    pub size_bytes: i64,
}

impl Attachment {
    pub fn href(&self) -> String {
        let name: String = form_urlencoded::byte_serialize(self.file_name.as_bytes()).collect();
        format!("/attachments/{}/{name}", self.id)
    }
}

/// A file uploaded for a message not yet sent; the message claims it by its token.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Upload {
    pub token: String,
    pub file_name: String,
    pub size_bytes: i64,
}

/// Which part of a customer's timeline to show; the default is all of it.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct TimelineFilter {
    pub channel: Option<Channel>,
    pub ticket_id: Option<i64>,
    /// Leaves out one ticket's entries (the one already on screen beside the timeline).
    #[serde(default)]
    pub except_ticket: Option<i64>,
    /// Leaves out agents' internal notes: set for every view a customer sees.
    pub without_notes: bool,
    /// Leaves out the entries of tickets the agent may not see. Set on the server only.
    #[serde(skip)]
    pub restriction: Option<TeamRestriction>,
}

/// A ticket with its conversation, oldest first.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TicketThread {
    pub ticket: Ticket,
    pub interactions: Vec<Interaction>,
    /// The customer's rating, once they have given it.
    pub satisfaction: Option<Satisfaction>,
}

/// A customer's rating of a solved request: satisfaction 1–5, effort ("how easy") 1–7.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Satisfaction {
    pub csat: u8,
    pub ces: u8,
    pub comment: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}

text_enum!(
    /// The inbox views in the workspace's left column; each lists unsolved tickets.
    InboxView {
        Mine = "mine",
        Unassigned = "unassigned",
        MyTeams = "teams",
        All = "all",
        SlaDue = "sla",
    }
);

impl InboxView {
    pub fn label(self) -> &'static str {
        match self {
            Self::Mine => "Mine",
            Self::Unassigned => "Unassigned",
            Self::MyTeams => "My teams",
            Self::All => "All unsolved",
            Self::SlaDue => "SLA due",
        }
    }
}

text_enum!(
    /// How the inbox is ordered: most recent activity first, longest without activity first
    /// (who has waited longest), soonest SLA deadline first (tickets without one left out), or
    /// most urgent first (the longest waiting first within a priority).
    InboxSort { LastActivity = "activity", OldestWaiting = "waiting", SlaDue = "sla", Priority = "priority" }
);

impl InboxSort {
    pub fn label(self) -> &'static str {
        match self {
            Self::LastActivity => "Last activity",
            Self::OldestWaiting => "Oldest waiting",
            Self::SlaDue => "SLA deadline",
            Self::Priority => "Priority",
        }
    }
}

/// What an agent asked the inbox for: a view, narrowed by filters, in an order.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxQuery {
    pub view: Option<InboxView>,
    pub status: Option<TicketStatus>,
    pub channel: Option<Channel>,
    pub priority: Option<Priority>,
    pub tag: Option<String>,
    pub assignee_id: Option<i64>,
    pub team_id: Option<i64>,
    pub sort: Option<InboxSort>,
}

/// How many tickets each inbox view holds, counted up to [`InboxCounts::CAP`].
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxCounts(pub Vec<(InboxView, i64)>);

impl InboxCounts {
    /// Where counting stops; a view holding this many or more shows "999+".
    pub const CAP: i64 = 1_000;

    /// A view's count as the inbox shows it.
    pub fn shown(&self, view: InboxView) -> Option<String> {
        let (_, count) = self.0.iter().find(|(counted, _)| *counted == view)?;
        Some(match *count >= Self::CAP {
            true => format!("{}+", Self::CAP - 1),
            false => count.to_string(),
        })
    }
}

/// Narrows the inbox; every field that is set must match.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxFilter {
    /// One customer's tickets (their "My requests").
    pub customer_id: Option<i64>,
    pub status: Option<TicketStatus>,
    /// Only tickets that still need work (not solved or closed).
    pub unsolved: bool,
    pub assignee_id: Option<i64>,
    /// Only tickets nobody is assigned to.
    pub unassigned: bool,
    pub team_id: Option<i64>,
    /// Only tickets of one of these teams (an empty list: of no team at all).
    pub teams: Option<Vec<i64>>,
    pub channel: Option<Channel>,
    pub priority: Option<Priority>,
    pub tag: Option<String>,
    /// Leaves out what the agent may not see.
    pub restriction: Option<TeamRestriction>,
}

/// Restricted teams an agent is not in: their tickets are left out of the agent's inbox unless
/// assigned to the agent.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamRestriction {
    pub agent_id: i64,
    pub teams: Vec<i64>,
}

/// Where the next page starts: the sort key and id of the last row seen. Opaque to clients.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageCursor(pub String);

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next: Option<PageCursor>,
}

/// Who is signed in, as every page and server function sees them.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// The customer profile of a customer login (none until its email is verified).
    pub customer_id: Option<i64>,
    pub email_verified: bool,
    /// Whether the knowledge base is theirs to write (always, for admins). Shown in the
    /// navigation; the server checks it again on every write.
    pub edits_articles: bool,
}

impl CurrentUser {
    pub fn is_staff(&self) -> bool {
        self.role != Role::Customer
    }
}

impl Role {
    /// The roles an admin may give a staff account.
    pub const STAFF: &[Self] = &[Self::Agent, Self::Supervisor, Self::Admin];

    pub fn label(self) -> &'static str {
        match self {
            Self::Customer => "Customer",
            Self::Agent => "Agent",
            Self::Supervisor => "Supervisor",
            Self::Admin => "Admin",
        }
    }
}

/// One sign-in attempt on an account, as its owner sees it on the account page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SignInRecord {
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub at: DateTime<Utc>,
    pub address: String,
    pub succeeded: bool,
}

/// The account page: who you are and where your account was used.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccountOverview {
    pub user: CurrentUser,
    pub recent_sign_ins: Vec<SignInRecord>,
    /// When the account will be erased, if its owner asked for that.
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub pending_erasure: Option<DateTime<Utc>>,
}

/// A key of the public REST API as it is listed: never its secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiKey {
    pub id: i64,
    pub name: String,
    pub prefix: String,
    pub scopes: Vec<ApiScope>,
    pub rate_per_minute: u32,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub last_used_at: Option<DateTime<Utc>>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub revoked_at: Option<DateTime<Utc>>,
}

impl ApiKey {
    /// Refuses a request this key has no scope for, naming the scope it needs.
    pub fn require(&self, scope: ApiScope) -> Result<(), String> {
        match self.scopes.contains(&scope) {
            true => Ok(()),
            false => Err(format!("This API key lacks the {} scope.", scope.as_str())),
        }
    }
}

/// A key just created, with its secret: the only time anyone sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct CreatedApiKey {
    pub key: ApiKey,
    pub secret: String,
}

/// A polled IMAP mailbox as admins see it: where it reads, how the last poll went, and how
/// many messages it could not record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MailboxStatus {
    pub id: i64,
    pub name: String,
    pub username: String,
    pub host: String,
    pub port: i32,
    pub security: String,
    pub folder: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::optional"))]
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
    pub quarantined: i64,
}

/// A team as admins manage it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamOverview {
    pub id: i64,
    pub name: String,
    /// Its tickets are for its members (and whoever they are assigned to).
    pub restricted: bool,
    pub members: Vec<Choice>,
}

/// A staff login as admins manage it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StaffMember {
    pub id: i64,
    pub display_name: String,
    pub email: String,
    pub role: Role,
    /// Invited, and has not yet chosen a password.
    pub invitation_pending: bool,
    /// May write knowledge-base articles (admins always may).
    pub edits_articles: bool,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}

/// Someone or something an agent picks from a list: a colleague, a team.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Choice {
    pub id: i64,
    pub name: String,
}

/// The customer beside a ticket: who they are, how to reach them, what else they asked and
/// what they did lately (help-center reads and searches included), so nobody asks again.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct CustomerPanel {
    pub customer: Customer,
    pub identities: Vec<Identity>,
    /// Their other tickets, most recent activity first.
    pub other_tickets: Vec<TicketSummary>,
    /// Their latest timeline entries on every channel, newest first.
    pub recent: Vec<Interaction>,
    /// Profiles merged into this one that can still be separated again.
    pub merges: Vec<MergeRecord>,
}

/// What merging a duplicate profile into another would move.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct MergePreview {
    pub source: Customer,
    pub identities: Vec<Identity>,
    pub tickets: i64,
    pub interactions: i64,
}

/// A merge that can be undone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MergeRecord {
    pub id: i64,
    pub source_id: i64,
    pub source_name: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub merged_at: DateTime<Utc>,
}

/// Who and which teams the inbox can be narrowed to.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct InboxChoices {
    pub agents: Vec<Choice>,
    pub teams: Vec<Choice>,
}

/// Everything the agent's ticket view shows.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct WorkspaceTicket {
    pub thread: TicketThread,
    pub customer: CustomerPanel,
    /// The channel a reply goes out on unless the agent picks another: the one the customer
    /// last wrote on.
    pub reply_channel: Channel,
    pub agents: Vec<Choice>,
    pub teams: Vec<Choice>,
}

impl Audience {
    /// The widest audience a reader belongs to: anyone, a signed-in customer, or staff, who
    /// read everything.
    pub fn of_reader(user: Option<&CurrentUser>) -> Self {
        match user {
            None => Self::Public,
            Some(user) if user.is_staff() => Self::Internal,
            Some(_) => Self::Customers,
        }
    }

    /// Its place from public (0) to internal (2): a reader sees articles up to their own.
    pub fn rank(self) -> i32 {
        match self {
            Self::Public => 0,
            Self::Customers => 1,
            Self::Internal => 2,
        }
    }
}

impl ArticleStatus {
    pub fn label(self) -> &'static str {
        match self {
            Self::Draft => "a draft",
            Self::InReview => "in review",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }
}

impl ApiScope {
    /// What the scope allows, for the admin who grants it.
    pub fn label(self) -> &'static str {
        match self {
            Self::MessagesWrite => "Send in messages and calls",
            Self::TicketsRead => "Read tickets",
            Self::TicketsWrite => "Update tickets",
            Self::CustomersRead => "Read customers",
            Self::CustomersWrite => "Update customers",
        }
    }
}

impl Channel {
    /// The channel's name inside a sentence ("opened by email", "by SMS").
    pub fn in_sentence(self) -> &'static str {
        match self {
            Self::Portal => "portal",
            Self::Email => "email",
            Self::Chat => "chat",
            Self::Sms => "SMS",
            Self::Whatsapp => "WhatsApp",
            Self::Social => "social message",
            Self::Phone => "phone",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Portal => "Portal",
            Self::Email => "Email",
            Self::Chat => "Chat",
            Self::Sms => "SMS",
            Self::Whatsapp => "WhatsApp",
            Self::Social => "Social",
            Self::Phone => "Phone",
        }
    }

    /// The channels a reply to a customer with these identities can go out on: the portal
    /// always (they read it under "My requests"), any other only when the profile holds a way
    /// to reach them there.
    pub fn reply_channels(identities: &[Identity]) -> Vec<Channel> {
        let has = |kinds: &[IdentityKind]| identities.iter().any(|identity| kinds.contains(&identity.kind));
        Channel::ALL
            .iter()
            .copied()
            .filter(|channel| match channel {
                Channel::Portal => true,
                Channel::Email => has(&[IdentityKind::Email]),
                Channel::Sms => has(&[IdentityKind::Phone]),
                Channel::Whatsapp => has(&[IdentityKind::Whatsapp, IdentityKind::Phone]),
                Channel::Social => has(&[IdentityKind::Twitter, IdentityKind::Facebook]),
                Channel::Chat => has(&[IdentityKind::ChatVisitor]),
                // A call is logged, not sent.
                Channel::Phone => false,
            })
            .collect()
    }
}

text_enum!(
    /// What changed on a ticket, as live views hear of it.
    TicketEventKind {
        Message = "message",
        Note = "note",
        Status = "status",
        Assignment = "assignment",
        Fields = "fields",
        Presence = "presence",
    }
);

/// Another agent with the same ticket open.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Viewer {
    pub user_id: i64,
    pub name: String,
    /// They have a reply or note in progress: sending over it may collide.
    pub typing: bool,
}

/// A change to a ticket, sent to open workspaces as it commits. `id` orders events; a
/// browser reconnecting sends the last one it saw to catch up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TicketEvent {
    pub id: i64,
    pub ticket_id: i64,
    pub kind: TicketEventKind,
}

/// What a macro does, as an admin edits it: a reply (or note) with variables, and the changes
/// to the ticket that go with it. A macro with text only is a canned response.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct MacroFields {
    pub title: String,
    /// Text with `{{variables}}` (see [`crate::template`]); empty when the macro only changes
    /// the ticket.
    #[serde(default)]
    pub body: String,
    /// The text goes in as an internal note rather than a reply.
    #[serde(default)]
    pub internal: bool,
    pub status: Option<TicketStatus>,
    pub priority: Option<Priority>,
    /// Tags added to those the ticket has.
    #[serde(default)]
    pub add_tags: Vec<String>,
    /// The ticket goes to the agent who applies the macro.
    #[serde(default)]
    pub assign_to_self: bool,
    pub team_id: Option<i64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Macro {
    pub id: i64,
    pub fields: MacroFields,
    pub team_name: Option<String>,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub updated_at: DateTime<Utc>,
}

impl Macro {
    /// What it does, in a line: "Reply · status Pending · +refund · assign to me".
    pub fn summary(&self) -> String {
        let text = match (self.fields.body.is_empty(), self.fields.internal) {
            (true, _) => None,
            (false, false) => Some("Reply".to_owned()),
            (false, true) => Some("Internal note".to_owned()),
        };
        text.into_iter().chain(self.changes()).collect::<Vec<_>>().join(" · ")
    }

    /// What applying it changes besides the text, in words: "status Pending · +refund".
    pub fn changes(&self) -> Vec<String> {
        let fields = &self.fields;
        let mut changes = Vec::new();
        if let Some(status) = fields.status {
            changes.push(format!("status {}", status.label()));
        }
        if let Some(priority) = fields.priority {
            changes.push(format!("priority {priority}"));
        }
        changes.extend(fields.add_tags.iter().map(|tag| format!("+{tag}")));
        if fields.assign_to_self {
            changes.push("assign to me".to_owned());
        }
        if let Some(team) = &self.team_name {
            changes.push(format!("team {team}"));
        }
        changes
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_view_count_past_the_cap_shows_as_999_plus() {
        let counts = InboxCounts(vec![(InboxView::Mine, 12), (InboxView::All, InboxCounts::CAP)]);
        assert_eq!(counts.shown(InboxView::Mine).as_deref(), Some("12"));
        assert_eq!(counts.shown(InboxView::All).as_deref(), Some("999+"));
        assert_eq!(counts.shown(InboxView::SlaDue), None);
    }
}

/// The periods, in days, the content team's insight covers.
pub const INSIGHT_PERIODS: [i64; 3] = [7, 30, 90];

/// What the help center taught the content team over the last `days` days.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ContentInsights {
    pub days: i64,
    /// One entry per day of the period, oldest first, days without activity included.
    pub daily: Vec<DailyActivity>,
    /// Published articles, most read first.
    pub articles: Vec<ArticleInsight>,
    /// What readers searched for and found nothing: articles to write.
    pub unanswered_searches: Vec<SearchCount>,
    /// What readers searched for before sending a request: answers that did not help.
    pub searches_before_requests: Vec<SearchCount>,
    pub recent_comments: Vec<ArticleComment>,
}

/// The help center's activity on one day (UTC).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DailyActivity {
    pub day: NaiveDate,
    pub reads: i64,
    pub searches: i64,
    /// Requests sent from the help center's contact form.
    pub requests: i64,
}

/// One article's reception over the period.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ArticleInsight {
    pub id: i64,
    pub slug: String,
    pub title: String,
    pub reads: i64,
    pub helpful: i64,
    pub not_helpful: i64,
    pub comments: i64,
    /// Requests sent in a visit after reading it.
    pub requests_after: i64,
}

/// A search, as typed (lower-cased), and how often it happened.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SearchCount {
    pub query: String,
    pub count: i64,
}

/// A "was this helpful?" answer that came with words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct ArticleComment {
    pub slug: String,
    pub title: String,
    pub helpful: bool,
    pub comment: String,
    #[cfg_attr(feature = "hydrate", serde(deserialize_with = "rfc3339::required"))]
    pub created_at: DateTime<Utc>,
}
