//! The DynamoDB store: one table, single-table design, one GSI for listings, no Scan.
//!
//! | entity | PK | SK | GSI1PK | GSI1SK | used by |
//! |---|---|---|---|---|---|
//! | organisation | `ORG#<id>` | `ORG` | `ORG` | `<id>` | get by id; list (GSI1) |
//! | token | `TOKEN#<sha256>` | `TOKEN` | `TOKENID#<id>` | `TOKEN` | auth by hash; revoke by id (GSI1) |
//! | provrum | `PROVRUM#<id>` | `PROVRUM` | `PROVRUM` | `<created>#<id>` | get; status sheet pages (GSI1) |
//! | budget version | `PROVRUM#<id>` | `BUDGET#<000001>` | | | list versions (Query on PK) |
//! | budget data chunk | `PROVRUM#<id>` | `BUDGETDATA#<000001>#<0000>` | | | get one version |
//! | audit event | `AUDIT#<entity>` | `<time>#<random>` | | | events of an entity |
//! | quota year | `QUOTA#<year>` | `QUOTA` | | | approve (transaction), report |
//! | yearly report | `REPORT#<year>` | `REPORT` | | | stored once per year |
//!
//! Mutable items carry `version`; writes are conditioned on it. A budget version's data is
//! gzip-compressed JSON split into chunks under DynamoDB's 400 KB item limit, written in the same
//! transaction as its summary, the provrum's new state and the audit event.
//!
//! Every call is bounded ([`Patience`]): a DynamoDB that does not answer costs a request at most
//! a few seconds and three tries, then the caller gets [`StoreError::Unavailable`] (503). A
//! retried `TransactWriteItems` carries the SDK's one `ClientRequestToken`, so DynamoDB applies it
//! once however many tries reach it.

use crate::{
    AuditEvent, BudgetSummary, BudgetVersion, Org, Page, Provrum, Result, Store, StoreError,
    StoredReport, Token, approval_parts, event_key, from_json, to_json,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::config::interceptors::BeforeTransmitInterceptorContextRef;
use aws_sdk_dynamodb::config::{ConfigBag, Intercept, RuntimeComponents};
use aws_sdk_dynamodb::error::BoxError;
use aws_sdk_dynamodb::error::{DisplayErrorContext, ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, AttributeValue as AV, BillingMode, GlobalSecondaryIndex, KeySchemaElement,
    KeyType, Projection, ProjectionType, Put, ScalarAttributeType, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use provrum_rules::kvot::{QuotaYear, admit};
use provrum_rules::model::Status;
use provrum_rules::{Ore, RuleSet};
use std::collections::{BTreeMap, HashMap};
use std::io::{Read, Write};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// The table's shape: the one definition `--create-table`, the tests and the infra template use.
pub mod table {
    pub const PK: &str = "PK";
    pub const SK: &str = "SK";
    pub const GSI1: &str = "GSI1";
    pub const GSI1_PK: &str = "GSI1PK";
    pub const GSI1_SK: &str = "GSI1SK";
    /// All key attributes are strings; billing is on demand; GSI1 projects all attributes.
    pub const KEY_ATTRIBUTES: [&str; 4] = [PK, SK, GSI1_PK, GSI1_SK];

    /// The table as CloudFormation `AWS::DynamoDB::Table` properties: what `create_table` makes,
    /// and what infra/template.yaml must declare (scripts/infra-check compares them).
    pub fn cloudformation() -> serde_json::Value {
        let key =
            |name: &str, kind: &str| serde_json::json!({"AttributeName": name, "KeyType": kind});
        serde_json::json!({
            "BillingMode": "PAY_PER_REQUEST",
            "AttributeDefinitions": KEY_ATTRIBUTES
                .iter()
                .map(|a| serde_json::json!({"AttributeName": a, "AttributeType": "S"}))
                .collect::<Vec<_>>(),
            "KeySchema": [key(PK, "HASH"), key(SK, "RANGE")],
            "GlobalSecondaryIndexes": [{
                "IndexName": GSI1,
                "KeySchema": [key(GSI1_PK, "HASH"), key(GSI1_SK, "RANGE")],
                "Projection": {"ProjectionType": "ALL"}
            }]
        })
    }
}

/// Budget data is split into chunks of this many bytes (compressed) …
const CHUNK: usize = 350_000;
/// … and at most this much per version, so one transaction stays under DynamoDB's 4 MB.
const MAX_BUDGET_DATA: usize = 3_500_000;

type Item = HashMap<String, AV>;

#[derive(Clone)]
pub struct DynamoStore {
    client: Client,
    table: String,
}

fn s(v: impl Into<String>) -> AV {
    AV::S(v.into())
}

fn n(v: impl ToString) -> AV {
    AV::N(v.to_string())
}

fn key(pk: String, sk: &str) -> Item {
    HashMap::from([
        (table::PK.to_string(), s(pk)),
        (table::SK.to_string(), s(sk)),
    ])
}

/// Whether a conditional write failed on its condition (rather than for any other reason).
fn condition_failed<E: ProvideErrorMetadata, R>(e: &SdkError<E, R>) -> bool {
    e.as_service_error().and_then(|se| se.code()) == Some("ConditionalCheckFailedException")
}

/// Whether DynamoDB could hold a key this long (partition keys up to 2 048 bytes, sort keys up to
/// 1 024). A longer one, which only a request's path can bring, names nothing: asked for, DynamoDB
/// would answer a ValidationException, and the caller a 500 instead of a 404.
fn storable(pk: &str, sk: Option<&str>) -> bool {
    pk.len() <= 2048 && sk.is_none_or(|sk| sk.len() <= 1024)
}

fn get_s<'a>(item: &'a Item, name: &str) -> Result<&'a str> {
    item.get(name)
        .and_then(|v| v.as_s().ok())
        .map(String::as_str)
        .ok_or_else(|| StoreError::Corrupt(format!("item without {name}")))
}

