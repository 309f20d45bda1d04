package hipstershop;

import io.grpc.ServerBuilder;

public final class AdService {
    private static class AdServiceImpl extends hipstershop.AdServiceGrpc.AdServiceImplBase {}

    public static void main(String[] args) throws Exception {
        ServerBuilder.forPort(9555).addService(new AdServiceImpl()).build().start(); // want-members java:src/adservice dockerfile:src/adservice/Dockerfile
    }
}
