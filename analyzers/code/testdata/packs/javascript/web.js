// The corpus of the JavaScript web packs.
const express = require('express');
const { expressjwt } = require('express-jwt');
const jwt = require('express-jwt');
const { requiresAuth } = require('express-openid-connect');
const { auth } = require('express-oauth2-jwt-bearer');
const { ensureLoggedIn } = require('connect-ensure-login');
const Koa = require('koa');
const KoaRouter = require('@koa/router');
const LegacyRouter = require('koa-router');
const fastify = require('fastify');
const fastifyCors = require('@fastify/cors');
const grpc = require('grpc');
const { McpServer } = require('@modelcontextprotocol/sdk/server/mcp.js');

const router = express.Router();
router.use(expressjwt({ secret: 's', algorithms: ['HS256'] }));
router.get('/a', jwt({ secret: 's' }), (req, res) => res.end());
router.get('/b', requiresAuth(), (req, res) => res.end());
router.get('/c', auth(), (req, res) => res.end());
router.get('/d', ensureLoggedIn('/login'), (req, res) => res.end());

const koa = new Koa();
const kr = new KoaRouter();
kr.get('/items', (ctx) => {});
const lr = new LegacyRouter();
lr.get('/legacy', (ctx) => {});
koa.use(kr.routes());
koa.listen(3000);

const app = fastify({ logger: true });
app.register(fastifyCors, { origin: '*' });
fastifyCors(app, { origin: true });
app.get('/health', async () => ({ ok: true }));
app.listen({ port: 8080 });

const server = new grpc.Server();
server.addService(proto.orders.Orders.service, {});

const mcp = new McpServer({ name: 'orders', version: '1.0.0' });
mcp.tool('lookup', async () => ({}));
mcp.registerTool('refund', {}, async () => ({}));