fn get_n(item: &Item, name: &str) -> Result<i64> {
    item.get(name)
        .and_then(|v| v.as_n().ok())
        .and_then(|v| v.parse().ok())
        .ok_or_else(|| StoreError::Corrupt(format!("item without number {name}")))
}

/// Maps an SDK error: no answer from the service is `Unavailable` (nothing was written).
fn sdk_err<E, R>(e: SdkError<E, R>) -> StoreError
where
    E: ProvideErrorMetadata + std::error::Error + Send + Sync + 'static,
    R: std::fmt::Debug,
{
    let text = DisplayErrorContext(&e).to_string();
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

fn build_err(e: impl std::fmt::Display) -> StoreError {
    StoreError::Backend(format!("request: {e}"))
}

fn audit_put(table: &str, event: &AuditEvent) -> Result<TransactWriteItem> {
    let mut item = key(format!("AUDIT#{}", event.entity), &event_key(event));
    item.insert("data".into(), s(to_json(event)?));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .build()
        .map_err(build_err)?;
    Ok(TransactWriteItem::builder().put(put).build())
}

fn provrum_item(p: &Provrum) -> Result<Item> {
    let mut item = key(format!("PROVRUM#{}", p.id), "PROVRUM");
    item.insert(table::GSI1_PK.into(), s("PROVRUM"));
    item.insert(
        table::GSI1_SK.into(),
        s(format!(
            "{}#{}",
            p.created_at.format("%Y-%m-%dT%H:%M:%S%.9fZ"),
            p.id
        )),
    );
    item.insert("status".into(), s(p.status.as_str()));
    item.insert("version".into(), n(p.version));
    item.insert("data".into(), s(to_json(p)?));
    Ok(item)
}

fn provrum_from(item: &Item) -> Result<Provrum> {
    let mut p: Provrum = from_json(get_s(item, "data")?)?;
    p.version = get_n(item, "version")? as u64;
    Ok(p)
}

/// The provrum's next state, written only if the stored copy is at `p.version` (and, with
/// `from_status`, in that status).
fn provrum_update(
    table: &str,
    p: &Provrum,
    from_status: Option<Status>,
) -> Result<(TransactWriteItem, Provrum)> {
    let mut next = p.clone();
    next.version = p.version + 1;
    let mut condition = "#version = :expected".to_string();
    let mut values = HashMap::from([
        (":expected".to_string(), n(p.version)),
        (":next".to_string(), n(next.version)),
        (":status".to_string(), s(next.status.as_str())),
        (":data".to_string(), s(to_json(&next)?)),
    ]);
    if let Some(status) = from_status {
        condition.push_str(" AND #status = :from");
        values.insert(":from".into(), s(status.as_str()));
    }
    let update = Update::builder()
        .table_name(table)
        .set_key(Some(key(format!("PROVRUM#{}", p.id), "PROVRUM")))
        .update_expression("SET #version = :next, #status = :status, #data = :data")
        .condition_expression(condition)
        .expression_attribute_names("#version", "version")
        .expression_attribute_names("#status", "status")
        .expression_attribute_names("#data", "data")
        .set_expression_attribute_values(Some(values))
        .build()
        .map_err(build_err)?;
    Ok((TransactWriteItem::builder().update(update).build(), next))
}

fn gzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    encoder
        .write_all(bytes)
        .map_err(|e| StoreError::Backend(e.to_string()))?;
    encoder
        .finish()
        .map_err(|e| StoreError::Backend(e.to_string()))
}

