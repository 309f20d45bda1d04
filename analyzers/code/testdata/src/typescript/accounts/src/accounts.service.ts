import { Injectable } from '@nestjs/common';
import { PrismaClient } from '@prisma/client';
import OpenAI from 'openai';

@Injectable()
export class AccountsService {
  private readonly prisma = new PrismaClient(); // want-element flow/DATABASE_URL flow want-flow typescript:accounts -> aws_db_instance.accounts_db tls=true(read)
  private readonly ai = new OpenAI();
  private readonly emails = new Map<string, string>();

  async find(id: string) {
    return this.prisma.account.findUnique({ where: { id } });
  }

  async create(email: string) {
    const welcome = await this.ai.chat.completions.create({ // want-element flow/api.openai.com flow want-element actor:api.openai.com actor want-flow typescript:accounts -> api.openai.com want-element code/src/accounts.service.ts/AccountsService.create/prompt-pii control
      model: 'gpt-4o-mini',
      messages: [{ role: 'user', content: `Write a welcome line for ${email}` }],  // want "CODE-LLM-003"
    });
    const res = await fetch(`${process.env.MAILER_URL}/send`, { method: 'POST', body: welcome.choices[0].message.content }); // want-element flow/MAILER_URL flow want-flow typescript:accounts -> Deployment/mailer
    this.emails.get(email); // a Map, not a client
    return this.prisma.account.create({ data: { email } });
  }
}
