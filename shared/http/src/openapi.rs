//! The parts of the OpenAPI 3.1 document that every function shares: the problem answers, the
//! request's language, paging, workbook uploads, and the document's frame (title, servers,
//! bearer tokens). Each function describes its own routes with `#[utoipa::path]` next to the
//! handler and its answers with `#[derive(ToSchema)]` next to the type; `provrum-api` joins the
//! four into the document served at `GET /openapi.json`, and `docs/api.md` is rendered from it
//! ([`crate::apidoc`]). Nothing here is written twice: the numbers (page sizes, the upload
//! limit, the accepted file types) are the constants the code enforces.

use crate::paging::{DEFAULT_LIMIT, MAX_CURSOR, Paging};
use crate::upload::{ACCEPTED, max_upload_mb};
use crate::{RequestLang, problem::ProblemBody};
use provrum_store::MAX_PAGE;
use std::collections::BTreeMap;
use utoipa::openapi::path::{Parameter, ParameterBuilder, ParameterIn};
use utoipa::openapi::request_body::{RequestBody, RequestBodyBuilder};
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{Http, HttpAuthScheme, SecurityScheme};
use utoipa::openapi::server::ServerBuilder;
use utoipa::openapi::{
    Components, ContentBuilder, HeaderBuilder, InfoBuilder, OpenApi, RefOr, Required, Response,
    ResponseBuilder,
};
use utoipa::{IntoParams, IntoResponses, PartialSchema, ToSchema};

/// The name of the bearer-token security scheme.
pub const BEARER: &str = "bearer";

/// The document's frame around `paths` (joined from the functions' routers): title, the
/// local server, the bearer scheme every operation needs unless it says `security(())`.
pub fn frame(mut doc: OpenApi) -> OpenApi {
    doc.info = InfoBuilder::new()
        .title("provrum")
        .version(env!("CARGO_PKG_VERSION"))
        .description(Some(
            "Reglab's provrum: proposals, participants, budget checks against the model's rules, \
             approvals within the yearly quota, status and reports. Errors are \
             application/problem+json; messages are Swedish unless Accept-Language asks for \
             English; amounts are integer öre.",
        ))
        .build();
    doc.servers = Some(vec![
        ServerBuilder::new()
            .url("http://127.0.0.1:3000")
            .description(Some("provrum serve"))
            .build(),
    ]);
    let components = doc.components.get_or_insert_with(Components::new);
    // The problem answers name their schema by reference (see `problem`).
    let mut problem_parts = Vec::new();
    <ProblemBody as ToSchema>::schemas(&mut problem_parts);
    problem_parts.push((ProblemBody::name().into_owned(), ProblemBody::schema()));
    for (name, schema) in problem_parts {
        components.schemas.entry(name).or_insert(schema);
    }
    components.add_security_scheme(
        BEARER,
        SecurityScheme::Http(Http::new(HttpAuthScheme::Bearer)),
    );
    paged_answers_link_on(&mut doc);
    doc.security = Some(vec![utoipa::openapi::security::SecurityRequirement::new::<
        &str,
        [&str; 0],
        &str,
    >(BEARER, [])]);
    doc
}

/// Every operation that takes [`Paging`]'s `cursor` answers a page, with the `Link` header to
/// the next one ([`crate::paging`]): said once here rather than on each listing.
fn paged_answers_link_on(doc: &mut OpenApi) {
    let link = HeaderBuilder::new()
        .schema(Some(String::schema()))
        .description(Some(
            "`<path?cursor=…&limit=…>; rel=\"next\"` (RFC 8288) when another page follows; \
             absent on the last page.",
        ))
        .build();
    for item in doc.paths.paths.values_mut() {
        for operation in [
            &mut item.get,
            &mut item.post,
            &mut item.put,
            &mut item.delete,
        ]
        .into_iter()
        .flatten()
        {
            let paged = operation
                .parameters
                .iter()
                .flatten()
                .any(|p| matches!(p, RefOr::T(p) if p.name == "cursor"));
            if let (true, Some(RefOr::T(ok))) =
                (paged, operation.responses.responses.get_mut("200"))
            {
                ok.headers
                    .insert("Link".to_string(), RefOr::T(link.clone()));
            }
        }
    }
}

/// One problem answer (`application/problem+json`).
fn problem(description: &str) -> ResponseBuilder {
    ResponseBuilder::new().description(description).content(
        "application/problem+json",
        ContentBuilder::new()
            .schema(Some(RefOr::Ref(utoipa::openapi::Ref::from_schema_name(
                ProblemBody::name(),
            ))))
            .build(),
    )
}

fn one(status: u16, response: ResponseBuilder) -> BTreeMap<String, RefOr<Response>> {
    BTreeMap::from([(status.to_string(), RefOr::T(response.build()))])
}

