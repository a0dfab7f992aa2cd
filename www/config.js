// Where the shop finds its backend and payment settings: /config.json, written by the demo (or by
// the merchant's own deployment). Fetched once per page.
let cached;

export function loadConfig() {
  cached ??= fetch('config.json', { cache: 'no-store' }).then((response) => {
    if (!response.ok) throw new Error(`config.json: HTTP ${response.status}`);
    return response.json();
  });
  return cached;
}

/** The Pay Now button's options for `order` (as POST /api/orders or the order page API answer
 * it), with the shop's settings from `config` and the button's `label`. */
export function payOptions(config, order, label) {
  return {
    callerKey: config.callerKey,
    signEndpoint: config.signEndpoint,
    environment: config.environment,
    returnUrl: config.returnUrl,
    amount: order.amount,
    callerReference: order.callerReference,
    reason: order.description,
    label,
    // What /fps/sign signs for the order and nothing more: a Reserve order is a card Reserve
    // (reserve=True, paymentMethod=CC); a Pay order carries neither. An order that ships (the
    // catalog says so, the order's answer repeats it) asks CBUI for the shipping address.
    params: {
      ...(order.paymentMode === 'reserve' ? { reserve: 'True', paymentMethod: 'CC' } : {}),
      ...(order.collectShippingAddress ? { collectShippingAddress: 'True' } : {}),
    },
  };
}
