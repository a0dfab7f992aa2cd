//! The JS API (`mount`, `autoMount`), `data-*` auto-mount and all seven pipelines.

use super::support::*;
use fps_checkout::browser::{ButtonState, Callbacks, Checkout};
use js_sys::Reflect;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

#[wasm_bindgen_test]
fn the_js_api_throws_invalid_options_with_a_code() {
    let div = container();
    let endpoint = format!("{}/sign/ok/js", server());
    let bad_amount = js_options(&[
        ("signEndpoint", &endpoint),
        ("callerKey", CALLER_KEY),
        ("amount", "12.345"),
        ("callerReference", "r1"),
    ]);
    let error = fps_checkout::wasm::mount(div.clone().into(), bad_amount)
        .err()
        .expect("refused");
    assert!(error.is_instance_of::<js_sys::Error>());
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    let message = String::from(error.unchecked_ref::<js_sys::Error>().message());
    assert!(message.contains("transactionAmount"), "{message}");
    let no_endpoint = js_options(&[
        ("callerKey", CALLER_KEY),
        ("amount", "1"),
        ("callerReference", "r1"),
    ]);
    let error = fps_checkout::wasm::mount(div.clone().into(), no_endpoint)
        .err()
        .expect("refused");
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    assert!(String::from(error.unchecked_ref::<js_sys::Error>().message()).contains("signEndpoint"));
    assert_eq!(
        div.child_element_count(),
        0,
        "nothing rendered for refused options"
    );
}

#[wasm_bindgen_test]
async fn the_js_api_mounts_from_a_selector() {
    let div = container();
    div.set_id("js-mount-target");
    let endpoint = format!("{}/sign/ok/jsmount", server());
    let options = js_options(&[
        ("signEndpoint", &endpoint),
        ("callerKey", CALLER_KEY),
        ("amount", "5"),
        ("callerReference", "js-1"),
        ("pipeline", "SingleUse"),
        ("returnUrl", RETURN_URL),
    ]);
    let handle = fps_checkout::wasm::mount("#js-mount-target".into(), options).expect("mounted");
    for _ in 0..500 {
        if handle.state() != "loading" {
            break;
        }
        sleep(20).await.expect("sleep");
    }
    assert_eq!(handle.state(), "ready");
    assert!(handle.url().is_some());
    handle.unmount();
    assert_eq!(handle.state(), "unmounted");
}

