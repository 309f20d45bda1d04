FROM debian:12.7-slim
RUN apt-get update \
 && apt-get install -y ca-certificates curl \
 && rm -rf /var/lib/apt/lists/*
USER 10001
HEALTHCHECK CMD ["curl", "-fs", "http://localhost:8080/healthz"]
CMD ["curl", "--version"]
