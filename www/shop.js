// The product page: "Buy" asks the backend to price an order (the browser never sets a price),
// then mounts the Pay Now button for that order. No inline script; the page's CSP allows only
// same-origin scripts and the wasm module.
import init, { mount } from './pkg/web/fps_checkout.js';
import { loadConfig, payOptions } from './config.js';

const ready = Promise.all([
  init({ module_or_path: new URL('./pkg/web/fps_checkout_bg.wasm', import.meta.url) }),
  loadConfig(),
]);

function showError(slot, button, message) {
  let note = slot.querySelector('.status');
  if (!note) {
    note = document.createElement('p');
    note.className = 'status error';
    note.setAttribute('role', 'alert');
    slot.append(note);
  }
  note.textContent = message;
  button.disabled = false;
}

async function createOrder(sku) {
  const response = await fetch('/api/orders', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ items: [{ sku, quantity: 1 }] }),
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `the shop answered HTTP ${response.status}`);
  return body;
}

for (const product of document.querySelectorAll('.product[data-sku]')) {
  const slot = product.querySelector('.checkout');
  const buy = slot.querySelector('button.buy');
  buy.addEventListener('click', async () => {
    buy.disabled = true;
    try {
      const [, config] = await ready;
      const order = await createOrder(product.dataset.sku);
      // The order page link, for the thank-you page (the key stays in the URL fragment).
      sessionStorage.setItem(
        `fps-order-page:${order.callerReference}`,
        new URL(order.orderPage, location.href).href,
      );
      const container = document.createElement('div');
      container.dataset.orderReference = order.callerReference;
      mount(container, payOptions(config, order, `Pay $${order.amount} with Amazon`));
      slot.replaceChildren(container);
    } catch (error) {
      showError(slot, buy, `Could not start the checkout: ${error.message}`);
    }
  });
}
