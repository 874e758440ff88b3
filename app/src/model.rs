//! Types shared by the server and the WASM client: plain serde, no database derives.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Who a login belongs to. Stored as lowercase text.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Customer,
    Agent,
    Supervisor,
    Admin,
}

impl Role {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Customer => "customer",
            Self::Agent => "agent",
            Self::Supervisor => "supervisor",
            Self::Admin => "admin",
        }
    }
}

/// A knowledge-base category as the portal lists it.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Category {
    pub slug: String,
    pub name: String,
    pub description: String,
    pub article_count: i64,
}

/// One line of an article list: enough to choose, not the whole body.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ArticleSummary {
    pub slug: String,
    pub title: String,
    pub summary: String,
    pub category: String,
    pub updated_at: DateTime<Utc>,
}

/// A published article, its body already rendered to sanitized HTML for the web.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Article {
    pub slug: String,
    pub title: String,
    pub category: String,
    pub category_slug: String,
    pub body_html: String,
    pub updated_at: DateTime<Utc>,
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
    pub articles: Vec<ArticleSummary>,
}
