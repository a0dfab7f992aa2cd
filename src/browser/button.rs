//! The Pay Now button: renders into a container, signs ahead on mount, and sends the shopper to
//! CBUI in the same tab on click, with no network between click and navigation.
//!
//! States: loading (disabled, `aria-busy`) -> ready -> redirecting (disabled; further clicks and
//! key repeats are ignored) -> ready again when the page comes back from the back/forward cache.
//! Failures show a short message and a retry in place. Each button owns its state: one failing
//! button never touches another.

use alloc::boxed::Box;
use alloc::rc::Rc;
use alloc::{borrow::ToOwned, string::String};
use core::cell::RefCell;
use core::sync::atomic::{AtomicU32, Ordering};

use js_sys::{Function, Reflect};
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, Document, Element, Event, HtmlElement, Window};

use super::error::BrowserError;
use super::fetch::{describe, window};
use super::js::{call_callback, console_error, error_to_js, object};
use super::options::CheckoutOptions;
use super::sign_client::sign;
use super::signed_url::SignedUrl;
use fps_core::text::concat;
use fps_core::text::decimal;

/// Class of the container once mounted.
pub const CONTAINER_CLASS: &str = "fps-checkout";
/// Attribute marking a mounted container (so it is never mounted twice).
pub const MOUNTED_ATTR: &str = "data-fps-mounted";
/// Event fired on the container when the button is signed and ready (`detail.url`).
pub const READY_EVENT: &str = "fps-checkout:ready";
/// Event fired on the container when the button fails (`detail` is the error).
pub const ERROR_EVENT: &str = "fps-checkout:error";
/// Label of the button after a failure that a retry may fix.
pub const RETRY_LABEL: &str = "Try again";

/// The next number for a message element's id (the module is single-threaded; the atomic is
/// only what a `static` needs).
static NEXT_ID: AtomicU32 = AtomicU32::new(1);

/// Merchant callbacks, each optional.
#[derive(Debug, Clone, Default)]
pub struct Callbacks {
    /// Called with `{url}` once the button is signed and ready.
    pub on_ready: Option<Function>,
    /// Called with `{url}` on the click that navigates; returning `false` cancels the navigation
    /// (the merchant navigates itself), the button stays in `redirecting`.
    pub on_redirect: Option<Function>,
    /// Called with the `Error` (with `code`) when signing fails.
    pub on_error: Option<Function>,
    /// Called when the shopper comes back from CBUI with the back button.
    pub on_cancel: Option<Function>,
}

/// The state a button is in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ButtonState {
    /// Signing: disabled, `aria-busy`.
    Loading,
    /// Signed: a click navigates at once.
    Ready,
    /// Navigating to CBUI: disabled.
    Redirecting,
    /// Failed: message and, where it can help, a retry.
    Error,
    /// Removed by `unmount`.
    Unmounted,
}

impl ButtonState {
    /// The name used in `data-state` and by JS.
    pub fn as_str(self) -> &'static str {
        match self {
            ButtonState::Loading => "loading",
            ButtonState::Ready => "ready",
            ButtonState::Redirecting => "redirecting",
            ButtonState::Error => "error",
            ButtonState::Unmounted => "unmounted",
        }
    }
}

enum Phase {
    Loading,
    Ready(SignedUrl),
    Redirecting(SignedUrl),
    /// Shared, not cloned: cloning the error enum costs a kilobyte of wasm.
    Failed(Rc<BrowserError>),
}

struct Listeners {
    window: Window,
    // `JsValue` rather than `Event` arguments: the module's one closure signature, one shim.
    click: Closure<dyn FnMut(JsValue)>,
    pageshow: Closure<dyn FnMut(JsValue)>,
}

struct Inner {
    options: Option<Rc<CheckoutOptions>>,
    callbacks: Callbacks,
    container: Element,
    button: Element,
    label: Element,
    message: Element,
    phase: Phase,
    generation: u32,
    /// The button had keyboard focus when a retry disabled it: give it back once settled.
    refocus: bool,
    /// `Some` while mounted; holding the closures here keeps them alive exactly that long.
    listeners: Option<Listeners>,
}

