//! The `csms-emulator` binary: parse configuration, set up logging, bind, serve HTTP (and
//! HTTPS when asked) until Ctrl-C or SIGTERM.

use std::process::ExitCode;
use std::sync::Arc;
use std::time::Duration;

use clap::Parser;
use csms_emulator::api::starting::Gate;
use csms_emulator::clock::{Clock, EmulatorClock};
use csms_emulator::config::{Command, Config};
use csms_emulator::fixture_file;
use csms_emulator::server::{self, Timeouts};
use csms_emulator::service::{CsmsService, Seeded, check_fixture};
use csms_emulator::store::Store;
use csms_emulator::store::memory::MemoryStore;
use csms_emulator::store::sqlite::SqliteStore;
use csms_emulator::tls::{self, TlsSource};
use csms_emulator::{app, healthcheck, telemetry};
use tokio::net::TcpListener;
use tokio::sync::watch;

/// mimalloc instead of the C library's allocator: a request allocates a few dozen small
/// objects across worker threads, where glibc's and musl's allocators spend a sixth of the
/// time (perf, `bench/run.sh`). Built with `no_thp`: mimalloc otherwise asks for
/// transparent huge pages, and zeroing them made a 1M-secret restart spend 7 s in the
/// kernel instead of 1.4 s (`perf stat`, see issue 25's note).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    let config = Config::parse();
    if let Some(Command::Healthcheck { url, timeout }) = &config.command {
        let url = url
            .clone()
            .unwrap_or_else(|| healthcheck::default_url(config.listen));
        return healthcheck(&url, *timeout);
    }
    // A durable write does not hold its worker while it waits for the disk (see
    // `store::durability`), so the default of one worker per core serves both stores.
    let mut runtime = tokio::runtime::Builder::new_multi_thread();
    if let Some(workers) = config.workers {
        runtime.worker_threads(usize::from(workers));
    }
    match runtime.enable_all().build() {
        Ok(runtime) => runtime.block_on(run(config)),
        Err(err) => {
            eprintln!("cannot start the runtime: {err}");
            ExitCode::FAILURE
        }
    }
}

/// `csms-emulator healthcheck`: one probe on a small runtime of its own.
fn healthcheck(url: &str, timeout: Duration) -> ExitCode {
    let probed = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| e.to_string())
        .and_then(|runtime| runtime.block_on(healthcheck::probe(url, timeout)));
    match probed {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) => {
            eprintln!("unhealthy: {err}");
            ExitCode::FAILURE
        }
    }
}

async fn run(config: Config) -> ExitCode {
    let log_writer = telemetry::init();
    // Before anything else, so a SIGTERM that comes while the store loads, or just after
    // the serving line, stops the emulator gracefully instead of killing it outright.
    let shutdown = match Shutdown::listen(config.exit_on_stdin_close) {
        Ok(shutdown) => shutdown,
        Err(err) => {
            tracing::error!(%err, "cannot listen for signals");
            return ExitCode::FAILURE;
        }
    };
    let listener = match TcpListener::bind(config.listen).await {
        Ok(listener) => listener,
        Err(err) => {
            tracing::error!(listen = %config.listen, %err, "cannot bind the listen address");
            return ExitCode::FAILURE;
        }
    };
    let local = listener
        .local_addr()
        .map_or_else(|_| config.listen.to_string(), |a| a.to_string());
    // Serve at once: while the state loads, requests are answered 503 (health 200), never
    // left waiting on a bound port that does not answer (api::starting).
    let gate = Gate::new();
    let (stop, stopped) = watch::channel(false);
    let stop = Arc::new(stop);
    let http = tokio::spawn({
        let gate = Arc::clone(&gate);
        server::serve_with(
            listener,
            move || gate.current(),
            None,
            timeouts(&config),
            wait_for(stopped.clone()),
        )
    });
    tokio::spawn({
        let stop = Arc::clone(&stop);
        async move {
            shutdown.requested().await;
            let _ = stop.send(true);
        }
    });
    // The serving line below says the state is loaded; this one, that requests are
    // answered (503 until then).
    tracing::info!(listen = %local, "csms-emulator listening; loading the state");
    if let Some(writer) = &log_writer {
        writer.flush_soon();
    }
    let clock = Arc::new(EmulatorClock::new());
    let config = with_public_url(config, &local);
    let loaded = tokio::select! {
        loaded = load_state(config.clone(), Arc::clone(&clock)) => loaded,
        () = wait_for(stopped.clone()) => {
            // Stopped before the state was loaded: nothing was served, nothing to keep.
            tracing::info!("stopped while loading");
            return finish(http.await, Ok(()));
        }
    };
    let (built, kind) = match loaded {
        Ok(loaded) => loaded,
        Err(err) => {
            tracing::error!(%err, "cannot load the state");
            let _ = stop.send(true);
            let _ = http.await;
            return ExitCode::FAILURE;
        }
    };
    let (service, router) = start_background(built, &config);
    let https = match config.tls_source() {
        Some(source) => match start_tls(&config, &source, router.clone(), stopped.clone()).await {
            Ok(server) => Some(server),
            Err(err) => {
                tracing::error!(%err, "cannot start HTTPS");
                let _ = stop.send(true);
                let _ = http.await;
                return ExitCode::FAILURE;
            }
        },
        None => None,
    };
    // Ready only now: HTTPS, when asked for, serves and its certificate is written.
    gate.open(router);
    // The workers the runtime runs: `--workers`, else tokio's default (one per core, or
    // `TOKIO_WORKER_THREADS`).
    let workers = tokio::runtime::Handle::current().metrics().num_workers();
    tracing::info!(listen = %local, store = kind, workers, "csms-emulator serving");
    // A launcher that started us on port 0 waits for this line to learn the address.
    if let Some(writer) = &log_writer {
        writer.flush_soon();
    }
    let http = http.await;
    let https = match https {
        Some(server) => server
            .await
            .unwrap_or_else(|e| Err(std::io::Error::other(e))),
        None => Ok(()),
    };
    // Reads mark `last_used_time` without writing; a clean stop keeps them (§48).
    if config.data_dir.is_some() {
        match service.keep_read_marks() {
            Ok(0) => {}
            Ok(secrets) => tracing::info!(secrets, "kept the last value-read times"),
            Err(err) => tracing::error!(%err, "cannot keep the last value-read times"),
        }
    }
    finish(http, https)
}

