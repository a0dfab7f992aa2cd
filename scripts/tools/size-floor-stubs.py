"""Cuts whole features out of a copy of the crate, for scripts/size-floor: what the wasm would
weigh without them. Never applied to the real tree (scripts/size-floor works in a scratch
worktree). Each cut makes a feature's entry point return at once, so the optimiser drops what
only it reaches; an edit that no longer finds its anchor fails loudly.

usage: size-floor-stubs.py TREE CUT...   (CUT: validation, return-page, button, fetch, render)
"""
import sys

def after(anchor, inserted):
    """An edit that keeps `anchor` and inserts `inserted` right after it."""
    return anchor, anchor + inserted


CUTS = {
    # The CBUI value checks and cross-field rules (names and required fields are still checked).
    "validation": [
        ("crates/fps-core/src/params/table.rs", *after(
            "    fn check(self, name: &str, raw: &str) -> Result<String, CoreError> {\n",
            "        {\n            let _ = name;\n            return Ok(raw.to_owned());\n        }\n")),
        ("crates/fps-core/src/params/table.rs", *after(
            "    fn check_rules(&self) -> Result<(), CoreError> {\n",
            "        {\n            return Ok(());\n        }\n")),
    ],
    # parseReturn, completeReturn and the [data-fps-return] rendering.
    "return-page": [
        ("src/browser/auto_mount.rs",
         "        render_return(element);\n",
         "        let _ = render_return;\n"),
        ("src/wasm/returns.rs", *after(
            "pub fn parse_return(search: Option<String>) -> Result<JsValue, JsValue> {\n",
            "    {\n        let _ = search;\n        return Err(JsValue::NULL);\n    }\n")),
        ("src/wasm/returns.rs", *after(
            ") -> Promise {\n",
            "    {\n        return Promise::resolve(&options);\n    }\n")),
    ],
    # The fetch exchange (AbortController, timer, response and body callbacks).
    "fetch": [
        ("src/browser/fetch.rs", *after(
            "pub fn post_once(post: Rc<Post>, done: Done) {\n",
            "    {\n        return done(Ok(post.body.clone()));\n    }\n")),
    ],
    # The Pay Now button: mount, auto-mount of [data-fps-checkout], signing (what the return
    # page's module leaves out; with FEATURES=return-page this cut changes nothing).
    "button": [
        ("src/wasm/checkout.rs", *after(
            ") -> Result<CheckoutHandle, JsValue> {\n",
            "    {\n        let _ = (target, options);\n        return Err(JsValue::NULL);\n    }\n")),
        ("src/browser/button.rs", *after(
            "    ) -> Result<Checkout, BrowserError> {\n",
            "        {\n            let _ = (container, options, callbacks);\n"
            "            return Err(BrowserError::Environment(String::new()));\n        }\n")),
        ("src/browser/button.rs", *after(
            "    fn start_signing(&self) {\n",
            "        {\n            return;\n        }\n")),
        ("src/browser/auto_mount.rs",
         "    for element in elements(&document, \"[data-fps-checkout]\") {\n",
         "    for element in Vec::<Element>::new() {\n"),
    ],
    # The button's DOM updates on each state change.
    "render": [
        ("src/browser/button.rs", *after(
            "    fn render(&self) {\n",
            "        {\n            return;\n        }\n")),
    ],
}


def main():
    tree, cuts = sys.argv[1], sys.argv[2:]
    for cut in cuts:
        if cut not in CUTS:
            sys.exit(f"size-floor-stubs: unknown cut {cut!r} (known: {', '.join(CUTS)})")
        for path, anchor, replacement in CUTS[cut]:
            full = f"{tree}/{path}"
            text = open(full, encoding="utf-8").read()
            if text.count(anchor) != 1:
                sys.exit(f"size-floor-stubs: {path}: the anchor of cut {cut!r} is gone; update this file")
            open(full, "w", encoding="utf-8").write(text.replace(anchor, replacement, 1))


main()
