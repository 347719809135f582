//! What one request costs in DynamoDB calls, counted on the client against moto: the kansli's
//! whole-list pages read the organisations once and the provrum one Query per DynamoDB page,
//! never a Scan and never a call per provrum — so the count does not grow with the provrum.

use provrum_tests::bench::dynamo_calls_of;
use std::collections::BTreeMap;

/// The calls of `GET path` with `n` provrum stored, and the JSON answered.
async fn calls_of(path: &str, n: usize) -> (BTreeMap<String, u32>, serde_json::Value) {
    dynamo_calls_of(
        &provrum_tests::moto_endpoint(),
        n,
        path,
        provrum::all_routes,
    )
    .await
}

fn expected(get_item: u32, query: u32) -> BTreeMap<String, u32> {
    BTreeMap::from([("GetItem".into(), get_item), ("Query".into(), query)])
}

#[tokio::test]
async fn a_status_page_costs_the_same_few_calls_for_5_or_250_provrum() {
    for n in [5, 250] {
        let (calls, body) = calls_of("/status", n).await;
        assert_eq!(body.as_array().map(Vec::len), Some(n));
        // The token and its organisation (GetItem); the organisations and the provrum (Query;
        // moto answers all 250 provrum in one page, as DynamoDB does up to 1 MB); the quota
        // year the proposed provrum would start in, for "kan få klartecken" (GetItem, once per
        // year: all of these start in 2025). No Scan, nothing per row.
        assert_eq!(calls, expected(3, 2), "{n} provrum");
    }
}

#[tokio::test]
async fn a_yearly_report_costs_the_same_calls_for_5_or_250_provrum() {
    let (few, report) = calls_of("/reports/2025", 5).await;
    assert_eq!(report["year"], 2025, "{report}");
    let (many, _) = calls_of("/reports/2025", 250).await;
    assert_eq!(few, many);
    assert!(!few.contains_key("Scan"), "{few:?}");
}
