// The thank-you page: the module (data-fps-return) verifies the return and shows the outcome;
// this adds the link to the shopper's order page, which the shop handed out when the order was
// opened (kept in this tab's sessionStorage under the callerReference), and, once the return is
// verified, follows a payment that is still being processed to its outcome: it asks the shop
// (the order page API, with the page's key) every 2 seconds for up to 30 seconds, then says what
// happened, telling a reserved order (the card is authorized, charged when it ships) apart from a
// charged one. A payment still open after that is never reported as failed.
import { loadConfig } from './config.js';

const POLL_MS = 2000;
const FOLLOW_MS = 30000;
const UNDER_WAY = new Set(['open', 'charging', 'pending']);

const callerReference = new URLSearchParams(location.search).get('callerReference');
const page = callerReference && sessionStorage.getItem(`fps-order-page:${callerReference}`);
const outcome = document.getElementById('outcome');
if (page) {
  const link = document.getElementById('order-link');
  link.querySelector('a').href = page;
  link.hidden = false;
}

// A seller's registration (Recipient pipeline) comes back here too: it is not an order.
if (callerReference?.startsWith('sel-')) {
  document.querySelector('h1').textContent = 'Your registration';
  document.title = 'Registration — Trailhead Supply';
}

/** The order reference and key of an order page link (`order.html#<reference>.<key>`). */
function linkParts(href) {
  const fragment = decodeURIComponent(new URL(href, location.href).hash.slice(1));
  const dot = fragment.lastIndexOf('.');
  return dot > 0 ? { reference: fragment.slice(0, dot), key: fragment.slice(dot + 1) } : null;
}

async function fetchOrder({ reference, key }) {
  const { apiBase = '' } = await loadConfig();
  const response = await fetch(`${apiBase}/api/shop/orders/${encodeURIComponent(reference)}`, {
    headers: { 'Fps-Order-Key': key },
    cache: 'no-store',
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.json();
}

/** Shows where `order` stands in the outcome box; `final` once no more answers are awaited. */
function show(order, final) {
  const amount = `$${order.amount}`;
  const texts = {
    paid: [`Thank you: your payment of ${amount} is complete. Your card or account has been charged.`, 'success', 'charged'],
    reserved: [`Thank you: your card is authorized for ${amount}; you are charged when your order ships.`, 'success', 'authorized'],
    failed: [`The payment did not go through. Nothing was charged.${order.reason ? ` (${order.reason})` : ''}`, 'failure', 'failed'],
    cancelled: ['The payment was cancelled. Nothing was charged.', 'failure', 'cancelled'],
  };
  const [text, state, kind] = texts[order.status] ?? [
    final
      ? 'Your payment is still being processed; this can take a while. Your order page shows the outcome.'
      : 'Your payment is being processed…',
    'pending',
    'processing',
  ];
  outcome.textContent = text;
  outcome.dataset.state = state;
  outcome.dataset.orderStatus = order.status;
  outcome.dataset.paymentKind = kind;
  outcome.setAttribute('aria-busy', state === 'pending' && !final ? 'true' : 'false');
}

async function follow(parts) {
  const until = Date.now() + FOLLOW_MS;
  for (;;) {
    let order = null;
    try {
      order = await fetchOrder(parts);
    } catch {
      // A failed look-up says nothing about the payment: ask again, and leave the module's verdict.
    }
    const done = order && !UNDER_WAY.has(order.status);
    const final = done || Date.now() + POLL_MS > until;
    if (order) show(order, final);
    if (final) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

// Follow the order once the module has the shop's verdict on a successful return.
const parts = page && !callerReference.startsWith('sel-') ? linkParts(page) : null;
if (parts) {
  let started = false;
  const start = () => {
    if (started || outcome.dataset.state !== 'success') return;
    started = true;
    observer.disconnect();
    follow(parts);
  };
  const observer = new MutationObserver(start);
  observer.observe(outcome, { attributes: true, attributeFilter: ['data-state'] });
  start();
}
