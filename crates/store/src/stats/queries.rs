//! The statistics queries: subtree sums over the rollups (`$1`, `$2`: the subtree's path
//! range), the review and case figures, and targets.

/// Memberships now by occupation, channel, platform and status.
pub(super) const MEMBERSHIP_TALLIES: &str = "SELECT s.occupation, s.channel, s.platform_id, s.status, \
    CAST(SUM(s.members) AS BIGINT) FROM stats_memberships s JOIN orgs o ON o.id = s.org_id \
    WHERE o.path >= $1 AND o.path < $2 GROUP BY 1, 2, 3, 4 HAVING SUM(s.members) <> 0";

/// Flows per period key in `[$3, $4]`. A move counts only when its peer union lies outside
/// the subtree (no peer: not a move, and its moved counts are zero).
macro_rules! flow_tallies {
    ($table:literal, $period:literal) => {
        concat!(
            "SELECT f.",
            $period,
            ", f.occupation, f.channel, f.platform_id, CAST(SUM(f.joined) AS BIGINT), \
             CAST(SUM(f.withdrawn) AS BIGINT), CAST(SUM(f.expelled) AS BIGINT), CAST(SUM(f.deceased) AS BIGINT), \
             CAST(SUM(CASE WHEN p.path >= $1 AND p.path < $2 THEN 0 ELSE f.moved_in END) AS BIGINT), \
             CAST(SUM(CASE WHEN p.path >= $1 AND p.path < $2 THEN 0 ELSE f.moved_out END) AS BIGINT) \
             FROM ",
            $table,
            " f JOIN orgs o ON o.id = f.org_id LEFT JOIN orgs p ON p.id = f.peer_org_id \
             WHERE o.path >= $1 AND o.path < $2 AND f.",
            $period,
            " >= $3 AND f.",
            $period,
            " <= $4 GROUP BY 1, 2, 3, 4 ORDER BY 1"
        )
    };
}

/// Flows per day.
pub(super) const DAILY_TALLIES: &str = flow_tallies!("stats_daily_flows", "day");
/// Flows per month.
pub(super) const MONTHLY_TALLIES: &str = flow_tallies!("stats_monthly_flows", "month");
/// Flows per year.
pub(super) const YEARLY_TALLIES: &str = flow_tallies!("stats_yearly_flows", "year");

/// A union's children with their subtrees' held members (the trigger-kept counts).
pub(super) const CHILD_HELD: &str = "SELECT c.id, c.name, c.region_code, CAST(COALESCE(SUM(n.held), 0) AS BIGINT) \
    FROM orgs c JOIN orgs o ON o.path >= c.path AND o.path < c.path || ':' \
    LEFT JOIN org_member_counts n ON n.org_id = o.id WHERE c.parent_id = $1 \
    GROUP BY c.id, c.name, c.region_code ORDER BY c.id";

/// A union's children with their subtrees' net growth from the month `$2` on (moves
/// between two unions of one child cancel out).
pub(super) const CHILD_NET: &str = "SELECT c.id, CAST(SUM(f.joined - f.withdrawn - f.expelled - f.deceased \
    + f.moved_in - f.moved_out) AS BIGINT) \
    FROM orgs c JOIN orgs o ON o.path >= c.path AND o.path < c.path || ':' \
    JOIN stats_monthly_flows f ON f.org_id = o.id AND f.month >= $2 WHERE c.parent_id = $1 GROUP BY c.id";

/// The day with the most joins in `[$3, $4]` (the latest of equals).
pub(super) const BUSIEST_DAY: &str = "SELECT f.day, CAST(SUM(f.joined) AS BIGINT) FROM stats_daily_flows f \
    JOIN orgs o ON o.id = f.org_id WHERE o.path >= $1 AND o.path < $2 AND f.day >= $3 AND f.day <= $4 \
    GROUP BY f.day HAVING SUM(f.joined) > 0 ORDER BY 2 DESC, 1 DESC LIMIT 1";

/// The review rollup's days `[$3, $4]` of the subtree's receiving unions: received, of
/// those escalated, decided, of those instant.
pub(super) const REVIEW_DAYS: &str = "SELECT CAST(COALESCE(SUM(r.received), 0) AS BIGINT), \
    CAST(COALESCE(SUM(r.escalated), 0) AS BIGINT), CAST(COALESCE(SUM(r.decided), 0) AS BIGINT), \
    CAST(COALESCE(SUM(r.instant), 0) AS BIGINT) FROM stats_review_daily r JOIN orgs o ON o.id = r.org_id \
    WHERE o.path >= $1 AND o.path < $2 AND r.day >= $3 AND r.day <= $4";

/// The histogram of officers' times to decision over the same days.
pub(super) const REVIEW_TIMES: &str = "SELECT t.bucket, CAST(SUM(t.decisions) AS BIGINT) \
    FROM stats_review_times t JOIN orgs o ON o.id = t.org_id \
    WHERE o.path >= $1 AND o.path < $2 AND t.day >= $3 AND t.day <= $4 GROUP BY t.bucket ORDER BY 1";

/// The subtree's review queue now: waiting, and waiting past the deadline.
pub(super) const REVIEW_QUEUE: &str = "SELECT CAST(COUNT(*) AS BIGINT), \
    CAST(COALESCE(SUM(CASE WHEN review_deadline < $3 THEN 1 ELSE 0 END), 0) AS BIGINT) FROM applications \
    WHERE status = 'pending_review' AND reviewer_path >= $1 AND reviewer_path < $2";

/// Sets a target, replacing the union's for the same occupation and year.
pub(super) const SET_TARGET: &str = "INSERT INTO stats_targets (org_id, occupation, year, members, set_by, set_at) \
    VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT (org_id, occupation, year) DO UPDATE SET \
    members = excluded.members, set_by = excluded.set_by, set_at = excluded.set_at RETURNING id";

/// The targets of a subtree's unions for a year, by union and occupation.
pub(super) const TARGETS: &str = "SELECT t.id, t.org_id, o.name, o.path, t.occupation, t.year, t.members, \
    t.set_by, t.set_at FROM stats_targets t JOIN orgs o ON o.id = t.org_id \
    WHERE o.path >= $1 AND o.path < $2 AND t.year = $3 ORDER BY o.path, t.occupation";
