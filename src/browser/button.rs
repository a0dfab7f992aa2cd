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
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{CustomEvent, CustomEventInit, Document, Element, Event, HtmlElement};

use super::error::BrowserError;
use super::fetch::{describe, window};
use super::guard::{Callback, EventListener};
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

/// The button's click and the window's `pageshow` listeners: dropping them removes both.
struct Listeners {
    _click: EventListener,
    _pageshow: EventListener,
}

/// A button's elements, fixed at mount, and its state. The elements are outside the `RefCell`:
/// the DOM calls that can run page code (custom element reactions on the container, focus
/// events, the custom events) are made with no borrow held, so page code calling back into the
/// button finds it free, and a borrow that fails is a bug (a trap), never a call ignored.
struct Button {
    container: Element,
    button: Element,
    label: Element,
    message: Element,
    inner: RefCell<Inner>,
}

struct Inner {
    options: Option<Rc<CheckoutOptions>>,
    callbacks: Callbacks,
    phase: Phase,
    generation: u32,
    /// The button had keyboard focus when a retry disabled it: give it back once settled.
    refocus: bool,
    /// `Some` while mounted: the listeners live exactly that long.
    listeners: Option<Listeners>,
}

/// A mounted Pay Now button. Cloning gives another handle to the same button.
#[derive(Clone)]
pub struct Checkout(Rc<Button>);

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
        let checkout = Checkout(Rc::new(Button {
            container,
            button,
            label,
            message,
            inner: RefCell::new(Inner {
                options,
                callbacks,
                phase,
                generation: 0,
                refocus: false,
                listeners: None,
            }),
        }));
        let click = {
            let this = checkout.clone();
            EventListener::new(
                &checkout.0.button,
                "click",
                Callback::new(move |event: JsValue| this.on_click(event.unchecked_ref())),
            )
        };
        let pageshow = {
            let this = checkout.clone();
            EventListener::new(
                &window,
                "pageshow",
                Callback::new(move |event: JsValue| {
                    let persisted = Reflect::get(&event, &"persisted".into())
                        .ok()
                        .and_then(|v| v.as_bool());
                    if persisted == Some(true) {
                        this.on_back();
                    }
                }),
            )
        };
        let failed = {
            let mut inner = checkout.0.inner.borrow_mut();
            inner.listeners = Some(Listeners {
                _click: click,
                _pageshow: pageshow,
            });
            match &inner.phase {
                Phase::Failed(error) => Some(error.clone()),
                _ => None,
            }
        };
        checkout.0.render();
        match failed {
            Some(error) => checkout.report_error(&error),
            None => checkout.start_signing(),
        }
        Ok(checkout)
    }

    /// The current state.
    pub fn state(&self) -> ButtonState {
        let inner = self.0.inner.borrow();
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
        let inner = self.0.inner.borrow();
        match &inner.phase {
            Phase::Ready(url) | Phase::Redirecting(url) => Some(url.as_str().to_owned()),
            _ => None,
        }
    }

    /// The last failure, while in the error state.
    pub fn error(&self) -> Option<Rc<BrowserError>> {
        let inner = self.0.inner.borrow();
        match &inner.phase {
            Phase::Failed(error) => Some(error.clone()),
            _ => None,
        }
    }

    /// Signs again (also what the retry button does). Ignored unless failed or ready.
    pub fn retry(&self) {
        let allowed = {
            let inner = self.0.inner.borrow();
            inner.options.is_some()
                && inner.listeners.is_some()
                && match &inner.phase {
                    Phase::Failed(error) => error.is_retriable(),
                    Phase::Ready(_) => true,
                    _ => false,
                }
        };
        if allowed {
            self.start_signing();
        }
    }

    /// Removes the button and every listener; pending signing results are dropped. Idempotent.
    pub fn unmount(&self) {
        let listeners = {
            let mut inner = self.0.inner.borrow_mut();
            inner.generation = inner.generation.wrapping_add(1);
            inner.listeners.take()
        };
        // Dropping the listeners removes them (and the closures' handles on this button).
        if let Some(listeners) = listeners {
            drop(listeners);
            let dom = &self.0;
            dom.button.remove();
            dom.message.remove();
            let _ = dom.container.class_list().remove_1(CONTAINER_CLASS);
            let _ = dom.container.remove_attribute(MOUNTED_ATTR);
            let _ = dom.container.remove_attribute("data-state");
        }
    }

    fn start_signing(&self) {
        let (options, generation) = {
            let mut inner = self.0.inner.borrow_mut();
            let Some(options) = inner.options.clone() else {
                return;
            };
            inner.generation = inner.generation.wrapping_add(1);
            let focused = self.0.button.owner_document().and_then(|d| d.active_element());
            inner.refocus = focused.is_some_and(|e| e == self.0.button);
            inner.phase = Phase::Loading;
            (options, inner.generation)
        };
        self.0.render();
        let this = self.clone();
        sign(
            options,
            Box::new(move |result| this.finish_signing(generation, result)),
        );
    }

    fn finish_signing(&self, generation: u32, result: Result<SignedUrl, BrowserError>) {
        let (ready, refocus) = {
            let mut inner = self.0.inner.borrow_mut();
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
            (ready, core::mem::take(&mut inner.refocus))
        };
        self.0.render();
        if refocus && !self.0.button.has_attribute("disabled") {
            let _ = self.0.button.unchecked_ref::<HtmlElement>().focus();
        }
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
        let init = object(&[("bubbles", JsValue::TRUE), ("detail", detail.clone())]);
        if let Ok(event) =
            CustomEvent::new_with_event_init_dict(name, init.unchecked_ref::<CustomEventInit>())
        {
            let _ = self.0.container.dispatch_event(&event);
        }
    }

    fn report_error(&self, error: &BrowserError) {
        console_error(error);
        self.dispatch(ERROR_EVENT, &error_to_js(error));
        let callback = self.0.inner.borrow().callbacks.on_error.clone();
        call_callback(callback.as_ref(), &error_to_js(error));
    }

    fn on_click(&self, event: &Event) {
        event.prevent_default();
        let action = {
            let mut inner = self.0.inner.borrow_mut();
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
            action
        };
        self.0.render();
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
            let mut inner = self.0.inner.borrow_mut();
            let phase = core::mem::replace(&mut inner.phase, Phase::Loading);
            let (phase, came_back) = match phase {
                Phase::Redirecting(url) => (Phase::Ready(url), true),
                other => (other, false),
            };
            inner.phase = phase;
            came_back.then(|| inner.callbacks.on_cancel.clone()).flatten()
        };
        self.0.render();
        call_callback(callback.as_ref(), &JsValue::UNDEFINED);
    }
}

enum Click {
    Navigate(String, Option<Function>),
    Retry,
    Ignore,
}

impl Button {
    /// Puts the DOM in line with the phase: the button's own elements (none of them can run page
    /// code) while the state is borrowed, then the container's `data-state` with no borrow held
    /// (a custom element as container may react to it at once by calling back into the button).
    fn render(&self) {
        let inner = self.inner.borrow();
        let default_label = inner
            .options
            .as_ref()
            .map_or(super::options::DEFAULT_LABEL, |o| o.label.as_str());
        let (state, busy, disabled, label, message) = match &inner.phase {
            Phase::Loading => ("loading", true, true, default_label, None),
            Phase::Ready(_) => ("ready", false, false, default_label, None),
            Phase::Redirecting(_) => ("redirecting", true, true, default_label, None),
            Phase::Failed(error) => {
                let retriable = error.is_retriable() && inner.options.is_some();
                let label = if retriable { RETRY_LABEL } else { default_label };
                ("error", false, !retriable, label, Some(error.shopper_message()))
            }
        };
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
        drop(inner);
        let _ = self.container.set_attribute("data-state", state);
    }
}
