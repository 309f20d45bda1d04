const { Pool } = require('pg');
const Redis = require('ioredis');

const pool = new Pool({ connectionString: process.env.DATABASE_URL }); // want-element flow/DATABASE_URL flow want-flow javascript:catalog -> catalog-db protocol="postgres"(read)
const cache = new Redis(process.env.REDIS_URL); // want-element flow/REDIS_URL flow want-flow javascript:catalog -> cache

// A Map's get is not a client call, nor is https://example.com/docs in a comment.
const recent = new Map();

async function get(id) {
  if (recent.get(id)) return recent.get(id);
  const cached = await cache.get(`product:${id}`);
  if (cached) return JSON.parse(cached);
  const { rows } = await pool.query('SELECT * FROM products WHERE id = $1', [id]);
  return rows[0];
}

async function list() {
  return (await pool.query('SELECT * FROM products')).rows;
}

module.exports = { get, list };
