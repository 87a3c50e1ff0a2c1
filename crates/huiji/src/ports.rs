//! The providers behind the ports to the outside, as configured: where SMS go and who
//! answers the real-name check.

use std::sync::Arc;

use huiji_app::App;
use huiji_app::real_name::{HttpRealName, RealNameProvider};
use huiji_app::sms::HttpGatewaySms;

use crate::config::Settings;
use crate::error::CommandError;

/// `app` with the configured SMS gateway (else the outbox it has) and real-name service
/// (else `default_real_name`: the demo's offline register, or none).
pub fn connect(
    mut app: App,
    settings: &Settings,
    default_real_name: Option<Arc<dyn RealNameProvider>>,
) -> Result<App, CommandError> {
    let invalid = |e: &dyn std::fmt::Display| CommandError::InvalidArgument(e.to_string());
    if let Some(url) = &settings.sms_gateway_url {
        let token = settings.sms_gateway_token.as_ref().map(|t| t.expose().to_owned());
        let gateway = HttpGatewaySms::new(url, token).map_err(|e| invalid(&e))?;
        app = app.with_sms(Arc::new(gateway));
        tracing::info!(%url, "SMS through the HTTP gateway");
    }
    let real_name = match &settings.real_name_url {
        Some(url) => {
            let token = settings.real_name_token.as_ref().map(|t| t.expose().to_owned());
            let service = HttpRealName::new(url, token).map_err(|e| invalid(&e))?;
            tracing::info!(%url, "real-name check through the HTTP service");
            Some(Arc::new(service) as Arc<dyn RealNameProvider>)
        }
        None => default_real_name,
    };
    // Two instances, one database: rate limits shared through Redis.
    if let Some(url) = &settings.redis_url {
        let shared = huiji_app::limits::SharedLimits::new(url.expose(), &settings.redis_prefix)
            .map_err(|e| invalid(&e))?;
        app = app.with_shared_limits(Arc::new(shared));
        tracing::info!("rate limits kept in Redis, shared by every instance using it");
    }
    Ok(match real_name {
        Some(provider) => app.with_real_name(provider),
        None => app,
    })
}
