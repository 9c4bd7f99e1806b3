//! One rule for every list-valued setting: a TOML array in a file; in an
//! environment variable, a comma-separated list (`3,5`) or the same array
//! (`[3,5]`); an empty string is an empty list. (Figment reads `3,5` from
//! the environment as a string, `[3,5]` as an array and `7` as a number.)

use std::fmt;
use std::str::FromStr;

use serde::de::{self, Deserializer, SeqAccess, Visitor};

/// A list of numbers (`retry_schedule_secs`).
pub fn numbers<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u64>, D::Error> {
    struct Numbers;
    impl<'de> Visitor<'de> for Numbers {
        type Value = Vec<u64>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of whole numbers: [5, 300] or \"5,300\"")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<u64>, A::Error> {
            let mut v = Vec::new();
            while let Some(n) = seq.next_element()? {
                v.push(n);
            }
            Ok(v)
        }
        fn visit_u64<E: de::Error>(self, n: u64) -> Result<Vec<u64>, E> {
            Ok(vec![n])
        }
        fn visit_i64<E: de::Error>(self, n: i64) -> Result<Vec<u64>, E> {
            u64::try_from(n).map(|n| vec![n]).map_err(|_| E::custom(format!("{n} is negative")))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<Vec<u64>, E> {
            split(s).map(|item| parse(item)).collect()
        }
    }
    d.deserialize_any(Numbers)
}

/// Sources separated by commas or spaces, or a list of them, kept as one
/// space-separated string (`portal.frame_ancestors`, a CSP source list).
pub fn words<'de, D: Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    struct Words;
    impl<'de> Visitor<'de> for Words {
        type Value = String;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("a list of strings: [\"'self'\", \"https://a.example\"] or \"'self',https://a.example\"")
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<String, A::Error> {
            let mut v: Vec<String> = Vec::new();
            while let Some(s) = seq.next_element::<String>()? {
                v.push(s.trim().to_owned());
            }
            Ok(v.join(" "))
        }
        fn visit_str<E: de::Error>(self, s: &str) -> Result<String, E> {
            Ok(s.split([',', ' ']).map(str::trim).filter(|w| !w.is_empty()).collect::<Vec<_>>().join(" "))
        }
    }
    d.deserialize_any(Words)
}

fn split(s: &str) -> impl Iterator<Item = &str> {
    let inner = s.trim().strip_prefix('[').and_then(|r| r.strip_suffix(']')).unwrap_or(s);
    inner.split(',').map(str::trim).filter(|item| !item.is_empty())
}

fn parse<T: FromStr, E: de::Error>(item: &str) -> Result<T, E>
where
    T::Err: fmt::Display,
{
    item.parse().map_err(|e| E::custom(format!("{item:?}: {e}")))
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    #[derive(Deserialize)]
    struct S {
        #[serde(deserialize_with = "super::numbers")]
        n: Vec<u64>,
        #[serde(deserialize_with = "super::words", default)]
        w: String,
    }

    fn n(json: &str) -> Result<Vec<u64>, String> {
        serde_json::from_str::<S>(&format!("{{\"n\": {json}}}")).map(|s| s.n).map_err(|e| e.to_string())
    }

    #[test]
    fn numbers_come_as_a_list_a_comma_string_or_one_number() {
        assert_eq!(n("[3, 5]"), Ok(vec![3, 5]));
        assert_eq!(n("\"3,5\""), Ok(vec![3, 5]));
        assert_eq!(n("\" 3, 5 \""), Ok(vec![3, 5]));
        assert_eq!(n("\"[3,5]\""), Ok(vec![3, 5]));
        assert_eq!(n("7"), Ok(vec![7]));
        assert_eq!(n("\"\""), Ok(vec![]));
        assert_eq!(n("[]"), Ok(vec![]));
        assert!(n("\"3,x\"").unwrap_err().contains("\"x\""));
        assert!(n("-1").is_err());
    }

    #[test]
    fn words_take_commas_spaces_or_a_list() {
        let w = |json: &str| serde_json::from_str::<S>(&format!("{{\"n\": [], \"w\": {json}}}")).unwrap().w;
        assert_eq!(w("\"'self' https://a.example\""), "'self' https://a.example");
        assert_eq!(w("\"'self',https://a.example\""), "'self' https://a.example");
        assert_eq!(w("[\"'self'\", \"https://a.example\"]"), "'self' https://a.example");
    }
}
