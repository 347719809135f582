use provrum_tests::app::{Answer, Backend, TestApp, rules, spawn_app, workbook};

#[tokio::test]
async fn simultaneous_approvals_start_only_the_quota_on_the_embedded_store() {
    race(spawn_app(provrum::all_routes, Backend::Sqlite).await).await;
}

#[tokio::test]
async fn simultaneous_approvals_start_only_the_quota_on_dynamodb() {
    race(spawn_app(provrum::all_routes, Backend::Dynamodb).await).await;
}

/// Five eligible provrum of one year (93 000 kr base funding each), approved at once: two start,
/// and the other three break both the count (KVOT-1) and the 200 000 kr cap (KVOT-2).
async fn race(app: TestApp) {
    let a = app.org("region-a", "region", "member").await;
    let b = app.org("region-b", "region", "member").await;
    let mut ids = Vec::new();
    for i in 0..5 {
        let id = app
            .led_provrum(("region-a", &a), ("region-b", &b), &format!("Provrum {i}"))
            .await;
        let (status, body) = app
            .upload_budget(&a, &id, workbook("region-a", &["region-b"]))
            .await
            .parts();
        assert_eq!(status, 201, "{body}");
        ids.push(id);
    }
    let calls = ids
        .iter()
        .map(|id| async { app.approve(&app.kansli, id).await.parts() });
    let results = futures::future::join_all(calls).await;
    let started = results.iter().filter(|(s, _)| *s == 200).count();
    assert_eq!(started, 2, "{results:?}");
    for (status, body) in results.iter().filter(|(s, _)| *s != 200) {
        assert_eq!(
            (*status, rules(body)),
            (409, vec!["KVOT-1".to_string(), "KVOT-2".to_string()])
        );
    }
}