fn gunzip(bytes: &[u8]) -> Result<Vec<u8>> {
    let mut out = Vec::new();
    flate2::read::GzDecoder::new(bytes)
        .read_to_end(&mut out)
        .map_err(|e| StoreError::Corrupt(e.to_string()))?;
    Ok(out)
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

/// How long one store call may take and how often it is tried, so that a DynamoDB that stops
/// answering costs a request seconds, not the Lambda's whole timeout.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Patience {
    /// Tries of one call, the first included (the SDK's standard retry mode, with jittered
    /// exponential backoff, for throttling, timeouts and dropped connections).
    pub max_attempts: u32,
    /// Setting up a connection.
    pub connect: Duration,
    /// One try, from sending to the last byte of the answer.
    pub attempt: Duration,
    /// All tries of one call together.
    pub operation: Duration,
}

impl Patience {
    /// For the functions: one call at most 7 s, within the API functions' 10 s timeout.
    pub const LAMBDA: Patience = Patience {
        max_attempts: 3,
        connect: Duration::from_secs(1),
        attempt: Duration::from_millis(2_500),
        operation: Duration::from_secs(7),
    };

    /// For a local server (moto, DynamoDB Local) that a whole test suite shares and that may
    /// queue requests for seconds: as many tries, more time for each.
    pub const LOCAL: Patience = Patience {
        max_attempts: 3,
        connect: Duration::from_secs(2),
        attempt: Duration::from_secs(30),
        operation: Duration::from_secs(90),
    };

    fn retry(&self) -> aws_sdk_dynamodb::config::retry::RetryConfig {
        aws_sdk_dynamodb::config::retry::RetryConfig::standard()
            .with_max_attempts(self.max_attempts)
            .with_initial_backoff(Duration::from_millis(100))
            .with_max_backoff(Duration::from_secs(1))
    }

