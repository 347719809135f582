//! The ids that name an organisation, a provrum and a token, each parsed once where it comes in
//! (a path, a body, the command line), so an id that could not have been issued never reaches a
//! store or the process. Zero-to-production's `SubscriberName` is the model: the field is
//! private and [`OrgId::parse`] (and its siblings) is the only way to make one.

use crate::lang::Text;
use serde::{Deserialize, Serialize};
use std::fmt;

/// Why a text is not an id, in both languages.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", .0.en)]
pub struct IdError(pub Text);

/// The alphabet of issued ids after their prefix: RFC 4648 base32, lower case.
fn is_base32(c: char) -> bool {
    c.is_ascii_lowercase() || ('2'..='7').contains(&c)
}

/// `text` if it is `prefix` and exactly [`ISSUED_LEN`] base32 characters (what the stores issue);
/// otherwise it names nothing, and `not_found` says so.
fn issued(text: &str, prefix: &str, not_found: fn(&str) -> Text) -> Result<String, IdError> {
    let ok = text
        .strip_prefix(prefix)
        .is_some_and(|rest| rest.len() == ISSUED_LEN && rest.chars().all(is_base32));
    if ok {
        Ok(text.to_string())
    } else {
        Err(IdError(not_found(text)))
    }
}

/// The base32 characters of an issued id (80 random bits).
pub const ISSUED_LEN: usize = 16;

/// An organisation's id: 1–64 of `a-z`, `0-9`, `-` and `_`, starting with a letter or digit
/// (`region-skane`). Chosen by the kansli, so it is trimmed before it is checked.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String")]
pub struct OrgId(String);

impl OrgId {
    /// The same rule as a pattern, for the HTTP document.
    pub const PATTERN: &'static str = "^[a-z0-9][a-z0-9_-]{0,63}$";

    pub fn parse(text: &str) -> Result<OrgId, IdError> {
        let id = text.trim();
        let ok = !id.is_empty()
            && id.len() <= 64
            && id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_')
            && id.chars().next().is_some_and(|c| c.is_ascii_alphanumeric());
        if ok {
            Ok(OrgId(id.to_string()))
        } else {
            Err(IdError(Text::new(
                format!(
                    "organisations-id {id:?}: använd 1-64 av a-z, 0-9, - och _ (t.ex. region-skane)"
                ),
                format!(
                    "organisation id {id:?}: use 1-64 of a-z, 0-9, - and _ (e.g. region-skane)"
                ),
            )))
        }
    }
}

/// A provrum's id, as the store issued it: `pr_` and 16 base32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct ProvrumId(String);

impl ProvrumId {
    pub const PREFIX: &'static str = "pr_";
    /// The same rule as a pattern, for the HTTP document.
    pub const PATTERN: &'static str = "^pr_[a-z2-7]{16}$";

    pub fn parse(text: &str) -> Result<ProvrumId, IdError> {
        issued(text, Self::PREFIX, Self::not_found).map(ProvrumId)
    }

    /// No provrum has the id `text`: a malformed one, or one no store holds.
    pub fn not_found(text: &str) -> Text {
        Text::new(
            format!("Provrummet {text} finns inte."),
            format!("The provrum {text} does not exist."),
        )
    }
}

/// A token's id (not its secret), as the store issued it: `tok_` and 16 base32 characters.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(transparent)]
pub struct TokenId(String);

impl TokenId {
    pub const PREFIX: &'static str = "tok_";
    /// The same rule as a pattern, for the HTTP document.
    pub const PATTERN: &'static str = "^tok_[a-z2-7]{16}$";

    pub fn parse(text: &str) -> Result<TokenId, IdError> {
        issued(text, Self::PREFIX, Self::not_found).map(TokenId)
    }

    /// No token has the id `text`.
    pub fn not_found(text: &str) -> Text {
        Text::new(
            format!("Nyckeln {text} finns inte."),
            format!("The token {text} does not exist."),
        )
    }
}

macro_rules! as_text {
    ($($id:ty),*) => {$(
        impl $id {
            pub fn as_str(&self) -> &str {
                &self.0
            }

            pub fn into_string(self) -> String {
                self.0
            }
        }

        impl fmt::Display for $id {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }

        impl AsRef<str> for $id {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    )*};
}

as_text!(OrgId, ProvrumId, TokenId);

/// Read from a body: an id is parsed there too, so a body cannot carry an invalid one.
impl TryFrom<String> for OrgId {
    type Error = IdError;

    fn try_from(text: String) -> Result<OrgId, IdError> {
        OrgId::parse(&text)
    }
}

/// In the HTTP document, an id is a string with its pattern.
#[cfg(feature = "openapi")]
mod schema {
    use super::{OrgId, ProvrumId, TokenId};
    use utoipa::openapi::RefOr;
    use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};

    macro_rules! id_schema {
        ($($id:ty => $description:literal),*) => {$(
            impl utoipa::PartialSchema for $id {
                fn schema() -> RefOr<Schema> {
                    ObjectBuilder::new()
                        .schema_type(Type::String)
                        .pattern(Some(<$id>::PATTERN))
                        .description(Some($description))
                        .into()
                }
            }

            impl utoipa::ToSchema for $id {}
        )*};
    }

    id_schema!(
        OrgId => "An organisation's id, e.g. `region-skane`",
        ProvrumId => "A provrum's id, as issued",
        TokenId => "A token's id (not its secret), as issued"
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_org_id_is_a_short_lower_case_name() {
        assert_eq!(
            OrgId::parse(" region-skane ").map(|id| id.to_string()),
            Ok("region-skane".to_string())
        );
        for bad in [
            "",
            "Region",
            "-region",
            "region skåne",
            &"a".repeat(65),
            "a/b",
        ] {
            assert!(OrgId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(OrgId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn provrum_and_token_ids_are_what_the_store_issues() {
        assert!(ProvrumId::parse("pr_abcdefghijklmn27").is_ok());
        assert!(TokenId::parse("tok_abcdefghijklmn27").is_ok());
        for bad in [
            "pr_nope",
            "pr_abcdefghijklmn28",
            "pr_ABCDEFGHIJKLMN27",
            "pr_abcdefghijklmn277",
            "tok_abcdefghijklmn27",
            "x",
            "",
        ] {
            assert!(ProvrumId::parse(bad).is_err(), "{bad:?}");
        }
        assert!(TokenId::parse("pr_abcdefghijklmn27").is_err());
        let refused = ProvrumId::parse("pr_nope").expect_err("refused");
        assert_eq!(refused.0.sv, "Provrummet pr_nope finns inte.");
    }
}
