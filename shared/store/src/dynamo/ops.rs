//! The [`Store`] operations on the table: each one's items, conditions and what a cancellation
//! means for it (every transaction goes through [`DynamoStore::transact`]).

use super::codec::{
    Item, LAST_USED, Listing, build_err, condition_failed, get_n, get_s, gunzip, gzip, n,
    provrum_from, provrum_item, s, sdk_err, token_entry_item, token_from,
};
use super::keys;
use super::table;
use super::{CHUNK, DynamoStore, MAX_BUDGET_DATA};
use crate::{
    AuditEvent, BudgetSummary, BudgetVersion, Org, Page, PostClaim, Provrum, Result, Session,
    Store, StoreError, StoredReport, Token, approval_parts, check_next_budget, from_json,
    post_lease_until, to_json, touch_before, touch_time,
};
use async_trait::async_trait;
use aws_sdk_dynamodb::primitives::Blob;
use aws_sdk_dynamodb::types::{
    AttributeValue as AV, KeysAndAttributes, Put, TransactWriteItem, Update,
};
use chrono::{DateTime, Utc};
use provrum_rules::kvot::{QuotaYear, admit};
use provrum_rules::model::Status;
use provrum_rules::{Ore, RuleSet};
use std::collections::HashMap;
use tracing::instrument;

