//! The merchant backend end to end: the real server on a loopback port against the FPS
//! emulator in the same process. Happy paths, money rules, tampering, forgeries, faults.

// Grouped by what they test; `reference` is shared by all.
mod access;
mod faults;
mod ipn;
mod orders;
mod refunds;
mod returns;

use serde_json::Value;

fn reference(order: &Value) -> String {
    order["callerReference"].as_str().expect("reference").to_owned()
}
