const grpc = require('@grpc/grpc-js');

const server = new grpc.Server();
server.addService(shopProto.CurrencyService.service, { getSupportedCurrencies, convert });
server.bindAsync('0.0.0.0:7000', grpc.ServerCredentials.createInsecure(), () => {});
