//! Revealing a member's full name, ID number or mobile (`pii.reveal`): only for officers
//! holding the permission, within their subtree, after a reason; every reveal is in the
//! audit log before the value is returned.

use huiji_core::audit::AuditAction;
use huiji_vault::Field;

use super::{MembersError, Result, home_path, in_scope, reason};
use crate::App;
use crate::actor::Actor;

/// A sealed identifier an officer may reveal.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Revealable {
    /// The resident ID number.
    IdNumber,
    /// The mobile.
    Mobile,
    /// The full name (lists show `王*`).
    Name,
}

impl Revealable {
    /// The form's code (`id_number`, `mobile`, `name`).
    pub fn parse(code: &str) -> Option<Revealable> {
        match code {
            "id_number" => Some(Revealable::IdNumber),
            "mobile" => Some(Revealable::Mobile),
            "name" => Some(Revealable::Name),
            _ => None,
        }
    }
}

/// The full value of a member's identifier, recorded in the audit log with the reason.
/// The checks run in this order: the membership in scope, the permission, the field,
/// the reason, the data still there.
///
/// # Errors
///
/// Not found or out of scope, no `pii.reveal`, an unknown field, no reason or one too
/// long, purged data, or the store's.
pub async fn reveal(app: &App, actor: &Actor, id: i64, field: &str, why: &str) -> Result<String> {
    let member = in_scope(app, actor, id).await?;
    let may = match actor {
        Actor::Officer(officer) => officer.can_reveal,
        Actor::Operator => true,
    };
    if !may {
        return Err(MembersError::Forbidden);
    }
    let field = Revealable::parse(field).ok_or(MembersError::UnknownField)?;
    let why = reason(why)?;
    let sealed = |field: Field, ciphertext: &[u8]| app.keys().decrypt(field, ciphertext);
    // A purged member has no ciphertext (and no name) left: nothing to reveal or record.
    let (value, action) = match field {
        Revealable::IdNumber => {
            (sealed(Field::IdNumber, &member.id_number_ct).ok(), AuditAction::RevealIdNumber)
        }
        Revealable::Mobile => (sealed(Field::Mobile, &member.mobile_ct).ok(), AuditAction::RevealMobile),
        // The name is kept as typed (lists mask it); a purge empties it.
        Revealable::Name => {
            let name = member.record.name.trim();
            ((!name.is_empty()).then(|| name.to_owned()), AuditAction::RevealName)
        }
    };
    let value = value.ok_or(MembersError::Purged)?;
    let scope = match home_path(&member) {
        Some(path) => path,
        None => match actor {
            Actor::Officer(officer) => officer.scope.clone(),
            Actor::Operator => crate::audit::root_scope(app.store().as_ref()).await?,
        },
    };
    actor.audit_because(app, &scope, action, format!("membership:{id}"), Some(why)).await?;
    Ok(value)
}
