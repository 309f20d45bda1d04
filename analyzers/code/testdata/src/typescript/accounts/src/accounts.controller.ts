import { Body, Controller, Get, Param, Post, UseGuards } from '@nestjs/common';

import { AccountsService } from './accounts.service';
import { JwtAuthGuard } from './jwt.guard';

@Controller('accounts')
export class AccountsController {
  constructor(private readonly accounts: AccountsService) {}

  @Get('health') // want-element "entry/GET /accounts/health" entry want-attr "entry/GET /accounts/health" authenticated=false(defaulted)
  health() {
    return { ok: true };
  }

  @Get(':id') // want-element "entry/GET /accounts/:id" entry
  @UseGuards(JwtAuthGuard) // want-attr "entry/GET /accounts/:id" authenticated=true(read)
  find(@Param('id') id: string) {
    return this.accounts.find(id);
  }

  @Post() // want-element "entry/POST /accounts" entry
  @UseGuards(JwtAuthGuard) // want-attr "entry/POST /accounts" authenticated=true(read)
  create(@Body() body: { email: string }) {
    return this.accounts.create(body.email);
  }
}
