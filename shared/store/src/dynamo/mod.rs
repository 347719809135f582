//! The DynamoDB store: one table, single-table design, one GSI for listings, no Scan (but in
//! `migrate`, an operator's one-off migration, never a request).
//!
//! | entity | PK | SK | GSI1PK | GSI1SK | used by |
//! |---|---|---|---|---|---|
//! | organisation | `ORG#<id>` | `ORG` | `ORG` | `<id>` | get by id; list (GSI1) |
//! | token | `TOKEN#<sha256>` | `TOKEN` | `TOKENID#<id>` | `TOKEN` | auth by hash; revoke by id (GSI1); `last_used_ms` touched at most hourly |
//! | token entry | `ORG#<org>` | `TOKEN#<created>#<id>` | | | an organisation's tokens (Query on PK; `hash` leads to the token) |
//! | provrum | `PROVRUM#<id>` | `PROVRUM` | `PROVRUM` | `<created>#<id>` | get; status sheet pages (GSI1) |
//! | budget version | `PROVRUM#<id>` | `BUDGET#<000001>` | | | list versions (Query on PK) |
//! | budget data chunk | `PROVRUM#<id>` | `BUDGETDATA#<000001>#<0000>` | | | get one version |
//! | audit event | `AUDIT#<entity>` | `<time>#<random>` | | | events of an entity (paged) |
//! | quota year | `QUOTA#<year>` | `QUOTA` | | | approve (transaction), report |
//! | yearly report | `REPORT#<year>` | `REPORT` | | | stored once per year; its post claimed with a lease, marked once |
//!
//! Mutable items carry `version`; writes are conditioned on it. A budget version's data is
//! gzip-compressed JSON split into chunks under DynamoDB's 400 KB item limit, written in the same
//! transaction as its summary, the provrum's new state and the audit event.
//!
//! Every call is bounded ([`Patience`]): a DynamoDB that does not answer costs a request at most
//! a few seconds and three tries, then the caller gets [`StoreError::Unavailable`] (503). A
//! retried `TransactWriteItems` carries the SDK's one `ClientRequestToken`, so DynamoDB applies it
//! once however many tries reach it. A transaction DynamoDB cancels for a conflict with another
//! one, or throttles, is sent again a bounded number of times (`transact`), then
//! is [`StoreError::Contended`] (409, try again) or [`StoreError::Unavailable`].
//!
//! The code is split by concern: `keys` builds every key (one function each), [`table`] is the
//! table's definition, [`patience`] the bounds on calls, `codec` the conversions between items
//! and values (and SDK errors), `transact` the one way to run a transaction, `ops` the
//! [`Store`] operations, and `migrate` what an operator runs once after an upgrade.

mod codec;
mod keys;
mod migrate;
mod ops;
pub mod patience;
pub mod table;
mod transact;

pub use patience::Patience;

use crate::{Provrum, Result, Store, StoreError};
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::operation::query::builders::QueryFluentBuilder;
use aws_sdk_dynamodb::types::{Put, TransactWriteItem};
use codec::{Item, Listing, build_err, decode_cursor_of, encode_cursor, s, sdk_err};
use keys::Key;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

/// Budget data is split into chunks of this many bytes (compressed) …
const CHUNK: usize = 350_000;
/// … and at most this much per version, so one transaction stays under DynamoDB's 4 MB.
const MAX_BUDGET_DATA: usize = 3_500_000;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
    /// The bounds its client was configured with, and that its transactions' retries keep.
    patience: Patience,
}

/// Counts the requests a DynamoDB client sends, by operation (`Query`, `GetItem`, …; retries
/// included, as they are billed): how the tests and the benchmark show what one request to the
/// API costs in DynamoDB calls.
#[derive(Debug, Clone, Default)]
pub struct CallCounter(Arc<Mutex<BTreeMap<String, u32>>>);

impl CallCounter {
    /// The calls counted since the last `take`, by operation.
    pub fn take(&self) -> BTreeMap<String, u32> {
        match self.0.lock() {
            Ok(mut calls) => std::mem::take(&mut *calls),
            Err(poisoned) => std::mem::take(&mut *poisoned.into_inner()),
        }
    }
}

impl Intercept for CallCounter {
    fn name(&self) -> &'static str {
        "CallCounter"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _: &RuntimeComponents,
        _: &mut ConfigBag,
    ) -> std::result::Result<(), BoxError> {
        // The operation is named in the `X-Amz-Target: DynamoDB_20120810.Query` header.
        let operation = context
            .request()
            .headers()
            .get("x-amz-target")
            .and_then(|t| t.rsplit('.').next())
            .unwrap_or("unknown")
            .to_string();
        let mut calls = match self.0.lock() {
            Ok(calls) => calls,
            Err(poisoned) => poisoned.into_inner(),
        };
        *calls.entry(operation).or_default() += 1;
        Ok(())
    }
}

impl DynamoStore {
    /// The same store with other bounds on its calls (tests make them short).
    pub fn with_patience(&self, patience: Patience) -> DynamoStore {
        let config = self
            .client
            .config()
            .to_builder()
            .retry_config(patience.retry())
            .timeout_config(patience.timeouts())
            .build();
        DynamoStore::new(Client::from_conf(config), self.table.clone()).patient(patience)
    }

    /// The same store on a client that counts its calls.
    pub fn counted(&self) -> (DynamoStore, CallCounter) {
        let counter = CallCounter::default();
        let config = self
            .client
            .config()
            .to_builder()
            .interceptor(counter.clone())
            .build();
        (
            DynamoStore::new(Client::from_conf(config), self.table.clone()).patient(self.patience),
            counter,
        )
    }

