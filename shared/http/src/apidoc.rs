//! The HTTP reference as a reader sees it: `docs/api.md`, written by `provrum api-docs` from the
//! OpenAPI document every deployment serves at `GET /openapi.json` (derived from the routes and
//! the answer types: `provrum_api::openapi`, built from [`crate::openapi`]'s parts).
//!
//! A pure rendering of that document: each route with its method, path, summary, whether it
//! needs a token, its parameters, request body and responses, then every schema with its fields.

use serde_json::{Map, Value};
use std::fmt::Write as _;

/// The command that writes `docs/api.md`.
pub const REGENERATE: &str = "cargo run -p provrum -- api-docs > docs/api.md";

const METHODS: [&str; 5] = ["get", "post", "put", "patch", "delete"];
const SCHEMAS: &str = "#/components/schemas/";

/// `docs/api.md` for an OpenAPI 3.1 document.
pub fn markdown(doc: &Value) -> String {
    let mut md = String::new();
    // Writing to a String cannot fail.
    let _ = write_markdown(&mut md, doc);
    md
}

fn write_markdown(md: &mut String, doc: &Value) -> std::fmt::Result {
    let info = &doc["info"];
    writeln!(md, "# The HTTP API")?;
    writeln!(md)?;
    writeln!(
        md,
        "<!-- Written by `provrum api-docs` from the OpenAPI document served at GET /openapi.json, \
         which is derived from the routes and answer types; do not edit. Regenerate with: \
         {REGENERATE} -->"
    )?;
    writeln!(md)?;
    if let Some(description) = info["description"].as_str() {
        writeln!(md, "{description}")?;
        writeln!(md)?;
    }
    writeln!(
        md,
        "{} {}, OpenAPI {}. The document itself is served at `GET /openapi.json`; it is derived \
         from the routers and the answer types, so every route below is served and every answer \
         has the shape shown.",
        str_of(&info["title"]),
        str_of(&info["version"]),
        str_of(&doc["openapi"])
    )?;
    writeln!(md)?;
    if let Some(servers) = doc["servers"].as_array() {
        for server in servers {
            writeln!(
                md,
                "- Server: `{}` ({})",
                str_of(&server["url"]),
                str_of(&server["description"])
            )?;
        }
        writeln!(md)?;
    }
    writeln!(
        md,
        "**Tokens.** A route marked *bearer token* needs `Authorization: Bearer <token>`; the \
         token decides the caller's organisation and so its role (member, partner or kansli). The \
         kansli creates tokens (`POST /orgs/{{org}}/tokens`, or `provrum token create` on the \
         store). A route marked *none* is open."
    )?;
    writeln!(md)?;

    let operations = operations(doc);
    writeln!(md, "## Routes")?;
    writeln!(md)?;
    writeln!(md, "| Method | Path | Summary | Token |")?;
    writeln!(md, "|---|---|---|---|")?;
    for op in &operations {
        writeln!(
            md,
            "| {} | [`{}`](#{}) | {} | {} |",
            op.method.to_uppercase(),
            op.path,
            slug(&op.heading()),
            cell(str_of(&op.value["summary"])),
            security(doc, op.value)
        )?;
    }
    writeln!(md)?;

    for op in &operations {
        write_operation(md, doc, op)?;
    }

    if let Some(schemas) = doc["components"]["schemas"].as_object() {
        writeln!(md, "## Schemas")?;
        writeln!(md)?;
        writeln!(
            md,
            "Amounts are integer öre (1 kr = 100 öre). A field not marked required may be \
             absent."
        )?;
        writeln!(md)?;
        for (name, schema) in sorted(schemas) {
            writeln!(md, "### {name}")?;
            writeln!(md)?;
            write_schema(md, schema)?;
        }
    }
    Ok(())
}

struct Operation<'a> {
    method: &'a str,
    path: &'a str,
    value: &'a Value,
}

impl Operation<'_> {
    fn heading(&self) -> String {
        format!("{} {}", self.method.to_uppercase(), self.path)
    }
}

/// Every operation, by path, methods in `METHODS`' order.
fn operations(doc: &Value) -> Vec<Operation<'_>> {
    let mut out = Vec::new();
    if let Some(paths) = doc["paths"].as_object() {
        for (path, item) in sorted(paths) {
            for method in METHODS {
                if let Some(value) = item.get(method) {
                    out.push(Operation {
                        method,
                        path,
                        value,
                    });
                }
            }
        }
    }
    out
}

