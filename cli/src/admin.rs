//! The store options every store-using command takes, and local administration: organisations,
//! tokens, and the migration run once after an upgrade.

use anyhow::Context as _;
use clap::{Args, ValueEnum};
use provrum_rules::model::{Membership, OrgKind};
use provrum_rules::{OrgId, TokenId};
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
use provrum_store::{AuditEvent, Org, Store, issue_token, parse_org_name};
use std::path::PathBuf;
use std::sync::Arc;

#[derive(Clone, Copy, ValueEnum)]
pub enum StoreKind {
    Sqlite,
    Dynamodb,
}

#[derive(Args)]
pub struct StoreArgs {
    /// Where provrum are kept: an embedded SQLite file, or a DynamoDB table
    #[arg(long, value_enum, default_value_t = StoreKind::Sqlite)]
    store: StoreKind,
    /// The SQLite file
    #[arg(long, default_value = "provrum.db")]
    db: PathBuf,
    /// The DynamoDB table (standard AWS configuration; AWS_ENDPOINT_URL_DYNAMODB for a local server)
    #[arg(long, required_if_eq("store", "dynamodb"))]
    table: Option<String>,
    /// Create the DynamoDB table when it is missing
    #[arg(long)]
    create_table: bool,
}

impl StoreArgs {
    pub async fn open(&self) -> anyhow::Result<Arc<dyn Store>> {
        Ok(match self.store {
            StoreKind::Sqlite => Arc::new(
                SqliteStore::open(&self.db)
                    .with_context(|| format!("opening {}", self.db.display()))?,
            ),
            StoreKind::Dynamodb => Arc::new(self.dynamo().await?),
        })
    }

    /// The DynamoDB store (created with `--create-table` when missing).
    async fn dynamo(&self) -> anyhow::Result<DynamoStore> {
        let table = self
            .table
            .clone()
            .context("--table is required with --store dynamodb")?;
        let store = DynamoStore::from_env(table.clone()).await;
        if self.create_table
            && store
                .create_table()
                .await
                .with_context(|| format!("creating table {table}"))?
        {
            eprintln!("Tabellen {table} är skapad.");
        }
        Ok(store)
    }
}

#[derive(Clone, Copy, ValueEnum)]
pub enum KindArg {
    Region,
    Other,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum MembershipArg {
    Member,
    Partner,
    Kansli,
}

pub async fn org_add(
    store: &StoreArgs,
    id: &str,
    name: &str,
    kind: KindArg,
    membership: MembershipArg,
) -> anyhow::Result<()> {
    let org = Org {
        id: OrgId::parse(id)?.into_string(),
        name: parse_org_name(name)?,
        kind: match kind {
            KindArg::Region => OrgKind::Region,
            KindArg::Other => OrgKind::Other,
        },
        membership: match membership {
            MembershipArg::Member => Membership::Member,
            MembershipArg::Partner => Membership::Partner,
            MembershipArg::Kansli => Membership::Kansli,
        },
        created_at: chrono::Utc::now(),
    };
    let store = store.open().await?;
    let event = AuditEvent::new(
        format!("org/{}", org.id),
        "cli",
        "org.created",
        serde_json::json!({"name": org.name}),
    );
    store
        .create_org(&org, &event)
        .await
        .with_context(|| format!("adding organisation {}", org.id))?;
    eprintln!("Organisationen {} ({}) är tillagd.", org.id, org.name);
    Ok(())
}

pub async fn org_list(store: &StoreArgs) -> anyhow::Result<()> {
    let store = store.open().await?;
    for org in store.list_orgs().await? {
        println!(
            "{}\t{}\t{}\t{}",
            org.id,
            serde_json::to_value(org.kind)?.as_str().unwrap_or_default(),
            serde_json::to_value(org.membership)?
                .as_str()
                .unwrap_or_default(),
            org.name
        );
    }
    Ok(())
}

/// Creates a token and prints the secret alone on stdout (it is shown only here).
pub async fn token_create(store: &StoreArgs, org: &str, label: &str) -> anyhow::Result<()> {
    let org = OrgId::parse(org)?;
    let store = store.open().await?;
    let new = issue_token(store.as_ref(), org.as_str(), label, "cli")
        .await
        .with_context(|| format!("creating a token for {org}"))?;
    eprintln!(
        "Token {} för {org} är skapad; den visas bara nu.",
        new.token.id
    );
    println!("{}", new.secret);
    Ok(())
}

pub async fn token_revoke(store: &StoreArgs, id: &str) -> anyhow::Result<()> {
    let id = TokenId::parse(id)?;
    let store = store.open().await?;
    let event = AuditEvent::new(
        format!("token/{id}"),
        "cli",
        "token.revoked",
        serde_json::Value::Null,
    );
    store
        .revoke_token(id.as_str(), chrono::Utc::now(), &event)
        .await
        .with_context(|| format!("revoking token {id}"))?;
    eprintln!("Token {id} är återkallad.");
    Ok(())
}

/// Writes what this version's store needs and older versions did not write; idempotent, run once
/// after upgrading. Prints how many items it wrote, alone on stdout.
pub async fn migrate(store: &StoreArgs) -> anyhow::Result<()> {
    let written = match store.store {
        StoreKind::Sqlite => {
            // SQLite lists an organisation's tokens by a query on the tokens table.
            eprintln!("Inget att migrera: SQLite-lagret listar token direkt ur sin tabell.");
            0
        }
        StoreKind::Dynamodb => {
            let written = store
                .dynamo()
                .await?
                .backfill_token_entries()
                .await
                .context("writing the organisation entries of older tokens")?;
            eprintln!(
                "Migreringen är klar: {written} token har fått sin post i organisationens lista."
            );
            written
        }
    };
    println!("{written}");
    Ok(())
}
