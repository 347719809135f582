//! DynamoDB stops in the middle of an upload and of an approval (issue 8). The store talks to
//! moto through a proxy ([`provrum_tests::faults::Wire`]) that stops the server at the write:
//! before the write reaches it, after it has applied the write but before the answer is back, or
//! by freezing the moto process itself. Each time the client gets 503 problem+json, the store
//! tried exactly its bounded number of times, and after the restart the provrum is whole: no
//! budget version without its file's hash, no started provrum outside the year's quota count.

use provrum_client::Reply;
use provrum_store::dynamo::{DynamoStore, Patience};
use provrum_store::{Store, sha256_hex};
use provrum_tests::app::{Answer, TestApp, spawn_app_on, workbook, workbook_in};
use provrum_tests::faults::{Fault, Moto, Seen, Wire, count};
use serde_json::{Value, json};
use std::sync::Arc;
use std::time::Duration;

/// Short bounds, so a stopped server costs the test seconds.
const PATIENCE: Patience = Patience {
    max_attempts: 3,
    connect: Duration::from_millis(500),
    attempt: Duration::from_millis(1_500),
    operation: Duration::from_secs(4),
    transaction_tries: 3,
};

const WRITE: &str = "TransactWriteItems";

struct Stage {
    app: TestApp,
    wire: Wire,
    /// The same table, straight to moto: what is really stored.
    direct: DynamoStore,
    leader: String,
    id: String,
}

/// A provrum proposed by region-a, with region-b interested and region-a leading, served by an
/// app whose store reaches moto (`upstream`) through the proxy.
async fn stage(upstream: &str, moto: Option<Arc<Moto>>) -> Stage {
    let table = provrum_store::new_id("faults-");
    let direct = DynamoStore::local(upstream, table.clone()).await;
    direct.create_table().await.expect("table");
    let wire = Wire::start(upstream, moto).await;
    let store = DynamoStore::local(&wire.endpoint, table)
        .await
        .with_patience(PATIENCE);
    let app = spawn_app_on(provrum::all_routes, Arc::new(store), None, None).await;
    let leader = app.org("region-a", "region", "member").await;
    let other = app.org("region-b", "region", "member").await;
    let id = app
        .led_provrum(("region-a", &leader), ("region-b", &other), "Avbrott")
        .await;
    wire.take_seen();
    Stage {
        app,
        wire,
        direct,
        leader,
        id,
    }
}

impl Stage {
    async fn upload(&self, bytes: Vec<u8>) -> (u16, Value, Option<String>) {
        answer(self.upload_reply(None, bytes).await)
    }

    /// The leader's upload of `bytes`, in language `lang` if given.
    async fn upload_reply(&self, lang: Option<&str>, bytes: Vec<u8>) -> Reply {
        let api = match lang {
            Some(lang) => self.app.lang(lang),
            None => self.app.api.clone(),
        };
        api.upload_budget(&self.leader, &self.id, bytes)
            .await
            .answer()
    }

    async fn approve(&self) -> (u16, Value, Option<String>) {
        answer(self.app.approve(&self.app.kansli, &self.id).await.answer())
    }