fn write_operation(md: &mut String, doc: &Value, op: &Operation<'_>) -> std::fmt::Result {
    let value = op.value;
    writeln!(md, "## {}", op.heading())?;
    writeln!(md)?;
    writeln!(md, "{}", str_of(&value["summary"]))?;
    writeln!(md)?;
    if let Some(description) = value["description"].as_str() {
        writeln!(md, "{description}")?;
        writeln!(md)?;
    }
    writeln!(
        md,
        "Token: {}. Operation id: `{}`.",
        security(doc, value),
        str_of(&value["operationId"])
    )?;
    writeln!(md)?;

    if let Some(parameters) = value["parameters"].as_array().filter(|p| !p.is_empty()) {
        writeln!(md, "| Parameter | In | Required | Type | Description |")?;
        writeln!(md, "|---|---|---|---|---|")?;
        for p in parameters {
            writeln!(
                md,
                "| `{}` | {} | {} | {} | {} |",
                str_of(&p["name"]),
                str_of(&p["in"]),
                yes_no(p["required"].as_bool().unwrap_or(false)),
                cell(&type_of(&p["schema"])),
                cell(str_of(&p["description"]))
            )?;
        }
        writeln!(md)?;
    }

    let body = &value["requestBody"];
    if let Some(content) = body["content"].as_object() {
        writeln!(
            md,
            "Request body ({}):",
            if body["required"].as_bool().unwrap_or(false) {
                "required"
            } else {
                "optional"
            }
        )?;
        writeln!(md)?;
        for (media, v) in sorted(content) {
            writeln!(md, "- `{media}`: {}", body_type(&v["schema"]))?;
        }
        writeln!(md)?;
    }

    if let Some(responses) = value["responses"].as_object() {
        writeln!(md, "| Status | Meaning | Body |")?;
        writeln!(md, "|---|---|---|")?;
        for (status, r) in sorted(responses) {
            let mut meaning = str_of(&r["description"]).to_string();
            if let Some(headers) = r["headers"].as_object() {
                for (name, h) in sorted(headers) {
                    let _ = write!(meaning, "; header `{name}`: {}", str_of(&h["description"]));
                }
            }
            let body = r["content"]
                .as_object()
                .map(|content| {
                    sorted(content)
                        .into_iter()
                        .map(|(media, v)| format!("`{media}`: {}", body_type(&v["schema"])))
                        .collect::<Vec<_>>()
                        .join("; ")
                })
                .unwrap_or_default();
            writeln!(md, "| {status} | {} | {} |", cell(&meaning), cell(&body))?;
        }
        writeln!(md)?;
    }
    Ok(())
}

/// A schema's fields as a table (nested objects by dotted names), or its type.
fn write_schema(md: &mut String, schema: &Value) -> std::fmt::Result {
    if let Some(description) = schema["description"].as_str() {
        writeln!(md, "{description}")?;
        writeln!(md)?;
    }
    let mut rows = Vec::new();
    fields(schema, "", &mut rows);
    if rows.is_empty() {
        writeln!(md, "{}", type_of(schema))?;
        writeln!(md)?;
        return Ok(());
    }
    if schema["additionalProperties"] == Value::Bool(false) {
        writeln!(md, "No other fields are accepted.")?;
        writeln!(md)?;
    }
    writeln!(md, "| Field | Type | Required | Description |")?;
    writeln!(md, "|---|---|---|---|")?;
    for row in rows {
        writeln!(
            md,
            "| `{}` | {} | {} | {} |",
            row.name,
            cell(&row.ty),
            yes_no(row.required),
            cell(&row.description)
        )?;
    }
    writeln!(md)
}

struct Field {
    name: String,
    ty: String,
    required: bool,
    description: String,
}

/// The properties of an object schema, and of the objects inside it (`a.b`, `a[].b`).
fn fields(schema: &Value, prefix: &str, rows: &mut Vec<Field>) {
    let Some(properties) = schema["properties"].as_object() else {
        return;
    };
    let required = |name: &str| {
        schema["required"]
            .as_array()
            .is_some_and(|r| r.iter().any(|v| v.as_str() == Some(name)))
    };
    for (name, property) in sorted(properties) {
        let full = format!("{prefix}{name}");
        rows.push(Field {
            name: full.clone(),
            ty: type_of(property),
            required: required(name),
            description: str_of(&property["description"]).to_string(),
        });
        // Inline objects, directly, as array items or as a variant.
        let nested = std::iter::once((property, format!("{full}.")))
            .chain(std::iter::once((&property["items"], format!("{full}[]."))))
            .chain(
                property["oneOf"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|v| (v, format!("{full}."))),
            );
        for (inner, prefix) in nested {
            fields(inner, &prefix, rows);
        }
    }
}

/// A body's schema: its type, and an inline object's fields in words (a named schema has its own
/// section).
fn body_type(schema: &Value) -> String {
    let mut rows = Vec::new();
    fields(schema, "", &mut rows);
    if rows.is_empty() {
        return type_of(schema);
    }
    let fields: Vec<String> = rows
        .iter()
        .map(|r| {
            let required = if r.required { ", required" } else { "" };
            format!("`{}` ({}{required})", r.name, r.ty)
        })
        .collect();
    format!("object with {}", fields.join(", "))
}

