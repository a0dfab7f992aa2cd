//! Wires the backend together: shared state, routes, tower layers (body read bounded in size and
//! time, requests in flight, timeout, CORS, tracing), and `serve` with graceful shutdown.

use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use axum::body::Body;
use axum::error_handling::HandleErrorLayer;
use axum::extract::DefaultBodyLimit;
use axum::extract::Request;
use axum::http::{header, HeaderValue, Method};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::Router;
use std::convert::Infallible;
use tokio::net::TcpListener;
use tower::limit::GlobalConcurrencyLimitLayer;
use tower::load_shed::LoadShedLayer;
use tower::util::BoxCloneSyncService;
use tower::ServiceBuilder;
use tower::ServiceExt as _;
use tower_http::cors::{AllowOrigin, CorsLayer};
use tower_http::limit::RequestBodyLimitLayer;
use tower_http::set_header::SetResponseHeaderLayer;
use tower_http::timeout::TimeoutLayer;
use tower_http::trace::TraceLayer;

use super::body_first::ReadBodyFirst;
use super::catalog::Catalog;
use super::config::Config;
use super::order_link::{OrderLinks, ORDER_KEY_HEADER};
use super::orders::{OrderService, Reconciler};
use super::policy::SigningPolicy;
use super::store::{Store, StoreError};
use super::webhook::deliver::DeliveryError;
use super::webhook::{Deliverer, WebhookConfig};
use super::{activity, admin, checkout, error, marketplace, sellers, shopper, tracking};
use fps_wire::signer::Signer;
use fps_wire::{FpsClient, FpsConfig, FpsError};

/// Largest request body anywhere.
pub const MAX_BODY_BYTES: usize = 64 * 1024;
/// Largest body of `/fps/sign`.
pub const MAX_SIGN_BODY_BYTES: usize = 16 * 1024;

