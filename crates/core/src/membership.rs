//! The states of applications and memberships, and how an application arrived.

use crate::labelled::{UnknownCode, labelled_enum};

labelled_enum!(
    /// The door an application came through.
    Channel {
        /// The general join page.
        Portal = "portal", "入会页面", "Join page";
        /// A union's own QR code (一会一码).
        Qr = "qr", "扫码入会", "QR code";
        /// A platform company's app, through the API.
        Platform = "platform", "平台", "Platform";
        /// A paper form entered by an officer.
        Offline = "offline", "线下登记", "Paper form";
        /// A personal outreach link.
        Invite = "invite", "短信邀请", "Invitation";
    }
);

labelled_enum!(
    /// Where an application stands.
    ApplicationStatus {
        /// Waiting for an officer of the receiving org.
        PendingReview = "pending_review", "待审核", "Pending review";
        /// Accepted: a membership exists.
        Approved = "approved", "已批准", "Approved";
        /// Refused, with a reason.
        Rejected = "rejected", "未通过", "Rejected";
    }
);

labelled_enum!(
    /// The state of a membership (DESIGN.md "Membership lifecycle").
    MembershipStatus {
        /// A member in good standing.
        Active = "active", "在册", "Active";
        /// 保留会籍: unemployed or retired, no dues, seniority kept.
        Retained = "retained", "保留会籍", "Retained";
        /// 退会
        Withdrawn = "withdrawn", "已退会", "Withdrawn";
        /// 除名
        Expelled = "expelled", "已除名", "Expelled";
        /// Deceased.
        Deceased = "deceased", "已故", "Deceased";
    }
);

impl MembershipStatus {
    /// The states in which a person holds the membership. The store's SQL names the same
    /// set (`status IN ('active', 'retained')`); a change here needs a migration there.
    pub const HELD: &'static [MembershipStatus] = &[Self::Active, Self::Retained];

    /// Whether the person still holds this membership: only one may be held at a time.
    pub const fn is_held(self) -> bool {
        matches!(self, Self::Active | Self::Retained)
    }
}

labelled_enum!(
    /// Whether a receiving org approves applications without an officer (马上入会).
    AutoApproval {
        /// Every application waits for review.
        Off = "off", "全部人工审核", "Every application reviewed";
        /// Instant approval only for people on an imported real-name roster.
        RosterOnly = "roster_only", "实名库内人员即时批准", "Instant for people on the roster";
        /// Instant approval for every verified applicant.
        AllVerified = "all_verified", "手机验证即批准（马上入会）", "Instant for every verified applicant";
    }
);

labelled_enum!(
    /// An officer's role, within the subtree of their org.
    Role {
        /// Everything in the subtree, including officers' accounts.
        Admin = "admin", "管理员", "Admin";
        /// Review, distribute, transfer, lifecycle changes.
        Reviewer = "reviewer", "审核员", "Reviewer";
        /// Read only, masked data only.
        Viewer = "viewer", "查看员", "Viewer";
        /// A judge-only account (创新成果评选 experts from outside the unions): scores the
        /// entries of the calls it sits on, blind, and nothing else — no console page.
        Judge = "judge", "评委", "Judge";
    }
);

impl Role {
    /// Whether the role may change anything (a viewer may not).
    pub const fn can_act(self) -> bool {
        matches!(self, Role::Admin | Role::Reviewer)
    }

    /// Whether the role may manage orgs, policies and accounts.
    pub const fn is_admin(self) -> bool {
        matches!(self, Role::Admin)
    }

    /// Whether the account may use the console (every role but a judge-only account,
    /// which sees only the judging pages).
    pub const fn uses_console(self) -> bool {
        !matches!(self, Role::Judge)
    }
}

labelled_enum!(
    /// A change of a membership's state by an officer, with a reason.
    LifecycleAction {
        /// 保留会籍: unemployed or retired.
        Retain = "retain", "保留会籍", "Retain membership";
        /// Back to active from retained.
        Reactivate = "reactivate", "恢复会籍", "Reactivate";
        /// 退会
        Withdraw = "withdraw", "退会", "Withdraw";
        /// 除名
        Expel = "expel", "除名", "Expel";
        /// The member died.
        Deceased = "deceased", "去世", "Deceased";
    }
);

impl LifecycleAction {
    /// The state the action leads to.
    pub const fn to(self) -> MembershipStatus {
        match self {
            Self::Retain => MembershipStatus::Retained,
            Self::Reactivate => MembershipStatus::Active,
            Self::Withdraw => MembershipStatus::Withdrawn,
            Self::Expel => MembershipStatus::Expelled,
            Self::Deceased => MembershipStatus::Deceased,
        }
    }