    /// What is stored, read straight from moto, holds together: every budget version the
    /// provrum counts is there with its file's hash and all its data, one audit event each; a
    /// started provrum is counted in its year's quota with its grant, and nothing else is.
    async fn assert_whole(&self) -> Whole {
        let store = &self.direct;
        let provrum = store
            .get_provrum(&self.id)
            .await
            .expect("read")
            .expect("the provrum");
        let versions = store
            .list_budget_versions(&self.id)
            .await
            .expect("versions");
        assert_eq!(versions.len() as u32, provrum.budget_versions);
        for (i, summary) in versions.iter().enumerate() {
            assert_eq!(summary.version, i as u32 + 1);
            assert_eq!(summary.sha256.len(), 64, "version {} has its hash", i + 1);
            let stored = store
                .get_budget_version(&self.id, summary.version)
                .await
                .expect("the version's data is whole")
                .expect("the version");
            assert_eq!(stored.summary.sha256, summary.sha256);
        }
        assert_eq!(
            provrum.latest_budget.as_ref().map(|b| &b.sha256),
            versions.last().map(|v| &v.sha256)
        );
        let events = store
            .audit_events(&format!("provrum/{}", self.id))
            .await
            .expect("events");
        let of = |action: &str| events.iter().filter(|e| e.action == action).count();
        assert_eq!(of("budget.uploaded"), versions.len());
        let running = provrum.status == provrum_rules::model::Status::Running;
        assert_eq!(of("provrum.approved"), usize::from(running));
        let quota = store.quota(2025).await.expect("quota");
        assert_eq!(quota.started, u32::from(running), "{quota:?}");
        assert_eq!(
            quota.base_funding,
            provrum.granted_base_funding_ore.unwrap_or_default(),
            "{quota:?}"
        );
        assert_eq!(provrum.granted_base_funding_ore.is_some(), running);
        Whole {
            versions: versions.iter().map(|v| v.sha256.clone()).collect(),
            running,
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
struct Whole {
    versions: Vec<String>,
    running: bool,
}

fn answer(reply: Reply) -> (u16, Value, Option<String>) {
    let status = reply.status;
    let content_type = reply.header("content-type").map(str::to_string);
    let retry_after = reply.header("retry-after").map(str::to_string);
    let body: Value = serde_json::from_slice(&reply.bytes).expect("a JSON body");
    if status == 503 {
        assert_eq!(content_type.as_deref(), Some("application/problem+json"));
        assert_eq!(body["status"], 503);
        assert_eq!(body["type"], "urn:provrum:problem:unavailable");
        assert_eq!(retry_after.as_deref(), Some("5"));
    }
    (status, body, content_type)
}

/// The store's tries of the write: as many as its patience allows, all with one idempotency
/// token (so DynamoDB applies the write once however many reach it).
fn assert_bounded_tries(seen: &[Seen], forwarded: usize) {
    let writes: Vec<&Seen> = seen.iter().filter(|s| s.operation == WRITE).collect();
    assert_eq!(writes.len(), PATIENCE.max_attempts as usize, "{seen:#?}");
    let token = writes[0].client_request_token.as_deref();
    assert!(token.is_some_and(|t| !t.is_empty()), "no idempotency token");
    assert!(
        writes
            .iter()
            .all(|w| w.client_request_token.as_deref() == token)
    );
    assert_eq!(writes.iter().filter(|w| w.forwarded).count(), forwarded);
}

#[tokio::test]
async fn dynamodb_stopping_mid_upload_leaves_no_half_written_version() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    let first = workbook("region-a", &["region-b"]);
    let second = workbook_in("region-a", &["region-b"], 2026);

    // Stopped before the write reaches it: 503, and nothing is stored.
    stage.wire.arm(Fault::StopBefore(WRITE));
    let (status, body, _) = stage.upload(first.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_bounded_tries(&stage.wire.take_seen(), 0);
    stage.wire.restart();
    assert_eq!(
        stage.assert_whole().await,
        Whole {
            versions: vec![],
            running: false
        }
    );

    // Back: the same upload is version 1.
    let (status, body, _) = stage.upload(first.clone()).await;
    assert_eq!((status, &body["version"]), (201, &json!(1)), "{body}");

    // Stopped after applying the write, before answering: 503, and version 2 is whole.
    stage.wire.arm(Fault::StopAfter(WRITE));
    let (status, body, _) = stage.upload(second.clone()).await;
    assert_eq!(status, 503, "{body}");
    assert_bounded_tries(&stage.wire.take_seen(), 1);
    stage.wire.restart();
    assert_eq!(
        stage.assert_whole().await,
        Whole {
            versions: vec![sha256_hex(&first), sha256_hex(&second)],
            running: false
        }
    );
    // The leader looks, as the 503 asks: the version is there.
    let (status, body) = stage.app.get_budget(&stage.leader, &stage.id).await.parts();
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["latest"]["summary"]["sha256"], sha256_hex(&second));
}

#[tokio::test]
async fn dynamodb_stopping_mid_approval_leaves_the_quota_counting_what_started() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    let (status, body, _) = stage.upload(workbook("region-a", &["region-b"])).await;
    assert_eq!(status, 201, "{body}");

    // Stopped before the write: 503; not started, not counted.
    stage.wire.arm(Fault::StopBefore(WRITE));
    let (status, body, _) = stage.approve().await;
    assert_eq!(status, 503, "{body}");
    assert_bounded_tries(&stage.wire.take_seen(), 0);
    stage.wire.restart();
    assert!(!stage.assert_whole().await.running);

    // Stopped after applying it: 503; started and counted once.
    stage.wire.arm(Fault::StopAfter(WRITE));
    let (status, body, _) = stage.approve().await;
    assert_eq!(status, 503, "{body}");
    assert_bounded_tries(&stage.wire.take_seen(), 1);
    stage.wire.restart();
    assert!(stage.assert_whole().await.running);

    // The kansli tries again, as a client would: refused as already started, counted once.
    let (status, body, _) = stage.approve().await;
    assert_eq!(status, 409, "{body}");
    assert!(stage.assert_whole().await.running);
}

#[tokio::test]
async fn a_frozen_dynamodb_costs_a_request_its_patience_and_applies_writes_once() {
    let moto = Arc::new(Moto::start().await);
    let stage = stage(&moto.endpoint, Some(moto.clone())).await;
    let file = workbook("region-a", &["region-b"]);

    for step in ["upload", "approve"] {
        // The server stops at the write (SIGSTOP), with the write in its socket.
        stage.wire.arm(Fault::Freeze(WRITE));
        // The store gives up after its patience (4 s) by itself. The guard is no performance
        // bound (machines here are shared and noisy): it tells "gives up" from "waits for an
        // answer that never comes", so it is five times the patience. The bounded number of
        // tries is asserted exactly below.
        let answer = async {
            match step {
                "upload" => stage.upload(file.clone()).await,
                _ => stage.approve().await,
            }
        };
        let (status, body, _) = tokio::time::timeout(PATIENCE.operation * 5, answer)
            .await
            .unwrap_or_else(|_| {
                panic!("{step}: a frozen DynamoDB held the request past its patience")
            });
        assert_eq!(status, 503, "{step}: {body}");
        let seen = stage.wire.take_seen();
        let writes = count(&seen).get(WRITE).copied().unwrap_or(0);
        assert!(
            (1..=PATIENCE.max_attempts as usize).contains(&writes),
            "{step}: {writes} tries"
        );

        // Restarted, moto works through the tries it holds: the first applies the write, the
        // others (the same write again) find it done and change nothing.
        stage.wire.restart();
        let whole = settle(&stage).await;
        match step {
            "upload" => assert_eq!(whole.versions, vec![sha256_hex(&file)]),
            _ => assert!(whole.running),
        }
    }
}

/// Waits until moto has answered what it held, then checks the store is whole.
async fn settle(stage: &Stage) -> Whole {
    for _ in 0..100 {
        if stage.direct.get_provrum(&stage.id).await.is_ok() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // The held tries are answered in order; one more round trip after them.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stage.assert_whole().await
}

/// A problem answer in the language asked for: status, body, `Retry-After`.
async fn upload_in(stage: &Stage, lang: &str, bytes: Vec<u8>) -> (u16, Value, Option<String>) {
    let reply = stage.upload_reply(Some(lang), bytes).await;
    let status = reply.status;
    let retry_after = reply.header("retry-after").map(str::to_string);
    if status >= 400 {
        assert_eq!(
            reply.header("content-type"),
            Some("application/problem+json")
        );
    }
    (
        status,
        serde_json::from_slice(&reply.bytes).expect("a JSON body"),
        retry_after,
    )
}

/// The transactions the proxy saw: how many, and how many reached moto.
fn writes(seen: &[Seen]) -> (usize, usize) {
    let writes: Vec<&Seen> = seen.iter().filter(|s| s.operation == WRITE).collect();
    (writes.len(), writes.iter().filter(|w| w.forwarded).count())
}

/// DynamoDB cancels an upload's transaction once because another transaction held the provrum at
/// that moment (issue 14): the store sends it again, and the upload succeeds.
#[tokio::test]
async fn a_transaction_conflict_once_is_retried_and_the_upload_succeeds() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    let file = workbook("region-a", &["region-b"]);
    stage.wire.arm(Fault::Cancel {
        at: WRITE,
        reasons: &["TransactionConflict"],
        times: 1,
    });
    let (status, body, _) = stage.upload(file.clone()).await;
    assert_eq!((status, &body["version"]), (201, &json!(1)), "{body}");
    assert_eq!(writes(&stage.wire.take_seen()), (2, 1));
    assert_eq!(
        stage.assert_whole().await,
        Whole {
            versions: vec![sha256_hex(&file)],
            running: false
        }
    );
}

/// Conflicts every time: after its bounded tries the store gives up, and the client gets 409
/// problem+json saying someone changed it at the same moment and to try again, in Swedish by
/// default and in English on request; nothing is stored.
#[tokio::test]
async fn transaction_conflicts_every_time_answer_409_try_again() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    let file = workbook("region-a", &["region-b"]);
    for (lang, text) in [
        ("sv", "Någon ändrade detta i samma ögonblick; försök igen."),
        ("en", "Someone changed this at the same moment; try again."),
    ] {
        stage.wire.arm(Fault::Cancel {
            at: WRITE,
            reasons: &["TransactionConflict", "None", "TransactionConflict"],
            times: 100,
        });
        let (status, body, _) = upload_in(&stage, lang, file.clone()).await;
        assert_eq!(status, 409, "{body}");
        assert_eq!(body["type"], "urn:provrum:problem:conflict", "{body}");
        assert_eq!(body["detail"], text, "{body}");
        let tries = PATIENCE.transaction_tries as usize;
        assert_eq!(writes(&stage.wire.take_seen()), (tries, 0));
    }
    stage.wire.restart();
    assert_eq!(
        stage.assert_whole().await,
        Whole {
            versions: vec![],
            running: false
        }
    );
    // The conflict over, the same upload goes through.
    let (status, body, _) = stage.upload(file).await;
    assert_eq!(status, 201, "{body}");
}