/// A mounted Pay Now button. Cloning gives another handle to the same button.
#[derive(Clone)]
pub struct Checkout(Rc<RefCell<Inner>>);

fn dom(error: JsValue) -> BrowserError {
    BrowserError::Environment(concat(&["DOM call failed: ", &describe(&error)]))
}

fn create(document: &Document, tag: &str, class: &str) -> Result<Element, BrowserError> {
    let element = document.create_element(tag).map_err(dom)?;
    element.set_attribute("class", class).map_err(dom)?;
    Ok(element)
}

impl Checkout {
    /// Renders a button into `container` (replacing its children) and starts signing at once.
    /// With `options` an error, the button shows the failure in place and is never enabled.
    pub fn mount(
        container: Element,
        options: Result<CheckoutOptions, BrowserError>,
        callbacks: Callbacks,
    ) -> Result<Checkout, BrowserError> {
        if container.has_attribute(MOUNTED_ATTR) {
            return Err(BrowserError::InvalidOptions(
                "this element already holds a mounted button; unmount() it first".into(),
            ));
        }
        let window = window()?;
        let document = container
            .owner_document()
            .ok_or_else(|| BrowserError::Environment("the element is not in a document".into()))?;
        let (size, theme, label_text) = match &options {
            Ok(o) => (o.size.as_str(), o.theme.as_str(), o.label.as_str()),
            Err(_) => ("medium", "gold", super::options::DEFAULT_LABEL),
        };
        // Attributes rather than the typed properties (`className`, `type`, `id`, `disabled`):
        // the same DOM, with fewer imports and less glue in the wasm.
        let button = create(
            &document,
            "button",
            &concat(&[
                "fps-checkout__button fps-checkout__button--",
                theme,
                " fps-checkout__button--",
                size,
            ]),
        )?;
        button.set_attribute("type", "button").map_err(dom)?;
        let label = create(&document, "span", "fps-checkout__label")?;
        label.set_text_content(Some(label_text));
        button.append_child(&label).map_err(dom)?;
        let message = create(&document, "p", "fps-checkout__message")?;
        let id = NEXT_ID.fetch_add(1, Ordering::Relaxed);
        let id = concat(&["fps-checkout-message-", &decimal(u64::from(id))]);
        message.set_attribute("id", &id).map_err(dom)?;
        message.set_attribute("role", "status").map_err(dom)?;
        message.set_attribute("hidden", "").map_err(dom)?;
        button.set_attribute("aria-describedby", &id).map_err(dom)?;
        container.set_text_content(None);
        container.append_child(&button).map_err(dom)?;
        container.append_child(&message).map_err(dom)?;
        container.class_list().add_1(CONTAINER_CLASS).map_err(dom)?;
        container.set_attribute(MOUNTED_ATTR, "").map_err(dom)?;

        let (options, phase) = match options {
            Ok(options) => (Some(Rc::new(options)), Phase::Loading),
            Err(error) => (None, Phase::Failed(Rc::new(error))),
        };
        let checkout = Checkout(Rc::new(RefCell::new(Inner {
            options,
            callbacks,
            container,
            button: button.clone(),
            label,
            message,
            phase,
            generation: 0,
            refocus: false,
            listeners: None,
        })));
        let click = {
            let this = checkout.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| this.on_click(event.unchecked_ref()))
        };
        let pageshow = {
            let this = checkout.clone();
            Closure::<dyn FnMut(JsValue)>::new(move |event: JsValue| {
                let persisted = Reflect::get(&event, &"persisted".into())
                    .ok()
                    .and_then(|v| v.as_bool());
                if persisted == Some(true) {
                    this.on_back();
                }
            })
        };
        button
            .add_event_listener_with_callback("click", click.as_ref().unchecked_ref())
            .map_err(dom)?;
        window
            .add_event_listener_with_callback("pageshow", pageshow.as_ref().unchecked_ref())
            .map_err(dom)?;
        let failed = {
            let mut inner = checkout.0.borrow_mut();
            inner.listeners = Some(Listeners {
                window,
                click,
                pageshow,
            });
            inner.render();
            match &inner.phase {
                Phase::Failed(error) => Some(error.clone()),
                _ => None,
            }
        };
        match failed {
            Some(error) => checkout.report_error(&error),
            None => checkout.start_signing(),
        }
        Ok(checkout)
    }

    /// The current state.
    pub fn state(&self) -> ButtonState {
        let Ok(inner) = self.0.try_borrow() else {
            return ButtonState::Loading;
        };
        if inner.listeners.is_none() {
            return ButtonState::Unmounted;
        }
        match inner.phase {
            Phase::Loading => ButtonState::Loading,
            Phase::Ready(_) => ButtonState::Ready,
            Phase::Redirecting(_) => ButtonState::Redirecting,
            Phase::Failed(_) => ButtonState::Error,
        }
    }

    /// The signed CBUI URL, once ready.
    pub fn url(&self) -> Option<String> {
        let inner = self.0.try_borrow().ok()?;
        match &inner.phase {
            Phase::Ready(url) | Phase::Redirecting(url) => Some(url.as_str().to_owned()),
            _ => None,
        }
    }

    /// The last failure, while in the error state.
    pub fn error(&self) -> Option<Rc<BrowserError>> {
        let inner = self.0.try_borrow().ok()?;
        match &inner.phase {
            Phase::Failed(error) => Some(error.clone()),
            _ => None,
        }
    }

    /// Signs again (also what the retry button does). Ignored unless failed or ready.
    pub fn retry(&self) {
        let allowed = self.0.try_borrow().is_ok_and(|inner| {
            inner.options.is_some()
                && inner.listeners.is_some()
                && match &inner.phase {
                    Phase::Failed(error) => error.is_retriable(),
                    Phase::Ready(_) => true,
                    _ => false,
                }
        });
        if allowed {
            self.start_signing();
        }
    }

    /// Removes the button and every listener; pending signing results are dropped. Idempotent.
    pub fn unmount(&self) {
        let Ok(mut inner) = self.0.try_borrow_mut() else {
            return;
        };
        inner.generation = inner.generation.wrapping_add(1);
        if let Some(listeners) = inner.listeners.take() {
            let _ = inner
                .button
                .remove_event_listener_with_callback("click", listeners.click.as_ref().unchecked_ref());
            let _ = listeners
                .window
                .remove_event_listener_with_callback("pageshow", listeners.pageshow.as_ref().unchecked_ref());
            inner.button.remove();
            inner.message.remove();
            let _ = inner.container.class_list().remove_1(CONTAINER_CLASS);
            let _ = inner.container.remove_attribute(MOUNTED_ATTR);
            let _ = inner.container.remove_attribute("data-state");
        }
    }

    fn start_signing(&self) {
        let (options, generation) = {
            let Ok(mut inner) = self.0.try_borrow_mut() else {
                return;
            };
            let Some(options) = inner.options.clone() else {
                return;
            };
            inner.generation = inner.generation.wrapping_add(1);
            let focused = inner.button.owner_document().and_then(|d| d.active_element());
            inner.refocus = focused.is_some_and(|e| e == inner.button);
            inner.phase = Phase::Loading;
            inner.render();
            (options, inner.generation)
        };
        let this = self.clone();
        sign(
            options,
            Box::new(move |result| this.finish_signing(generation, result)),
        );
    }

    fn finish_signing(&self, generation: u32, result: Result<SignedUrl, BrowserError>) {
        let ready = {
            let Ok(mut inner) = self.0.try_borrow_mut() else {
                return;
            };
            if inner.generation != generation || inner.listeners.is_none() {
                return;
            }
            let ready = match result {
                Ok(url) => {
                    let detail = object(&[("url", url.as_str().into())]);
                    inner.phase = Phase::Ready(url);
                    Ok((inner.callbacks.on_ready.clone(), detail))
                }
                Err(error) => {
                    let error = Rc::new(error);
                    inner.phase = Phase::Failed(error.clone());
                    Err(error)
                }
            };
            inner.render();
            if core::mem::take(&mut inner.refocus) && !inner.button.has_attribute("disabled") {
                let _ = inner.button.unchecked_ref::<HtmlElement>().focus();
            }
            ready
        };
        match ready {
            Ok((callback, detail)) => {
                self.dispatch(READY_EVENT, &detail);
                call_callback(callback.as_ref(), &detail);
            }
            Err(error) => self.report_error(&error),
        }
    }

    /// Fires a bubbling `CustomEvent` on the container (for pages without callbacks: auto-mount).
    fn dispatch(&self, name: &str, detail: &JsValue) {
        let Ok(inner) = self.0.try_borrow() else {
            return;
        };
        let init = object(&[("bubbles", JsValue::TRUE), ("detail", detail.clone())]);
        if let Ok(event) =
            CustomEvent::new_with_event_init_dict(name, init.unchecked_ref::<CustomEventInit>())
        {
            let _ = inner.container.dispatch_event(&event);
        }
    }

    fn report_error(&self, error: &BrowserError) {
        console_error(error);
        self.dispatch(ERROR_EVENT, &error_to_js(error));
        let callback = self
            .0
            .try_borrow()
            .ok()
            .and_then(|i| i.callbacks.on_error.clone());
        call_callback(callback.as_ref(), &error_to_js(error));
    }

    fn on_click(&self, event: &Event) {
        event.prevent_default();
        let action = {
            let Ok(mut inner) = self.0.try_borrow_mut() else {
                return;
            };
            let phase = core::mem::replace(&mut inner.phase, Phase::Loading);
            let (phase, action) = match phase {
                Phase::Ready(url) => {
                    let target = url.as_str().to_owned();
                    (
                        Phase::Redirecting(url),
                        Click::Navigate(target, inner.callbacks.on_redirect.clone()),
                    )
                }
                Phase::Failed(error) if error.is_retriable() && inner.options.is_some() => {
                    (Phase::Failed(error), Click::Retry)
                }
                other => (other, Click::Ignore),
            };
            inner.phase = phase;
            inner.render();
            action
        };
        match action {
            Click::Navigate(url, on_redirect) => {
                let detail = object(&[("url", url.as_str().into())]);
                let answer = call_callback(on_redirect.as_ref(), &detail);
                if answer.is_some_and(|a| a == JsValue::FALSE) {
                    return;
                }
                if let Err(error) = window().and_then(|w| w.location().assign(&url).map_err(dom)) {
                    console_error(&error);
                }
            }
            Click::Retry => self.start_signing(),
            Click::Ignore => {}
        }
    }

    fn on_back(&self) {
        let callback = {
            let Ok(mut inner) = self.0.try_borrow_mut() else {
                return;
            };
            let phase = core::mem::replace(&mut inner.phase, Phase::Loading);
            let (phase, came_back) = match phase {
                Phase::Redirecting(url) => (Phase::Ready(url), true),
                other => (other, false),
            };
            inner.phase = phase;
            inner.render();
            came_back.then(|| inner.callbacks.on_cancel.clone()).flatten()
        };
        call_callback(callback.as_ref(), &JsValue::UNDEFINED);
    }
}