/// Problem answers that a route lists in its `responses(...)`, one type per status and meaning.
macro_rules! problems {
    ($($(#[$doc:meta])* $name:ident = $status:literal, $description:expr;)*) => {$(
        $(#[$doc])*
        pub struct $name;

        impl IntoResponses for $name {
            fn responses() -> BTreeMap<String, RefOr<Response>> {
                one($status, problem(&$description))
            }
        }
    )*};
}

problems! {
    /// 400 for a body or parameter the route cannot take.
    BadRequest = 400, "Invalid body or parameter";
    /// 400 for a listing's `cursor` or `limit`.
    BadPage = 400, format!("Invalid parameter: an unknown cursor or a limit outside 1-{MAX_PAGE}");
    /// 401 without a token that is known and not revoked.
    Unauthorized = 401, "Missing, unknown or revoked token";
    /// 403 for a caller whose role may not.
    Forbidden = 403, "Valid token, not allowed (with findings where a rule refused)";
    /// 404 for an id that names nothing the caller can see.
    NotFound = 404, "No such provrum, organisation or token";
    /// 409 when the model's rules refuse (with findings) or a change conflicts.
    Conflict = 409, "Refused by the model's rules (findings) or a conflicting change";
    /// 413 for a file over the upload limit.
    TooLarge = 413, format!("The file is over {} MB", max_upload_mb());
    /// 415 for a body that is not JSON.
    NotJson = 415, "The body is not JSON (Content-Type: application/json)";
    /// 415 for an upload that is not a workbook type.
    NotWorkbook = 415, "Not a workbook type";
}

/// 503 with `Retry-After`: the store did not answer in time.
pub struct Unavailable;

impl IntoResponses for Unavailable {
    fn responses() -> BTreeMap<String, RefOr<Response>> {
        let retry = HeaderBuilder::new()
            .schema(Some(
                ObjectBuilder::new()
                    .schema_type(Type::Integer)
                    .minimum(Some(1))
                    .build(),
            ))
            .description(Some("Seconds to wait before trying again"))
            .build();
        one(
            503,
            problem("Storage did not answer; a change was saved whole or not at all")
                .header("Retry-After", retry),
        )
    }
}

/// One parameter of an operation: `name` in `at`, described, with its schema.
pub(crate) fn parameter(
    name: &str,
    at: ParameterIn,
    required: bool,
    description: &str,
    schema: impl Into<RefOr<Schema>>,
) -> Parameter {
    ParameterBuilder::new()
        .name(name)
        .parameter_in(at)
        .required(if required {
            Required::True
        } else {
            Required::False
        })
        .description(Some(description))
        .schema(Some(schema))
        .build()
}

/// What [`Paging`] reads from the query.
impl IntoParams for Paging {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        let cursor = ObjectBuilder::new()
            .schema_type(Type::String)
            .min_length(Some(1))
            .max_length(Some(MAX_CURSOR));
        let limit = ObjectBuilder::new()
            .schema_type(Type::Integer)
            .minimum(Some(1))
            .maximum(Some(MAX_PAGE))
            .default(Some(DEFAULT_LIMIT.into()));
        vec![
            parameter(
                "cursor",
                ParameterIn::Query,
                false,
                "Where the listing continues: copy it from the previous page's `Link` header \
                 (`<path?cursor=…&limit=…>; rel=\"next\"`, RFC 8288, absent on the last page); \
                 opaque. Omit it for the first page.",
                cursor,
            ),
            parameter(
                "limit",
                ParameterIn::Query,
                false,
                &format!("Items per page, 1-{MAX_PAGE}; {DEFAULT_LIMIT} unless given."),
                limit,
            ),
        ]
    }
}

/// The `Accept-Language` header [`RequestLang`] reads.
impl IntoParams for RequestLang {
    fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
        vec![parameter(
            "Accept-Language",
            ParameterIn::Header,
            false,
            "`en` for English messages; Swedish otherwise",
            String::schema(),
        )]
    }
}

/// A file in a body, as OpenAPI 3.1 says it.
pub fn binary() -> Schema {
    ObjectBuilder::new()
        .schema_type(Type::String)
        .content_media_type("application/octet-stream")
        .build()
        .into()
}

/// The body an upload route takes ([`crate::Upload`]): the raw workbook in one of the accepted
/// types, or `multipart/form-data` with a part named `file`.
pub fn upload_body() -> RequestBody {
    // Not required: an empty body is read as an empty file, which the check reports (FORM-1).
    let mut body = RequestBodyBuilder::new()
        .required(Some(Required::False))
        .description(Some(format!(
            "The workbook (.xlsx, .xlsm, .xls or .ods), at most {} MB. An empty body is checked \
             as an empty file (FORM-1).",
            max_upload_mb()
        )));
    for accepted in ACCEPTED {
        body = body.content(
            accepted,
            ContentBuilder::new().schema(Some(binary())).build(),
        );
    }
    let form = ObjectBuilder::new()
        .property("file", binary())
        .required("file")
        .additional_properties(Some(
            utoipa::openapi::schema::AdditionalProperties::FreeForm(false),
        ))
        .build();
    body.content(
        "multipart/form-data",
        ContentBuilder::new().schema(Some(form)).build(),
    )
    .build()
}

/// Sets the request body of the upload operation `POST path` in `doc` to [`upload_body`] (a body
/// of several types that `#[utoipa::path]` cannot take from one Rust type).
pub fn takes_upload(doc: &mut OpenApi, path: &str) {
    if let Some(operation) = doc
        .paths
        .paths
        .get_mut(path)
        .and_then(|item| item.post.as_mut())
    {
        operation.request_body = Some(RefOr::T(upload_body()));
    }
}

/// A file as an answer's body (the template).
pub struct Binary;

impl PartialSchema for Binary {
    fn schema() -> RefOr<Schema> {
        binary().into()
    }
}

impl ToSchema for Binary {}
