//! The member's side, after the SMS check on `/status` (and read-only on the card): the
//! grants they hold, the programmes they may claim — each with the rule that keeps them
//! out, if one does — and the claim itself. `/status` keeps no session, so a signed,
//! short-lived token per membership stands for the SMS proof, as for legal-aid ratings.

use huiji_core::benefit::{GrantId, GrantMode, GrantRefusal, ProgrammeId, valid_until};
use huiji_store::{MemberGrant, NewGrant, ProgrammeRecord};

use super::{BenefitError, birth_date, granted};
use crate::App;

/// How long the SMS proof behind a claim token lasts.
const TOKEN_MS: i64 = 15 * 60 * 1000;

/// What a claim token's signature is for.
const PURPOSE: &str = "benefit-claim";

/// A programme the member may claim, or could if a rule did not keep them out.
#[derive(Clone, Debug)]
pub struct Claimable {
    /// The programme.
    pub programme: ProgrammeRecord,
    /// Why a claim would be refused now (a rule, the quota), if it would.
    pub refusal: Option<GrantRefusal>,
}

/// A membership's benefits as its owner sees them.
#[derive(Clone, Debug)]
pub struct MemberBenefits {
    /// The membership.
    pub membership: i64,
    /// Its grants, newest first, with their programmes.
    pub grants: Vec<MemberGrant>,
    /// Running claim programmes of its sponsors that it holds no grant of.
    pub claimable: Vec<Claimable>,
}

/// The token standing for the SMS proof of `membership`'s mobile, for its claims.
pub fn claim_token(app: &App, membership: i64) -> String {
    app.keys().expiring_token(PURPOSE, membership, app.now().millis() + TOKEN_MS)
}

/// A membership's grants and what it may claim. Call only after the SMS code proved
/// the membership's mobile (or for the card page, which shows grants only:
/// `with_claims` false).
///
/// # Errors
///
/// The store's.
pub async fn benefits_of_member(
    app: &App,
    membership: i64,
    with_claims: bool,
) -> Result<MemberBenefits, BenefitError> {
    let grants = app.store().member_grants(membership).await?;
    let mut claimable = Vec::new();
    let member = match with_claims {
        true => app.store().benefit_member(membership).await?.filter(|m| m.status.is_held()),
        false => None,
    };
    if let Some(member) = member {
        let today = app.now().china_date();
        let snapshot = member.snapshot(birth_date(app, &member, today));
        for programme in app.store().programmes_above(&member.home_path).await? {
            let held = grants.iter().any(|g| g.grant.programme == programme.id);
            if programme.rules.mode != GrantMode::Claim || held || !programme.rules.period.contains(today) {
                continue;
            }
            let refusal = match &snapshot {
                Some(snapshot) => programme
                    .rules
                    .check_grant(GrantMode::Claim, snapshot, today, false, programme.quota)
                    .err(),
                None => Some(GrantRefusal::OtherUnion),
            };
            claimable.push(Claimable { programme, refusal });
        }
    }
    Ok(MemberBenefits { membership, grants, claimable })
}

/// Claims a programme for the membership a genuine, unexpired token stands for.
///
/// # Errors
///
/// `BadToken`; `NotFound` for a programme the member's unions do not sponsor; the
/// refusal (which rule, or the quota) — the database decides the last place and a
/// second claim; or the store's.
pub async fn claim(
    app: &App,
    token: &str,
    programme: ProgrammeId,
) -> Result<(GrantId, ProgrammeRecord), BenefitError> {
    let now = app.now();
    let membership =
        app.keys().verify_expiring_token(PURPOSE, token, now.millis()).ok_or(BenefitError::BadToken)?;
    let member = app.store().benefit_member(membership).await?.ok_or(BenefitError::BadToken)?;
    let record = app
        .store()
        .programme(programme)
        .await?
        .filter(|p| p.org_path.contains(&member.home_path))
        .ok_or(BenefitError::NotFound)?;
    super::check(app, &record, &member, GrantMode::Claim).await?;
    let new = NewGrant {
        programme,
        membership,
        via: GrantMode::Claim,
        valid_until: valid_until(record.valid_days, record.rules.period, now.china_date()),
        actor: "member".to_owned(),
        at: now,
    };
    let id = granted(app.store().grant_benefit(&new).await?)?;
    super::notices::deliver_soon(app, id).await;
    Ok((id, record))
}
