//! The rule catalogue as a reader sees it: `docs/rules.md`, written by `provrum rules`.
//!
//! Everything in it comes from this crate: each rule's id, severity and seed sentence from
//! [`CATALOGUE`](crate::CATALOGUE), the numbers from the [`RuleSet`], and each message from
//! running the rule's own check on an example that breaks it ([`examples`]), so the document
//! shows the texts users get, in both languages, and changes when they do.

use crate::finding::{Finding, Rule, Severity};
use crate::kvot::QuotaYear;
use crate::lang::Lang;
use crate::layout::{Column, FUNDER_REGLAB, HEADER_ROWS, PlanField, SheetKind};
use crate::model::{
    Category, KIND_MEMBER, KIND_PARTNER, KIND_REGION, Membership, ParticipantKind, ROLE_LEADER,
    ROLE_PARTICIPANT, Status,
};
use crate::money::Ore;
use crate::ruleset::{RuleSet, Share};
use crate::sheet::{Cell, Sheet, Value, Workbook};
use crate::{CATALOGUE, Context, Registered, RegisteredOrg, bud, delt, kvot, process, res};
use chrono::NaiveDate;
use std::fmt::Write as _;
use std::sync::Arc;

/// The command that writes `docs/rules.md`.
pub const REGENERATE: &str = "cargo run -p provrum -- rules > docs/rules.md";

/// A finding a rule gives in a situation, as an example of its message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Example {
    /// What the example is, in English: "A budget whose base funding adds up to 120 000 kr".
    pub situation: String,
    pub finding: Finding,
}

/// What each rule checks, with the rule set's numbers; `None` for an id this crate does not
/// declare.
pub fn checks(rule: &Rule, rs: &RuleSet) -> Option<String> {
    let sheets = list(SheetKind::ALL.iter().map(|k| k.name().sv));
    let text = match rule.id {
        "FORM-1" => {
            "The file is a workbook the reader can open (.xlsx, .xlsm, .xls or .ods) within \
                     its limits; anything else is refused, with a message that says why."
                .to_string()
        }
        "FORM-2" => format!("The workbook has the sheets {sheets} (Swedish or English names)."),
        "FORM-3" => {
            let columns = |kind: SheetKind| {
                list(
                    kind.columns()
                        .iter()
                        .filter(|c| c.required())
                        .map(|c| c.header().sv),
                )
            };
            format!(
                "The sheet *{}* has the headers {} and *{}* has {}, each on one row among its \
                 first {HEADER_ROWS}.",
                SheetKind::Participants.name().sv,
                columns(SheetKind::Participants),
                SheetKind::Budget.name().sv,
                columns(SheetKind::Budget),
            )
        }
        "PLAN-1" => format!(
            "The project plan fills in {} (one finding per empty field).",
            list(
                PlanField::ALL
                    .iter()
                    .filter(|f| f.required())
                    .map(|f| f.label().sv)
            )
        ),
        "PLAN-2" => format!(
            "The project plan has {}.",
            list([
                PlanField::SuccessCriteria.label().sv,
                PlanField::Indicators.label().sv
            ])
        ),
        "PLAN-3" => "The start and end dates read as dates, and the end is after the start.".into(),
        "PLAN-4" => "A workbook uploaded to a stored provrum names it as it is titled \
                     (*Provrummets namn*; case and spacing aside)."
            .into(),
        "TID-1" => format!(
            "The plan lasts {} to {} calendar months (start to end date, both included).",
            rs.min_months, rs.max_months
        ),
        "DELT-1" => format!(
            "{} to {} participating organisations, in the workbook and when one more registers \
             interest in a stored provrum.",
            rs.min_participants, rs.max_participants
        ),
        "DELT-2" => format!(
            "At least {} of the participants are regions.",
            share(rs.min_region_share)
        ),
        "DELT-3" => "Exactly one participant is the leader; a stored provrum has a leader before \
                     it can start."
            .into(),
        "DELT-4" => "The leader is not a partner: only members lead a provrum.".into(),
        "DELT-5" => format!(
            "At least {} participating regions (the leader counts if it is one): until then the \
             provrum is not ready to start.",
            rs.regions_to_start
        ),
        "DELT-6" => format!(
            "Every participant row names an organisation, a kind ({}) and a role ({}).",
            one_of([KIND_REGION.sv, KIND_MEMBER.sv, KIND_PARTNER.sv]),
            one_of([ROLE_LEADER.sv, ROLE_PARTICIPANT.sv])
        ),
        "DELT-7" => "A workbook uploaded to a stored provrum lists every organisation that takes \
                     part in it."
            .into(),
        "DELT-8" => "A workbook uploaded to a stored provrum is that provrum's: it names no \
                     organisation that does not take part, and the same leader."
            .into(),
        "BUD-1" => "The budget has at least one cost line.".into(),
        "BUD-2" => "Every amount is a number greater than zero that reads one way only (`12.500` \
                    does not), the cell named."
            .into(),
        "BUD-3" => format!(
            "Every category is {}, the cell named.",
            one_of(Category::ALL.iter().map(|c| c.name().sv))
        ),
        "BUD-4" => format!(
            "The base funding (the lines whose funder is *{}*) is at most {}.",
            FUNDER_REGLAB.sv, rs.base_funding_max
        ),
        "BUD-5" => format!(
            "The base funding is at most {} of the total planned budget.",
            share(rs.base_funding_max_share)
        ),
        "BUD-6" => format!(
            "No base funding pays for *{}*.",
            Category::Arbetstid.name().sv
        ),
        "BUD-7" => format!(
            "The budget has a line for *{}*.",
            Category::Expertstod.name().sv
        ),
        "BUD-8" => "Every funder is Reglab or a participating organisation.".into(),
        "KVOT-1" => format!(
            "When the kansli approves a start: at most {} provrum start in a quota year (the year \
             of the planned start date).",
            rs.provrum_per_year
        ),
        "KVOT-2" => format!(
            "When the kansli approves a start: the base funding granted in the quota year stays \
             within {}.",
            rs.yearly_cap
        ),
        "PROC-1" => "Only members propose a provrum; partners register interest.".into(),
        "PROC-2" => "Only the kansli approves a start, and only of a proposed provrum.".into(),
        "PROC-3" => "After the go-ahead, a new budget version is a revision of the approved one: \
                     it has no errors, asks for no more base funding than was granted, and starts \
                     in the same quota year; otherwise it is refused and not stored."
            .into(),
        "RES-1" => "A running provrum whose planned end date has passed has its result reported \
                    back (the status sheet and the yearly report show it)."
            .into(),
        _ => return None,
    };
    Some(text)
}

