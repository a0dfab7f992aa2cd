// Where the shop finds its backend and payment settings: /config.json, written by the demo (or by
// the merchant's own deployment). Fetched once per page.
let cached;

export function loadConfig() {
  cached ??= fetch('config.json', { cache: 'no-store' }).then((response) => {
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    return response.json();
  });
  return cached;
}
