//! An OpenRefine reconciliation service: the W3C Reconciliation Service API 0.2 over a
//! [`Resolver`], served by axum on tokio (behind the `serve` cargo feature).
//!
//! Routes (all answer CORS; GET answers JSONP when given `callback`):
//! - `/reconcile` (and `/`): the manifest; with `queries` a reconciliation batch; with
//!   `extend` a data extension query (GET parameters or a POSTed form).
//! - `/suggest/entity`, `/suggest/property`, `/suggest/type` (`prefix`), `/extend/propose`
//!   (`type`), `/preview` (`id`, HTML).
//!
//! One resolver (a memory-mapped index file, or a loaded gazetteer) serves every worker.

pub mod protocol;

use std::future::Future;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{ConnectInfo, Request, State};
use axum::http::{header, HeaderMap, HeaderValue, Method, StatusCode};
use axum::middleware::{self, Next};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use serde_json::{json, Value};
use tower_http::cors::{Any, CorsLayer};
use tower_http::timeout::RequestBodyTimeoutLayer;

use crate::error::{Error, Result};
use crate::resolve::Resolver;
use protocol::BadRequest;

/// Limits and settings of the service.
#[derive(Debug, Clone)]
pub struct ServeOptions {
    /// Largest request body in bytes (413 beyond it).
    pub max_body: usize,
    /// Most queries in one batch, and ids in one extension query (400 beyond it).
    pub max_batch: usize,
    /// Least score for a match, as `--threshold` (the resolver's default when `None`).
    pub threshold: Option<f64>,
    /// Longest wait for a request body to arrive (408 beyond it).
    pub body_timeout: Duration,
    /// Log one line per request on standard error.
    pub log: bool,
}

impl Default for ServeOptions {
    fn default() -> Self {
        ServeOptions {
            max_body: 2 * 1024 * 1024,
            max_batch: 1000,
            threshold: None,
            body_timeout: Duration::from_secs(30),
            log: true,
        }
    }
}

/// What every request handler shares: the resolver and the limits.
#[derive(Debug)]
pub struct Service {
    /// The resolver (its gazetteer is what the service reconciles against).
    pub resolver: Resolver,
    /// Limits and settings.
    pub options: ServeOptions,
}

/// The service's routes, ready for [`axum::serve()`].
pub fn router(service: Arc<Service>) -> Router {
    let cors = CorsLayer::new()
        .allow_origin(Any)
        .allow_methods([Method::GET, Method::POST, Method::OPTIONS])
        .allow_headers(Any);
    let timeout = RequestBodyTimeoutLayer::new(service.options.body_timeout);
    Router::new()
        .route("/", get(endpoint).post(endpoint))
        .route("/reconcile", get(endpoint).post(endpoint))
        .route("/suggest/entity", get(suggest_entity))
        .route("/suggest/property", get(suggest_property))
        .route("/suggest/type", get(suggest_type))
        .route("/extend/propose", get(propose))
        .route("/preview", get(preview))
        .fallback(not_found)
        .layer(cors)
        .layer(timeout)
        .layer(middleware::from_fn_with_state(service.clone(), log_request))
        .with_state(service)
}

/// Serves on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    service: Arc<Service>,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let app = router(service).into_make_service_with_connect_info::<SocketAddr>();
    axum::serve(listener, app)
        .with_graceful_shutdown(shutdown)
        .await
}

/// Binds `addr`, calls `ready` with the bound address (port 0 picks a free one) and serves
/// until interrupted (Ctrl-C), on a runtime with one worker per core.
pub fn run(
    resolver: Resolver,
    options: ServeOptions,
    addr: SocketAddr,
    ready: impl FnOnce(SocketAddr),
) -> Result<()> {
    let io = |e| Error::io(format!("{addr}"), e);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(io)?;
    runtime.block_on(async {
        let listener = tokio::net::TcpListener::bind(addr).await.map_err(io)?;
        ready(listener.local_addr().map_err(io)?);
        let service = Arc::new(Service { resolver, options });
        let shutdown = async {
            let _ = tokio::signal::ctrl_c().await;
        };
        serve(listener, service, shutdown).await.map_err(io)
    })
}

