//! The embedded store: one SQLite file (bundled SQLite, WAL), the same semantics as DynamoDB
//! through real transactions. A single connection behind a mutex serialises writers in this
//! process; `BEGIN IMMEDIATE` and a busy timeout serialise them across processes.

use crate::{
    AuditEvent, BudgetSummary, BudgetVersion, Org, Page, PostClaim, Provrum, Result, Session,
    Store, StoreError, StoredReport, Token, approval_parts, check_next_budget, from_json,
    page_limit, post_lease_until, to_json, touch_before, touch_time,
};
use async_trait::async_trait;
use chrono::{DateTime, Utc};
use provrum_rules::kvot::{QuotaYear, admit};
use provrum_rules::model::Status;
use provrum_rules::{Ore, RuleSet};
use rusqlite::{Connection, ErrorCode, OptionalExtension, TransactionBehavior, params};
use std::path::Path;
use std::sync::{Arc, Mutex};
use tracing::instrument;

const SCHEMA: &str = "
CREATE TABLE IF NOT EXISTS orgs (id TEXT PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS tokens (id TEXT PRIMARY KEY, hash TEXT NOT NULL UNIQUE, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS sessions (hash TEXT PRIMARY KEY, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS tokens_by_org ON tokens (json_extract(data, '$.org'));
CREATE TABLE IF NOT EXISTS provrum (
    id TEXT PRIMARY KEY, sort_key TEXT NOT NULL UNIQUE, status TEXT NOT NULL,
    version INTEGER NOT NULL, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS budget_versions (
    provrum TEXT NOT NULL REFERENCES provrum(id), version INTEGER NOT NULL, sha256 TEXT NOT NULL,
    summary TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (provrum, version));
CREATE TABLE IF NOT EXISTS audit (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, entity TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS audit_by_entity ON audit (entity, seq);
CREATE TABLE IF NOT EXISTS quota (
    year INTEGER PRIMARY KEY, started INTEGER NOT NULL, base_funding_ore INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS reports (year INTEGER PRIMARY KEY, data TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS report_posts (
    year INTEGER PRIMARY KEY REFERENCES reports(year), owner TEXT NOT NULL, until_ms INTEGER NOT NULL);
";

#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
}

fn db_err(e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::DatabaseBusy | ErrorCode::DatabaseLocked) => {
            StoreError::Unavailable(e.to_string())
        }
        Some(ErrorCode::ConstraintViolation) => StoreError::AlreadyExists(e.to_string()),
        _ => StoreError::Backend(e.to_string()),
    }
}

fn sort_key(p: &Provrum) -> String {
    crate::order_key(p.created_at, &p.id)
}

fn insert_event(tx: &rusqlite::Transaction<'_>, event: &AuditEvent) -> Result<()> {
    tx.execute(
        "INSERT INTO audit (entity, data) VALUES (?1, ?2)",
        params![event.entity, to_json(event)?],
    )
    .map_err(db_err)?;
    Ok(())
}

fn read_provrum(conn: &Connection, id: &str) -> Result<Option<Provrum>> {
    let row: Option<(String, i64)> = conn
        .query_row(
            "SELECT data, version FROM provrum WHERE id = ?1",
            [id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    row.map(|(data, version)| {
        let mut p: Provrum = from_json(&data)?;
        p.version = version as u64;
        Ok(p)
    })
    .transpose()
}

/// The stored version and status of a provrum, checked against what the caller read.
fn check_version(tx: &rusqlite::Transaction<'_>, p: &Provrum) -> Result<Status> {
    let row: Option<(i64, String)> = tx
        .query_row(
            "SELECT version, status FROM provrum WHERE id = ?1",
            [&p.id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    let Some((version, status)) = row else {
        return Err(StoreError::NotFound(format!("provrum {}", p.id)));
    };
    if version as u64 != p.version {
        return Err(StoreError::Conflict(format!(
            "provrum {} is at version {version}, not {}",
            p.id, p.version
        )));
    }
    from_json(&format!("\"{status}\""))
}

/// Writes the provrum at its next version; returns that copy.
fn write_provrum(tx: &rusqlite::Transaction<'_>, p: &Provrum) -> Result<Provrum> {
    let mut next = p.clone();
    next.version = p.version + 1;
    tx.execute(
        "UPDATE provrum SET status = ?2, version = ?3, data = ?4 WHERE id = ?1",
        params![
            next.id,
            next.status.as_str(),
            next.version as i64,
            to_json(&next)?
        ],
    )
    .map_err(db_err)?;
    Ok(next)
}

fn read_report(conn: &Connection, year: i32) -> Result<Option<StoredReport>> {
    let data: Option<String> = conn
        .query_row("SELECT data FROM reports WHERE year = ?1", [year], |r| {
            r.get(0)
        })
        .optional()
        .map_err(db_err)?;
    data.map(|d| from_json(&d)).transpose()
}

fn read_quota(conn: &Connection, year: i32) -> Result<QuotaYear> {
    let row: Option<(i64, i64)> = conn
        .query_row(
            "SELECT started, base_funding_ore FROM quota WHERE year = ?1",
            [year],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()
        .map_err(db_err)?;
    let (started, base) = row.unwrap_or((0, 0));
    Ok(QuotaYear {
        year,
        started: started as u32,
        base_funding: Ore::from_ore(base),
    })
}

impl SqliteStore {
    /// Opens (creating if needed) the database file.
    pub fn open(path: impl AsRef<Path>) -> Result<SqliteStore> {
        let conn = Connection::open(path).map_err(db_err)?;
        Self::init(conn)
    }

    /// A private database in memory (tests).
    /// A page of `listing` within `scope`, keyed by an integer: `sql` takes the scope (?1), the
    /// key to continue after (?2) and the rows to read (?3) and selects `key, data` in key order.
    async fn numbered_page<T: serde::de::DeserializeOwned + Send + 'static>(
        &self,
        listing: &'static str,
        scope: &str,
        sql: &'static str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<T>> {
        let after = number_after(cursor, listing, scope)?;
        let (scope, limit) = (scope.to_string(), page_limit(limit));
        self.with(move |conn| {
            keyed_page(
                conn,
                sql,
                params![scope, after, i64::from(limit) + 1],
                limit,
                listing,
                &scope,
            )
        })
        .await
    }

    pub fn in_memory() -> Result<SqliteStore> {
        Self::init(Connection::open_in_memory().map_err(db_err)?)
    }

    fn init(conn: Connection) -> Result<SqliteStore> {
        conn.busy_timeout(std::time::Duration::from_secs(5))
            .map_err(db_err)?;
        conn.pragma_update(None, "journal_mode", "WAL")
            .map_err(db_err)?;
        conn.pragma_update(None, "foreign_keys", "ON")
            .map_err(db_err)?;
        conn.pragma_update(None, "synchronous", "NORMAL")
            .map_err(db_err)?;
        conn.execute_batch(SCHEMA).map_err(db_err)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
        })
    }

    /// Runs `f` on the connection off the async runtime.
    async fn with<T: Send + 'static>(
        &self,
        f: impl FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        let conn = self.conn.clone();
        tokio::task::spawn_blocking(move || {
            // A panic while holding the lock rolled its transaction back; the connection is fine.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            f(&mut guard)
        })
        .await
        .map_err(|e| StoreError::Backend(format!("store task failed: {e}")))?
    }

    /// Runs `f` in an immediate (write-locking) transaction, committed if `f` succeeds.
    async fn write<T: Send + 'static>(
        &self,
        f: impl FnOnce(&rusqlite::Transaction<'_>) -> Result<T> + Send + 'static,
    ) -> Result<T> {
        self.with(move |conn| {
            let tx = conn
                .transaction_with_behavior(TransactionBehavior::Immediate)
                .map_err(db_err)?;
            let value = f(&tx)?;
            tx.commit().map_err(db_err)?;
            Ok(value)
        })
        .await
    }
}

/// The provrum a query over `data, version` selects, in its order.
fn provrum_rows(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
) -> Result<Vec<Provrum>> {
    let mut stmt = conn.prepare(sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params, |r| {
            Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)?))
        })
        .map_err(db_err)?;
    let mut items = Vec::new();
    for row in rows {
        let (data, version) = row.map_err(db_err)?;
        let mut p: Provrum = from_json(&data)?;
        p.version = version as u64;
        items.push(p);
    }
    Ok(items)
}

/// A cursor of this store: where `listing` of `scope` (an organisation, a provrum, an entity)
/// continues, after `key`.
fn cursor_after(listing: &str, scope: &str, key: &str) -> String {
    crate::encode_cursor(
        serde_json::json!(["sqlite", listing, scope, key])
            .to_string()
            .as_bytes(),
    )
}

/// The key a cursor of [`cursor_after`] continues after, if it was issued for `listing` of
/// `scope`; `Invalid` for anything else.
fn key_after(cursor: Option<&str>, listing: &str, scope: &str) -> Result<Option<String>> {
    let Some(cursor) = cursor else {
        return Ok(None);
    };
    let invalid = crate::unknown_cursor;
    let parts: [String; 4] =
        serde_json::from_slice(&crate::decode_cursor(cursor)?).map_err(|_| invalid())?;
    let [store, of, within, key] = parts;
    if store != "sqlite" || of != listing || within != scope {
        return Err(invalid());
    }
    Ok(Some(key))
}

/// [`key_after`] for a listing keyed by an integer (a sequence, a version, a row id).
fn number_after(cursor: Option<&str>, listing: &str, scope: &str) -> Result<i64> {
    match key_after(cursor, listing, scope)? {
        None => Ok(i64::MIN),
        Some(key) => key.parse().map_err(|_| crate::unknown_cursor()),
    }
}

/// A page from a query over `key, data` in key order that asked for `limit + 1` rows: the
/// extra row's presence says another page follows.
fn keyed_page<T: serde::de::DeserializeOwned>(
    conn: &Connection,
    sql: &str,
    params: impl rusqlite::Params,
    limit: u32,
    listing: &str,
    scope: &str,
) -> Result<Page<T>> {
    let mut stmt = conn.prepare(sql).map_err(db_err)?;
    let rows = stmt
        .query_map(params, |r| {
            let key = match r.get::<_, rusqlite::types::Value>(0)? {
                rusqlite::types::Value::Integer(i) => i.to_string(),
                rusqlite::types::Value::Text(t) => t,
                _ => String::new(),
            };
            Ok((key, r.get::<_, String>(1)?))
        })
        .map_err(db_err)?;
    let mut keyed = Vec::new();
    for row in rows {
        keyed.push(row.map_err(db_err)?);
    }
    let next = if keyed.len() > limit as usize {
        keyed.truncate(limit as usize);
        keyed
            .last()
            .map(|(key, _)| cursor_after(listing, scope, key))
    } else {
        None
    };
    let items = keyed
        .iter()
        .map(|(_, data)| from_json(data))
        .collect::<Result<Vec<T>>>()?;
    Ok(Page { items, next })
}

#[async_trait]
impl Store for SqliteStore {
    #[instrument(name = "store", skip_all, fields(op = "create_org"))]
    async fn create_org(&self, org: &Org, event: &AuditEvent) -> Result<()> {
        let (org, event) = (org.clone(), event.clone());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO orgs (id, data) VALUES (?1, ?2)",
                params![org.id, to_json(&org)?],
            )
            .map_err(|e| match db_err(e) {
                StoreError::AlreadyExists(_) => {
                    StoreError::AlreadyExists(format!("organisation {}", org.id))
                }
                other => other,
            })?;
            insert_event(tx, &event)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "get_org"))]
    async fn get_org(&self, id: &str) -> Result<Option<Org>> {
        let id = id.to_string();
        self.with(move |conn| {
            let data: Option<String> = conn
                .query_row("SELECT data FROM orgs WHERE id = ?1", [&id], |r| r.get(0))
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "list_orgs"))]
    async fn list_orgs(&self) -> Result<Vec<Org>> {
        self.with(|conn| {
            let mut stmt = conn
                .prepare("SELECT data FROM orgs ORDER BY id")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([], |r| r.get::<_, String>(0))
                .map_err(db_err)?;
            rows.map(|r| from_json(&r.map_err(db_err)?)).collect()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "orgs_page"))]
    async fn orgs_page(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Org>> {
        let after = key_after(cursor, "orgs", "")?.unwrap_or_default();
        let limit = page_limit(limit);
        self.with(move |conn| {
            keyed_page(
                conn,
                "SELECT id, data FROM orgs WHERE id > ?1 ORDER BY id LIMIT ?2",
                params![after, i64::from(limit) + 1],
                limit,
                "orgs",
                "",
            )
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "tokens_page"))]
    async fn tokens_page(
        &self,
        org: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<Token>> {
        self.numbered_page(
            "tokens",
            org,
            "SELECT rowid, data FROM tokens WHERE json_extract(data, '$.org') = ?1 AND rowid > ?2 \
             ORDER BY rowid LIMIT ?3",
            cursor,
            limit,
        )
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "touch_token"))]
    async fn touch_token(
        &self,
        token: &Token,
        at: DateTime<Utc>,
        every: std::time::Duration,
    ) -> Result<bool> {
        const FORMAT: &str = "%Y-%m-%dT%H:%M:%SZ";
        let at = touch_time(at);
        let before = touch_before(at, every).format(FORMAT).to_string();
        let (id, at) = (token.id.clone(), at.format(FORMAT).to_string());
        self.write(move |tx| {
            let n = tx
                .execute(
                    "UPDATE tokens SET data = json_set(data, '$.last_used_at', ?2) WHERE id = ?1 \
                     AND (json_extract(data, '$.last_used_at') IS NULL \
                          OR json_extract(data, '$.last_used_at') <= ?3)",
                    params![id, at, before],
                )
                .map_err(db_err)?;
            if n == 1 {
                return Ok(true);
            }
            let exists: Option<i64> = tx
                .query_row("SELECT 1 FROM tokens WHERE id = ?1", [&id], |r| r.get(0))
                .optional()
                .map_err(db_err)?;
            match exists {
                Some(_) => Ok(false),
                None => Err(StoreError::NotFound(format!("token {id}"))),
            }
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "create_token"))]
    async fn create_token(&self, token: &Token, event: &AuditEvent) -> Result<()> {
        let (token, event) = (token.clone(), event.clone());
        self.write(move |tx| {
            let org: Option<String> = tx
                .query_row("SELECT id FROM orgs WHERE id = ?1", [&token.org], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db_err)?;
            if org.is_none() {
                return Err(StoreError::NotFound(format!("organisation {}", token.org)));
            }
            tx.execute(
                "INSERT INTO tokens (id, hash, data) VALUES (?1, ?2, ?3)",
                params![token.id, token.hash, to_json(&token)?],
            )
            .map_err(db_err)?;
            insert_event(tx, &event)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "create_session"))]
    async fn create_session(&self, session: &Session) -> Result<()> {
        let session = session.clone();
        self.write(move |tx| {
            // Expired sessions go when new ones come: the table never holds more than a day's.
            tx.execute(
                "DELETE FROM sessions WHERE expires_at <= ?1",
                [session.created_at.timestamp()],
            )
            .map_err(db_err)?;
            tx.execute(
                "INSERT INTO sessions (hash, expires_at, data) VALUES (?1, ?2, ?3)",
                params![
                    session.hash,
                    session.expires_at.timestamp(),
                    to_json(&session)?
                ],
            )
            .map_err(db_err)?;
            Ok(())
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "session_by_hash"))]
    async fn session_by_hash(&self, hash: &str, now: DateTime<Utc>) -> Result<Option<Session>> {
        let hash = hash.to_string();
        self.with(move |conn| {
            let data: Option<String> = conn
                .query_row(
                    "SELECT data FROM sessions WHERE hash = ?1 AND expires_at > ?2",
                    params![hash, now.timestamp()],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "delete_session"))]
    async fn delete_session(&self, hash: &str) -> Result<bool> {
        let hash = hash.to_string();
        self.write(move |tx| {
            let n = tx
                .execute("DELETE FROM sessions WHERE hash = ?1", [&hash])
                .map_err(db_err)?;
            Ok(n > 0)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "token_by_hash"))]
    async fn token_by_hash(&self, hash: &str) -> Result<Option<Token>> {
        let hash = hash.to_string();
        self.with(move |conn| {
            let data: Option<String> = conn
                .query_row("SELECT data FROM tokens WHERE hash = ?1", [&hash], |r| {
                    r.get(0)
                })
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "revoke_token"))]
    async fn revoke_token(&self, id: &str, at: DateTime<Utc>, event: &AuditEvent) -> Result<()> {
        let (id, event) = (id.to_string(), event.clone());
        self.write(move |tx| {
            let data: Option<String> = tx
                .query_row("SELECT data FROM tokens WHERE id = ?1", [&id], |r| r.get(0))
                .optional()
                .map_err(db_err)?;
            let mut token: Token =
                from_json(&data.ok_or_else(|| StoreError::NotFound(format!("token {id}")))?)?;
            if token.revoked_at.is_some() {
                return Ok(());
            }
            token.revoked_at = Some(at);
            tx.execute(
                "UPDATE tokens SET data = ?2 WHERE id = ?1",
                params![id, to_json(&token)?],
            )
            .map_err(db_err)?;
            insert_event(tx, &event)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "create_provrum"))]
    async fn create_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<()> {
        let (p, event) = (provrum.clone(), event.clone());
        self.write(move |tx| {
            tx.execute(
                "INSERT INTO provrum (id, sort_key, status, version, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.id, sort_key(&p), p.status.as_str(), p.version as i64, to_json(&p)?],
            )
            .map_err(|e| match db_err(e) {
                StoreError::AlreadyExists(_) => StoreError::AlreadyExists(format!("provrum {}", p.id)),
                other => other,
            })?;
            insert_event(tx, &event)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "get_provrum"))]
    async fn get_provrum(&self, id: &str) -> Result<Option<Provrum>> {
        let id = id.to_string();
        self.with(move |conn| read_provrum(conn, &id)).await
    }

    #[instrument(name = "store", skip_all, fields(op = "all_provrum"))]
    async fn all_provrum(&self) -> Result<Vec<Provrum>> {
        self.with(move |conn| {
            provrum_rows(
                conn,
                "SELECT data, version FROM provrum ORDER BY sort_key",
                [],
            )
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "list_provrum"))]
    async fn list_provrum(&self, cursor: Option<&str>, limit: u32) -> Result<Page<Provrum>> {
        const PREFIX: &str = "sqlite:";
        let after = match cursor {
            None => String::new(),
            Some(c) => String::from_utf8(crate::decode_cursor(c)?)
                .ok()
                .and_then(|k| k.strip_prefix(PREFIX).map(str::to_string))
                .ok_or_else(crate::unknown_cursor)?,
        };
        let limit = page_limit(limit);
        self.with(move |conn| {
            let mut items = provrum_rows(
                conn,
                "SELECT data, version FROM provrum WHERE sort_key > ?1 ORDER BY sort_key LIMIT ?2",
                params![after, i64::from(limit) + 1],
            )?;
            // One more than a page was asked for: its presence says whether another page follows.
            let next = if items.len() > limit as usize {
                items.truncate(limit as usize);
                items
                    .last()
                    .map(|p| crate::encode_cursor(format!("{PREFIX}{}", sort_key(p)).as_bytes()))
            } else {
                None
            };
            Ok(Page { items, next })
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "update_provrum"))]
    async fn update_provrum(&self, provrum: &Provrum, event: &AuditEvent) -> Result<Provrum> {
        let (p, event) = (provrum.clone(), event.clone());
        self.write(move |tx| {
            let stored = check_version(tx, &p)?;
            if p.status == Status::Running && stored != Status::Running {
                return Err(StoreError::Conflict(
                    "a provrum starts only through approve".into(),
                ));
            }
            let next = write_provrum(tx, &p)?;
            insert_event(tx, &event)?;
            Ok(next)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "add_budget_version"))]
    async fn add_budget_version(
        &self,
        provrum: &Provrum,
        budget: &BudgetVersion,
        event: &AuditEvent,
    ) -> Result<Provrum> {
        let (p, budget, event) = (provrum.clone(), budget.clone(), event.clone());
        self.write(move |tx| {
            let stored = check_version(tx, &p)?;
            if p.status != stored {
                return Err(StoreError::Conflict("a budget upload cannot change the provrum's status".into()));
            }
            check_next_budget(&p, &budget)?;
            let version = budget.summary.version;
            tx.execute(
                "INSERT INTO budget_versions (provrum, version, sha256, summary, data) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![p.id, version, budget.summary.sha256, to_json(&budget.summary)?, to_json(&budget)?],
            )
            .map_err(|e| match db_err(e) {
                StoreError::AlreadyExists(_) => StoreError::Conflict(format!("budget version {version} of {} exists", p.id)),
                other => other,
            })?;
            let next = write_provrum(tx, &p)?;
            insert_event(tx, &event)?;
            Ok(next)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "get_budget_version"))]
    async fn get_budget_version(
        &self,
        provrum: &str,
        version: u32,
    ) -> Result<Option<BudgetVersion>> {
        let provrum = provrum.to_string();
        self.with(move |conn| {
            let data: Option<String> = conn
                .query_row(
                    "SELECT data FROM budget_versions WHERE provrum = ?1 AND version = ?2",
                    params![provrum, version],
                    |r| r.get(0),
                )
                .optional()
                .map_err(db_err)?;
            data.map(|d| from_json(&d)).transpose()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "list_budget_versions"))]
    async fn list_budget_versions(&self, provrum: &str) -> Result<Vec<BudgetSummary>> {
        let provrum = provrum.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare("SELECT summary FROM budget_versions WHERE provrum = ?1 ORDER BY version")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([&provrum], |r| r.get::<_, String>(0))
                .map_err(db_err)?;
            rows.map(|r| from_json(&r.map_err(db_err)?)).collect()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "budget_versions_page"))]
    async fn budget_versions_page(
        &self,
        provrum: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<BudgetSummary>> {
        self.numbered_page(
            "budget",
            provrum,
            "SELECT version, summary FROM budget_versions WHERE provrum = ?1 AND version > ?2 \
             ORDER BY version LIMIT ?3",
            cursor,
            limit,
        )
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "approve"))]
    async fn approve(
        &self,
        provrum: &Provrum,
        rules: &RuleSet,
        event: &AuditEvent,
    ) -> Result<Provrum> {
        let (year, grant) = approval_parts(provrum)?;
        let (p, rules, event) = (provrum.clone(), rules.clone(), event.clone());
        self.write(move |tx| {
            let stored = check_version(tx, &p)?;
            if stored != Status::Proposed {
                return Err(StoreError::Conflict(format!("provrum {} is {}, not proposed", p.id, stored.as_str())));
            }
            let used = read_quota(tx, year)?;
            admit(&used, grant, &rules).map_err(StoreError::Refused)?;
            tx.execute(
                "INSERT INTO quota (year, started, base_funding_ore) VALUES (?1, 1, ?2)
                 ON CONFLICT(year) DO UPDATE SET started = started + 1, base_funding_ore = base_funding_ore + ?2",
                params![year, grant.ore()],
            )
            .map_err(db_err)?;
            let next = write_provrum(tx, &p)?;
            insert_event(tx, &event)?;
            Ok(next)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "quota"))]
    async fn quota(&self, year: i32) -> Result<QuotaYear> {
        self.with(move |conn| read_quota(conn, year)).await
    }

    #[instrument(name = "store", skip_all, fields(op = "audit_events"))]
    async fn audit_events(&self, entity: &str) -> Result<Vec<AuditEvent>> {
        let entity = entity.to_string();
        self.with(move |conn| {
            let mut stmt = conn
                .prepare("SELECT data FROM audit WHERE entity = ?1 ORDER BY seq")
                .map_err(db_err)?;
            let rows = stmt
                .query_map([&entity], |r| r.get::<_, String>(0))
                .map_err(db_err)?;
            rows.map(|r| from_json(&r.map_err(db_err)?)).collect()
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "audit_page"))]
    async fn audit_page(
        &self,
        entity: &str,
        cursor: Option<&str>,
        limit: u32,
    ) -> Result<Page<AuditEvent>> {
        self.numbered_page(
            "audit",
            entity,
            "SELECT seq, data FROM audit WHERE entity = ?1 AND seq > ?2 ORDER BY seq LIMIT ?3",
            cursor,
            limit,
        )
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "put_report"))]
    async fn put_report(&self, report: &StoredReport) -> Result<bool> {
        let report = report.clone();
        self.write(move |tx| {
            let n = tx
                .execute(
                    "INSERT INTO reports (year, data) VALUES (?1, ?2) ON CONFLICT(year) DO NOTHING",
                    params![report.year, to_json(&report)?],
                )
                .map_err(db_err)?;
            Ok(n == 1)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "mark_report_notified"))]
    async fn mark_report_notified(&self, year: i32, at: DateTime<Utc>) -> Result<bool> {
        self.write(move |tx| {
            let mut report = read_report(tx, year)?
                .ok_or_else(|| StoreError::NotFound(format!("report {year}")))?;
            if report.notified_at.is_some() {
                return Ok(false);
            }
            report.notified_at = Some(at);
            tx.execute(
                "UPDATE reports SET data = ?2 WHERE year = ?1",
                params![year, to_json(&report)?],
            )
            .map_err(db_err)?;
            tx.execute("DELETE FROM report_posts WHERE year = ?1", [year])
                .map_err(db_err)?;
            Ok(true)
        })
        .await
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
        let owner = owner.to_string();
        self.write(move |tx| {
            let report = read_report(tx, year)?
                .ok_or_else(|| StoreError::NotFound(format!("report {year}")))?;
            if report.notified_at.is_some() {
                return Ok(PostClaim::Posted);
            }
            let held: Option<(String, i64)> = tx
                .query_row(
                    "SELECT owner, until_ms FROM report_posts WHERE year = ?1",
                    [year],
                    |r| Ok((r.get(0)?, r.get(1)?)),
                )
                .optional()
                .map_err(db_err)?;
            if let Some((by, until_ms)) = held
                && by != owner
                && until_ms > now.timestamp_millis()
            {
                let until = DateTime::from_timestamp_millis(until_ms)
                    .ok_or_else(|| StoreError::Corrupt(format!("report {year}: lease end")))?;
                return Ok(PostClaim::Held { by, until });
            }
            tx.execute(
                "INSERT INTO report_posts (year, owner, until_ms) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(year) DO UPDATE SET owner = excluded.owner, until_ms = excluded.until_ms",
                params![year, owner, until.timestamp_millis()],
            )
            .map_err(db_err)?;
            Ok(PostClaim::Claimed { until })
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "release_report_post"))]
    async fn release_report_post(&self, year: i32, owner: &str) -> Result<bool> {
        let owner = owner.to_string();
        self.write(move |tx| {
            let n = tx
                .execute(
                    "DELETE FROM report_posts WHERE year = ?1 AND owner = ?2",
                    params![year, owner],
                )
                .map_err(db_err)?;
            Ok(n == 1)
        })
        .await
    }

    #[instrument(name = "store", skip_all, fields(op = "get_report"))]
    async fn get_report(&self, year: i32) -> Result<Option<StoredReport>> {
        self.with(move |conn| read_report(conn, year)).await
    }
}