enum Click {
    Navigate(String, Option<Function>),
    Retry,
    Ignore,
}

impl Inner {
    /// Puts the DOM in line with the phase.
    fn render(&self) {
        let default_label = self
            .options
            .as_ref()
            .map_or(super::options::DEFAULT_LABEL, |o| o.label.as_str());
        let (state, busy, disabled, label, message) = match &self.phase {
            Phase::Loading => ("loading", true, true, default_label, None),
            Phase::Ready(_) => ("ready", false, false, default_label, None),
            Phase::Redirecting(_) => ("redirecting", true, true, default_label, None),
            Phase::Failed(error) => {
                let retriable = error.is_retriable() && self.options.is_some();
                let label = if retriable { RETRY_LABEL } else { default_label };
                ("error", false, !retriable, label, Some(error.shopper_message()))
            }
        };
        let _ = self.container.set_attribute("data-state", state);
        let _ = if disabled {
            self.button.set_attribute("disabled", "")
        } else {
            self.button.remove_attribute("disabled")
        };
        let _ = self
            .button
            .set_attribute("aria-busy", if busy { "true" } else { "false" });
        if self.label.text_content().as_deref() != Some(label) {
            self.label.set_text_content(Some(label));
        }
        self.message.set_text_content(message);
        let _ = if message.is_some() {
            self.message.remove_attribute("hidden")
        } else {
            self.message.set_attribute("hidden", "")
        };
    }
}