    fn timeouts(&self) -> aws_sdk_dynamodb::config::timeout::TimeoutConfig {
        aws_sdk_dynamodb::config::timeout::TimeoutConfig::builder()
            .connect_timeout(self.connect)
            .operation_attempt_timeout(self.attempt)
            .operation_timeout(self.operation)
            .build()
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
        DynamoStore::new(Client::from_conf(config), self.table.clone())
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
            DynamoStore::new(Client::from_conf(config), self.table.clone()),
            counter,
        )
    }

    pub fn new(client: Client, table: impl Into<String>) -> DynamoStore {
        DynamoStore {
            client,
            table: table.into(),
        }
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
        DynamoStore::new(Client::new(&config), table)
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
        DynamoStore::new(Client::new(&config), table)
    }

    pub fn client(&self) -> &Client {
        &self.client
    }

    /// Creates the table (on demand, with GSI1) unless it exists; `true` when it was created.
    pub async fn create_table(&self) -> Result<bool> {
        match self
            .client
            .describe_table()
            .table_name(&self.table)
            .send()
            .await
        {
            Ok(_) => return Ok(false),
            Err(e)
                if e.as_service_error()
                    .is_some_and(|se| se.is_resource_not_found_exception()) => {}
            Err(e) => return Err(sdk_err(e)),
        }
        let attr = |name: &str| {
            AttributeDefinition::builder()
                .attribute_name(name)
                .attribute_type(ScalarAttributeType::S)
                .build()
                .map_err(build_err)
        };
        let key_el = |name: &str, kind: KeyType| {
            KeySchemaElement::builder()
                .attribute_name(name)
                .key_type(kind)
                .build()
                .map_err(build_err)
        };
        let gsi = GlobalSecondaryIndex::builder()
            .index_name(table::GSI1)
            .key_schema(key_el(table::GSI1_PK, KeyType::Hash)?)
            .key_schema(key_el(table::GSI1_SK, KeyType::Range)?)
            .projection(
                Projection::builder()
                    .projection_type(ProjectionType::All)
                    .build(),
            )
            .build()
            .map_err(build_err)?;
        let mut request = self
            .client
            .create_table()
            .table_name(&self.table)
            .billing_mode(BillingMode::PayPerRequest)
            .key_schema(key_el(table::PK, KeyType::Hash)?)
            .key_schema(key_el(table::SK, KeyType::Range)?)
            .global_secondary_indexes(gsi);
        for name in table::KEY_ATTRIBUTES {
            request = request.attribute_definitions(attr(name)?);
        }
        request.send().await.map_err(sdk_err)?;
        for _ in 0..60 {
            let described = self
                .client
                .describe_table()
                .table_name(&self.table)
                .send()
                .await
                .map_err(sdk_err)?;
            if described
                .table()
                .and_then(|t| t.table_status())
                .is_some_and(|s| s.as_str() == "ACTIVE")
            {
                return Ok(true);
            }
            tokio::time::sleep(std::time::Duration::from_millis(500)).await;
        }
        Err(StoreError::Unavailable(format!(
            "table {} did not become active",
            self.table
        )))
    }

    async fn get_item(&self, pk: String, sk: &str) -> Result<Option<Item>> {
        if !storable(&pk, Some(sk)) {
            return Ok(None);
        }
        let out = self
            .client
            .get_item()
            .table_name(&self.table)
            .set_key(Some(key(pk, sk)))
            .consistent_read(true)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.item)
    }

    /// Every item of a Query, all pages.
    async fn query_all(
        &self,
        index: Option<&str>,
        pk_name: &str,
        pk: String,
        sk_prefix: Option<&str>,
    ) -> Result<Vec<Item>> {
        if !storable(&pk, sk_prefix) {
            return Ok(Vec::new());
        }
        let mut items = Vec::new();
        let mut start: Option<Item> = None;
        loop {
            let mut q = self
                .client
                .query()
                .table_name(&self.table)
                .set_index_name(index.map(str::to_string))
                .expression_attribute_names("#pk", pk_name)
                .expression_attribute_values(":pk", s(pk.clone()))
                .set_exclusive_start_key(start.take());
            q = match sk_prefix {
                Some(prefix) => q
                    .key_condition_expression("#pk = :pk AND begins_with(#sk, :prefix)")
                    .expression_attribute_names("#sk", table::SK)
                    .expression_attribute_values(":prefix", s(prefix)),
                None => q.key_condition_expression("#pk = :pk"),
            };
            if index.is_none() {
                q = q.consistent_read(true);
            }
            let out = q.send().await.map_err(sdk_err)?;
            items.extend(out.items.unwrap_or_default());
            match out.last_evaluated_key {
                Some(k) if !k.is_empty() => start = Some(k),
                _ => return Ok(items),
            }
        }
    }

    /// Runs a transaction; a cancelled one gives the reason code of each item.
    async fn transact(
        &self,
        items: Vec<TransactWriteItem>,
    ) -> std::result::Result<(), TransactError> {
        match self
            .client
            .transact_write_items()
            .set_transact_items(Some(items))
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) => {
                use aws_sdk_dynamodb::operation::transact_write_items::TransactWriteItemsError;
                if let Some(TransactWriteItemsError::TransactionCanceledException(t)) =
                    e.as_service_error()
                {
                    let reasons = t
                        .cancellation_reasons()
                        .iter()
                        .map(|r| r.code().unwrap_or("None").to_string())
                        .collect();
                    return Err(TransactError::Cancelled(reasons));
                }
                Err(TransactError::Store(sdk_err(e)))
            }
        }
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

