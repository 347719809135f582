//! The ids in a route's path, parsed where they come in: a handler gets a [`ProvrumId`],
//! [`OrgId`] or [`TokenId`], never the raw text. A text that cannot be an id names nothing, so it
//! is answered as what it is — 404, in the request's language — before any store is asked. Each
//! extractor also describes its parameter (with the id's pattern) in the OpenAPI document.

use crate::ApiError;
use crate::openapi::parameter;
use axum::extract::{FromRequestParts, Path};
use axum::http::request::Parts;
use provrum_rules::{IdError, OrgId, ProvrumId, TokenId};
use utoipa::openapi::path::{Parameter, ParameterIn};
use utoipa::{IntoParams, PartialSchema};

/// The one parameter of a path, as text (a path whose parameter is not text was not routed).
async fn text<S: Send + Sync>(parts: &mut Parts, state: &S) -> Result<String, ApiError> {
    Path::<String>::from_request_parts(parts, state)
        .await
        .map(|Path(text)| text)
        .map_err(|_| ApiError::no_such_path())
}

fn not_found(e: IdError) -> ApiError {
    ApiError::not_found(e.0)
}

macro_rules! path_id {
    ($(#[$doc:meta])* $name:ident($id:ty), $param:literal, $description:literal, $parse:expr) => {
        $(#[$doc])*
        pub struct $name(pub $id);

        impl<S: Send + Sync> FromRequestParts<S> for $name {
            type Rejection = ApiError;

            async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<$name, ApiError> {
                let text = text(parts, state).await?;
                $parse(&text).map($name)
            }
        }

        impl IntoParams for $name {
            fn into_params(_: impl Fn() -> Option<ParameterIn>) -> Vec<Parameter> {
                // The id's schema carries its pattern.
                vec![parameter($param, ParameterIn::Path, true, $description, <$id>::schema())]
            }
        }
    };
}

path_id!(
    /// `{id}` in `/provrum/{id}/…`.
    ProvrumPath(ProvrumId), "id", "The provrum's id",
    |text: &str| ProvrumId::parse(text).map_err(not_found)
);

path_id!(
    /// `{id}` in `/tokens/{id}`: the token's id, not its secret.
    TokenPath(TokenId), "id", "The token's id (not its secret)",
    |text: &str| TokenId::parse(text).map_err(not_found)
);

path_id!(
    /// `{org}` in `/orgs/{org}/…`.
    OrgPath(OrgId), "org", "The organisation's id",
    |text: &str| OrgId::parse(text)
        .map_err(|_| ApiError::not_found(provrum_rules::process::org_not_found(text)))
);
