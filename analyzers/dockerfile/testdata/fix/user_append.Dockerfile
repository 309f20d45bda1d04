# fix: . {"op":"set","path":"USER","value":"10001"}
FROM debian:12.7
RUN echo hi