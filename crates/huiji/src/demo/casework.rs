//! The demo's sample casework: a handful of applications in every state a reviewer meets
//! (new, escalated past the deadline, overdue at the province, rejected with a reason),
//! members, a turnover pool to distribute and a transfer waiting for an answer — so a
//! newcomer sees every console page with something on it. Made through the same use
//! cases as real work (a clock set back in time stands in for the days that passed), so
//! counts, events, audit records and the statistics agree with it. Only `huiji demo`
//! seeds it; `seed anhui` never does.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};

use huiji_app::actor::{Actor, Officer};
use huiji_app::joining::{self, JoinOutcome, MobileProof};
use huiji_app::ports::Clock;
use huiji_app::{App, review, transfers};
use huiji_core::joining::JoinForm;
use huiji_core::membership::Channel;
use huiji_core::{Occupation, OrgId, Timestamp, UserId};
use huiji_fixtures::synthetic::{Rng, person};
use huiji_store::prelude::*;
use huiji_store::{OrgFilter, SqlStore};
use huiji_vault::Keyring;

use crate::error::CommandError;

const HOUR: i64 = 3_600_000;
const DAY: i64 = 24 * HOUR;

/// What the sample casework holds, as `huiji demo` prints it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Casework {
    /// Applications waiting for review (escalated and overdue ones included).
    pub pending: u32,
    /// Of those, escalated to the parent federation after their deadline.
    pub escalated: u32,
    /// Rejected with a reason.
    pub rejected: u32,
    /// Members, in unions and in the turnover pool.
    pub members: u32,
    /// Of those, waiting in a city's turnover pool.
    pub pooled: u32,
    /// Transfers waiting for an answer.
    pub transfers: u32,
}

/// A clock the seeding moves: each case happens on its own day in the past.
#[derive(Debug)]
struct SampleClock(AtomicI64);

impl SampleClock {
    fn set(&self, at: Timestamp) {
        self.0.store(at.0, Ordering::Relaxed);
    }
}

impl Clock for SampleClock {
    fn now(&self) -> Timestamp {
        Timestamp(self.0.load(Ordering::Relaxed))
    }
}

/// One sample applicant: where they work and how they apply.
struct Case {
    /// The QR code they scan (a union's join code).
    code: &'static str,
    occupation: Occupation,
    /// The county they work in.
    region: &'static str,
    /// Their mobile verified (the union may approve at once) or not (review).
    verified: bool,
    /// How long ago they applied.
    ago: i64,
}

