//! Audit finding 5 (issue 16) through the FPS emulator: a Reserve order is signed only as a card
//! Reserve, and that signed request takes the shopper through CBUI to a reserved order.

use crate::common::assert_refused;
use crate::common::stack::{start_stack, Shopper};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reserve_order_is_signed_only_as_a_card_reserve() {
    let s = start_stack(200).await;
    let order = s.create_order("TENT-2P", 1).await;
    let honest = s.sign_body(&order);
    // Without reserve=True the shopper could pick a balance or bank account, and the Reserve
    // would then fail at FPS (PaymentInstrumentNotCC).
    let mut no_reserve = honest.clone();
    no_reserve["params"]
        .as_object_mut()
        .expect("params")
        .remove("reserve");
    assert_refused(
        &s.post_json("/fps/sign", &no_reserve).await,
        403,
        "PIPELINE_NOT_ALLOWED",
    );
    let mut any_method = honest.clone();
    any_method["params"]["paymentMethod"] = json!("ABT,ACH,CC");
    assert_refused(
        &s.post_json("/fps/sign", &any_method).await,
        403,
        "PARAMETER_MISMATCH",
    );
    let (_, status, body) = s.authorize(&order, Shopper::Confirms).await;
    assert_eq!(status, 200, "{body}");
    let reference = order["callerReference"].as_str().expect("reference");
    s.reaches(reference, "reserved").await;
    s.stop().await;
}
