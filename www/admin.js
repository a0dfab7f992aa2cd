// The example shop's admin page: a dashboard, the refund requests shoppers made, and the orders
// from the backend's admin API (bearer token) with "Mark shipped" (Settle), cancel and refund (all
// or part) where the order's state allows. No inline script, no framework.
import { adminSession } from './admin-session.js';
import { initActivity, showTransaction } from './admin-activity.js';
import { renderDashboard } from './admin-dashboard.js';
import { renderRequests } from './admin-requests.js';
import { addressElement, methodName } from './sender.js';

const form = document.getElementById('token-form');
const tokenInput = document.getElementById('token');
const status = document.getElementById('admin-status');
const table = document.getElementById('orders');
const body = table.querySelector('tbody');

const { say, api, remember } = adminSession(tokenInput, status);

// Which actions each order state allows (the backend enforces the same rules). "Mark shipped" is
// the whole reserved amount's Settle.
const ACTIONS = {
  reserved: ['settle', 'cancel'],
  pending: ['cancel'],
  paid: ['refund'],
};
const LABELS = { settle: 'Mark shipped', cancel: 'Cancel', refund: 'Refund' };

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

// Orders the backend flags (failed payments or settlements, FPS outcomes overdue), above the table.
function renderAttention(orders) {
  const section = document.getElementById('attention');
  const list = section.querySelector('ul');
  list.replaceChildren();
  for (const order of orders.filter((o) => o.needsAttention)) {
    const item = document.createElement('li');
    item.dataset.reference = order.callerReference;
    item.textContent = `${order.callerReference} ($${order.amount}, ${order.status}): ${order.needsAttention}`;
    list.append(item);
  }
  section.hidden = list.children.length === 0;
}

function render(orders) {
  renderAttention(orders);
  body.replaceChildren();
  for (const order of orders) {
    const row = document.createElement('tr');
    row.dataset.reference = order.callerReference;
    const referenceCell = cell(row, order.callerReference);
    const shipTo = addressElement(order.shippingAddress);
    if (shipTo) {
      const label = document.createElement('div');
      label.className = 'hint';
      label.textContent = 'Ship to:';
      referenceCell.append(label, shipTo);
    }
    if (order.paymentMethod) {
      const method = document.createElement('div');
      method.className = 'hint payment-method';
      method.textContent = `Paid by ${methodName(order.paymentMethod)}`;
      referenceCell.append(method);
    }
    cell(row, `$${order.amount}${Number(order.refundedAmount) > 0 ? ` (refunded $${order.refundedAmount})` : ''}`);
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.status = order.status;
    badge.textContent = order.status;
    const statusCell = cell(row, '');
    statusCell.append(badge);
    if (order.lastError) {
      const note = document.createElement('div');
      note.className = 'bad';
      note.textContent = order.lastError;
      statusCell.append(note);
    }
    cell(row, order.transactionId ? `${order.transactionId} (${order.transactionStatus ?? '?'})` : '—');
    const actions = cell(row, '');
    actions.className = 'actions';
    if (order.transactionId) actions.append(detailsButton(order));
    for (const action of ACTIONS[order.status] ?? []) {
      const button = document.createElement('button');
      button.type = 'button';
      button.textContent = LABELS[action];
      button.setAttribute(
        'aria-label',
        action === 'settle' ? `Mark shipped: settle order ${order.callerReference}` : `${LABELS[action]} order ${order.callerReference}`,
      );
      const amount = action === 'refund' ? refundAmount(order) : null;
      if (amount) actions.append(amount);
      button.addEventListener('click', () => act(order, action, button, amount));
      actions.append(button);
    }
    body.append(row);
  }
  table.hidden = false;
}

// GetTransaction for the order (admin-activity.js shows it).
function detailsButton(order) {
  const button = document.createElement('button');
  button.type = 'button';
  button.textContent = 'Details';
  button.setAttribute('aria-label', `Details of order ${order.callerReference}`);
  button.addEventListener('click', () => showTransaction(order.callerReference));
  return button;
}

// The refund's amount: what is left to refund, which the admin may lower (a partial refund).
function refundAmount(order) {
  const left = (Math.round(Number(order.settledAmount) * 100) - Math.round(Number(order.refundedAmount) * 100)) / 100;
  const input = document.createElement('input');
  input.className = 'amount';
  input.inputMode = 'decimal';
  input.size = 7;
  input.value = left.toFixed(2);
  input.setAttribute('aria-label', `Amount to refund of order ${order.callerReference}`);
  return input;
}

async function act(order, action, button, amount = null) {
  button.disabled = true;
  say(`${action} ${order.callerReference}…`);
  try {
    const result = await api(`/api/orders/${encodeURIComponent(order.callerReference)}/${action}`, {
      method: 'POST',
      body: JSON.stringify(amount ? { amount: amount.value.trim() } : {}),
    });
    say(`${action} ${order.callerReference}: ${result.status ?? 'done'}`);
    await refresh();
  } catch (error) {
    say(`${action} ${order.callerReference} failed: ${error.message}`, true);
    button.disabled = false;
  }
}

async function refresh() {
  const [{ orders }, { requests }] = await Promise.all([api('/api/orders?limit=500'), api('/api/refund-requests')]);
  await initActivity(api);
  renderDashboard(orders, requests);
  renderRequests(requests, { api, say, refresh });
  render(orders);
  if (!status.textContent) say(`${orders.length} orders`);
}

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  remember();
  say('');
  try {
    await refresh();
  } catch (error) {
    say(`Could not load orders: ${error.message}`, true);
  }
});

if (tokenInput.value) form.requestSubmit();
