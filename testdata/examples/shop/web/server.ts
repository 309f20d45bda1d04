// The storefront: pages for shoppers, and the checkout form that posts to the orders API.
import express from 'express';
import helmet from 'helmet';

const app = express();
app.use(helmet());
app.use(express.json());

app.get('/', (_req, res) => res.send('<h1>Shop</h1>'));

app.post('/checkout', async (req, res) => {
  const order = await fetch(`${process.env.API_URL}/orders`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(req.body),
  });
  res.status(order.status).end();
});

app.listen(8080);