    /// The states it may start from: only a held membership changes, and only a retained
    /// one is reactivated (a withdrawn person joins anew).
    pub const fn from(self) -> &'static [MembershipStatus] {
        match self {
            Self::Retain => &[MembershipStatus::Active],
            Self::Reactivate => &[MembershipStatus::Retained],
            Self::Withdraw | Self::Expel | Self::Deceased => {
                &[MembershipStatus::Active, MembershipStatus::Retained]
            }
        }
    }

    /// Whether the action applies to a membership in `status`.
    pub fn applies_to(self, status: MembershipStatus) -> bool {
        self.from().contains(&status)
    }

    /// Whether it ends the membership for good (退会, 除名, 去世): the card stops being
    /// valid and nothing brings it back — the person would join anew. Doors ask the
    /// officer to confirm such a change before it is made.
    pub const fn ends_membership(self) -> bool {
        !self.to().is_held()
    }
}

labelled_enum!(
    /// What happened to a membership, as its history records it.
    EventKind {
        /// It began: an application was approved.
        Joined = "joined", "入会", "Joined";
        /// 分流: moved out of a city's turnover pool to the union it lands in.
        Distributed = "distributed", "分流", "Distributed";
        /// 接转: moved to another union at the member's or a union's request.
        Transferred = "transferred", "接转", "Transferred";
        /// [`LifecycleAction::Retain`].
        Retain = "retain", "保留会籍", "Retain membership";
        /// [`LifecycleAction::Reactivate`].
        Reactivate = "reactivate", "恢复会籍", "Reactivate";
        /// [`LifecycleAction::Withdraw`].
        Withdraw = "withdraw", "退会", "Withdraw";
        /// [`LifecycleAction::Expel`].
        Expel = "expel", "除名", "Expel";
        /// [`LifecycleAction::Deceased`].
        Deceased = "deceased", "去世", "Deceased";
    }
);

impl EventKind {
    /// The lifecycle action this event records, if it records one.
    pub const fn action(self) -> Option<LifecycleAction> {
        match self {
            Self::Retain => Some(LifecycleAction::Retain),
            Self::Reactivate => Some(LifecycleAction::Reactivate),
            Self::Withdraw => Some(LifecycleAction::Withdraw),
            Self::Expel => Some(LifecycleAction::Expel),
            Self::Deceased => Some(LifecycleAction::Deceased),
            Self::Joined | Self::Distributed | Self::Transferred => None,
        }
    }

    /// Whether the membership changed unions, keeping its seniority.
    pub const fn is_move(self) -> bool {
        matches!(self, Self::Distributed | Self::Transferred)
    }
}

impl From<LifecycleAction> for EventKind {
    /// A lifecycle action is recorded under its own code.
    fn from(action: LifecycleAction) -> Self {
        match action {
            LifecycleAction::Retain => Self::Retain,
            LifecycleAction::Reactivate => Self::Reactivate,
            LifecycleAction::Withdraw => Self::Withdraw,
            LifecycleAction::Expel => Self::Expel,
            LifecycleAction::Deceased => Self::Deceased,
        }
    }
}

/// Who decided an application, changed a membership or asked for or answered a
/// transfer, as stored beside it (`decided_by`, `actor`, `requested_by`, …).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Actor {
    /// An officer in the console, by username: `user:NAME`.
    Officer(String),
    /// The member themself, SMS-verified: `member`.
    Member,
    /// Instant approval (马上入会), no person: `instant`.
    Instant,
    /// A bulk load of generated members (`huiji gen`): `bulk-load`.
    BulkLoad,
}

impl Actor {
    const OFFICER_PREFIX: &'static str = "user:";

    /// The officer's username, for an officer.
    pub fn username(&self) -> Option<&str> {
        match self {
            Self::Officer(username) => Some(username),
            Self::Member | Self::Instant | Self::BulkLoad => None,
        }
    }
}

impl std::fmt::Display for Actor {
    /// The stored code.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::Officer(username) => write!(f, "{}{username}", Self::OFFICER_PREFIX),
            Self::Member => f.write_str("member"),
            Self::Instant => f.write_str("instant"),
            Self::BulkLoad => f.write_str("bulk-load"),
        }
    }
}

impl std::str::FromStr for Actor {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        match code {
            "member" => Ok(Self::Member),
            "instant" => Ok(Self::Instant),
            "bulk-load" => Ok(Self::BulkLoad),
            _ => match code.strip_prefix(Self::OFFICER_PREFIX) {
                Some(username) if !username.is_empty() => Ok(Self::Officer(username.to_owned())),
                _ => Err(UnknownCode),
            },
        }
    }
}

