// The thank-you page: the module (data-fps-return) verifies the return and shows the outcome;
// this adds the link to the shopper's order page, which the shop handed out when the order was
// opened (kept in this tab's sessionStorage under the callerReference).
const callerReference = new URLSearchParams(location.search).get('callerReference');
const page = callerReference && sessionStorage.getItem(`fps-order-page:${callerReference}`);
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