enum TransactError {
    Cancelled(Vec<String>),
    Store(StoreError),
}

fn failed(reasons: &[String], i: usize) -> bool {
    reasons
        .get(i)
        .is_some_and(|r| r == "ConditionalCheckFailed")
}

#[async_trait]
impl Store for DynamoStore {
    async fn create_org(&self, org: &Org, event: &AuditEvent) -> Result<()> {
        let mut item = key(format!("ORG#{}", org.id), "ORG");
        item.insert(table::GSI1_PK.into(), s("ORG"));
        item.insert(table::GSI1_SK.into(), s(org.id.clone()));
        item.insert("data".into(), s(to_json(org)?));
        let items = vec![
            self.put(item, "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => Err(StoreError::AlreadyExists(
                format!("organisation {}", org.id),
            )),
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn get_org(&self, id: &str) -> Result<Option<Org>> {
        self.get_item(format!("ORG#{id}"), "ORG")
            .await?
            .map(|item| from_json(get_s(&item, "data")?))
            .transpose()
    }

    async fn list_orgs(&self) -> Result<Vec<Org>> {
        let items = self
            .query_all(Some(table::GSI1), table::GSI1_PK, "ORG".into(), None)
            .await?;
        items
            .iter()
            .map(|item| from_json(get_s(item, "data")?))
            .collect()
    }

    async fn create_token(&self, token: &Token, event: &AuditEvent) -> Result<()> {
        if self.get_org(&token.org).await?.is_none() {
            return Err(StoreError::NotFound(format!("organisation {}", token.org)));
        }
        let mut item = key(format!("TOKEN#{}", token.hash), "TOKEN");
        item.insert(table::GSI1_PK.into(), s(format!("TOKENID#{}", token.id)));
        item.insert(table::GSI1_SK.into(), s("TOKEN"));
        item.insert("data".into(), s(to_json(token)?));
        let items = vec![
            self.put(item, "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(StoreError::AlreadyExists(format!("token {}", token.id)))
            }
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>> {
        self.get_item(format!("TOKEN#{hash}"), "TOKEN")
            .await?
            .map(|item| from_json(get_s(&item, "data")?))
            .transpose()
    }

    async fn revoke_token(&self, id: &str, at: DateTime<Utc>, event: &AuditEvent) -> Result<()> {
        let found = self
            .query_all(
                Some(table::GSI1),
                table::GSI1_PK,
                format!("TOKENID#{id}"),
                None,
            )
            .await?;
        let item = found
            .first()
            .ok_or_else(|| StoreError::NotFound(format!("token {id}")))?;
        let mut token: Token = from_json(get_s(item, "data")?)?;
        if token.revoked_at.is_some() {
            return Ok(());
        }
        token.revoked_at = Some(at);
        let update = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("TOKEN#{}", token.hash), "TOKEN")))
            .update_expression("SET #data = :data")
            .condition_expression("attribute_exists(PK)")
            .expression_attribute_names("#data", "data")
            .expression_attribute_values(":data", s(to_json(&token)?))
            .build()
            .map_err(build_err)?;
        let items = vec![
            TransactWriteItem::builder().update(update).build(),
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(StoreError::NotFound(format!("token {id}")))
            }
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn create_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<()> {
        let items = vec![
            self.put(provrum_item(provrum)?, "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(StoreError::AlreadyExists(format!("provrum {}", provrum.id)))
            }
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn get_provrum(&self, id: &str) -> Result<Option<Provrum>> {
        self.get_item(format!("PROVRUM#{id}"), "PROVRUM")
            .await?
            .map(|item| provrum_from(&item))
            .transpose()
    }

    async fn all_provrum(&self) -> Result<Vec<Provrum>> {
        self.query_all(Some(table::GSI1), table::GSI1_PK, "PROVRUM".into(), None)
            .await?
            .iter()
            .map(provrum_from)
            .collect()
    }

    async fn list_provrum(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Provrum>> {
        let start = cursor.map(decode_cursor).transpose()?;
        let out = self
            .client
            .query()
            .table_name(&self.table)
            .index_name(table::GSI1)
            .key_condition_expression("#pk = :pk")
            .expression_attribute_names("#pk", table::GSI1_PK)
            .expression_attribute_values(":pk", s("PROVRUM"))
            .limit(limit.clamp(1, 100) as i32)
            .set_exclusive_start_key(start)
            .send()
            .await
            .map_err(sdk_err)?;
        let items = out
            .items
            .unwrap_or_default()
            .iter()
            .map(provrum_from)
            .collect::<Result<Vec<_>>>()?;
        let next = out
            .last_evaluated_key
            .filter(|k| !k.is_empty())
            .map(|k| encode_cursor(&k));
        Ok(Page { items, next })
    }

    async fn update_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<Provrum> {
        // Starting is approve's alone: an update may keep a provrum running, never make it so.
        let from = (provrum.status == Status::Running).then_some(Status::Running);
        let (update, next) = provrum_update(&self.table, provrum, from)?;
        match self
            .transact(vec![update, audit_put(&self.table, event)?])
            .await
        {
            Ok(()) => Ok(next),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(self.provrum_conflict(provrum).await)
            }
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn add_budget_version(
        &self,
        provrum: &Provrum,
        budget: &BudgetVersion,
        event: &AuditEvent,
    ) -> Result<Provrum> {
        let version = budget.summary.version;
        if version != provrum.budget_versions || budget.provrum != provrum.id {
            return Err(StoreError::Conflict(format!(
                "budget version {version} does not follow: the provrum's new state counts {} versions",
                provrum.budget_versions
            )));
        }
        let data = gzip(to_json(budget)?.as_bytes())?;
        if data.len() > MAX_BUDGET_DATA {
            return Err(StoreError::TooLarge(format!(
                "budget version data is {} bytes compressed, over {MAX_BUDGET_DATA}",
                data.len()
            )));
        }
        let (update, next) = provrum_update(&self.table, provrum, Some(provrum.status))?;
        let pk = format!("PROVRUM#{}", provrum.id);
        let chunks: Vec<&[u8]> = data.chunks(CHUNK).collect();
        let mut summary = key(pk.clone(), &format!("BUDGET#{version:06}"));
        summary.insert("sha256".into(), s(budget.summary.sha256.clone()));
        summary.insert("chunks".into(), n(chunks.len()));
        summary.insert("data".into(), s(to_json(&budget.summary)?));
        let mut items = vec![update, self.put(summary, "attribute_not_exists(PK)")?];
        for (i, chunk) in chunks.iter().enumerate() {
            let mut item = key(pk.clone(), &format!("BUDGETDATA#{version:06}#{i:04}"));
            item.insert("data".into(), AV::B(Blob::new(chunk.to_vec())));
            items.push(self.put(item, "attribute_not_exists(PK)")?);
        }
        items.push(audit_put(&self.table, event)?);
        match self.transact(items).await {
            Ok(()) => Ok(next),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(self.provrum_conflict(provrum).await)
            }
            Err(TransactError::Cancelled(r))
                if r.iter().skip(1).any(|c| c == "ConditionalCheckFailed") =>
            {
                Err(StoreError::Conflict(format!(
                    "budget version {version} of {} exists",
                    provrum.id
                )))
            }
            Err(TransactError::Cancelled(r)) => {
                Err(StoreError::Backend(format!("transaction cancelled: {r:?}")))
            }
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn get_budget_version(
        &self,
        provrum: &str,
        version: u32,
    ) -> Result<Option<BudgetVersion>> {
        let pk = format!("PROVRUM#{provrum}");
        let Some(summary) = self
            .get_item(pk.clone(), &format!("BUDGET#{version:06}"))
            .await?
        else {
            return Ok(None);
        };
        let expected = get_n(&summary, "chunks")? as usize;
        let chunks = self
            .query_all(
                None,
                table::PK,
                pk,
                Some(&format!("BUDGETDATA#{version:06}#")),
            )
            .await?;
        if chunks.len() != expected {
            return Err(StoreError::Corrupt(format!(
                "budget version {version} of {provrum}: {} of {expected} chunks",
                chunks.len()
            )));
        }
        let mut data = Vec::new();
        for chunk in &chunks {
            let blob = chunk
                .get("data")
                .and_then(|v| v.as_b().ok())
                .ok_or_else(|| StoreError::Corrupt("chunk without data".into()))?;
            data.extend_from_slice(blob.as_ref());
        }
        let json = gunzip(&data)?;
        let text = String::from_utf8(json).map_err(|e| StoreError::Corrupt(e.to_string()))?;
        from_json(&text).map(Some)
    }

    async fn list_budget_versions(&self, provrum: &str) -> Result<Vec<BudgetSummary>> {
        let items = self
            .query_all(
                None,
                table::PK,
                format!("PROVRUM#{provrum}"),
                Some("BUDGET#"),
            )
            .await?;
        items
            .iter()
            .map(|item| from_json(get_s(item, "data")?))
            .collect()
    }

    async fn approve(
        &self,
        provrum: &Provrum,
        rules: &RuleSet,
        event: &AuditEvent,
    ) -> Result<Provrum> {
        let (year, grant) = approval_parts(provrum)?;
        // What an empty year admits is decided here; the condition below covers the rest.
        admit(
            &QuotaYear {
                year,
                started: 0,
                base_funding: Ore::ZERO,
            },
            grant,
            rules,
        )
        .map_err(StoreError::Refused)?;
        let room = Ore(rules.yearly_cap.0 - grant.0);
        let (update, next) = provrum_update(&self.table, provrum, Some(Status::Proposed))?;
        let quota = Update::builder()
            .table_name(&self.table)
            .set_key(Some(key(format!("QUOTA#{year}"), "QUOTA")))
            .update_expression("ADD started :one, base_funding_ore :grant")
            .condition_expression(
                "attribute_not_exists(started) OR (started < :quota AND base_funding_ore <= :room)",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":grant", n(grant.0))
            .expression_attribute_values(":quota", n(rules.provrum_per_year))
            .expression_attribute_values(":room", n(room.0))
            .build()
            .map_err(build_err)?;
        let items = vec![
            update,
            TransactWriteItem::builder().update(quota).build(),
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(next),
            Err(TransactError::Cancelled(r)) if failed(&r, 0) => {
                Err(self.provrum_conflict(provrum).await)
            }
            Err(TransactError::Cancelled(r)) if failed(&r, 1) => {
                // The quota's condition failed: the rules say which limit, from the counters now.
                let used = self.quota(year).await?;
                match admit(&used, grant, rules) {
                    Err(findings) => Err(StoreError::Refused(findings)),
                    Ok(()) => Err(StoreError::Conflict(format!(
                        "the quota of {year} changed during the approval; try again"
                    ))),
                }
            }
            Err(TransactError::Cancelled(r)) => Err(StoreError::Unavailable(format!(
                "transaction cancelled: {r:?}"
            ))),
            Err(TransactError::Store(e)) => Err(e),
        }
    }

    async fn quota(&self, year: i32) -> Result<QuotaYear> {
        Ok(
            match self.get_item(format!("QUOTA#{year}"), "QUOTA").await? {
                Some(item) => QuotaYear {
                    year,
                    started: get_n(&item, "started")? as u32,
                    base_funding: Ore(get_n(&item, "base_funding_ore")?),
                },
                None => QuotaYear {
                    year,
                    started: 0,
                    base_funding: Ore::ZERO,
                },
            },
        )
    }

    async fn audit_events(&self, entity: &str) -> Result<Vec<AuditEvent>> {
        let items = self
            .query_all(None, table::PK, format!("AUDIT#{entity}"), None)
            .await?;
        items
            .iter()
            .map(|item| from_json(get_s(item, "data")?))
            .collect()
    }

    async fn put_report(&self, report: &StoredReport) -> Result<bool> {
        let mut item = key(format!("REPORT#{}", report.year), "REPORT");
        item.insert("data".into(), s(to_json(report)?));
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
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk_err(e)),
        }
    }

    async fn get_report(&self, year: i32) -> Result<Option<StoredReport>> {
        let Some(item) = self.get_item(format!("REPORT#{year}"), "REPORT").await? else {
            return Ok(None);
        };
        let mut report: StoredReport = from_json(get_s(&item, "data")?)?;
        if let Some(at) = item.get("notified_at").and_then(|v| v.as_s().ok()) {
            report.notified_at = Some(
                at.parse()
                    .map_err(|_| StoreError::Corrupt(format!("report {year}: notified_at")))?,
            );
        }
        Ok(Some(report))
    }

    async fn mark_report_notified(&self, year: i32, at: DateTime<Utc>) -> Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key(format!("REPORT#{year}"), "REPORT")))
            .update_expression("SET notified_at = :at")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(notified_at)")
            .expression_attribute_values(":at", s(at.to_rfc3339()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => match self.get_report(year).await? {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound(format!("report {year}"))),
            },
            Err(e) => Err(sdk_err(e)),
        }
    }
}

/// A listing cursor: the page's last key, as JSON.
fn encode_cursor(key: &Item) -> String {
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

fn decode_cursor(cursor: &str) -> Result<Item> {
    let invalid = || StoreError::Invalid("unknown listing cursor".into());
    let map: HashMap<String, String> =
        serde_json::from_slice(&crate::decode_cursor(cursor)?).map_err(|_| invalid())?;
    let expected = [table::PK, table::SK, table::GSI1_PK, table::GSI1_SK];
    if map.len() != expected.len()
        || !expected.iter().all(|k| map.contains_key(*k))
        || map.get(table::GSI1_PK).map(String::as_str) != Some("PROVRUM")
    {
        return Err(invalid());
    }
    Ok(map.into_iter().map(|(k, v)| (k, s(v))).collect())
}

#[cfg(test)]
mod tests {
    use super::Patience;

    /// Every function in the SAM template (the global default and each function's own) outlives
    /// one store call's patience, so a DynamoDB that stops answering gives a 503, not a timeout.
    #[test]
    fn every_function_outlives_one_store_calls_patience() {
        let template = include_str!("../../../infra/template.yaml");
        let timeouts: Vec<u64> = template
            .lines()
            .filter_map(|line| line.trim().strip_prefix("Timeout:"))
            .map(|value| value.trim().parse().expect("a Timeout in whole seconds"))
            .collect();
        assert!(timeouts.len() >= 3, "the global and two functions' own");
        for seconds in timeouts {
            assert!(
                std::time::Duration::from_secs(seconds) > Patience::LAMBDA.operation,
                "a function times out after {seconds} s, within one store call's {:?}",
                Patience::LAMBDA.operation
            );
        }
    }
}
