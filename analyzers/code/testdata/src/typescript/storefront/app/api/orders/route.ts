// The storefront's API route: the browser posts orders here, the route forwards them.
export async function POST(request: Request) { // want-element . component want-element "entry/POST /api/orders" entry want-attr "entry/POST /api/orders" authenticated=false(defaulted)
  const order = await request.json();
  return fetch(process.env.ORDERS_API_URL + '/orders', { method: 'POST', body: JSON.stringify(order) }); // want-element flow/ORDERS_API_URL flow want-flow typescript:storefront -> actor:orders-api
}