    /// A store on `client`, whose configuration bounds its calls; its transactions are retried
    /// within [`Patience::LAMBDA`].
    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
            patience: Patience::LAMBDA,
        }
    }

    fn patient(mut self, patience: Patience) -> DynamoStore {
        self.patience = patience;
        self
    }

    /// A store on `table` through the standard AWS configuration chain (so
    /// `AWS_ENDPOINT_URL_DYNAMODB` points it at a local server).
    pub async fn from_env(table: impl Into<String>) -> DynamoStore {
        let patience = Patience::LAMBDA;
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .retry_config(patience.retry())
            .timeout_config(patience.timeouts())
            .load()
            .await;
        DynamoStore::new(Client::new(&config), table).patient(patience)
    }

    /// A store on a local DynamoDB-compatible server (moto, DynamoDB Local) with dummy
    /// credentials, for tests and laptops.
    pub async fn local(endpoint: &str, table: impl Into<String>) -> DynamoStore {
        let config = aws_config::defaults(aws_config::BehaviorVersion::latest())
            .region(aws_sdk_dynamodb::config::Region::new("eu-north-1"))
            .endpoint_url(endpoint)
            .credentials_provider(aws_sdk_dynamodb::config::Credentials::new(
                "local", "local", None, None, "local",
            ))
            .retry_config(Patience::LOCAL.retry())
            .timeout_config(Patience::LOCAL.timeouts())
            .load()
            .await;
        DynamoStore::new(Client::new(&config), table).patient(Patience::LOCAL)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Writes `item` unless an item with its key exists: `true` when it was written.
    async fn put_new(&self, item: Item) -> Result<bool> {
        let result = self
            .client
            .put_item()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression("attribute_not_exists(PK)")
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if codec::condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn get_item(&self, key: Key) -> Result<Option<Item>> {
        if !key.storable() {
            return Ok(None);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.item)
    }

    /// A Query of `listing`'s partition from `start` on: strongly consistent on the table (an
    /// index can only be read eventually consistent).
    fn partition_query(&self, listing: &Listing<'_>, start: Option<Item>) -> QueryFluentBuilder {
        let q = self
            .client
            .query()
            .table_name(&self.table)
            .set_index_name(listing.index().map(str::to_string))
            .expression_attribute_names("#pk", listing.pk_name)
            .expression_attribute_values(":pk", s(listing.pk))
            .set_exclusive_start_key(start);
        let q = match listing.sk_prefix {
            Some(prefix) => q
                .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                .expression_attribute_names("#sk", table::SK)
                .expression_attribute_values(":prefix", s(prefix)),
            None => q.key_condition_expression("#pk = :pk"),
        };
        if listing.index().is_none() {
            q.consistent_read(true)
        } else {
            q
        }
    }

    /// Every item of `listing`, all pages.
    async fn query_all(&self, listing: &Listing<'_>) -> Result<Vec<Item>> {
        if !keys::storable(listing.pk, listing.sk_prefix) {
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let out = self
                .partition_query(listing, start.take())
                .send()
                .await
                .map_err(sdk_err)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(items),
            }
        }
    }

    /// One page of `listing` in key order, continuing a cursor of the same listing: at most
    /// `limit` items, and the cursor to continue after the last of them when more follow.
    async fn page(
        &self,
        listing: &Listing<'_>,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<(Vec<Item>, Option<String>)> {
        let start = cursor.map(|c| decode_cursor_of(c, listing)).transpose()?;
        let (items, next) = self
            .query_page(listing, start, crate::page_limit(limit))
            .await?;
        Ok((items, next.map(|k| encode_cursor(&k))))
    }

    /// One page of a Query in key order: at most `limit` items from `start` on, and the key to
    /// continue after the last of them when more follow. One more item than a page is asked
    /// for, so a full last page promises no empty page after it (as SQLite's pages do).
    async fn query_page(
        &self,
        listing: &Listing<'_>,
        mut start: Option<Item>,
        limit: u32,
    ) -> Result<(Vec<Item>, Option<Item>)> {
        if !keys::storable(listing.pk, listing.sk_prefix) {
            return Ok((Vec::new(), None));
        }
        let wanted = limit as usize + 1;
        let mut items: Vec<Item> = Vec::new();
        loop {
            let out = self
                .partition_query(listing, start.take())
                .limit(i32::try_from(wanted - items.len()).unwrap_or(i32::MAX))
                .send()
                .await
                .map_err(sdk_err)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() && items.len() < wanted => start = Some(k),
                _ => break,
            }
        }
        if items.len() < wanted {
            return Ok((items, None));
        }
        items.truncate(limit as usize);
        let next = items.last().map(|last| {
            listing
                .names
                .iter()
                .filter_map(|name| last.get(*name).map(|v| (name.to_string(), v.clone())))
                .collect()
        });
        Ok((items, next))
    }

    fn put(&self, item: Item, condition: &str) -> Result<TransactWriteItem> {
        let put = Put::builder()
            .table_name(&self.table)
            .set_item(Some(item))
            .condition_expression(condition)
            .build()
            .map_err(build_err)?;
        Ok(TransactWriteItem::builder().put(put).build())
    }

    /// Why a versioned provrum write was cancelled: gone, or changed since it was read.
    async fn provrum_conflict(&self, p: &Provrum) -> StoreError {
        match self.get_provrum(&p.id).await {
            Ok(None) => StoreError::NotFound(format!("provrum {}", p.id)),
            Ok(Some(stored)) => StoreError::Conflict(format!(
                "provrum {} is at version {} ({}), the change was made against version {}",
                p.id,
                stored.version,
                stored.status.as_str(),
                p.version
            )),
            Err(e) => e,
        }
    }
}
