//! The DynamoDB migration run once after an upgrade, on moto (started by `scripts/test`, which
//! sets `PROVRUM_TEST_DYNAMODB_ENDPOINT`; `provrum_tests::moto_endpoint` says so when it is
//! missing). Without that server it fails; it never skips.

use chrono::{DateTime, Duration, TimeZone, Utc};
use provrum_rules::model::{Membership, OrgKind};
use provrum_store::dynamo::DynamoStore;
use provrum_store::{AuditEvent, NewToken, Org, Store, Token};

/// A store on a fresh table on moto, and the table's name.
async fn dynamodb() -> (DynamoStore, String) {
    let endpoint = provrum_tests::moto_endpoint();
    let table = provrum_store::new_id("migrate-");
    let store = DynamoStore::local(&endpoint, table.clone()).await;
    assert!(
        store.create_table().await.expect("create table on moto"),
        "a fresh table"
    );
    (store, table)
}

fn t0() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2025, 1, 15, 9, 0, 0)
        .single()
        .expect("time")
}

fn event(entity: &str, action: &str) -> AuditEvent {
    AuditEvent::new(entity, "kansli", action, serde_json::Value::Null)
}

/// Every token of `org`, through all of `tokens_page`'s pages (two tokens a page).
async fn listed(store: &DynamoStore, org: &str) -> Vec<Token> {
    let mut tokens = Vec::new();
    let mut cursor: Option<String> = None;
    for _ in 0..100 {
        let page = store
            .tokens_page(org, cursor.as_deref(), 2)
            .await
            .expect("page");
        tokens.extend(page.items);
        match page.next {
            Some(next) => cursor = Some(next),
            None => return tokens,
        }
    }
    panic!("more than 100 pages of {org}'s tokens");
}

/// The raw key of a token's entry in its organisation's partition: what the change that added
/// the entries did not write for older tokens (keys.rs's `org_token`, spelled out here as the
/// table's documentation gives it, since the test stands outside the store).
fn entry_key(
    token: &Token,
) -> std::collections::HashMap<String, aws_sdk_dynamodb::types::AttributeValue> {
    use aws_sdk_dynamodb::types::AttributeValue as AV;
    std::collections::HashMap::from([
        ("PK".to_string(), AV::S(format!("ORG#{}", token.org))),
        (
            "SK".to_string(),
            AV::S(format!(
                "TOKEN#{}#{}",
                token.created_at.format("%Y-%m-%dT%H:%M:%S%.9fZ"),
                token.id
            )),
        ),
    ])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn tokens_made_before_the_entries_are_listed_after_the_backfill() {
    let (store, table) = dynamodb().await;
    for id in ["region-a", "region-b"] {
        let org = Org {
            id: id.into(),
            name: format!("Org {id}"),
            kind: OrgKind::Region,
            membership: Membership::Member,
            created_at: t0(),
        };
        store
            .create_org(&org, &event(&format!("org/{id}"), "org.created"))
            .await
            .expect("org");
    }
    let mut made: Vec<Token> = Vec::new();
    for (i, owner) in ["region-a", "region-b", "region-a", "region-a", "region-a"]
        .iter()
        .enumerate()
    {
        let new = NewToken::generate(
            owner,
            &format!("label {i}"),
            t0() + Duration::minutes(i as i64) + Duration::nanoseconds(123_456_789),
        )
        .expect("random");
        store
            .create_token(
                &new.token,
                &event(&format!("token/{}", new.token.id), "token.created"),
            )
            .await
            .expect("create");
        made.push(new.token);
    }
    // A revoked token is listed too, so it needs its entry as much as the others.
    let revoked_at = t0() + Duration::days(1);
    store
        .revoke_token(
            &made[2].id,
            revoked_at,
            &event(&format!("token/{}", made[2].id), "token.revoked"),
        )
        .await
        .expect("revoke");
    made[2].revoked_at = Some(revoked_at);
    let of = |org: &str| -> Vec<Token> { made.iter().filter(|t| t.org == org).cloned().collect() };
    assert_eq!(listed(&store, "region-a").await, of("region-a"));
    assert_eq!(
        store.backfill_token_entries().await.expect("backfill"),
        0,
        "tokens made by this version have their entries"
    );

    // Tokens made before the entries existed: two of region-a's (one revoked) and region-b's.
    let older = [&made[1], &made[2], &made[4]];
    for token in older {
        store
            .client()
            .delete_item()
            .table_name(&table)
            .set_key(Some(entry_key(token)))
            .condition_expression("attribute_exists(PK)")
            .send()
            .await
            .expect("the entry existed and is deleted");
    }
    assert_eq!(
        listed(&store, "region-a").await,
        vec![made[0].clone(), made[3].clone()],
        "without their entries, older tokens are not listed"
    );
    assert_eq!(listed(&store, "region-b").await, Vec::new());

    assert_eq!(
        store.backfill_token_entries().await.expect("backfill"),
        older.len() as u32,
        "exactly the missing entries are written"
    );
    assert_eq!(
        listed(&store, "region-a").await,
        of("region-a"),
        "every token listed again, in the order they were created"
    );
    assert_eq!(listed(&store, "region-b").await, of("region-b"));
    assert_eq!(
        store.backfill_token_entries().await.expect("backfill"),
        0,
        "a second run writes nothing"
    );
    assert_eq!(listed(&store, "region-a").await, of("region-a"));
}
