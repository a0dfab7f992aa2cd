// The marketplace admin page: sellers (with a button that opens a sign-up and shows its link)
// and every marketplace order's split as the backend read it from FPS's GetTransaction; the
// page computes nothing. Shares the admin token with admin.html (session storage or #token=).
import { adminSession } from './admin-session.js';

const form = document.getElementById('token-form');
const tokenInput = document.getElementById('token');
const status = document.getElementById('market-status');
const sellersTable = document.getElementById('sellers');
const splitsTable = document.getElementById('splits');

const { say, api, remember } = adminSession(tokenInput, status);

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

async function invite(seller, td) {
  const signup = await api('/api/sellers', { method: 'POST', body: JSON.stringify({ seller }) });
  const link = document.createElement('a');
  link.href = `seller.html#signup=${encodeURIComponent(signup.callerReference)}`;
  link.textContent = 'Sign-up link';
  link.className = 'signup-link';
  td.replaceChildren(link);
}

function renderSellers(list) {
  const body = sellersTable.querySelector('tbody');
  body.replaceChildren();
  for (const s of list.sellers) {
    const row = document.createElement('tr');
    row.dataset.seller = s.seller;
    cell(row, s.seller);
    cell(row, s.registered ? 'yes' : 'no');
    cell(row, s.recipientTokenId ? `${s.recipientTokenId.slice(0, 12)}…` : '');
    const td = cell(row, '');
    const button = document.createElement('button');
    button.type = 'button';
    button.textContent = s.registered ? 'New sign-up' : 'Invite';
    button.addEventListener('click', () => invite(s.seller, td).catch((e) => say(e.message, true)));
    td.append(button);
    body.append(row);
  }
  sellersTable.hidden = false;
}

async function renderSplits(orders) {
  const body = splitsTable.querySelector('tbody');
  body.replaceChildren();
  for (const order of orders) {
    const split = await api(`/api/orders/${encodeURIComponent(order.callerReference)}/split`);
    if (!split.marketplace) continue;
    const row = document.createElement('tr');
    row.dataset.reference = order.callerReference;
    cell(row, order.callerReference);
    cell(row, split.seller);
    cell(row, order.status);
    const s = split.split;
    cell(row, s ? `$${s.amount}` : '');
    cell(row, s ? `$${s.seller}` : '').className = 'seller-got';
    cell(row, s ? `$${s.marketplace}` : '').className = 'marketplace-got';
    cell(row, s ? `$${s.fps} (fees paid by ${s.fpsFeesPaidBy === 'Caller' ? 'marketplace' : 'seller'})` : '').className = 'fps-got';
    body.append(row);
  }
  splitsTable.hidden = false;
}

async function load() {
  say('Loading…');
  try {
    remember();
    const [sellers, orders] = await Promise.all([api('/api/sellers'), api('/api/orders?limit=100')]);
    renderSellers(sellers);
    await renderSplits(orders.orders ?? orders);
    say(`Marketplace fee: $${sellers.fixedFee ?? '0.00'} + ${sellers.variableFee ?? '0'}% per sale; Amazon's fee paid by the ${sellers.chargeFeeTo === 'Caller' ? 'marketplace' : 'seller'}.`);
  } catch (error) {
    say(error.message, true);
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  load();
});
if (tokenInput.value) load();