/// How many queries (or ids) a request carried, for its log line.
#[derive(Debug, Clone, Copy)]
struct Counted(usize);

async fn log_request(
    State(service): State<Arc<Service>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    req: Request,
    next: Next,
) -> Response {
    let start = Instant::now();
    let method = req.method().clone();
    let path = req.uri().path().to_string();
    let resp = next.run(req).await;
    if service.options.log {
        let n = resp
            .extensions()
            .get::<Counted>()
            .map(|c| format!(" queries={}", c.0))
            .unwrap_or_default();
        let now = jiff::Timestamp::now();
        let now = now.round(jiff::Unit::Millisecond).unwrap_or(now);
        let ms = start.elapsed().as_secs_f64() * 1000.0;
        eprintln!(
            "{now} {peer} {method} {path} {} {ms:.1}ms{n}",
            resp.status().as_u16()
        );
    }
    resp
}

/// An error answer: the status and a JSON body saying what went wrong.
struct ApiError(StatusCode, String);

impl From<BadRequest> for ApiError {
    fn from(e: BadRequest) -> Self {
        ApiError(StatusCode::BAD_REQUEST, e.0)
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = json!({ "error": self.1, "status": self.0.as_u16() });
        (self.0, axum::Json(body)).into_response()
    }
}

async fn not_found(req: Request) -> ApiError {
    ApiError(
        StatusCode::NOT_FOUND,
        format!("no such endpoint {} (try /reconcile)", req.uri().path()),
    )
}

/// The parameters of a request: its query string, then a POSTed form (or a JSON batch).
async fn params(service: &Service, req: Request) -> Result<Vec<(String, String)>, ApiError> {
    let mut out: Vec<(String, String)> = req
        .uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default();
    if req.method() != Method::POST {
        return Ok(out);
    }
    let content_type = req
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_lowercase();
    let announced = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if announced.is_some_and(|n| n > service.options.max_body as u64) {
        return Err(too_large(service.options.max_body));
    }
    let body = read_body(service, req.into_body()).await?;
    if content_type.starts_with("application/json") {
        let text = std::str::from_utf8(&body)
            .map_err(|e| ApiError(StatusCode::BAD_REQUEST, format!("body: not UTF-8: {e}")))?;
        out.push(("queries".into(), text.to_string()));
    } else {
        out.extend(form_urlencoded::parse(&body).into_owned());
    }
    Ok(out)
}

fn too_large(limit: usize) -> ApiError {
    ApiError(
        StatusCode::PAYLOAD_TOO_LARGE,
        format!("request body larger than {limit} bytes (--max-body)"),
    )
}

/// Reads the whole body, refusing one larger than the limit before reading it all.
async fn read_body(service: &Service, body: Body) -> Result<Bytes, ApiError> {
    let limit = service.options.max_body;
    match axum::body::to_bytes(body, limit).await {
        Ok(b) => Ok(b),
        Err(e) => {
            let inner = e.into_inner();
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(inner.as_ref());
            while let Some(err) = source {
                if err.is::<http_body_util::LengthLimitError>() {
                    return Err(too_large(limit));
                }
                if err.is::<tower_http::timeout::TimeoutError>() {
                    return Err(ApiError(
                        StatusCode::REQUEST_TIMEOUT,
                        "the request body did not arrive in time".into(),
                    ));
                }
                source = err.source();
            }
            Err(ApiError(
                StatusCode::BAD_REQUEST,
                format!("reading the request body: {inner}"),
            ))
        }
    }
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| v.as_str())
}

/// The base URL the client reached the service at (from the Host header).
fn base_url(headers: &HeaderMap) -> String {
    let host = headers
        .get(header::HOST)
        .and_then(|h| h.to_str().ok())
        .filter(|h| {
            h.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:[]".contains(&b))
        })
        .unwrap_or("127.0.0.1");
    format!("http://{host}")
}

