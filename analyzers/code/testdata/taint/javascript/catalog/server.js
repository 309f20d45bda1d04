const express = require('express');
const cookieParser = require('cookie-parser');
const cors = require('cors');
const products = require('./routes/products');

const app = express();
app.use(express.json());
app.use(cookieParser());
app.use(cors({ origin: true, credentials: true })); // vuln "CODE-WEB-002"
app.use(cors({ origin: ['https://shop.example.com'], credentials: true })); // ok "CODE-WEB-002"
app.use('/products', products);
app.listen(3000);
