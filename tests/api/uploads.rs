//! Upload edges: over the limit, not a workbook type, a form without its file.

use provrum_tests::app::{Backend, spawn_app};

#[tokio::test]
async fn uploads_over_5_mb_of_the_wrong_type_or_without_a_file_are_problems() {
    let app = spawn_app(provrum::all_routes, Backend::Sqlite).await;
    let url = format!("{}/check", app.address);
    let big = vec![0u8; 5 * 1024 * 1024 + 1];
    let (status, body) = app
        .send(
            app.client
                .post(&url)
                .bearer_auth(&app.kansli)
                .header("content-type", "application/octet-stream")
                .body(big.clone()),
        )
        .await;
    assert_eq!(status, 413);
    assert_eq!(body["type"], "urn:provrum:problem:too-large");
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("5 MB"),
        "{body}"
    );
    let form = reqwest::multipart::Form::new().part(
        "file",
        reqwest::multipart::Part::bytes(big).file_name("stor.xlsx"),
    );
    let (status, _) = app
        .send(
            app.client
                .post(&url)
                .bearer_auth(&app.kansli)
                .multipart(form),
        )
        .await;
    assert_eq!(status, 413, "multipart is held to the same limit");
    let (status, body) = app
        .send(
            app.client
                .post(&url)
                .bearer_auth(&app.kansli)
                .header("content-type", "text/plain")
                .body("Resor 100 kr"),
        )
        .await;
    assert_eq!(
        (status, body["type"].as_str()),
        (415, Some("urn:provrum:problem:unsupported-media-type"))
    );
    let form = reqwest::multipart::Form::new().text("note", "no file here");
    let (status, body) = app
        .send(
            app.client
                .post(&url)
                .bearer_auth(&app.kansli)
                .multipart(form),
        )
        .await;
    assert_eq!(status, 400);
    assert!(
        body["detail"].as_str().unwrap_or_default().contains("file"),
        "{body}"
    );
    // Exactly at the limit the file is read (and refused as FORM-1: zeros are no workbook).
    let (status, body) = app
        .send(
            app.client
                .post(&url)
                .bearer_auth(&app.kansli)
                .header("content-type", "application/octet-stream")
                .body(vec![0u8; 5 * 1024 * 1024]),
        )
        .await;
    assert_eq!(
        (status, body["findings"][0]["rule"].as_str()),
        (200, Some("FORM-1"))
    );
}
