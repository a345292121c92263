//! The Open311 GeoReport v2 paths as the OpenAPI document describes them. The interface is
//! served by one catch-all route ([`super::dispatch`]) so that clients' odd paths reach it;
//! these functions carry its description only and are never routed. The authorisation test
//! requests every path described, so a path described here and not served fails it.
//!
//! Answers are GeoReport v2 documents, not problem documents: JSON lists as top-level arrays,
//! XML with the spec's elements; errors `[{"code": 404, "description": "…"}]` or
//! `<errors><error>…</error></errors>`. See `docs/open311.md`.

use utoipa::OpenApi;

/// The paths of the interface, for the API document.
#[derive(OpenApi)]
#[openapi(paths(
    open311_discovery,
    open311_services,
    open311_service_definition,
    open311_requests,
    open311_submit,
    open311_request,
    open311_token
))]
#[derive(Debug)]
pub struct Open311Doc;

/// The discovery document: the endpoint, its formats and how to get a key.
#[utoipa::path(get, path = "/open311/v2/discovery.{format}", tag = "open311",
    params(("format" = String, Path, description = "`json` or `xml`")),
    responses((status = 200, description = "The discovery document")))]
pub async fn open311_discovery() {}

/// Every service: one per pollution type.
#[utoipa::path(get, path = "/open311/v2/services.{format}", tag = "open311",
    params(("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query, description = "Empty is absent; another than ours is 404")),
    responses((status = 200, description = "A list of `service`"),
        (status = 404, description = "Unknown jurisdiction")))]
pub async fn open311_services() {}

/// A service's definition: the `sub_type` list (required where the type has sub-types) and
/// the optional `region` (a six-digit county code). `service/{service_code}` is served too.
#[utoipa::path(get, path = "/open311/v2/services/{service_code}.{format}", tag = "open311",
    params(("service_code" = String, Path, description = "A pollution type code, e.g. `noise`"),
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query)),
    responses((status = 200, description = "A `service_definition`"),
        (status = 404, description = "Unknown service or jurisdiction")))]
pub async fn open311_service_definition() {}

/// Requests (our reports), newest first: `service_request_id` (comma list, overrides the
/// rest), `service_code` (comma list), `start_date`, `end_date` (at most 90 days apart; the
/// last 90 days by default), `status` (`open`, `closed`), `page`, `page_size` (at most 1000,
/// the default), `extensions=true` (history as `notes`). Never a reporter's identity; the
/// description is the type (or, once published, the public summary).
#[utoipa::path(get, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query),
        ("service_request_id" = Option<String>, Query),
        ("service_code" = Option<String>, Query),
        ("start_date" = Option<String>, Query),
        ("end_date" = Option<String>, Query),
        ("status" = Option<String>, Query),
        ("page" = Option<u32>, Query),
        ("page_size" = Option<u32>, Query),
        ("extensions" = Option<bool>, Query)),
    responses((status = 200, description = "A list of `request`"),
        (status = 400, description = "A parameter at fault"),
        (status = 404, description = "Unknown service or jurisdiction")))]
pub async fn open311_requests() {}

/// Submits a request (form-urlencoded): `api_key` (here or in the query string),
/// `service_code`, `lat`+`long` (WGS84) or `address_string` or `address_id`,
/// `attribute[sub_type]`, optionally `attribute[region]`, `description` (at most 4000
/// characters, no HTML), `first_name`, `last_name`, `phone`, `email` (kept as the reporter's,
/// never shown). A case on channel `open311`, registered through the one intake.
#[utoipa::path(post, path = "/open311/v2/requests.{format}", tag = "open311",
    params(("format" = String, Path, description = "`json` or `xml`"),
        ("api_key" = Option<String>, Query, description = "The client's key (or in the form)")),
    request_body(content_type = "application/x-www-form-urlencoded", description = "The GeoReport v2 fields"),
    responses((status = 201, description = "`[{service_request_id, token, service_notice, account_id}]`"),
        (status = 400, description = "Fields at fault, one error each"),
        (status = 403, description = "No key, an unknown key or a revoked key"),
        (status = 404, description = "Unknown service or jurisdiction"),
        (status = 429, description = "Over the key's limit")))]
pub async fn open311_submit() {}

/// One request by its id (the tracking number).
#[utoipa::path(get, path = "/open311/v2/requests/{service_request_id}.{format}", tag = "open311",
    params(("service_request_id" = String, Path, description = "e.g. GL20261127-0000123"),
        ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query),
        ("extensions" = Option<bool>, Query)),
    responses((status = 200, description = "A list of one `request`"),
        (status = 404, description = "No such request")))]
pub async fn open311_request() {}

/// The request a token stands for (requests become cases at once: a token is the request's
/// id).
#[utoipa::path(get, path = "/open311/v2/tokens/{token}.{format}", tag = "open311",
    params(("token" = String, Path), ("format" = String, Path, description = "`json` or `xml`"),
        ("jurisdiction_id" = Option<String>, Query)),
    responses((status = 200, description = "`[{service_request_id, token}]`"),
        (status = 404, description = "No such token")))]
pub async fn open311_token() {}