/// What happens to a valid application from a person who holds no membership.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decision {
    /// A member now (马上入会).
    Approve,
    /// An officer reviews it before the deadline.
    Review,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lifecycle_actions_start_only_from_held_states() {
        use LifecycleAction::{Expel, Reactivate, Retain, Withdraw};
        use MembershipStatus::{Active, Expelled, Retained, Withdrawn};
        assert!(Retain.applies_to(Active) && !Retain.applies_to(Retained));
        assert!(Reactivate.applies_to(Retained) && !Reactivate.applies_to(Withdrawn));
        for action in [Withdraw, Expel, LifecycleAction::Deceased] {
            assert!(action.applies_to(Active) && action.applies_to(Retained));
            assert!(!action.applies_to(Withdrawn) && !action.applies_to(MembershipStatus::Deceased));
        }
        assert_eq!(Expel.to(), Expelled);
        assert!(Role::Reviewer.can_act() && !Role::Viewer.can_act() && !Role::Reviewer.is_admin());
        assert!(!Role::Judge.can_act() && !Role::Judge.is_admin() && !Role::Judge.uses_console());
        assert!(Role::Viewer.uses_console() && "judge".parse::<Role>() == Ok(Role::Judge));
    }

    #[test]
    fn codes_round_trip() {
        for status in MembershipStatus::ALL {
            assert_eq!(status.code().parse(), Ok(*status));
        }
        assert!(MembershipStatus::Retained.is_held() && !MembershipStatus::Withdrawn.is_held());
        assert_eq!("qr".parse(), Ok(Channel::Qr));
        assert_eq!("all_verified".parse(), Ok(AutoApproval::AllVerified));
        assert_eq!("nope".parse::<ApplicationStatus>(), Err(UnknownCode));
    }

    #[test]
    fn the_held_set_is_the_stores() {
        let held: Vec<_> = MembershipStatus::ALL.iter().copied().filter(|s| s.is_held()).collect();
        assert_eq!(MembershipStatus::HELD, held.as_slice());
        let codes: Vec<_> = MembershipStatus::HELD.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["active", "retained"], "status IN ('active', 'retained')");
    }

    #[test]
    fn event_kinds_keep_todays_codes() {
        let codes: Vec<_> = EventKind::ALL.iter().map(|k| k.code()).collect();
        assert_eq!(
            codes,
            ["joined", "distributed", "transferred", "retain", "reactivate", "withdraw", "expel", "deceased"]
        );
        for kind in EventKind::ALL {
            assert_eq!(kind.code().parse(), Ok(*kind));
            assert_eq!(
                kind.action().is_none(),
                matches!(kind.code(), "joined" | "distributed" | "transferred")
            );
        }
        for action in LifecycleAction::ALL {
            let kind = EventKind::from(*action);
            assert_eq!((kind.code(), kind.action()), (action.code(), Some(*action)));
            assert!(!kind.is_move());
        }
        assert!(EventKind::Distributed.is_move() && EventKind::Transferred.is_move());
        assert!(!EventKind::Joined.is_move());
    }

    #[test]
    fn only_the_ends_of_a_membership_ask_for_confirmation() {
        let ending: Vec<&str> =
            LifecycleAction::ALL.iter().filter(|a| a.ends_membership()).map(|a| a.code()).collect();
        assert_eq!(ending, ["withdraw", "expel", "deceased"]);
    }

    #[test]
    fn actors_keep_todays_codes() {
        let officer = Actor::Officer("hefei_admin".to_owned());
        assert_eq!(officer.to_string(), format!("user:{}", "hefei_admin"));
        assert_eq!(officer.username(), Some("hefei_admin"));
        let all = [officer, Actor::Member, Actor::Instant, Actor::BulkLoad];
        let codes: Vec<String> = all.iter().map(Actor::to_string).collect();
        assert_eq!(codes, ["user:hefei_admin", "member", "instant", "bulk-load"]);
        for actor in all {
            assert_eq!(actor.to_string().parse(), Ok(actor));
        }
        assert_eq!("user:a:b".parse(), Ok(Actor::Officer("a:b".to_owned())));
        for unknown in ["", "user:", "User:x", "system", "gen", " member"] {
            assert_eq!(unknown.parse::<Actor>(), Err(UnknownCode), "{unknown:?}");
        }
        assert_eq!(Actor::Member.username(), None);
    }
}
