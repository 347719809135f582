//! `provrum serve`: all four functions in one local process; `--demo` seeds Reglab's members and
//! sample provrum through the same routes a client uses. `provrum report`: the yearly report.

use crate::admin::StoreArgs;
use anyhow::{Context as _, bail};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use provrum_http::AppState;
use provrum_rules::Lang;
use provrum_rules::model::{Membership, OrgKind};
use provrum_rules::model::{ParticipantKind, Role};
use provrum_store::{AuditEvent, Org, Store, issue_token};
use std::collections::HashMap;
use std::sync::Arc;
use tower::ServiceExt;

use provrum::all_routes;

pub async fn serve(store: &StoreArgs, addr: &str, demo: bool) -> anyhow::Result<()> {
    provrum_http::init_tracing();
    let store = store.open().await?;
    let state = AppState::new(store.clone());
    let app = all_routes(state);
    if demo {
        seed(&store, &app).await.context("seeding the demo")?;
    }
    eprintln!("provrum lyssnar på http://{addr} (Ctrl-C avslutar)");
    provrum_http::run::serve(app, addr).await?;
    Ok(())
}

/// Sweden's 21 regions, as (id, name).
pub const REGIONS: [(&str, &str); 21] = [
    ("region-stockholm", "Region Stockholm"),
    ("region-uppsala", "Region Uppsala"),
    ("region-sormland", "Region Sörmland"),
    ("region-ostergotland", "Region Östergötland"),
    ("region-jonkoping", "Region Jönköpings län"),
    ("region-kronoberg", "Region Kronoberg"),
    ("region-kalmar", "Region Kalmar län"),
    ("region-gotland", "Region Gotland"),
    ("region-blekinge", "Region Blekinge"),
    ("region-skane", "Region Skåne"),
    ("region-halland", "Region Halland"),
    ("vastra-gotalandsregionen", "Västra Götalandsregionen"),
    ("region-varmland", "Region Värmland"),
    ("region-orebro", "Region Örebro län"),
    ("region-vastmanland", "Region Västmanland"),
    ("region-dalarna", "Region Dalarna"),
    ("region-gavleborg", "Region Gävleborg"),
    ("region-vasternorrland", "Region Västernorrland"),
    ("region-jamtland-harjedalen", "Region Jämtland Härjedalen"),
    ("region-vasterbotten", "Region Västerbotten"),
    ("region-norrbotten", "Region Norrbotten"),
];

async fn token(store: &Arc<dyn Store>, org: &str) -> anyhow::Result<String> {
    Ok(issue_token(store.as_ref(), org, "demo", "demo")
        .await?
        .secret)
}

/// One request through the router, as a client would send it.
async fn call(
    app: &Router,
    token: &str,
    method: &str,
    path: &str,
    body: Body,
    content_type: &str,
) -> anyhow::Result<(StatusCode, serde_json::Value)> {
    let request = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {token}"))
        .header("content-type", content_type)
        .body(body)?;
    let response = app.clone().oneshot(request).await?;
    let status = response.status();
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20).await?;
    Ok((
        status,
        serde_json::from_slice(&bytes).unwrap_or(serde_json::Value::Null),
    ))
}

async fn json(
    app: &Router,
    token: &str,
    method: &str,
    path: &str,
    body: serde_json::Value,
) -> anyhow::Result<serde_json::Value> {
    let (status, reply) = call(
        app,
        token,
        method,
        path,
        Body::from(body.to_string()),
        "application/json",
    )
    .await?;
    if !status.is_success() {
        bail!("{method} {path}: {status} {reply}");
    }
    Ok(reply)
}

/// Seeds once (the kansli's organisation marks it done), and prints one new token per role.
async fn seed(store: &Arc<dyn Store>, app: &Router) -> anyhow::Result<()> {
    let fresh = store.get_org("reglab").await?.is_none();
    if fresh {
        let org = |id: &str, name: &str, kind, membership| Org {
            id: id.into(),
            name: name.into(),
            kind,
            membership,
            created_at: chrono::Utc::now(),
        };
        let event = |id: &str| {
            AuditEvent::new(
                format!("org/{id}"),
                "demo",
                "org.created",
                serde_json::Value::Null,
            )
        };
        store
            .create_org(
                &org(
                    "reglab",
                    "Reglabs kansli",
                    OrgKind::Other,
                    Membership::Kansli,
                ),
                &event("reglab"),
            )
            .await?;
        let kansli = token(store, "reglab").await?;
        let mut others = vec![
            (
                "norrkopings-kommun",
                "Norrköpings kommun",
                "other",
                "member",
            ),
            ("tillvaxtverket", "Tillväxtverket", "other", "member"),
            (
                "rise",
                "RISE Research Institutes of Sweden",
                "other",
                "partner",
            ),
            ("vinnova", "Vinnova", "other", "partner"),
        ];
        others.extend(
            REGIONS
                .iter()
                .map(|(id, name)| (*id, *name, "region", "member")),
        );
        for (id, name, kind, membership) in others {
            json(
                app,
                &kansli,
                "POST",
                "/orgs",
                serde_json::json!({"id": id, "name": name, "kind": kind, "membership": membership}),
            )
            .await?;
        }
        seed_provrum(store, app, &kansli).await?;
    }
    println!("# Demo-tokens (visas bara nu) / demo tokens (shown only now)");
    for (role, org) in [
        ("kansli", "reglab"),
        ("member (leader)", "region-ostergotland"),
        ("partner", "rise"),
    ] {
        println!("{role:<16} {org:<20} {}", token(store, org).await?);
    }
    Ok(())
}

