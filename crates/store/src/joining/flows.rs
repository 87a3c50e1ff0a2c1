//! The flow rollups a join adds to (`stats::maintain`'s `ADD_DAILY`/`ADD_MONTHLY`/
//! `ADD_YEARLY`), as SQL text for both kinds of join: those that write the membership
//! first read its rollup key back (`tail`, one join); PostgreSQL's batches take the keys
//! from their parameters (`batched`, one row a key for all the joins of a batch), as
//! their CTEs do not see their own writes.

/// `$joined` more joined in `$table`'s row for the period `$value` (`$period` its column)
/// of the union `$org` and the rest of the key (`$key`: occupation, channel, platform
/// id), selected `FROM $from`; an existing row gets `$added` more. One join: `$joined`
/// and `$added` are 1 (the short form).
macro_rules! joined_flow_insert {
    ($table:literal, $period:literal, $value:expr, $org:literal, $key:expr, $from:expr) => {
        $crate::joining::flows::joined_flow_insert!($table, $period, $value, $org, $key, "1", $from, "1")
    };
    ($table:literal, $period:literal, $value:expr, $org:literal, $key:expr, $joined:literal, $from:expr,
     $added:literal) => {
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
            ", 0, ",
            $joined,
            ", 0, 0, 0, 0, 0 FROM ",
            $from,
            " ON CONFLICT (org_id, ",
            $period,
            ", occupation, channel, platform_id, peer_org_id) DO UPDATE SET joined = ",
            $table,
            ".joined + ",
            $added
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
