//! What an audit record is about, read back as words. Writers put references in the
//! subject as `kind:value` tokens (`application:8`, `org:4`, `policy:off`, `rows:12`)
//! between free text; the log page turns each token into a labelled, linkable piece so
//! the record reads as a sentence in the reader's language, and text it does not know
//! stays as written (older records included).

use crate::labelled::labelled_enum;
use crate::membership::{AutoApproval, LifecycleAction};

labelled_enum!(
    /// A kind of record a subject names by id.
    SubjectKind {
        /// An application to join.
        Application = "application", "入会申请", "application";
        /// A membership.
        Membership = "membership", "会籍", "membership";
        /// A transfer between unions.
        Transfer = "transfer", "接转", "transfer";
        /// A union.
        Org = "org", "工会", "union";
        /// A benefit programme.
        Benefit = "benefit", "普惠项目", "benefit programme";
        /// One grant of a benefit.
        Grant = "grant", "发放记录", "grant";
        /// A service station.
        Station = "station", "服务站点", "station";
        /// A legal-aid case.
        Case = "case", "维权案件", "case";
        /// An innovation-results call.
        Call = "call", "创新成果评选", "call";
        /// An entry to a call.
        Entry = "entry", "申报成果", "entry";
        /// A 安康杯 contest.
        Contest = "contest", "竞赛", "contest";
        /// A statistics screen token.
        Screen = "screen", "大屏令牌", "screen token";
        /// A membership target.
        Target = "target", "发展目标", "target";
        /// An officer's account.
        User = "user", "账号", "account";
        /// A model worker of the innovation registry.
        ModelWorker = "model_worker", "劳模", "model worker";
        /// An innovation studio.
        Studio = "studio", "创新工作室", "studio";
        /// An innovation project.
        Project = "project", "创新项目", "project";
        /// A mentorship.
        Mentorship = "mentorship", "师带徒", "mentorship";
        /// An innovation activity.
        Activity = "activity", "活动", "activity";
        /// A consent text version.
        Consent = "consent", "同意书版本", "consent version";
        /// An encryption key.
        Key = "key", "密钥", "key";
    }
);

labelled_enum!(
    /// A count a subject reports (`rows:12`).
    CountKind {
        /// Rows read.
        Rows = "rows", "行数", "rows";
        /// Records added.
        Added = "added", "新增", "added";
        /// Rows that repeat an earlier one.
        Duplicates = "duplicates", "重复", "duplicates";
        /// Rows refused.
        Rejected = "rejected", "拒绝", "rejected";
        /// People concerned.
        People = "people", "人数", "people";
    }
);

/// One piece of a subject.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SubjectPart<'a> {
    /// Free text, as written.
    Text(&'a str),
    /// A record named by kind and id.
    Record(SubjectKind, i64),
    /// A review policy (`policy:all_verified`).
    Policy(AutoApproval),
    /// A number of days (`days:3`).
    Days(u32),
    /// A change of a membership's state (`lifecycle:withdraw`).
    Lifecycle(LifecycleAction),
    /// A count (`rows:12`).
    Count(CountKind, u64),
}

/// Splits a subject into pieces; whitespace between pieces is dropped (the reader joins
/// them with spaces), unknown tokens stay text.
pub fn parse(subject: &str) -> Vec<SubjectPart<'_>> {
    subject.split_whitespace().map(part).collect()
}

fn part(token: &str) -> SubjectPart<'_> {
    let Some((kind, value)) = token.split_once(':') else { return SubjectPart::Text(token) };
    let known = match kind {
        "policy" => value.parse().ok().map(SubjectPart::Policy),
        "days" => value.parse().ok().map(SubjectPart::Days),
        "lifecycle" => value.parse().ok().map(SubjectPart::Lifecycle),
        _ => match (kind.parse::<CountKind>(), kind.parse::<SubjectKind>()) {
            (Ok(count), _) => value.parse().ok().map(|n| SubjectPart::Count(count, n)),
            (_, Ok(record)) => {
                value.parse().ok().filter(|id| *id > 0).map(|id| SubjectPart::Record(record, id))
            }
            _ => None,
        },
    };
    known.unwrap_or(SubjectPart::Text(token))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_become_parts_and_the_rest_stays_text() {
        assert_eq!(parse("application:8"), [SubjectPart::Record(SubjectKind::Application, 8)]);
        assert_eq!(
            parse("station:3 合肥站 phone"),
            [
                SubjectPart::Record(SubjectKind::Station, 3),
                SubjectPart::Text("合肥站"),
                SubjectPart::Text("phone")
            ]
        );
        assert_eq!(
            parse("policy:all_verified days:3 → policy:off days:2"),
            [
                SubjectPart::Policy(AutoApproval::AllVerified),
                SubjectPart::Days(3),
                SubjectPart::Text("→"),
                SubjectPart::Policy(AutoApproval::Off),
                SubjectPart::Days(2)
            ]
        );
        assert_eq!(parse("rows:12"), [SubjectPart::Count(CountKind::Rows, 12)]);
        assert_eq!(
            parse("membership:4 lifecycle:withdraw"),
            [
                SubjectPart::Record(SubjectKind::Membership, 4),
                SubjectPart::Lifecycle(LifecycleAction::Withdraw)
            ]
        );
    }

    #[test]
    fn what_is_not_a_reference_is_kept_as_written() {
        // Older records, a user name (not an id), a time of day, a bad policy code.
        assert_eq!(parse("4 rows;"), [SubjectPart::Text("4"), SubjectPart::Text("rows;")]);
        assert_eq!(parse("user:anhui"), [SubjectPart::Text("user:anhui")]);
        assert_eq!(parse("08:30"), [SubjectPart::Text("08:30")]);
        assert_eq!(parse("policy:sometimes"), [SubjectPart::Text("policy:sometimes")]);
        assert_eq!(parse("org:0 org:-1"), [SubjectPart::Text("org:0"), SubjectPart::Text("org:-1")]);
        assert!(parse("  ").is_empty());
    }
}
