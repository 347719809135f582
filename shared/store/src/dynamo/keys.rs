//! Every key of the table, each built by one function here (the module's table says which item
//! has which): no other code formats a `PK`, `SK`, `GSI1PK` or `GSI1SK`.

use super::codec::{Item, s};
use super::table;
use crate::{AuditEvent, Provrum, Token, event_key};
use std::collections::HashMap;

/// An item's primary key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Key {
    pub pk: String,
    pub sk: String,
}

impl Key {
    fn new(pk: String, sk: impl Into<String>) -> Key {
        Key { pk, sk: sk.into() }
    }

    /// The key as the attributes of a `GetItem`, an `Update` or the start of an item.
    pub fn item(&self) -> Item {
        HashMap::from([
            (table::PK.to_string(), s(self.pk.clone())),
            (table::SK.to_string(), s(self.sk.clone())),
        ])
    }

    /// Whether DynamoDB could hold this key (partition keys up to 2 048 bytes, sort keys up to
    /// 1 024). A longer one, which only a request's path can bring, names nothing: asked for,
    /// DynamoDB would answer a ValidationException, and the caller a 500 instead of a 404.
    pub fn storable(&self) -> bool {
        storable(&self.pk, Some(&self.sk))
    }
}

/// [`Key::storable`] for a partition key and an optional sort key (or prefix).
pub(super) fn storable(pk: &str, sk: Option<&str>) -> bool {
    pk.len() <= 2048 && sk.is_none_or(|sk| sk.len() <= 1024)
}

/// An organisation (GSI1: [`ORGS`], its id).
pub(super) fn org(id: &str) -> Key {
    Key::new(format!("ORG#{id}"), "ORG")
}

/// GSI1's partition of every organisation.
pub(super) const ORGS: &str = "ORG";

/// A web session, by its secret's SHA-256.
pub(super) fn session(hash: &str) -> Key {
    Key::new(format!("SESSION#{hash}"), "SESSION")
}

/// A token, by its secret's SHA-256 (GSI1: [`token_id`], `TOKEN`).
pub(super) fn token(hash: &str) -> Key {
    Key::new(format!("{TOKENS}{hash}"), TOKEN_SK)
}

/// The partition key prefix of every token item …
pub(super) const TOKENS: &str = "TOKEN#";

/// … and their one sort key (an organisation's token entries are under `ORG#`, with longer
/// sort keys).
pub(super) const TOKEN_SK: &str = "TOKEN";

/// GSI1's partition of a token by its id.
pub(super) fn token_id(id: &str) -> String {
    format!("TOKENID#{id}")
}

/// GSI1's sort key of a token.
pub(super) const TOKEN_ID_SK: &str = "TOKEN";

/// A token's entry in its organisation's partition, in creation order: what lists the
/// organisation's tokens (its `hash` attribute leads to the token itself).
pub(super) fn org_token(token: &Token) -> Key {
    Key::new(
        org(&token.org).pk,
        format!(
            "{ORG_TOKENS}{}",
            crate::order_key(token.created_at, &token.id)
        ),
    )
}

/// The sort key prefix of an organisation's token entries.
pub(super) const ORG_TOKENS: &str = "TOKEN#";

/// A provrum (GSI1: [`PROVRUMS`], [`provrum_order`]).
pub(super) fn provrum(id: &str) -> Key {
    Key::new(format!("PROVRUM#{id}"), "PROVRUM")
}

/// GSI1's partition of every provrum.
pub(super) const PROVRUMS: &str = "PROVRUM";

/// GSI1's sort key of a provrum: proposal order.
pub(super) fn provrum_order(p: &Provrum) -> String {
    crate::order_key(p.created_at, &p.id)
}

/// The summary of a provrum's budget version.
pub(super) fn budget(provrum_id: &str, version: u32) -> Key {
    Key::new(provrum(provrum_id).pk, format!("{BUDGETS}{version:06}"))
}

/// The sort key prefix of a provrum's budget versions' summaries.
pub(super) const BUDGETS: &str = "BUDGET#";

/// One chunk of a budget version's data.
pub(super) fn budget_data(provrum_id: &str, version: u32, chunk: usize) -> Key {
    Key::new(
        provrum(provrum_id).pk,
        format!("{}{chunk:04}", budget_data_prefix(version)),
    )
}

/// The sort key prefix of a budget version's data chunks.
pub(super) fn budget_data_prefix(version: u32) -> String {
    format!("BUDGETDATA#{version:06}#")
}

/// An audit event.
pub(super) fn audit(event: &AuditEvent) -> Key {
    Key::new(audit_of(&event.entity), event_key(event))
}

/// The partition of an entity's audit events.
pub(super) fn audit_of(entity: &str) -> String {
    format!("AUDIT#{entity}")
}

/// A quota year's counters.
pub(super) fn quota(year: i32) -> Key {
    Key::new(format!("QUOTA#{year}"), "QUOTA")
}

/// A yearly report (and the claim on posting it).
pub(super) fn report(year: i32) -> Key {
    Key::new(format!("REPORT#{year}"), "REPORT")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_as_the_table_documents() {
        assert_eq!(org("a").pk, "ORG#a");
        assert_eq!(token("h").sk, "TOKEN");
        assert!(token("h").pk.starts_with(TOKENS));
        assert_eq!(token("h").sk, TOKEN_SK);
        assert_eq!(budget("p", 3).sk, "BUDGET#000003");
        assert_eq!(budget_data("p", 3, 7).sk, "BUDGETDATA#000003#0007");
        assert!(
            budget_data("p", 3, 7)
                .sk
                .starts_with(&budget_data_prefix(3))
        );
        assert!(!budget_data("p", 3, 7).sk.starts_with(BUDGETS));
        assert_eq!(quota(2025).pk, "QUOTA#2025");
        assert_eq!(report(2025).pk, "REPORT#2025");
        assert!(!Key::new("x".repeat(2049), "S").storable());
        let token = Token {
            id: "tok_1".into(),
            org: "region-a".into(),
            label: String::new(),
            hash: "h".into(),
            created_at: chrono::DateTime::UNIX_EPOCH,
            revoked_at: None,
            last_used_at: None,
        };
        assert_eq!(org_token(&token).pk, org("region-a").pk);
        assert_eq!(
            org_token(&token).sk,
            "TOKEN#1970-01-01T00:00:00.000000000Z#tok_1"
        );
        assert_ne!(org_token(&token).sk, org("region-a").sk);
    }
}
