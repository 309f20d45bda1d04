const express = require('express');
const { exec, execFile } = require('child_process');
const fs = require('fs');
const path = require('path');
const axios = require('axios');
const db = require('../lib/db');
const { renderCard } = require('../lib/render');

const router = express.Router();
const ROOT = path.join(__dirname, '..', 'images');
const SORTS = { price: 'price', name: 'name' };

router.get('/', async (req, res) => {
  const { category, sort } = req.query;
  const column = SORTS[sort] || 'name';
  const rows = await db.byCategory(category, column);
  res.json(rows);
});

router.get('/search', async (req, res) => {
  const terms = req.query.q.split(' ');
  const likes = terms.map((t) => `name LIKE '%${t}%'`);
  const rows = await db.raw(`SELECT id FROM products WHERE ${likes.join(' OR ')}`);
  res.json(rows);
});

router.get('/:id/card', (req, res) => {
  res.send(renderCard(req.params.id, req.query.note)); // vuln "CODE-INJ-005"
});

router.get('/:id/image', (req, res) => {
  const file = path.resolve(ROOT, req.query.name);
  if (!file.startsWith(ROOT + path.sep)) {
    return res.status(400).end();
  }
  res.sendFile(file); // ok "CODE-INJ-003"
});

router.get('/:id/thumb', (req, res) => {
  fs.readFile(path.join(ROOT, 'thumbs', req.query.name), (err, data) => res.end(data)); // vuln "CODE-INJ-003"
});

router.post('/:id/resize', (req, res) => {
  const size = parseInt(req.body.size, 10);
  exec(`convert image.png -resize ${size} out.png`); // ok "CODE-INJ-002"
  exec('convert ' + req.body.file + ' out.png'); // vuln "CODE-INJ-002"
  execFile('convert', [req.body.file, 'out.png']); // ok "CODE-INJ-002"
  res.sendStatus(202);
});

router.post('/import', async (req, res) => {
  const { feed } = req.body;
  const data = await axios.get(feed); // vuln "CODE-INJ-004"
  const mirror = await axios.get(`https://feeds.example.com/mirror/${encodeURIComponent(feed)}`); // ok "CODE-INJ-004"
  res.json({ data: data.data, mirror: mirror.data });
});

router.get('/back', (req, res) => {
  const target = req.query.to;
  if (target.startsWith('/products')) {
    return res.redirect(target); // ok "CODE-INJ-009"
  }
  res.redirect(target); // vuln "CODE-INJ-009"
});

router.post('/rules', (req, res) => {
  const fn = new Function('price', req.body.rule); // vuln "CODE-INJ-012"
  res.json({ price: fn(10) });
});

router.post('/find', async (req, res) => {
  const user = await db.users.findOne({ name: req.body.name }); // vuln "CODE-INJ-001"
  const same = await db.users.findOne({ name: String(req.body.name) }); // vuln "CODE-INJ-001"
  res.json({ user, same });
});

module.exports = router;
