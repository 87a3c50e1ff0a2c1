//! The text of SQLite's triggers on the `join_rows` view (migrations 0087, 0088, 0091), as
//! the store's statements make it: the conformance test `join_tail::…` compares it with
//! what the migrations created, so the batch (`sqlite`) and the joins written one by one
//! cannot drift apart.

/// The trigger's first step: the row is left out (`RAISE(IGNORE)`: the statement goes on
/// with the next row) unless the person has nothing (`instant::already_there`), the
/// landing union exists, no on-approval benefit programme may grant, the key is new and
/// the proven mobile is not bound to another identity (`mobile_bound_elsewhere`: an
/// instant approval needs a free one, and the caller may not have read it —
/// [`crate::MobileBinding::Assumed`]; checked here, in the transaction that writes the
/// row, it also sees the rows written before it in the same statement).
macro_rules! leave_out_unless_new {
    () => {
        concat!(
            "SELECT RAISE(IGNORE) WHERE EXISTS (",
            super::instant::already_there!("NEW.id_number_bidx", "COALESCE(NEW.platform_id, 0)", "NEW.mobile_bidx"),
            ") OR NOT EXISTS (SELECT 1 FROM orgs WHERE id = NEW.landing_org) \
             OR EXISTS (SELECT 1 FROM benefit_programmes WHERE grant_mode = 'on_approval' AND granted < quota) \
             OR EXISTS (SELECT 1 FROM idempotency_keys WHERE platform_id = NEW.key_platform AND key = NEW.key) \
             OR (NEW.mobile_verified AND EXISTS (",
            super::mobile_bound_elsewhere!("NEW.mobile_bidx", "NEW.id_number_bidx"),
            "))"
        )
    };
}

/// The application, approved at once, with its ids (as `instant`'s decided insert and
/// `batched`'s `a`).
macro_rules! insert_application {
    () => {
        concat!(
            "INSERT INTO applications (id, membership_id, decided_at, decided_by, ",
            super::instant::application_columns_in!(),
            ") VALUES (NEW.application_id, NEW.membership_id, NEW.at, NEW.actor, 'approved', NEW.channel, \
             NEW.source, NEW.receiving_org, NEW.landing_org, NEW.in_pool, NEW.name, NEW.id_number_ct, \
             NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, NEW.region_code, \
             NEW.employer_name, NEW.employer_credit_code, NEW.consent_version, NEW.consent_at, \
             NEW.mobile_verified, FALSE, NULL, NEW.at, NEW.receiving_org, \
             (SELECT path FROM orgs WHERE id = NEW.receiving_org), NEW.platform_id, NEW.external_ref, \
             NEW.mobile_bound_elsewhere, NEW.real_name_check)"
        )
    };
}

/// The membership at its landing union, numbered (as `batched`'s `m`).
macro_rules! insert_membership {
    () => {
        "INSERT INTO memberships (id, member_number, status, home_org_id, home_path, in_pool, name, \
         id_number_ct, id_number_bidx, mobile_ct, mobile_bidx, sex, occupation, region_code, application_id, \
         joined_at) SELECT NEW.membership_id, NEW.member_number, 'active', o.id, o.path, NEW.in_pool, NEW.name, \
         NEW.id_number_ct, NEW.id_number_bidx, NEW.mobile_ct, NEW.mobile_bidx, NEW.sex, NEW.occupation, \
         NEW.region_code, NEW.application_id, NEW.at FROM orgs o WHERE o.id = NEW.landing_org"
    };
}

/// The key with its answer (as `tail`'s `key_answer`; the first step saw it is new).
macro_rules! insert_key {
    () => {
        "INSERT INTO idempotency_keys \
         (platform_id, key, request_hash, status_code, response_body, created_at, expires_at) \
         VALUES (NEW.key_platform, NEW.key, NEW.request_hash, NEW.status_code, NEW.response_body, NEW.key_at, \
         NEW.key_expires_at)"
    };
}

/// The triggers on the `join_rows` view as the store's statements make them, by name
/// (migration 0091 holds this text; the conformance test `join_tail::…` compares them).
/// `join_row` runs first (SQLite runs the newest first): the first step, the application
/// and membership, the membership's event, the key. Then the join's statistics, then who
/// hears of it — the statements of `tail` (the number is the membership's own now, and the
/// application is linked when inserted), in three programs so that none holds all of
/// their cursors open at once (migration 0091 says why).
pub(crate) const JOIN_ROW_TRIGGERS: [(&str, &str); 3] = {
    use super::flows::joined_flow;
    // `joined_statistics!` names the flows' and counts' macros where it is expanded: here.
    use super::tail::{
        decided_webhook, joined_event, joined_membership, joined_statistics, new_row, received_and_decided,
        welcome,
    };
    [
        (
            "join_row",
            concat!(
                "CREATE TRIGGER join_row INSTEAD OF INSERT ON join_rows\nBEGIN\n    ",
                leave_out_unless_new!(),
                ";\n    ",
                insert_application!(),
                ";\n    ",
                insert_membership!(),
                ";\n    ",
                joined_event!(new_row),
                ";\n    ",
                insert_key!(),
                ";\nEND"
            ),
        ),
        (
            "join_row_statistics",
            concat!(
                "CREATE TRIGGER join_row_statistics INSTEAD OF INSERT ON join_rows\nBEGIN\n    ",
                joined_statistics!(),
                ";\nEND"
            ),
        ),
        (
            "join_row_follow_ups",
            concat!(
                "CREATE TRIGGER join_row_follow_ups INSTEAD OF INSERT ON join_rows\nBEGIN\n    ",
                decided_webhook!(new_row),
                ";\n    ",
                crate::roster::refresh_application!(new_row!(application)),
                ";\n    ",
                welcome!(new_row),
                ";\nEND"
            ),
        ),
    ]
};
