//! Guards that undo a registration with the page when dropped, as gloo-events' `EventListener`
//! and gloo-timers' `Timeout` do: an [`EventListener`] removes its listener, a [`Timeout`] clears
//! its timer. Owning the guard is owning the registration, so no cleanup is written by hand and
//! none can be forgotten. Our own rather than gloo's: the gloo crates link std, which the shipped
//! module does not (BENCHMARKS.md, "Size notes").

use js_sys::Function;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::EventTarget;

/// The callback of a guard: the module's one closure signature (`JsValue` rather than `Event`
/// arguments), so every listener, timer and promise callback shares one shim.
pub type Callback = Closure<dyn FnMut(JsValue)>;

/// An event listener on `target`, removed when dropped.
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    callback: Callback,
}

// The listener methods, bound directly: with a function listener neither throws, so no
// `Result` is needed (web-sys declares them as throwing).
#[wasm_bindgen]
extern "C" {
    /// An `EventTarget`, seen through these two bindings.
    type Listenable;
    #[wasm_bindgen(method, js_name = addEventListener)]
    fn add_listener(this: &Listenable, kind: &str, listener: &Function);
    #[wasm_bindgen(method, js_name = removeEventListener)]
    fn remove_listener(this: &Listenable, kind: &str, listener: &Function);
}

impl EventListener {
    /// Adds `callback` as the listener for `kind` events on `target`.
    pub fn new(target: &EventTarget, kind: &'static str, callback: Callback) -> Self {
        target
            .unchecked_ref::<Listenable>()
            .add_listener(kind, callback.as_ref().unchecked_ref());
        EventListener {
            target: target.clone(),
            kind,
            callback,
        }
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        self.target
            .unchecked_ref::<Listenable>()
            .remove_listener(self.kind, self.callback.as_ref().unchecked_ref());
    }
}

// The global timer functions, bound directly: a page's `setTimeout` never throws for a function
// handler, so no `Result` (and no `Window` kept per timer) is needed.
#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(handler: &Function, ms: i32) -> i32;
    #[wasm_bindgen(js_name = clearTimeout)]
    fn clear_timeout(handle: i32);
}

/// A `setTimeout` timer, cleared when dropped (after it fired, clearing does nothing).
pub struct Timeout {
    handle: i32,
    // Kept alive until the timer can no longer fire.
    _callback: Callback,
}

impl Timeout {
    /// Calls `callback` once after `ms` milliseconds (the longest delay a timer takes if more).
    pub fn new(ms: u32, callback: Callback) -> Self {
        let handle = set_timeout(
            callback.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        );
        Timeout {
            handle,
            _callback: callback,
        }
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        clear_timeout(self.handle);
    }
}
