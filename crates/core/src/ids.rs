//! Identifiers the store assigns, one type per kind of record, so an application's id
//! cannot be passed where a membership's is meant. Each is the stored integer, shown and
//! parsed as plain digits ([`OrgId`](crate::OrgId) is made the same way, in `org`).

/// Defines an id newtype over the stored `i64`, with `Display` and `FromStr` as digits.
macro_rules! id_newtype {
    ($($(#[$doc:meta])* $name:ident;)+) => {$(
        $(#[$doc])*
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub struct $name(pub i64);

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                self.0.fmt(f)
            }
        }

        /// The stored integer, as the store decodes a column.
        impl ::std::convert::From<i64> for $name {
            fn from(id: i64) -> Self {
                $name(id)
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = ::std::num::ParseIntError;

            fn from_str(text: &str) -> Result<Self, Self::Err> {
                text.parse().map($name)
            }
        }
    )+};
}

pub(crate) use id_newtype;

id_newtype! {
    /// An application to join.
    ApplicationId;
    /// A membership (its serial is also the member number's).
    MembershipId;
    /// A transfer (接转) request.
    TransferId;
    /// An officer's account.
    UserId;
    /// A platform company using the API.
    PlatformId;
    /// One of a platform's API keys.
    ApiKeyId;
    /// An event waiting for, or done with, webhook delivery; its public id is `evt_<id>`.
    WebhookEventId;
    /// A record of the audit log.
    AuditId;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_show_and_parse_as_their_digits() {
        assert_eq!(ApplicationId(42).to_string(), "42");
        assert_eq!("42".parse(), Ok(MembershipId(42)));
        assert_eq!("-7".parse(), Ok(AuditId(-7)));
        assert!("4a".parse::<TransferId>().is_err() && "".parse::<UserId>().is_err());
        assert!(PlatformId(1) < PlatformId(2));
        assert_eq!(format!("evt_{}", WebhookEventId(9)), "evt_9");
        assert_eq!(ApiKeyId(3).0, 3);
        assert_eq!(("17".parse(), crate::OrgId(17).to_string()), (Ok(crate::OrgId(17)), "17".to_owned()));
    }
}
