//! A closed set of named choices, as users type them.

use std::fmt;

/// An enum whose values have a name users type (`--method mmap`, `method = "mmap"`)
/// and a one-line explanation the CLI shows in `--help`.
pub trait Choice: Copy + Eq + fmt::Debug + 'static {
    /// Every value, its name and what it means, in the order `--help` lists them.
    const ALL: &'static [(Self, &'static str, &'static str)];

    /// The name users type.
    fn name(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(value, _, _)| *value == self)
            .map_or("?", |(_, name, _)| name)
    }

    /// The value named `text`, or an error that lists the names.
    fn parse(text: &str) -> Result<Self, String> {
        Self::ALL
            .iter()
            .find(|(_, name, _)| *name == text)
            .map(|(value, _, _)| *value)
            .ok_or_else(|| {
                let names: Vec<&str> = Self::ALL.iter().map(|(_, name, _)| *name).collect();
                format!(
                    "invalid value {text:?}: expected one of {}",
                    names.join(", ")
                )
            })
    }
}

/// `Display`, `FromStr` and kebab-case serde for a [`Choice`], from its table.
#[macro_export]
macro_rules! choice_traits {
    ($t:ty) => {
        impl std::fmt::Display for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::Choice::name(*self))
            }
        }

        impl std::str::FromStr for $t {
            type Err = String;
            fn from_str(text: &str) -> Result<Self, String> {
                <$t as $crate::Choice>::parse(text)
            }
        }

        impl $crate::__serde::Serialize for $t {
            fn serialize<S: $crate::__serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.serialize_str($crate::Choice::name(*self))
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $t {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str>>::deserialize(d)?;
                <$t as $crate::Choice>::parse(&text).map_err($crate::__serde::de::Error::custom)
            }
        }
    };
}
