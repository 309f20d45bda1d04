import { NestFactory } from '@nestjs/core';
import { AppModule } from './app.module';

async function bootstrap() {
  const app = await NestFactory.create(AppModule); // want-element . component want-members typescript:accounts dockerfile:accounts/Dockerfile kubernetes:shop/Deployment/accounts
  app.enableCors(); // want-attr . cors_any_origin=true(read)
  await app.listen(process.env.PORT ?? 3000);
}
bootstrap();
