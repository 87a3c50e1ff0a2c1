//! Officer accounts as admins manage them: who may change which account, which roles the
//! console hands out, and the daily digest's words. The console and the command line
//! reach these rules through `app::accounts::manage`.

use crate::{OrgPath, Role};

/// The hour (China time) from which the daily digest of waiting reviews goes out.
pub const DIGEST_HOUR: u16 = 8;

/// Why an admin may not make a change to an account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AccountRefusal {
    /// Only admins manage accounts.
    #[error("only admins manage accounts")]
    NotAdmin,
    /// The account's union lies outside the admin's subtree (answered like a missing one).
    #[error("not found")]
    OutOfScope,
    /// An admin does not disable, demote or strip their own account: another admin does,
    /// so nobody locks a subtree out by a slip.
    #[error("an admin does not change their own account here")]
    OwnAccount,
    /// `pii.reveal` is granted (or withdrawn) only by an admin who holds it.
    #[error("only an admin holding pii.reveal grants it")]
    RevealNotHeld,
    /// Judge-only accounts are appointed to calls, not made as console accounts.
    #[error("the console makes admins, reviewers and viewers")]
    Role,
}

/// The admin acting on accounts, as the rules need them.
#[derive(Clone, Copy, Debug)]
pub struct AccountAdmin<'a> {
    /// Their role.
    pub role: Role,
    /// Their subtree.
    pub scope: &'a OrgPath,
    /// Whether they hold `pii.reveal`.
    pub can_reveal: bool,
}

impl AccountAdmin<'_> {
    /// Whether they may manage the accounts of the union at `path` at all.
    ///
    /// # Errors
    ///
    /// Not an admin, or the union outside their subtree.
    pub fn may_manage(&self, path: &OrgPath) -> Result<(), AccountRefusal> {
        if !self.role.is_admin() {
            Err(AccountRefusal::NotAdmin)
        } else if !self.scope.contains(path) {
            Err(AccountRefusal::OutOfScope)
        } else {
            Ok(())
        }
    }

    /// Whether they may give an account (a new one, or by a change) this role and
    /// reveal permission; `reveal_changes` is whether the permission is being set.
    ///
    /// # Errors
    ///
    /// A role the console does not make, or `pii.reveal` without holding it.
    pub fn may_grant(&self, role: Role, reveal_changes: bool) -> Result<(), AccountRefusal> {
        if !role.uses_console() {
            Err(AccountRefusal::Role)
        } else if reveal_changes && !self.can_reveal {
            Err(AccountRefusal::RevealNotHeld)
        } else {
            Ok(())
        }
    }
}

/// The daily digest to an officer whose subtree has reviews waiting; `None` when none
/// wait (nobody is texted about nothing).
pub fn digest_text(pending: u64, overdue: u64, public_url: &str) -> Option<String> {
    if pending == 0 {
        return None;
    }
    let overdue =
        if overdue > 0 { format!("，其中{overdue}件已超过审核期限") } else { String::new() };
    Some(format!(
        "【会籍】您有{pending}件入会申请待审核{overdue}。请登录 {public_url}/console/applications 处理。"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::OrgId;

    fn admin(scope: &OrgPath, can_reveal: bool) -> AccountAdmin<'_> {
        AccountAdmin { role: Role::Admin, scope, can_reveal }
    }

    #[test]
    fn admins_manage_their_subtree_only() {
        let county = OrgPath::root(OrgId(1)).child(OrgId(5));
        let township = county.child(OrgId(9));
        let sibling = OrgPath::root(OrgId(1)).child(OrgId(6));
        assert_eq!(admin(&county, false).may_manage(&county), Ok(()));
        assert_eq!(admin(&county, false).may_manage(&township), Ok(()));
        assert_eq!(admin(&county, false).may_manage(&sibling), Err(AccountRefusal::OutOfScope));
        let reviewer = AccountAdmin { role: Role::Reviewer, scope: &county, can_reveal: true };
        assert_eq!(reviewer.may_manage(&township), Err(AccountRefusal::NotAdmin));
    }

    #[test]
    fn reveal_is_granted_only_by_its_holders_and_judges_are_not_made_here() {
        let scope = OrgPath::root(OrgId(1));
        assert_eq!(admin(&scope, false).may_grant(Role::Reviewer, false), Ok(()));
        assert_eq!(admin(&scope, false).may_grant(Role::Reviewer, true), Err(AccountRefusal::RevealNotHeld));
        assert_eq!(admin(&scope, true).may_grant(Role::Viewer, true), Ok(()));
        assert_eq!(admin(&scope, true).may_grant(Role::Judge, false), Err(AccountRefusal::Role));
    }

    #[test]
    fn the_digest_counts_what_waits() {
        assert_eq!(digest_text(0, 0, "https://h"), None);
        let text = digest_text(3, 1, "https://h").unwrap_or_default();
        assert!(text.contains("3件入会申请待审核，其中1件已超过审核期限"), "{text}");
        assert!(text.contains("https://h/console/applications"), "{text}");
        let text = digest_text(2, 0, "https://h").unwrap_or_default();
        assert!(!text.contains("超过"), "{text}");
    }
}
