//! Guards that undo a registration with the page when dropped, as gloo-events' `EventListener`
//! and gloo-timers' `Timeout` do: an [`EventListener`] removes its listener, a [`Timeout`] clears
//! its timer. Owning the guard is owning the registration, so no cleanup is written by hand and
//! none can be forgotten. Our own rather than gloo's: the gloo crates link std, which the shipped
//! module does not (BENCHMARKS.md, "Size notes").

use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::{EventTarget, Window};

/// The callback of a guard: the module's one closure signature (`JsValue` rather than `Event`
/// arguments), so every listener, timer and promise callback shares one shim.
pub type Callback = Closure<dyn FnMut(JsValue)>;

/// An event listener on `target`, removed when dropped.
pub struct EventListener {
    target: EventTarget,
    kind: &'static str,
    callback: Callback,
}

impl EventListener {
    /// Adds `callback` as the listener for `kind` events on `target`.
    pub fn new(target: &EventTarget, kind: &'static str, callback: Callback) -> Result<Self, JsValue> {
        target.add_event_listener_with_callback(kind, callback.as_ref().unchecked_ref())?;
        Ok(EventListener {
            target: target.clone(),
            kind,
            callback,
        })
    }
}

impl Drop for EventListener {
    fn drop(&mut self) {
        let _ = self
            .target
            .remove_event_listener_with_callback(self.kind, self.callback.as_ref().unchecked_ref());
    }
}

/// A `setTimeout` timer of `window`, cleared when dropped (after it fired, clearing does nothing).
pub struct Timeout {
    window: Window,
    handle: i32,
    // Kept alive until the timer can no longer fire.
    _callback: Callback,
}

impl Timeout {
    /// Calls `callback` once after `ms` milliseconds (the longest delay a timer takes if more).
    pub fn new(window: &Window, ms: u32, callback: Callback) -> Result<Self, JsValue> {
        let handle = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            callback.as_ref().unchecked_ref(),
            i32::try_from(ms).unwrap_or(i32::MAX),
        )?;
        Ok(Timeout {
            window: window.clone(),
            handle,
            _callback: callback,
        })
    }
}

impl Drop for Timeout {
    fn drop(&mut self) {
        self.window.clear_timeout_with_handle(self.handle);
    }
}
