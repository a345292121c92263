//! Open311 GeoReport v2 at `/open311/v2/`: the door city apps and civic-tech tools use. Each
//! request is read here — the path (its format from the extension), the query string and,
//! for a submission, the form — handed to one use case of the core
//! (`greenline_app::open311`), and its answer written as JSON or XML ([`format`]); errors are
//! the spec's error lists with its status codes.
//!
//! Real clients are read liberally: the path's empty segments are ignored (`//requests.xml`
//! from a base URL ending in `/`, a trailing slash), `service/{code}` stands for
//! `services/{code}`, a path without an extension is XML, `api_key` is read from the query
//! string or the form, and an empty parameter counts as absent.
//!
//! The `api_key` never reaches a log: the request log names the route template, never the URL
//! (see [`crate::telemetry`]), and nothing here logs a parameter.
//!
//! The routes are one catch-all, so that the odd paths above reach them; [`doc`] describes them
//! in the OpenAPI document, and the authorisation test requests every path described.

pub mod doc;
pub mod format;

use std::collections::BTreeMap;

use axum::Router;
use axum::body::Bytes;
use axum::extract::{RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, Method, StatusCode, Uri, header};
use axum::response::Response;
use axum::routing::any;
use greenline_app::ServiceError;
use greenline_app::open311::Discovery;
use greenline_app::open311::requests::{
    Note, RequestsQuery, ServiceRequest, Submission, Submitted, TokenAnswer,
};
use greenline_app::open311::services::{Service, ServiceDefinition};

use self::format::{Document, Format, Node};
use crate::AppState;

/// Where the interface lives.
pub const BASE: &str = "/open311/v2";

/// The routes of the interface.
pub fn router() -> Router<AppState> {
    Router::new()
        .route(BASE, any(dispatch))
        .route("/open311/v2/", any(dispatch))
        .route("/open311/v2/{*path}", any(dispatch))
}

/// The parameters of a query string or form: each name with its first non-empty value, and
/// the attributes (`attribute[code]`, `attribute[code][]`) apart.
#[derive(Debug, Default)]
struct Params {
    values: BTreeMap<String, String>,
    attributes: BTreeMap<String, Vec<String>>,
}

impl Params {
    fn read(&mut self, bytes: &[u8]) {
        for (name, value) in form_urlencoded::parse(bytes) {
            let value = value.trim().to_owned();
            if let Some(code) = name
                .strip_prefix("attribute[")
                .map(|rest| rest.strip_suffix("[]").unwrap_or(rest))
                .and_then(|rest| rest.strip_suffix(']'))
            {
                self.attributes
                    .entry(code.trim().to_owned())
                    .or_default()
                    .push(value);
            } else if !value.is_empty() {
                self.values.entry(name.into_owned()).or_insert(value);
            }
        }
    }

    fn get(&self, name: &str) -> Option<String> {
        self.values.get(name).cloned()
    }
}

/// The absolute URL of the site, from the request's host.
fn site(app: &AppState, headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .filter(|h| {
            h.chars()
                .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | ':' | '[' | ']'))
        })
        .unwrap_or("localhost");
    let scheme = if app.settings.https { "https" } else { "http" };
    format!("{scheme}://{host}")
}

/// An error list, as the spec writes it, with its status.
fn errors(status: StatusCode, descriptions: Vec<String>, format: Format) -> Response {
    let items = descriptions
        .into_iter()
        .map(|description| {
            Node::object([
                ("code", Node::Integer(i64::from(status.as_u16()))),
                ("description", Node::Text(description)),
            ])
        })
        .collect();
    Document {
        root: "errors",
        node: Node::List("error", items),
    }
    .respond(status, format)
}

/// The core's refusal as the spec's error list: 404 for what does not exist, 403 for a key
/// missing, unknown or revoked, 400 for a parameter or field at fault (one error each), 429
/// over a key's limit; a failure is logged (without the request) and shown as 500.
fn refusal(error: ServiceError, format: Format) -> Response {
    let (status, descriptions) = match error {
        ServiceError::NotFound(what) => (StatusCode::NOT_FOUND, vec![format!("{what} not found")]),
        ServiceError::Forbidden(message) => (StatusCode::FORBIDDEN, vec![message]),
        ServiceError::Unauthorized | ServiceError::PasswordExpired => (
            StatusCode::FORBIDDEN,
            vec!["api_key is required".to_owned()],
        ),
        ServiceError::Invalid(fields) => (
            StatusCode::BAD_REQUEST,
            fields
                .into_iter()
                .map(|f| format!("{}: {}", f.field, f.message))
                .collect(),
        ),
        ServiceError::BadParameter { field, message } => {
            (StatusCode::BAD_REQUEST, vec![format!("{field}: {message}")])
        }
        ServiceError::Conflict { detail, .. } => (StatusCode::CONFLICT, vec![detail]),
        ServiceError::TooManyRequests | ServiceError::TooManyAttempts(_) => {
            let mut response = errors(
                StatusCode::TOO_MANY_REQUESTS,
                vec!["too many requests with this api_key; try again in a minute".to_owned()],
                format,
            );
            response
                .headers_mut()
                .insert(header::RETRY_AFTER, HeaderValue::from_static("60"));
            return response;
        }
        ServiceError::Unavailable(message) => (StatusCode::SERVICE_UNAVAILABLE, vec![message]),
        ServiceError::Busy => (
            StatusCode::SERVICE_UNAVAILABLE,
            vec!["the server is busy; try again in a moment".to_owned()],
        ),
        ServiceError::Internal(cause) => {
            tracing::error!(error = ?cause, "open311 request failed");
            (
                StatusCode::INTERNAL_SERVER_ERROR,
                vec!["the server could not complete the request; it has been logged".to_owned()],
            )
        }
    };
    errors(status, descriptions, format)
}

