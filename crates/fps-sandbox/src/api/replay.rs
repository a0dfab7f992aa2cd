//! Identical resends (the seed "Resending a Request"): the answer to a request that changes money
//! or tokens is recorded for 7 days of emulated time, and the identical request (same action and
//! parameters, Timestamp included, Signature excluded) resent within them gets the recorded
//! answer, whatever its Timestamp's age: the look-up comes after the signature check and before
//! the Timestamp/Expires check. Refusals are recorded too (an identical resend of a refused Pay is
//! refused the same way, never charged), except `InternalError`, which a resend may cure.

use std::fmt::Write as _;

use fps_wire::vocabulary::ActionName;
use sha2::{Digest, Sha256};

use super::params::ApiParams;
use super::{actions, check_time, error_reply, ApiReply};
use crate::config::CallerAccount;
use crate::error::{ErrorCode, FpsError};
use crate::state::SandboxState;
use crate::store::RequestRecord;

/// The actions whose answers are recorded: every one that changes money or tokens.
pub const RECORDED_ACTIONS: &[ActionName] = &[
    ActionName::Pay,
    ActionName::Reserve,
    ActionName::Settle,
    ActionName::Refund,
    ActionName::Cancel,
    ActionName::CancelToken,
    ActionName::InstallPaymentInstruction,
    ActionName::CancelSubscriptionAndRefund,
    ActionName::FundPrepaid,
    ActionName::SettleDebt,
    ActionName::WriteOffDebt,
];

/// The actions whose `CallerReference` a successful answer reserves (a changed request under
/// it is a `DuplicateRequest` while the record lives).
const REFERENCED_ACTIONS: &[ActionName] = &[
    ActionName::Pay,
    ActionName::Reserve,
    ActionName::Refund,
    ActionName::FundPrepaid,
    ActionName::SettleDebt,
    ActionName::WriteOffDebt,
];

/// SHA-256 (hex) of the action and the canonical query (every parameter but `Signature`).
pub fn fingerprint(action: &str, params: &ApiParams) -> String {
    let mut hash = Sha256::new();
    hash.update(action.as_bytes());
    hash.update(b"\n");
    hash.update(params.canonical().as_str().as_bytes());
    hash.finalize()
        .iter()
        .fold(String::with_capacity(64), |mut hex, byte| {
            let _ = write!(hex, "{byte:02x}");
            hex
        })
}

/// Answers a signed request of a [`RECORDED_ACTIONS`] action: from its record when it was
/// answered within 7 days, else checks its time, runs it and records the answer.
pub(super) async fn answer(
    state: &SandboxState,
    caller: &CallerAccount,
    action: ActionName,
    version: &str,
    params: &ApiParams,
    request_id: &str,
) -> Result<ApiReply, FpsError> {
    let fingerprint = fingerprint(action.as_str(), params);
    // Held until the answer is recorded: an identical request racing this one waits, then
    // finds the record.
    let _replay = state.replay_lock.lock().await;
    let key = &caller.access_key_id;
    if let Some(record) = state.store.recorded_request(key, &fingerprint).await? {
        tracing::info!(
            action = action.as_str(),
            "identical resend answered from its record"
        );
        return Ok(ApiReply {
            status: u16::try_from(record.status).unwrap_or(500),
            body: record.response,
        });
    }
    // An expired request is not an answer of the action: not recorded.
    check_time(state, params)?;
    let reply =
        match actions::dispatch(state, Some(caller), action.as_str(), version, params, request_id).await {
            Ok(reply) => reply,
            Err(error) if error.code == ErrorCode::InternalError => return Err(error),
            Err(error) => error_reply(&error, request_id),
        };
    let caller_reference = (reply.status == 200 && REFERENCED_ACTIONS.contains(&action))
        .then(|| params.get("CallerReference").map(str::to_owned))
        .flatten();
    let record = RequestRecord {
        fingerprint,
        caller_reference,
        status: i64::from(reply.status),
        response: reply.body.clone(),
        created_at: state.now_ms(),
    };
    state.store.save_request_record(key, &record).await?;
    Ok(reply)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> ApiParams {
        ApiParams::new(
            pairs
                .iter()
                .map(|(n, v)| ((*n).to_owned(), (*v).to_owned()))
                .collect(),
        )
    }

    #[test]
    fn fingerprint_ignores_the_signature_and_order_but_not_the_timestamp() {
        let a = params(&[("Amount", "1"), ("Timestamp", "t1"), ("Signature", "x")]);
        let b = params(&[("Signature", "y"), ("Timestamp", "t1"), ("Amount", "1")]);
        let later = params(&[("Amount", "1"), ("Timestamp", "t2"), ("Signature", "x")]);
        assert_eq!(fingerprint("Pay", &a), fingerprint("Pay", &b));
        assert_eq!(fingerprint("Pay", &a).len(), 64);
        assert_ne!(fingerprint("Pay", &a), fingerprint("Pay", &later));
        assert_ne!(fingerprint("Pay", &a), fingerprint("Reserve", &a));
    }
}
