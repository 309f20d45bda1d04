const express = require('express');
const { Pool } = require('pg');

const app = express();
const pool = new Pool({ connectionString: process.env.DATABASE_URL });

app.get('/products', async (req, res) => {
  const rows = await pool.query(`SELECT * FROM products WHERE category = '${req.query.category}' AND price < ${req.query.max}`);
  res.json(rows.rows);
});

app.listen(3000);
