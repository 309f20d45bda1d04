FROM golang:1.23.2 AS build
WORKDIR /src
COPY . .
RUN go build -o /app ./cmd/app
FROM debian:12.7-slim
COPY --from=build /app /app
HEALTHCHECK CMD ["/app", "health"]
ENTRYPOINT ["/app"]
