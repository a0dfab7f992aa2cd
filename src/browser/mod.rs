//! The browser module (wasm32 only): the Pay Now button, the signing client, the return page and
//! the auto-mount of `data-fps-*` elements. JS reaches it only through `crate::wasm`.

pub mod auto_mount;
pub mod button;
pub mod error;
pub mod fetch;
pub mod guard;
pub mod js;
pub mod options;
pub mod return_page;
pub mod sign_client;
pub mod signed_url;

pub use button::{ButtonState, Callbacks, Checkout};
pub use error::{BrowserError, FetchError};
pub use options::{CheckoutOptions, RawOptions};