/// Seeds the sample casework unless the database already holds members or applications
/// (a second start adds nothing; nor does a demo someone has used). `admin` is the demo's
/// province admin, who decides the rejected cases and asks the transfer; `now` is the
/// wall clock.
///
/// # Errors
///
/// The store's, or a use case refusing a sample (a bug in the samples).
pub async fn seed_casework(
    store: &SqlStore,
    keyring: Keyring,
    public_url: &str,
    admin: &str,
    now: Timestamp,
) -> Result<Option<Casework>, CommandError> {
    let Some(root) =
        store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?.into_iter().next()
    else {
        return Ok(None);
    };
    if store.count_members(&root.path).await? > 0 || store.count_pending(&root.path).await? > 0 {
        return Ok(None);
    }
    let Some(user) = store.users().await?.into_iter().find(|u| u.username == admin) else { return Ok(None) };
    let officer = Actor::Officer(Box::new(Officer {
        user: UserId(user.id),
        username: user.username.clone(),
        role: user.role,
        org: OrgId(user.org_id),
        scope: root.path.clone(),
        client_addr: None,
        can_reveal: false,
    }));
    let clock = Arc::new(SampleClock(AtomicI64::new(now.0)));
    let app = App::new(Arc::new(store.clone()), clock.clone(), keyring, public_url);
    let consent = store.consent_versions().await?.into_iter().last().map(|v| v.version);
    let today = now.china_date();
    let mut rng = Rng::stream(2026, 13);
    let mut seeded = Casework::default();

    let mut apply = async |case: &Case| -> Result<Option<(JoinOutcome, String)>, CommandError> {
        let region: u32 = case.region.parse().unwrap_or(340104);
        let someone = person(&mut rng, case.occupation, region, today);
        let id_number = someone.id.render();
        let form = JoinForm {
            name: &someone.name,
            id_number: &id_number,
            mobile: &someone.mobile,
            occupation: case.occupation.code(),
            region_code: case.region,
            employer_name: "",
            employer_credit_code: "",
            consent_version: consent.as_deref(),
        };
        let Some(union) = store.org_by_join_code(case.code).await? else { return Ok(None) };
        clock.set(Timestamp(now.0 - case.ago));
        let proof = if case.verified { MobileProof::Attested } else { MobileProof::None };
        let outcome = joining::join(&app, &form, Channel::Qr, Some(&union), None, proof, None)
            .await
            .map_err(|e| CommandError::InvalidArgument(format!("a demo sample could not join: {e}")))?;
        Ok(Some((outcome, someone.name)))
    };

    // New applications: unverified mobiles wait for the receiving union's review.
    for (code, occupation, region, ago) in [
        ("3401T", Occupation::TruckDriver, "340104", 2 * HOUR),
        ("3401C", Occupation::Courier, "340111", 6 * HOUR),
        ("3401D", Occupation::DeliveryRider, "340103", 26 * HOUR),
        ("3401R", Occupation::RideHailingDriver, "340102", 40 * HOUR),
    ] {
        if let Some((JoinOutcome::Pending { .. }, _)) =
            apply(&Case { code, occupation, region, verified: false, ago }).await?
        {
            seeded.pending += 1;
        }
    }

    // Past their deadline: the escalation job moves them up as it would have on the day.
    let escalate = |at: i64| {
        let clock = clock.clone();
        async move {
            clock.set(Timestamp(now.0 - at));
            store.escalate_overdue(Timestamp(now.0 - at)).await
        }
    };
    // 肥东县 did not decide in time: 合肥市总工会 decides now.
    let late = apply(&Case {
        code: "340122",
        occupation: Occupation::Courier,
        region: "340122",
        verified: false,
        ago: 4 * DAY,
    })
    .await?;
    // 瑶海区, then 合肥市 let it pass: it waits at the province, overdue there too.
    let later = apply(&Case {
        code: "340102",
        occupation: Occupation::TruckDriver,
        region: "340102",
        verified: false,
        ago: 11 * DAY,
    })
    .await?;
    escalate(7 * DAY).await?;
    escalate(3 * DAY + HOUR).await?;
    escalate(HOUR).await?;
    for outcome in [late, later].into_iter().flatten() {
        if matches!(outcome.0, JoinOutcome::Pending { .. }) {
            seeded.pending += 1;
            seeded.escalated += 1;
        }
    }

    // Rejected, with reasons that say what to do next.
    for (code, occupation, region, ago, reason) in [
        (
            "3401T",
            Occupation::TruckDriver,
            "340121",
            3 * DAY,
            "工作所在地填写为长丰县，但所填单位在外省注册，请核实工作所在地后重新提交",
        ),
        (
            "3401C",
            Occupation::Courier,
            "340104",
            2 * DAY,
            "所填姓名与身份证号不一致，请按身份证上的姓名重新提交，或携带身份证到所在县区总工会办理",
        ),
    ] {
        if let Some((JoinOutcome::Pending { application_id, .. }, _)) =
            apply(&Case { code, occupation, region, verified: false, ago }).await?
        {
            clock.set(Timestamp(now.0 - ago + 5 * HOUR));
            review::reject(&app, &officer, application_id.0, reason)
                .await
                .map_err(|e| CommandError::InvalidArgument(format!("a demo rejection failed: {e}")))?;
            seeded.rejected += 1;
        }
    }

    // Members: verified mobiles join at once; care workers and security guards have no
    // industry federation in 合肥, so they wait in the city's turnover pool.
    let mut members = Vec::new();
    for (code, occupation, region, ago) in [
        ("3401T", Occupation::TruckDriver, "340104", 20 * DAY),
        ("3401T", Occupation::TruckDriver, "340122", 12 * DAY),
        ("3401C", Occupation::Courier, "340111", 9 * DAY),
        ("3401D", Occupation::DeliveryRider, "340102", 5 * DAY),
        ("3401", Occupation::CareWorker, "340103", 8 * DAY),
        ("3401", Occupation::SecurityGuard, "340104", 4 * DAY),
        ("3401", Occupation::DomesticWorker, "340111", DAY),
    ] {
        if let Some((JoinOutcome::Approved { member_number, in_pool, .. }, name)) =
            apply(&Case { code, occupation, region, verified: true, ago }).await?
        {
            seeded.members += 1;
            seeded.pooled += u32::from(in_pool);
            if !in_pool {
                members.push((member_number, name));
            }
        }
    }

    // A truck driver moved to 芜湖: its federation asks for him; he or 合肥 must agree.
    let wuhu = store.org_by_join_code("3402T").await?;
    if let (Some(wuhu), Some((number, name))) = (wuhu, members.first()) {
        clock.set(Timestamp(now.0 - DAY));
        let request = transfers::TransferRequest {
            to: wuhu.id,
            member: &number.to_string(),
            name,
            reason: "会员长期在芜湖市承运，申请转入芜湖市货车司机工会联合会",
        };
        transfers::ask(&app, &officer, &request)
            .await
            .map_err(|e| CommandError::InvalidArgument(format!("a demo transfer failed: {e}")))?;
        seeded.transfers += 1;
    }
    Ok(Some(seeded))
}
