const { Pool } = require('pg');
const { MongoClient } = require('mongodb');

const pool = new Pool({ connectionString: process.env.DATABASE_URL });
const mongo = new MongoClient(process.env.MONGO_URL);
const users = mongo.db('shop').collection('users');

async function byCategory(category, column) {
  const ok = await pool.query(`SELECT * FROM products WHERE category = $1 ORDER BY ${column}`, [category]); // ok "CODE-INJ-001"
  const bad = await pool.query("SELECT * FROM products WHERE category = '" + category + "'"); // vuln "CODE-INJ-001"
  return ok.rows.concat(bad.rows);
}

async function raw(sql) {
  return (await pool.query(sql)).rows; // vuln "CODE-INJ-001"
}

module.exports = { byCategory, raw, users };
