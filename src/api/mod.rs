//! The HTTP surface: routes, extractors, wire types and the request middleware. Handlers
//! translate between HTTP and one service call each; they hold no business rules.

pub mod auth;
pub mod body;
pub mod error;
pub mod extract;
pub mod handlers;
pub mod json;
pub mod middleware;
pub mod openapi;
pub mod operations;
pub mod paths;
pub mod starting;
pub mod wire;

use std::convert::Infallible;
use std::sync::Arc;

use axum::extract::{FromRef, Request};
use axum::handler::Handler;
use axum::response::{IntoResponse, Response};
use tower::ServiceExt;
use tower::util::BoxCloneSyncService;

use self::error::ApiError;
use self::handlers::{
    checker, console, control, events, functions, grants, iam, lifecycle, password, secrets, smn,
    tags, tasks, users, versions,
};
use self::operations::Classified;
use crate::auth::Authenticator;
use crate::clock::EmulatorClock;
use crate::control::faults::FaultRules;
use crate::control::journal::Journal;
use crate::control::metrics::Metrics;
use crate::control::request_log::{RequestLog, SUMMARY_EVERY, Tally};
use crate::error::CsmsError;
use crate::service::CsmsService;

/// What the router is built with besides the service.
#[derive(Debug, Clone)]
pub struct RouterSettings {
    pub body_limit: usize,
    /// How long a body may take to arrive.
    pub body_read_timeout: std::time::Duration,
    pub auth: Arc<Authenticator>,
    /// The project the IAM lookup answers with.
    pub project_id: String,
    pub clock: Arc<EmulatorClock>,
    pub journal: Arc<Journal>,
    pub faults: Arc<FaultRules>,
    pub metrics: Arc<Metrics>,
    /// Whether each request gets a log line (`--request-log`).
    pub request_log: RequestLog,
    pub smn: crate::smn::Smn,
}

/// The whole application: every operation of the table through one `dispatch` (CSMS, the IAM
/// project lookup, the emulator's own routes), the CSMS-shaped 404 for anything else
/// (docs/behaviour.md §5), authentication, a body limit, panic capture and the request
/// middleware, which classifies each request once.
#[must_use]
pub fn router(service: CsmsService, settings: RouterSettings) -> App {
    let body_rules = body::BodyRules {
        limit: settings.body_limit,
        timeout: settings.body_read_timeout,
    };
    let pipeline = middleware::Pipeline {
        observe: middleware::ObserveState {
            journal: Arc::clone(&settings.journal),
            metrics: Arc::clone(&settings.metrics),
            clock: Arc::clone(&settings.clock),
            request_log: settings.request_log,
            tally: Arc::new(Tally::new(SUMMARY_EVERY)),
        },
        body: body_rules,
        auth: auth::AuthState {
            authenticator: settings.auth,
            body: body_rules,
        },
        faults: Arc::clone(&settings.faults),
        durable: service.commits_wait_for_disk(),
    };
    let admin_state = control::AdminState {
        service: service.clone(),
        clock: settings.clock,
        journal: settings.journal,
        faults: settings.faults,
        metrics: settings.metrics,
        smn: settings.smn,
    };
    let handlers = Arc::new(Handlers {
        service,
        admin: admin_state,
        iam: iam::IamProject(settings.project_id),
    });
    App(Served::Ready(Arc::new(Application { pipeline, handlers })))
}

/// The whole HTTP application as one cheap handle: [`App::answer`] runs the request
/// middleware (classification, the body rules, authentication, faults, the log line, the
/// metrics and the journal), then `dispatch` under panic capture. The steps are plain
/// function calls rather than a stack of tower layers: each layer cost every request a
/// boxed future, a clone of the service below it and a copy of the request.
#[derive(Clone)]
pub struct App(Served);

#[derive(Clone)]
enum Served {
    Ready(Arc<Application>),
    /// Another service standing in for the application (the start-up gate's answers).
    StandIn(BoxCloneSyncService<Request, Response, Infallible>),
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self.0 {
            Served::Ready(_) => "App::Ready",
            Served::StandIn(_) => "App::StandIn",
        })
    }
}

impl App {
    /// A service that answers in the application's place.
    #[must_use]
    pub fn stand_in(service: BoxCloneSyncService<Request, Response, Infallible>) -> Self {
        Self(Served::StandIn(service))
    }

    /// Answers one request.
    pub async fn answer(&self, request: Request) -> Response {
        match &self.0 {
            Served::Ready(app) => app.answer(request).await,
            Served::StandIn(service) => match service.clone().oneshot(request).await {
                Ok(response) => response,
                Err(never) => match never {},
            },
        }
    }
}

