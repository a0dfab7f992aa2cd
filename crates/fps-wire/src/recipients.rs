//! GetRecipientVerificationStatus (API 2010-08-28), typed: whether the account behind a
//! recipient token is verified, and with or without FPS's receiving limits.

use serde::Deserialize;

use super::client::{FpsClient, Timestamp};
use super::error::FpsError;
use super::request::Action;
use super::response::{parse_success, quoted};
use super::token_queries::malformed;
use super::vocabulary::ActionName;

/// A recipient's verification (`RecipientVerificationStatus`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RecipientVerification {
    /// The recipient has not completed verification yet.
    VerificationPending,
    /// Verified, with FPS's receiving limits.
    VerificationComplete,
    /// Verified, without receiving limits.
    VerificationCompleteNoLimits,
}

impl RecipientVerification {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::VerificationPending => "VerificationPending",
            Self::VerificationComplete => "VerificationComplete",
            Self::VerificationCompleteNoLimits => "VerificationCompleteNoLimits",
        }
    }

    /// Reads the wire value.
    pub fn from_wire(text: &str) -> Option<Self> {
        [
            Self::VerificationPending,
            Self::VerificationComplete,
            Self::VerificationCompleteNoLimits,
        ]
        .into_iter()
        .find(|v| v.as_str() == text)
    }
}

#[derive(Deserialize)]
struct VerificationXml {
    #[serde(rename = "RecipientVerificationStatus")]
    status: String,
}

impl FpsClient {
    /// GetRecipientVerificationStatus of the account behind a recipient token.
    pub async fn recipient_verification(
        &self,
        recipient_token_id: &str,
    ) -> Result<RecipientVerification, FpsError> {
        let action = Action::GetRecipientVerificationStatus {
            recipient_token_id: recipient_token_id.to_owned(),
        };
        recipient_verification(&self.call(&action, &Timestamp::now()).await?)
    }
}

/// Reads the result of GetRecipientVerificationStatus.
pub fn recipient_verification(body: &str) -> Result<RecipientVerification, FpsError> {
    const ACTION: ActionName = ActionName::GetRecipientVerificationStatus;
    let (xml, _): (VerificationXml, _) = parse_success(ACTION, body)?;
    RecipientVerification::from_wire(xml.status.trim()).ok_or_else(|| {
        malformed(
            ACTION,
            format!("unknown RecipientVerificationStatus {}", quoted(&xml.status)),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_three_statuses_and_refuses_others() {
        let answer = |result: &str| {
            format!(
                "<GetRecipientVerificationStatusResponse xmlns=\"http://fps.amazonaws.com/doc/2010-08-28/\">\
                 <GetRecipientVerificationStatusResult>{result}</GetRecipientVerificationStatusResult>\
                 <ResponseMetadata><RequestId>r:0</RequestId></ResponseMetadata></GetRecipientVerificationStatusResponse>"
            )
        };
        let status = |s: &str| {
            recipient_verification(&answer(&format!(
                "<RecipientVerificationStatus>{s}</RecipientVerificationStatus>"
            )))
        };
        assert_eq!(
            status("VerificationCompleteNoLimits").unwrap(),
            RecipientVerification::VerificationCompleteNoLimits
        );
        assert_eq!(
            status("VerificationPending").unwrap(),
            RecipientVerification::VerificationPending
        );
        assert!(status("Verified").is_err());
        assert_eq!(
            status("VerificationComplete").unwrap(),
            RecipientVerification::VerificationComplete
        );
    }
}
