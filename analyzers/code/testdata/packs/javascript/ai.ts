// The corpus of the TypeScript-side AI and config packs.
import OpenAI, { OpenAI as NamedOpenAI, AzureOpenAI } from 'openai';
import Anthropic, { Anthropic as NamedAnthropic } from '@anthropic-ai/sdk';
import { ChatOpenAI, AzureChatOpenAI } from '@langchain/openai';
import { ChatAnthropic } from '@langchain/anthropic';
import { ConfigService } from '@nestjs/config';

export async function ask(question: string, config: ConfigService) {
  const openai = new OpenAI();
  await openai.responses.create({ model: 'gpt-4o', input: question });
  await openai.embeddings.create({ model: 'text-embedding-3-small', input: question });
  const named = new NamedOpenAI();
  await named.chat.completions.create({ model: 'gpt-4o', messages: [{ role: 'user', content: question }] });
  await named.responses.create({ model: 'gpt-4o', input: question });
  const azure = new AzureOpenAI({ endpoint: config.get('AZURE_OPENAI_ENDPOINT') });
  await azure.chat.completions.create({ model: 'gpt-4o', messages: [] });
  const claude = new NamedAnthropic();
  await claude.messages.create({ model: 'claude', max_tokens: 10, messages: [] });
  new Anthropic().messages.stream({ model: 'claude', max_tokens: 10, messages: [] });
  await new ChatOpenAI().invoke(question);
  await new AzureChatOpenAI().invoke(question);
  await new ChatAnthropic().invoke(question);
}
