//! `/contest/{id}/board`: the public leaderboards. Unions below the one shown, ranked by
//! participation rate (`?by=rate`, the default) or average score (`?by=score`), each a
//! link one level down (`?org=ID`); the best people of that union's subtree with masked
//! names. Final once the window has closed.

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use huiji_app::contest::ContestError;
use huiji_app::contest::boards::{people, unions};
use huiji_core::contest::{Ratio, UnionOrder};
use huiji_core::person_name::mask_stored;
use huiji_core::{OrgId, OrgPath};
use serde::Deserialize;

use super::attempt::duration;
use super::{contest_of, lang_query};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Unions the phone page lists at most (the console lists all).
const UNIONS_SHOWN: usize = 30;

/// People the phone page lists.
const PEOPLE_SHOWN: u32 = 50;

/// `12.3%`.
pub(crate) fn percent(ratio: Ratio) -> String {
    let per_mille = ratio.per_mille();
    format!("{}.{}%", per_mille / 10, per_mille % 10)
}

/// The board's query.
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(crate) struct BoardQuery {
    /// The union drilled into.
    pub(crate) org: Option<i64>,
    /// `rate` or `score`.
    pub(crate) by: String,
}

impl BoardQuery {
    /// The order asked for.
    pub(crate) fn order(&self) -> UnionOrder {
        if self.by == "score" { UnionOrder::AverageScore } else { UnionOrder::Participation }
    }
}

/// A union's row.
pub(crate) struct UnionRow {
    pub(crate) rank: u32,
    pub(crate) id: i64,
    pub(crate) name: String,
    pub(crate) members: u64,
    pub(crate) participants: u64,
    pub(crate) rate: String,
    pub(crate) average: String,
}

/// A person's row.
pub(crate) struct PersonRow {
    pub(crate) rank: u32,
    pub(crate) name: String,
    /// For the organiser's export only; pages do not show it.
    pub(crate) member_number: String,
    pub(crate) union: String,
    pub(crate) correct: u32,
    pub(crate) time: String,
}

/// The figures of one level of the board, as pages and exports show them.
pub(crate) struct Board {
    /// The union drilled into.
    pub(crate) node: UnionRow,
    /// The union above it, while it is below the organiser.
    pub(crate) up: Option<i64>,
    /// Its unions, ranked.
    pub(crate) unions: Vec<UnionRow>,
    /// Its best people.
    pub(crate) people: Vec<PersonRow>,
    /// Final (frozen at the close).
    pub(crate) frozen: bool,
    /// Questions per attempt (the full score).
    pub(crate) questions: u32,
}

/// The board below `query.org` (the organiser by default), with `limit` people.
pub(crate) async fn board_of(
    state: &WebState,
    lang: Lang,
    contest: &huiji_store::ContestRecord,
    query: &BoardQuery,
    limit: u32,
) -> Result<Board, WebError> {
    let questions = contest.rules.questions_per_attempt();
    let missing = |e: ContestError| match e {
        ContestError::NotFound => WebError::NotFound,
        other => WebError::Internal(other.to_string()),
    };
    let standing = unions(&state.app, contest, query.org.map(OrgId), query.order()).await.map_err(missing)?;
    let node_org = state.store.org(standing.node.union.org).await?.ok_or(WebError::NotFound)?;
    let path: OrgPath = node_org.path.clone();
    let ranked = people(&state.app, contest, Some(&path), limit).await.map_err(missing)?;
    let row = |rank: u32, r: &huiji_core::contest::UnionResult<huiji_store::UnionTotals>| UnionRow {
        rank,
        id: r.union.org.0,
        name: r.union.name.clone(),
        members: r.members,
        participants: r.participants,
        rate: percent(r.participation()),
        average: percent(r.average(questions)),
    };
    Ok(Board {
        node: row(0, &standing.node),
        up: node_org.parent.filter(|_| node_org.id != contest.org).map(|p| p.0),
        unions: standing.children.iter().map(|r| row(r.rank, &r.item)).collect(),
        people: ranked
            .into_iter()
            .map(|r| PersonRow {
                rank: r.rank,
                name: mask_stored(&r.item.name),
                member_number: r.item.member_number.unwrap_or_default(),
                union: r.item.union_name,
                correct: r.item.correct,
                time: duration(lang, r.item.millis),
            })
            .collect(),
        frozen: standing.frozen,
        questions,
    })
}

#[derive(Template)]
#[template(path = "contest/board.html")]
struct BoardPage {
    lang: Lang,
    q: &'static str,
    contest_id: i64,
    contest_name: String,
    by_score: bool,
    board: Board,
    more_unions: usize,
}

/// `GET /contest/{id}/board`
pub(super) async fn board(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Query(query): Query<BoardQuery>,
) -> Result<Response, WebError> {
    let contest = contest_of(&state, id).await?;
    let mut board = board_of(&state, lang, &contest, &query, PEOPLE_SHOWN).await?;
    let more_unions = board.unions.len().saturating_sub(UNIONS_SHOWN);
    board.unions.truncate(UNIONS_SHOWN);
    let page = BoardPage {
        lang,
        q: lang_query(lang),
        contest_id: id,
        contest_name: contest.name.clone(),
        by_score: query.order() == UnionOrder::AverageScore,
        board,
        more_unions,
    };
    // Public figures, refreshed often while the contest runs.
    Ok((StatusCode::OK, [(header::CACHE_CONTROL, "public, max-age=30")], Html(page.render()?))
        .into_response())
}