async fn seed_provrum(store: &Arc<dyn Store>, app: &Router, kansli: &str) -> anyhow::Result<()> {
    let mut tokens = HashMap::new();
    for org in [
        "region-ostergotland",
        "region-skane",
        "vastra-gotalandsregionen",
        "norrkopings-kommun",
        "region-norrbotten",
        "region-vasterbotten",
        "rise",
        "region-gotland",
        "region-kalmar",
    ] {
        tokens.insert(org, token(store, org).await?);
    }
    let t = |org: &str| tokens.get(org).cloned().unwrap_or_default();
    let workbook = |filled: &provrum_workbook::template::Filled| {
        provrum_workbook::template::build(Lang::Sv, Some(filled))
    };

    // 1. Running: the bundled example, approved by the kansli.
    let id = provrum(
        app,
        &tokens,
        "region-ostergotland",
        ("AI och visualisering i regional utveckling", "AI"),
        &[
            "region-skane",
            "vastra-gotalandsregionen",
            "norrkopings-kommun",
        ],
        Some(workbook(&provrum_workbook::template::example(Lang::Sv))?),
    )
    .await?;
    json(
        app,
        kansli,
        "POST",
        &format!("/provrum/{id}/approve"),
        serde_json::Value::Null,
    )
    .await?;

    // 2. Proposed, with a budget that breaks the base-funding rule (BUD-4).
    let mut drones = provrum_workbook::template::example(Lang::Sv);
    drones.participants = vec![
        (
            "Region Norrbotten".into(),
            ParticipantKind::Region,
            Role::Leader,
        ),
        (
            "Region Västerbotten".into(),
            ParticipantKind::Region,
            Role::Participant,
        ),
        (
            "RISE Research Institutes of Sweden".into(),
            ParticipantKind::Partner,
            Role::Participant,
        ),
    ];
    for line in &mut drones.budget {
        match line.funder {
            Some(_) => line.funder = Some("Region Norrbotten".into()),
            None => line.amount_kr *= 1.5,
        }
    }
    provrum(
        app,
        &tokens,
        "region-norrbotten",
        ("Drönare – nya frågeställningar", "Beredskap"),
        &["region-vasterbotten", "rise"],
        Some(workbook(&drones)?),
    )
    .await?;

    // 3. Proposed, not ready: one region, no leader, no budget.
    let p = json(
        app,
        &t("region-gotland"),
        "POST",
        "/provrum",
        serde_json::json!({"title": "Civilt försvar", "theme": "Beredskap"}),
    )
    .await?;
    let id = p["id"].as_str().unwrap_or_default().to_string();
    json(
        app,
        &t("region-kalmar"),
        "POST",
        &format!("/provrum/{id}/interest"),
        serde_json::json!({"wants_to_lead": true}),
    )
    .await?;
    Ok(())
}

/// A provrum proposed by `leader`, joined by `others`, led by `leader` and, with `budget`, given
/// that budget: the steps a real proposal goes through, through the same routes.
async fn provrum(
    app: &Router,
    tokens: &HashMap<&str, String>,
    leader: &str,
    (title, theme): (&str, &str),
    others: &[&str],
    budget: Option<Vec<u8>>,
) -> anyhow::Result<String> {
    let t = |org: &str| tokens.get(org).cloned().unwrap_or_default();
    let p = json(
        app,
        &t(leader),
        "POST",
        "/provrum",
        serde_json::json!({"title": title, "theme": theme}),
    )
    .await?;
    let id = p["id"].as_str().unwrap_or_default().to_string();
    for org in others {
        json(
            app,
            &t(org),
            "POST",
            &format!("/provrum/{id}/interest"),
            serde_json::json!({"wants_to_lead": false}),
        )
        .await?;
    }
    json(
        app,
        &t(leader),
        "PUT",
        &format!("/provrum/{id}/leader"),
        serde_json::json!({"org": leader}),
    )
    .await?;
    if let Some(bytes) = budget {
        let path = format!("/provrum/{id}/budget");
        let (status, reply) = call(
            app,
            &t(leader),
            "POST",
            &path,
            Body::from(bytes),
            "application/octet-stream",
        )
        .await?;
        if status != StatusCode::CREATED {
            bail!("budget upload: {status} {reply}");
        }
    }
    Ok(id)
}

pub async fn report(store: &StoreArgs, year: i32, json_out: bool) -> anyhow::Result<()> {
    let state = AppState::new(store.open().await?);
    let report = quota_report::compute(&state, year, chrono::Utc::now().date_naive())
        .await
        .map_err(|e| anyhow::anyhow!("{}", e.detail.sv))?;
    if json_out {
        println!("{}", serde_json::to_string_pretty(&report)?);
        return Ok(());
    }
    println!(
        "Årsrapport {} för Reglabs provrum ({})",
        report.year, report.ruleset
    );
    println!("Startade provrum: {} av {}", report.started, report.quota);
    println!(
        "Basfinansiering: {} av {}",
        report.base_funding_ore, report.cap_ore
    );
    println!(
        "Per medlem: {} ({} medlemmar; referens {})",
        report.cost_per_member_ore, report.members, report.reference_per_member_ore
    );
    for p in &report.provrum {
        println!(
            "  {}  {}  {}  {}",
            p.id,
            p.status.as_str(),
            p.base_funding_ore,
            p.title
        );
    }
    if report.overdue_results.is_empty() {
        println!("Inga resultat är försenade.");
    } else {
        for o in &report.overdue_results {
            println!(
                "Försenat resultat: {} ({}), slutade {}, {} dagar sedan",
                o.title, o.id, o.end, o.days_overdue
            );
        }
    }
    if report.development_phase {
        println!("Året ingår i utvecklingsfasen 2023–24.");
    }
    Ok(())
}