/// Why the server could not start.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// The catalog file is unusable.
    #[error("FPS_CATALOG: {0}")]
    Catalog(String),
    /// The database is unusable.
    #[error("DATABASE_URL: {0}")]
    Store(#[from] StoreError),
    /// The FPS client could not be built.
    #[error("FPS client: {0}")]
    Fps(#[from] FpsError),
    /// Listening or serving failed.
    #[error("FPS_LISTEN: {0}")]
    Io(#[from] std::io::Error),
    /// The webhook's delivery worker could not be built.
    #[error("FPS_FULFILMENT_WEBHOOK_URL: {0}")]
    Webhook(#[from] DeliveryError),
}

/// What every handler shares: one reference-counted block, so the clone axum makes for each
/// request's `State<AppState>` is one atomic increment rather than one per field.
#[derive(Debug, Clone)]
pub struct AppState(Arc<Shared>);

impl std::ops::Deref for AppState {
    type Target = Shared;

    fn deref(&self) -> &Shared {
        &self.0
    }
}

/// The contents of [`AppState`].
#[derive(Debug)]
pub struct Shared {
    /// The settings.
    pub config: Arc<Config>,
    /// The order store.
    pub store: Store,
    /// The FPS client.
    pub fps: FpsClient,
    /// The products.
    pub catalog: Arc<Catalog>,
    /// What `/fps/sign` signs.
    pub policy: Arc<SigningPolicy>,
    /// Recently seen open orders, for `/fps/sign`.
    pub open_orders: Arc<super::open_orders::OpenOrders>,
    /// Signs CBUI requests (keyed once with the secret, not per request).
    pub signer: Arc<Signer>,
    /// Makes and checks the shoppers' secret order page links.
    pub order_links: OrderLinks,
    /// The order service: every state change of an order goes through it.
    pub orders: OrderService,
    /// The fulfilment webhook, when one is configured.
    pub webhook: Option<Arc<WebhookConfig>>,
}

impl AppState {
    /// Loads the catalog, opens and migrates the store, builds the FPS client; no webhook.
    pub async fn new(config: Config) -> Result<Self, ServeError> {
        AppState::with_webhook(config, None).await
    }

    /// [`AppState::new`] with the fulfilment webhook `webhook`: the order service then writes an
    /// event with each state change it announces, and [`serve`] runs the delivery worker. Kept
    /// apart from [`Config`] so that a configuration without a webhook reads as before.
    pub async fn with_webhook(config: Config, webhook: Option<WebhookConfig>) -> Result<Self, ServeError> {
        let catalog = Catalog::load(&config.catalog).map_err(ServeError::Catalog)?;
        let store = Store::connect(&config.database_url).await?;
        let fps = FpsClient::new(FpsConfig {
            endpoint: config.fps_endpoint.clone(),
            access_key_id: config.access_key_id.as_str().to_owned(),
            secret: config.secret.clone(),
            timeout: config.fps_timeout,
            max_attempts: 3,
        })?;
        let policy = SigningPolicy {
            caller_key: config.access_key_id.clone(),
            return_urls: config.return_urls.clone(),
            branding: catalog.branding().clone(),
        };
        let signer = Arc::new(Signer::new(&config.secret));
        let order_links = OrderLinks::new(&config.secret);
        let config = Arc::new(config);
        let open_orders: Arc<super::open_orders::OpenOrders> = Arc::default();
        let orders = OrderService::new(store.clone(), fps.clone(), open_orders.clone(), config.clone())
            .announcing(webhook.is_some());
        Ok(AppState(Arc::new(Shared {
            signer,
            config,
            store,
            fps,
            catalog: Arc::new(catalog),
            policy: Arc::new(policy),
            open_orders,
            order_links,
            orders,
            webhook: webhook.map(Arc::new),
        })))
    }
}

/// The API's routes and fallbacks with their state, without the layers every request goes
/// through (see [`with_layers`]; [`router`] is both).
pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/healthz", get(checkout::healthz))
        .route("/metrics", get(super::metrics::scrape))
        .route(
            "/api/orders",
            post(checkout::create_order).get(admin::list_orders),
        )
        .route("/api/orders/{reference}", get(admin::get_order))
        .route("/api/orders/{reference}/settle", post(admin::settle))
        .route("/api/orders/{reference}/cancel", post(admin::cancel))
        .route("/api/orders/{reference}/refund", post(admin::refund))
        .route("/api/orders/{reference}/split", get(marketplace::split))
        .route("/api/shop/orders/{reference}", get(shopper::show))
        .route("/api/shop/orders/{reference}/cancel", post(shopper::cancel))
        .route(
            "/api/shop/orders/{reference}/reauthorize",
            post(shopper::reauthorize),
        )
        .route(
            "/api/shop/orders/{reference}/refund-request",
            post(shopper::request_refund),
        )
        .route("/api/refund-requests", get(admin::list_refund_requests))
        .route(
            "/api/refund-requests/{reference}/approve",
            post(admin::approve_refund_request),
        )
        .route(
            "/api/refund-requests/{reference}/decline",
            post(admin::decline_refund_request),
        )
        .route(
            "/api/orders/{reference}/transaction",
            get(activity::order_transaction),
        )
        .route("/api/activity", get(activity::activity))
        .route("/api/sellers", post(sellers::create).get(sellers::list))
        .route("/api/sellers/{reference}", get(sellers::show))
        .route(
            "/fps/sign",
            post(checkout::sign).layer(DefaultBodyLimit::max(MAX_SIGN_BODY_BYTES)),
        )
        .route("/fps/return", post(checkout::fps_return))
        .route("/fps/ipn", post(tracking::ipn))
        .fallback(error::not_found)
        .method_not_allowed_fallback(error::method_not_allowed)
        .with_state(state)
}

/// The API, routes and layers: what [`serve`] serves.
pub fn router(state: AppState) -> ApiService {
    let config = state.config.clone();
    with_layers(routes(state), &config)
}

/// A request handler with every layer: requests in, responses out, never an error.
pub type ApiService = BoxCloneSyncService<Request, Response, Infallible>;

/// Wraps `router` in the layers every request goes through (see [`layered`]), boxed.
pub fn with_layers(router: Router, config: &Config) -> ApiService {
    BoxCloneSyncService::new(layered(router, config))
}

/// `router` in the layers every request goes through, once around the whole router: axum's
/// `Router::layer` would box each layer around each route, and the matched route with all its
/// layers is cloned for every request (a third of `/fps/sign`'s time, BENCHMARKS.md). Not boxed:
/// the server clones the stack for each request, and a box would add two allocations to each.
/// Outermost first: tracing; the body read whole, within [`BODY_READ_TIMEOUT`] (408
/// `BODY_TIMEOUT`), before the request counts as in flight ([`ReadBodyFirst`], which also
/// refuses a chunked body over [`MAX_BODY_BYTES`]); at most
/// `max_in_flight` requests at once, the next refused at once (503 `OVERLOADED`) rather than
/// queued; 413 and 408 rewritten in the API's error format; the
/// request timeout; `Vary` and CORS; the body limit; the head size limit.
pub fn layered(
    router: Router,
    config: &Config,
) -> impl tower::Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
       + Clone
       + Send
       + Sync
       + 'static {
    let service = ServiceBuilder::new()
        .layer(TraceLayer::new_for_http())
        .layer(tower::layer::layer_fn(|inner| ReadBodyFirst {
            inner,
            max_bytes: MAX_BODY_BYTES,
            timeout: BODY_READ_TIMEOUT,
        }))
        .layer(HandleErrorLayer::new(error::overloaded))
        .layer(LoadShedLayer::new())
        .layer(GlobalConcurrencyLimitLayer::new(config.max_in_flight))
        .map_response(error::json_layer_errors)
        .layer(TimeoutLayer::with_status_code(
            axum::http::StatusCode::REQUEST_TIMEOUT,
            request_timeout(config),
        ))
        // What CORS's own `Vary` would say, as one static value: its layer would build the
        // header anew (three allocations) for every request.
        .layer(SetResponseHeaderLayer::appending(
            header::VARY,
            HeaderValue::from_static("origin, access-control-request-method, access-control-request-headers"),
        ))
        .layer(cors(&config.cors_origins))
        // The layers pass their own body types: back to axum's where the next one needs it.
        .map_response(IntoResponse::into_response)
        .layer(RequestBodyLimitLayer::new(MAX_BODY_BYTES))
        .layer(error::BoundedHeadLayer)
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .service(router);
    tower::ServiceExt::<Request>::map_response(service, IntoResponse::into_response)
}

/// How long any request may take: long enough for an FPS call with its resends, short enough
/// to free stuck connections. Past it, an FPS call a request made is surely over.
pub fn request_timeout(config: &Config) -> Duration {
    config.fps_timeout * 4 + Duration::from_secs(5)
}

/// CORS for the configured origins. A predicate over a shared list rather than
/// `AllowOrigin::list`: the matched route, layers included, is cloned for every request, and a
/// list would be a `Vec` copied each time.
fn cors(origins: &[String]) -> CorsLayer {
    let origins: Arc<[HeaderValue]> = origins
        .iter()
        .filter_map(|o| HeaderValue::from_str(o).ok())
        .collect();
    CorsLayer::new()
        .allow_origin(AllowOrigin::predicate(move |origin, _| origins.contains(origin)))
        .allow_methods([Method::GET, Method::POST])
        .allow_headers([
            header::CONTENT_TYPE,
            header::HeaderName::from_static(ORDER_KEY_HEADER),
        ])
        // Set as one static header by `layered`.
        .vary([] as [header::HeaderName; 0])
}

/// Time a client has to send a request's line and headers (slow-header clients are cut off).
pub const HEADER_READ_TIMEOUT: Duration = Duration::from_secs(10);
/// Time a client has to send a request's whole body (slow-body clients are answered 408).
pub const BODY_READ_TIMEOUT: Duration = Duration::from_secs(5);
/// Largest request head (request line and headers) read; larger answers 431.
pub const MAX_HEAD_BYTES: usize = 64 * 1024;
/// Most headers in one request; more answers 431.
pub const MAX_HEADERS: usize = 64;

/// Serves on `listener` until `shutdown` completes, then finishes the requests in flight; runs
/// the reconciler and the webhook's delivery worker beside it when configured.
///
/// HTTP/1.1 through hyper directly (rather than `axum::serve`) so that reading a request's head
/// is bounded in time ([`HEADER_READ_TIMEOUT`]) and size ([`MAX_HEAD_BYTES`], [`MAX_HEADERS`]).
pub async fn serve(
    state: AppState,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError> {
    let config = state.config.clone();
    let reconciler = spawn_reconciler(&state);
    let deliverer = spawn_deliverer(&state)?;
    // Requests in flight for `GET /metrics`: counted around every layer, until the answer is
    // made (or the request dropped).
    let metrics = state.orders.metrics().clone();
    let app = tower::ServiceExt::map_future(layered(routes(state), &config), move |answer| {
        let counted = metrics.request_started();
        async move {
            let _counted = counted;
            answer.await
        }
    });
    let served = serve_service(app, listener, shutdown).await;
    for (stop, task) in reconciler.into_iter().chain(deliverer) {
        let _ = stop.send(());
        let _ = task.await;
    }
    served
}

/// A background task's stop switch and handle.
type Background = (tokio::sync::oneshot::Sender<()>, tokio::task::JoinHandle<()>);

/// Starts the fulfilment webhook's delivery worker, if a webhook is configured.
pub fn spawn_deliverer(state: &AppState) -> Result<Option<Background>, ServeError> {
    let Some(webhook) = state.webhook.clone() else {
        return Ok(None);
    };
    let deliverer = Deliverer::new(state.orders.clone(), webhook)?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let task = tokio::spawn(deliverer.run(async move {
        let _ = stopped.await;
    }));
    Ok(Some((stop, task)))
}

/// Starts the reconciler of [`Config::reconcile_interval`], if any: its stop switch and task.
pub fn spawn_reconciler(state: &AppState) -> Option<Background> {
    let interval = state.config.reconcile_interval?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let reconciler = Reconciler::new(state.orders.clone(), interval);
    let task = tokio::spawn(reconciler.run(async move {
        let _ = stopped.await;
    }));
    Some((stop, task))
}

/// [`serve`] for any service like [`layered`]'s (the demo serves the API and the shop's pages
/// as one [`ApiService`]).
pub async fn serve_service<S>(
    app: S,
    listener: TcpListener,
    shutdown: impl Future<Output = ()> + Send + 'static,
) -> Result<(), ServeError>
where
    S: tower::Service<Request, Response = Response, Error = Infallible, Future: Send + 'static>
        + Clone
        + Send
        + Sync
        + 'static,
{
    let app = app.map_request(|request: axum::http::Request<hyper::body::Incoming>| request.map(Body::new));
    let mut http = hyper::server::conn::http1::Builder::new();
    http.timer(hyper_util::rt::TokioTimer::new())
        .header_read_timeout(HEADER_READ_TIMEOUT)
        .max_buf_size(MAX_HEAD_BYTES)
        .max_headers(MAX_HEADERS);
    let graceful = hyper_util::server::graceful::GracefulShutdown::new();
    let mut shutdown = std::pin::pin!(shutdown);
    loop {
        let stream = tokio::select! {
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(error) => {
                    // Out of file descriptors and the like: wait instead of spinning.
                    tracing::warn!(%error, "accept failed");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
            () = &mut shutdown => break,
        };
        let service = hyper_util::service::TowerToHyperService::new(app.clone());
        let connection = graceful.watch(http.serve_connection(hyper_util::rt::TokioIo::new(stream), service));
        tokio::spawn(async move {
            if let Err(error) = connection.await {
                tracing::debug!(%error, "connection closed with an error");
            }
        });
    }
    graceful.shutdown().await;
    Ok(())
}

/// Resolves on Ctrl-C or SIGTERM.
async fn shutdown_signal() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = interrupt => {},
        () = terminate => {},
    }
    tracing::info!("shutting down");
}

/// `fps-checkout serve` with its settings (built by the command line) and its fulfilment
/// webhook, if any: starts the runtime and serves until a signal.
pub fn run(config: Config, webhook: Option<WebhookConfig>) -> Result<(), ServeError> {
    let runtime = fps_wire::service::runtime()?;
    runtime.block_on(async move {
        let listen = config.listen;
        let state = AppState::with_webhook(config, webhook).await?;
        let listener = TcpListener::bind(listen).await?;
        tracing::info!(
            address = %listener.local_addr()?,
            store = state.store.kind(),
            fps = %state.config.fps_endpoint,
            "fps-checkout serve listening"
        );
        serve(state, listener, shutdown_signal()).await
    })
}
