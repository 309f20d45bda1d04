# fix: . {"op":"set","path":"USER","value":"10001"}
FROM golang:1.23.2 AS build
RUN go build -o /app ./cmd/app
FROM gcr.io/distroless/static-debian12:debug
COPY --from=build /app /app
  ENTRYPOINT ["/app"]
