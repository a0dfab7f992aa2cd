//! The signing client: sends the canonical CBUI pairs to the merchant's signing endpoint and
//! accepts only an answer that signs exactly that request.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::string::String;
use js_sys::{Object, Reflect, JSON};
use wasm_bindgen::JsValue;

use super::error::BrowserError;
use super::fetch::{describe, post_with_retry, Post};
use super::options::CheckoutOptions;
use super::signed_url::{check_signed_url, SignResponse, SignedUrl};
use fps_core::text::concat;

/// The JSON body sent to the signing endpoint: `{"pipeline": name, "params": {name: value, ...}}`,
/// `params` holding every CBUI parameter to be signed (all but `signature`) in the core's order.
pub fn request_body(options: &CheckoutOptions) -> Result<String, BrowserError> {
    let env = |e: JsValue| BrowserError::Environment(describe(&e));
    let params = Object::new();
    for (name, value) in options.request.pairs() {
        Reflect::set(&params, &JsValue::from_str(name), &JsValue::from_str(value)).map_err(env)?;
    }
    let body = Object::new();
    Reflect::set(&body, &"pipeline".into(), &options.request.pipeline().into()).map_err(env)?;
    Reflect::set(&body, &"params".into(), &params).map_err(env)?;
    JSON::stringify(&body).map(String::from).map_err(env)
}

fn string_field(object: &JsValue, name: &str) -> Result<String, BrowserError> {
    Reflect::get(object, &JsValue::from_str(name))
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| {
            BrowserError::InvalidSignResponse(concat(&["field `", name, "` is missing or not a string"]))
        })
}

/// Reads `{"url", "signature", "signatureMethod"}` from the endpoint's body.
pub fn parse_response(body: &str) -> Result<SignResponse, BrowserError> {
    let value = JSON::parse(body).map_err(|_| {
        let start: String = body.chars().filter(|c| !c.is_control()).take(60).collect();
        BrowserError::InvalidSignResponse(concat(&["not JSON (it starts `", &start, "`)"]))
    })?;
    if !value.is_object() {
        return Err(BrowserError::InvalidSignResponse("not a JSON object".into()));
    }
    Ok(SignResponse {
        url: string_field(&value, "url")?,
        signature: string_field(&value, "signature")?,
        signature_method: string_field(&value, "signatureMethod")?,
    })
}

/// Asks the signing endpoint to sign `options.request` (timeout, one retry with backoff) and
/// calls `done` once with the checked URL to send the shopper to.
pub fn sign(options: Rc<CheckoutOptions>, done: Box<dyn FnOnce(Result<SignedUrl, BrowserError>)>) {
    let body = match request_body(&options) {
        Ok(body) => body,
        Err(error) => return done(Err(error)),
    };
    let post = Rc::new(Post {
        url: options.sign_endpoint.clone(),
        body,
        content_type: "application/json",
        credentials: options.credentials,
        timeout_ms: options.timeout_ms,
    });
    post_with_retry(
        post,
        options.retry_delay_ms,
        Box::new(move |answer| {
            done(answer.map_err(BrowserError::from_sign).and_then(|answer| {
                let response = parse_response(&answer)?;
                check_signed_url(&options.cbui, options.request.pairs(), &response)
            }))
        }),
    );
}
