// The admin page's refund requests: the refunds shoppers asked for on their order pages, oldest
// first, each approved (the backend issues the Refund, once) or declined with a message the
// shopper sees. Nothing here moves money by itself. No inline script, no framework.

const section = document.getElementById('requests-section');
const body = document.querySelector('#requests tbody');

function cell(row, text) {
  const td = document.createElement('td');
  td.textContent = text ?? '';
  row.append(td);
  return td;
}

function button(text, label, onClick) {
  const element = document.createElement('button');
  element.type = 'button';
  element.textContent = text;
  element.setAttribute('aria-label', label);
  element.addEventListener('click', () => onClick(element));
  return element;
}

/** Shows the pending `requests`; `api`, `say` and `refresh` are the page's. */
export function renderRequests(requests, { api, say, refresh }) {
  body.replaceChildren();
  for (const request of requests) {
    const row = document.createElement('tr');
    row.dataset.request = request.id;
    row.dataset.reference = request.orderReference;
    cell(row, request.orderReference);
    cell(row, `$${request.amount} of $${request.orderAmount ?? '?'} (left: $${request.refundableAmount ?? '?'})`);
    cell(row, request.reason).className = 'reason';
    cell(row, request.createdAt?.replace('T', ' ').replace(/:\d\dZ$/, ' UTC'));
    const decide = cell(row, '');
    decide.className = 'actions decide';
    const message = document.createElement('input');
    message.className = 'message';
    message.maxLength = 500;
    message.placeholder = 'Message if declined';
    message.setAttribute('aria-label', `Message to the shopper of order ${request.orderReference}`);
    const decided = async (element, path, payload, what) => {
      element.disabled = true;
      say(`${what} the refund request of ${request.orderReference}…`);
      try {
        await api(`/api/refund-requests/${encodeURIComponent(request.id)}/${path}`, {
          method: 'POST',
          body: JSON.stringify(payload),
        });
        say(`${what} the refund request of ${request.orderReference}: done`);
        await refresh();
      } catch (error) {
        say(`${what} the refund request of ${request.orderReference} failed: ${error.message}`, true);
        element.disabled = false;
      }
    };
    decide.append(
      button('Approve', `Approve the refund of order ${request.orderReference}`, (element) =>
        decided(element, 'approve', {}, 'Approving'),
      ),
      message,
      button('Decline', `Decline the refund of order ${request.orderReference}`, (element) => {
        if (!message.value.trim()) {
          say('Write the message the shopper sees first.', true);
          message.focus();
          return;
        }
        decided(element, 'decline', { message: message.value }, 'Declining');
      }),
    );
    body.append(row);
  }
  section.hidden = requests.length === 0;
}
