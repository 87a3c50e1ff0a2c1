//! The member list's search: the filters an officer typed or a link carries, read into
//! a store query within the officer's subtree.

use huiji_core::{
    CivilDate, IdNumber, MemberNumber, MembershipStatus, Mobile, Occupation, Org, OrgId, Timestamp,
};
use huiji_store::MemberQuery;
use huiji_vault::Field;
use serde::Deserialize;

use crate::console::Officer;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The list's filters as typed; empty means "any". A typed ID number or mobile comes
/// only in the posted form ([`Source`]) and is never echoed into the page: links and the
/// form carry its blind index (`id_key`, `mobile_key`) instead, so no page or URL holds a
/// full value.
#[derive(Clone, Default, Deserialize)]
#[serde(default)]
pub(super) struct Filters {
    pub(super) name: String,
    pub(super) number: String,
    pub(super) id_number: String,
    pub(super) id_key: String,
    pub(super) mobile: String,
    pub(super) mobile_key: String,
    pub(super) org: String,
    pub(super) occupation: String,
    pub(super) status: String,
    pub(super) joined_from: String,
    pub(super) joined_to: String,
    pub(super) before: String,
}

/// Where a search's filters came from. A link (a GET's query string, which ends up in
/// browser histories and access logs) may carry an identifier only as its blind-index
/// key; a full ID number or mobile is honoured only in the search form's body (POST).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Source {
    /// A URL: the list's links, bookmarks, the exports.
    Link,
    /// The posted search form.
    Form,
}

/// A search the store can run, what the page says about it, and the fields that could
/// not be read (a search with problems shows no results).
pub(super) struct Search {
    pub(super) query: MemberQuery,
    pub(super) org: Option<Org>,
    pub(super) problems: Vec<String>,
    /// The blind indexes in force, for the form and the links.
    pub(super) id_key: String,
    pub(super) mobile_key: String,
    /// What the officer sees of the identifiers searched for.
    pub(super) id_shown: Option<String>,
    pub(super) mobile_shown: Option<String>,
}

impl Search {
    /// The filters in force as a query string, without paging (for links and exports).
    pub(super) fn link_query(&self, filters: &Filters) -> String {
        let pairs: Vec<(&str, &str)> = [
            ("name", filters.name.trim()),
            ("number", filters.number.trim()),
            ("id_key", self.id_key.as_str()),
            ("mobile_key", self.mobile_key.as_str()),
            ("org", filters.org.trim()),
            ("occupation", filters.occupation.trim()),
            ("status", filters.status.trim()),
            ("joined_from", filters.joined_from.trim()),
            ("joined_to", filters.joined_to.trim()),
        ]
        .into_iter()
        .filter(|(_, value)| !value.is_empty())
        .collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    }
}

/// The blind index an identifier filter uses and its masked form: the typed value's
/// (`Some(Err)` when it is invalid), else one carried in a link (64 hex digits).
fn identifier(
    typed: Option<Result<(String, String), String>>,
    carried: &str,
    problems: &mut Vec<String>,
) -> (String, Option<String>) {
    let carried = carried.trim();
    match typed {
        Some(Ok((key, shown))) => (key, Some(shown)),
        Some(Err(problem)) => {
            problems.push(problem);
            (String::new(), None)
        }
        None if carried.len() == 64 && carried.bytes().all(|b| b.is_ascii_hexdigit()) => {
            (carried.to_owned(), None)
        }
        None => (String::new(), None),
    }
}

