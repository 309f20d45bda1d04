const { Router } = require('express');

const db = require('../db');
const { priceOf, describe } = require('../clients');

const router = Router();
const requireAuth = (req, res, next) => (req.user ? next() : res.sendStatus(401));

router.get('/', async (req, res) => res.json(await db.list())); // want-element "entry/GET /products" entry want-attr "entry/GET /products" authenticated=false(defaulted)  // want "CODE-WEB-005"

router.get('/:id', async (req, res) => { // want-element "entry/GET /products/:id" entry
  const product = await db.get(req.params.id);
  res.json({ ...product, price: await priceOf(product) });
});

router.post('/:id/description', requireAuth, async (req, res) => { // want-element "entry/POST /products/:id/description" entry want-attr "entry/POST /products/:id/description" authenticated=true(read)
  res.json({ text: await describe(req.body.notes) });
});

module.exports = router;
