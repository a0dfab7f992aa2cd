// The admin page's dashboard, drawn from the orders and refund requests the page loads: takings per
// day for the last 14 days (an inline SVG chart: no library, no CDN, the CSP allows nothing else),
// orders by state, and what needs the admin now. Takings are what FPS took and the shop kept:
// each order's settled amount less its refunds, on the day the order was placed (UTC), over the
// orders the page loaded (the newest 500). No inline script, no framework.

const SVG = 'http://www.w3.org/2000/svg';
const DAYS = 14;
const DAY_SECONDS = 86400;
const STATE_ORDER = ['open', 'charging', 'pending', 'reserved', 'settling', 'paid', 'refunded', 'cancelled', 'failed'];

const cents = (amount) => Math.round(Number(amount ?? 0) * 100);
const dollars = (c) => `$${(c / 100).toFixed(2)}`;

function svg(name, attributes = {}, text = null) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== null) element.textContent = text;
  return element;
}

/** Cents kept per UTC day, oldest first, for the `DAYS` days up to `nowSeconds`. */
export function takingsPerDay(orders, nowSeconds) {
  const today = Math.floor(nowSeconds / DAY_SECONDS);
  const days = Array.from({ length: DAYS }, (_, i) => ({ day: today - DAYS + 1 + i, cents: 0 }));
  for (const order of orders) {
    const index = Math.floor(order.createdAt / DAY_SECONDS) - (today - DAYS + 1);
    if (index >= 0 && index < DAYS) days[index].cents += cents(order.settledAmount) - cents(order.refundedAmount);
  }
  return days;
}

function chart(days) {
  const width = 560;
  const height = 170;
  const top = 16;
  const bottom = 24;
  const left = 8;
  const slot = (width - left * 2) / days.length;
  const max = Math.max(1, ...days.map((d) => d.cents));
  const total = days.reduce((sum, d) => sum + d.cents, 0);
  const root = svg('svg', {
    viewBox: `0 0 ${width} ${height}`,
    role: 'img',
    'aria-label': `Takings per day, last ${days.length} days: ${dollars(total)} in all`,
    class: 'takings',
  });
  root.append(svg('line', { x1: left, x2: width - left, y1: height - bottom, y2: height - bottom, class: 'axis' }));
  days.forEach((d, i) => {
    const date = new Date(d.day * DAY_SECONDS * 1000);
    const label = date.toISOString().slice(5, 10);
    const h = d.cents > 0 ? Math.max(2, ((height - top - bottom) * d.cents) / max) : 0;
    const x = left + i * slot + slot * 0.15;
    const bar = svg('rect', {
      x: x.toFixed(1),
      y: (height - bottom - h).toFixed(1),
      width: (slot * 0.7).toFixed(1),
      height: h.toFixed(1),
      rx: 3,
      class: d.cents < 0 ? 'bar negative' : 'bar',
      'data-day': date.toISOString().slice(0, 10),
      'data-cents': d.cents,
    });
    bar.append(svg('title', {}, `${date.toISOString().slice(0, 10)}: ${dollars(d.cents)}`));
    root.append(bar);
    if (d.cents > 0) {
      const value = d.cents >= 10000 ? `$${Math.round(d.cents / 100)}` : dollars(d.cents);
      root.append(svg('text', { x: (x + slot * 0.35).toFixed(1), y: (height - bottom - h - 4).toFixed(1), class: 'value' }, value));
    }
    if (i % 2 === days.length % 2 || i === days.length - 1) {
      root.append(svg('text', { x: (x + slot * 0.35).toFixed(1), y: height - 6, class: 'label' }, i === days.length - 1 ? 'today' : label));
    }
  });
  return { root, total };
}

function item(list, text, { href = null, tone = '' } = {}) {
  const li = document.createElement('li');
  if (tone) li.dataset.tone = tone;
  if (href) {
    const a = document.createElement('a');
    a.href = href;
    a.textContent = text;
    li.append(a);
  } else {
    li.textContent = text;
  }
  list.append(li);
  return li;
}

/** Fills the dashboard from `orders` (the admin API's list) and pending `requests`. */
export function renderDashboard(orders, requests, nowSeconds = Date.now() / 1000) {
  const { root, total } = chart(takingsPerDay(orders, nowSeconds));
  document.getElementById('takings-chart').replaceChildren(root);
  document.getElementById('takings-total').textContent = dollars(total);

  const counts = new Map();
  for (const order of orders) counts.set(order.status, (counts.get(order.status) ?? 0) + 1);
  const states = document.getElementById('states');
  states.replaceChildren();
  const most = Math.max(1, ...counts.values());
  for (const state of STATE_ORDER.filter((s) => counts.has(s))) {
    const li = document.createElement('li');
    li.dataset.state = state;
    const badge = document.createElement('span');
    badge.className = 'badge';
    badge.dataset.status = state;
    badge.textContent = state;
    // A bar as long as the count, relative to the largest (SVG: the CSP allows no inline style).
    const meter = svg('svg', { viewBox: '0 0 100 10', preserveAspectRatio: 'none', class: 'meter', 'aria-hidden': 'true' });
    meter.append(svg('rect', { x: 0, y: 0, width: 100, height: 10, rx: 2, class: 'track' }));
    meter.append(svg('rect', { x: 0, y: 0, width: ((100 * counts.get(state)) / most).toFixed(1), height: 10, rx: 2, class: `fill ${state}` }));
    const count = document.createElement('span');
    count.className = 'count';
    count.textContent = String(counts.get(state));
    li.append(badge, meter, count);
    states.append(li);
  }
  if (!states.children.length) item(states, 'No orders yet.');

  const now = document.getElementById('now');
  now.replaceChildren();
  const toShip = orders.filter((o) => o.status === 'reserved');
  // Failed payments, FPS outcomes overdue, reserves near their expiry: the backend's flags.
  const flagged = orders.filter((o) => o.needsAttention);
  if (requests.length) {
    item(now, `${requests.length} refund request${requests.length === 1 ? '' : 's'} to answer`, { href: '#requests-section', tone: 'act' });
  }
  if (flagged.length) {
    item(now, `${flagged.length} order${flagged.length === 1 ? '' : 's'} flagged`, { href: '#attention', tone: 'bad' });
  }
  if (toShip.length) {
    item(now, `${toShip.length} reserved order${toShip.length === 1 ? '' : 's'} to ship`, { href: '#orders', tone: 'act' });
  }
  if (!now.children.length) item(now, 'Nothing needs you now.', { tone: 'ok' });
  document.getElementById('dashboard').hidden = false;
}