/// The exit code once the servers ended.
fn finish(
    http: Result<std::io::Result<()>, tokio::task::JoinError>,
    https: std::io::Result<()>,
) -> ExitCode {
    let http = http.unwrap_or_else(|e| Err(std::io::Error::other(e)));
    match http.and(https) {
        Ok(()) => {
            tracing::info!("stopped");
            ExitCode::SUCCESS
        }
        Err(err) => {
            tracing::error!(%err, "server failed");
            ExitCode::FAILURE
        }
    }
}

/// Opens the store, restores the clock and loads the seed, on a thread of its own: the
/// runtime keeps answering (503) meanwhile, and a stop asked for meanwhile need not wait
/// for it (the thread dies with the process). Returns the service, its application and
/// the store's kind.
/// Starts the SMN deliveries and the sweep of due work; returns the service and the
/// application to serve.
fn start_background(built: app::Built, config: &Config) -> (CsmsService, csms_emulator::api::App) {
    let _deliverer = built.smn.spawn(built.service.clone());
    let _sweeper = app::spawn_sweeper(
        built.service.clone(),
        Duration::from_millis(config.sweep_interval_ms.max(10)),
    );
    (built.service, built.app)
}

/// SMN messages name the emulator's own routes: without `--public-url`, at the address
/// actually bound (a `:0` port is known only now).
fn with_public_url(mut config: Config, local: &str) -> Config {
    if config.public_url.is_none() {
        if let Ok(addr) = local.parse() {
            config.public_url = Some(csms_emulator::smn::default_public_url(addr));
        }
    }
    config
}

async fn load_state(
    config: Config,
    clock: Arc<EmulatorClock>,
) -> Result<(app::Built, &'static str), String> {
    let (done, loaded) = tokio::sync::oneshot::channel();
    std::thread::Builder::new()
        .name("csms-load".into())
        .spawn(move || {
            let _ = done.send(load_state_now(&config, &clock));
        })
        .map_err(|e| format!("cannot start the loading thread: {e}"))?;
    loaded
        .await
        .map_err(|_| "the loading thread ended without an answer".to_owned())?
}

fn load_state_now(
    config: &Config,
    clock: &Arc<EmulatorClock>,
) -> Result<(app::Built, &'static str), String> {
    let (store, kind): (Arc<dyn Store>, &'static str) = match &config.data_dir {
        Some(dir) => {
            let master_key = std::env::var("CSMS_MASTER_KEY").ok();
            let store = SqliteStore::open(dir, master_key.as_deref()).map_err(|err| {
                format!("cannot open the data directory {}: {err}", dir.display())
            })?;
            (Arc::new(store), "persistent store")
        }
        None => (Arc::new(MemoryStore::new()), "in-memory store"),
    };
    let built = app::build_service(config, store, Arc::clone(clock));
    built
        .service
        .restore_clock(clock)
        .map_err(|err| format!("cannot restore the clock: {err}"))?;
    if let Some(seed) = &config.seed {
        load_seed(&built.service, seed, &**clock)
            .map_err(|err| format!("cannot load the seed: {err}"))?;
    }
    Ok((built, kind))
}

