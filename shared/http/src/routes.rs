//! A function's routes, listed once for both of their uses.
//!
//! The OpenAPI document is made from `utoipa_axum` routers, whose `routes!` builds every
//! operation and schema of a handler as it registers it. A function serving requests needs only
//! the handlers on their paths and methods: on provrum-api that description work was over a
//! millisecond of every cold start. [`function_routes!`] takes one list of handler groups and
//! makes two functions of it: the documented router, and the same handlers on the same paths and
//! methods as a plain router.

/// `function_routes! { docs_fn, serve_fn: [a], [b, c], … }`: `docs_fn()` is the
/// [`OpenApiRouter`](utoipa_axum::router::OpenApiRouter) the OpenAPI document is made from, each
/// group one `.routes(routes!(…))` (handlers of one path together); `serve_fn()` is the plain
/// router a function serves, each handler on the path and methods its `#[utoipa::path]` states,
/// without building the description.
#[macro_export]
macro_rules! function_routes {
    (
        $(#[$docs_meta:meta])* $docs:ident,
        $(#[$serve_meta:meta])* $serve:ident:
        $( [ $( $( $handler:ident )::+ ),+ $(,)? ] ),+ $(,)?
    ) => {
        $(#[$docs_meta])*
        pub fn $docs() -> ::utoipa_axum::router::OpenApiRouter<$crate::AppState> {
            ::utoipa_axum::router::OpenApiRouter::new()
                $( .routes(::utoipa_axum::routes!( $( $( $handler )::+ ),+ )) )+
        }

        $(#[$serve_meta])*
        pub fn $serve() -> ::axum::Router<$crate::AppState> {
            #[allow(unused_imports)]
            use ::utoipa_axum::PathItemExt as _;
            let mut router = ::axum::Router::new();
            $(
                // One method router per group, on each path of the group, as `routes!` does.
                let mut paths: ::std::vec::Vec<::std::string::String> = ::std::vec::Vec::new();
                let mut methods = ::axum::routing::MethodRouter::<$crate::AppState>::new();
                $(
                    let path = ::utoipa_axum::routes!(@path [path()] of $( $handler )::+);
                    if !paths.contains(&path) {
                        paths.push(path);
                    }
                    for method in ::utoipa_axum::routes!(@path [methods()] of $( $handler )::+) {
                        methods = methods.on(method.to_method_filter(), $( $handler )::+);
                    }
                )+
                for path in &paths {
                    router = router.route(path, methods.clone());
                }
            )+
            router
        }
    };
}
