//! The delivery loop (docs/behaviour.md §56): woken after each commit that left a record
//! pending (and every [`SCAN_EVERY`] regardless), it hands each pending record to the
//! worker of its secret, so one secret's messages go out in commit order while other
//! secrets' go on beside them. A worker delivers to every subscription of the record's
//! topic with bounded retries, then settles the record `SUCCESS` or `FAIL`; for a task
//! left `ROTATING` it calls the rotation function once and settles the task from the
//! answer (§59).

use std::collections::HashMap;
use std::sync::PoisonError;
use std::time::{Duration, Instant};

use axum::http::Method;
use tokio::sync::mpsc;

use crate::control::faults::{FaultAction, ROTATION_FUNCTION, SMN_DELIVERY};
use crate::control::journal::JournalEntry;
use crate::domain::event::NotificationStatus;
use crate::service::{CsmsService, PendingNotification, PendingRotation, iso_seconds};

use super::subscriptions::Subscription;
use super::{ATTEMPTS_KEPT, DeliveryAttempt, FIRST_BACKOFF, Smn};
use crate::http_client as client;

/// How often the loop looks for pending records without being woken: records left by a
/// settle that failed, or pending when the process started.
pub const SCAN_EVERY: Duration = Duration::from_secs(2);
/// The least time between two scans: under a stream of writes, wakes arrive faster than
/// a scan of every pending record should run, and the records of the commits in between
/// are found by the next scan anyway.
pub const SCAN_GAP: Duration = Duration::from_millis(50);

/// What a secret's worker does next.
#[derive(Debug)]
enum Work {
    Deliver(PendingNotification),
    Rotate(PendingRotation),
}

impl Work {
    fn id(&self) -> uuid::Uuid {
        match self {
            Self::Deliver(item) => item.record.id,
            Self::Rotate(item) => item.task.id,
        }
    }

    fn key(&self) -> (String, String) {
        match self {
            Self::Deliver(item) => (item.project.to_string(), item.record.secret_name.clone()),
            Self::Rotate(item) => (item.project.to_string(), item.task.secret_name.clone()),
        }
    }
}

type Worker = mpsc::UnboundedSender<Work>;

impl Smn {
    /// Starts delivering `service`'s pending notifications, for as long as the runtime
    /// lives. Records left pending by an earlier run go first.
    #[allow(clippy::must_use_candidate)] // the handle may be dropped: the task runs on
    pub fn spawn(&self, service: CsmsService) -> tokio::task::JoinHandle<()> {
        let smn = self.clone();
        tokio::spawn(async move { smn.run(service).await })
    }