/// `App` as a tower service, for tests and tools that drive it with `oneshot`.
impl tower::Service<Request> for App {
    type Response = Response;
    type Error = Infallible;
    type Future =
        std::pin::Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send + 'static>>;

    fn poll_ready(
        &mut self,
        _cx: &mut std::task::Context<'_>,
    ) -> std::task::Poll<Result<(), Infallible>> {
        std::task::Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request) -> Self::Future {
        let app = self.clone();
        Box::pin(async move { Ok(app.answer(request).await) })
    }
}

/// The request middleware's settings and the handlers' state.
struct Application {
    pipeline: middleware::Pipeline,
    handlers: Arc<Handlers>,
}

impl Application {
    async fn answer(&self, request: Request) -> Response {
        middleware::request_context(&self.pipeline, request, |request, classified| {
            let state = HandlerState {
                handlers: Arc::clone(&self.handlers),
                classified,
                body: self.pipeline.body,
            };
            dispatch(state, request)
        })
        .await
    }
}

/// What the handlers are called with: the CSMS service, and the control API's state.
struct Handlers {
    service: CsmsService,
    admin: control::AdminState,
    iam: iam::IamProject,
}

/// The state each handler runs with: [`Handlers`] behind one `Arc`, with the request's
/// classification and body rules for the extractors (see [`extract::RequestScope`]). A
/// handler's `State` takes only the part it reads.
#[derive(Clone)]
struct HandlerState {
    handlers: Arc<Handlers>,
    classified: Arc<Classified>,
    body: body::BodyRules,
}

impl extract::RequestScope for HandlerState {
    fn classified(&self) -> &Classified {
        &self.classified
    }

    fn body_rules(&self) -> body::BodyRules {
        self.body
    }
}

impl FromRef<HandlerState> for CsmsService {
    fn from_ref(state: &HandlerState) -> Self {
        state.handlers.service.clone()
    }
}

impl FromRef<HandlerState> for iam::IamProject {
    fn from_ref(state: &HandlerState) -> Self {
        state.handlers.iam.clone()
    }
}

impl FromRef<HandlerState> for control::AdminState {
    fn from_ref(state: &HandlerState) -> Self {
        state.handlers.admin.clone()
    }
}

/// A handler's answer under way: axum boxes each handler's future, so whichever handler
/// runs, the request's own future holds only this pointer.
type Answering = std::pin::Pin<Box<dyn Future<Output = Response> + Send>>;

/// Calls one handler with the request and the state it extracts from.
fn call<H, T>(handler: H, request: Request, state: HandlerState) -> Answering
where
    H: Handler<T, HandlerState, Future = Answering>,
{
    handler.call(request, state)
}

