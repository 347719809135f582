//! Free text a person writes into a field of a request: trimmed, bounded, no control characters
//! but line breaks and tabs. The rule is stated once, in [`Field`]: handlers parse with it, and
//! the OpenAPI document describes the same field with the same bound and a pattern that says the
//! same (`#[schema(schema_with = …)]`), which schemathesis holds to the handlers.

use crate::ApiError;
use provrum_rules::Text;
use utoipa::openapi::schema::{Object, ObjectBuilder, SchemaType, Type};

/// Any text without control characters but line breaks and tabs (what [`Field`] accepts).
const TEXT: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";
/// The same, with at least one character that is not white space (a field that must be filled).
const FILLED: &str = r"^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*[^\s\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f][^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$";
/// A web address (what [`Field::web_link`] accepts), or nothing.
const WEB_LINK: &str = r"^\s*(https?://[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*)?$";
/// A name on one line, not blank: no control characters at all (an organisation's name, as
/// `provrum_store::parse_org_name` reads it).
const NAME: &str = r"^[^\u0000-\u001f\u007f-\u009f]*[^\s\u0000-\u001f\u007f-\u009f][^\u0000-\u001f\u007f-\u009f]*$";

/// A text field of a request: its JSON name, what the forms call it (the web page's and the
/// add-on's label, in both languages, so that a message names the field the person sees), and
/// its longest length.
#[derive(Debug, Clone, Copy)]
pub struct Field {
    pub name: &'static str,
    pub label: (&'static str, &'static str),
    pub max: usize,
}

impl Field {
    pub const fn new(name: &'static str, label: (&'static str, &'static str), max: usize) -> Field {
        Field { name, label, max }
    }

    /// The text, trimmed; at most `max` characters, no control characters but line breaks.
    fn text(&self, value: &str) -> Result<String, ApiError> {
        let ((sv, en), max) = (self.label, self.max);
        let value = value.trim();
        let length = value.chars().count();
        if length > max {
            return Err(ApiError::bad_request(Text::new(
                format!(
                    "För lång text i ”{sv}”: högst {max} tecken, men {length} skrevs. Korta texten och försök igen."
                ),
                format!(
                    "Too long a text in \"{en}\": at most {max} characters, but {length} were written. Shorten it and try again."
                ),
            ))
            .at_field(self.name));
        }
        if value
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t')
        {
            return Err(ApiError::bad_request(Text::new(
                format!("”{sv}” innehåller styrtecken; skriv bara vanlig text."),
                format!("\"{en}\" contains control characters; write plain text only."),
            ))
            .at_field(self.name));
        }
        Ok(value.to_string())
    }

    /// A field that must have text.
    pub fn required(&self, value: &str) -> Result<String, ApiError> {
        let text = self.text(value)?;
        if text.is_empty() {
            let (sv, en) = self.label;
            return Err(ApiError::bad_request(Text::new(
                format!("Fyll i ”{sv}”; fältet får inte vara tomt."),
                format!("Fill in \"{en}\"; the field may not be empty."),
            ))
            .at_field(self.name));
        }
        Ok(text)
    }

    /// A field that may be absent; empty text counts as absent.
    pub fn optional(&self, value: Option<&str>) -> Result<Option<String>, ApiError> {
        Ok(value
            .map(|v| self.text(v))
            .transpose()?
            .filter(|v| !v.is_empty()))
    }

    /// An optional web address: https:// (or http://) and more, or absent.
    pub fn web_link(&self, value: Option<&str>) -> Result<Option<String>, ApiError> {
        let link = self.optional(value)?;
        if link
            .as_deref()
            .is_some_and(|l| !(l.starts_with("https://") || l.starts_with("http://")))
        {
            return Err(ApiError::bad_request(Text::new(
                "Länken ska vara en webbadress som börjar med https:// (eller http://).",
                "The link should be a web address starting with https:// (or http://).",
            ))
            .at_field(self.name));
        }
        Ok(link)
    }

    /// The schema of a field read with [`Field::required`].
    pub fn required_schema(&self) -> Object {
        string(self.max, FILLED).min_length(Some(1)).build()
    }

    /// The schema of a field read with [`Field::optional`] (`null` counts as absent).
    pub fn optional_schema(&self) -> Object {
        nullable(string(self.max, TEXT))
    }

    /// The schema of a field read with [`Field::web_link`].
    pub fn web_link_schema(&self) -> Object {
        nullable(
            string(self.max, WEB_LINK).description(Some("A web address (https:// or http://).")),
        )
    }

    /// The schema of a name on one line (`provrum_store::parse_org_name`'s rule).
    pub fn name_schema(&self) -> Object {
        string(self.max, NAME)
            .min_length(Some(1))
            .description(Some(format!(
                "1-{} characters, no control characters.",
                self.max
            )))
            .build()
    }
}

fn string(max: usize, pattern: &str) -> ObjectBuilder {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .max_length(Some(max))
        .pattern(Some(pattern))
}

fn nullable(schema: ObjectBuilder) -> Object {
    schema
        .schema_type(SchemaType::from_iter([Type::String, Type::Null]))
        .build()
}