    async fn run(self, service: CsmsService) {
        let mut workers: HashMap<(String, String), Worker> = HashMap::new();
        loop {
            let scan = {
                let (service, smn) = (service.clone(), self.clone());
                tokio::task::spawn_blocking(move || {
                    // One lock for the whole scan: workers wait for it only to release.
                    let inflight = smn
                        .0
                        .inflight
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner);
                    let held = |id| inflight.contains(&id);
                    let mut work: Vec<Work> = service
                        .pending_notifications(&held)?
                        .into_iter()
                        .map(Work::Deliver)
                        .collect();
                    work.extend(
                        service
                            .pending_rotations(&held)?
                            .into_iter()
                            .map(Work::Rotate),
                    );
                    Ok::<_, crate::error::CsmsError>(work)
                })
                .await
            };
            match scan {
                Ok(Ok(pending)) => self.dispatch(&service, &mut workers, pending),
                Ok(Err(err)) => tracing::error!(%err, "cannot read pending notifications"),
                Err(err) => tracing::error!(%err, "the pending scan stopped"),
            }
            tokio::time::sleep(SCAN_GAP).await;
            tokio::select! {
                () = self.0.wake.notified() => {}
                () = tokio::time::sleep(SCAN_EVERY) => {}
            }
        }
    }

    fn dispatch(
        &self,
        service: &CsmsService,
        workers: &mut HashMap<(String, String), Worker>,
        pending: Vec<Work>,
    ) {
        for item in pending {
            let fresh = self
                .0
                .inflight
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .insert(item.id());
            if !fresh {
                continue;
            }
            let worker = workers
                .entry(item.key())
                .or_insert_with(|| self.start_worker(service.clone()));
            if let Err(mpsc::error::SendError(item)) = worker.send(item) {
                // The worker ended (its task panicked): the next scan starts another.
                self.release(item.id());
            }
        }
        workers.retain(|_, worker| !worker.is_closed());
    }

    fn start_worker(&self, service: CsmsService) -> Worker {
        let (sender, mut queue) = mpsc::unbounded_channel::<Work>();
        let smn = self.clone();
        tokio::spawn(async move {
            while let Some(work) = queue.recv().await {
                let item = match work {
                    Work::Deliver(item) => item,
                    Work::Rotate(item) => {
                        smn.rotate(&service, &item).await;
                        smn.release(item.task.id);
                        continue;
                    }
                };
                let status = smn.deliver_record(&item).await;
                let id = item.record.id;
                let project = item.project.clone();
                let settled = {
                    let service = service.clone();
                    tokio::task::spawn_blocking(move || {
                        service.settle_notification(&project, id, status)
                    })
                    .await
                };
                match settled {
                    Ok(Ok(())) => smn.0.metrics.observe_delivery(status.as_str()),
                    Ok(Err(err)) => {
                        tracing::error!(%err, message_id = %id.simple(), "cannot settle a notification; it will be delivered again");
                    }
                    Err(err) => tracing::error!(%err, "settling stopped"),
                }
                smn.release(id);
            }
        });
        sender
    }

    fn release(&self, id: uuid::Uuid) {
        self.0
            .inflight
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id);
    }

    /// Delivers one record to every subscription of its topic: `SUCCESS` when each took
    /// it (or the topic has none left), else `FAIL`.
    async fn deliver_record(&self, item: &PendingNotification) -> NotificationStatus {
        let mut delivered = true;
        for subscription in self.0.subscriptions.of_topic(&item.record.target_id) {
            delivered &= self.deliver_to(item, &subscription).await;
        }
        if delivered {
            NotificationStatus::Success
        } else {
            NotificationStatus::Fail
        }
    }

    /// The signed `Notification` body for one subscription.
    async fn body_for(
        &self,
        item: &PendingNotification,
        subscription: &Subscription,
    ) -> Result<String, String> {
        let record = &item.record;
        let message_id = record.id.simple().to_string();
        let timestamp = iso_seconds(record.create_time);
        let signer = self.signer().await?;
        let signature = signer.sign(&[
            ("message", &record.content),
            ("message_id", &message_id),
            ("subject", &record.subject),
            ("timestamp", &timestamp),
            ("topic_urn", &record.target_id),
            ("type", "Notification"),
        ])?;
        let body = serde_json::json!({
            "type": "Notification",
            "message_id": message_id,
            "topic_urn": record.target_id,
            "subject": record.subject,
            "message": record.content,
            "timestamp": timestamp,
            "signature_version": "v1",
            "signature": signature,
            "signing_cert_url": self.signing_cert_url(),
            "unsubscribe_url": self.unsubscribe_url(&subscription.subscription_urn),
        });
        Ok(body.to_string())
    }

    /// Up to the configured number of attempts, waiting [`FIRST_BACKOFF`], then twice as
    /// long each time, between them. Returns whether one succeeded.
    async fn deliver_to(&self, item: &PendingNotification, subscription: &Subscription) -> bool {
        let attempts = self.0.settings.attempts.max(1);
        let mut backoff = FIRST_BACKOFF;
        for attempt in 1..=attempts {
            let started = Instant::now();
            let outcome = self.attempt(item, subscription).await;
            let delivered = matches!(outcome, Ok(status) if (200..300).contains(&status));
            self.note(item, subscription, attempt, &outcome, started.elapsed());
            if delivered {
                return true;
            }
            if attempt < attempts {
                tokio::time::sleep(backoff).await;
                backoff = backoff.saturating_mul(2);
            }
        }
        false
    }

    /// One attempt: fault rules naming `SmnDelivery` first (§58), then the POST.
    async fn attempt(
        &self,
        item: &PendingNotification,
        subscription: &Subscription,
    ) -> Result<u16, String> {
        let project = item.project.to_string();
        for action in
            self.0
                .faults
                .check(SMN_DELIVERY, Some(&project), Some(&item.record.secret_name))
        {
            match action {
                FaultAction::Error { status, .. } => return Ok(status),
                FaultAction::Latency { latency_ms } => {
                    tokio::time::sleep(Duration::from_millis(latency_ms)).await;
                }
            }
        }
        let body = self.body_for(item, subscription).await?;
        let headers = [
            ("x-smn-message-type", "Notification".to_owned()),
            ("x-smn-message-id", item.record.id.simple().to_string()),
            ("x-smn-topic-urn", item.record.target_id.clone()),
            (
                "x-smn-subscription-urn",
                subscription.subscription_urn.clone(),
            ),
        ];
        client::post_json(
            &subscription.endpoint,
            &headers,
            body,
            self.0.settings.timeout,
        )
        .await
        .map(|answer| answer.status)
    }

    /// Puts one attempt in the journal, the metrics, the attempt list and the log.
    fn note(
        &self,
        item: &PendingNotification,
        subscription: &Subscription,
        attempt: u32,
        outcome: &Result<u16, String>,
        took: Duration,
    ) {
        let (status, error) = match outcome {
            Ok(status) if (200..300).contains(status) => (Some(*status), None),
            Ok(status) => (Some(*status), Some(format!("answered {status}"))),
            Err(reason) => (None, Some(reason.clone())),
        };
        let delivered = error.is_none();
        let now = self.0.clock.now_ms();
        self.0.metrics.observe_delivery_attempt(delivered);
        self.0.journal.record(JournalEntry {
            time: now,
            method: Method::POST,
            operation: SMN_DELIVERY,
            project: Some(item.project.to_string()),
            secret: Some(item.record.secret_name.clone()),
            status: status.unwrap_or(0),
            error_code: error.clone(),
            request_id: item.record.id.simple(),
            latency_us: u64::try_from(took.as_micros()).unwrap_or(u64::MAX),
        });
        if delivered {
            tracing::info!(message_id = %item.record.id.simple(), endpoint = %subscription.endpoint, attempt, "SMN message delivered");
        } else {
            tracing::warn!(message_id = %item.record.id.simple(), endpoint = %subscription.endpoint, attempt, error = error.as_deref().unwrap_or(""), "SMN delivery attempt failed");
        }
        let mut attempts = self
            .0
            .attempts
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if attempts.len() == ATTEMPTS_KEPT {
            attempts.pop_front();
        }
        attempts.push_back(DeliveryAttempt {
            time: now,
            message_id: item.record.id.simple().to_string(),
            project: item.project.to_string(),
            secret_name: item.record.secret_name.clone(),
            event_type: item.record.trigger_event_type.as_str(),
            topic_urn: item.record.target_id.clone(),
            subscription_urn: subscription.subscription_urn.clone(),
            endpoint: subscription.endpoint.clone(),
            attempt,
            status,
            error,
            delivered,
        });
    }

    /// Calls the rotation function of a `ROTATING` task once and settles the task from
    /// its answer.
    async fn rotate(&self, service: &CsmsService, item: &PendingRotation) {
        let started = Instant::now();
        let outcome = self.call_function(service, item).await;
        let status = match &outcome {
            Ok(status) => *status,
            Err(_) => 0,
        };
        let outcome = match outcome {
            Ok(status) if (200..300).contains(&status) => Ok(()),
            Ok(status) => Err(format!("the rotation function answered HTTP {status}")),
            Err(reason) => Err(format!("the rotation function failed: {reason}")),
        };
        self.0.journal.record(JournalEntry {
            time: self.0.clock.now_ms(),
            method: Method::POST,
            operation: ROTATION_FUNCTION,
            project: Some(item.project.to_string()),
            secret: Some(item.task.secret_name.clone()),
            status,
            error_code: outcome.as_ref().err().cloned(),
            request_id: item.task.id.simple(),
            latency_us: u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX),
        });
        match &outcome {
            Ok(()) => {
                tracing::info!(task = %item.task.id, secret = %item.task.secret_name, "rotation function succeeded");
            }
            Err(reason) => {
                tracing::warn!(task = %item.task.id, secret = %item.task.secret_name, %reason, "rotation function failed");
            }
        }
        let finished = {
            let (service, project, task) =
                (service.clone(), item.project.clone(), item.task.clone());
            tokio::task::spawn_blocking(move || service.finish_rotation(&project, &task, outcome))
                .await
        };
        match finished {
            Ok(Ok(())) => {}
            Ok(Err(err)) => {
                tracing::error!(%err, task = %item.task.id, "cannot settle a rotation task; its function will be called again");
            }
            Err(err) => tracing::error!(%err, "settling a rotation stopped"),
        }
    }

    /// One call of the function mapped to the task's URN: fault rules naming
    /// `RotationFunction` first (§58), then the POST. The endpoint's status, or why none.
    async fn call_function(
        &self,
        service: &CsmsService,
        item: &PendingRotation,
    ) -> Result<u16, String> {
        let urn = item.task.rotation_func_urn.clone().unwrap_or_default();
        let endpoint = self
            .0
            .settings
            .functions
            .get(&urn)
            .cloned()
            .ok_or("no endpoint is mapped to this rotation_func_urn")?;
        let project = item.project.to_string();
        for action in self.0.faults.check(
            ROTATION_FUNCTION,
            Some(&project),
            Some(&item.task.secret_name),
        ) {
            match action {
                FaultAction::Error { status, .. } => return Ok(status),
                FaultAction::Latency { latency_ms } => {
                    tokio::time::sleep(Duration::from_millis(latency_ms)).await;
                }
            }
        }
        let call = {
            let (service, project, task) =
                (service.clone(), item.project.clone(), item.task.clone());
            tokio::task::spawn_blocking(move || service.rotation_call(&project, &task))
                .await
                .map_err(|e| e.to_string())?
                .map_err(|e| e.to_string())?
                .ok_or("the secret no longer exists")?
        };
        let body = serde_json::json!({
            "project_id": project,
            "secret_name": call.secret_name,
            "secret_id": call.secret_id.to_string(),
            "secret_type": call.secret_type,
            "rotation_config": call.rotation_config,
            "rotation_func_urn": urn,
            "rotation_task_id": item.task.id.to_string(),
            "version_id": call.version_id,
            "task_time": iso_seconds(item.task.time),
            "csms_endpoint": self.0.settings.public_url,
        });
        let headers = [("x-cff-request-id", item.task.id.to_string())];
        client::post_json(
            &endpoint,
            &headers,
            body.to_string(),
            self.0.settings.function_timeout,
        )
        .await
        .map(|answer| answer.status)
    }
}
