//! Help-center search on the database's own full-text index (SQLite FTS5, PostgreSQL tsvector
//! with a GIN index): ranked, with highlighted snippets, prefix matching while the reader is
//! still typing, and typo correction when nothing matches.

use super::{
    db::{Db, with_db},
    kb::readable,
};
use crate::{
    error::AppError,
    model::{ArticleSummary, Audience, SearchHit, SearchResults},
};
use chrono::{DateTime, Utc};
use std::{
    collections::BTreeSet,
    sync::{Arc, RwLock},
    time::{Duration, Instant},
};

pub const MAX_CHARS: usize = 200;
const MAX_TERMS: usize = 8;
const LIMIT: i64 = 20;

/// Words that carry no meaning in a question ("how do I reset my password"); dropped so every
/// remaining word can be required.
const STOP_WORDS: &[&str] = &[
    "a", "about", "an", "and", "are", "as", "at", "be", "can", "do", "does", "for", "from", "get",
    "how", "i", "if", "in", "is", "it", "me", "my", "of", "on", "or", "our", "so", "the", "this",
    "to", "was", "we", "what", "when", "where", "which", "why", "will", "with", "you", "your",
];

#[derive(Clone, Copy)]
enum Combine {
    AllTerms,
    AnyTerm,
}

/// Ranked matches for `query`. Every word must match (as a word prefix); if none does, likely
/// typos are corrected against the help center's vocabulary, and as a last resort any word may
/// match, so a long question still finds its article.
pub async fn search(
    db: &Db,
    vocabulary: &Vocabulary,
    query: &str,
    reader: Audience,
) -> Result<SearchResults, AppError> {
    let terms = terms(query)?;
    let mut hits = matches(db, &terms, Combine::AllTerms, reader).await?;
    let mut corrected = None;
    if hits.is_empty()
        && let Some(fixed) = vocabulary.correct(db, &terms).await?
    {
        hits = matches(db, &fixed, Combine::AllTerms, reader).await?;
        if !hits.is_empty() {
            corrected = Some(fixed.join(" "));
        }
    }
    if hits.is_empty() && terms.len() > 1 {
        hits = matches(db, &terms, Combine::AnyTerm, reader).await?;
    }
    Ok(SearchResults { query: query.trim().to_owned(), corrected, hits })
}

/// The query's meaningful words, lowercased; punctuation and operators are separators, so
/// nothing a reader types can change the shape of the full-text query.
fn terms(query: &str) -> Result<Vec<String>, AppError> {
    let query = query.trim();
    if query.is_empty() {
        return Err(AppError::invalid("Type a word or two to search the help center."));
    }
    if query.chars().count() > MAX_CHARS {
        return Err(AppError::invalid(format!(
            "Search terms are limited to {MAX_CHARS} characters."
        )));
    }
    let mut words: Vec<String> = Vec::new();
    for word in query.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()) {
        let word = word.to_lowercase();
        if !words.contains(&word) {
            words.push(word);
        }
    }
    if words.is_empty() {
        return Err(AppError::invalid("Search with words or numbers, not only punctuation."));
    }
    let meaningful: Vec<String> =
        words.iter().filter(|w| !STOP_WORDS.contains(&w.as_str())).cloned().collect();
    let mut terms = if meaningful.is_empty() { words } else { meaningful };
    terms.truncate(MAX_TERMS);
    Ok(terms)
}

#[derive(sqlx::FromRow)]
struct HitRow {
    slug: String,
    title: String,
    summary: String,
    category: String,
    updated_at: DateTime<Utc>,
    snippet: String,
}

impl From<HitRow> for SearchHit {
    fn from(row: HitRow) -> Self {
        Self {
            article: ArticleSummary {
                slug: row.slug,
                title: row.title,
                summary: row.summary,
                category: row.category,
                updated_at: row.updated_at,
            },
            snippet: row.snippet,
        }
    }
}

