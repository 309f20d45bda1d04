const axios = require('axios');
const Anthropic = require('@anthropic-ai/sdk');

const pricing = axios.create({ baseURL: process.env.PRICING_API_URL }); // want-element flow/PRICING_API_URL flow want-flow javascript:catalog -> pricing-api tentative=true(defaulted)
const anthropic = new Anthropic();

async function priceOf(product) {
  const { data } = await pricing.get(`/prices/${product.id}`);
  const rate = await fetch('https://api.exchangerate.host/latest?base=EUR'); // want-element flow/api.exchangerate.host flow want-element actor:api.exchangerate.host actor want-flow javascript:catalog -> api.exchangerate.host
  return data.amount * (await rate.json()).rates.USD;
}

async function describe(notes) {
  const msg = await anthropic.messages.create({ // want-element flow/api.anthropic.com flow want-element actor:api.anthropic.com actor want-flow javascript:catalog -> api.anthropic.com prompt=["notes"](read) want-element code/clients.js/describe/prompt control
    model: 'claude-sonnet-4-5',
    max_tokens: 300,
    messages: [{ role: 'user', content: notes }],  // want "CODE-LLM-001"
  });
  return msg.content[0].text;
}

module.exports = { priceOf, describe };
