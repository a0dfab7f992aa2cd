// The seller's sign-up page: the marketplace sends each seller a link seller.html#signup=<ref>
// (the reference is the link's secret; a fragment never reaches a server log). The page shows
// the marketplace's fees and mounts the same Pay Now module on the Recipient pipeline, with
// exactly those fees: the backend signs nothing else.
import init, { mount } from './pkg/web/fps_checkout.js';
import { loadConfig } from './config.js';

const panel = document.getElementById('signup');

function say(text, isError = false) {
  const note = document.createElement('p');
  note.className = isError ? 'status error' : 'status';
  if (isError) note.setAttribute('role', 'alert');
  note.textContent = text;
  panel.replaceChildren(note);
}

function row(list, term, value) {
  const dt = document.createElement('dt');
  dt.textContent = term;
  const dd = document.createElement('dd');
  dd.textContent = value;
  list.append(dt, dd);
}

async function main() {
  const reference = new URLSearchParams(location.hash.slice(1)).get('signup');
  if (!reference) {
    say('This page needs your sign-up link from the marketplace (seller.html#signup=…).', true);
    return;
  }
  const [, config, response] = await Promise.all([
    init({ module_or_path: new URL('./pkg/web/fps_checkout_bg.wasm', import.meta.url) }),
    loadConfig(),
    fetch(`/api/sellers/${encodeURIComponent(reference)}`),
  ]);
  const signup = await response.json().catch(() => ({}));
  if (!response.ok) {
    say(`This sign-up link does not work: ${signup.error?.message ?? `HTTP ${response.status}`}`, true);
    return;
  }
  const heading = document.createElement('h2');
  heading.textContent = `Seller: ${signup.seller}`;
  const terms = document.createElement('dl');
  terms.className = 'terms';
  row(terms, 'Marketplace fee', `$${signup.maxFixedFee ?? '0.00'} + ${signup.maxVariableFee ?? '0'}% per sale`);
  row(terms, 'Amazon Payments fee paid by', signup.recipientPaysFee === 'True' ? 'you (the seller)' : 'the marketplace');
  if (signup.status !== 'open') {
    const done = document.createElement('p');
    done.className = 'status';
    done.textContent = 'You are registered: the marketplace pays you for your sales.';
    panel.replaceChildren(heading, terms, done);
    return;
  }
  const container = document.createElement('div');
  container.className = 'register';
  const params = { recipientPaysFee: signup.recipientPaysFee };
  if (signup.maxFixedFee) params.maxFixedFee = signup.maxFixedFee;
  if (signup.maxVariableFee) params.maxVariableFee = signup.maxVariableFee;
  mount(container, {
    pipeline: 'Recipient',
    callerKey: config.callerKey,
    signEndpoint: config.signEndpoint,
    environment: config.environment,
    returnUrl: config.returnUrl,
    callerReference: signup.callerReference,
    label: 'Register with Amazon Payments',
    params,
  });
  panel.replaceChildren(heading, terms, container);
}

main().catch((error) => say(`Could not load the sign-up: ${error.message}`, true));