/// Reads the filters into a store query within the officer's scope. An org outside the
/// scope is a 404, like a missing one.
pub(super) async fn resolve(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    filters: &Filters,
    source: Source,
    limit: u32,
) -> Result<Search, WebError> {
    let mut problems = Vec::new();
    let id_number = filters.id_number.trim();
    let mobile = filters.mobile.trim();
    let (id_number, mobile) = match source {
        Source::Form => (id_number, mobile),
        Source::Link if id_number.is_empty() && mobile.is_empty() => ("", ""),
        Source::Link => {
            problems.push(
                lang.t(
                    "完整的身份证号和手机号只能通过查询表单提交，不能放在链接里",
                    "Full ID numbers and mobiles are searched through the form only, never in a link",
                )
                .to_owned(),
            );
            ("", "")
        }
    };
    let mut query = MemberQuery { within: Some(officer.scope().clone()), limit, ..MemberQuery::default() };
    let org = match filters.org.trim() {
        "" => None,
        text => {
            let id = text.parse().map_err(|_| WebError::NotFound)?;
            let org = officer.org_in_scope(state, OrgId(id)).await?;
            query.within = Some(org.path.clone());
            Some(org)
        }
    };
    let name = filters.name.trim();
    query.name_prefix = (!name.is_empty()).then(|| name.to_owned());
    if !filters.number.trim().is_empty() {
        match MemberNumber::parse(&filters.number) {
            Some(number) => query.member_number = Some(number.as_str().to_owned()),
            None => problems
                .push(lang.t("会员号无效（13位数字，末位为校验位）", "Invalid member number").to_owned()),
        }
    }
    let today = state.app.now().china_date();
    let words = |zh: String, en: String| if lang == Lang::Zh { zh } else { en };
    let id_typed = (!id_number.is_empty()).then(|| {
        IdNumber::parse(id_number, today, |p| state.app.regions().province_exists(p))
            .map(|id| (state.app.keys().blind_index(Field::IdNumber, id.as_str()).to_hex(), id.masked()))
            .map_err(|e| {
                format!("{}{}", lang.t("身份证号：", "ID number: "), words(e.message_zh(), e.message_en()))
            })
    });
    let mobile_typed = (!mobile.is_empty()).then(|| {
        Mobile::parse(mobile)
            .map(|m| (state.app.keys().blind_index(Field::Mobile, m.as_str()).to_hex(), m.masked()))
            .map_err(|e| {
                format!("{}{}", lang.t("手机号：", "Mobile: "), words(e.message_zh(), e.message_en()))
            })
    });
    let (id_key, id_shown) = identifier(id_typed, &filters.id_key, &mut problems);
    let (mobile_key, mobile_shown) = identifier(mobile_typed, &filters.mobile_key, &mut problems);
    query.id_number_bidx = (!id_key.is_empty()).then(|| id_key.clone());
    query.mobile_bidx = (!mobile_key.is_empty()).then(|| mobile_key.clone());
    match filters.occupation.trim() {
        "" => {}
        code => match code.parse::<Occupation>() {
            Ok(o) => query.occupation = Some(o.code().to_owned()),
            Err(_) => problems.push(lang.t("未知的从业类型", "Unknown occupation").to_owned()),
        },
    }
    match filters.status.trim() {
        "" => {}
        code => match code.parse::<MembershipStatus>() {
            Ok(s) => query.status = Some(s.code().to_owned()),
            Err(_) => problems.push(lang.t("未知的会籍状态", "Unknown status").to_owned()),
        },
    }
    let mut day = |text: &str, what: &str| -> Option<CivilDate> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = CivilDate::parse_iso(text);
        if parsed.is_none() {
            problems.push(format!("{what}{}", lang.t("：日期格式应为 YYYY-MM-DD", ": use YYYY-MM-DD")));
        }
        parsed
    };
    query.joined_from = day(&filters.joined_from, lang.t("入会起", "Joined from"))
        .map(|d| Timestamp::china_day_start(d).millis());
    // Inclusive of the whole last day: before the next day's midnight.
    query.joined_to = day(&filters.joined_to, lang.t("入会止", "Joined to"))
        .map(|d| Timestamp::china_day_start(d).plus_days(1).millis());
    Ok(Search { query, org, problems, id_key, mobile_key, id_shown, mobile_shown })
}
