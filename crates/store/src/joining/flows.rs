//! The flow rollups a join adds to (`stats::maintain`'s `ADD_DAILY`/`ADD_MONTHLY`/
//! `ADD_YEARLY` for one join), as SQL text for both kinds of join: those that write the
//! membership first read its rollup key back (`tail`); PostgreSQL's one-statement join
//! takes it from its parameters (`postgres`), as its CTEs do not see their own writes.

/// One more joined in `$table`'s row for the period `$value` (`$period` its column) of
/// the union `$org` and the rest of the key (`$key`: occupation, channel, platform id),
/// selected `FROM $from`.
macro_rules! joined_flow_insert {
    ($table:literal, $period:literal, $value:expr, $org:literal, $key:expr, $from:expr) => {
        concat!(
            "INSERT INTO ",
            $table,
            " (org_id, ",
            $period,
            ", occupation, channel, platform_id, peer_org_id, joined, withdrawn, expelled, deceased, moved_in, \
             moved_out) SELECT ",
            $org,
            ", ",
            $value,
            ", ",
            $key,
            ", 0, 1, 0, 0, 0, 0, 0 FROM ",
            $from,
            " ON CONFLICT (org_id, ",
            $period,
            ", occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = ",
            $table,
            ".joined + 1"
        )
    };
}
pub(crate) use joined_flow_insert;

/// [`joined_flow_insert`] for the membership as written (`KEY_OF_MEMBERSHIP`'s key, read
/// in the same statement), the period's value and the membership named by `$v` (see
/// `instant::numbered`).
macro_rules! joined_flow {
    ($table:literal, $period:literal, $value:ident, $v:ident) => {
        $crate::joining::flows::joined_flow_insert!(
            $table,
            $period,
            $v!($value),
            "m.home_org_id",
            "m.occupation, COALESCE(a.channel, 'offline'), \
             CASE WHEN a.channel = 'platform' THEN COALESCE(a.platform_id, 0) ELSE 0 END",
            concat!(
                "memberships m LEFT JOIN applications a ON a.id = m.application_id WHERE m.id = ",
                $v!(membership)
            )
        )
    };
}
pub(crate) use joined_flow;