/// Every situation this crate can show a rule's message in, in the catalogue's order. FORM-1's
/// messages come from the workbook reader, which is not in this crate: the caller adds those.
pub fn examples(rs: &RuleSet) -> Vec<Example> {
    let mut out = Vec::new();
    // The first finding of `rule` in the checked `book`, uploaded to `registered` if any.
    let example = |situation: &str, rule: &Rule, book: Book, registered: Option<Registered<'_>>| {
        let ctx = Context {
            ruleset: rs,
            registered,
        };
        let checked = crate::check_workbook(book.build(), ctx);
        checked
            .report
            .findings
            .into_iter()
            .find(|f| f.rule == rule.id)
            .map(|finding| Example {
                situation: situation.to_string(),
                finding,
            })
    };
    let stored = |situation: &str, rule: &Rule, book: Book, registered: Registered<'_>| {
        example(situation, rule, book, Some(registered))
    };
    let workbook = |situation: &str, rule: &Rule, book: Book, _: &[RegisteredOrg]| {
        example(situation, rule, book, None)
    };

    let mut book = Book::valid();
    book.sheets.retain(|k| *k != SheetKind::Budget);
    out.extend(workbook(
        "A workbook without the Budget sheet",
        &crate::form::FORM_2,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget_columns.retain(|c| *c != Column::Amount);
    out.extend(workbook(
        "A Budget sheet without the amount column",
        &crate::form::FORM_3,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.set_plan(PlanField::Purpose, Value::Empty);
    out.extend(workbook(
        "A plan whose purpose is left empty",
        &crate::plan::PLAN_1,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.plan.retain(|(f, _)| *f != PlanField::SuccessCriteria);
    out.extend(workbook(
        "A plan without success criteria",
        &crate::plan::PLAN_2,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.set_plan(PlanField::StartDate, text("första mars"));
    out.extend(workbook(
        "A start date written in words",
        &crate::plan::PLAN_3,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.set_plan(PlanField::EndDate, Value::Date(date(2025, 2, 1)));
    out.extend(workbook(
        "An end date before the start date",
        &crate::plan::PLAN_3,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.set_plan(PlanField::EndDate, Value::Date(date(2025, 12, 31)));
    out.extend(workbook(
        "A plan from 1 March to 31 December",
        &crate::tid::TID_1,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.participants.truncate(1);
    out.extend(workbook(
        "A workbook with one participant",
        &delt::DELT_1,
        book,
        &[],
    ));
    push(
        &mut out,
        &format!(
            "One more organisation registers interest in a provrum that has {} \
             (`POST /provrum/{{id}}/interest`)",
            rs.max_participants
        ),
        delt::admit_participant(rs.max_participants, rs),
    );
    let mut book = Book::valid();
    book.participants
        .push(participant("Vinnova", KIND_MEMBER.sv, ROLE_PARTICIPANT.sv));
    book.participants.push(participant(
        "Tillväxtverket",
        KIND_MEMBER.sv,
        ROLE_PARTICIPANT.sv,
    ));
    out.extend(workbook(
        "Two regions among five participants",
        &delt::DELT_2,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.participants[1][2] = ROLE_LEADER.sv.into();
    out.extend(workbook("Two leaders", &delt::DELT_3, book, &[]));
    push(
        &mut out,
        "The kansli approves a stored provrum that has no leader",
        delt::readiness(
            &[ParticipantKind::Region, ParticipantKind::Region],
            false,
            rs,
        ),
    );
    let mut book = Book::valid();
    book.participants[0][2] = ROLE_PARTICIPANT.sv.into();
    book.participants[2][2] = ROLE_LEADER.sv.into();
    out.extend(workbook(
        "A partner as the leader",
        &delt::DELT_4,
        book,
        &[],
    ));
    push(
        &mut out,
        "A partner is chosen as the leader (`PUT /provrum/{id}/leader`)",
        delt::leader_allowed("RISE", ParticipantKind::Partner),
    );
    let mut book = Book::valid();
    book.participants[1][1] = KIND_MEMBER.sv.into();
    out.extend(workbook(
        "One participating region",
        &delt::DELT_5,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.participants[2][1] = "Kommun".into();
    out.extend(workbook(
        "A participant of an unknown kind",
        &delt::DELT_6,
        book,
        &[],
    ));
    // The stored provrum the valid workbook belongs to: its title, its three participants, led
    // by Region Östergötland.
    let registered: Vec<RegisteredOrg> = Book::valid()
        .participants
        .iter()
        .map(|p| RegisteredOrg {
            id: p[0].to_lowercase().replace(' ', "-"),
            name: p[0].clone(),
        })
        .collect();
    let leader = registered[0].id.clone();
    let owner = |orgs| Registered {
        title: "Digitala vårdmöten",
        orgs,
        leader: Some(&leader),
    };
    let mut joined = registered.clone();
    joined.push(RegisteredOrg {
        id: "region-uppsala".into(),
        name: "Region Uppsala".into(),
    });
    out.extend(stored(
        "An upload to a stored provrum that Region Uppsala has joined since the plan was written",
        &delt::DELT_7,
        Book::valid(),
        owner(&joined),
    ));
    out.extend(stored(
        "An upload to a stored provrum that RISE does not take part in",
        &delt::DELT_8,
        Book::valid(),
        owner(&registered[..2]),
    ));
    let mut book = Book::valid();
    book.participants[0][2] = ROLE_PARTICIPANT.sv.into();
    book.participants[1][2] = ROLE_LEADER.sv.into();
    out.extend(stored(
        "A workbook naming Region Skåne as the leader of a provrum Region Östergötland leads",
        &delt::DELT_8,
        book,
        owner(&registered),
    ));
    let mut book = Book::valid();
    book.set_plan(PlanField::Name, text("Drönare i regional planering"));
    out.extend(stored(
        "A workbook whose plan names another provrum",
        &crate::plan::PLAN_4,
        book,
        owner(&registered),
    ));
    let mut book = Book::valid();
    book.budget.clear();
    out.extend(workbook(
        "A Budget sheet without lines",
        &bud::BUD_1,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget[3].2 = text("12.500");
    out.extend(workbook("The amount `12.500`", &bud::BUD_2, book, &[]));
    let mut book = Book::valid();
    book.budget[3].1 = "Fika".into();
    out.extend(workbook("The category `Fika`", &bud::BUD_3, book, &[]));
    let over = rs.base_funding_max.saturating_add(Ore::kr(20_000));
    let mut book = Book::valid();
    // Base funding: the expert line and the 10 000 kr workshop.
    book.budget[0].2 = amount(over.saturating_sub(Ore::kr(10_000)));
    book.budget[2].2 = amount(over.saturating_add(over));
    out.extend(workbook(
        &format!("Base funding of {over}"),
        &bud::BUD_4,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget[2].2 = amount(Ore::kr(10_000));
    out.extend(workbook(
        "Base funding of 50 000 kr in a budget of 80 000 kr",
        &bud::BUD_5,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget[2].3 = FUNDER_REGLAB.sv.into();
    book.budget[0].2 = amount(Ore::kr(10_000));
    out.extend(workbook(
        "Base funding for the project leader's time",
        &bud::BUD_6,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget[0].1 = Category::MaterialOchAnalys.name().sv;
    out.extend(workbook(
        "A budget without expert support",
        &bud::BUD_7,
        book,
        &[],
    ));
    let mut book = Book::valid();
    book.budget[3].3 = "Vinnova".into();
    out.extend(workbook(
        "A funder that does not take part",
        &bud::BUD_8,
        book,
        &[],
    ));

    let year = 2025;
    push(
        &mut out,
        &format!(
            "The kansli approves a start in {year}, when {} provrum have started that year",
            rs.provrum_per_year
        ),
        Err(vec![kvot::kvot_1(year, rs.provrum_per_year, rs)]),
    );
    let granted = rs.yearly_cap.mul_ratio(3, 4);
    let requested = rs.yearly_cap.mul_ratio(1, 2).min(rs.base_funding_max);
    let used = QuotaYear {
        year,
        started: 0,
        base_funding: granted,
    };
    push(
        &mut out,
        &format!(
            "The kansli approves a start asking {requested} of base funding in {year}, when \
             {granted} is already granted"
        ),
        kvot::admit(&used, requested, rs),
    );
    push(
        &mut out,
        "A partner proposes a provrum",
        process::may_propose(Membership::Partner),
    );
    push(
        &mut out,
        "The kansli proposes a provrum",
        process::may_propose(Membership::Kansli),
    );
    push(
        &mut out,
        "A member approves a start",
        process::may_approve(Membership::Member, Status::Proposed),
    );
    push(
        &mut out,
        "The kansli approves a provrum that is already running",
        process::may_approve(Membership::Kansli, Status::Running),
    );
    let granted = rs.base_funding_max.mul_ratio(4, 5);
    let revision = |errors: u32, base: Ore, start: NaiveDate| crate::provrum::BudgetSummary {
        version: 3,
        sha256: String::new(),
        file_name: None,
        size: 0,
        uploaded_by: String::new(),
        uploaded_at: chrono::DateTime::UNIX_EPOCH,
        verdict: if errors == 0 {
            crate::Verdict::Ok
        } else {
            crate::Verdict::Errors
        },
        errors,
        warnings: 0,
        start: Some(start),
        end: None,
        total_budget_ore: base.saturating_add(base),
        base_funding_ore: base,
        blocking: Vec::new(),
        revision: false,
    };
    push(
        &mut out,
        "After the go-ahead on version 2, the leader uploads version 3 with one error",
        process::may_revise(
            Some(2),
            granted,
            Some(2025),
            &revision(1, granted, date(2025, 3, 1)),
        ),
    );
    let more = granted.saturating_add(Ore::kr(40_000));
    push(
        &mut out,
        &format!("After a go-ahead granting {granted}, a revision asking for {more}"),
        process::may_revise(
            Some(2),
            granted,
            Some(2025),
            &revision(0, more, date(2025, 3, 1)),
        ),
    );
    push(
        &mut out,
        "After a go-ahead on the quota of 2025, a revision starting in January 2026",
        process::may_revise(
            Some(2),
            granted,
            Some(2025),
            &revision(0, granted, date(2026, 1, 15)),
        ),
    );
    if let Some(finding) =
        res::result_overdue(Status::Running, Some(date(2025, 8, 31)), date(2025, 9, 30))
    {
        out.push(Example {
            situation: "A running provrum that ended on 31 August, on 30 September".into(),
            finding,
        });
    }
    out
}

/// `docs/rules.md`: every rule of the catalogue with its severity, what it checks, the model's
/// sentence and its messages in both languages (from `examples`), then the rule set's numbers and
/// the compliance result.
pub fn markdown(rs: &RuleSet, examples: &[Example]) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut md, rs, examples);
    md
}

fn write_markdown(md: &mut String, rs: &RuleSet, examples: &[Example]) -> std::fmt::Result {
    writeln!(md, "# The rules")?;
    writeln!(md)?;
    writeln!(
        md,
        "<!-- Written by `provrum rules` from the rules crate (shared/rules); do not edit. \
         Regenerate with: {REGENERATE} -->"
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "Every check provrum makes, with the rule set **{}**. A finding names its rule, its \
         severity, the cell at fault where there is one, and the sentence of Reglab's model it \
         enforces. An *error* is a rule the model states with *måste*, *ska* or *max*; a \
         *warning* one it states with *bör*. Messages are Swedish, or English on request \
         (`--lang en`, `Accept-Language: en`); the messages below are what the rule's own check \
         says in the example situation, so names, cells and amounts in them are the example's.",
        rs.id
    )?;
    writeln!(md)?;
    writeln!(
        md,
        "FORM, PLAN, TID, DELT and BUD are checked in every workbook (`provrum check`, \
         `POST /check`, a budget upload); DELT-1, DELT-3, DELT-4 and DELT-5 also guard a stored \
         provrum, and KVOT, PROC and RES need the state of every provrum, which the API has."
    )?;
    writeln!(md)?;
    writeln!(md, "| Rule | Title | Severity | Checks |")?;
    writeln!(md, "|---|---|---|---|")?;
    for rule in CATALOGUE {
        writeln!(
            md,
            "| [{id}](#{anchor}) | {} ({}) | {} | {} |",
            rule.title.sv,
            rule.title.en,
            severity(rule.severity),
            cell(&checks(rule, rs).unwrap_or_default()),
            id = rule.id,
            anchor = rule.id.to_lowercase(),
        )?;
    }
    writeln!(md)?;
    for rule in CATALOGUE {
        writeln!(md, "## {}", rule.id)?;
        writeln!(md)?;
        writeln!(md, "*{}* ({})", rule.title.sv, rule.title.en)?;
        writeln!(md)?;
        writeln!(
            md,
            "**{}.** {}",
            capitalise(severity(rule.severity)),
            checks(rule, rs).unwrap_or_default()
        )?;
        writeln!(md)?;
        match rule.source {
            Some(sentence) => writeln!(md, "The model: *{sentence}*")?,
            None => writeln!(
                md,
                "No sentence of the model states this rule: it is the software's own, so that the \
                 other rules read what the workbook means."
            )?,
        }
        writeln!(md)?;
        let mine: Vec<&Example> = examples
            .iter()
            .filter(|e| e.finding.rule == rule.id)
            .collect();
        if mine.is_empty() {
            writeln!(md, "(No example.)")?;
            writeln!(md)?;
        }
        for example in mine {
            let place = example
                .finding
                .location
                .as_ref()
                .map(|l| format!(" — at `{}`", l.reference()))
                .unwrap_or_default();
            writeln!(md, "Example: {}{place}", example.situation)?;
            writeln!(md)?;
            for lang in [Lang::Sv, Lang::En] {
                writeln!(
                    md,
                    "- {}: {}",
                    lang.code(),
                    example.finding.text.get(lang).replace('\n', " ")
                )?;
            }
            writeln!(md)?;
        }
    }
    write_ruleset(md, rs)?;
    write_compliance(md, rs)
}

/// The rule set's numbers, one row per field of [`RuleSet`].
fn write_ruleset(md: &mut String, rs: &RuleSet) -> std::fmt::Result {
    writeln!(md, "## The rule set's numbers")?;
    writeln!(md)?;
    writeln!(
        md,
        "A rule set is one value (`RuleSet`, JSON with these field names); a re-evaluated model \
         is a new rule set, not new code. The numbers of **{}**:",
        rs.id
    )?;
    writeln!(md)?;
    writeln!(md, "| Field | Value | Used by | The model |")?;
    writeln!(md, "|---|---|---|---|")?;
    for row in ruleset_rows(rs) {
        writeln!(
            md,
            "| `{}` | {} | {} | {} |",
            row.field,
            row.value,
            row.rules,
            row.phrase.map(|p| format!("*{p}*")).unwrap_or_default()
        )?;
    }
    writeln!(md)?;
    Ok(())
}

struct RulesetRow {
    field: &'static str,
    value: String,
    rules: &'static str,
    phrase: Option<&'static str>,
}

/// One row per field of the rule set, in its order.
fn ruleset_rows(rs: &RuleSet) -> Vec<RulesetRow> {
    let row = |field, value: String, rules, phrase| RulesetRow {
        field,
        value,
        rules,
        phrase,
    };
    vec![
        row("id", format!("`{}`", rs.id), "every result", None),
        row(
            "min_participants",
            rs.min_participants.to_string(),
            "DELT-1",
            Some("måste ha minst två, och maximalt sex, deltagande organisationer"),
        ),
        row(
            "max_participants",
            rs.max_participants.to_string(),
            "DELT-1",
            Some("måste ha minst två, och maximalt sex, deltagande organisationer"),
        ),
        row(
            "min_region_share",
            share(rs.min_region_share),
            "DELT-2",
            Some("Minst hälften bör vara regioner"),
        ),
        row(
            "regions_to_start",
            rs.regions_to_start.to_string(),
            "DELT-5",
            Some("en ledare och minst två deltagande regioner, är det redo att köra igång"),
        ),
        row(
            "min_months",
            rs.min_months.to_string(),
            "TID-1",
            Some("Tidplanen för ett provrum bör vara 2-6 månader"),
        ),
        row(
            "max_months",
            rs.max_months.to_string(),
            "TID-1",
            Some("Tidplanen för ett provrum bör vara 2-6 månader"),
        ),
        row(
            "provrum_per_year",
            rs.provrum_per_year.to_string(),
            "KVOT-1",
            Some("Reglab kan genomföra två provrum/år"),
        ),
        row(
            "base_funding_max",
            rs.base_funding_max.to_string(),
            "BUD-4",
            Some("basfinansiering på max 100 000 kr"),
        ),
        row(
            "base_funding_max_share",
            share(rs.base_funding_max_share),
            "BUD-5",
            Some("Basfinansieringen ska inte utgöra mer än hälften av den planerade budgeten"),
        ),
        row(
            "yearly_cap",
            rs.yearly_cap.to_string(),
            "KVOT-2",
            Some("tillägg till kanslibudgeten på maximalt 200 000 kr/år"),
        ),
        row(
            "reference_cost_per_member",
            rs.reference_cost_per_member.to_string(),
            "the yearly report",
            Some("8 700 kr/organisation och år"),
        ),
        row(
            "development_phase",
            format!("{}–{}", rs.development_phase.0, rs.development_phase.1),
            "the yearly report",
            Some("De första två åren 2023-24 är en utvecklingsfas"),
        ),
    ]
}

/// The compliance result's shape, shown with a checked example workbook.
fn write_compliance(md: &mut String, rs: &RuleSet) -> std::fmt::Result {
    writeln!(md, "## The compliance result")?;
    writeln!(md)?;
    writeln!(
        md,
        "`provrum check --format json`, `POST /check` and a budget upload answer with the \
         compliance result in the request's language: the verdict (`ok` without findings, \
         `warnings` with warnings only, `errors` otherwise), the rule set, the workbook's numbers \
         (amounts in integer öre) and the findings, each with its rule, severity, message, \
         location (the sheet, and the cell when one cell is at fault) and the model's sentence \
         (`source`, absent for rules no sentence states). For a budget whose base funding \
         breaks BUD-5 and which has no expert support, in English:"
    )?;
    writeln!(md)?;
    let mut book = Book::valid();
    book.budget[2].2 = amount(Ore::kr(10_000));
    book.budget[0].1 = Category::MaterialOchAnalys.name().sv;
    let compliance = crate::check_workbook(book.build(), Context::stateless(rs))
        .report
        .render(Lang::En);
    let json = serde_json::to_string_pretty(&compliance).unwrap_or_default();
    writeln!(md, "```json")?;
    writeln!(md, "{json}")?;
    writeln!(md, "```")
}

fn push(out: &mut Vec<Example>, situation: &str, result: Result<(), Vec<Finding>>) {
    if let Err(findings) = result {
        out.extend(findings.into_iter().map(|finding| Example {
            situation: situation.to_string(),
            finding,
        }));
    }
}

fn severity(s: Severity) -> &'static str {
    match s {
        Severity::Error => "error",
        Severity::Warning => "warning",
    }
}

fn capitalise(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}

/// "1/2" as "half", other shares as the fraction.
fn share(s: Share) -> String {
    if s.num * 2 == s.den {
        "half".into()
    } else {
        format!("{}/{}", s.num, s.den)
    }
}

/// `*a*, *b* and *c*`.
fn list<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    joined(items, "and")
}

/// `*a*, *b* or *c*`.
fn one_of<S: AsRef<str>>(items: impl IntoIterator<Item = S>) -> String {
    joined(items, "or")
}

fn joined<S: AsRef<str>>(items: impl IntoIterator<Item = S>, last_word: &str) -> String {
    let items: Vec<String> = items
        .into_iter()
        .map(|s| format!("*{}*", s.as_ref()))
        .collect();
    match items.split_last() {
        None => String::new(),
        Some((last, [])) => last.clone(),
        Some((last, rest)) => format!("{} {last_word} {last}", rest.join(", ")),
    }
}

/// Text for one cell of a Markdown table.
/// Text made safe for one cell of a Markdown table (the API reference uses it too).
pub fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap_or_default()
}

fn text(s: &str) -> Value {
    Value::Text(Arc::from(s))
}

fn amount(ore: Ore) -> Value {
    Value::Number(ore.ore() as f64 / 100.0)
}

fn participant(org: &str, kind: &str, role: &str) -> [String; 3] {
    [org.into(), kind.into(), role.into()]
}

/// A workbook of the template, valid until an example changes it.
struct Book {
    sheets: Vec<SheetKind>,
    plan: Vec<(PlanField, Value)>,
    /// Organisation, kind, role.
    participants: Vec<[String; 3]>,
    budget_columns: Vec<Column>,
    /// Item, category, amount, funder.
    budget: Vec<(String, String, Value, String)>,
}

impl Book {
    /// Region Östergötland leads Region Skåne and RISE, 1 March to 31 August 2025, on a budget of
    /// 120 000 kr of which 50 000 kr is base funding.
    fn valid() -> Book {
        let plan = PlanField::ALL
            .iter()
            .map(|&field| {
                let value = match field {
                    PlanField::StartDate => Value::Date(date(2025, 3, 1)),
                    PlanField::EndDate => Value::Date(date(2025, 8, 31)),
                    PlanField::Name => text("Digitala vårdmöten"),
                    other => text(&format!("{} …", other.label().sv)),
                };
                (field, value)
            })
            .collect();
        let reglab = FUNDER_REGLAB.sv.to_string();
        Book {
            sheets: SheetKind::ALL.to_vec(),
            plan,
            participants: vec![
                participant("Region Östergötland", KIND_REGION.sv, ROLE_LEADER.sv),
                participant("Region Skåne", KIND_REGION.sv, ROLE_PARTICIPANT.sv),
                participant("RISE", KIND_PARTNER.sv, ROLE_PARTICIPANT.sv),
            ],
            budget_columns: SheetKind::Budget.columns().to_vec(),
            budget: vec![
                (
                    "Extern expert".into(),
                    Category::Expertstod.name().sv,
                    amount(Ore::kr(40_000)),
                    reglab.clone(),
                ),
                (
                    "Workshop".into(),
                    Category::MotenOchLokaler.name().sv,
                    amount(Ore::kr(10_000)),
                    reglab,
                ),
                (
                    "Projektledning".into(),
                    Category::Arbetstid.name().sv,
                    amount(Ore::kr(50_000)),
                    "Region Östergötland".into(),
                ),
                (
                    "Resor".into(),
                    Category::Resor.name().sv,
                    amount(Ore::kr(20_000)),
                    "Region Skåne".into(),
                ),
            ],
        }
    }

    fn set_plan(&mut self, field: PlanField, value: Value) {
        for (f, v) in &mut self.plan {
            if *f == field {
                *v = value.clone();
            }
        }
    }

    fn build(self) -> Workbook {
        let cell = |row: u32, col: u32, value: Value| Cell { row, col, value };
        let mut sheets = Vec::new();
        for kind in &self.sheets {
            let cells: Vec<Cell> = match kind {
                SheetKind::Plan => self
                    .plan
                    .iter()
                    .enumerate()
                    .flat_map(|(row, (field, value))| {
                        [
                            cell(row as u32, 0, text(field.label().sv)),
                            cell(row as u32, 1, value.clone()),
                        ]
                    })
                    .collect(),
                SheetKind::Participants => {
                    let header = [Column::Organisation, Column::Kind, Column::Role]
                        .iter()
                        .enumerate()
                        .map(|(col, c)| cell(0, col as u32, text(c.header().sv)));
                    let rows = self.participants.iter().enumerate().flat_map(|(row, p)| {
                        p.iter()
                            .enumerate()
                            .map(move |(col, v)| cell(row as u32 + 1, col as u32, text(v)))
                    });
                    header.chain(rows).collect()
                }
                SheetKind::Budget => {
                    let order = [
                        Column::Item,
                        Column::Category,
                        Column::Amount,
                        Column::Funder,
                    ];
                    let header = order
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| self.budget_columns.contains(c))
                        .map(|(col, c)| cell(0, col as u32, text(c.header().sv)));
                    let rows = self.budget.iter().enumerate().flat_map(
                        |(row, (item, category, amount, funder))| {
                            let row = row as u32 + 1;
                            [
                                cell(row, 0, text(item)),
                                cell(row, 1, text(category)),
                                cell(row, 2, amount.clone()),
                                cell(row, 3, text(funder)),
                            ]
                        },
                    );
                    header.chain(rows).collect()
                }
            };
            sheets.push(Sheet::new(kind.name().sv, cells));
        }
        Workbook { sheets }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rule_says_what_it_checks() {
        let rs = RuleSet::provrum_2023();
        for rule in CATALOGUE {
            let text = checks(rule, &rs).unwrap_or_default();
            assert!(text.ends_with('.'), "{}: {text:?}", rule.id);
        }
    }

    #[test]
    fn every_rule_but_form_1_has_an_example_from_its_own_check() {
        let rs = RuleSet::provrum_2023();
        let examples = examples(&rs);
        for rule in CATALOGUE.iter().filter(|r| r.id != "FORM-1") {
            assert!(
                examples.iter().any(|e| e.finding.rule == rule.id),
                "{} has no example: its situation no longer breaks it",
                rule.id
            );
        }
        // The valid book is valid: an example's finding comes from what the example changed.
        let clean = crate::check_workbook(Book::valid().build(), Context::stateless(&rs));
        assert!(
            clean.report.findings.is_empty(),
            "{:?}",
            clean.report.findings
        );
        for e in &examples {
            assert!(!e.finding.text.sv.is_empty() && !e.finding.text.en.is_empty());
        }
    }

    #[test]
    fn the_markdown_has_every_rule_its_numbers_and_both_languages() {
        let rs = RuleSet::provrum_2023();
        let md = markdown(&rs, &examples(&rs));
        for rule in CATALOGUE {
            assert!(md.contains(&format!("\n## {}\n", rule.id)), "{}", rule.id);
            if let Some(sentence) = rule.source {
                assert!(md.contains(sentence), "{}", rule.id);
            }
        }
        let bud_4 = examples(&rs)
            .into_iter()
            .find(|e| e.finding.rule == "BUD-4")
            .map(|e| e.finding.text)
            .unwrap_or_else(|| crate::lang::Text::new("", ""));
        assert!(bud_4.en.contains("120 000 kr"), "{}", bud_4.en);
        assert!(md.contains(&format!("- sv: {}\n- en: {}\n", bud_4.sv, bud_4.en)));
        assert!(md.contains("| `yearly_cap` | 200 000 kr | KVOT-2 |"));
        assert!(
            md.contains("(No example.)"),
            "FORM-1 without the reader's examples"
        );
    }

    #[test]
    fn every_field_of_the_rule_set_has_a_row() {
        let rs = RuleSet::provrum_2023();
        let json = serde_json::to_value(&rs).unwrap_or_default();
        let fields: Vec<&str> = json
            .as_object()
            .map(|o| o.keys().map(String::as_str).collect())
            .unwrap_or_default();
        let rows: Vec<&str> = ruleset_rows(&rs).iter().map(|r| r.field).collect();
        let mut sorted_rows = rows.clone();
        sorted_rows.sort_unstable();
        let mut sorted_fields = fields.clone();
        sorted_fields.sort_unstable();
        assert_eq!(sorted_rows, sorted_fields);
    }
}
