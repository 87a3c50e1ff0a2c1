//! The store's one error type.

/// What went wrong in the store. Constraint violations carry the constraint's name so
/// the web layer can map them to a 422 with a message a person understands.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A named database constraint rejected the write (e.g. `orgs_parent_name_key`).
    #[error("constraint {0} violated")]
    Constraint(&'static str),
    /// A referenced row does not exist (e.g. creating an org under a missing parent).
    #[error("{0} not found")]
    NotFound(&'static str),
    /// A stored row cannot be read back into the domain (data written by something else).
    #[error("corrupt row: {0}")]
    Corrupt(String),
    /// A bulk load found rows in a table it only loads into when empty.
    #[error("the {0} table is not empty")]
    NotEmpty(&'static str),
    /// This database does not support the operation.
    #[error("unsupported: {0}")]
    Unsupported(&'static str),
    /// The database URL is neither `sqlite:` nor `postgres://`.
    #[error("unsupported database URL (expected sqlite:PATH or postgres://...)")]
    UnsupportedUrl,
    /// Running the embedded migrations failed.
    #[error("migration failed: {0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    /// Any other database error.
    #[error("database error: {0}")]
    Database(sqlx::Error),
}

/// Constraints as SQLite reports them (it names the columns of a UNIQUE constraint, not
/// the constraint) mapped to the names PostgreSQL reports, so both read alike.
const SQLITE_UNIQUE_COLUMNS: [(&str, &str); 9] = [
    ("orgs.parent_id, orgs.name", "orgs_parent_name_key"),
    ("orgs.join_code", "orgs_join_code_key"),
    ("orgs.credit_code", "orgs_credit_code_key"),
    ("memberships.id_number_bidx", "memberships_one_held_key"),
    ("memberships.member_number", "memberships_member_number_key"),
    ("applications.id_number_bidx, applications.platform_id", "applications_one_pending_per_platform_key"),
    ("applications.id_number_bidx, applications.mobile_bidx", "applications_one_pending_per_mobile_key"),
    ("users.username", "users_username_key"),
    ("transfers.membership_id", "transfers_one_open_key"),
];

/// Every named constraint of the schema.
const CONSTRAINTS: [&str; 18] = [
    "orgs_parent_name_key",
    "memberships_member_number_key",
    "orgs_join_code_key",
    "orgs_credit_code_key",
    "orgs_auto_approval_check",
    "orgs_review_days_check",
    "memberships_one_held_key",
    "orgs_kind_check",
    "orgs_level_check",
    "orgs_name_check",
    "applications_one_pending_per_platform_key",
    "applications_one_pending_per_mobile_key",
    "applications_real_name_check_check",
    "users_username_key",
    "users_role_check",
    "transfers_one_open_key",
    "transfers_status_check",
    "transfers_membership_check",
];

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            let message = db.message();
            let named = db
                .constraint()
                .or_else(|| message.strip_prefix("CHECK constraint failed: "))
                .and_then(|name| CONSTRAINTS.iter().find(|c| **c == name).copied());
            let unique_columns = message
                .strip_prefix("UNIQUE constraint failed: ")
                .and_then(|columns| SQLITE_UNIQUE_COLUMNS.iter().find(|(c, _)| *c == columns))
                .map(|(_, name)| *name);
            if let Some(name) = named.or(unique_columns) {
                return StoreError::Constraint(name);
            }
        }
        StoreError::Database(error)
    }
}
