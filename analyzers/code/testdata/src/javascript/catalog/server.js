// The catalog service: products, prices and descriptions.
const express = require('express');
const helmet = require('helmet');
const cors = require('cors');
const passport = require('passport');

const products = require('./routes/products');

const app = express(); // want-element . component want-members javascript:catalog dockerfile:catalog/Dockerfile compose:compose.yaml/catalog
app.use(helmet()); // want-attr . security_headers=true(read)
app.use(cors()); // want-attr . cors_any_origin=true(read)
app.use(express.json());

app.get('/healthz', (req, res) => res.send('ok')); // want-element "entry/GET /healthz" entry
app.use('/products', products);

app.use(passport.authenticate('jwt', { session: false })); // want-attr "entry/DELETE /cache" authenticated=true(read)
app.delete('/cache', (req, res) => res.sendStatus(204)); // want-element "entry/DELETE /cache" entry

app.listen(process.env.PORT || 3000);