fn discovery_node(d: Discovery) -> Node {
    let endpoints = d
        .endpoints
        .into_iter()
        .map(|e| {
            Node::object([
                ("specification", Node::Text(e.specification)),
                ("url", Node::Text(e.url)),
                ("changeset", Node::Text(e.changeset)),
                ("type", Node::Text(e.kind)),
                (
                    "formats",
                    Node::List("format", e.formats.into_iter().map(Node::Text).collect()),
                ),
            ])
        })
        .collect();
    Node::object([
        ("changeset", Node::Text(d.changeset)),
        ("contact", Node::Text(d.contact)),
        ("key_service", Node::Text(d.key_service)),
        ("endpoints", Node::List("endpoint", endpoints)),
    ])
}

fn service_node(s: Service) -> Node {
    Node::object([
        ("service_code", Node::Text(s.code)),
        ("service_name", Node::Text(s.name)),
        ("description", Node::Text(s.description)),
        ("metadata", Node::Bool(s.metadata)),
        ("type", Node::Text(s.kind)),
        ("keywords", Node::Text(s.keywords.join(","))),
        ("group", Node::Text(s.group)),
    ])
}

fn definition_node(d: ServiceDefinition) -> Node {
    let attributes = d
        .attributes
        .into_iter()
        .map(|a| {
            let values = a
                .values
                .into_iter()
                .map(|(key, name)| {
                    Node::object([("key", Node::Text(key)), ("name", Node::Text(name))])
                })
                .collect();
            Node::object([
                ("variable", Node::Bool(a.variable)),
                ("code", Node::Text(a.code)),
                ("datatype", Node::Text(a.datatype)),
                ("required", Node::Bool(a.required)),
                ("datatype_description", Node::Text(a.datatype_description)),
                ("order", Node::Integer(i64::from(a.order))),
                ("description", Node::Text(a.description)),
                ("values", Node::List("value", values)),
            ])
        })
        .collect();
    Node::object([
        ("service_code", Node::Text(d.code)),
        ("attributes", Node::List("attribute", attributes)),
    ])
}

