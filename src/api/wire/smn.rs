//! SMN control wire types: the subscription body and the subscription and delivery lists.

use serde::{Deserialize, Serialize};

use super::input::required;
use crate::error::CsmsError;
use crate::smn::DeliveryAttempt;
use crate::smn::subscriptions::{Subscription, SubscriptionSpec};

#[derive(Debug, Serialize)]
pub struct SubscriptionsDto {
    pub subscriptions: Vec<Subscription>,
}

/// The body of `POST /_emulator/smn/subscriptions`.
#[derive(Debug, Default, Deserialize, schemars::JsonSchema)]
pub struct SubscriptionBody {
    /// The topic, as an event's `notification.target_id` names it.
    #[schemars(required, regex(pattern = r"^[a-zA-Z0-9\-._:]{1,256}$"))]
    pub topic_urn: Option<String>,
    /// A plain `http://` URL with a host (the pattern describes the usual shape; any URL
    /// `http://` and a host make is taken).
    #[schemars(
        required,
        regex(
            pattern = r"^http://[a-z0-9]{1,20}(\.[a-z0-9]{1,20}){0,3}(:[1-9][0-9]{0,3})?(/[A-Za-z0-9._~-]{0,20}){0,4}$"
        )
    )]
    pub endpoint: Option<String>,
}

impl SubscriptionBody {
    /// The subscription asked for: a topic and a plain `http://` endpoint.
    pub fn parse(self) -> Result<SubscriptionSpec, CsmsError> {
        let topic = required(self.topic_urn, "topic_urn")?;
        let endpoint = required(self.endpoint, "endpoint")?;
        SubscriptionSpec::new(&topic, &endpoint)
            .map_err(|rule| CsmsError::invalid("subscription", rule))
    }
}

#[derive(Debug, Serialize)]
pub struct DeliveriesDto {
    pub deliveries: Vec<DeliveryAttempt>,
}