/// The one dispatch: the operation the middleware classified the request as (see
/// [`operations::classify`]) picks its handler; a request no operation fits gets the
/// CSMS-shaped 404 (docs/behaviour.md §5). The `match` is exhaustive, so an operation in
/// the table cannot go unserved.
///
/// It is a plain function returning the handler's boxed future, not an `async fn`: the
/// request would otherwise be held in, and moved with, every request's future.
fn dispatch(app: HandlerState, request: Request) -> Answering {
    use operations::Operation as O;
    let Some(operation) = app.classified.operation else {
        return Box::pin(std::future::ready(route_not_found(&request)));
    };
    match operation {
        O::CreateSecret => call(secrets::create_secret, request, app),
        O::ListSecrets => call(secrets::list_secrets, request, app),
        O::BatchImportSecrets => call(secrets::batch_import_secrets, request, app),
        O::BatchDeleteSecrets => call(secrets::batch_delete_secrets, request, app),
        O::UploadSecretBlob => call(lifecycle::upload_secret_blob, request, app),
        O::ShowSecretsConfig => call(checker::show_secrets_config, request, app),
        O::UpdateSecretsConfig => call(checker::update_secrets_config, request, app),
        O::CheckSecrets => call(checker::check_secrets, request, app),
        O::ShowSecret => call(secrets::show_secret, request, app),
        O::UpdateSecret => call(lifecycle::update_secret, request, app),
        O::DeleteSecret => call(lifecycle::delete_secret, request, app),
        O::CreateSecretVersion => call(versions::create_secret_version, request, app),
        O::ListSecretVersions => call(versions::list_secret_versions, request, app),
        O::ShowSecretVersion => call(versions::show_secret_version, request, app),
        O::UpdateVersion => call(versions::update_version, request, app),
        O::ShowSecretStage => call(versions::show_secret_stage, request, app),
        O::UpdateSecretStage => call(versions::update_secret_stage, request, app),
        O::DeleteSecretStage => call(versions::delete_secret_stage, request, app),
        O::DeleteSecretForSchedule => call(lifecycle::delete_secret_for_schedule, request, app),
        O::RestoreSecret => call(lifecycle::restore_secret, request, app),
        O::DownloadSecretBlob => call(lifecycle::download_secret_blob, request, app),
        O::RotateSecret => call(lifecycle::rotate_secret, request, app),
        O::GenerateRandomPassword => call(password::generate_random_password, request, app),
        O::ListProjectSecretsTags => call(tags::list_project_secrets_tags, request, app),
        O::ListSecretTask => call(tasks::list_secret_tasks, request, app),
        O::ListNotificationRecords => call(tasks::list_notification_records, request, app),
        O::CreateSecretEvent => call(events::create_secret_event, request, app),
        O::ListSecretEvents => call(events::list_secret_events, request, app),
        O::ShowSecretEvent => call(events::show_secret_event, request, app),
        O::UpdateSecretEvent => call(events::update_secret_event, request, app),
        O::DeleteSecretEvent => call(events::delete_secret_event, request, app),
        O::CreateGrants => call(grants::create_grants, request, app),
        O::ListGrants => call(grants::list_grants, request, app),
        O::UpdateGrant => call(grants::update_grant, request, app),
        O::DeleteGrant => call(grants::delete_grant, request, app),
        O::ListResourceInstances => call(tags::list_resource_instances, request, app),
        O::CreateSecretTag => call(tags::create_secret_tag, request, app),
        O::ListSecretTags => call(tags::list_secret_tags, request, app),
        O::BatchCreateOrDeleteTags => call(tags::batch_create_or_delete_tags, request, app),
        O::DeleteSecretTag => call(tags::delete_secret_tag, request, app),
        O::CreateAgency => call(functions::create_agency, request, app),
        O::ShowAgency => call(functions::show_agency, request, app),
        O::ListUsers => call(users::list_users, request, app),
        O::UpdateUserPassword => call(users::update_user_password, request, app),
        O::ShowUserDetail => call(users::show_user_detail, request, app),
        O::ShowSecretFunctionTemplates => {
            call(functions::show_secret_function_templates, request, app)
        }
        O::KeystoneListProjects => call(iam::list_projects, request, app),
        O::EmulatorHealth => call(control::health, request, app),
        O::EmulatorReady => call(control::ready, request, app),
        O::EmulatorShowClock => call(control::show_clock, request, app),
        O::EmulatorSetClock => call(control::set_clock, request, app),
        O::EmulatorSetSecretState => call(control::set_secret_state, request, app),
        O::EmulatorListFaults => call(control::list_faults, request, app),
        O::EmulatorAddFault => call(control::add_fault, request, app),
        O::EmulatorClearFaults => call(control::clear_faults, request, app),
        O::EmulatorDeleteFault => call(control::delete_fault, request, app),
        O::EmulatorJournal => call(control::journal, request, app),
        O::EmulatorClearJournal => call(control::clear_journal, request, app),
        O::EmulatorMetrics => call(control::metrics, request, app),
        O::EmulatorExport => call(control::export, request, app),
        O::EmulatorReset => call(control::reset, request, app),
        O::EmulatorSeed => call(control::seed, request, app),
        O::EmulatorOpenApi => call(control::openapi, request, app),
        O::EmulatorSmnSigningCert => call(smn::signing_cert, request, app),
        O::EmulatorListSmnSubscriptions => call(smn::list_subscriptions, request, app),
        O::EmulatorAddSmnSubscription => call(smn::add_subscription, request, app),
        O::EmulatorDeleteSmnSubscription => call(smn::delete_subscription, request, app),
        O::EmulatorListSmnDeliveries => call(smn::list_deliveries, request, app),
        O::EmulatorListProjects => call(console::list_projects, request, app),
        O::EmulatorBrowseSecrets => call(console::browse_secrets, request, app),
        O::EmulatorConsoleRedirect => call(console::to_console, request, app),
        O::EmulatorConsole => call(console::index, request, app),
        O::EmulatorConsoleAsset => call(console::asset, request, app),
    }
}

/// Any path or method the API does not define: 404 `APIGW.0101` (docs/behaviour.md §5).
fn route_not_found(request: &Request) -> Response {
    let (method, uri) = (request.method(), request.uri());
    if console::is_browser_navigation(method, uri, request.headers()) {
        return console::redirect_browser();
    }
    ApiError(CsmsError::RouteNotFound {
        method: method.to_string(),
        path: uri.path().to_owned(),
    })
    .into_response()
}