/// Best first; the title weighs most, then the summary, then the body.
const SQLITE_MATCHES: &str = concat!("
    select a.slug, a.title, a.summary, c.name as category, a.updated_at,
           snippet(articles_fts, 2, char(57344), char(57345), '…', 24) as snippet
    from articles_fts
    join articles a on a.id = articles_fts.rowid
    join categories c on c.id = a.category_id
    where articles_fts match $2 and ", readable!(), "
    order by bm25(articles_fts, 10.0, 4.0, 1.0), a.id
    limit $3");

/// The snippet is made for the page of results only, not for every match.
const POSTGRES_MATCHES: &str = concat!("
    select hit.slug, hit.title, hit.summary, hit.category, hit.updated_at,
           ts_headline('english', hit.body_text, to_tsquery('english', $2),
               'StartSel=' || chr(57344) || ', StopSel=' || chr(57345)
               || ', MaxWords=30, MinWords=15, MaxFragments=2, FragmentDelimiter=\" … \"') as snippet
    from (
        select a.slug, a.title, a.summary, c.name as category, a.updated_at, a.body_text, a.id,
               ts_rank(a.search_vector, to_tsquery('english', $2)) as rank
        from articles a join categories c on c.id = a.category_id
        where a.search_vector @@ to_tsquery('english', $2) and ", readable!(), "
        order by rank desc, a.id
        limit $3
    ) hit
    order by hit.rank desc, hit.id");

async fn matches(db: &Db, terms: &[String], combine: Combine, reader: Audience) -> Result<Vec<SearchHit>, AppError> {
    let rows = match db {
        Db::Sqlite(pool) => {
            let joiner = match combine {
                Combine::AllTerms => " AND ",
                Combine::AnyTerm => " OR ",
            };
            let expression =
                terms.iter().map(|t| format!("\"{t}\"*")).collect::<Vec<_>>().join(joiner);
            sqlx::query_as::<_, HitRow>(SQLITE_MATCHES)
                .bind(reader.rank())
                .bind(expression)
                .bind(LIMIT)
                .fetch_all(pool)
                .await?
        }
        Db::Postgres(pool) => {
            let joiner = match combine {
                Combine::AllTerms => " & ",
                Combine::AnyTerm => " | ",
            };
            let expression =
                terms.iter().map(|t| format!("{t}:*")).collect::<Vec<_>>().join(joiner);
            sqlx::query_as::<_, HitRow>(POSTGRES_MATCHES)
                .bind(reader.rank())
                .bind(expression)
                .bind(LIMIT)
                .fetch_all(pool)
                .await?
        }
    };
    Ok(rows.into_iter().map(SearchHit::from).collect())
}

/// The words of published titles and summaries, for typo correction. Loaded on the first
/// search that needs it and reloaded when articles change; cheap to share between requests.
#[derive(Default)]
pub struct Vocabulary {
    loaded: RwLock<Option<Loaded>>,
}

/// How long loaded words are trusted before the articles' version is read again (a scan of
/// every published article, the slowest part of a search that needs correcting). A new
/// article's words join typo correction within this time; the full-text index has it at once.
const RECHECK_AFTER: Duration = Duration::from_secs(30);

#[derive(Clone)]
struct Loaded {
    words: Arc<Words>,
    checked_at: Instant,
}

struct Words {
    version: (i64, Option<DateTime<Utc>>),
    words: BTreeSet<String>,
}

impl Vocabulary {
    /// `terms` with each word that starts no known word replaced by its nearest known word,
    /// or `None` when nothing could be corrected.
    async fn correct(&self, db: &Db, terms: &[String]) -> Result<Option<Vec<String>>, AppError> {
        let words = self.current(db).await?;
        let mut changed = false;
        let fixed = terms
            .iter()
            .map(|term| match words.nearest(term) {
                Some(word) => {
                    changed = true;
                    word.to_owned()
                }
                None => term.clone(),
            })
            .collect();
        Ok(changed.then_some(fixed))
    }

    async fn current(&self, db: &Db) -> Result<Arc<Words>, AppError> {
        let known = self.loaded.read().ok().and_then(|loaded| loaded.clone());
        if let Some(known) = &known
            && known.checked_at.elapsed() < RECHECK_AFTER
        {
            return Ok(Arc::clone(&known.words));
        }
        let version = with_db!(db, |pool| {
            sqlx::query_as::<_, (i64, Option<DateTime<Utc>>)>(
                "select count(*), max(updated_at) from articles where status = 'published' and audience <> 'internal'",
            )
            .fetch_one(pool)
            .await?
        });
        let words = match known {
            Some(known) if known.words.version == version => known.words,
            _ => {
                let texts = with_db!(db, |pool| {
                    sqlx::query_as::<_, (String, String)>(
                        "select title, summary from articles where status = 'published' and audience <> 'internal'",
                    )
                    .fetch_all(pool)
                    .await?
                });
                let texts = texts.iter().flat_map(|(title, summary)| [title.as_str(), summary.as_str()]);
                Arc::new(Words::from_texts(version, texts))
            }
        };
        if let Ok(mut loaded) = self.loaded.write() {
            *loaded = Some(Loaded { words: Arc::clone(&words), checked_at: Instant::now() });
        }
        Ok(words)
    }
}

impl Words {
    fn from_texts<'a>(version: (i64, Option<DateTime<Utc>>), texts: impl Iterator<Item = &'a str>) -> Self {
        let words = texts
            .flat_map(|text| text.split(|c: char| !c.is_alphanumeric()))
            // Numbers are never typos of each other: order 4243 is not order 4242.
            .filter(|word| word.chars().count() >= 3 && !word.chars().all(|c| c.is_ascii_digit()))
            .map(str::to_lowercase)
            .collect();
        Self { version, words }
    }

    /// The known word closest to `term` by edit distance (a swap of neighbours counts once),
    /// compared whole or, for a word still being typed, by its start. Short terms are left
    /// alone: one edit turns most three-letter words into another word.
    fn nearest(&self, term: &str) -> Option<&str> {
        let length = term.chars().count();
        let allowed = match length {
            0..=3 => return None,
            4..=7 => 1,
            _ => 2,
        };
        if self.words.range(term.to_owned()..).next().is_some_and(|w| w.starts_with(term)) {
            return None;
        }
        self.words
            .iter()
            .filter_map(|word| {
                // A word shorter than the term by more than the allowed edits is too far
                // whole and as a start; skipping it spares the distances.
                if word.chars().count() + allowed < length {
                    return None;
                }
                let whole = strsim::osa_distance(term, word);
                let start = word.char_indices().nth(length).map_or(word.as_str(), |(end, _)| &word[..end]);
                let typed_so_far = strsim::osa_distance(term, start);
                let distance = whole.min(typed_so_far);
                (distance <= allowed).then_some((distance, whole, word.as_str()))
            })
            .min()
            .map(|(_, _, word)| word)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(list: &[&str]) -> Words {
        Words::from_texts((0, None), list.iter().copied())
    }

    #[test]
    fn numbers_are_not_corrected_to_other_numbers() {
        let known = words(&["Order 4242 is delayed"]);
        assert_eq!(known.nearest("4243"), None);
        assert_eq!(known.nearest("ordr"), Some("order"));
    }

    #[test]
    fn questions_keep_their_meaningful_words() {
        assert_eq!(terms("How do I reset my Password?").unwrap(), ["reset", "password"]);
        assert_eq!(terms("to be or not to be").unwrap(), ["not"]);
        assert_eq!(terms("how to").unwrap(), ["how", "to"], "all stop words: keep them");
    }

    #[test]
    fn operators_and_quotes_are_only_separators() {
        assert_eq!(terms("\"refund\" OR* (invoice)-NEAR").unwrap(), ["refund", "invoice", "near"]);
        assert!(matches!(terms("%_*"), Err(AppError::Invalid(_))));
    }

    #[test]
    fn empty_and_oversized_queries_are_refused_with_a_reason() {
        assert!(matches!(terms("   "), Err(AppError::Invalid(_))));
        let Err(AppError::Invalid(message)) = terms(&"a".repeat(MAX_CHARS + 1)) else {
            panic!("oversized query accepted");
        };
        assert!(message.contains("200 characters"));
    }

    #[test]
    fn typos_are_corrected_to_the_nearest_known_word() {
        let known = words(&["password", "passport", "refund", "invoice", "shipping"]);
        assert_eq!(known.nearest("pasword"), Some("password"));
        assert_eq!(known.nearest("refnud"), Some("refund"), "a swapped pair is one edit");
        assert_eq!(known.nearest("shiping"), Some("shipping"));
        assert_eq!(known.nearest("invo"), None, "a prefix of a known word needs no correction");
        assert_eq!(known.nearest("invc"), Some("invoice"), "a word still being typed");
        assert_eq!(known.nearest("zeppelin"), None);
        assert_eq!(known.nearest("rfd"), None, "too short to guess");
    }
}
