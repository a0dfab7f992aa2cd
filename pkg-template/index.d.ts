import type {
  CbuiReturn,
  Checkout,
  CheckoutOptions,
  CompleteReturnOptions,
  ReturnVerdict,
} from "./web/fps_checkout.js";

export type * from "./web/fps_checkout.js";

/** What the loaders accept: the module's URL, its bytes or a compiled module. */
export type ModuleSource = string | URL | Request | Response | BufferSource | WebAssembly.Module;
/** Loads the button's wasm module once (default: the file beside this package's glue). */
export function load(moduleOrPath?: ModuleSource): Promise<unknown>;
/** Loads the return page's wasm module once (default: the file beside this package's glue). */
export function loadReturnPage(moduleOrPath?: ModuleSource): Promise<unknown>;
/** Renders a Pay Now button into an element (or a CSS selector) and signs it ahead. Rejects with INVALID_OPTIONS. */
export function mount(target: Element | string, options: CheckoutOptions): Promise<Checkout>;
/** Mounts every [data-fps-checkout] and renders every [data-fps-return], loading only the modules they need; resolves with the number of buttons. */
export function autoMount(): Promise<number>;
/** Parses a CBUI return query (default: location.search). Rejects with INVALID_RETURN. */
export function parseReturn(search?: string): Promise<CbuiReturn>;
/** POSTs the raw return query, byte for byte, to verifyEndpoint; resolves with the backend's verdict. */
export function completeReturn(options: CompleteReturnOptions): Promise<ReturnVerdict>;
