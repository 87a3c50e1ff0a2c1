//! The store's one error type.

/// What went wrong in the store. A write the schema refused names the rule it broke as a
/// [`Conflict`], so the layers above match a variant, never a constraint's name.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A named database constraint rejected the write.
    #[error("{0}")]
    Conflict(Conflict),
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
    /// The write's transaction did not commit (its group-commit batch failed to begin or
    /// commit, or the store is closing): nothing of it is visible. Safe to retry.
    #[error("the write was not committed")]
    Uncommitted,
    /// Any other database error.
    #[error("database error: {0}")]
    Database(#[source] sqlx::Error),
}

/// Defines [`Conflict`] from one list, so a variant and its constraint's name cannot drift.
macro_rules! conflicts {
    ($($(#[$doc:meta])* $variant:ident = $constraint:literal,)+) => {
        /// A rule of the schema that refused a write: each variant is one named constraint
        /// (unique keys and checks), in the domain's words.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Conflict {
            $($(#[$doc])* $variant,)+
        }

        impl Conflict {
            /// Every conflict, for the lookup from a database's report.
            const ALL: &'static [Conflict] = &[$(Conflict::$variant,)+];

            /// The name of the constraint in both schemas (for logs and messages).
            pub const fn constraint(self) -> &'static str {
                match self {
                    $(Conflict::$variant => $constraint,)+
                }
            }
        }
    };
}

conflicts! {
    /// A sibling union already has this name.
    NameTaken = "orgs_parent_name_key",
    /// Another union already uses this join code.
    JoinCodeTaken = "orgs_join_code_key",
    /// Another union already has this unified social credit code.
    CreditCodeTaken = "orgs_credit_code_key",
    /// An org's automatic-approval setting is not one the schema knows.
    AutoApprovalInvalid = "orgs_auto_approval_check",
    /// An org's review period is outside the allowed days.
    ReviewDaysOutOfRange = "orgs_review_days_check",
    /// An org kind the schema does not know.
    OrgKindInvalid = "orgs_kind_check",
    /// An org level the schema does not know.
    OrgLevelInvalid = "orgs_level_check",
    /// An org name that is empty or too long.
    OrgNameLength = "orgs_name_check",
    /// The member number is already issued.
    MemberNumberTaken = "memberships_member_number_key",
    /// The person already holds a membership.
    AlreadyMember = "memberships_one_held_key",
    /// The person already has an application pending through this platform.
    PendingForPlatform = "applications_one_pending_per_platform_key",
    /// The person already has an application pending from this mobile.
    PendingForMobile = "applications_one_pending_per_mobile_key",
    /// A real-name check result the schema does not know.
    RealNameCheckInvalid = "applications_real_name_check_check",
    /// The username is taken.
    UsernameTaken = "users_username_key",
    /// A role the schema does not know.
    RoleInvalid = "users_role_check",
    /// The membership already has an open transfer.
    TransferOpen = "transfers_one_open_key",
    /// A transfer status the schema does not know.
    TransferStatusInvalid = "transfers_status_check",
    /// A transfer that names neither or both of a membership and an ID number.
    TransferMembershipInvalid = "transfers_membership_check",
    /// The owning union already has a station of this name.
    StationNameTaken = "stations_org_name_key",
    /// A roster import's source name is empty or longer than 60 characters.
    RosterSourceInvalid = "roster_imports_source_check",
}

impl std::fmt::Display for Conflict {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "constraint {} violated", self.constraint())
    }
}

/// Unique constraints as SQLite reports them (it names the columns, not the constraint).
/// A unique index on an expression is reported by its name instead (`index '…'`), and
/// is found by that among the constraints' names.
const SQLITE_UNIQUE_COLUMNS: [(&str, Conflict); 9] = [
    ("orgs.parent_id, orgs.name", Conflict::NameTaken),
    ("orgs.join_code", Conflict::JoinCodeTaken),
    ("orgs.credit_code", Conflict::CreditCodeTaken),
    ("memberships.member_number", Conflict::MemberNumberTaken),
    ("applications.id_number_bidx, applications.platform_id", Conflict::PendingForPlatform),
    ("applications.id_number_bidx, applications.mobile_bidx", Conflict::PendingForMobile),
    ("users.username", Conflict::UsernameTaken),
    ("transfers.membership_id", Conflict::TransferOpen),
    ("stations.org_id, stations.name", Conflict::StationNameTaken),
];

impl From<sqlx::Error> for StoreError {
    fn from(error: sqlx::Error) -> Self {
        if let sqlx::Error::Database(db) = &error {
            let message = db.message();
            let named = db
                .constraint()
                .or_else(|| message.strip_prefix("CHECK constraint failed: "))
                .or_else(|| {
                    message
                        .strip_prefix("UNIQUE constraint failed: index '")
                        .and_then(|rest| rest.strip_suffix('\''))
                })
                .and_then(|name| Conflict::ALL.iter().find(|c| c.constraint() == name).copied());
            let unique_columns = message
                .strip_prefix("UNIQUE constraint failed: ")
                .and_then(|columns| SQLITE_UNIQUE_COLUMNS.iter().find(|(c, _)| *c == columns))
                .map(|(_, conflict)| *conflict);
            if let Some(conflict) = named.or(unique_columns) {
                return StoreError::Conflict(conflict);
            }
        }
        StoreError::Database(error)
    }
}
