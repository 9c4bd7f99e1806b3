//! Typed ids with a prefix (`app_`, `ep_`, ...) over a ULID, so they sort by
//! creation time and a cursor is simply the last id seen.

use std::fmt;

use crate::ParseError;

macro_rules! prefixed_id {
    ($(#[$doc:meta])* $name:ident, $prefix:literal) => {
        $(#[$doc])*
        #[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize, serde::Deserialize)]
        #[serde(try_from = "String", into = "String")]
        pub struct $name(String);

        impl $name {
            pub const PREFIX: &'static str = $prefix;

            /// A fresh id for an object created at `ms` (epoch milliseconds).
            pub fn generate(ms: i64) -> Self {
                let ts = u64::try_from(ms).unwrap_or(0);
                let ulid = ulid::Ulid::from_parts(ts, rand::random::<u128>());
                Self(format!("{}{}", $prefix, ulid))
            }

            pub fn parse(s: &str) -> Result<Self, ParseError> {
                let rest = s.strip_prefix($prefix).ok_or_else(|| {
                    ParseError::new(format!("expected an id starting with `{}`", $prefix))
                })?;
                ulid::Ulid::from_string(rest)
                    .map_err(|_| ParseError::new(format!("`{s}` is not a valid {} id", $prefix)))?;
                Ok(Self(s.to_owned()))
            }

            /// The least id of an object created at `ms` or later: ids sort
            /// by creation time, so a time range is an id range.
            pub fn first_at(ms: i64) -> String {
                let ts = u64::try_from(ms).unwrap_or(0);
                format!("{}{}", $prefix, ulid::Ulid::from_parts(ts, 0))
            }

            /// Wraps a value read back from the store without re-checking it.
            pub fn from_trusted(s: String) -> Self {
                Self(s)
            }

            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl TryFrom<String> for $name {
            type Error = ParseError;
            fn try_from(s: String) -> Result<Self, ParseError> {
                Self::parse(&s)
            }
        }

        impl From<$name> for String {
            fn from(id: $name) -> String {
                id.0
            }
        }
    };
}

prefixed_id!(/// An application: one customer of the provider.
    AppId, "app_");
prefixed_id!(/// An endpoint of an application.
    EndpointId, "ep_");
prefixed_id!(/// A published message (event).
    MessageId, "msg_");
prefixed_id!(/// One delivery attempt.
    AttemptId, "att_");
prefixed_id!(/// An entry of the event-type catalog.
    EventTypeId, "et_");
prefixed_id!(/// An API token (its id, not its secret value).
    TokenId, "tok_");
prefixed_id!(/// A bulk recovery job.
    RecoveryId, "rcv_");

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_of_a_later_time_sort_after_its_first_id() {
        let at = MessageId::generate(1_700_000_000_123);
        assert!(MessageId::first_at(1_700_000_000_123).as_str() <= at.as_str());
        assert!(MessageId::first_at(1_700_000_000_124).as_str() > at.as_str());
        assert!(MessageId::first_at(1_700_000_000_122).as_str() < at.as_str());
    }

    #[test]
    fn ids_carry_their_prefix_and_sort_by_time() {
        let a = MessageId::generate(1_000);
        let b = MessageId::generate(2_000);
        assert!(a.as_str().starts_with("msg_"));
        assert!(a < b);
        assert_eq!(MessageId::parse(a.as_str()).unwrap(), a);
    }

    #[test]
    fn ids_with_the_wrong_prefix_are_rejected() {
        let ep = EndpointId::generate(1);
        assert!(AppId::parse(ep.as_str()).is_err());
        assert!(AppId::parse("app_not-a-ulid").is_err());
    }
}
