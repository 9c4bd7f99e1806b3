//! Event-type names and the filters endpoints subscribe with.

use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ParseError;

/// The longest event-type name (and pattern), in bytes.
pub const MAX_NAME_LEN: usize = 256;

/// A name such as `referral.converted` or `job_finished`: letters, digits and
/// `. _ - :`, at most 256 characters.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventTypeName(String);

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | ':')
}

impl EventTypeName {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() {
            return Err(ParseError::new("an event type name cannot be empty"));
        }
        if s.len() > MAX_NAME_LEN {
            return Err(ParseError::new(format!("an event type name is at most {MAX_NAME_LEN} characters")));
        }
        if let Some(c) = s.chars().find(|c| !is_name_char(*c)) {
            return Err(ParseError::new(format!(
                "`{c}` is not allowed in an event type name (use letters, digits, `.`, `_`, `-`, `:`)"
            )));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for EventTypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl fmt::Debug for EventTypeName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl TryFrom<String> for EventTypeName {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<EventTypeName> for String {
    fn from(n: EventTypeName) -> String {
        n.0
    }
}

/// One entry of an endpoint's filter: an exact name, or a pattern where `*`
/// stands for any run of characters (`referral.*`, `*.created`, `*`).
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct EventPattern(String);

impl EventPattern {
    pub fn parse(s: &str) -> Result<Self, ParseError> {
        if s.is_empty() || s.len() > MAX_NAME_LEN {
            return Err(ParseError::new(format!("an event type filter is 1 to {MAX_NAME_LEN} characters")));
        }
        if let Some(c) = s.chars().find(|c| !is_name_char(*c) && *c != '*') {
            return Err(ParseError::new(format!("`{c}` is not allowed in an event type filter")));
        }
        Ok(Self(s.to_owned()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn matches(&self, name: &str) -> bool {
        glob_match(self.0.as_bytes(), name.as_bytes())
    }
}

impl fmt::Debug for EventPattern {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&self.0, f)
    }
}

impl TryFrom<String> for EventPattern {
    type Error = ParseError;
    fn try_from(s: String) -> Result<Self, ParseError> {
        Self::parse(&s)
    }
}

impl From<EventPattern> for String {
    fn from(p: EventPattern) -> String {
        p.0
    }
}

/// Which events an endpoint receives: all of them, or those matching any of
/// a list of patterns.
#[derive(Clone, Debug, PartialEq, Eq, Default)]
pub enum EventFilter {
    #[default]
    All,
    Only(Vec<EventPattern>),
}

impl EventFilter {
    pub fn matches(&self, name: &str) -> bool {
        match self {
            Self::All => true,
            Self::Only(patterns) => patterns.iter().any(|p| p.matches(name)),
        }
    }

    /// The list form (`None` = all) used by the API and the stores.
    pub fn to_list(&self) -> Option<Vec<String>> {
        match self {
            Self::All => None,
            Self::Only(p) => Some(p.iter().map(|p| p.as_str().to_owned()).collect()),
        }
    }

    pub fn from_list(list: Option<Vec<EventPattern>>) -> Self {
        list.map_or(Self::All, Self::Only)
    }
}

/// `*` matches any run of bytes (including none and including dots).
fn glob_match(pattern: &[u8], text: &[u8]) -> bool {
    let (mut p, mut t) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        if p < pattern.len() && pattern[p] == b'*' {
            star = Some((p, t));
            p += 1;
        } else if p < pattern.len() && pattern[p] == text[t] {
            p += 1;
            t += 1;
        } else if let Some((sp, st)) = star {
            p = sp + 1;
            t = st + 1;
            star = Some((sp, st + 1));
        } else {
            return false;
        }
    }
    pattern[p..].iter().all(|b| *b == b'*')
}

#[cfg(test)]
mod tests {
    use super::*;

    fn filter(list: &[&str]) -> EventFilter {
        EventFilter::Only(list.iter().map(|s| EventPattern::parse(s).unwrap()).collect())
    }

    #[test]
    fn exact_names_match_only_themselves() {
        let f = filter(&["referral.converted"]);
        assert!(f.matches("referral.converted"));
        assert!(!f.matches("referral.started"));
        assert!(!f.matches("referral.converted.v2"));
    }

    #[test]
    fn wildcards_match_prefixes_and_suffixes() {
        let f = filter(&["referral.*", "*.created"]);
        assert!(f.matches("referral.converted"));
        assert!(f.matches("referral.automoderation.complete"));
        assert!(f.matches("user.created"));
        assert!(!f.matches("referral"));
        assert!(!f.matches("user.updated"));
        assert!(filter(&["*"]).matches("job_finished"));
    }

    #[test]
    fn all_matches_everything() {
        assert!(EventFilter::All.matches("anything.at.all"));
    }

    #[test]
    fn names_are_validated() {
        assert!(EventTypeName::parse("influencer.updated").is_ok());
        assert!(EventTypeName::parse("job_finished").is_ok());
        assert!(EventTypeName::parse("").is_err());
        assert!(EventTypeName::parse("has space").is_err());
        assert!(EventTypeName::parse("wild.*").is_err());
        assert!(EventPattern::parse("wild.*").is_ok());
    }
}
