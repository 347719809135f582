//! The words of the model and the workbook, and how they are compared: the bottom of the crate,
//! which `model` and `layout` both build on.

use crate::lang::{Lang, Text};
use std::collections::HashMap;

/// A word of the model or a name in the template: Swedish, English, and other spellings people
/// use.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Name {
    pub sv: &'static str,
    pub en: &'static str,
    pub also: &'static [&'static str],
}

impl Name {
    pub fn get(&self, lang: Lang) -> &'static str {
        match lang {
            Lang::Sv => self.sv,
            Lang::En => self.en,
        }
    }

    pub fn text(&self) -> Text {
        Text::new(self.sv, self.en)
    }

    /// Whether a cell's text or a sheet's name is this name (case, white space, colons ignored).
    pub fn matches(&self, text: &str) -> bool {
        // A blank cell (or one of colons) is no name.
        !same(text, "")
            && (same(text, self.sv)
                || same(text, self.en)
                || self.also.iter().any(|a| same(text, a)))
    }
}

/// Names found by their normalized text: the reader asks about every header, label and category
/// cell, and each is normalized once and hashed rather than compared with every name in turn.
pub struct Lookup<T>(HashMap<String, T>);

impl<T: Copy + PartialEq + std::fmt::Debug> Lookup<T> {
    /// The table of `entries`; a text two of them share would be ambiguous, which the tests of
    /// each table rule out.
    pub fn new(entries: impl IntoIterator<Item = (T, Name)>) -> Lookup<T> {
        let mut map = HashMap::new();
        for (value, name) in entries {
            for text in [name.sv, name.en]
                .into_iter()
                .chain(name.also.iter().copied())
            {
                let previous = map.insert(normalize(text), value);
                debug_assert!(
                    previous.is_none_or(|p| p == value),
                    "{text} names both {previous:?} and {value:?}"
                );
            }
        }
        Lookup(map)
    }

    pub fn find(&self, text: &str) -> Option<T> {
        self.0.get(&normalize(text)).copied()
    }
}

/// How labels, headers, names and words are compared: case, surrounding and repeated white space
/// (including no-break and thin spaces) and trailing colons ignored.
pub fn normalize(text: &str) -> String {
    let mut key = String::with_capacity(text.len());
    for c in normalized_spacing(text) {
        if c.is_ascii() {
            key.push(c.to_ascii_lowercase());
        } else {
            key.extend(c.to_lowercase());
        }
    }
    key
}

/// Whether two texts are the same once normalized ([`normalize`]), without building either:
/// the reader asks this of every header and label cell against every name the template knows.
pub fn same(a: &str, b: &str) -> bool {
    normalized(a).eq(normalized(b))
}

/// Whether the normalized text is `word` or starts with it and a space (`word` itself normalized).
pub fn starts_with_word(text: &str, word: &str) -> bool {
    let mut chars = normalized(text);
    word.chars().all(|w| chars.next() == Some(w)) && matches!(chars.next(), None | Some(' '))
}

/// The characters of the normalized text.
fn normalized(text: &str) -> impl Iterator<Item = char> + '_ {
    normalized_spacing(text).flat_map(char::to_lowercase)
}

/// The text's characters with its white space normalized, before lowercasing. Trailing colons
/// and white space can be trimmed first, as no character lowercases to either.
fn normalized_spacing(text: &str) -> impl Iterator<Item = char> + '_ {
    let mut after_space = false;
    text.trim_end_matches(|c: char| c == ':' || c.is_whitespace())
        .trim_start()
        .chars()
        .filter_map(move |c| {
            if !c.is_whitespace() {
                after_space = false;
                Some(c)
            } else if after_space {
                None
            } else {
                after_space = true;
                Some(' ')
            }
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalize_ignores_case_space_and_colons() {
        assert_eq!(normalize("  Belopp (kr): "), "belopp (kr)");
        assert_eq!(normalize("Region\u{00A0}Skåne"), "region skåne");
        assert_eq!(normalize("\u{202F}Totalt\t: :\n"), "totalt");
        assert_eq!(normalize(" a :b  c"), "a :b c");
        assert_eq!(normalize(" \u{00A0}:"), "");
        assert!(same("  BELOPP\u{202F}(kr):", "Belopp (kr)"));
        assert!(!same("Belopp", "Belopp (kr)"));
        assert!(same("", " : "));
        assert!(starts_with_word("  SUMMA kostnader", "summa"));
        assert!(starts_with_word("Summa:", "summa"));
        assert!(!starts_with_word("Summan", "summa"));
        assert!(!starts_with_word("Sum", "summa"));
    }
}
