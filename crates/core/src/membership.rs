//! The states of applications and memberships, and how an application arrived.

use crate::labelled::coded_enum;

coded_enum!(
    /// The door an application came through.
    Channel {
        /// The general join page.
        Portal = "portal",
        /// A union's own QR code (一会一码).
        Qr = "qr",
        /// A platform company's app, through the API.
        Platform = "platform",
        /// A paper form entered by an officer.
        Offline = "offline",
        /// A personal outreach link.
        Invite = "invite",
    }
);

coded_enum!(
    /// Where an application stands.
    ApplicationStatus {
        /// Waiting for an officer of the receiving org.
        PendingReview = "pending_review",
        /// Accepted: a membership exists.
        Approved = "approved",
        /// Refused, with a reason.
        Rejected = "rejected",
    }
);

coded_enum!(
    /// The state of a membership (DESIGN.md "Membership lifecycle").
    MembershipStatus {
        /// A member in good standing.
        Active = "active",
        /// 保留会籍: unemployed or retired, no dues, seniority kept.
        Retained = "retained",
        /// 退会
        Withdrawn = "withdrawn",
        /// 除名
        Expelled = "expelled",
        /// Deceased.
        Deceased = "deceased",
    }
);

impl MembershipStatus {
    /// Whether the person still holds this membership: only one may be held at a time.
    pub const fn is_held(self) -> bool {
        matches!(self, Self::Active | Self::Retained)
    }
}

coded_enum!(
    /// Whether a receiving org approves applications without an officer (马上入会).
    AutoApproval {
        /// Every application waits for review.
        Off = "off",
        /// Instant approval only for people on an imported real-name roster.
        RosterOnly = "roster_only",
        /// Instant approval for every verified applicant.
        AllVerified = "all_verified",
    }
);

coded_enum!(
    /// An officer's role, within the subtree of their org.
    Role {
        /// Everything in the subtree, including officers' accounts.
        Admin = "admin",
        /// Review, distribute, transfer, lifecycle changes.
        Reviewer = "reviewer",
        /// Read only, masked data only.
        Viewer = "viewer",
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
}

coded_enum!(
    /// A change of a membership's state by an officer, with a reason.
    LifecycleAction {
        /// 保留会籍: unemployed or retired.
        Retain = "retain",
        /// Back to active from retained.
        Reactivate = "reactivate",
        /// 退会
        Withdraw = "withdraw",
        /// 除名
        Expel = "expel",
        /// The member died.
        Deceased = "deceased",
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
    use crate::labelled::UnknownCode;

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
}
