// The admin page's account activity and transaction details, as FPS reports them: the backend's
// /api/activity (GetAccountActivity, for the shop's own account or a registered seller's part of
// it, paged by FPS's own next date) and /api/orders/{ref}/transaction (GetTransaction). Nothing
// here computes money: every figure is the text FPS answered. No inline script, no framework.

const section = document.getElementById('activity-section');
const form = document.getElementById('activity-form');
const account = document.getElementById('activity-account');
const from = document.getElementById('activity-from');
const to = document.getElementById('activity-to');
const status = document.getElementById('activity-status');
const table = document.getElementById('activity');
const body = table.querySelector('tbody');
const next = document.getElementById('activity-next');
const details = document.getElementById('transaction-section');

let api = null;
let nextDate = null;

function say(element, text, isError = false) {
  element.textContent = text;
  element.classList.toggle('error', isError);
}

function cell(row, text, className) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  if (className) td.className = className;
  row.append(td);
  return td;
}

const dollars = (value) => (value == null ? '—' : `$${value}`);

// One line per party: its role, name and the fees FPS says it paid.
function partsCell(row, parts) {
  const td = cell(row, '', 'parts');
  for (const p of parts) {
    const line = document.createElement('div');
    line.textContent = `${p.role} ${p.name ?? ''}: ${dollars(p.feesPaid)};`;
    td.append(line);
  }
}

function activityQuery(after) {
  const query = new URLSearchParams({ account: account.value, from: from.value, limit: '10' });
  if (to.value) query.set('to', to.value);
  if (after) query.set('after', after);
  return `/api/activity?${query}`;
}

function renderActivity(page, append) {
  if (!append) body.replaceChildren();
  for (const t of page.transactions) {
    const row = document.createElement('tr');
    row.dataset.transactionId = t.transactionId;
    if (t.callerReference) row.dataset.reference = t.callerReference;
    cell(row, t.dateReceived);
    cell(row, t.callerReference ?? '—');
    cell(row, t.operation);
    cell(row, t.status);
    cell(row, dollars(t.amount), 'amount');
    cell(row, dollars(t.fpsFees), 'fps-fees');
    cell(row, dollars(t.marketplaceFees), 'marketplace-fees');
    partsCell(row, t.parts);
    body.append(row);
  }
  table.hidden = false;
  nextDate = page.next;
  next.hidden = !nextDate;
  const shown = body.children.length;
  say(status, `${shown} transaction${shown === 1 ? '' : 's'} from GetAccountActivity${nextDate ? ' (more on the next page)' : ''}`);
}

async function loadActivity(append) {
  say(status, 'Asking FPS…');
  next.disabled = true;
  try {
    renderActivity(await api(activityQuery(append ? nextDate : null)), append);
  } catch (error) {
    say(status, `Could not read the account activity: ${error.message}`, true);
  } finally {
    next.disabled = false;
  }
}

// Called by the orders list once the token works: shows the section and lists the sellers.
export async function initActivity(apiCall) {
  const first = api === null;
  api = apiCall;
  section.hidden = false;
  if (!first) return;
  if (!from.value) {
    const start = new Date(Date.now() - 7 * 24 * 3600 * 1000);
    from.value = start.toISOString().slice(0, 10);
  }
  try {
    const { sellers = [] } = await api('/api/sellers');
    for (const seller of sellers.filter((s) => s.registered)) {
      const option = document.createElement('option');
      option.value = seller.seller;
      option.textContent = `Seller ${seller.seller}`;
      account.append(option);
    }
  } catch {
    // A shop without a marketplace lists no sellers; the caller's own activity still works.
  }
}

form.addEventListener('submit', (event) => {
  event.preventDefault();
  loadActivity(false);
});
next.addEventListener('click', () => loadActivity(true));

function term(list, name, value) {
  const dt = document.createElement('dt');
  dt.textContent = name;
  const dd = document.createElement('dd');
  dd.textContent = value ?? '—';
  list.append(dt, dd);
}

// GetTransaction for one order, shown under the orders.
export async function showTransaction(reference) {
  const list = document.getElementById('transaction-details');
  const history = document.getElementById('transaction-history').querySelector('tbody');
  const title = document.getElementById('transaction-title');
  details.hidden = false;
  title.textContent = `Transaction of order ${reference}`;
  list.replaceChildren();
  history.replaceChildren();
  try {
    const { transaction: t } = await api(`/api/orders/${encodeURIComponent(reference)}/transaction`);
    if (!t) {
      term(list, 'Transaction', 'not charged yet');
      return;
    }
    term(list, 'Transaction', t.transactionId);
    term(list, 'Operation', `${t.operation} by ${t.paymentMethod}`);
    term(list, 'Status', `${t.status} (${t.statusCode ?? '—'}) ${t.statusMessage ?? ''}`);
    term(list, 'Amount', dollars(t.amount));
    term(list, 'FPS fees', `${dollars(t.fpsFees)} paid by ${t.fpsFeesPaidBy ?? '—'}`);
    term(list, 'Marketplace fees', dollars(t.marketplaceFees));
    term(list, 'Sender', `${t.senderName ?? '—'} <${t.senderEmail ?? '—'}>`);
    term(list, 'Recipient', `${t.recipientName ?? '—'} <${t.recipientEmail ?? '—'}>`);
    term(list, 'Received', t.dateReceived);
    term(list, 'Completed', t.dateCompleted);
    term(list, 'Related', t.related.map((r) => `${r.relationType}: ${r.transactionId}`).join(', ') || '—');
    for (const h of t.history) {
      const row = document.createElement('tr');
      cell(row, h.date);
      cell(row, h.status);
      cell(row, h.statusCode);
      cell(row, dollars(h.amount));
      history.append(row);
    }
    details.scrollIntoView({ block: 'nearest' });
  } catch (error) {
    term(list, 'Error', error.message);
  }
}