/// Loads every fixture file `path` names, stopping at the first invalid one.
fn load_seed(
    service: &csms_emulator::service::CsmsService,
    path: &std::path::Path,
    clock: &dyn Clock,
) -> Result<(), String> {
    let mut checked = Vec::new();
    for file in fixture_file::files(path)? {
        let label = format!("seed {}", file.display());
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{label}: {e}"))?;
        let parsed = fixture_file::parse(&text, &file, clock.now_ms())?;
        checked.push(check_fixture(&label, parsed)?);
    }
    match service.seed(checked)? {
        Seeded::Loaded(secrets) => tracing::info!(seed = %path.display(), secrets, "seed loaded"),
        Seeded::KeptExistingState => tracing::info!(
            seed = %path.display(),
            "the data directory holds state from an earlier run; the seed was checked, not loaded"
        ),
    }
    Ok(())
}

/// Binds the HTTPS address and serves it in the background.
async fn start_tls(
    config: &Config,
    source: &TlsSource,
    router: csms_emulator::api::App,
    stopped: watch::Receiver<bool>,
) -> Result<tokio::task::JoinHandle<std::io::Result<()>>, String> {
    let (cert, key) = tls::load_pem(source).map_err(|e| e.to_string())?;
    let tls_config = tls::server_config(&cert, &key).map_err(|e| e.to_string())?;
    if let TlsSource::SelfSigned { cert_out, .. } = source {
        tracing::info!(
            certificate = %cert_out.display(),
            "self-signed certificate written; trust it in clients"
        );
    }
    let listener = TcpListener::bind(config.tls_listen)
        .await
        .map_err(|e| format!("cannot bind {}: {e}", config.tls_listen))?;
    tracing::info!(listen = %config.tls_listen, "serving HTTPS");
    Ok(tokio::spawn(server::serve(
        listener,
        router,
        Some(tls_config),
        timeouts(config),
        wait_for(stopped),
    )))
}

/// The connection timeouts the configuration asks for.
fn timeouts(config: &Config) -> Timeouts {
    Timeouts {
        header_read: config.header_read_timeout,
        idle: config.idle_timeout,
    }
}

/// Completes when the stop flag is raised.
async fn wait_for(mut stopped: watch::Receiver<bool>) {
    let _ = stopped.wait_for(|stop| *stop).await;
}

/// What stops the emulator gracefully: Ctrl-C, SIGTERM and, when asked, the end of standard
/// input. The signal handlers are installed when this is made, not when it is awaited.
struct Shutdown {
    #[cfg(unix)]
    interrupt: tokio::signal::unix::Signal,
    #[cfg(unix)]
    terminate: tokio::signal::unix::Signal,
    watch_stdin: bool,
}

impl Shutdown {
    fn listen(watch_stdin: bool) -> std::io::Result<Self> {
        #[cfg(unix)]
        {
            use tokio::signal::unix::{SignalKind, signal};
            Ok(Self {
                interrupt: signal(SignalKind::interrupt())?,
                terminate: signal(SignalKind::terminate())?,
                watch_stdin,
            })
        }
        #[cfg(not(unix))]
        Ok(Self { watch_stdin })
    }

    /// Completes once a stop was asked for.
    async fn requested(mut self) {
        let stdin_closed = async {
            if self.watch_stdin {
                stdin_closed().await;
            } else {
                std::future::pending::<()>().await;
            }
        };
        #[cfg(unix)]
        let signals = async {
            tokio::select! {
                _ = self.interrupt.recv() => {},
                _ = self.terminate.recv() => {},
            }
        };
        #[cfg(not(unix))]
        let signals = async {
            if tokio::signal::ctrl_c().await.is_err() {
                std::future::pending::<()>().await;
            }
        };
        tokio::select! {
            () = signals => {},
            () = stdin_closed => tracing::info!("standard input closed"),
        }
        tracing::info!("shutting down");
    }
}

/// Completes when standard input reaches its end or fails: the launcher holding its other
/// end has gone, however it ended. A plain thread reads it, because a blocking read on the
/// runtime's blocking pool would hold up the runtime's shutdown until input arrives.
async fn stdin_closed() {
    let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
    let spawned = std::thread::Builder::new()
        .name("csms-stdin-watch".into())
        .spawn(move || {
            let mut sink = [0_u8; 256];
            let mut stdin = std::io::stdin().lock();
            // Whatever arrives is ignored; only the end (or a failure) matters.
            loop {
                match std::io::Read::read(&mut stdin, &mut sink) {
                    Ok(0) => break,
                    Err(err) if err.kind() != std::io::ErrorKind::Interrupted => break,
                    _ => {}
                }
            }
            let _ = closed.send(());
        });
    match spawned {
        Ok(_) => {
            let _ = on_close.await;
        }
        Err(err) => {
            tracing::error!(%err, "cannot watch standard input; only signals stop the emulator");
            std::future::pending::<()>().await;
        }
    }
}
