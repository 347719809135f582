//! `provrum org add`, `provrum token create` and `provrum migrate` on both stores, as an
//! administrator runs them.
//! The DynamoDB half talks to moto (started by scripts/test) through the standard AWS
//! configuration chain, as it would talk to AWS.

use aws_sdk_dynamodb::types::AttributeValue;
use provrum_store::dynamo::DynamoStore;
use provrum_store::sqlite::SqliteStore;
use provrum_store::{Store, hash_token};
mod common;

use common::{ADD_KANSLI, provrum};

/// Adds the kansli and a region, creates a token for the region, and checks what the store holds.
async fn administer(store_args: &[&str], env: &[(&str, &str)], store: &dyn Store) {
    let with = |args: &[&str]| -> Vec<String> {
        args.iter()
            .chain(store_args)
            .map(|a| a.to_string())
            .collect()
    };
    let out = provrum(&with(&ADD_KANSLI), env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = provrum(
        &with(&[
            "org",
            "add",
            "region-skane",
            "--name",
            "Region Skåne",
            "--kind",
            "region",
            "--membership",
            "member",
        ]),
        env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let again = provrum(
        &with(&[
            "org",
            "add",
            "reglab",
            "--name",
            "Other",
            "--kind",
            "region",
            "--membership",
            "member",
        ]),
        env,
    );
    assert_eq!(again.status.code(), Some(1), "a duplicate is refused");
    let bad = provrum(
        &with(&[
            "org",
            "add",
            "Region Skåne",
            "--name",
            "x",
            "--kind",
            "region",
            "--membership",
            "member",
        ]),
        env,
    );
    assert_eq!(bad.status.code(), Some(1), "an id with spaces is refused");

    let out = provrum(
        &with(&[
            "token",
            "create",
            "--org",
            "region-skane",
            "--label",
            "Annas dator",
        ]),
        env,
    );
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let stdout = String::from_utf8(out.stdout).expect("utf-8");
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(lines.len(), 1, "the token alone on stdout: {stdout:?}");
    let secret = lines[0];
    assert!(secret.starts_with("prv_"));
    let token = store
        .token_by_hash(&hash_token(secret))
        .await
        .expect("lookup")
        .expect("stored");
    assert_eq!(
        (token.org.as_str(), token.label.as_str(), token.revoked_at),
        ("region-skane", "Annas dator", None)
    );
    assert!(
        !serde_json::to_string(&token)
            .expect("json")
            .contains(secret),
        "only the hash is stored"
    );
    let unknown = provrum(&with(&["token", "create", "--org", "nobody"]), env);
    assert_eq!(unknown.status.code(), Some(1));
    assert!(
        unknown.stdout.is_empty(),
        "no token printed for an unknown organisation"
    );

    let out = provrum(&with(&["token", "revoke", &token.id]), env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        store
            .token_by_hash(&token.hash)
            .await
            .expect("lookup")
            .and_then(|t| t.revoked_at)
            .is_some()
    );

    let out = provrum(&with(&["org", "list"]), env);
    let listed = String::from_utf8(out.stdout).expect("utf-8");
    assert_eq!(
        listed,
        "region-skane\tregion\tmember\tRegion Skåne\nreglab\tother\tkansli\tReglabs kansli\n"
    );
    let orgs = store.list_orgs().await.expect("orgs");
    assert_eq!(orgs.len(), 2);

    let out = migrate(&with(&["migrate"]), env);
    assert_eq!(out, "0\n", "tokens made by this version need nothing");
}

/// Runs `provrum migrate …`, which must succeed, and returns its stdout (how many items it wrote).
fn migrate(args: &[String], env: &[(&str, &str)]) -> String {
    let out = provrum(args, env);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("utf-8")
}

#[tokio::test]
async fn administration_on_the_embedded_store() {
    let dir = tempfile::tempdir().expect("tempdir");
    let db = dir.path().join("provrum.db");
    let db = db.to_str().expect("utf-8");
    administer(&["--db", db], &[], &SqliteStore::open(db).expect("open")).await;
}

#[tokio::test]
async fn administration_on_dynamodb() {
    let endpoint = provrum_tests::moto_endpoint();
    let table = provrum_store::new_id("cli-");
    let env = [
        ("AWS_ENDPOINT_URL_DYNAMODB", endpoint.as_str()),
        ("AWS_ACCESS_KEY_ID", "local"),
        ("AWS_SECRET_ACCESS_KEY", "local"),
        ("AWS_REGION", "eu-north-1"),
        ("AWS_EC2_METADATA_DISABLED", "true"),
    ];
    // The first command creates the table; without --create-table a missing table is an error.
    let missing = provrum(
        &["org", "list", "--store", "dynamodb", "--table", &table],
        &env,
    );
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        String::from_utf8_lossy(&missing.stderr).contains("--create-table"),
        "{}",
        String::from_utf8_lossy(&missing.stderr)
    );
    let created = provrum(
        &[
            "org",
            "list",
            "--store",
            "dynamodb",
            "--table",
            &table,
            "--create-table",
        ],
        &env,
    );
    assert_eq!(
        created.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&created.stderr)
    );
    let store = DynamoStore::local(&endpoint, table.clone()).await;
    administer(&["--store", "dynamodb", "--table", &table], &env, &store).await;

    // A token made before tokens were listed per organisation has no entry in its
    // organisation's partition (`ORG#<org>` / `TOKEN#<created>#<id>`): `migrate` writes it.
    let tokens = store
        .tokens_page("region-skane", None, 10)
        .await
        .expect("page")
        .items;
    assert_eq!(tokens.len(), 1);
    let token = &tokens[0];
    store
        .client()
        .delete_item()
        .table_name(&table)
        .key("PK", AttributeValue::S(format!("ORG#{}", token.org)))
        .key(
            "SK",
            AttributeValue::S(format!(
                "TOKEN#{}#{}",
                token.created_at.format("%Y-%m-%dT%H:%M:%S%.9fZ"),
                token.id
            )),
        )
        .condition_expression("attribute_exists(PK)")
        .send()
        .await
        .expect("the entry existed and is deleted");
    let listed = |store: DynamoStore| async move {
        store
            .tokens_page("region-skane", None, 10)
            .await
            .expect("page")
            .items
    };
    assert_eq!(listed(store.clone()).await, Vec::new());
    let args: Vec<String> = ["migrate", "--store", "dynamodb", "--table", &table]
        .iter()
        .map(|a| a.to_string())
        .collect();
    assert_eq!(migrate(&args, &env), "1\n");
    assert_eq!(listed(store.clone()).await, tokens);
    assert_eq!(migrate(&args, &env), "0\n", "idempotent");
}