/// A JSON answer, wrapped as JSONP when the request named a callback.
fn answer(
    value: &Value,
    callback: Option<&str>,
    counted: Option<usize>,
) -> Result<Response, ApiError> {
    let text = serde_json::to_string(value).map_err(|e| {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("serializing: {e}"),
        )
    })?;
    let mut resp = match callback {
        None => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("application/json"),
            )],
            text,
        )
            .into_response(),
        Some(cb) => {
            let valid = !cb.is_empty()
                && cb.len() <= 128
                && cb
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b"_$.".contains(&b))
                && !cb.as_bytes()[0].is_ascii_digit();
            if !valid {
                return Err(ApiError(
                    StatusCode::BAD_REQUEST,
                    format!("callback {cb:?} is not a JavaScript identifier"),
                ));
            }
            (
                [(
                    header::CONTENT_TYPE,
                    HeaderValue::from_static("application/javascript"),
                )],
                format!("{cb}({text});"),
            )
                .into_response()
        }
    };
    if let Some(n) = counted {
        resp.extensions_mut().insert(Counted(n));
    }
    Ok(resp)
}

/// Runs CPU-bound work off the async workers.
async fn blocking<T: Send + 'static>(
    f: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(f).await.map_err(|e| {
        ApiError(
            StatusCode::INTERNAL_SERVER_ERROR,
            format!("the request failed: {e}"),
        )
    })
}

async fn endpoint(State(service): State<Arc<Service>>, req: Request) -> Response {
    let headers = req.headers().clone();
    let is_get = req.method() == Method::GET;
    let result = async {
        let params = params(&service, req).await?;
        let callback = if is_get {
            param(&params, "callback")
        } else {
            None
        };
        if let Some(q) = param(&params, "queries") {
            let (svc, q) = (service.clone(), q.to_string());
            let (value, n) = blocking(move || protocol::reconcile(&svc, &q)).await??;
            answer(&value, callback, Some(n))
        } else if let Some(x) = param(&params, "extend") {
            let (svc, x) = (service.clone(), x.to_string());
            let (value, n) = blocking(move || protocol::extend(&svc, &x)).await??;
            answer(&value, callback, Some(n))
        } else {
            answer(
                &protocol::manifest(&service, &base_url(&headers)),
                callback,
                None,
            )
        }
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn suggest_entity(State(service): State<Arc<Service>>, req: Request) -> Response {
    let params = query_params(&req);
    let prefix = param(&params, "prefix").unwrap_or("").to_string();
    let kind = param(&params, "type").map(str::to_string);
    let svc = service.clone();
    let result = async {
        let value =
            blocking(move || protocol::suggest_entity(&svc, &prefix, kind.as_deref())).await?;
        answer(&value, param(&params, "callback"), None)
    }
    .await;
    result.unwrap_or_else(IntoResponse::into_response)
}

async fn suggest_property(req: Request) -> Response {
    let params = query_params(&req);
    let value = protocol::suggest_property(param(&params, "prefix").unwrap_or(""));
    answer(&value, param(&params, "callback"), None).unwrap_or_else(IntoResponse::into_response)
}

async fn suggest_type(req: Request) -> Response {
    let params = query_params(&req);
    let value = protocol::suggest_type(param(&params, "prefix").unwrap_or(""));
    answer(&value, param(&params, "callback"), None).unwrap_or_else(IntoResponse::into_response)
}

async fn propose(req: Request) -> Response {
    let params = query_params(&req);
    let value = protocol::propose_properties(param(&params, "type").unwrap_or("place"));
    answer(&value, param(&params, "callback"), None).unwrap_or_else(IntoResponse::into_response)
}

async fn preview(State(service): State<Arc<Service>>, req: Request) -> Response {
    let params = query_params(&req);
    let id = param(&params, "id").unwrap_or("");
    match protocol::preview(&service, id) {
        Some(html) => (
            [(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/html; charset=utf-8"),
            )],
            html,
        )
            .into_response(),
        None => ApiError(StatusCode::NOT_FOUND, format!("no place with id {id:?}")).into_response(),
    }
}

fn query_params(req: &Request) -> Vec<(String, String)> {
    req.uri()
        .query()
        .map(|q| form_urlencoded::parse(q.as_bytes()).into_owned().collect())
        .unwrap_or_default()
}
