// The sender data of an order as both the admin page and the shopper's order page show it: the
// shipping address CBUI collected (an order that ships) and the payment method the sender chose.
// Every value goes in through textContent: what the shopper typed is never markup.

const METHODS = { balance: 'Amazon Payments balance', bank: 'bank account', card: 'credit card' };

/** The address's lines (name, street, town, country, phone), empty ones left out. */
export function addressLines(address) {
  if (!address) return [];
  const town = [address.city, address.state, address.zip].filter(Boolean).join(' ');
  return [address.name, address.line1, address.line2, town, address.country, address.phone]
    .filter(Boolean)
    .map((line) => String(line).slice(0, 200));
}

/** The payment method's name for people, or '' when none is known. */
export function methodName(method) {
  return METHODS[method] ?? '';
}

/** An `<address>` element with one line per address line (null when there is no address). */
export function addressElement(address) {
  const lines = addressLines(address);
  if (lines.length === 0) return null;
  const element = document.createElement('address');
  element.className = 'shipping-address';
  lines.forEach((line, i) => {
    if (i > 0) element.append(document.createElement('br'));
    element.append(document.createTextNode(line));
  });
  return element;
}
