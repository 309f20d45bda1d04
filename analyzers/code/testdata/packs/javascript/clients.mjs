// The corpus of the JavaScript client packs.
import axios from 'axios';
import https from 'https';
import http from 'http';
import * as nodeHttps from 'node:https';
import got from 'got';
import nodeFetch from 'node-fetch';
import { request, fetch as undiciFetch } from 'undici';
import grpc from '@grpc/grpc-js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { SSEClientTransport } from '@modelcontextprotocol/sdk/client/sse.js';

await axios.get('https://rates.example.com/eur');
await axios({ url: 'http://catalog:8080/items', method: 'get' });
https.request('https://hooks.example.com/notify', { rejectUnauthorized: false });
https.get('https://status.example.com', { minVersion: 'TLSv1' });
http.request('http://inventory:8080/stock');
http.get('http://pricing:8080/prices');
nodeHttps.request('https://billing.example.com/charge');
await got('https://feeds.example.com/rss');
await got.get('http://search:9200/_health');
await nodeFetch('https://api.example.org/v1');
await request('http://ledger:8080/entries');
await undiciFetch('https://geo.example.com/ip');
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
new proto.Orders('orders:50051', grpc.credentials.createInsecure());
new proto.Payments('payments.example.com:443', grpc.credentials.createSsl());
new StreamableHTTPClientTransport(new URL('http://tools:8000/mcp'));
new SSEClientTransport(new URL(process.env.MCP_URL));
