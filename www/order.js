// The shopper's order page, opened by the secret link `order.html#<reference>.<key>` (the key
// stays in the fragment: never sent in a request line or a Referer). Shows the order, lets the
// shopper cancel it before money is taken, and, after a failed payment or settlement, authorize
// it again with a new Pay Now button (a new callerReference for the same order). A paid order can
// be the subject of a refund request (a reason, all or part), which the shop approves or declines.
import init, { mount } from './pkg/web/fps_checkout.js';
import { loadConfig, payOptions } from './config.js';
import { addressElement, methodName } from './sender.js';

const [reference, key] = (() => {
  const fragment = decodeURIComponent(location.hash.slice(1));
  const dot = fragment.lastIndexOf('.');
  return dot > 0 ? [fragment.slice(0, dot), fragment.slice(dot + 1)] : ['', ''];
})();

const panel = document.getElementById('order');
const status = document.getElementById('order-status');
const facts = document.getElementById('order-facts');
const reason = document.getElementById('order-reason');
const actions = document.getElementById('order-actions');

function say(text, isError = false) {
  status.textContent = text;
  status.dataset.state = isError ? 'failure' : '';
}

const refundSection = document.getElementById('refund-section');
const refundStatus = document.getElementById('refund-request-status');
const refundForm = document.getElementById('refund-form');
const refundAmount = document.getElementById('refund-amount');
const refundReason = document.getElementById('refund-reason');

async function api(path, method = 'GET', payload = undefined) {
  const { apiBase = '' } = await loadConfig();
  const headers = { 'Fps-Order-Key': key };
  if (payload !== undefined) headers['Content-Type'] = 'application/json';
  const response = await fetch(`${apiBase}/api/shop/orders/${encodeURIComponent(reference)}${path}`, {
    method,
    headers,
    body: payload === undefined ? undefined : JSON.stringify(payload),
    cache: 'no-store',
  });
  const body = await response.json().catch(() => ({}));
  if (!response.ok) throw new Error(body.error?.message ?? `the shop answered HTTP ${response.status}`);
  return body;
}

function button(label, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.className = 'buy';
  element.textContent = label;
  element.addEventListener('click', () => onClick(element));
  return element;
}

function render(order) {
  panel.setAttribute('aria-busy', 'false');
  facts.hidden = false;
  document.getElementById('order-id').textContent = order.orderId;
  document.getElementById('order-items').textContent = order.description;
  const shipTo = addressElement(order.shippingAddress);
  document.getElementById('order-ship-to').replaceChildren(...(shipTo ? [shipTo] : []));
  document.getElementById('order-ship-row').hidden = !shipTo;
  document.getElementById('order-method').textContent = methodName(order.paymentMethod);
  document.getElementById('order-method-row').hidden = !order.paymentMethod;
  document.getElementById('order-amount').textContent =
    `$${order.amount}${Number(order.refundedAmount) > 0 ? ` (refunded $${order.refundedAmount})` : ''}`;
  const badge = document.getElementById('order-badge');
  badge.dataset.status = order.status;
  badge.textContent = order.status;
  say(order.statusText, order.status === 'failed');
  reason.hidden = !order.reason;
  reason.textContent = order.reason ? `Reason: ${order.reason}.` : '';
  actions.replaceChildren();
  if (order.canCancel) {
    actions.append(button('Cancel order', (element) => act(element, '/cancel', 'Cancelling…')));
  }
  if (order.canReauthorize) {
    actions.append(button('Authorize again', (element) => reauthorize(element)));
  }
  renderRefund(order);
}

// What became of the latest refund request, in the shopper's words.
function requestText(request) {
  const amount = `$${request.amount}`;
  if (request.status === 'pending') return `You asked for a refund of ${amount}. The shop will look at it soon.`;
  if (request.status === 'declined') return `The shop declined your refund request of ${amount}: ${request.message}`;
  if (request.refundStatus === 'Success') return `The shop refunded ${amount}.`;
  if (request.refundStatus === 'failed' || request.refundStatus === 'Failure') {
    return `The shop approved your refund of ${amount}, but it did not go through yet; the shop will look at it.`;
  }
  return `The shop approved your refund of ${amount}; it is being processed.`;
}

function renderRefund(order) {
  const request = order.refundRequest;
  refundStatus.hidden = !request;
  refundStatus.dataset.status = request?.status ?? '';
  refundStatus.textContent = request ? requestText(request) : '';
  refundForm.hidden = !order.canRequestRefund;
  if (order.canRequestRefund) {
    document.getElementById('refund-max').textContent = `$${order.refundableAmount}`;
    refundAmount.value = order.refundableAmount;
  }
  refundSection.hidden = refundStatus.hidden && refundForm.hidden;
}

refundForm.addEventListener('submit', async (event) => {
  event.preventDefault();
  const submit = document.getElementById('refund-submit');
  submit.disabled = true;
  say('Sending your refund request…');
  try {
    render(await api('/refund-request', 'POST', { amount: refundAmount.value.trim(), reason: refundReason.value }));
    refundReason.value = '';
  } catch (error) {
    say(`Could not ask for a refund: ${error.message}`, true);
  } finally {
    submit.disabled = false;
  }
});

async function act(element, path, busy) {
  element.disabled = true;
  say(busy);
  try {
    render(await api(path, 'POST'));
  } catch (error) {
    say(`Could not do that: ${error.message}`, true);
    element.disabled = false;
  }
}

// A new authorization: the backend opens the failed order again under a new callerReference;
// the Pay Now button then signs and sends the shopper to Amazon Payments as the first time.
async function reauthorize(element) {
  element.disabled = true;
  say('Preparing a new authorization…');
  try {
    const [order, config] = await Promise.all([
      api('/reauthorize', 'POST'),
      loadConfig(),
      init({ module_or_path: new URL('./pkg/web/fps_checkout_bg.wasm', import.meta.url) }),
    ]);
    render(order);
    sessionStorage.setItem(`fps-order-page:${order.callerReference}`, location.href);
    const slot = document.createElement('div');
    slot.className = 'reauthorize';
    actions.replaceChildren(slot);
    mount(slot, payOptions(config, order, `Authorize $${order.amount} with Amazon`));
  } catch (error) {
    say(`Could not start a new authorization: ${error.message}`, true);
    element.disabled = false;
  }
}

// Another order's link pasted into this tab changes only the fragment: load that order.
window.addEventListener('hashchange', () => location.reload());

if (!reference || !key) {
  say('This link is incomplete: open the order link exactly as you received it.', true);
} else {
  api('').then(render, (error) => say(`Could not load your order: ${error.message}`, true));
}