/// A schema in a few words: `string`, `array of [Org](#org)`, `` `sv` \| `en` ``, with its
/// constraints.
fn type_of(schema: &Value) -> String {
    let Some(object) = schema.as_object() else {
        return String::new();
    };
    if let Some(target) = object.get("$ref").and_then(Value::as_str) {
        let name = target.strip_prefix(SCHEMAS).unwrap_or(target);
        return format!("[{name}](#{})", slug(name));
    }
    if let Some(variants) = object.get("oneOf").and_then(Value::as_array) {
        return variants
            .iter()
            .map(type_of)
            .collect::<Vec<_>>()
            .join(" or ");
    }
    let mut out = if let Some(values) = object.get("enum").and_then(Value::as_array) {
        values
            .iter()
            .map(|v| match v {
                Value::Null => "null".to_string(),
                Value::String(s) => format!("`{s}`"),
                other => format!("`{other}`"),
            })
            .collect::<Vec<_>>()
            .join(" | ")
    } else {
        base_type(object)
    };
    let constraints = constraints(object);
    if !constraints.is_empty() {
        let _ = write!(out, " ({})", constraints.join(", "));
    }
    out
}

fn base_type(object: &Map<String, Value>) -> String {
    let named = |t: &str| -> String {
        match t {
            "array" => format!(
                "array of {}",
                object.get("items").map(type_of).unwrap_or_default()
            ),
            "object" if object.contains_key("properties") => "object (fields below)".into(),
            "string" => match object.get("contentMediaType").and_then(Value::as_str) {
                Some(_) => "binary".into(),
                None => "string".into(),
            },
            other => other.into(),
        }
    };
    match object.get("type") {
        Some(Value::String(t)) => named(t),
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .map(named)
            .collect::<Vec<_>>()
            .join(" or "),
        _ => "any".into(),
    }
}

fn constraints(object: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let number = |key: &str| object.get(key).filter(|v| v.is_number());
    if let Some(format) = object.get("format").and_then(Value::as_str) {
        out.push(format!("format {format}"));
    }
    if let Some(pattern) = object.get("pattern").and_then(Value::as_str) {
        out.push(format!("pattern `{pattern}`"));
    }
    match (number("minLength"), number("maxLength")) {
        (Some(min), Some(max)) => out.push(format!("{min}–{max} characters")),
        (Some(min), None) => out.push(format!("at least {min} characters")),
        (None, Some(max)) => out.push(format!("at most {max} characters")),
        (None, None) => {}
    }
    match (number("minimum"), number("maximum")) {
        (Some(min), Some(max)) => out.push(format!("{min}–{max}")),
        (Some(min), None) => out.push(format!("≥ {min}")),
        (None, Some(max)) => out.push(format!("≤ {max}")),
        (None, None) => {}
    }
    out
}

/// `bearer token` or `none`, from the operation's `security` or the document's.
fn security(doc: &Value, op: &Value) -> &'static str {
    let requirements = op.get("security").unwrap_or(&doc["security"]);
    // `[]` or `[{}]`: no scheme is needed.
    match requirements.as_array() {
        Some(list)
            if list
                .iter()
                .all(|r| r.as_object().is_some_and(|o| o.is_empty())) =>
        {
            "none"
        }
        Some(_) => "bearer token",
        None => "none",
    }
}

/// GitHub's anchor for a heading: lower case, spaces to `-`, other punctuation dropped.
fn slug(heading: &str) -> String {
    heading
        .chars()
        .filter_map(|c| match c {
            ' ' => Some('-'),
            '-' | '_' => Some(c),
            c if c.is_alphanumeric() => Some(c.to_ascii_lowercase()),
            _ => None,
        })
        .collect()
}

/// A map's entries by key, whatever order serde_json keeps (its `preserve_order` feature may be
/// on in one build and off in another): the document must come out the same from every binary.
fn sorted(map: &Map<String, Value>) -> Vec<(&String, &Value)> {
    let mut entries: Vec<(&String, &Value)> = map.iter().collect();
    entries.sort_by(|a, b| a.0.cmp(b.0));
    entries
}

fn str_of(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

fn yes_no(b: bool) -> &'static str {
    if b { "yes" } else { "" }
}

/// Text for one cell of a Markdown table.
use provrum_rules::catalogue::cell;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_read_as_words() {
        let schema: Value = serde_json::json!({
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string", "pattern": "^[a-z]+$", "maxLength": 64},
                "kind": {"type": ["string", "null"], "enum": ["region", "member", null]},
                "orgs": {"type": "array", "items": {"$ref": "#/components/schemas/Org"}},
                "latest": {"oneOf": [
                    {"type": "object", "properties": {"n": {"type": "integer", "minimum": 1}}},
                    {"type": "null"}
                ]}
            }
        });
        let mut rows = Vec::new();
        fields(&schema, "", &mut rows);
        let shown: Vec<(String, String, bool)> = rows
            .into_iter()
            .map(|r| (r.name, r.ty, r.required))
            .collect();
        let row = |n: &str, t: &str, r: bool| (n.to_string(), t.to_string(), r);
        assert_eq!(
            shown,
            vec![
                row(
                    "id",
                    "string (pattern `^[a-z]+$`, at most 64 characters)",
                    true
                ),
                row("kind", "`region` | `member` | null", false),
                row("latest", "object (fields below) or null", false),
                row("latest.n", "integer (≥ 1)", false),
                row("orgs", "array of [Org](#org)", false),
            ]
        );
    }

    #[test]
    fn slugs_are_githubs() {
        assert_eq!(slug("POST /provrum/{id}/budget"), "post-provrumidbudget");
        assert_eq!(slug("StatusRow"), "statusrow");
    }
}