#[wasm_bindgen_test]
async fn auto_mount_reads_data_attributes_and_isolates_broken_elements() {
    let good = container();
    let endpoint = format!("{}/sign/ok/auto", server());
    for (name, value) in [
        ("data-fps-checkout", ""),
        ("data-sign-endpoint", endpoint.as_str()),
        ("data-caller-key", CALLER_KEY),
        ("data-amount", "7.50"),
        ("data-caller-reference", "auto-1"),
        ("data-reason", "Tea"),
        ("data-label", "Pay for tea"),
        ("data-return-url", RETURN_URL),
    ] {
        good.set_attribute(name, value).expect("attr");
    }
    let ready_events = spy(JsValue::UNDEFINED);
    good.add_event_listener_with_callback("fps-checkout:ready", &ready_events.function)
        .expect("listen");
    let error_events = spy(JsValue::UNDEFINED);
    document()
        .body()
        .expect("body")
        .add_event_listener_with_callback("fps-checkout:error", &error_events.function)
        .expect("listen");
    let bad = container();
    bad.set_attribute("data-fps-checkout", "").expect("attr");
    bad.set_attribute("data-sign-endpoint", &endpoint).expect("attr");
    let mounted = fps_checkout::wasm::auto_mount_js();
    assert!(mounted >= 2, "both elements handled");
    assert_eq!(bad.get_attribute("data-state").as_deref(), Some("error"));
    assert!(button(&bad).disabled(), "a misconfigured button never enables");
    assert_eq!(
        message(&bad).text_content().as_deref(),
        Some("This payment button is not set up correctly.")
    );
    assert_eq!(button(&good).text_content().as_deref(), Some("Pay for tea"));
    for _ in 0..500 {
        if good.get_attribute("data-state").as_deref() != Some("loading") {
            break;
        }
        sleep(20).await.expect("sleep");
    }
    assert_eq!(good.get_attribute("data-state").as_deref(), Some("ready"));
    assert_eq!(
        ready_events.calls.get(),
        1,
        "a bubbling ready event for pages without callbacks"
    );
    let detail = Reflect::get(&ready_events.last.borrow(), &"detail".into()).expect("detail");
    assert!(Reflect::get(&detail, &"url".into()).expect("url").is_string());
    assert_eq!(
        error_events.calls.get(),
        1,
        "the broken element's error bubbles too"
    );
    let error = Reflect::get(&error_events.last.borrow(), &"detail".into()).expect("detail");
    assert_eq!(code_of(&error), "INVALID_OPTIONS");
    let (bodies, _) = recorded("/sign/ok/auto").await;
    assert!(
        bodies[0].contains(r#""transactionAmount":"7.50""#),
        "{}",
        bodies[0]
    );
    assert_eq!(fps_checkout::wasm::auto_mount_js(), 0, "never mounted twice");
}

/// A pipeline name, its amount shorthand, and its further parameters (as the core renders them).
type PipelineCase = (
    &'static str,
    Option<&'static str>,
    &'static [(&'static str, &'static str)],
);

#[wasm_bindgen_test]
async fn every_pipeline_signs_with_its_own_parameters() {
    const TOKEN: &str = "Z1LGRXR4HMDZBSFKXELA32KZASGWD8IHMHZCK4DETR784LDLD1GMFW4P3WT8VTGX";
    let cases: [PipelineCase; 7] = [
        ("SingleUse", Some("1.00"), &[("paymentMethod", "CC")]),
        ("MultiUse", None, &[("globalAmountLimit", "100.00")]),
        ("Recurring", Some("9.99"), &[("recurringPeriod", "1 Month")]),
        ("Recipient", None, &[("recipientPaysFee", "True")]),
        (
            "SetupPrepaid",
            None,
            &[("callerReferenceFunding", "fund-1"), ("fundingAmount", "50.00")],
        ),
        (
            "SetupPostpaid",
            None,
            &[
                ("callerReferenceSettlement", "settle-1"),
                ("creditLimit", "100.00"),
                ("globalAmountLimit", "200.00"),
            ],
        ),
        ("EditToken", None, &[("tokenId", TOKEN)]),
    ];
    for (pipeline, amount, params) in cases {
        let tag = format!("pipeline-{pipeline}");
        let mut raw = raw("ok", &tag);
        raw.pipeline = Some(pipeline.into());
        raw.amount = amount.map(Into::into);
        raw.reason = None;
        if pipeline.starts_with("Setup") {
            raw.caller_reference = None;
            raw.params
                .push(("callerReferenceSender".into(), format!("sender-{pipeline}")));
        }
        raw.params
            .extend(params.iter().map(|(n, v)| ((*n).to_owned(), (*v).to_owned())));
        let checkout = Checkout::mount(container(), Ok(options(&raw)), Callbacks::default()).expect("mount");
        assert_eq!(settled(&checkout).await, ButtonState::Ready, "{pipeline}");
        let (bodies, _) = recorded(&format!("/sign/ok/{tag}")).await;
        let body = js_sys::JSON::parse(&bodies[0]).expect("JSON");
        let sent = Reflect::get(&body, &"pipeline".into())
            .expect("pipeline")
            .as_string();
        assert_eq!(sent.as_deref(), Some(pipeline));
        let sent_params = Reflect::get(&body, &"params".into()).expect("params");
        for (name, value) in params {
            let got = Reflect::get(&sent_params, &(*name).into())
                .expect("param")
                .as_string();
            assert_eq!(got.as_deref(), Some(*value), "{pipeline}: {name}");
        }
        checkout.unmount();
    }
}