fn audit_put(table: &str, event: &AuditEvent) -> Result<TransactWriteItem> {
    let mut item = keys::audit(event).item();
    item.insert("data".into(), s(to_json(event)?));
    let put = Put::builder()
        .table_name(table)
        .set_item(Some(item))
        .build()
        .map_err(build_err)?;
    Ok(TransactWriteItem::builder().put(put).build())
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
        .set_key(Some(keys::provrum(&p.id).item()))
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

/// The attributes of a report item that hold the claim on posting it.
const POST_OWNER: &str = "post_owner";
/// Until when, in milliseconds since the epoch (a number, so the condition compares it).
const POST_UNTIL: &str = "post_until_ms";

fn millis_time(item: &Item, name: &str) -> Result<Option<DateTime<Utc>>> {
    if !item.contains_key(name) {
        return Ok(None);
    }
    DateTime::from_timestamp_millis(get_n(item, name)?)
        .map(Some)
        .ok_or_else(|| StoreError::Corrupt(format!("{name} out of range")))
}

/// How many times a BatchGetItem's unprocessed keys are asked for again before the read is
/// `Unavailable`.
const BATCH_TRIES: u32 = 4;

impl DynamoStore {
    /// The items of `keys` (at most 100 a request), in the order of `keys`; a missing one is
    /// `Corrupt` (the callers ask for items that another item says exist).
    async fn get_all(&self, keys: Vec<super::keys::Key>) -> Result<Vec<Item>> {
        let mut found: HashMap<(String, String), Item> = HashMap::new();
        for chunk in keys.chunks(100) {
            let mut pending: Vec<Item> = chunk.iter().map(|k| k.item()).collect();
            let mut tries = 0;
            while !pending.is_empty() {
                tries += 1;
                if tries > BATCH_TRIES {
                    return Err(StoreError::Unavailable(format!(
                        "{} items left unprocessed by BatchGetItem",
                        pending.len()
                    )));
                }
                if tries > 1 {
                    tokio::time::sleep(std::time::Duration::from_millis(50 << tries)).await;
                }
                let request = KeysAndAttributes::builder()
                    .set_keys(Some(std::mem::take(&mut pending)))
                    .consistent_read(true)
                    .build()
                    .map_err(build_err)?;
                let out = self
                    .client
                    .batch_get_item()
                    .request_items(&self.table, request)
                    .send()
                    .await
                    .map_err(sdk_err)?;
                for item in out
                    .responses
                    .and_then(|mut r| r.remove(&self.table))
                    .unwrap_or_default()
                {
                    let key = (
                        get_s(&item, table::PK)?.to_string(),
                        get_s(&item, table::SK)?.to_string(),
                    );
                    found.insert(key, item);
                }
                pending = out
                    .unprocessed_keys
                    .and_then(|mut u| u.remove(&self.table))
                    .map(|k| k.keys)
                    .unwrap_or_default();
            }
        }
        keys.iter()
            .map(|k| {
                found.remove(&(k.pk.clone(), k.sk.clone())).ok_or_else(|| {
                    StoreError::Corrupt(format!("item {} {} is missing", k.pk, k.sk))
                })
            })
            .collect()
    }
}

#[async_trait]
impl Store for DynamoStore {
    #[instrument(name = "store", skip_all, fields(op = "create_org"))]
    async fn create_org(&self, org: &Org, event: &AuditEvent) -> Result<()> {
        let mut item = keys::org(&org.id).item();
        item.insert(table::GSI1_PK.into(), s(keys::ORGS));
        item.insert(table::GSI1_SK.into(), s(org.id.clone()));
        item.insert("data".into(), s(to_json(org)?));
        let items = vec![
            self.put(item, "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed(0) => Err(StoreError::AlreadyExists(format!(
                "organisation {}",
                org.id
            ))),
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "get_org"))]
    async fn get_org(&self, id: &str) -> Result<Option<Org>> {
        self.get_item(keys::org(id))
            .await?
            .map(|item| from_json(get_s(&item, "data")?))
            .transpose()
    }

    #[instrument(name = "store", skip_all, fields(op = "list_orgs"))]
    async fn list_orgs(&self) -> Result<Vec<Org>> {
        data_of(&self.query_all(&Listing::gsi1(keys::ORGS)).await?)
    }

    #[instrument(name = "store", skip_all, fields(op = "orgs_page"))]
    async fn orgs_page(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Org>> {
        let (items, next) = self.page(&Listing::gsi1(keys::ORGS), cursor, limit).await?;
        data_page(items, next)
    }

    #[instrument(name = "store", skip_all, fields(op = "tokens_page"))]
    async fn tokens_page(
        &self,
        org: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Token>> {
        let pk = keys::org(org).pk;
        let listing = Listing::table(&pk, Some(keys::ORG_TOKENS));
        let (entries, next) = self.page(&listing, cursor, limit).await?;
        let token_keys = entries
            .iter()
            .map(|entry| get_s(entry, "hash").map(keys::token))
            .collect::<Result<Vec<_>>>()?;
        let items = self
            .get_all(token_keys)
            .await?
            .iter()
            .map(token_from)
            .collect::<Result<_>>()?;
        Ok(Page { items, next })
    }

    #[instrument(name = "store", skip_all, fields(op = "touch_token"))]
    async fn touch_token(
        &self,
        token: &Token,
        at: DateTime<Utc>,
        every: std::time::Duration,
    ) -> Result<bool> {
        let at = touch_time(at);
        let before = touch_before(at, every);
        let key = keys::token(&token.hash);
        if !key.storable() {
            return Err(StoreError::NotFound(format!("token {}", token.id)));
        }
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .update_expression("SET #used = :at")
            .condition_expression(
                "attribute_exists(PK) AND (attribute_not_exists(#used) OR #used <= :before)",
            )
            .expression_attribute_names("#used", LAST_USED)
            .expression_attribute_values(":at", n(at.timestamp_millis()))
            .expression_attribute_values(":before", n(before.timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => match self.get_item(key).await? {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound(format!("token {}", token.id))),
            },
            Err(e) => Err(sdk_err(e)),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "create_token"))]
    async fn create_token(&self, token: &Token, event: &AuditEvent) -> Result<()> {
        if self.get_org(&token.org).await?.is_none() {
            return Err(StoreError::NotFound(format!("organisation {}", token.org)));
        }
        // Stored without a last use: that is the token item's own attribute, touched alone.
        let fresh = Token {
            last_used_at: None,
            ..token.clone()
        };
        let mut item = keys::token(&token.hash).item();
        item.insert(table::GSI1_PK.into(), s(keys::token_id(&token.id)));
        item.insert(table::GSI1_SK.into(), s(keys::TOKEN_ID_SK));
        item.insert("data".into(), s(to_json(&fresh)?));
        let items = vec![
            self.put(item, "attribute_not_exists(PK)")?,
            self.put(token_entry_item(token), "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed(0) || e.failed(1) => {
                Err(StoreError::AlreadyExists(format!("token {}", token.id)))
            }
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "create_session"))]
    async fn create_session(&self, session: &Session) -> Result<()> {
        let mut item = keys::session(&session.hash).item();
        item.insert("data".into(), s(to_json(session)?));
        // The table's time to live removes the item after this (epoch seconds); until then a
        // read checks the end itself, as DynamoDB may keep expired items for a while.
        item.insert(table::TTL.into(), n(session.expires_at.timestamp()));
        if self.put_new(item).await? {
            Ok(())
        } else {
            Err(StoreError::AlreadyExists("session".into()))
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "session_by_hash"))]
    async fn session_by_hash(&self, hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let Some(item) = self.get_item(keys::session(hash)).await? else {
            return Ok(None);
        };
        let session: Session = from_json(get_s(&item, "data")?)?;
        Ok((session.expires_at > now).then_some(session))
    }

    #[instrument(name = "store", skip_all, fields(op = "delete_session"))]
    async fn delete_session(&self, hash: &str) -> Result<bool> {
        let key = keys::session(hash);
        if !key.storable() {
            return Ok(false);
        }
        let out = self
            .client
            .delete_item()
            .table_name(&self.table)
            .set_key(Some(key.item()))
            .return_values(aws_sdk_dynamodb::types::ReturnValue::AllOld)
            .send()
            .await
            .map_err(sdk_err)?;
        Ok(out.attributes.is_some_and(|a| !a.is_empty()))
    }

    #[instrument(name = "store", skip_all, fields(op = "token_by_hash"))]
    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>> {
        self.get_item(keys::token(hash))
            .await?
            .map(|item| token_from(&item))
            .transpose()
    }

    #[instrument(name = "store", skip_all, fields(op = "revoke_token"))]
    async fn revoke_token(&self, id: &str, at: DateTime<Utc>, event: &AuditEvent) -> Result<()> {
        let found = self.query_all(&Listing::gsi1(&keys::token_id(id))).await?;
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
            .set_key(Some(keys::token(&token.hash).item()))
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
            Err(e) if e.failed(0) => Err(StoreError::NotFound(format!("token {id}"))),
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "create_provrum"))]
    async fn create_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<()> {
        let items = vec![
            self.put(provrum_item(provrum)?, "attribute_not_exists(PK)")?,
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(()),
            Err(e) if e.failed(0) => {
                Err(StoreError::AlreadyExists(format!("provrum {}", provrum.id)))
            }
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "get_provrum"))]
    async fn get_provrum(&self, id: &str) -> Result<Option<Provrum>> {
        self.get_item(keys::provrum(id))
            .await?
            .map(|item| provrum_from(&item))
            .transpose()
    }

    #[instrument(name = "store", skip_all, fields(op = "all_provrum"))]
    async fn all_provrum(&self) -> Result<Vec<Provrum>> {
        self.query_all(&Listing::gsi1(keys::PROVRUMS))
            .await?
            .iter()
            .map(provrum_from)
            .collect()
    }

    #[instrument(name = "store", skip_all, fields(op = "list_provrum"))]
    async fn list_provrum(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Provrum>> {
        let (items, next) = self
            .page(&Listing::gsi1(keys::PROVRUMS), cursor, limit)
            .await?;
        Ok(Page {
            items: items.iter().map(provrum_from).collect::<Result<_>>()?,
            next,
        })
    }

    #[instrument(name = "store", skip_all, fields(op = "update_provrum"))]
    async fn update_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<Provrum> {
        // Starting is approve's alone: an update may keep a provrum running, never make it so.
        let from = (provrum.status == Status::Running).then_some(Status::Running);
        let (update, next) = provrum_update(&self.table, provrum, from)?;
        match self
            .transact(vec![update, audit_put(&self.table, event)?])
            .await
        {
            Ok(()) => Ok(next),
            Err(e) if e.failed(0) => Err(self.provrum_conflict(provrum).await),
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "add_budget_version"))]
    async fn add_budget_version(
        &self,
        provrum: &Provrum,
        budget: &BudgetVersion,
        event: &AuditEvent,
    ) -> Result<Provrum> {
        check_next_budget(provrum, budget)?;
        let version = budget.summary.version;
        let data = gzip(to_json(budget)?.as_bytes())?;
        if data.len() > MAX_BUDGET_DATA {
            return Err(StoreError::TooLarge(format!(
                "budget version data is {} bytes compressed, over {MAX_BUDGET_DATA}",
                data.len()
            )));
        }
        let (update, next) = provrum_update(&self.table, provrum, Some(provrum.status))?;
        let chunks: Vec<&[u8]> = data.chunks(CHUNK).collect();
        let mut summary = keys::budget(&provrum.id, version).item();
        summary.insert("sha256".into(), s(budget.summary.sha256.clone()));
        summary.insert("chunks".into(), n(chunks.len()));
        summary.insert("data".into(), s(to_json(&budget.summary)?));
        let mut items = vec![update, self.put(summary, "attribute_not_exists(PK)")?];
        for (i, chunk) in chunks.iter().enumerate() {
            let mut item = keys::budget_data(&provrum.id, version, i).item();
            item.insert("data".into(), AV::B(Blob::new(chunk.to_vec())));
            items.push(self.put(item, "attribute_not_exists(PK)")?);
        }
        items.push(audit_put(&self.table, event)?);
        match self.transact(items).await {
            Ok(()) => Ok(next),
            Err(e) if e.failed(0) => Err(self.provrum_conflict(provrum).await),
            Err(e) if e.failed_from(1) => Err(StoreError::Conflict(format!(
                "budget version {version} of {} exists",
                provrum.id
            ))),
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "get_budget_version"))]
    async fn get_budget_version(
        &self,
        provrum: &str,
        version: u32,
    ) -> Result<Option<BudgetVersion>> {
        let summary_key = keys::budget(provrum, version);
        let pk = summary_key.pk.clone();
        let Some(summary) = self.get_item(summary_key).await? else {
            return Ok(None);
        };
        let expected = get_n(&summary, "chunks")? as usize;
        let prefix = keys::budget_data_prefix(version);
        let chunks = self.query_all(&Listing::table(&pk, Some(&prefix))).await?;
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

    #[instrument(name = "store", skip_all, fields(op = "list_budget_versions"))]
    async fn list_budget_versions(&self, provrum: &str) -> Result<Vec<BudgetSummary>> {
        let pk = keys::provrum(provrum).pk;
        data_of(
            &self
                .query_all(&Listing::table(&pk, Some(keys::BUDGETS)))
                .await?,
        )
    }

    #[instrument(name = "store", skip_all, fields(op = "budget_versions_page"))]
    async fn budget_versions_page(
        &self,
        provrum: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<BudgetSummary>> {
        let pk = keys::provrum(provrum).pk;
        let listing = Listing::table(&pk, Some(keys::BUDGETS));
        let (items, next) = self.page(&listing, cursor, limit).await?;
        data_page(items, next)
    }

    #[instrument(name = "store", skip_all, fields(op = "approve"))]
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
        // KVOT-2 above admitted the grant into an empty year, so it is at most the cap.
        let room = rules.yearly_cap.checked_sub(grant).ok_or_else(|| {
            StoreError::Invalid(format!("the grant {grant} does not fit the yearly cap"))
        })?;
        let (update, next) = provrum_update(&self.table, provrum, Some(Status::Proposed))?;
        let quota = Update::builder()
            .table_name(&self.table)
            .set_key(Some(keys::quota(year).item()))
            .update_expression("ADD started :one, base_funding_ore :grant")
            .condition_expression(
                "attribute_not_exists(started) OR (started < :quota AND base_funding_ore <= :room)",
            )
            .expression_attribute_values(":one", n(1))
            .expression_attribute_values(":grant", n(grant.ore()))
            .expression_attribute_values(":quota", n(rules.provrum_per_year))
            .expression_attribute_values(":room", n(room.ore()))
            .build()
            .map_err(build_err)?;
        let items = vec![
            update,
            TransactWriteItem::builder().update(quota).build(),
            audit_put(&self.table, event)?,
        ];
        match self.transact(items).await {
            Ok(()) => Ok(next),
            Err(e) if e.failed(0) => Err(self.provrum_conflict(provrum).await),
            Err(e) if e.failed(1) => {
                // The quota's condition failed: the rules say which limit, from the counters now.
                let used = self.quota(year).await?;
                match admit(&used, grant, rules) {
                    Err(findings) => Err(StoreError::Refused(findings)),
                    Ok(()) => Err(StoreError::Conflict(format!(
                        "the quota of {year} changed during the approval; try again"
                    ))),
                }
            }
            Err(e) => Err(e.into_store()),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "quota"))]
    async fn quota(&self, year: i32) -> Result<QuotaYear> {
        Ok(match self.get_item(keys::quota(year)).await? {
            Some(item) => QuotaYear {
                year,
                started: get_n(&item, "started")? as u32,
                base_funding: Ore::from_ore(get_n(&item, "base_funding_ore")?),
            },
            None => QuotaYear {
                year,
                started: 0,
                base_funding: Ore::ZERO,
            },
        })
    }

    #[instrument(name = "store", skip_all, fields(op = "audit_events"))]
    async fn audit_events(&self, entity: &str) -> Result<Vec<AuditEvent>> {
        data_of(
            &self
                .query_all(&Listing::table(&keys::audit_of(entity), None))
                .await?,
        )
    }

    #[instrument(name = "store", skip_all, fields(op = "audit_page"))]
    async fn audit_page(
        &self,
        entity: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<AuditEvent>> {
        let pk = keys::audit_of(entity);
        let (items, next) = self.page(&Listing::table(&pk, None), cursor, limit).await?;
        data_page(items, next)
    }

    #[instrument(name = "store", skip_all, fields(op = "put_report"))]
    async fn put_report(&self, report: &StoredReport) -> Result<bool> {
        let mut item = keys::report(report.year).item();
        item.insert("data".into(), s(to_json(report)?));
        self.put_new(item).await
    }

    #[instrument(name = "store", skip_all, fields(op = "get_report"))]
    async fn get_report(&self, year: i32) -> Result<Option<StoredReport>> {
        let Some(item) = self.get_item(keys::report(year)).await? else {
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

    #[instrument(name = "store", skip_all, fields(op = "mark_report_notified"))]
    async fn mark_report_notified(&self, year: i32, at: DateTime<Utc>) -> Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::report(year).item()))
            .update_expression("SET notified_at = :at REMOVE #owner, #until")
            .condition_expression("attribute_exists(PK) AND attribute_not_exists(notified_at)")
            .expression_attribute_names("#owner", POST_OWNER)
            .expression_attribute_names("#until", POST_UNTIL)
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

    #[instrument(name = "store", skip_all, fields(op = "claim_report_post"))]
    async fn claim_report_post(
        &self,
        year: i32,
        owner: &str,
        now: DateTime<Utc>,
        lease: std::time::Duration,
    ) -> Result<PostClaim> {
        let until = post_lease_until(owner, now, lease)?;
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::report(year).item()))
            .update_expression("SET #owner = :owner, #until = :until")
            .condition_expression(
                "attribute_exists(PK) AND attribute_not_exists(notified_at) AND \
                 (attribute_not_exists(#until) OR #until <= :now OR #owner = :owner)",
            )
            .expression_attribute_names("#owner", POST_OWNER)
            .expression_attribute_names("#until", POST_UNTIL)
            .expression_attribute_values(":owner", s(owner))
            .expression_attribute_values(":until", n(until.timestamp_millis()))
            .expression_attribute_values(":now", n(now.timestamp_millis()))
            .send()
            .await;
        match result {
            Ok(_) => Ok(PostClaim::Claimed { until }),
            Err(e) if condition_failed(&e) => {
                let Some(item) = self.get_item(keys::report(year)).await? else {
                    return Err(StoreError::NotFound(format!("report {year}")));
                };
                if item.contains_key("notified_at") {
                    return Ok(PostClaim::Posted);
                }
                Ok(PostClaim::Held {
                    by: get_s(&item, POST_OWNER).unwrap_or_default().to_string(),
                    until: millis_time(&item, POST_UNTIL)?.unwrap_or(now),
                })
            }
            Err(e) => Err(sdk_err(e)),
        }
    }

    #[instrument(name = "store", skip_all, fields(op = "release_report_post"))]
    async fn release_report_post(&self, year: i32, owner: &str) -> Result<bool> {
        let result = self
            .client
            .update_item()
            .table_name(&self.table)
            .set_key(Some(keys::report(year).item()))
            .update_expression("REMOVE #owner, #until")
            .condition_expression("attribute_exists(PK) AND #owner = :owner")
            .expression_attribute_names("#owner", POST_OWNER)
            .expression_attribute_names("#until", POST_UNTIL)
            .expression_attribute_values(":owner", s(owner))
            .send()
            .await;
        match result {
            Ok(_) => Ok(true),
            Err(e) if condition_failed(&e) => Ok(false),
            Err(e) => Err(sdk_err(e)),
        }
    }
}

/// A page of items that keep their record as JSON in `data`.
fn data_page<T: serde::de::DeserializeOwned>(
    items: Vec<Item>,
    next: Option<String>,
) -> Result<Page<T>> {
    Ok(Page {
        items: data_of(&items)?,
        next,
    })
}

/// The records of items that keep them as JSON in `data`.
fn data_of<T: serde::de::DeserializeOwned>(items: &[Item]) -> Result<Vec<T>> {
    items
        .iter()
        .map(|item| from_json(get_s(item, "data")?))
        .collect()
}
