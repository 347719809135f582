//! Between Rust values and DynamoDB's: attribute values, the provrum item, compressed budget data,
//! listing cursors, and the SDK's errors as [`StoreError`]s.

use super::{keys, table};
use crate::{Provrum, Result, StoreError, Token, from_json, to_json};
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue as AV;
use std::collections::HashMap;
use std::io::{Read, Write};

pub(super) type Item = HashMap<String, AV>;

pub(super) fn s(v: impl Into<String>) -> AV {
    AV::S(v.into())
}

pub(super) fn n(v: impl ToString) -> AV {
    AV::N(v.to_string())
}

pub(super) fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| StoreError::Corrupt(format!("item without {name}")))
}

pub(super) fn get_n(item: &Item, name: &str) -> Result<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("item without number {name}")))
}

/// Whether a conditional write failed on its condition (rather than for any other reason).
pub(super) fn condition_failed<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error().and_then(|se| se.code()) == Some("ConditionalCheckFailedException")
}

/// Maps an SDK error: no answer from the service is `Unavailable` (nothing was written).
pub(super) fn sdk_err<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(&e).to_string();
    // Logged here, inside the store call's span (its `op`), so a failed request's lines show
    // which call DynamoDB did not take. A failed condition is an answer, not a failure.
    if !condition_failed(&e) {
        tracing::warn!(error = %text, "DynamoDB call failed");
    }
    match &e {
        SdkError::DispatchFailure(_) | SdkError::TimeoutError(_) | SdkError::ResponseError(_) => {
            StoreError::Unavailable(text)
        }
        SdkError::ServiceError(se) => match se.err().code() {
            Some(
                "ProvisionedThroughputExceededException"
                | "ThrottlingException"
                | "RequestLimitExceeded"
                | "InternalServerError",
            ) => StoreError::Unavailable(text),
            Some("ResourceNotFoundException") => StoreError::Backend(format!(
                "table missing (create it with --create-table): {text}"
            )),
            _ => StoreError::Backend(text),
        },
        _ => StoreError::Backend(text),
    }
}

pub(super) fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("request: {e}"))
}

pub(super) fn provrum_item(p: &Provrum) -> Result<Item> {
    let mut item = keys::provrum(&p.id).item();
    item.insert(table::GSI1_PK.into(), s(keys::PROVRUMS));
    item.insert(table::GSI1_SK.into(), s(keys::provrum_order(p)));
    item.insert("status".into(), s(p.status.as_str()));
    item.insert("version".into(), n(p.version));
    item.insert("data".into(), s(to_json(p)?));
    Ok(item)
}

pub(super) fn provrum_from(item: &Item) -> Result<Provrum> {
    let mut p: Provrum = from_json(get_s(item, "data")?)?;
    p.version = get_n(item, "version")? as u64;
    Ok(p)
}

/// A token's entry in its organisation's partition ([`keys::org_token`]), which lists it: the
/// one shape both `create_token` and the backfill of tokens made before the entries write.
pub(super) fn token_entry_item(token: &Token) -> Item {
    let mut entry = keys::org_token(token).item();
    entry.insert("hash".into(), s(token.hash.clone()));
    entry
}

/// The attribute of a token item that holds when it was last used (milliseconds since the
/// epoch, a number, so the touch's condition compares it); never part of its `data`.
pub(super) const LAST_USED: &str = "last_used_ms";

pub(super) fn token_from(item: &Item) -> Result<Token> {
    let mut token: Token = from_json(get_s(item, "data")?)?;
    token.last_used_at = match item.get(LAST_USED) {
        None => None,
        Some(_) => Some(
            chrono::DateTime::from_timestamp_millis(get_n(item, LAST_USED)?)
                .ok_or_else(|| StoreError::Corrupt(format!("token {}: {LAST_USED}", token.id)))?,
        ),
    };
    Ok(token)
}

pub(super) fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(bytes)
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    encoder
        .finish()
        .map_err(|e| StoreError::Backend(e.to_string()))
}

pub(super) fn gunzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(out)
}

/// A listing cursor: the page's last key, as JSON.
pub(super) fn encode_cursor(key: &Item) -> String {
    let strings: HashMap<&str, &str> = key
        .iter()
        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.as_str(), v.as_str())))
        .collect();
    crate::encode_cursor(
        serde_json::to_string(&strings)
            .unwrap_or_default()
            .as_bytes(),
    )
}

/// What a listing's cursors must be: the key attributes of its Query's items (the table's, plus
/// the index's for an index), its partition, and the prefix of its sort keys.
pub(super) struct Listing<'a> {
    pub names: &'a [&'a str],
    pub pk_name: &'a str,
    pub pk: &'a str,
    pub sk_prefix: Option<&'a str>,
}

impl<'a> Listing<'a> {
    /// A partition of the table, or only its sort keys that begin with `sk_prefix`.
    pub fn table(pk: &'a str, sk_prefix: Option<&'a str>) -> Listing<'a> {
        Listing {
            names: &[table::PK, table::SK],
            pk_name: table::PK,
            pk,
            sk_prefix,
        }
    }

    /// A partition of GSI1.
    pub fn gsi1(pk: &'a str) -> Listing<'a> {
        Listing {
            names: &table::KEY_ATTRIBUTES,
            pk_name: table::GSI1_PK,
            pk,
            sk_prefix: None,
        }
    }

    /// The index it reads, if not the table.
    pub fn index(&self) -> Option<&'static str> {
        (self.pk_name == table::GSI1_PK).then_some(table::GSI1)
    }
}

/// The start key a cursor of `listing` holds, or `Invalid`: a cursor of another listing, another
/// partition, or with a key DynamoDB could not take is never sent to it.
pub(super) fn decode_cursor_of(cursor: &str, listing: &Listing<'_>) -> Result<Item> {
    let invalid = crate::unknown_cursor;
    let map: HashMap<String, String> =
        serde_json::from_slice(&crate::decode_cursor(cursor)?).map_err(|_| invalid())?;
    let fits = map.len() == listing.names.len()
        && listing.names.iter().all(|k| map.contains_key(*k))
        && map.values().all(|v| !v.is_empty() && v.len() <= 1024)
        && map.get(listing.pk_name).map(String::as_str) == Some(listing.pk)
        && listing
            .sk_prefix
            .is_none_or(|prefix| map.get(table::SK).is_some_and(|sk| sk.starts_with(prefix)));
    if !fits {
        return Err(invalid());
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}