/// Throttled every time: tried as often as a conflict, then 503 with Retry-After, as when
/// DynamoDB does not answer; nothing is stored.
#[tokio::test]
async fn a_throttled_transaction_is_retried_then_answers_503() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    stage.wire.arm(Fault::Cancel {
        at: WRITE,
        reasons: &["ThrottlingError"],
        times: 100,
    });
    let (status, body, _) = stage.upload(workbook("region-a", &["region-b"])).await;
    assert_eq!(status, 503, "{body}");
    let tries = PATIENCE.transaction_tries as usize;
    assert_eq!(writes(&stage.wire.take_seen()), (tries, 0));
    stage.wire.restart();
    assert!(stage.assert_whole().await.versions.is_empty());

    // Throttled twice, then let through: the upload succeeds within its tries.
    stage.wire.arm(Fault::Cancel {
        at: WRITE,
        reasons: &["ThrottlingError"],
        times: 2,
    });
    let (status, body, _) = stage.upload(workbook("region-a", &["region-b"])).await;
    assert_eq!(status, 201, "{body}");
    assert_eq!(writes(&stage.wire.take_seen()), (3, 1));
}

/// A failed condition is not retried: it keeps each operation's meaning. An upload whose
/// version's summary exists (item 1) is a conflict; an approval whose quota condition (item 1)
/// failed, with the quota in fact free, is a conflict to try again.
#[tokio::test]
async fn a_failed_condition_keeps_the_operations_meaning_and_is_not_retried() {
    let stage = stage(&provrum_tests::moto_endpoint(), None).await;
    stage.wire.arm(Fault::Cancel {
        at: WRITE,
        reasons: &["None", "ConditionalCheckFailed"],
        times: 1,
    });
    let (status, body, _) = stage.upload(workbook("region-a", &["region-b"])).await;
    assert_eq!(status, 409, "{body}");
    assert_eq!(body["type"], "urn:provrum:problem:conflict", "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("budget version 1 of") && d.contains("exists")),
        "{body}"
    );
    assert_eq!(writes(&stage.wire.take_seen()), (1, 0));

    let (status, body, _) = stage.upload(workbook("region-a", &["region-b"])).await;
    assert_eq!(status, 201, "{body}");
    stage.wire.take_seen();
    stage.wire.arm(Fault::Cancel {
        at: WRITE,
        reasons: &["None", "ConditionalCheckFailed"],
        times: 1,
    });
    let (status, body, _) = stage.approve().await;
    assert_eq!(status, 409, "{body}");
    assert!(
        body["detail"]
            .as_str()
            .is_some_and(|d| d.contains("the quota of 2025 changed")),
        "{body}"
    );
    assert_eq!(writes(&stage.wire.take_seen()), (1, 0));
    assert!(!stage.assert_whole().await.running);
}