fn request_node(r: ServiceRequest, site: &str) -> Node {
    let mut fields = vec![
        ("service_request_id", Node::Text(r.service_request_id)),
        ("status", Node::Text(r.status)),
        ("status_notes", Node::opt(r.status_notes)),
        ("service_name", Node::Text(r.service_name)),
        ("service_code", Node::Text(r.service_code)),
        ("description", Node::Text(r.description)),
        ("agency_responsible", Node::Text(r.agency_responsible)),
        ("service_notice", Node::opt(r.service_notice)),
        ("requested_datetime", Node::Text(r.requested_datetime)),
        ("updated_datetime", Node::Text(r.updated_datetime)),
        ("expected_datetime", Node::opt(r.expected_datetime)),
        ("address", Node::Text(r.address)),
        ("address_id", Node::Null),
        ("zipcode", Node::Null),
        ("lat", r.lat.map_or(Node::Null, Node::Number)),
        ("long", r.long.map_or(Node::Null, Node::Number)),
        (
            "media_url",
            Node::opt(r.media_url.map(|path| format!("{site}{path}"))),
        ),
    ];
    if let Some(attributes) = r.extended_attributes {
        fields.push((
            "extended_attributes",
            Node::Object(
                attributes
                    .into_iter()
                    .map(|(k, v)| (k, Node::Text(v)))
                    .collect(),
            ),
        ));
    }
    if let Some(notes) = r.notes {
        fields.push((
            "notes",
            Node::List(
                "note",
                notes
                    .into_iter()
                    .map(
                        |Note {
                             datetime,
                             description,
                             kind,
                         }| {
                            Node::object([
                                ("datetime", Node::Text(datetime)),
                                ("description", Node::Text(description)),
                                ("type", Node::Text(kind)),
                            ])
                        },
                    )
                    .collect(),
            ),
        ));
    }
    Node::Object(fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
}

fn requests_document(items: Vec<Node>) -> Document {
    Document {
        root: "service_requests",
        node: Node::List("request", items),
    }
}

fn submitted_node(s: Submitted) -> Node {
    Node::object([
        ("service_request_id", Node::Text(s.service_request_id)),
        ("token", Node::Text(s.token)),
        ("service_notice", Node::Text(s.service_notice)),
        ("account_id", Node::Null),
    ])
}

fn token_node(t: TokenAnswer) -> Node {
    Node::object([
        ("service_request_id", Node::Text(t.service_request_id)),
        ("token", Node::Text(t.token)),
    ])
}

fn requests_query(params: &Params) -> RequestsQuery {
    RequestsQuery {
        jurisdiction_id: params.get("jurisdiction_id"),
        service_request_id: params.get("service_request_id"),
        service_code: params.get("service_code"),
        start_date: params.get("start_date"),
        end_date: params.get("end_date"),
        status: params.get("status"),
        page: params.get("page"),
        page_size: params.get("page_size"),
        extensions: params.get("extensions"),
    }
}

fn submission(params: Params) -> Submission {
    Submission {
        jurisdiction_id: params.get("jurisdiction_id"),
        service_code: params.get("service_code"),
        lat: params.get("lat"),
        long: params.get("long"),
        address_string: params.get("address_string"),
        address_id: params.get("address_id"),
        email: params.get("email"),
        device_id: params.get("device_id"),
        account_id: params.get("account_id"),
        first_name: params.get("first_name"),
        last_name: params.get("last_name"),
        phone: params.get("phone"),
        description: params.get("description"),
        media_url: params.get("media_url"),
        attributes: params.attributes,
    }
}

/// Every request of the interface: the path read into a resource and a format, then the one
/// use case it names.
pub async fn dispatch(
    State(app): State<AppState>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    RawQuery(query): RawQuery,
    body: Bytes,
) -> Response {
    let rest = uri.path().strip_prefix(BASE).unwrap_or_default();
    let mut segments: Vec<&str> = rest.split('/').filter(|s| !s.is_empty()).collect();
    let format = match segments.last_mut() {
        Some(last) => {
            let (stem, format) = Format::split(last);
            *last = stem;
            format
        }
        None => Format::Xml,
    };
    let mut params = Params::default();
    params.read(query.as_deref().unwrap_or_default().as_bytes());
    let site = site(&app, &headers);
    let jurisdiction = params.get("jurisdiction_id");
    let jurisdiction = jurisdiction.as_deref();
    let document = match (&method, segments.as_slice()) {
        (&Method::GET, ["discovery"]) => app
            .open311_discovery(&format!("{site}{BASE}/"), jurisdiction)
            .map(|d| Document {
                root: "discovery",
                node: discovery_node(d),
            }),
        (&Method::GET, ["services"]) => app.open311_services(jurisdiction).map(|s| Document {
            root: "services",
            node: Node::List("service", s.into_iter().map(service_node).collect()),
        }),
        (&Method::GET, ["services" | "service", code]) => {
            app.open311_service(code, jurisdiction).map(|d| Document {
                root: "service_definition",
                node: definition_node(d),
            })
        }
        (&Method::GET, ["requests"]) => app
            .open311_requests(&requests_query(&params))
            .await
            .map(|rs| requests_document(rs.into_iter().map(|r| request_node(r, &site)).collect())),
        (&Method::GET, ["requests", id]) => {
            let extensions = params
                .get("extensions")
                .is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1");
            app.open311_request(id, jurisdiction, extensions)
                .await
                .map(|r| requests_document(vec![request_node(r, &site)]))
        }
        (&Method::GET, ["tokens", token]) => app
            .open311_token(token, jurisdiction)
            .await
            .map(|t| requests_document(vec![token_node(t)])),
        (&Method::POST, ["requests"]) => {
            // The form's fields join the query's: a key in either is read.
            params.read(&body);
            let key = params.get("api_key");
            return match app.open311_submit(key.as_deref(), submission(params)).await {
                Ok(done) => requests_document(vec![submitted_node(done)])
                    .respond(StatusCode::CREATED, format),
                Err(error) => refusal(error, format),
            };
        }
        (_, ["discovery" | "services" | "requests"])
        | (_, ["services" | "service" | "requests" | "tokens", _]) => {
            return errors(
                StatusCode::METHOD_NOT_ALLOWED,
                vec![format!("{method} is not served here")],
                format,
            );
        }
        _ => Err(ServiceError::NotFound("resource")),
    };
    match document {
        Ok(document) => document.respond(StatusCode::OK, format),
        Err(error) => refusal(error, format),
    }
}
